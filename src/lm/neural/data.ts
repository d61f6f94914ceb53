import { Tensor } from '../../tensor/tensor.js';
import { NervaError } from '../../errors.js';
import { Tokenizer, detokenize, SPACE_TOKEN, type Level, type TokenizerOptions } from '../tokenize.js';
import { EOS, UNK, UNK_WORD, BOS_WORD, EOS_WORD, Vocabulary, selectWords, type VocabLimits } from '../vocab.js';

/**
 * Text → token ids for the neural language models, with the n-gram tools' conventions so the
 * numbers compare: the same tokenizer (src/lm/tokenize.ts: `char` = code points with `▁` for
 * spaces, one sentence per non-blank line; `word` = lowercased words and punctuation, sentences
 * split at . ! ?), the same vocabulary ids (0 `<unk>`, 1 `<s>`, 2 `</s>`), and the same scored
 * tokens: each sentence's tokens plus `</s>`, unknown ones as `<unk>`.
 *
 * The id stream is `</s> s1… </s> s2… </s> …`: the leading `</s>` is the first input (it plays
 * `<s>`), so every scored token is a prediction target exactly once.
 */
export type NeuralLevel = Extract<Level, 'char' | 'word'>;

export interface LMTokenizerSpec {
  level: NeuralLevel;
  lowercase: boolean;
  sentences: 'line' | 'split';
}

export function tokenizerSpec(level: NeuralLevel, options: Omit<TokenizerOptions, 'level'> = {}): LMTokenizerSpec {
  const t = new Tokenizer({ ...options, level });
  return { level, lowercase: t.lowercase, sentences: t.sentences };
}

export function sentencesOf(text: string, spec: LMTokenizerSpec): string[][] {
  return new Tokenizer(spec).sentencesOf(text);
}

/** The vocabulary of training sentences (word level: limited by count/size; the rest become `<unk>`). */
export function buildVocabulary(sentences: readonly (readonly string[])[], limits: VocabLimits = {}): Vocabulary {
  const counts = new Map<string, number>();
  for (const s of sentences) for (const w of s) counts.set(w, (counts.get(w) ?? 0) + 1);
  for (const special of [UNK_WORD, BOS_WORD, EOS_WORD]) {
    if (counts.has(special)) throw new NervaError(`the corpus contains the reserved token '${special}'`);
  }
  const keep = selectWords(counts, limits);
  const vocab = new Vocabulary();
  for (const w of counts.keys()) if (keep === null || keep.has(w)) vocab.add(w);
  return vocab;
}

export interface Encoded {
  /** `</s>` then every sentence's ids followed by `</s>` */
  ids: Int32Array;
  /** tokens scored (= ids.length − 1) */
  tokens: number;
  oovs: number;
  sentences: number;
}

export function encode(sentences: readonly (readonly string[])[], vocab: Vocabulary): Encoded {
  let n = 1;
  for (const s of sentences) n += s.length + 1;
  const ids = new Int32Array(n);
  ids[0] = EOS;
  let at = 1;
  let oovs = 0;
  for (const s of sentences) {
    for (const w of s) {
      const id = vocab.get(w);
      if (id < 0) oovs++;
      ids[at++] = id < 0 ? UNK : id;
    }
    ids[at++] = EOS;
  }
  return { ids, tokens: n - 1, oovs, sentences: sentences.length };
}

/**
 * Splits an id stream into B parallel streams for truncated BPTT: row t, column b holds
 * ids[b·N + t], t = 0…N (N + 1 rows so that targets are inputs shifted by one). The last
 * (len − 1) mod B tokens are dropped. Shape: (N + 1, B), flattened row-major.
 */
export class BatchedStream {
  readonly data: Int32Array;
  /** predictable steps per stream */
  readonly steps: number;

  constructor(ids: Int32Array, readonly batchSize: number) {
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new NervaError(`batch size must be a positive integer, got ${batchSize}`);
    const N = Math.floor((ids.length - 1) / batchSize);
    this.steps = N;
    const B = batchSize;
    this.data = new Int32Array((N + 1) * B);
    for (let b = 0; b < B; b++) for (let t = 0; t <= N; t++) this.data[t * B + b] = ids[b * N + t]!;
  }

  /** Number of batches of at most seqLen steps. */
  batches(seqLen: number): number {
    return Math.ceil(this.steps / seqLen);
  }

  /** Inputs x and targets y, both (T, B), for steps start … start+T−1 (T = min(seqLen, rest)). */
  batch(start: number, seqLen: number): { x: Tensor; y: Tensor } {
    const T = Math.min(seqLen, this.steps - start);
    if (T <= 0) throw new NervaError(`batch start ${start} is past the end (${this.steps} steps)`);
    const B = this.batchSize;
    return {
      x: new Tensor(this.data.slice(start * B, (start + T) * B), [T, B]),
      y: new Tensor(this.data.slice((start + 1) * B, (start + 1 + T) * B), [T, B]),
    };
  }
}

/** Writes tokens as text while they are generated: characters directly (`▁` as a space), words spaced, `</s>` as a newline. */
export class TokenWriter {
  private atLineStart = true;

  constructor(private readonly level: NeuralLevel, private readonly write: (s: string) => void) {}

  /** The next token continues text already written (a prompt): words get a space before them. */
  continueLine(): void {
    this.atLineStart = false;
  }

  push(token: string): void {
    if (token === EOS_WORD) {
      this.write('\n');
      this.atLineStart = true;
      return;
    }
    if (this.level === 'char') this.write(token === SPACE_TOKEN ? ' ' : token);
    else {
      const glue = this.atLineStart || /^[.,!?;:]$/.test(token) ? '' : ' ';
      this.write(glue + token);
    }
    this.atLineStart = false;
  }
}

/** Tokens back to text, as TokenWriter writes them. */
export function tokensToText(tokens: readonly string[], level: NeuralLevel): string {
  return tokens.map((t) => (t === EOS_WORD ? '\n' : t)).join(level === 'char' ? '' : ' ').replace(/ ?\n ?/g, '\n').replace(new RegExp(SPACE_TOKEN, 'g'), ' ').replace(/ ([.,!?;:])/g, '$1');
}

export { detokenize, UNK, EOS };
