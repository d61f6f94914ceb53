// Sequence data shared by the sequence models: pairs files, symbol vocabularies, batching, scores.
export { parsePairs, type TextPair, type ParsePairsOptions } from './tsv.js';
export { SymbolVocab, splitSymbols, joinSymbols, SYMBOL_LEVELS, SPACE_SYMBOL, PAD, UNK, BOS, EOS, SPECIALS, type SymbolLevel, type SymbolVocabJSON } from './symbols.js';
export { bucketBatches, sequentialBatches, padBatch, lengthMask, type Padded, type PadOptions } from './batching.js';
export { editDistance, scoreSequences, corpusBleu, type SequenceScores } from './metrics.js';

export { parseConll, formatConll, type TaggedSequence, type ParseConllOptions } from './conll.js';
export { LabelSet } from './labels.js';
export { textSymbols, TEXT_LEVELS, type TextLevel } from './tokens.js';
export { fnv1a, fnv1aRaw, isHeldOut, hashFraction } from './split.js';
export { NaiveBayes, MostFrequentTag, type NaiveBayesOptions } from './naive_bayes.js';
export { classReport, microF1, formatClassReport, type ClassReport, type ClassScore } from './class_metrics.js';
export { punctuationTags, restorePunctuation, caseOf, markOf, caseOfTag, PUNCT_CASES, PUNCT_MARKS } from './punctuation.js';
