import { NervaError } from '../errors.js';

/**
 * For every order k, for each k-gram row, the row of its context (its first k-1 words) among
 * the (k-1)-grams — unigrams: 0, the one empty context; bigrams: the first word's id (unigram row
 * i is word i). Above, without hashing: the context's own suffix is the context of the k-gram's
 * suffix, x = context(suffix(r)), and the (k-1)-grams ending in x sit together in suffix order,
 * sorted by their first word, so a binary search on the first word finds the context.
 * `suffixes[k-1]` holds suffixRows for the k-grams (k >= 2).
 */
export function allContextRows(keys: readonly Uint32Array[], suffixes: readonly (Uint32Array | null)[]): Uint32Array[] {
  const N = keys.length;
  const out: Uint32Array[] = [new Uint32Array(keys[0]!.length)];
  if (N >= 2) {
    const k2 = keys[1]!;
    const rows = k2.length / 2;
    const ctx = new Uint32Array(rows);
    for (let r = 0; r < rows; r++) ctx[r] = k2[r * 2]!;
    out.push(ctx);
  }
  for (let k = 3; k <= N; k++) {
    const kk = keys[k - 1]!;
    const rows = kk.length / k;
    const lowerKeys = keys[k - 2]!;
    const m1 = k - 1;
    const lowerRows = lowerKeys.length / m1;
    const lowerSuffix = suffixes[k - 2]!; // (k-1)-gram row → (k-2)-gram row
    const lowerContext = out[k - 2]!; // (k-1)-gram row → (k-2)-gram row of its first k-2 words
    const m = keys[k - 3]!.length / (k - 2);
    // start[x]: the first (k-1)-gram whose suffix is (k-2)-gram x
    const start = new Uint32Array(m + 1);
    let j = 0;
    for (let x = 0; x <= m; x++) {
      while (j < lowerRows && lowerSuffix[j]! < x) j++;
      start[x] = j;
    }
    const suffix = suffixes[k - 1]!;
    const ctx = new Uint32Array(rows);
    for (let r = 0; r < rows; r++) {
      const x = lowerContext[suffix[r]!]!;
      const w0 = kk[r * k]!;
      let lo = start[x]!;
      let hi = start[x + 1]!;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (lowerKeys[mid * m1]! < w0) lo = mid + 1;
        else hi = mid;
      }
      if (lo >= start[x + 1]! || lowerKeys[lo * m1] !== w0) throw new NervaError(`internal: context of ${k}-gram row ${r} is not among the ${k - 1}-grams`);
      ctx[r] = lo;
    }
    out.push(ctx);
  }
  return out;
}

/** suffixRows for every order (null for unigrams). */
export function allSuffixRows(keys: readonly Uint32Array[]): (Uint32Array | null)[] {
  const out: (Uint32Array | null)[] = [null];
  for (let k = 2; k <= keys.length; k++) {
    const lower = keys[k - 2]!;
    out.push(suffixRows(lower, lower.length / (k - 1), keys[k - 1]!, keys[k - 1]!.length / k, k));
  }
  return out;
}

/**
 * For each k-gram row (suffix order), the row of its suffix (words 1..k-1) among the (k-1)-grams.
 * Suffixes of rows in suffix order are themselves non-decreasing, so one merge walk suffices.
 */
export function suffixRows(lowerKeys: Uint32Array, lowerRows: number, keys: Uint32Array, rows: number, k: number): Uint32Array {
  const out = new Uint32Array(rows);
  const m = k - 1;
  let j = 0;
  for (let i = 0; i < rows; i++) {
    for (;;) {
      if (j >= lowerRows) throw new NervaError(`internal: suffix of ${k}-gram row ${i} is not among the ${m}-grams`);
      let cmp = 0;
      for (let p = m - 1; p >= 0; p--) {
        const x = lowerKeys[j * m + p]!;
        const y = keys[i * k + p + 1]!;
        if (x !== y) {
          cmp = x - y;
          break;
        }
      }
      if (cmp === 0) break;
      if (cmp > 0) throw new NervaError(`internal: suffix of ${k}-gram row ${i} is not among the ${m}-grams`);
      j++;
    }
    out[i] = j;
  }
  return out;
}
