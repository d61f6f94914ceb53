import { NervaError } from '../errors.js';
import { hashStep } from './hash.js';
import type { NgramModel } from './model.js';
import { Random } from './random.js';
import { BOS, EOS, UNK } from './vocab.js';

/**
 * log10 p(w | context) for every word id w, as KenLM's FullScoreForgotState computes it:
 * `context` lists word ids oldest first (start with `<s>` for a sentence start; only the last
 * order−1 count). `<s>` gets −∞ (it is never predicted), and so does `<unk>` unless `allowUnk`.
 */
export function nextWordLogProbs(model: NgramModel, context: readonly number[], allowUnk = false): Float64Array {
  model.buildIndex();
  const N = model.order;
  const V = model.vocab.size;
  const tables = model.tables;
  // context most recent first, and the back-offs of its suffixes that are stored
  const m = Math.min(N - 1, context.length);
  const ctx = new Uint32Array(Math.max(1, m));
  for (let i = 0; i < m; i++) ctx[i] = context[context.length - 1 - i]!;
  const ctxBackoff: number[] = [];
  if (m > 0) {
    ctxBackoff.push(tables[0]!.logBackoff[ctx[0]!]!);
    let h = hashStep(0, ctx[0]!);
    for (let j = 1; j < m; j++) {
      h = hashStep(h, ctx[j]!);
      const r = model.findRow(j + 1, h, ctx[0]!, ctx.subarray(1));
      if (r < 0) break;
      ctxBackoff.push(tables[j]!.logBackoff[r]!);
    }
  }
  const L = ctxBackoff.length;
  const out = new Float64Array(V);
  for (let w = 0; w < V; w++) {
    let prob = tables[0]!.logProb[w]!;
    let found = 1;
    let h = hashStep(0, w);
    for (let j = 0; j < L; j++) {
      h = hashStep(h, ctx[j]!);
      const r = model.findRow(j + 2, h, w, ctx);
      if (r < 0) break;
      prob = tables[j + 1]!.logProb[r]!;
      found = j + 2;
    }
    for (let i = found - 1; i < L; i++) prob = Math.fround(prob + ctxBackoff[i]!);
    out[w] = prob;
  }
  out[BOS] = -Infinity;
  if (!allowUnk || !model.hasUnk) out[UNK] = -Infinity;
  return out;
}

/**
 * Draws an index from log10 scores: p ∝ 10^(score / temperature), keeping only the `topK` best
 * (0 = all). Temperature 0 returns the argmax (lowest index on ties).
 */
export function drawIndex(logProbs: Float64Array, rng: Random, temperature = 1, topK = 0): number {
  if (!(temperature >= 0)) throw new NervaError(`temperature must be >= 0, got ${temperature}`);
  if (!(Number.isInteger(topK) && topK >= 0)) throw new NervaError(`top-k must be an integer >= 0, got ${topK}`);
  let best = -1;
  for (let i = 0; i < logProbs.length; i++) if (logProbs[i]! > -Infinity && (best < 0 || logProbs[i]! > logProbs[best]!)) best = i;
  if (best < 0) throw new NervaError('no word can follow this context');
  if (temperature === 0 || topK === 1) return best;
  let candidates: number[] | null = null;
  if (topK > 0) {
    candidates = [];
    for (let i = 0; i < logProbs.length; i++) if (logProbs[i]! > -Infinity) candidates.push(i);
    candidates.sort((a, b) => logProbs[b]! - logProbs[a]! || a - b);
    candidates.length = Math.min(candidates.length, topK);
  }
  const max = logProbs[best]!;
  const scale = Math.LN10 / temperature;
  const n = candidates === null ? logProbs.length : candidates.length;
  const weights = new Float64Array(n);
  let total = 0;
  for (let j = 0; j < n; j++) {
    const i = candidates === null ? j : candidates[j]!;
    const lp = logProbs[i]!;
    const w = lp === -Infinity ? 0 : Math.exp((lp - max) * scale);
    weights[j] = w;
    total += w;
  }
  let u = rng.next() * total;
  for (let j = 0; j < n; j++) {
    u -= weights[j]!;
    if (u < 0 && weights[j]! > 0) return candidates === null ? j : candidates[j]!;
  }
  return best;
}

export interface GenerateOptions {
  /** words to continue (tokenized like the model's training text) */
  prompt?: readonly string[];
  /** stop after this many new words (default 50) */
  maxWords?: number;
  /** stop at `</s>` (default true); otherwise a new sentence starts after it */
  stopAtEos?: boolean;
  temperature?: number;
  topK?: number;
  seed?: number;
  /** let `<unk>` be generated (default false) */
  allowUnk?: boolean;
}

