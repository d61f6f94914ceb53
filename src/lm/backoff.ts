import type { AdjustedCounts } from './adjust.js';
import { allContextRows, allSuffixRows } from './groups.js';
import { NgramModel, type ModelInfo, type NgramTable } from './model.js';
import { BOS, UNK, type Vocabulary } from './vocab.js';

/**
 * Back-off models whose seen n-grams keep their own estimate (no interpolation), from raw counts:
 *
 * - add-k (Laplace for k = 1; maximum likelihood for k = 0): p(w | h) = (c(h w) + k) / (c(h) + k·|V|)
 *   for every w seen after h; the rest of the mass, 1 − Σ_seen p(w | h), goes to the unseen words
 *   in proportion to p(w | h′) through the back-off weight (as SRILM's -addsmooth does):
 *   b(h) = (1 − Σ_seen p(w | h)) / (1 − Σ_seen p(w | h′)). Unigrams are plain add-k over |V|
 *   (which counts `<unk>`, not `<s>`). With k = 0 unseen words get probability 0 (log −∞).
 */
export function addKModel(adj: AdjustedCounts, vocab: Vocabulary, k: number, info: ModelInfo = {}): NgramModel {
  const N = adj.order;
  const V = vocab.size;
  const sizeV = V - 1;
  const suffixes = allSuffixRows(adj.orders.map((o) => o.keys));
  const contextsOf = allContextRows(adj.orders.map((o) => o.keys), suffixes);
  const probs: Float64Array[] = [];
  for (let n = 1; n <= N; n++) {
    const o = adj.orders[n - 1]!;
    const counts = o.raw;
    const rows = counts.length;
    const ctxOf = contextsOf[n - 1]!;
    const sum = contextSums(counts, ctxOf, n === 1 ? 1 : adj.orders[n - 2]!.raw.length);
    const p = new Float64Array(rows);
    for (let r = 0; r < rows; r++) p[r] = (counts[r]! + k) / (sum[ctxOf[r]!]! + k * sizeV);
    if (n === 1) p[BOS] = 1;
    probs.push(p);
  }
  const backoffs = backoffWeights(adj, probs, suffixes, contextsOf);
  return toModel(adj, vocab, probs, backoffs, info);
}

/**
 * Stupid back-off (Brants et al. 2007), for very large corpora: S(w | h) = c(h w) / c(h) when seen,
 * else α · S(w | h′) (α = 0.4), S(w) = c(w) / total; not normalized. An unseen word (`<unk>`)
 * scores as a word seen once. In ARPA form every stored lower-order n-gram has back-off log10 α.
 */
export function stupidBackoffModel(adj: AdjustedCounts, vocab: Vocabulary, alpha = 0.4, info: ModelInfo = {}): NgramModel {
  const N = adj.order;
  const contextsOf = allContextRows(adj.orders.map((o) => o.keys), allSuffixRows(adj.orders.map((o) => o.keys)));
  const probs: Float64Array[] = [];
  for (let n = 1; n <= N; n++) {
    const o = adj.orders[n - 1]!;
    const rows = o.raw.length;
    const ctxOf = contextsOf[n - 1]!;
    const sum = contextSums(o.raw, ctxOf, n === 1 ? 1 : adj.orders[n - 2]!.raw.length);
    const p = new Float64Array(rows);
    for (let r = 0; r < rows; r++) p[r] = o.raw[r]! / sum[ctxOf[r]!]!;
    if (n === 1) {
      if (o.raw[UNK] === 0) p[UNK] = 1 / sum[0]!;
      p[BOS] = 1;
    }
    probs.push(p);
  }
  const backoffs = adj.orders.map((o, i) => new Float64Array(o.raw.length).fill(i < N - 1 ? alpha : 1));
  return toModel(adj, vocab, probs, backoffs, info);
}

/** b(h) = (1 − Σ_{w seen after h} p(w | h)) / (1 − Σ_{w seen after h} p(w | h′)); 1 for non-contexts. */
function backoffWeights(adj: AdjustedCounts, probs: Float64Array[], suffixes: (Uint32Array | null)[], contextsOf: Uint32Array[]): Float64Array[] {
  const N = adj.order;
  const out = adj.orders.map((o) => new Float64Array(o.raw.length).fill(1));
  for (let n = 2; n <= N; n++) {
    const o = adj.orders[n - 1]!;
    const lower = adj.orders[n - 2]!;
    const rows = o.raw.length;
    const lowerRows = lower.raw.length;
    const ctxOf = contextsOf[n - 1]!;
    const suf = suffixes[n - 1]!;
    const p = probs[n - 1]!;
    const pl = probs[n - 2]!;
    const seen = new Float64Array(lowerRows);
    const seenLower = new Float64Array(lowerRows);
    const isContext = new Uint8Array(lowerRows);
    for (let r = 0; r < rows; r++) {
      const h = ctxOf[r]!;
      seen[h]! += p[r]!;
      seenLower[h]! += pl[suf[r]!]!;
      isContext[h] = 1;
    }
    const b = out[n - 2]!;
    for (let h = 0; h < lowerRows; h++) {
      if (isContext[h] === 0) continue;
      const left = 1 - seen[h]!;
      const leftLower = 1 - seenLower[h]!;
      b[h] = left <= 1e-12 || leftLower <= 1e-12 ? 0 : left / leftLower;
    }
  }
  return out;
}

function contextSums(counts: Uint32Array, ctxOf: Uint32Array, contexts: number): Float64Array {
  const sum = new Float64Array(contexts);
  for (let r = 0; r < counts.length; r++) sum[ctxOf[r]!]! += counts[r]!;
  return sum;
}

function toModel(adj: AdjustedCounts, vocab: Vocabulary, probs: Float64Array[], backoffs: Float64Array[], info: ModelInfo): NgramModel {
  const N = adj.order;
  const tables: NgramTable[] = adj.orders.map((o, i) => {
    const p = probs[i]!;
    const b = backoffs[i]!;
    const logProb = new Float32Array(p.length);
    const logBackoff = new Float32Array(p.length);
    for (let r = 0; r < p.length; r++) {
      logProb[r] = Math.min(0, Math.log10(p[r]!));
      if (i < N - 1) logBackoff[r] = Math.log10(b[r]!);
    }
    return { keys: o.keys, logProb, logBackoff };
  });
  return new NgramModel(vocab, tables, info);
}
