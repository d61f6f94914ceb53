// Sequence data shared by the sequence models: pairs files, symbol vocabularies, batching, scores.
export { parsePairs, type TextPair, type ParsePairsOptions } from './tsv.js';
export { SymbolVocab, splitSymbols, joinSymbols, SYMBOL_LEVELS, SPACE_SYMBOL, PAD, UNK, BOS, EOS, SPECIALS, type SymbolLevel, type SymbolVocabJSON } from './symbols.js';
export { bucketBatches, sequentialBatches, padBatch, lengthMask, type Padded, type PadOptions } from './batching.js';
export { editDistance, scoreSequences, corpusBleu, type SequenceScores } from './metrics.js';
export { hashFraction } from './split.js';
