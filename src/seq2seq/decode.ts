import { Tensor } from '../tensor/tensor.js';
import { Generator } from '../tensor/random.js';
import { noGrad } from '../autograd/grad_mode.js';
import { indexSelect, reshape } from '../ops/index.js';
import { logSoftmax } from '../functional/activation.js';
import type { DecoderState, Memory, Seq2Seq } from '../models/seq2seq.js';
import { sampleFromLogits } from '../lm/neural/sample.js';
import { BOS, EOS, PAD, UNK } from '../seq/symbols.js';
import { checkOptions } from '../options.js';
import { NervaError } from '../errors.js';

/**
 * Decoding a batch of sources: greedy, sampled (temperature, top-k) or beam search. Every decode
 * ends: a hypothesis stops at </s> or at its input's maximum length (`maxLengths`, derived from the
 * source length by `maxTargetLength`), whichever comes first.
 */
export interface Hypothesis {
  /** target ids, without <s> and </s> */
  ids: number[];
  /** Σ log p of the chosen tokens (and of </s> when it ended with one) */
  logProb: number;
  /** the score hypotheses are ranked by: logProb / length^lengthPenalty (beam search), logProb otherwise */
  score: number;
  /** true when it stopped at the maximum length without </s> */
  truncated: boolean;
  /** attention weights, one row of S source positions per output step (when asked for) */
  attention?: Float32Array[];
}

export interface DecodeInput {
  /** (B, S) int32 source ids */
  src: Tensor;
  srcLengths: ArrayLike<number>;
  /** the longest output of each source, in tokens (without </s>) */
  maxLengths: ArrayLike<number>;
}

export interface SearchOptions {
  /** 'greedy' (default), 'sample' or 'beam' */
  method?: 'greedy' | 'sample' | 'beam';
  /** beam width (default 5) */
  beam?: number;
  /** hypotheses returned per input (default 1; at most the beam width) */
  nBest?: number;
  /** α in score = log p / length^α (default 1; 0 = raw log-probability) */
  lengthPenalty?: number;
  /** sampling: temperature (default 1) and top-k (default 0 = all) */
  temperature?: number;
  topK?: number;
  generator?: Generator;
  /** keep every step's attention weights */
  attention?: boolean;
}
const SEARCH_KEYS = ['method', 'beam', 'nBest', 'lengthPenalty', 'temperature', 'topK', 'generator', 'attention'];

/** The longest output allowed for a source of `srcLength` symbols: ratio·length + 5, at most `cap`. */
export function maxTargetLength(srcLength: number, ratio: number, cap = 512): number {
  return Math.min(cap, Math.ceil(ratio * srcLength) + 5);
}

/** Decodes every source of the batch; returns n-best lists (best first), one per source. */
export function decode(model: Seq2Seq, input: DecodeInput, options: SearchOptions = {}): Hypothesis[][] {
  checkOptions('decode', options, SEARCH_KEYS);
  const method = options.method ?? 'greedy';
  const B = input.src.shape[0]!;
  if (input.maxLengths.length !== B) throw new NervaError(`decode: ${input.maxLengths.length} maximum lengths for a batch of ${B}`);
  for (let b = 0; b < B; b++) if (!(Number.isInteger(input.maxLengths[b]) && input.maxLengths[b]! >= 1)) throw new NervaError(`decode: maximum length ${input.maxLengths[b]} of input ${b} must be an integer >= 1`);
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      if (method === 'beam') return beamSearch(model, input, options);
      if (method === 'greedy' || method === 'sample') return stepwise(model, input, method, options).map((h) => [h]);
      throw new NervaError(`decode: unknown method '${String(method)}' (expected greedy, sample or beam)`);
    });
  } finally {
    model.train(wasTraining);
  }
}

/** One decoder step for R rows: log-probabilities (R, V), the new state and the weights (R, S). */
function step(model: Seq2Seq, prev: Int32Array, state: DecoderState, memory: Memory): { logp: Float32Array | Float64Array; state: DecoderState; weights: Float32Array | Float64Array } {
  const r = model.decoder.run(new Tensor(prev, [prev.length, 1]), state, memory);
  const V = r.logits.shape[2]!;
  const logp = logSoftmax(reshape(r.logits, [prev.length, V]), 1).toTypedArray() as Float32Array;
  return { logp, state: r.state, weights: r.weights.toTypedArray() as Float32Array };
}

