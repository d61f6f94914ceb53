import { NervaError } from '../errors.js';
import { contextOrderPositions, radixPermutation } from './sort.js';

/**
 * Rows of k-grams grouped by context (the first k-1 words): `perm` lists the rows in context
 * order, group g spans perm[start[g] .. start[g+1]). Contexts come in suffix order.
 */
export interface ContextGroups {
  perm: Uint32Array;
  start: Uint32Array;
  count: number;
}

export function contextGroups(keys: Uint32Array, rows: number, k: number, vocabSize: number): ContextGroups {
  if (k === 1) {
    const perm = new Uint32Array(rows);
    for (let i = 0; i < rows; i++) perm[i] = i;
    return { perm, start: Uint32Array.of(0, rows), count: 1 };
  }
  const perm = radixPermutation(keys, rows, k, contextOrderPositions(k), vocabSize);
  const starts: number[] = [];
  let prev = -1;
  for (let i = 0; i < rows; i++) {
    const r = perm[i]!;
    if (prev < 0 || !sameContext(keys, prev, r, k)) starts.push(i);
    prev = r;
  }
  starts.push(rows);
  return { perm, start: Uint32Array.from(starts), count: starts.length - 1 };
}

function sameContext(keys: Uint32Array, a: number, b: number, k: number): boolean {
  for (let j = 0; j < k - 1; j++) if (keys[a * k + j] !== keys[b * k + j]) return false;
  return true;
}

/**
 * For each context group of the k-grams, the row of the (k-1)-gram equal to its context. Both
 * lists are in suffix order, so one merge walk finds them all.
 */
export function alignContexts(lowerKeys: Uint32Array, lowerRows: number, keys: Uint32Array, k: number, groups: ContextGroups): Int32Array {
  const out = new Int32Array(groups.count);
  const m = k - 1;
  let j = 0;
  for (let g = 0; g < groups.count; g++) {
    const row = groups.perm[groups.start[g]!]!;
    for (;;) {
      if (j >= lowerRows) throw new NervaError(`internal: context of ${k}-gram row ${row} is not among the ${m}-grams`);
      const cmp = compareContext(lowerKeys, j, keys, row, k);
      if (cmp === 0) break;
      if (cmp > 0) throw new NervaError(`internal: context of ${k}-gram row ${row} is not among the ${m}-grams`);
      j++;
    }
    out[g] = j;
  }
  return out;
}

/** Suffix order comparison of (k-1)-gram row a with the context (first k-1 words) of k-gram row b. */
function compareContext(lowerKeys: Uint32Array, a: number, keys: Uint32Array, b: number, k: number): number {
  const m = k - 1;
  for (let j = m - 1; j >= 0; j--) {
    const x = lowerKeys[a * m + j]!;
    const y = keys[b * k + j]!;
    if (x !== y) return x - y;
  }
  return 0;
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
