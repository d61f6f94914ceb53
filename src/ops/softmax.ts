import { Tensor, denseData } from '../tensor/tensor.js';
import { isFloat } from '../tensor/dtype.js';
import { normalizeAxis } from '../tensor/shape.js';
import type { FloatArray } from '../backend/backend.js';
import { getBackend } from '../backend/index.js';
import { record } from '../autograd/tape.js';
import { newTensor } from './util.js';
import { toType } from './elementwise.js';

/**
 * softmax(x)_i = exp(x_i − m) / Σ_j exp(x_j − m) along `dim`, m the line's maximum (held constant;
 * 0 when it is ±∞). One primitive, forward and backward one kernel each, where the composed formula
 * took nine ops (max, the ±∞ guards, subtract, exp, sum, divide): sampling calls it once per token.
 * Integer inputs are read as float32.
 */
export function softmax(x: Tensor, dim = -1): Tensor {
  const xf = isFloat(x.dtype) ? x : toType(x, 'float32');
  const d = normalizeAxis('softmax', dim, Math.max(xf.ndim, 1));
  const size = xf.ndim === 0 ? 1 : xf.shape[d]!;
  let outer = 1, inner = 1;
  for (let i = 0; i < d; i++) outer *= xf.shape[i]!;
  for (let i = d + 1; i < xf.ndim; i++) inner *= xf.shape[i]!;
  const out = newTensor(xf.dtype, xf.shape);
  const y = out.data as FloatArray;
  if (out.size > 0) getBackend().softmax(denseData(xf) as FloatArray, y, outer, size, inner);
  // ∂L/∂x = y ⊙ (g − Σ_line g ⊙ y)
  return record(out, 'softmax', [xf], (g) => {
    const gx = newTensor(xf.dtype, xf.shape);
    if (gx.size > 0) getBackend().softmaxBackward(y, denseData(toType(g, xf.dtype)) as FloatArray, gx.data as FloatArray, outer, size, inner);
    return [gx];
  });
}
