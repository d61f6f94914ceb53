import { NervaError } from '../errors.js';
import { forEachLine } from './lines.js';

/**
 * Tokenizers: text lines in, sentences (arrays of tokens) out.
 *
 * - `word`: tokens match DEFAULT_WORD_PATTERN — runs of letters and digits with inner
 *   apostrophes (`don't`, `o'clock`), or one of `. , ! ? ; :`; everything else (quotes, dashes,
 *   brackets) is dropped. Lowercased by default. With `sentences: 'split'` (the default) a sentence
 *   ends after `.`, `!` or `?` and at a blank line (end of paragraph), so wrapped prose works;
 *   with `sentences: 'line'` each non-blank line is one sentence.
 * - `char`: Unicode code points of each non-blank line; each run of whitespace becomes one
 *   SPACE_TOKEN (`▁`, as in SentencePiece) because ARPA words cannot hold spaces.
 * - `whitespace`: text already tokenized, one sentence per line, tokens split on space, tab and
 *   carriage return exactly as KenLM does; a blank line is an empty sentence (`<s> </s>`), also as KenLM.
 */
export type Level = 'word' | 'char' | 'whitespace';
export type SentenceMode = 'line' | 'split';

export const DEFAULT_WORD_PATTERN = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*|[.,!?;:]/gu;
export const SPACE_TOKEN = '▁';
const SENTENCE_END = new Set(['.', '!', '?']);

export interface TokenizerOptions {
  level?: Level;
  /** default: true for `word`, false otherwise */
  lowercase?: boolean;
  /** default: 'split' for `word`, 'line' otherwise */
  sentences?: SentenceMode;
  /** word level only: the token pattern (needs the g flag) */
  pattern?: RegExp;
}

export const LEVELS: readonly Level[] = ['word', 'char', 'whitespace'];

/** Stateful: feed lines with `push`, then call `end` to flush a sentence still open. */
export class Tokenizer {
  readonly level: Level;
  readonly lowercase: boolean;
  readonly sentences: SentenceMode;
  private readonly pattern: RegExp;
  private pending: string[] = [];

  constructor(options: TokenizerOptions = {}) {
    const level = options.level ?? 'word';
    if (!LEVELS.includes(level)) throw new NervaError(`unknown tokenizer level '${String(level)}' (expected ${LEVELS.join(', ')})`);
    this.level = level;
    this.lowercase = options.lowercase ?? level === 'word';
    this.sentences = options.sentences ?? (level === 'word' ? 'split' : 'line');
    if (this.sentences !== 'line' && this.sentences !== 'split') throw new NervaError(`unknown sentence mode '${String(this.sentences)}' (expected line or split)`);
    const pattern = options.pattern ?? DEFAULT_WORD_PATTERN;
    if (!pattern.global) throw new NervaError(`word pattern ${pattern} needs the g flag`);
    this.pattern = new RegExp(pattern.source, pattern.flags);
  }

  /** Tokenizes one line; calls `emit` for each sentence it completes. */
  push(line: string, emit: (tokens: string[]) => void): void {
    const text = this.lowercase ? line.toLowerCase() : line;
    if (this.level === 'whitespace') {
      this.emitUnit(splitWhitespace(text), text, emit, true);
      return;
    }
    if (this.level === 'char') {
      this.emitUnit(splitChars(text), text, emit, false);
      return;
    }
    const tokens = text.match(this.pattern) ?? [];
    this.emitUnit(tokens, text, emit, false);
  }

  /** Flushes the sentence still open (split mode). */
  end(emit: (tokens: string[]) => void): void {
    if (this.pending.length > 0) emit(this.pending);
    this.pending = [];
  }

  /** All sentences of a text (convenience for short inputs and tests). */
  sentencesOf(text: string): string[][] {
    const out: string[][] = [];
    const emit = (s: string[]): void => void out.push(s);
    forEachLine(text, (line) => this.push(line, emit));
    this.end(emit);
    return out;
  }

  private emitUnit(tokens: string[], text: string, emit: (tokens: string[]) => void, blankIsSentence: boolean): void {
    if (this.sentences === 'line') {
      if (tokens.length > 0 || blankIsSentence) emit(tokens);
      return;
    }
    // split mode: a blank line closes the paragraph's last sentence
    if (text.trim() === '') {
      this.end(emit);
      return;
    }
    for (const t of tokens) {
      this.pending.push(t);
      if (SENTENCE_END.has(t)) {
        emit(this.pending);
        this.pending = [];
      }
    }
  }
}

/** Splits on KenLM's delimiters: space, tab, carriage return, NUL. */
export function splitWhitespace(line: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    const sep = c === 32 || c === 9 || c === 13 || c === 0;
    if (sep) {
      if (start >= 0) {
        out.push(line.slice(start, i));
        start = -1;
      }
    } else if (start < 0) start = i;
  }
  if (start >= 0) out.push(line.slice(start));
  return out;
}

/** Code points of a line, whitespace runs as one SPACE_TOKEN, trimmed. */
export function splitChars(line: string): string[] {
  const out: string[] = [];
  let space = false;
  for (const ch of line.trim()) {
    if (/\s/u.test(ch)) {
      space = true;
      continue;
    }
    if (space) out.push(SPACE_TOKEN);
    space = false;
    out.push(ch);
  }
  return out;
}

/** Joins tokens back into text for display: words with spaces, characters directly. */
export function detokenize(tokens: readonly string[], level: Level): string {
  if (level === 'char') return tokens.map((t) => (t === SPACE_TOKEN ? ' ' : t)).join('');
  return tokens.join(' ').replace(/ ([.,!?;:])/g, '$1');
}
