import { NervaError } from '../errors.js';
import { hashStep } from './hash.js';
import type { NgramModel } from './model.js';
import type { NgramIndex } from './ngram-index.js';
import { Tokenizer, type TokenizerOptions } from './tokenize.js';
import { BOS, EOS, UNK } from './vocab.js';

const f32 = Math.fround;

/**
 * Scores words left to right exactly as KenLM's `FullScore` does: find the longest stored n-gram
 * ending in the word (extending the context one word at a time, stopping at the first miss), take
 * its log10 probability, and add the back-off weights of the longer contexts in the state. Sums in
 * float32 like KenLM. The state keeps at most order−1 context words with their back-offs.
 */
export class Scorer {
  private readonly ctx: Uint32Array;
  private backoff: Float32Array;
  private nextBackoff: Float32Array;
  private length = 0;
  /** length of the n-gram matched by the last `score` call */
  ngramLength = 0;

  private readonly indexes: (NgramIndex | undefined)[];

  constructor(readonly model: NgramModel) {
    model.buildIndex();
    this.indexes = [undefined, undefined];
    for (let k = 2; k <= model.order; k++) this.indexes.push(model.index(k));
    const n = Math.max(1, model.order);
    this.ctx = new Uint32Array(n);
    this.backoff = new Float32Array(n);
    this.nextBackoff = new Float32Array(n);
  }

  /** Starts a sentence: the context is `<s>`. */
  beginSentence(): void {
    this.length = 0;
    if (this.model.order > 1) {
      this.ctx[0] = BOS;
      this.backoff[0] = this.model.tables[0]!.logBackoff[BOS]!;
      this.length = 1;
    }
  }

  /** Starts with an empty context (KenLM's null context). */
  beginEmpty(): void {
    this.length = 0;
  }

  /** log10 p(word | state), then the word joins the state. `id` must be a model id (`<unk>` for OOVs). */
  score(id: number): number {
    const model = this.model;
    const N = model.order;
    const tables = model.tables;
    const ctx = this.ctx;
    const out = this.nextBackoff;
    let prob = tables[0]!.logProb[id]!;
    out[0] = tables[0]!.logBackoff[id]!;
    let found = 1;
    let h = hashStep(0, id);
    const L = this.length;
    const indexes = this.indexes;
    for (let j = 0; j < L; j++) {
      h = hashStep(h, ctx[j]!);
      const index = indexes[j + 2]!;
      const at = index.findSlot(h, id, ctx);
      if (at < 0) break;
      prob = index.logProbAt(at);
      found = j + 2;
      out[j + 1] = index.logBackoffAt(at);
    }
    const backoff = this.backoff;
    for (let i = found - 1; i < L; i++) prob = f32(prob + backoff[i]!);
    this.ngramLength = found;
    // new state: this word, then the previous context
    const next = Math.min(found, N - 1);
    if (next > 0) {
      ctx.copyWithin(1, 0, N - 2);
      ctx[0] = id;
    }
    this.nextBackoff = backoff;
    this.backoff = out;
    this.length = next;
    return prob;
  }
}

export interface WordScore {
  word: string;
  /** the model's id (`<unk>`'s for unknown words) */
  id: number;
  oov: boolean;
  /** length of the n-gram used */
  length: number;
  logProb: number;
}

export interface SentenceScore {
  /** log10 probability of the sentence (words and `</s>`), summed in float32 as KenLM */
  logProb: number;
  oovs: number;
  /** log10 probability of the OOV words alone */
  oovLogProb: number;
  /** scored tokens: the words and `</s>` */
  tokens: number;
  /** per-word detail (empty when not asked for) */
  words: WordScore[];
}

/**
 * Scores one sentence `<s> w1 … wm </s>` (`<s>` is context only). `detail` adds one WordScore per
 * word; without it nothing is allocated per word (the fast path for perplexity).
 */
export function scoreSentence(model: NgramModel, words: readonly string[], scorer = new Scorer(model), detail = true): SentenceScore {
  scorer.beginSentence();
  const out: WordScore[] = [];
  let total = 0;
  let oovs = 0;
  let oovLogProb = 0;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    let id = model.vocab.get(word);
    const oov = id < 0;
    if (oov) {
      if (!model.hasUnk) throw new NervaError(`word '${word}' is not in the model's vocabulary and the model has no <unk> to stand for unknown words`);
      id = UNK;
    }
    const lp = scorer.score(id);
    total = f32(total + lp);
    if (oov) {
      oovs++;
      oovLogProb += lp;
    }
    if (detail) out.push({ word, id, oov, length: scorer.ngramLength, logProb: lp });
  }
  const lp = scorer.score(EOS);
  total = f32(total + lp);
  if (detail) out.push({ word: '</s>', id: EOS, oov: false, length: scorer.ngramLength, logProb: lp });
  return { logProb: total, oovs, oovLogProb, tokens: words.length + 1, words: out };
}

/** Corpus totals as KenLM's `query` reports them. */
export class CorpusScore {
  /** log10 probability summed over sentences */
  logProb = 0;
  /** log10 probability of the OOV words alone */
  oovLogProb = 0;
  /** scored tokens: each sentence's words (OOVs included) plus its `</s>` */
  tokens = 0;
  oovs = 0;
  sentences = 0;

  add(s: SentenceScore): void {
    this.logProb += s.logProb;
    this.oovLogProb += s.oovLogProb;
    this.tokens += s.tokens;
    this.oovs += s.oovs;
    this.sentences++;
  }

  /** 10^(−logProb / tokens) */
  get perplexity(): number {
    return Math.pow(10, -this.logProb / this.tokens);
  }

  /** the same without the OOVs and their probabilities */
  get perplexityExcludingOovs(): number {
    return Math.pow(10, -(this.logProb - this.oovLogProb) / (this.tokens - this.oovs));
  }
}

/** Scores sentences (already tokens). */
export function scoreSentences(model: NgramModel, sentences: Iterable<readonly string[]>): CorpusScore {
  const scorer = new Scorer(model);
  const total = new CorpusScore();
  for (const s of sentences) total.add(scoreSentence(model, s, scorer, false));
  return total;
}

/** The tokenizer a model was trained with, as far as its file says (else KenLM's whitespace). */
export function modelTokenizer(model: NgramModel): TokenizerOptions {
  const { level, lowercase, sentences } = model.info;
  return { level: level ?? 'whitespace', lowercase, sentences };
}
