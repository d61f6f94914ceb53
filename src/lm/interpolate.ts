import type { AdjustedCounts } from './adjust.js';
import type { Discount } from './discount.js';
import { allContextRows, allSuffixRows } from './groups.js';
import { NgramModel, type ModelInfo, type NgramTable } from './model.js';
import { BOS, type Vocabulary } from './vocab.js';

/** How one order turns counts into discounted probabilities α and interpolation weights γ. */
export interface OrderRule {
  /** [0, D1, D2, D3+]: subtracted from each count by its class min(count, 3) */
  discount: Discount;
  /** Witten-Bell: no discount; γ(h) = T(h) / (c(h) + T(h)) with T(h) the distinct words after h */
  wittenBell?: boolean;
}

export interface InterpolateOptions {
  /** which counts to estimate from: Kneser-Ney's adjusted counts or raw counts */
  counts: 'adjusted' | 'raw';
  rules: OrderRule[];
  /** compute in float32 step by step, as lmplz does (for modified Kneser-Ney equal to KenLM) */
  float32?: boolean;
  info?: ModelInfo;
}

/**
 * Interpolated estimation shared by modified/plain Kneser-Ney, absolute discounting and
 * Witten-Bell — lmplz's InitialProbabilities + Interpolate (lm/builder/*.cc):
 *
 *   α(w | h) = (c(h w) − D(c(h w))) / c(h)          c(h) = Σ_w c(h w)
 *   γ(h)     = (D1·N1(h) + D2·N2(h) + D3+·N3+(h)) / c(h)
 *   p(w | h) = α(w | h) + γ(h) · p(w | h′)          h′ = h minus its first word
 *
 * with the unigrams interpolated with the uniform 1/|V| (|V| counts `<unk>`, not `<s>`). In ARPA
 * form the stored probability of h w is p(w | h) and the back-off weight of h is γ(h). `<s>` gets
 * probability 1 (log 0) as in KenLM: it is context only.
 */
export function interpolatedModel(adj: AdjustedCounts, vocab: Vocabulary, options: InterpolateOptions): NgramModel {
  const N = adj.order;
  const V = vocab.size;
  const f = options.float32 === true ? Math.fround : (x: number): number => x;
  const alpha: Float64Array[] = [];
  const gammaOfRow: Float64Array[] = [];
  const backoff: Float64Array[] = adj.orders.map((o) => new Float64Array(o.keys.length / o.order).fill(1));

  const orderKeys = adj.orders.map((o) => o.keys);
  const suffixes = allSuffixRows(orderKeys);
  const contextsOf = allContextRows(orderKeys, suffixes);
  for (let k = 1; k <= N; k++) {
    const o = adj.orders[k - 1]!;
    const counts = options.counts === 'adjusted' ? o.adjusted : o.raw;
    const rows = counts.length;
    const rule = options.rules[k - 1]!;
    const d = rule.discount.map(f);
    // per context (a row of the (k-1)-grams; the single empty context for unigrams):
    // the sum of counts and how many words follow it with count 1, 2, 3+
    const ctxOf = contextsOf[k - 1]!;
    const contexts = k === 1 ? 1 : adj.orders[k - 2]!.raw.length;
    const sum = new Float64Array(contexts);
    const classes = new Uint32Array(contexts * 4);
    for (let r = 0; r < rows; r++) {
      const c = counts[r]!;
      const h = ctxOf[r]!;
      sum[h]! += c;
      if (c > 0) classes[h * 4 + Math.min(c, 3)]!++;
    }
    const denominator = new Float64Array(contexts);
    const gammas = new Float64Array(contexts);
    for (let h = 0; h < contexts; h++) {
      if (sum[h] === 0) continue; // not a context
      const n1 = classes[h * 4 + 1]!;
      const n2 = classes[h * 4 + 2]!;
      const n3 = classes[h * 4 + 3]!;
      if (rule.wittenBell === true) {
        const types = n1 + n2 + n3;
        denominator[h] = f(sum[h]! + types);
        gammas[h] = f(types / denominator[h]!);
      } else {
        denominator[h] = f(sum[h]!);
        let gamma = 0;
        gamma = f(gamma + f(d[1]! * f(n1)));
        gamma = f(gamma + f(d[2]! * f(n2)));
        gamma = f(gamma + f(d[3]! * f(n3)));
        gammas[h] = f(gamma / denominator[h]!);
      }
    }
    const a = new Float64Array(rows);
    const g = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const c = counts[r]!;
      const h = ctxOf[r]!;
      a[r] = f(f(f(c) - d[Math.min(c, 3)]!) / denominator[h]!);
      g[r] = gammas[h]!;
    }
    if (k === 1) {
      // <s> is never predicted: probability 1, no interpolation (KenLM's convention)
      a[BOS] = 1;
      g[BOS] = 0;
    } else {
      const b = backoff[k - 2]!;
      for (let h = 0; h < contexts; h++) if (sum[h]! > 0) b[h] = gammas[h]!;
    }
    alpha.push(a);
    gammaOfRow.push(g);
  }

  // Interpolate order by order: p(w | h) = α + γ(h) · p(w | h′).
  const uniform = f(1 / f(V - 1));
  const tables: NgramTable[] = [];
  let lowerProb = new Float64Array(0);
  for (let k = 1; k <= N; k++) {
    const o = adj.orders[k - 1]!;
    const rows = alpha[k - 1]!.length;
    const a = alpha[k - 1]!;
    const g = gammaOfRow[k - 1]!;
    const prob = new Float64Array(rows);
    if (k === 1) {
      for (let r = 0; r < rows; r++) prob[r] = f(a[r]! + f(g[r]! * uniform));
    } else {
      const suf = suffixes[k - 1]!;
      for (let r = 0; r < rows; r++) prob[r] = f(a[r]! + f(g[r]! * lowerProb[suf[r]!]!));
    }
    const logProb = new Float32Array(rows);
    const logBackoff = new Float32Array(rows);
    const b = backoff[k - 1]!;
    for (let r = 0; r < rows; r++) {
      logProb[r] = Math.min(0, Math.log10(prob[r]!));
      if (k < N && b[r] !== 1) logBackoff[r] = Math.log10(b[r]!);
    }
    tables.push({ keys: o.keys, logProb, logBackoff });
    lowerProb = prob;
  }
  return new NgramModel(vocab, tables, options.info ?? {});
}