/** Never produced: padding, <s>, and <unk> (an output symbol the vocabulary cannot name). */
const BANNED = [PAD, BOS, UNK];

function stepwise(model: Seq2Seq, input: DecodeInput, method: 'greedy' | 'sample', o: SearchOptions): Hypothesis[] {
  const B = input.src.shape[0]!;
  const S = input.src.shape[1]!;
  const gen = o.generator ?? new Generator();
  const sampleOptions = { temperature: o.temperature ?? 1, topK: o.topK ?? 0 };
  const enc = model.encode(input.src, input.srcLengths);
  let state = enc.state;
  const hyps: Hypothesis[] = Array.from({ length: B }, () => ({ ids: [], logProb: 0, score: 0, truncated: false, attention: o.attention ? [] : undefined }));
  const done = new Uint8Array(B);
  let prev = new Int32Array(B).fill(BOS);
  const longest = Math.max(...Array.from(input.maxLengths));
  for (let t = 0; t <= longest && done.some((d) => d === 0); t++) {
    const r = step(model, prev, state, enc.memory);
    state = r.state;
    const V = r.logp.length / B;
    prev = new Int32Array(B).fill(EOS);
    for (let b = 0; b < B; b++) {
      if (done[b]) continue;
      const row = r.logp.subarray(b * V, (b + 1) * V);
      const h = hyps[b]!;
      // At the length limit only </s> may follow.
      const id = t >= input.maxLengths[b]! ? EOS : method === 'greedy' ? argmaxBanned(row) : sampleFromLogits(row, sampleOptions, gen, BANNED);
      h.attention?.push(Float32Array.from(r.weights.subarray(b * S, (b + 1) * S)));
      if (id === EOS) {
        done[b] = 1;
        if (t >= input.maxLengths[b]!) {
          h.truncated = true;
          h.attention?.pop();
        } else h.logProb += row[EOS]!;
      } else {
        h.ids.push(id);
        h.logProb += row[id]!;
        prev[b] = id;
      }
    }
  }
  for (const h of hyps) h.score = h.logProb;
  return hyps;
}

function argmaxBanned(row: ArrayLike<number>): number {
  let best = -1;
  for (let v = 0; v < row.length; v++) if (!BANNED.includes(v) && (best < 0 || row[v]! > row[best]!)) best = v;
  return best;
}

interface Beam {
  ids: number[];
  logProb: number;
  attention?: Float32Array[];
}

/**
 * Beam search for B sources at once: the live prefixes of every unfinished source go through the
 * decoder together, one row each (B rows at the first step, at most B·K after). Each source keeps its
 * K best live prefixes; a prefix that ends with </s> becomes a finished hypothesis, scored
 * logProb / length^α; a source is done when it has K finished hypotheses or reaches its maximum
 * length (live prefixes are then kept as truncated hypotheses), and its rows leave the batch.
 * Returns the nBest best finished hypotheses of each source.
 */
