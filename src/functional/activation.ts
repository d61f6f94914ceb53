import { Tensor } from '../tensor/tensor.js';
import { exp, log, sub } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { shiftByMax } from './reduce.js';

export { softmax } from '../ops/softmax.js';

/** log softmax along `dim`: (x − m) − log Σ exp(x − m). Subtracting the max first keeps float32
 * exact for large logits (x − logΣexp x would cancel two large numbers). */
export function logSoftmax(x: Tensor, dim = -1): Tensor {
  const shifted = shiftByMax(x, dim);
  return sub(shifted, log(sum(exp(shifted), dim, true)));
}
