import { NervaError } from '../errors.js';
import { NgramIndex } from './ngram-index.js';

/**
 * For each k-gram row, the row of its context (its first k-1 words) among the (k-1)-grams: the
 * word id itself for bigrams (unigram row i is word i), a hash lookup above. Statistics per
 * context then accumulate in arrays indexed by that row — no sort into context order needed.
 * For unigrams every row gets context 0 (the one empty context).
 */
export function contextRows(keys: Uint32Array, k: number, lowerIndex: NgramIndex | null): Uint32Array {
  const rows = keys.length / k;
  const out = new Uint32Array(rows);
  if (k === 1) return out;
  if (k === 2) {
    for (let r = 0; r < rows; r++) out[r] = keys[r * 2]!;
    return out;
  }
  if (lowerIndex === null) throw new NervaError(`internal: no index of the ${k - 1}-grams`);
  for (let r = 0; r < rows; r++) {
    const row = lowerIndex.findWords(keys, r * k);
    if (row < 0) throw new NervaError(`internal: context of ${k}-gram row ${r} is not among the ${k - 1}-grams`);
    out[r] = row;
  }
  return out;
}

/** Indexes of orders 2..N-1 (index k-1 for the k-grams), for contextRows of the orders above. */
export function lowerIndexes(orderKeys: readonly Uint32Array[]): (NgramIndex | undefined)[] {
  const N = orderKeys.length;
  const out: (NgramIndex | undefined)[] = [undefined];
  for (let k = 2; k < N; k++) out.push(new NgramIndex(orderKeys[k - 1]!, k));
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