function beamSearch(model: Seq2Seq, input: DecodeInput, o: SearchOptions): Hypothesis[][] {
  const K = o.beam ?? 5;
  const nBest = o.nBest ?? 1;
  const alpha = o.lengthPenalty ?? 1;
  if (!Number.isInteger(K) || K < 1) throw new NervaError(`decode: beam width must be an integer >= 1, got ${K}`);
  if (!Number.isInteger(nBest) || nBest < 1 || nBest > K) throw new NervaError(`decode: nBest must be an integer in [1, beam = ${K}], got ${nBest}`);
  if (!(alpha >= 0)) throw new NervaError(`decode: lengthPenalty must be >= 0, got ${alpha}`);
  const B = input.src.shape[0]!;
  const S = input.src.shape[1]!;
  const enc = model.encode(input.src, input.srcLengths);
  const select = (s: DecoderState, rows: Tensor): DecoderState => (s.c === undefined ? { h: indexSelect(s.h, 1, rows) } : { h: indexSelect(s.h, 1, rows), c: indexSelect(s.c, 1, rows) });
  const norm = (logProb: number, length: number): number => logProb / Math.pow(Math.max(1, length), alpha);
  // The rows of this step: live beams of unfinished sources, in source order; `state` row i belongs to rows[i].
  let rows: { b: number; beam: Beam }[] = Array.from({ length: B }, (_, b) => ({ b, beam: { ids: [], logProb: 0, attention: o.attention ? [] : undefined } }));
  let state = enc.state;
  const finished: Hypothesis[][] = Array.from({ length: B }, () => []);
  let memory: Memory = enc.memory;
  let memoryRows = Int32Array.from({ length: B }, (_, b) => b);
  for (let t = 0; rows.length > 0; t++) {
    const R = rows.length;
    // Each row attends to its source's memory; gathered again only when the rows' sources change.
    const sources = Int32Array.from(rows, (r) => r.b);
    if (sources.length !== memoryRows.length || sources.some((b, i) => b !== memoryRows[i])) {
      const index = new Tensor(sources, [R]);
      memory = { outputs: indexSelect(enc.memory.outputs, 0, index), mask: indexSelect(enc.memory.mask, 0, index) };
      memoryRows = sources;
    }
    const prev = Int32Array.from(rows, (r) => (r.beam.ids.length === 0 ? BOS : r.beam.ids[r.beam.ids.length - 1]!));
    const r = step(model, prev, state, memory);
    const V = r.logp.length / R;
    const next: { b: number; beam: Beam }[] = [];
    const parents: number[] = [];
    for (let start = 0; start < R; ) {
      const b = rows[start]!.b;
      let end = start;
      while (end < R && rows[end]!.b === b) end++;
      const atLimit = t >= input.maxLengths[b]!;
      // Candidates: every live beam × every allowed token (only </s> at the length limit), best first.
      // At most 2K of them are ever used (each becomes one of ≤ K live beams or ≤ K finished ones).
      const cands = atLimit
        ? Array.from({ length: end - start }, (_, i) => ({ row: start + i, v: EOS, logProb: rows[start + i]!.beam.logProb }))
        : topCandidates(r.logp, V, start, end, (row) => rows[row]!.beam.logProb, 2 * K);
      let live = 0;
      for (const c of cands) {
        const parent = rows[c.row]!.beam;
        const attention = parent.attention && [...parent.attention, Float32Array.from(r.weights.subarray(c.row * S, (c.row + 1) * S))];
        if (c.v === EOS) {
          if (atLimit) attention?.pop();
          const length = parent.ids.length + (atLimit ? 0 : 1);
          finished[b]!.push({ ids: parent.ids, logProb: c.logProb, score: norm(c.logProb, length), truncated: atLimit, attention });
        } else if (live < K) {
          parents.push(c.row);
          next.push({ b, beam: { ids: [...parent.ids, c.v], logProb: c.logProb, attention } });
          live++;
        }
        // Past K live beams the rest are worse than all of them (at the limit, every beam finishes).
        if (!atLimit && (finished[b]!.length >= K || live >= K)) break;
      }
      if (finished[b]!.length >= K) {
        // done: its new live beams leave the batch
        while (next.length > 0 && next[next.length - 1]!.b === b) {
          next.pop();
          parents.pop();
        }
      }
      start = end;
    }
    rows = next;
    if (rows.length > 0) state = select(r.state, new Tensor(Int32Array.from(parents), [parents.length]));
  }
  return finished.map((f) => f.sort((x, y) => y.score - x.score).slice(0, nBest));
}

/**
 * The m best (row, token) extensions of rows [start, end): score = base(row) + logp[row·V + v],
 * banned tokens skipped, best first (ties: lower row, then lower token). A sorted list of m kept
 * while scanning, so no object is made per candidate.
 */
function topCandidates(logp: ArrayLike<number>, V: number, start: number, end: number, base: (row: number) => number, m: number): { row: number; v: number; logProb: number }[] {
  const score = new Float64Array(m).fill(-Infinity);
  const at = new Int32Array(m).fill(-1);
  let n = 0;
  for (let row = start; row < end; row++) {
    const b = base(row);
    for (let v = 0; v < V; v++) {
      if (v === PAD || v === BOS || v === UNK) continue;
      const x = b + logp[row * V + v]!;
      if (n === m && !(x > score[m - 1]!)) continue;
      let i = n < m ? n++ : m - 1;
      while (i > 0 && score[i - 1]! < x) {
        score[i] = score[i - 1]!;
        at[i] = at[i - 1]!;
        i--;
      }
      score[i] = x;
      at[i] = row * V + v;
    }
  }
  return Array.from({ length: n }, (_, i) => ({ row: Math.floor(at[i]! / V), v: at[i]! % V, logProb: score[i]! }));
}
