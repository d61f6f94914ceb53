import type { Tensor } from '../tensor/tensor.js';
import { div, max, sum, unsqueeze, where } from '../ops/index.js';
import { tensor } from '../tensor/creation.js';
import { lengthMask } from '../seq/batching.js';
import { NervaError, ShapeError, formatShape } from '../errors.js';

/**
 * Pooling over time that respects padding: each sequence b contributes only its first lengths[b]
 * steps, so padding a batch further never changes the result. Composed from where / sum / max, so
 * no gradient code of its own (the max's gradient goes to the winning steps, shared among ties).
 *
 * Shape: x (B, T, H) batch first, lengths B integers in [1, T] → (B, H).
 */
function checked(op: string, x: Tensor, lengths: ArrayLike<number>): Tensor {
  if (x.ndim !== 3) throw new ShapeError(`${op}: input must be (B, T, H), got ${formatShape(x.shape)}`);
  const [B, T] = x.shape as [number, number, number];
  if (lengths.length !== B) throw new ShapeError(`${op}: got ${lengths.length} lengths for a batch of ${B}`);
  for (let b = 0; b < B; b++) {
    const n = lengths[b]!;
    if (!Number.isInteger(n) || n < 1 || n > T) throw new NervaError(`${op}: length ${n} of sequence ${b} is not in [1, ${T}] (an empty sequence has nothing to pool)`);
  }
  return unsqueeze(lengthMask(lengths, T), 2); // (B, T, 1)
}

/** Mean of each sequence's valid steps: Σ_{t<len} x[b,t] / len. */
export function maskedMean(x: Tensor, lengths: ArrayLike<number>): Tensor {
  const mask = checked('maskedMean', x, lengths);
  const n = tensor(Array.from(lengths, (v) => [v]), { dtype: x.dtype }); // (B, 1)
  return div(sum(where(mask, x, 0), 1), n); // (B, T, H) -> (B, H)
}

/** Largest value of each feature over each sequence's valid steps (padding reads as −∞). */
export function maskedMax(x: Tensor, lengths: ArrayLike<number>): Tensor {
  const mask = checked('maskedMax', x, lengths);
  return max(where(mask, x, -Infinity), 1); // (B, T, H) -> (B, H)
}
