import { DEFAULT_WORD_PATTERN } from '../lm/tokenize.js';
import { NervaError } from '../errors.js';
import { splitSymbols } from './symbols.js';

/**
 * How a classifier reads its text: `char` — code points, spaces as `▁` (case kept); `word` —
 * lowercased words and the marks . , ! ? ; : as the n-gram tools' word tokenizer finds them.
 */
export type TextLevel = 'char' | 'word';
export const TEXT_LEVELS: readonly TextLevel[] = ['char', 'word'];

export function textSymbols(text: string, level: TextLevel): string[] {
  if (level === 'char') return splitSymbols(text, 'char');
  if (level === 'word') return text.toLowerCase().match(new RegExp(DEFAULT_WORD_PATTERN.source, DEFAULT_WORD_PATTERN.flags)) ?? [];
  throw new NervaError(`unknown text level '${String(level)}' (expected char or word)`);
}
