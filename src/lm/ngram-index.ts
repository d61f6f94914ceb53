import { hashFinish, hashStep } from './hash.js';

/**
 * Finds the rows of one order's n-grams by linear probing, with each entry stored inline in its
 * slot — [row + 1, w0 … w(k-1), and with values: log10 prob, log10 back-off] — so a lookup
 * touches one place in memory (KenLM's probing layout). Slot 0 word = 0 marks an empty slot;
 * about 1.5 slots per n-gram.
 *
 * The hash runs from the last word backwards — hashStep(0, w), then the word before, … — so a
 * scorer extends the context one word at a time and reuses the hash.
 */
export class NgramIndex {
  private readonly slots: Uint32Array;
  private readonly values: Float32Array;
  private readonly capacity: number;
  /** 32-bit words per slot */
  readonly stride: number;

  /**
   * @param values log10 probabilities and back-offs to store inline (for scoring)
   * @param onDuplicate called with the two rows when an n-gram is stored twice (else the later is unreachable)
   */
  constructor(
    readonly keys: Uint32Array,
    readonly order: number,
    values?: { logProb: Float32Array; logBackoff: Float32Array },
    onDuplicate?: (first: number, second: number) => void,
  ) {
    const k = order;
    const rows = keys.length / k;
    this.stride = k + 1 + (values ? 2 : 0);
    this.capacity = Math.max(4, Math.ceil(rows * 1.5) + 1);
    this.slots = new Uint32Array(this.capacity * this.stride);
    this.values = new Float32Array(this.slots.buffer);
    const slots = this.slots;
    const stride = this.stride;
    for (let r = 0; r < rows; r++) {
      const base = r * k;
      let h = hashStep(0, keys[base + k - 1]!);
      for (let j = k - 2; j >= 0; j--) h = hashStep(h, keys[base + j]!);
      let s = this.home(h);
      for (;;) {
        const at = s * stride;
        if (slots[at] === 0) break;
        if (onDuplicate !== undefined) {
          let j = 0;
          while (j < k && slots[at + 1 + j] === keys[base + j]) j++;
          if (j === k) onDuplicate(slots[at]! - 1, r);
        }
        s = s + 1 === this.capacity ? 0 : s + 1;
      }
      const at = s * stride;
      slots[at] = r + 1;
      for (let j = 0; j < k; j++) slots[at + 1 + j] = keys[base + j]!;
      if (values) {
        this.values[at + 1 + k] = values.logProb[r]!;
        this.values[at + 2 + k] = values.logBackoff[r]!;
      }
    }
  }

  private home(h: number): number {
    return Math.floor((hashFinish(h) * this.capacity) / 4294967296);
  }

  /**
   * The slot offset of (ctx[k-2] … ctx[0] w), or -1: `ctx` lists the context most recent word
   * first and `h` is the running hash over w, ctx[0], …, ctx[k-2].
   */
  findSlot(h: number, w: number, ctx: ArrayLike<number>): number {
    const k = this.order;
    const slots = this.slots;
    const stride = this.stride;
    const cap = this.capacity;
    let s = this.home(h);
    for (;;) {
      const at = s * stride;
      if (slots[at] === 0) return -1;
      if (slots[at + k] === w) {
        let j = 0;
        while (j < k - 1 && slots[at + k - 1 - j] === ctx[j]) j++;
        if (j === k - 1) return at;
      }
      s = s + 1 === cap ? 0 : s + 1;
    }
  }

  /** The row of (ctx[k-2] … ctx[0] w), or -1 (see findSlot). */
  find(h: number, w: number, ctx: ArrayLike<number>): number {
    const at = this.findSlot(h, w, ctx);
    return at < 0 ? -1 : this.slots[at]! - 1;
  }

  /** log10 probability stored in a slot (index built with values). */
  logProbAt(at: number): number {
    return this.values[at + 1 + this.order]!;
  }

  /** log10 back-off stored in a slot (index built with values). */
  logBackoffAt(at: number): number {
    return this.values[at + 2 + this.order]!;
  }

  /** The row of the n-gram words[offset .. offset+order) (natural order), or -1. */
  findWords(words: Uint32Array, offset: number): number {
    const k = this.order;
    let h = hashStep(0, words[offset + k - 1]!);
    for (let j = k - 2; j >= 0; j--) h = hashStep(h, words[offset + j]!);
    const slots = this.slots;
    const stride = this.stride;
    const cap = this.capacity;
    let s = this.home(h);
    for (;;) {
      const at = s * stride;
      if (slots[at] === 0) return -1;
      let j = 0;
      while (j < k && slots[at + 1 + j] === words[offset + j]) j++;
      if (j === k) return slots[at]! - 1;
      s = s + 1 === cap ? 0 : s + 1;
    }
  }
}
