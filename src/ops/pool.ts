import { Tensor, denseData } from '../tensor/tensor.js';
import { isFloat } from '../tensor/dtype.js';
import type { FloatArray, Pool2dGeometry } from '../backend/backend.js';
import { getBackend } from '../backend/index.js';
import { record } from '../autograd/tape.js';
import { isGradEnabled } from '../autograd/grad_mode.js';
import { newTensor } from './util.js';
import { squeeze, unsqueeze } from './movement.js';
import { pair, type Pair } from './conv.js';
import { NervaError, ShapeError, formatShape } from '../errors.js';

export interface Pool2dOptions {
  /** defaults to the kernel size */
  stride?: Pair | null;
  padding?: Pair;
  /** use ⌈⌉ instead of ⌊⌋ for the output size (a last window may start inside the right padding) */
  ceilMode?: boolean;
}

export interface AvgPool2dOptions extends Pool2dOptions {
  /** whether zero padding counts in the divisor (PyTorch's default: true) */
  countIncludePad?: boolean;
}

/** PyTorch's pooling output size, including its ceil-mode rule that the last window must start
 * inside the input or left padding. */
export function poolOutputSize(size: number, k: number, stride: number, padding: number, ceilMode: boolean): number {
  const span = size + 2 * padding - k;
  let out = Math.floor((ceilMode ? span + stride - 1 : span) / stride) + 1;
  if (ceilMode && (out - 1) * stride >= size + padding) out--;
  return out;
}

function geometry(op: string, x: Tensor, kernelSize: Pair, options: Pool2dOptions): Pool2dGeometry {
  if (x.ndim !== 4) throw new ShapeError(`${op}: expected input of shape (N, C, H, W) or (C, H, W), got ${formatShape(x.shape)}`);
  if (!isFloat(x.dtype)) throw new NervaError(`${op}: expected a floating-point tensor, got ${x.dtype}`);
  const [kh, kw] = pair(op, 'kernelSize', kernelSize, 1);
  const [strideH, strideW] = pair(op, 'stride', options.stride ?? kernelSize, 1);
  const [padH, padW] = pair(op, 'padding', options.padding ?? 0, 0);
  if (padH > kh / 2 || padW > kw / 2) throw new NervaError(`${op}: padding ${padH}×${padW} must be at most half the kernel size ${kh}×${kw}`);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const oh = poolOutputSize(h, kh, strideH, padH, options.ceilMode ?? false);
  const ow = poolOutputSize(w, kw, strideW, padW, options.ceilMode ?? false);
  if (oh <= 0 || ow <= 0) {
    throw new ShapeError(`${op}: input ${formatShape(x.shape)} is too small for a ${kh}×${kw} window with padding ${padH}×${padW}: the output would be ${oh}×${ow}`);
  }
  return { n, c, h, w, kh, kw, oh, ow, strideH, strideW, padH, padW };
}

function batched(input: Tensor, fn: (x: Tensor) => Tensor): Tensor {
  if (input.ndim === 3) return squeeze(fn(unsqueeze(input, 0)), 0);
  return fn(input);
}

/**
 * Max pooling over kH×kW windows.
 * Shape: (N, C, H, W) → (N, C, H_out, W_out), H_out = ⌊(H + 2·padding − kH) / stride⌋ + 1
 * (⌈⌉ with ceilMode). The gradient goes to each window's maximum.
 */
export function maxPool2d(input: Tensor, kernelSize: Pair, options: Pool2dOptions = {}): Tensor {
  return batched(input, (x) => {
    const g = geometry('maxPool2d', x, kernelSize, options);
    const y = newTensor(x.dtype, [g.n, g.c, g.oh, g.ow]);
    // the winners are kept only for a backward
    const argmax = new Int32Array(isGradEnabled() && x.requiresGrad ? y.size : 0);
    getBackend().maxPool2d(denseData(x) as FloatArray, y.data as FloatArray, argmax, g);
    return record(y, 'maxPool2d', [x], (gy) => {
      const gx = newTensor(gy.dtype, x.shape);
      getBackend().maxPool2dBackward(denseData(gy) as FloatArray, argmax, gx.data as FloatArray, g);
      return [gx];
    });
  });
}

/** Average pooling; shape as maxPool2d. Each input cell gets the gradient share of every window it is in. */
export function avgPool2d(input: Tensor, kernelSize: Pair, options: AvgPool2dOptions = {}): Tensor {
  const countIncludePad = options.countIncludePad ?? true;
  return batched(input, (x) => {
    const g = geometry('avgPool2d', x, kernelSize, options);
    const y = newTensor(x.dtype, [g.n, g.c, g.oh, g.ow]);
    getBackend().avgPool2d(denseData(x) as FloatArray, y.data as FloatArray, g, countIncludePad);
    return record(y, 'avgPool2d', [x], (gy) => {
      const gx = newTensor(gy.dtype, x.shape);
      getBackend().avgPool2dBackward(denseData(gy) as FloatArray, gx.data as FloatArray, g, countIncludePad);
      return [gx];
    });
  });
}
