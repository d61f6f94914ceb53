import { Tensor } from '../tensor/tensor.js';
import { div, exp, log, sub } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { shiftByMax } from './reduce.js';

/** softmax(x)_i = exp(x_i − m) / Σ_j exp(x_j − m) along `dim`, m the (constant) row maximum. */
export function softmax(x: Tensor, dim = -1): Tensor {
  const e = exp(shiftByMax(x, dim));
  return div(e, sum(e, dim, true));
}

/** log softmax along `dim`: (x − m) − log Σ exp(x − m). Subtracting the max first keeps float32
 * exact for large logits (x − logΣexp x would cancel two large numbers). */
export function logSoftmax(x: Tensor, dim = -1): Tensor {
  const shifted = shiftByMax(x, dim);
  return sub(shifted, log(sum(exp(shifted), dim, true)));
}
