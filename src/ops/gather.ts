import { Tensor, denseData } from '../tensor/tensor.js';
import { normalizeAxis, numel } from '../tensor/shape.js';
import { getBackend } from '../backend/index.js';
import { record } from '../autograd/tape.js';
import { newTensor } from './util.js';
import { contiguous, narrow } from './movement.js';
import { NervaError, ShapeError, formatShape } from '../errors.js';

function indexArray(op: string, index: Tensor, size: number, what: string): Int32Array {
  if (index.dtype !== 'int32') throw new NervaError(`${op}: index must be an int32 tensor, got dtype ${index.dtype}`);
  const data = denseData(index) as Int32Array;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < 0 || v >= size) throw new NervaError(`${op}: index ${v} is out of range for ${what} of size ${size}`);
  }
  return data;
}

/**
 * Rows of x picked by a 1-D index along `dim` (embedding lookup is indexSelect(weight, 0, ids)).
 * Shape: x (..., size, ...) → (..., index.length, ...).
 */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normalizeAxis('indexSelect', dim, x.ndim);
  if (index.ndim > 1) throw new ShapeError(`indexSelect: index must be 1-D, got shape ${formatShape(index.shape)}`);
  const size = x.shape[d]!;
  const idx = indexArray('indexSelect', index, size, `dimension ${d}`);
  const outer = numel(x.shape.slice(0, d));
  const inner = numel(x.shape.slice(d + 1));
  const shape = [...x.shape];
  shape[d] = idx.length;
  const out = newTensor(x.dtype, shape);
  getBackend().indexSelect(denseData(x), idx, out.data, outer, size, inner);
  // ∂/∂x: each picked row's gradient is added back where it came from (repeats accumulate).
  return record(out, 'indexSelect', [x], (g) => {
    const gx = newTensor(g.dtype, x.shape);
    getBackend().indexAdd(denseData(g), idx, gx.data, outer, size, inner);
    return [gx];
  });
}

/**
 * torch.gather: out[i][j][k] = x[i][index[i][j][k]][k] for dim = 1 (and likewise for other dims).
 * index has x's number of dimensions and sizes ≤ x's outside `dim`.
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normalizeAxis('gather', dim, x.ndim);
  if (index.ndim !== x.ndim) throw new ShapeError(`gather: index has ${index.ndim} dimensions, input has ${x.ndim} (shapes ${formatShape(index.shape)} and ${formatShape(x.shape)})`);
  let src = x;
  for (let k = 0; k < x.ndim; k++) {
    if (k === d) continue;
    if (index.shape[k]! > x.shape[k]!) throw new ShapeError(`gather: index shape ${formatShape(index.shape)} is larger than input shape ${formatShape(x.shape)} at dimension ${k}`);
    if (index.shape[k]! < x.shape[k]!) src = narrow(src, k, 0, index.shape[k]!);
  }
  src = contiguous(src);
  const size = x.shape[d]!;
  const idx = indexArray('gather', index, size, `dimension ${d}`);
  const outer = numel(index.shape.slice(0, d));
  const inner = numel(index.shape.slice(d + 1));
  const m = index.shape[d]!;
  const out = newTensor(x.dtype, index.shape);
  getBackend().gather(denseData(src), idx, out.data, outer, size, m, inner);
  const input = src;
  return record(out, 'gather', [input], (g) => {
    const gx = newTensor(g.dtype, input.shape);
    getBackend().scatterAdd(denseData(g), idx, gx.data, outer, size, m, inner);
    return [gx];
  });
}

/** One-hot encoding of int32 class indices: shape (...) → (..., numClasses), int32. */
export function oneHot(index: Tensor, numClasses: number): Tensor {
  if (!Number.isInteger(numClasses) || numClasses <= 0) throw new NervaError(`oneHot: numClasses must be a positive integer, got ${numClasses}`);
  const idx = indexArray('oneHot', index, numClasses, 'numClasses');
  const out = newTensor('int32', [...index.shape, numClasses]);
  for (let i = 0; i < idx.length; i++) out.data[i * numClasses + idx[i]!] = 1;
  return out;
}
