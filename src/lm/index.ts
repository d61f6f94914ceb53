/** n-gram language models: count, smooth, score, sample; ARPA text read and written as KenLM does.
 * Platform-free: the files (countFile, trainFile, scoreFile, readArpa, writeArpa, corpora) are in
 * `nerva/node`, whose `lm` namespace is this plus them. */
export { Random } from './random.js';
export { Vocabulary, UNK, BOS, EOS, UNK_WORD, BOS_WORD, EOS_WORD, type VocabLimits } from './vocab.js';
export { Tokenizer, DEFAULT_WORD_PATTERN, SPACE_TOKEN, detokenize, type Level, type SentenceMode, type TokenizerOptions } from './tokenize.js';
export { NgramCounter, countText, countSentences, MAX_ORDER, type NgramCounts, type CountOptions } from './count.js';
export { adjustCounts, type AdjustedCounts, type OrderCounts } from './adjust.js';
export { modifiedKneserNeyDiscounts, singleDiscounts, type Discount } from './discount.js';
export { estimate, parseSmoothing, SMOOTHINGS, type Smoothing, type SmoothingOptions } from './smoothing.js';
export { trainText, trainSentences, type TrainOptions, type TrainResult } from './train.js';
export { NgramModel, type NgramTable, type ModelInfo } from './model.js';
export { parseArpa } from './arpa-read.js';
export { arpaChunks, formatFloat32 } from './arpa-write.js';
export { Scorer, scoreSentence, scoreSentences, CorpusScore, modelTokenizer, type SentenceScore, type WordScore } from './score.js';
export { nextWordLogProbs, drawIndex, sample, greedy, beamSearch, type GenerateOptions, type Generated } from './sample.js';
