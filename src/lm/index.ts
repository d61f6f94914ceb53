/** n-gram language models: count, smooth, score, sample; ARPA files read and written as KenLM does. */
export { Random } from './random.js';
export { Vocabulary, UNK, BOS, EOS, UNK_WORD, BOS_WORD, EOS_WORD, type VocabLimits } from './vocab.js';
export { Tokenizer, DEFAULT_WORD_PATTERN, SPACE_TOKEN, detokenize, type Level, type SentenceMode, type TokenizerOptions } from './tokenize.js';
export { readLines } from '../node/lines.js';
export { NgramCounter, countFile, countText, countSentences, MAX_ORDER, type NgramCounts, type CountOptions } from './count.js';
export { adjustCounts, type AdjustedCounts, type OrderCounts } from './adjust.js';
export { modifiedKneserNeyDiscounts, singleDiscounts, type Discount } from './discount.js';
export { estimate, parseSmoothing, SMOOTHINGS, type Smoothing, type SmoothingOptions } from './smoothing.js';
export { trainFile, trainText, trainSentences, type TrainOptions, type TrainResult } from './train.js';
export { NgramModel, type NgramTable, type ModelInfo } from './model.js';
export { readArpa, parseArpa } from './arpa-read.js';
export { writeArpa, arpaChunks, formatFloat32 } from './arpa-write.js';
export { Scorer, scoreSentence, scoreSentences, scoreFile, CorpusScore, modelTokenizer, type SentenceScore, type WordScore } from './score.js';
export { nextWordLogProbs, drawIndex, sample, greedy, beamSearch, type GenerateOptions, type Generated } from './sample.js';
export { embeddedCorpus, sotuAddresses, EMBEDDED_CORPORA } from '../node/corpora.js';
