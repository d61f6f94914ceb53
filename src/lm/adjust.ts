import type { NgramCounts } from './count.js';
import { BOS, UNK } from './vocab.js';

/** The n-grams of one order, in suffix order, with two counts each. */
export interface OrderCounts {
  order: number;
  /** `order` word ids per row */
  keys: Uint32Array;
  /**
   * Kneser-Ney adjusted counts: for the highest order and n-grams starting with `<s>` the raw
   * count; otherwise the number of distinct words seen to the left.
   */
  adjusted: Uint32Array;
  /** raw counts: how often the n-gram occurs in the corpus */
  raw: Uint32Array;
}

export interface AdjustedCounts {
  order: number;
  /** index k-1 holds the k-grams */
  orders: OrderCounts[];
  /**
   * Counts of counts per order, as lmplz collects them for the discounts: stats[k-1][c] is the
   * number of k-grams with adjusted count c (c = 1..4).
   */
  stats: number[][];
}

/**
 * Derives all lower orders and their Kneser-Ney adjusted counts from the highest-order counts:
 * a line-by-line port of KenLM's AdjustCounts (lm/builder/adjust_counts.cc), including its
 * stack walk over n-grams in suffix order, so that lmplz's set of n-grams and its counts of
 * counts come out the same.
 *
 * NOTE: lmplz adds the n-grams still open at the end of the walk (suffixes of the last n-gram in
 * suffix order) to the counts of counts with their raw count, not their adjusted count. The port
 * keeps that quirk: the discounts D1, D2, D3+ then equal lmplz's to the last digit.
 */
export function adjustCounts(counts: NgramCounts): AdjustedCounts {
  const N = counts.order;
  const V = counts.vocab.size;
  const full = counts.keys;
  const fullCounts = counts.counts;
  const M = fullCounts.length;
  const stats = Array.from({ length: N }, () => [0, 0, 0, 0, 0]);
  const addStat = (orderMinus1: number, c: number): void => {
    if (c < 5) stats[orderMinus1]![c]!++;
  };

  if (N === 1) {
    // Unigram model: raw counts of every vocabulary word (<unk> and <s> may be 0).
    const keys = new Uint32Array(V);
    const raw = new Uint32Array(V);
    for (let i = 0; i < V; i++) keys[i] = i;
    for (let i = 0; i < M; i++) raw[full[i]!] = fullCounts[i]!;
    for (let i = 0; i < V; i++) addStat(0, raw[i]!);
    return { order: 1, orders: [{ order: 1, keys, adjusted: raw.slice(), raw }], stats };
  }

  // Lower orders 1..N-1: every k-gram is a suffix of some full n-gram, so M (+ <unk>, <s>) bounds them.
  const cap = M + 2;
  const lowKeys = Array.from({ length: N - 1 }, (_, i) => new Uint32Array(cap * (i + 1)));
  const lowAdj = Array.from({ length: N - 1 }, () => new Uint32Array(cap));
  const lowRaw = Array.from({ length: N - 1 }, () => new Uint32Array(cap));
  // len[i]: finished entries of order i+1; the entry being built sits at index len[i].
  const len = new Int32Array(N - 1);
  const actual = new Float64Array(N - 1);

  const finishEntry = (i: number, statCount: number): void => {
    addStat(i, statCount);
    lowRaw[i]![len[i]!] = actual[i]!;
    len[i]!++;
  };
  const openUnigram = (id: number, count: number): void => {
    lowKeys[0]![len[0]!] = id;
    lowAdj[0]![len[0]!] = count;
    actual[0] = 0;
  };

  let lv = -1; // lower_valid: the highest order (minus one) with an entry being built
  let f = 0;
  let bosOpen = false;
  // <unk> and <s> head the unigrams with count 0. (<unk> has real counts only when a limited
  // vocabulary maps words to it; those n-grams sort first, before <s> is opened.)
  if (M === 0 || full[N - 1]! !== UNK) {
    openUnigram(UNK, 0);
    finishEntry(0, 0);
    openUnigram(BOS, 0);
    lv = 0;
    bosOpen = true;
  }

  for (; f < M; f++) {
    const base = f * N;
    const c = fullCounts[f]!;
    if (!bosOpen && full[base + N - 1]! !== UNK) {
      // Leaving the <unk>-final n-grams: close everything, then open <s> as KenLM does.
      for (; lv >= 0; lv--) finishEntry(lv, lowAdj[lv]![len[lv]!]!);
      openUnigram(BOS, 0);
      lv = 0;
      bosOpen = true;
    }
    // FindDifference: how many trailing words match the deepest open entry.
    let same = 0;
    if (lv >= 0) {
      const ek = lowKeys[lv]!;
      const eb = len[lv]! * (lv + 1);
      while (same <= lv && full[base + N - 1 - same] === ek[eb + lv - same]) same++;
    }
    // STEP 1: output the n-grams that changed.
    for (; lv >= same; lv--) finishEntry(lv, lowAdj[lv]![len[lv]!]!);
    // STEP 2: n-grams that still match get the raw count; the longest match gains one extension.
    for (let i = 0; i < same; i++) actual[i]! += c;
    if (same > 0) lowAdj[same - 1]![len[same - 1]!]!++;
    // STEP 3: open new n-grams, each with one extension, up to an <s>.
    let bos = N - 1 - same;
    for (; bos > 0 && full[base + bos] !== BOS; bos--) {
      lv++;
      copyWords(full, base + bos, lowKeys[lv]!, len[lv]! * (N - bos), N - bos);
      lowAdj[lv]![len[lv]!] = 1;
      actual[lv] = c;
    }
    if (bos !== 0) {
      // Anything that begins with <s> has its raw count.
      lv++;
      copyWords(full, base + bos, lowKeys[lv]!, len[lv]! * (N - bos), N - bos);
      lowAdj[lv]![len[lv]!] = c;
      actual[lv] = c;
    } else {
      addStat(N - 1, c);
    }
  }
  // The entries still open: lmplz counts them with their raw counts (see NOTE above).
  for (let s = 0; s <= lv; s++) finishEntry(s, actual[s]!);

  const orders: OrderCounts[] = [];
  for (let i = 0; i < N - 1; i++) {
    const n = len[i]!;
    orders.push({ order: i + 1, keys: lowKeys[i]!.slice(0, n * (i + 1)), adjusted: lowAdj[i]!.slice(0, n), raw: lowRaw[i]!.slice(0, n) });
  }
  // Highest order: drop the padding rows `<s> <s> …` (an <s> after the first word).
  let kept = 0;
  for (let f2 = 0; f2 < M; f2++) if (full[f2 * N + 1] !== BOS) kept++;
  const topKeys = new Uint32Array(kept * N);
  const topCounts = new Uint32Array(kept);
  let j = 0;
  for (let f2 = 0; f2 < M; f2++) {
    if (full[f2 * N + 1] === BOS) continue;
    copyWords(full, f2 * N, topKeys, j * N, N);
    topCounts[j++] = fullCounts[f2]!;
  }
  orders.push({ order: N, keys: topKeys, adjusted: topCounts, raw: topCounts });
  return { order: N, orders, stats };
}

/** dst[to .. to+n) = src[from .. from+n): a plain loop, cheaper than set(subarray()) for a few words. */
function copyWords(src: Uint32Array, from: number, dst: Uint32Array, to: number, n: number): void {
  for (let i = 0; i < n; i++) dst[to + i] = src[from + i]!;
}
