import { FormatError } from '../errors.js';
import { hashFinish, hashStep, nextPowerOfTwo } from './hash.js';
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
  private slots: Uint32Array[] | null = null;
  private masks: number[] = [];

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
  }

  /** Number of n-grams per order. */
  counts(): number[] {
    return this.tables.map((t) => t.logProb.length);
  }

  /** Builds the hash index; `where(k, row)` names a row in the duplicate-n-gram error. */
  buildIndex(where?: (k: number, row: number) => string): void {
    if (this.slots !== null) return;
    const slots: Uint32Array[] = [new Uint32Array(0)];
    const masks = [0];
    for (let k = 2; k <= this.order; k++) {
      const { keys, logProb } = this.tables[k - 1]!;
      const rows = logProb.length;
      const cap = nextPowerOfTwo(Math.max(4, rows * 2));
      const table = new Uint32Array(cap);
      const mask = cap - 1;
      for (let r = 0; r < rows; r++) {
        const base = r * k;
        let h = hashStep(0, keys[base + k - 1]!);
        for (let j = k - 2; j >= 0; j--) h = hashStep(h, keys[base + j]!);
        let s = hashFinish(h) & mask;
        for (;;) {
          const v = table[s]!;
          if (v === 0) break;
          if (sameRow(keys, v - 1, r, k)) {
            const name = Array.from(keys.subarray(base, base + k), (id) => this.vocab.word(id)).join(' ');
            throw new FormatError(`${where ? where(k, r) + ': ' : ''}duplicate ${k}-gram '${name}'`);
          }
          s = (s + 1) & mask;
        }
        table[s] = r + 1;
      }
      slots.push(table);
      masks.push(mask);
    }
    this.slots = slots;
    this.masks = masks;
  }

  /**
   * The row of the k-gram (ctx[k-2] … ctx[0] w), or -1. `ctx` lists the context most recent word
   * first; `h` is the running hash: hashStep(0, w), then hashStep(h, ctx[0]), … (k-1 steps).
   */
  findRow(k: number, h: number, w: number, ctx: ArrayLike<number>): number {
    const slots = this.slots![k - 1]!;
    const mask = this.masks[k - 1]!;
    const keys = this.tables[k - 1]!.keys;
    let s = hashFinish(h) & mask;
    for (;;) {
      const v = slots[s]!;
      if (v === 0) return -1;
      const base = (v - 1) * k;
      if (keys[base + k - 1] === w) {
        let j = 0;
        while (j < k - 1 && keys[base + k - 2 - j] === ctx[j]) j++;
        if (j === k - 1) return v - 1;
      }
      s = (s + 1) & mask;
    }
  }

  /** The id of a word, `<unk>` for unknown words (-1 if the model has no `<unk>`). */
  wordId(word: string): number {
    const id = this.vocab.get(word);
    if (id >= 0 && (id !== UNK || this.hasUnk)) return id;
    return this.hasUnk ? UNK : -1;
  }
}

function sameRow(keys: Uint32Array, a: number, b: number, k: number): boolean {
  for (let j = 0; j < k; j++) if (keys[a * k + j] !== keys[b * k + j]) return false;
  return true;
}
