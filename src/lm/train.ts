import { countSentences, countText, type CountOptions, type NgramCounts } from './count.js';
import type { ModelInfo } from './model.js';
import { estimate, type Estimate, type SmoothingOptions } from './smoothing.js';
import { Tokenizer } from './tokenize.js';

export interface TrainOptions extends CountOptions, SmoothingOptions {}

export interface TrainResult extends Estimate {
  counts: NgramCounts;
}

export function tokenizerInfo(options: TrainOptions): ModelInfo {
  const t = new Tokenizer(options);
  return { level: t.level, lowercase: t.lowercase, sentences: t.sentences };
}

/** Same for an in-memory text. */
export function trainText(text: string, options: TrainOptions): TrainResult {
  const counts = countText(text, options);
  return { ...estimate(counts, options, tokenizerInfo(options)), counts };
}

/** Same for sentences already split into tokens. */
export function trainSentences(sentences: Iterable<readonly string[]>, options: TrainOptions): TrainResult {
  const counts = countSentences(sentences, options);
  return { ...estimate(counts, options, { level: options.level ?? 'whitespace', lowercase: false, sentences: 'line' }), counts };
}
