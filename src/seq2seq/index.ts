// Encoder–decoder training and decoding (the model itself is models/seq2seq.ts; files: nerva/node).
export { encodePairs, buildVocabs, makeBatch, lengthRatio, EncodedPairs, type Seq2SeqBatch } from './data.js';
export { Seq2SeqTrainer, seq2seqLoss, evaluateLoss, type Seq2SeqTrainOptions, type Seq2SeqStep } from './train.js';
export { decode, maxTargetLength, type Hypothesis, type DecodeInput, type SearchOptions } from './decode.js';
export { translateAll, evaluatePairs, type Seq2SeqVocabSet, type TranslateOptions, type Translation } from './translate.js';
export { parseCmudict, splitG2P, stripStress, type G2PEntry, type G2PSplit } from './g2p.js';
