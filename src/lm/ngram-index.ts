import { hashFinish, hashStep, nextPowerOfTwo } from './hash.js';

/**
 * Finds the rows of one order's n-grams (packed `order` ids per row) by open addressing. The hash
 * runs from the last word backwards — hashStep(0, w), then the word before, … — so a scorer can
 * extend the context one word at a time and reuse the hash. Slots hold row + 1 (0 = empty).
 */
export class NgramIndex {
  private readonly slots: Uint32Array;
  private readonly mask: number;

  /** @param onDuplicate called with the two rows when an n-gram is stored twice (else the later wins) */
  constructor(
    readonly keys: Uint32Array,
    readonly order: number,
    onDuplicate?: (first: number, second: number) => void,
  ) {
    const k = order;
    const rows = keys.length / k;
    const cap = nextPowerOfTwo(Math.max(4, rows * 2));
    this.slots = new Uint32Array(cap);
    this.mask = cap - 1;
    const slots = this.slots;
    for (let r = 0; r < rows; r++) {
      const base = r * k;
      let h = hashStep(0, keys[base + k - 1]!);
      for (let j = k - 2; j >= 0; j--) h = hashStep(h, keys[base + j]!);
      let s = hashFinish(h) & this.mask;
      for (;;) {
        const v = slots[s]!;
        if (v === 0) break;
        if (onDuplicate !== undefined && sameRow(keys, v - 1, r, k)) onDuplicate(v - 1, r);
        s = (s + 1) & this.mask;
      }
      slots[s] = r + 1;
    }
  }

  /**
   * The row of (ctx[k-2] … ctx[0] w) or -1: `ctx` lists the context most recent word first and
   * `h` is the running hash over w, ctx[0], …, ctx[k-2].
   */
  find(h: number, w: number, ctx: ArrayLike<number>): number {
    const k = this.order;
    const keys = this.keys;
    const slots = this.slots;
    let s = hashFinish(h) & this.mask;
    for (;;) {
      const v = slots[s]!;
      if (v === 0) return -1;
      const base = (v - 1) * k;
      if (keys[base + k - 1] === w) {
        let j = 0;
        while (j < k - 1 && keys[base + k - 2 - j] === ctx[j]) j++;
        if (j === k - 1) return v - 1;
      }
      s = (s + 1) & this.mask;
    }
  }

  /** The row of the n-gram words[offset .. offset+order) (natural order), or -1. */
  findWords(words: Uint32Array, offset: number): number {
    const k = this.order;
    let h = hashStep(0, words[offset + k - 1]!);
    for (let j = k - 2; j >= 0; j--) h = hashStep(h, words[offset + j]!);
    const keys = this.keys;
    const slots = this.slots;
    let s = hashFinish(h) & this.mask;
    for (;;) {
      const v = slots[s]!;
      if (v === 0) return -1;
      const base = (v - 1) * k;
      let j = 0;
      while (j < k && keys[base + j] === words[offset + j]) j++;
      if (j === k) return v - 1;
      s = (s + 1) & this.mask;
    }
  }
}

function sameRow(keys: Uint32Array, a: number, b: number, k: number): boolean {
  for (let j = 0; j < k; j++) if (keys[a * k + j] !== keys[b * k + j]) return false;
  return true;
}