export interface Generated {
  /** the new words (without the prompt; `</s>` not included) */
  words: string[];
  /** log10 probability of the new words under the model (unscaled by temperature) */
  logProb: number;
  /** whether generation ended at `</s>` */
  ended: boolean;
}

function promptIds(model: NgramModel, prompt: readonly string[]): number[] {
  const ids = [BOS];
  for (const w of prompt) {
    const id = model.wordId(w);
    if (id < 0) throw new NervaError(`prompt word '${w}' is not in the model's vocabulary and the model has no <unk>`);
    ids.push(id);
  }
  return ids;
}

function checkMaxWords(n: number): number {
  if (!(Number.isInteger(n) && n >= 0)) throw new NervaError(`the number of words must be an integer >= 0, got ${n}`);
  return n;
}

/** Samples a continuation word by word (seeded; temperature and top-k as in drawIndex). */
export function sample(model: NgramModel, options: GenerateOptions = {}): Generated {
  const rng = new Random(options.seed ?? 0);
  const maxWords = checkMaxWords(options.maxWords ?? 50);
  const ctx = promptIds(model, options.prompt ?? []);
  const words: string[] = [];
  let logProb = 0;
  let ended = false;
  while (words.length < maxWords) {
    const lps = nextWordLogProbs(model, ctx.slice(-(model.order - 1 || 1)), options.allowUnk ?? false);
    const id = drawIndex(lps, rng, options.temperature ?? 1, options.topK ?? 0);
    logProb += lps[id]!;
    if (id === EOS) {
      if (options.stopAtEos ?? true) {
        ended = true;
        break;
      }
      ctx.push(EOS, BOS);
      continue;
    }
    words.push(model.vocab.word(id));
    ctx.push(id);
  }
  return { words, logProb, ended };
}

/** The most likely next word at each step (temperature 0). */
export function greedy(model: NgramModel, options: Omit<GenerateOptions, 'temperature' | 'topK' | 'seed'> = {}): Generated {
  return sample(model, { ...options, temperature: 0 });
}

interface Beam {
  ids: number[];
  logProb: number;
  ended: boolean;
}

/**
 * Beam search for the most likely continuation: keeps the `beamSize` best partial continuations
 * by total log10 probability; one that reaches `</s>` is finished. Returns the best finished
 * one, or the best unfinished after `maxWords` words.
 */
export function beamSearch(model: NgramModel, options: Omit<GenerateOptions, 'temperature' | 'topK' | 'seed'> & { beamSize?: number } = {}): Generated {
  const beamSize = options.beamSize ?? 5;
  if (!(Number.isInteger(beamSize) && beamSize >= 1)) throw new NervaError(`beam size must be an integer >= 1, got ${beamSize}`);
  const maxWords = checkMaxWords(options.maxWords ?? 50);
  const start = promptIds(model, options.prompt ?? []);
  let beams: Beam[] = [{ ids: [], logProb: 0, ended: false }];
  const finished: Beam[] = [];
  for (let step = 0; step < maxWords && beams.length > 0; step++) {
    const candidates: Beam[] = [];
    for (const b of beams) {
      const lps = nextWordLogProbs(model, [...start, ...b.ids].slice(-(model.order - 1 || 1)), options.allowUnk ?? false);
      for (const id of topIndices(lps, beamSize)) {
        candidates.push({ ids: [...b.ids, id], logProb: b.logProb + lps[id]!, ended: id === EOS });
      }
    }
    candidates.sort((a, b) => b.logProb - a.logProb);
    beams = [];
    for (const c of candidates.slice(0, beamSize)) (c.ended ? finished : beams).push(c);
    // stop once no live beam can beat the best finished one (log probabilities only decrease)
    const bestDone = finished.reduce((m, b) => Math.max(m, b.logProb), -Infinity);
    beams = beams.filter((b) => b.logProb > bestDone);
  }
  const pool = finished.length > 0 ? finished : beams;
  pool.sort((a, b) => b.logProb - a.logProb);
  const best = pool[0] ?? { ids: [], logProb: 0, ended: false };
  const ids = best.ended ? best.ids.slice(0, -1) : best.ids;
  return { words: ids.map((id) => model.vocab.word(id)), logProb: best.logProb, ended: best.ended };
}

function topIndices(lps: Float64Array, k: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < lps.length; i++) {
    if (lps[i] === -Infinity) continue;
    if (idx.length < k) {
      idx.push(i);
      idx.sort((a, b) => lps[b]! - lps[a]!);
    } else if (lps[i]! > lps[idx[k - 1]!]!) {
      idx[k - 1] = i;
      idx.sort((a, b) => lps[b]! - lps[a]!);
    }
  }
  return idx;
}
