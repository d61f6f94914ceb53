/**
 * Orders of n-grams packed `order` ids per row, sorted by LSD radix sort (one counting-sort pass
 * per word position, least significant first): linear in the number of n-grams, no comparisons.
 *
 * - suffix order (KenLM's SuffixOrder): compare the last word, then the one before, … the first.
 *   An n-gram's suffixes and its lower-order neighbours then stream in the same order.
 */
export function suffixOrderPositions(order: number): number[] {
  // least significant first: word 0, 1, …, order-1
  return Array.from({ length: order }, (_, i) => i);
}

/** A permutation of rows 0..rows-1 that sorts them by the given positions (least significant first). */
export function radixPermutation(keys: Uint32Array, rows: number, order: number, positions: readonly number[], vocabSize: number): Uint32Array {
  let perm = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) perm[i] = i;
  let next = new Uint32Array(rows);
  const col = new Uint32Array(rows);
  const count = new Uint32Array(vocabSize + 1);
  for (const pos of positions) {
    // gather the column once (the only strided read), then count and scatter from it
    for (let i = 0; i < rows; i++) col[i] = keys[perm[i]! * order + pos]!;
    count.fill(0);
    for (let i = 0; i < rows; i++) count[col[i]! + 1]!++;
    for (let v = 0; v < vocabSize; v++) count[v + 1]! += count[v]!;
    for (let i = 0; i < rows; i++) next[count[col[i]!]!++] = perm[i]!;
    const t = perm;
    perm = next;
    next = t;
  }
  return perm;
}

/** Rows of `keys` in the order of `perm`. */
export function permuteRows(keys: Uint32Array, perm: Uint32Array, order: number): Uint32Array {
  const out = new Uint32Array(perm.length * order);
  for (let i = 0; i < perm.length; i++) {
    const src = perm[i]! * order;
    const dst = i * order;
    for (let j = 0; j < order; j++) out[dst + j] = keys[src + j]!;
  }
  return out;
}

export function permuteValues<T extends Uint32Array | Float64Array | Float32Array>(values: T, perm: Uint32Array): T {
  const out = new (values.constructor as new (n: number) => T)(perm.length);
  for (let i = 0; i < perm.length; i++) out[i] = values[perm[i]!]!;
  return out;
}
