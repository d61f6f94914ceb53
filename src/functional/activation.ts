import { Tensor } from '../tensor/tensor.js';
import { exp, sub } from '../ops/elementwise.js';
import { logSumExp } from './reduce.js';

/** softmax(x)_i = exp(x_i) / Σ_j exp(x_j) along `dim`, computed as exp(x − logΣexp x). */
export function softmax(x: Tensor, dim = -1): Tensor {
  return exp(logSoftmax(x, dim));
}

/** log softmax along `dim`: x − logΣexp(x), stable for large logits. */
export function logSoftmax(x: Tensor, dim = -1): Tensor {
  return sub(x, logSumExp(x, dim, true));
}
