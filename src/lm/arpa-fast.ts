import type { Vocabulary } from './vocab.js';

/**
 * Fast paths for reading ARPA entry lines without splitting them into strings: numbers parsed
 * from character codes, words found through a hash table over their characters (no substring, no
 * Map). Each returns a failure marker when the line is anything unusual; the reader then
 * re-parses that line the slow, careful way, which also words the error.
 */

/** Word ids looked up from a span of a line. Built once the unigrams are read. */
export class WordTable {
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(private readonly vocab: Vocabulary) {
    let cap = 16;
    while (cap < vocab.size * 2) cap *= 2;
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
    vocab.words.forEach((w, id) => {
      let h = HASH_SEED;
      for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 0x01000193);
      let s = finish(h) & this.mask;
      while (this.slots[s] !== 0) s = (s + 1) & this.mask;
      this.slots[s] = id + 1;
    });
  }

  /** The id of text[start, end) whose running hash is h, or -1. */
  find(text: string, start: number, end: number, h: number): number {
    const words = this.vocab.words;
    let s = finish(h) & this.mask;
    for (;;) {
      const v = this.slots[s]!;
      if (v === 0) return -1;
      const w = words[v - 1]!;
      if (w.length === end - start) {
        let i = 0;
        while (i < w.length && w.charCodeAt(i) === text.charCodeAt(start + i)) i++;
        if (i === w.length) return v - 1;
      }
      s = (s + 1) & this.mask;
    }
  }
}

export const HASH_SEED = 0x811c9dc5 | 0;

function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h ^ (h >>> 16)) >>> 0;
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Where parseNumberAt stopped (the index after the number). */
export const cursor = { end: 0 };

/**
 * Parses a plain decimal (-?digits[.digits]) starting at `start` and ending at a tab, space or
 * the end; NaN if it is anything else (exponents, inf…) — the caller then falls back to Number().
 */
export function parseNumberAt(text: string, start: number): number {
  let i = start;
  const n = text.length;
  let neg = false;
  if (text.charCodeAt(i) === 45) {
    neg = true;
    i++;
  }
  let m = 0;
  let digits = 0;
  let frac = 0;
  let c = text.charCodeAt(i);
  while (c >= 48 && c <= 57) {
    m = m * 10 + (c - 48);
    digits++;
    c = text.charCodeAt(++i);
  }
  if (c === 46) {
    c = text.charCodeAt(++i);
    while (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
      frac++;
      c = text.charCodeAt(++i);
    }
  }
  if (digits === 0 || digits > 15 || frac > 22) return NaN;
  if (i < n && c !== 9 && c !== 32) return NaN;
  cursor.end = i;
  const v = frac === 0 ? m : m / POW10[frac]!;
  return neg ? -v : v;
}
