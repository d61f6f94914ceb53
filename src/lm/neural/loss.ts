import { Tensor, denseData } from '../../tensor/tensor.js';
import { allocate } from '../../tensor/dtype.js';
import type { FloatArray } from '../../backend/backend.js';
import { record } from '../../autograd/tape.js';
import { getBackend } from '../../backend/index.js';
import { NervaError, ShapeError, formatShape } from '../../errors.js';

/**
 * Cross-entropy of logits against class ids, fused: the backend's softmaxCrossEntropy kernel
 * computes, per row, log Σ exp, the loss and (kept for backward) the softmax. Equal to functional
 * crossEntropy(logits, targets, { reduction }) (tested against it), but a language model's (T·B, V) logits are the biggest
 * tensor of a step, and the composed version walks them a dozen times with a new array each time.
 *
 * Shape: logits (N, V) float, targets (N) int32 → scalar ('mean' or 'sum').
 * Backward: ∂L/∂logits[n] = (softmax(logits[n]) − onehot(targets[n]))·g (÷ N for 'mean').
 */
export function softmaxCrossEntropy(logits: Tensor, targets: Tensor, reduction: 'mean' | 'sum' = 'mean'): Tensor {
  if (logits.ndim !== 2) throw new ShapeError(`softmaxCrossEntropy: logits must be (N, V), got ${formatShape(logits.shape)}`);
  const [N, V] = logits.shape as [number, number];
  if (targets.dtype !== 'int32' || targets.size !== N) throw new ShapeError(`softmaxCrossEntropy: targets must be ${N} int32 ids, got ${targets.dtype} ${formatShape(targets.shape)}`);
  const x = denseData(logits) as FloatArray;
  const t = denseData(targets) as Int32Array;
  for (let n = 0; n < N; n++) {
    const id = t[n]!;
    if (id < 0 || id >= V) throw new NervaError(`softmaxCrossEntropy: target ${id} is out of range for ${V} classes`);
  }
  const rowLoss = allocate(logits.dtype, N) as FloatArray;
  const probs = allocate(logits.dtype, N * V) as FloatArray;
  getBackend().softmaxCrossEntropy(x, t, rowLoss, probs, N, V);
  let total = 0;
  for (let n = 0; n < N; n++) total += rowLoss[n]!;
  const scale = reduction === 'mean' ? 1 / Math.max(N, 1) : 1;
  const out = new Tensor(allocate(logits.dtype, 1), []);
  out.data[0] = total * scale;
  return record(out, 'softmaxCrossEntropy', [logits], (g) => {
    const gLoss = (allocate(logits.dtype, N) as FloatArray).fill(g.item() * scale);
    const d = allocate(logits.dtype, N * V) as FloatArray;
    getBackend().softmaxCrossEntropyBackward(probs, t, gLoss, d, N, V);
    return [new Tensor(d, [N, V])];
  });
}
