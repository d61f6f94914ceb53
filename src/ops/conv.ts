import { Tensor, denseData } from '../tensor/tensor.js';
import { isFloat } from '../tensor/dtype.js';
import type { Conv2dGeometry, FloatArray } from '../backend/backend.js';
import { getBackend } from '../backend/index.js';
import { record } from '../autograd/tape.js';
import { newTensor } from './util.js';
import { pad, reshape, squeeze, unsqueeze } from './movement.js';
import { sum } from './reduce.js';
import { NervaError, ShapeError, formatShape } from '../errors.js';

export type Pair = number | readonly [number, number];

export interface Conv2dOptions {
  stride?: Pair;
  /** zero padding per side, or 'valid' (none) / 'same' (output size = input size, stride 1) */
  padding?: Pair | 'same' | 'valid';
  dilation?: Pair;
  groups?: number;
}

export function pair(op: string, name: string, v: Pair, min: number): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  for (const x of p) {
    if (!Number.isInteger(x) || x < min) throw new NervaError(`${op}: ${name} must be ${min === 0 ? 'a non-negative' : 'a positive'} integer or pair of them, got ${JSON.stringify(v)}`);
  }
  return p;
}

/** The output size of one spatial axis: ⌊(size + 2·pad − dilation·(k−1) − 1) / stride⌋ + 1. */
export function convOutputSize(size: number, k: number, stride: number, padding: number, dilation: number): number {
  return Math.floor((size + 2 * padding - dilation * (k - 1) - 1) / stride) + 1;
}

/** The primitive: x (N, C, H, W) ⋆ weight (O, C/groups, kH, kW) with symmetric zero padding. */
function conv2dCore(x: Tensor, weight: Tensor, bias: Tensor | null, geo: Omit<Conv2dGeometry, 'oh' | 'ow'>): Tensor {
  const oh = convOutputSize(geo.h, geo.kh, geo.strideH, geo.padH, geo.dilationH);
  const ow = convOutputSize(geo.w, geo.kw, geo.strideW, geo.padW, geo.dilationW);
  if (oh <= 0 || ow <= 0) {
    throw new ShapeError(`conv2d: input ${formatShape(x.shape)} is too small for kernel ${geo.kh}×${geo.kw} (dilation ${geo.dilationH}×${geo.dilationW}, padding ${geo.padH}×${geo.padW}): the output would be ${oh}×${ow}`);
  }
  const g: Conv2dGeometry = { ...geo, oh, ow };
  const y = newTensor(x.dtype, [g.n, g.o, oh, ow]);
  getBackend().conv2d(denseData(x) as FloatArray, denseData(weight) as FloatArray, y.data as FloatArray, g,
    bias === null ? null : denseData(bias) as FloatArray);
  return record(y, 'conv2d', [x, weight, bias], (gy) => {
    const gyd = denseData(gy) as FloatArray;
    let gx: Tensor | null = null;
    let gw: Tensor | null = null;
    const be = getBackend();
    if (x.requiresGrad && weight.requiresGrad && be.conv2dBackward !== undefined) {
      gx = newTensor(x.dtype, x.shape);
      gw = newTensor(weight.dtype, weight.shape);
      be.conv2dBackward(denseData(x) as FloatArray, denseData(weight) as FloatArray, gyd, gx.data as FloatArray, gw.data as FloatArray, g);
    } else if (x.requiresGrad) {
      gx = newTensor(x.dtype, x.shape);
      be.conv2dBackwardInput(gyd, denseData(weight) as FloatArray, gx.data as FloatArray, g);
    }
    if (weight.requiresGrad && gw === null) {
      gw = newTensor(weight.dtype, weight.shape);
      be.conv2dBackwardWeight(denseData(x) as FloatArray, gyd, gw.data as FloatArray, g);
    }
    // ∂L/∂bias[o] = Σ over images and positions: first over the images (a leading-axis sum, SIMD in
    // wasm), then each channel's oh·ow positions of the one (o, oh·ow) map left
    const gb = bias !== null && bias.requiresGrad ? sum(reshape(sum(reshape(gy, [g.n, g.o * oh * ow]), 0), [g.o, oh * ow]), 1) : null;
    return [gx, gw, gb];
  });
}

/**
 * 2-D convolution (cross-correlation, as in every deep-learning library).
 * Shape: input (N, C_in, H, W) or (C_in, H, W) → output (N, C_out, H_out, W_out), with
 * H_out = ⌊(H + 2·padding − dilation·(kH − 1) − 1) / stride⌋ + 1 (likewise W_out).
 * weight (C_out, C_in/groups, kH, kW); bias (C_out) optional.
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  const unbatched = input.ndim === 3;
  const x = unbatched ? unsqueeze(input, 0) : input;
  if (x.ndim !== 4) throw new ShapeError(`conv2d: expected input of shape (N, C, H, W) or (C, H, W), got ${formatShape(input.shape)}`);
  if (weight.ndim !== 4) throw new ShapeError(`conv2d: expected weight of shape (C_out, C_in/groups, kH, kW), got ${formatShape(weight.shape)}`);
  if (!isFloat(x.dtype) || x.dtype !== weight.dtype) throw new NervaError(`conv2d: input and weight must have the same floating-point dtype, got ${x.dtype} and ${weight.dtype}`);
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new NervaError(`conv2d: groups must be a positive integer, got ${groups}`);
  const [n, c] = x.shape as [number, number, number, number];
  const [o, cg, kh, kw] = weight.shape as [number, number, number, number];
  if (c !== cg * groups) {
    throw new ShapeError(`conv2d: input has ${c} channels (shape ${formatShape(x.shape)}) but weight ${formatShape(weight.shape)} with groups=${groups} expects ${cg * groups}`);
  }
  if (o % groups !== 0) throw new ShapeError(`conv2d: ${o} output channels are not divisible by groups=${groups}`);
  const [strideH, strideW] = pair('conv2d', 'stride', options.stride ?? 1, 1);
  const [dilationH, dilationW] = pair('conv2d', 'dilation', options.dilation ?? 1, 1);
  let src = x;
  let padH = 0, padW = 0;
  const padding = options.padding ?? 0;
  if (padding === 'same') {
    if (strideH !== 1 || strideW !== 1) throw new NervaError(`conv2d: padding='same' needs stride 1, got stride ${strideH}×${strideW}`);
    // Total padding d·(k−1) per axis; an odd total puts the extra row/column at the bottom/right, as PyTorch.
    const totalH = dilationH * (kh - 1);
    const totalW = dilationW * (kw - 1);
    padH = Math.floor(totalH / 2);
    padW = Math.floor(totalW / 2);
    if (totalH % 2 === 1 || totalW % 2 === 1) {
      src = pad(x, [0, totalW % 2, 0, totalH % 2]);
    }
  } else if (padding !== 'valid') {
    [padH, padW] = pair('conv2d', 'padding', padding, 0);
  }
  const b = bias ?? null;
  if (b !== null) {
    if (b.ndim !== 1 || b.shape[0] !== o) throw new ShapeError(`conv2d: bias must have shape [${o}], got ${formatShape(b.shape)}`);
    if (b.dtype !== x.dtype) throw new NervaError(`conv2d: bias has dtype ${b.dtype}, the input has ${x.dtype}`);
  }
  // the bias is added by the kernel (one pass over the output, not a separate op)
  const y = conv2dCore(src, weight, b, {
    n, c, h: src.shape[2]!, w: src.shape[3]!, o, kh, kw,
    strideH, strideW, padH, padW, dilationH, dilationW, groups,
  });
  return unbatched ? squeeze(y, 0) : y;
}
