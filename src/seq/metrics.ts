/**
 * Scores of generated sequences against references: edit distance (Levenshtein, unit costs),
 * exact match, error rates and corpus BLEU.
 */

/** Insertions + deletions + substitutions that turn `a` into `b`. */
export function editDistance<T>(a: readonly T[], b: readonly T[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

export interface SequenceScores {
  count: number;
  /** share of hypotheses equal to their reference */
  exactMatch: number;
  /** "word error rate" in the G2P sense: share of inputs whose output is not exactly the reference */
  wer: number;
  /** token error rate: Σ edit distance / Σ reference length (PER for phonemes, CER for characters) */
  ter: number;
  /** corpus BLEU-4 (0–1) with the brevity penalty, when asked for */
  bleu?: number;
}

/** Scores hypotheses against references (each a token list). */
export function scoreSequences(hyps: readonly (readonly string[])[], refs: readonly (readonly string[])[], options: { bleu?: boolean } = {}): SequenceScores {
  if (hyps.length !== refs.length) throw new Error(`scoreSequences: ${hyps.length} hypotheses for ${refs.length} references`);
  let exact = 0;
  let edits = 0;
  let refTokens = 0;
  for (let i = 0; i < hyps.length; i++) {
    const d = editDistance(hyps[i]!, refs[i]!);
    if (d === 0 && hyps[i]!.length === refs[i]!.length) exact++;
    edits += d;
    refTokens += refs[i]!.length;
  }
  const n = Math.max(1, hyps.length);
  const scores: SequenceScores = { count: hyps.length, exactMatch: exact / n, wer: 1 - exact / n, ter: edits / Math.max(1, refTokens) };
  if (options.bleu) scores.bleu = corpusBleu(hyps, refs);
  return scores;
}

/** Corpus BLEU-4 (Papineni et al. 2002): geometric mean of clipped 1–4-gram precisions × brevity penalty. */
export function corpusBleu(hyps: readonly (readonly string[])[], refs: readonly (readonly string[])[], maxOrder = 4): number {
  const matches = new Array<number>(maxOrder).fill(0);
  const totals = new Array<number>(maxOrder).fill(0);
  let hypLen = 0;
  let refLen = 0;
  for (let i = 0; i < hyps.length; i++) {
    const h = hyps[i]!;
    const r = refs[i]!;
    hypLen += h.length;
    refLen += r.length;
    for (let n = 1; n <= maxOrder; n++) {
      const refCounts = ngramCounts(r, n);
      for (const [g, c] of ngramCounts(h, n)) matches[n - 1]! += Math.min(c, refCounts.get(g) ?? 0);
      totals[n - 1]! += Math.max(0, h.length - n + 1);
    }
  }
  if (hypLen === 0) return 0;
  let logSum = 0;
  for (let n = 0; n < maxOrder; n++) {
    if (matches[n] === 0) return 0;
    logSum += Math.log(matches[n]! / totals[n]!);
  }
  const bp = hypLen >= refLen ? 1 : Math.exp(1 - refLen / hypLen);
  return bp * Math.exp(logSum / maxOrder);
}

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const g = tokens.slice(i, i + n).join('\u0001');
    m.set(g, (m.get(g) ?? 0) + 1);
  }
  return m;
}
