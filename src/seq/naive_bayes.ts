import { trainSentences } from '../lm/train.js';
import { Scorer, scoreSentence } from '../lm/score.js';
import type { NgramModel } from '../lm/model.js';
import { checkOptions } from '../options.js';
import { NervaError } from '../errors.js';

export interface NaiveBayesOptions {
  /** n-gram order of each class's language model (default 4; 1 = multinomial bag of words) */
  order?: number;
  /** n-gram smoothing (default 'witten-bell'; see src/lm/smoothing.ts) */
  smoothing?: string;
  /** symbols seen fewer times in a class become that class's `<unk>` (default 1: keep all) */
  minCount?: number;
}

const ACCEPTED = ['order', 'smoothing', 'minCount'];

/**
 * A classifier with no network, built from the n-gram code: one language model per class over the
 * class's training sequences, and Bayes' rule
 *   argmax_c  log p(c) + log p(s₁ … sₙ </s> | LM_c),
 * where p(c) is the class's share of the training examples. With order 1 this is multinomial naive
 * Bayes on a bag of symbols; with order n each symbol depends on the n−1 before it (a "character
 * n-gram naive Bayes", Peng et al. 2003).
 *
 * NOTE: each class model has its own vocabulary, and a symbol it never saw scores as its `<unk>`.
 * Left alone, that favours small classes: their `<unk>` stands for many more of the training
 * symbols, so it is likelier. The score therefore divides a class's `<unk>` probability evenly
 * among the symbols it stands for — the training symbols of other classes that this class never
 * saw, plus one share for symbols seen nowhere — so every class spreads its mass over the same
 * vocabulary (the union of the class vocabularies). On 80-word State of the Union passages this
 * took bag-of-words accuracy by century from 4% (the smallest class won) to the figure in
 * docs/sequence-shapes.md.
 */
export class NaiveBayes {
  private readonly scorers: Scorer[];
  /** per class: log(number of symbols its `<unk>` stands for) */
  private readonly logUnkShare: Float64Array;

  /** From per-class models and log priors (what `train` makes, or models read back from ARPA files). */
  constructor(readonly models: NgramModel[], readonly logPrior: Float64Array) {
    if (models.length === 0 || models.length !== logPrior.length) throw new NervaError(`NaiveBayes: ${models.length} class models for ${logPrior.length} priors`);
    this.scorers = models.map((m) => new Scorer(m));
    const all = new Set<string>();
    const own = models.map((m) => new Set(m.vocab.words.filter((w) => w !== '<unk>' && w !== '<s>' && w !== '</s>')));
    for (const v of own) for (const w of v) all.add(w);
    this.logUnkShare = Float64Array.from(own, (v) => Math.log(all.size - v.size + 1));
  }

  /** `examples[i]` has symbols and a class id in [0, numClasses); every class needs an example. */
  static train(examples: readonly { symbols: readonly string[]; label: number }[], numClasses: number, options: NaiveBayesOptions = {}): NaiveBayes {
    checkOptions('NaiveBayes', options, ACCEPTED);
    const o: Required<NaiveBayesOptions> = { order: options.order ?? 4, smoothing: options.smoothing ?? 'witten-bell', minCount: options.minCount ?? 1 };
    const byClass: (readonly string[])[][] = Array.from({ length: numClasses }, () => []);
    for (const e of examples) {
      if (!(Number.isInteger(e.label) && e.label >= 0 && e.label < numClasses)) throw new NervaError(`NaiveBayes: label ${e.label} is not in [0, ${numClasses})`);
      byClass[e.label]!.push(e.symbols);
    }
    const models = byClass.map((sents, c) => {
      if (sents.length === 0) throw new NervaError(`NaiveBayes: class ${c} has no training example`);
      // MKN's closed-form discounts fail on small classes; fall back to lmplz's defaults then.
      return trainSentences(sents, { order: o.order, smoothing: o.smoothing, minCount: o.minCount, discountFallback: [0.5, 1, 1.5] }).model;
    });
    const logPrior = Float64Array.from(byClass, (s) => Math.log(s.length / examples.length));
    return new NaiveBayes(models, logPrior);
  }

  get numClasses(): number {
    return this.models.length;
  }

  /** log p(c) + log p(symbols | c) per class, in nats. */
  logScores(symbols: readonly string[]): Float64Array {
    return Float64Array.from(this.models, (m, c) => {
      const s = scoreSentence(m, symbols, this.scorers[c], false);
      return this.logPrior[c]! + s.logProb * Math.LN10 - s.oovs * this.logUnkShare[c]!;
    });
  }

  /** Posterior probabilities p(c | symbols) (softmax of the log scores). */
  probabilities(symbols: readonly string[]): Float64Array {
    const s = this.logScores(symbols);
    const top = Math.max(...s);
    let z = 0;
    for (let c = 0; c < s.length; c++) z += (s[c] = Math.exp(s[c]! - top));
    for (let c = 0; c < s.length; c++) s[c]! /= z;
    return s;
  }

  predict(symbols: readonly string[]): number {
    const s = this.logScores(symbols);
    let best = 0;
    for (let c = 1; c < s.length; c++) if (s[c]! > s[best]!) best = c;
    return best;
  }
}

/**
 * The tagging baseline with no network: each token gets the label it had most often in training
 * (ties: the smaller label id), and a token never seen gets the most frequent label overall.
 */
export class MostFrequentTag {
  constructor(readonly byToken: Map<string, number>, readonly fallback: number) {}

  static train(sequences: readonly { tokens: readonly string[]; labels: ArrayLike<number> }[], numLabels: number): MostFrequentTag {
    const counts = new Map<string, Int32Array>();
    const total = new Int32Array(numLabels);
    for (const s of sequences) {
      s.tokens.forEach((t, i) => {
        const l = s.labels[i]!;
        let c = counts.get(t);
        if (c === undefined) counts.set(t, (c = new Int32Array(numLabels)));
        c[l]!++;
        total[l]!++;
      });
    }
    const argmax = (c: Int32Array): number => c.reduce((best, v, i) => (v > c[best]! ? i : best), 0);
    return new MostFrequentTag(new Map([...counts].map(([t, c]) => [t, argmax(c)])), argmax(total));
  }

  predict(tokens: readonly string[]): number[] {
    return tokens.map((t) => this.byToken.get(t) ?? this.fallback);
  }
}
