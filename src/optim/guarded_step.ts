import type { Tensor } from '../tensor/tensor.js';
import type { Optimizer } from './optimizer.js';
import { clipGradNorm } from './clip.js';

/**
 * One update from a loss: backward, clip the gradient norm to `clip` (0 = no clipping), step.
 * A non-finite loss or gradient norm stops before the update, so the weights stay as they were
 * (and can be saved): `diverged(what)` makes the error, with the caller's advice in it.
 */
export function guardedStep(loss: Tensor, params: Tensor[], optimizer: Optimizer, clip: number, diverged: (what: string) => Error): { loss: number; gradNorm: number } {
  const value = loss.item();
  optimizer.zeroGrad();
  if (!Number.isFinite(value)) throw diverged(`the loss became ${value}`);
  loss.backward();
  const gradNorm = clipGradNorm(params, clip > 0 ? clip : Infinity);
  if (!Number.isFinite(gradNorm)) {
    optimizer.zeroGrad();
    throw diverged(`the gradient norm became ${gradNorm}`);
  }
  optimizer.step();
  return { loss: value, gradNorm };
}
