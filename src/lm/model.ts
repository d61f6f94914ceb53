import { FormatError } from '../errors.js';
import { NgramIndex } from './ngram-index.js';
import type { Level, SentenceMode } from './tokenize.js';
import { UNK, type Vocabulary } from './vocab.js';

/** The n-grams of one order: `keys` holds `order` word ids per row; log10 values in float32 as KenLM. */
export interface NgramTable {
  keys: Uint32Array;
  logProb: Float32Array;
  /** zero for rows that are no context (and for the highest order) */
  logBackoff: Float32Array;
}

/** How the model was made: written as a `#` comment before `\data\` (KenLM skips such lines). */
export interface ModelInfo {
  smoothing?: string;
  level?: Level;
  lowercase?: boolean;
  sentences?: SentenceMode;
}

/**
 * A back-off n-gram model in ARPA form: for each stored n-gram its log10 probability and, for
 * contexts, its log10 back-off weight; p(w | h) = p(h w) if stored, else b(h) · p(w | h minus its
 * first word). Unigram row i is word id i. Rows of higher orders are found through one
 * open-addressing hash table per order (built on first use).
 */
export class NgramModel {
  readonly order: number;
  /** index k-1: the hash index of the k-grams (k >= 2), built on first use */
  private readonly indexes: (NgramIndex | undefined)[];

  /**
   * @param hasUnk whether `<unk>` is a real entry (an ARPA file may lack it; then unknown words are an error)
   */
  constructor(
    readonly vocab: Vocabulary,
    readonly tables: NgramTable[],
    readonly info: ModelInfo = {},
    readonly hasUnk = true,
  ) {
    this.order = tables.length;
    this.indexes = tables.map(() => undefined);
  }

  /** Number of n-grams per order. */
  counts(): number[] {
    return this.tables.map((t) => t.logProb.length);
  }

  /** Builds the hash index; `where(k, row)` names a row in the duplicate-n-gram error. */
  buildIndex(where?: (k: number, row: number) => string): void {
    for (let k = 2; k <= this.order; k++) {
      if (this.indexes[k - 1] !== undefined) continue;
      const { keys, logProb, logBackoff } = this.tables[k - 1]!;
      this.indexes[k - 1] = new NgramIndex(keys, k, { logProb, logBackoff }, (_, row) => {
        const name = Array.from(keys.subarray(row * k, row * k + k), (id) => this.vocab.word(id)).join(' ');
        throw new FormatError(`${where ? where(k, row) + ': ' : ''}duplicate ${k}-gram '${name}'`);
      });
    }
  }

  /**
   * The row of the k-gram (ctx[k-2] … ctx[0] w), or -1. `ctx` lists the context most recent word
   * first; `h` is the running hash: hashStep(0, w), then hashStep(h, ctx[0]), … (k-1 steps).
   * Call buildIndex first.
   */
  findRow(k: number, h: number, w: number, ctx: ArrayLike<number>): number {
    return this.indexes[k - 1]!.find(h, w, ctx);
  }

  /** The hash index of the k-grams (k >= 2; call buildIndex first). */
  index(k: number): NgramIndex {
    return this.indexes[k - 1]!;
  }

  /** The id of a word, `<unk>` for unknown words (-1 if the model has no `<unk>`). */
  wordId(word: string): number {
    const id = this.vocab.get(word);
    if (id >= 0 && (id !== UNK || this.hasUnk)) return id;
    return this.hasUnk ? UNK : -1;
  }
}
