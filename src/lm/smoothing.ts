import { NervaError } from '../errors.js';
import { adjustCounts } from './adjust.js';
import { addKModel, stupidBackoffModel } from './backoff.js';
import type { NgramCounts } from './count.js';
import { countsOfCounts, modifiedKneserNeyDiscounts, singleDiscounts, type Discount } from './discount.js';
import { interpolatedModel } from './interpolate.js';
import type { ModelInfo, NgramModel } from './model.js';

export const SMOOTHINGS = ['mkn', 'kn', 'witten-bell', 'absolute', 'add-k', 'mle', 'stupid-backoff'] as const;
export type Smoothing = (typeof SMOOTHINGS)[number];

const ALIASES: Record<string, Smoothing> = {
  mkn: 'mkn', 'modified-kneser-ney': 'mkn', kenlm: 'mkn',
  kn: 'kn', 'kneser-ney': 'kn',
  wb: 'witten-bell', 'witten-bell': 'witten-bell',
  abs: 'absolute', absolute: 'absolute',
  addk: 'add-k', 'add-k': 'add-k', laplace: 'add-k', 'add-one': 'add-k',
  mle: 'mle', ml: 'mle',
  stupid: 'stupid-backoff', 'stupid-backoff': 'stupid-backoff',
};

export interface SmoothingOptions {
  /** default 'mkn' (interpolated modified Kneser-Ney, equal to KenLM's lmplz) */
  smoothing?: string;
  /** add-k: the k (default 1: Laplace) */
  k?: number;
  /** mkn: discounts [D1, D2, D3+] to use where the closed form fails (lmplz --discount_fallback) */
  discountFallback?: number[] | null;
  /** stupid back-off: the back-off factor (default 0.4) */
  alpha?: number;
  /** told when discountFallback replaces an order's closed-form discounts */
  onFallback?: (message: string) => void;
}

export function parseSmoothing(name: string): Smoothing {
  const s = ALIASES[name.toLowerCase()];
  if (s === undefined) throw new NervaError(`unknown smoothing '${name}' (expected one of ${SMOOTHINGS.join(', ')}; laplace = add-k with k 1)`);
  return s;
}

export interface Estimate {
  model: NgramModel;
  /** discounts per order where the method has them */
  discounts: Discount[] | null;
}

/** Turns counts into a model with the chosen smoothing. */
export function estimate(counts: NgramCounts, options: SmoothingOptions = {}, info: ModelInfo = {}): Estimate {
  const smoothing = parseSmoothing(options.smoothing ?? 'mkn');
  const adj = adjustCounts(counts);
  const vocab = counts.vocab;
  const meta: ModelInfo = { ...info, smoothing };
  switch (smoothing) {
    case 'mkn': {
      const discounts = modifiedKneserNeyDiscounts(adj.stats, options.discountFallback ?? null, options.onFallback);
      const rules = discounts.map((discount) => ({ discount }));
      return { model: interpolatedModel(adj, vocab, { counts: 'adjusted', rules, float32: true, info: meta }), discounts };
    }
    case 'kn': {
      const discounts = singleDiscounts(adj.stats);
      const rules = discounts.map((discount) => ({ discount }));
      return { model: interpolatedModel(adj, vocab, { counts: 'adjusted', rules, info: meta }), discounts };
    }
    case 'absolute': {
      const discounts = singleDiscounts(countsOfCounts(adj.orders.map((o) => o.raw)));
      const rules = discounts.map((discount) => ({ discount }));
      return { model: interpolatedModel(adj, vocab, { counts: 'raw', rules, info: meta }), discounts };
    }
    case 'witten-bell': {
      const rules = adj.orders.map(() => ({ discount: [0, 0, 0, 0] as Discount, wittenBell: true }));
      return { model: interpolatedModel(adj, vocab, { counts: 'raw', rules, info: meta }), discounts: null };
    }
    case 'add-k': {
      const k = options.k ?? 1;
      if (!(Number.isFinite(k) && k > 0)) throw new NervaError(`add-k smoothing needs k > 0, got ${k} (use --smoothing mle for k = 0)`);
      return { model: addKModel(adj, vocab, k, meta), discounts: null };
    }
    case 'mle':
      return { model: addKModel(adj, vocab, 0, meta), discounts: null };
    case 'stupid-backoff': {
      const alpha = options.alpha ?? 0.4;
      if (!(alpha > 0 && alpha <= 1)) throw new NervaError(`stupid back-off needs 0 < alpha <= 1, got ${alpha}`);
      return { model: stupidBackoffModel(adj, vocab, alpha, meta), discounts: null };
    }
  }
}
