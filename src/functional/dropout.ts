import { Tensor } from '../tensor/tensor.js';
import { rand } from '../tensor/creation.js';
import type { Generator } from '../tensor/random.js';
import { div, lt, mul } from '../ops/elementwise.js';
import { NervaError } from '../errors.js';

/**
 * Zeroes each element with probability p and scales the rest by 1/(1 − p) (inverted dropout), so
 * evaluation needs no rescaling. Identity when not training or p = 0.
 */
export function dropout(x: Tensor, p = 0.5, training = true, generator?: Generator): Tensor {
  if (!(p >= 0 && p <= 1)) throw new NervaError(`dropout: probability must be in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  if (p === 1) return mul(x, 0);
  const keep = lt(rand(x.shape, { dtype: x.dtype === 'float64' ? 'float64' : 'float32', generator }), 1 - p);
  return div(mul(x, keep), 1 - p);
}
