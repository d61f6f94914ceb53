import { NervaError } from '../errors.js';

/** Discount amounts by adjusted count: [0, D1, D2, D3+] (index min(count, 3)). */
export type Discount = [number, number, number, number];

const f32 = Math.fround;

/**
 * Modified Kneser-Ney discounts per order from counts of counts (Chen & Goodman eq. 26),
 * computed in float32 step by step as lmplz does (lm/builder/adjust_counts.cc):
 * Y = n1 / (n1 + 2 n2), Dj = j − (j+1) · Y · n(j+1) / nj for j = 1, 2, 3.
 *
 * When an order lacks singletons, doubletons or tripletons, or a discount falls outside [0, j],
 * this throws like lmplz — unless `fallback` [D1, D2, D3+] is given (lmplz's --discount_fallback,
 * whose default is 0.5 1 1.5).
 */
export function modifiedKneserNeyDiscounts(
  stats: readonly (readonly number[])[],
  fallback: readonly number[] | null = null,
  onFallback?: (message: string) => void,
): Discount[] {
  return stats.map((n, i) => {
    const bad = (why: string): Discount => {
      if (fallback !== null) {
        const d: Discount = [0, fallback[0] ?? 0.5, fallback[1] ?? 1, fallback[2] ?? 1.5];
        onFallback?.(`${i + 1}-grams: ${why}; using the fallback discounts D1=${d[1]} D2=${d[2]} D3+=${d[3]}`);
        return d;
      }
      throw new NervaError(`cannot compute Kneser-Ney discounts for ${i + 1}-grams: ${why}; the corpus is too small or artificial (dedupe it, or pass discount fallback values, e.g. --discount-fallback 0.5,1,1.5)`);
    };
    for (let j = 1; j < 4; j++) if (n[j] === 0) return bad(`no ${i + 1}-gram has adjusted count ${j}`);
    const y = f32(f32(n[1]!) / f32(n[1]! + 2 * n[2]!));
    const d: Discount = [0, 0, 0, 0];
    for (let j = 1; j < 4; j++) {
      d[j] = f32(j - f32(f32(f32(f32(j + 1) * y) * f32(n[j + 1]!)) / f32(n[j]!)));
      if (d[j]! < 0 || d[j]! > j) return bad(`discount D${j}${j === 3 ? '+' : ''} = ${d[j]} is out of range [0, ${j}]`);
    }
    return d;
  });
}

/**
 * One discount per order, D = n1 / (n1 + 2 n2) (Ney, Essen & Kneser), for absolute discounting and
 * plain interpolated Kneser-Ney. Falls back to 0.5 when an order has no singletons or doubletons.
 */
export function singleDiscounts(stats: readonly (readonly number[])[]): Discount[] {
  return stats.map((n) => {
    const n1 = n[1]!;
    const n2 = n[2]!;
    const d = n1 > 0 && n2 > 0 ? n1 / (n1 + 2 * n2) : 0.5;
    return [0, d, d, d];
  });
}

/** Counts of counts (c = 1..4) of each order's counts. */
export function countsOfCounts(counts: readonly Uint32Array[]): number[][] {
  return counts.map((cs) => {
    const n = [0, 0, 0, 0, 0];
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i]!;
      if (c < 5) n[c]!++;
    }
    return n;
  });
}
