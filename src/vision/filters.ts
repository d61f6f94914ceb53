import { Tensor, denseData } from '../tensor/tensor.js';
import { conv2d } from '../ops/conv.js';
import { maxPool2d, avgPool2d } from '../ops/pool.js';
import { minPool2d } from '../functional/pool.js';
import { pad, reshape } from '../ops/movement.js';
import { indexSelect } from '../ops/gather.js';
import { abs, sqrt, square } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import type { FilterSpec, OutputMapping } from './kernels.js';
import { NervaError, ShapeError, formatShape } from '../errors.js';

export * from './kernels.js';

// Classic image filters on the conv2d op the networks use (depthwise: each channel filtered on its
// own, groups = C), plus pooling and the mapping of results to displayable 0–255 values.

/**
 * How the border is filled so that the kernel can be centred on edge pixels:
 * - 'zero': zeros (what conv2d's padding does in a network)
 * - 'same' (alias 'replicate'): each missing pixel takes the value of the nearest edge pixel
 * - 'reflect': the image mirrored about its edge pixel (… c b | a b c …), as PyTorch's 'reflect'
 * - 'valid': no padding; the output shrinks by kernel − 1
 * - a number n: n zeros on every side
 * zero/same/reflect add ⌊(k−1)/2⌋ before and ⌈(k−1)/2⌉ after on each axis, so the output has
 * ⌈H/stride⌉ × ⌈W/stride⌉ pixels (at stride 1: the input's size, odd or even kernel).
 */
export type PaddingMode = 'zero' | 'same' | 'replicate' | 'reflect' | 'valid' | number;
export const PADDING_MODES = ['zero', 'same', 'replicate', 'reflect', 'valid'] as const;

export interface FilterOptions {
  /** step between output pixels, one number or [sH, sW]; default 1 */
  stride?: number | readonly [number, number];
  /** default 'zero' */
  padding?: PaddingMode;
}

export function parsePadding(text: string): PaddingMode {
  const t = text.trim().toLowerCase();
  if ((PADDING_MODES as readonly string[]).includes(t)) return t as PaddingMode;
  if (/^\d+$/.test(t)) return Number(t);
  throw new NervaError(`unknown padding '${text}'; expected ${PADDING_MODES.join(', ')} or a number of pixels`);
}

function strideOf(stride: FilterOptions['stride']): [number, number] {
  const s: [number, number] = typeof stride === 'number' || stride === undefined ? [stride ?? 1, stride ?? 1] : [stride[0], stride[1]];
  for (const v of s) {
    if (!Number.isInteger(v) || v < 1) throw new NervaError(`filter: stride must be a positive integer, got ${JSON.stringify(stride)}`);
  }
  return s;
}

/** Indices into an axis of `size` that pad it by `before`/`after` (edge replicate or mirror). */
function borderIndex(size: number, before: number, after: number, mode: 'replicate' | 'reflect'): Tensor {
  const idx = new Int32Array(before + size + after);
  for (let i = 0; i < idx.length; i++) {
    let j = i - before;
    if (mode === 'replicate') j = Math.min(Math.max(j, 0), size - 1);
    else if (j < 0) j = -j;
    else if (j >= size) j = 2 * (size - 1) - j;
    idx[i] = j;
  }
  return new Tensor(idx, [idx.length]);
}

/**
 * The input padded for a kh×kw kernel (N, C, H, W) → (N, C, H + kh − 1, W + kw − 1), or unchanged
 * for 'valid'. Built from pad (zeros) and indexSelect (replicate/reflect): differentiable views
 * and copies, no arithmetic.
 */
export function padForKernel(x: Tensor, kh: number, kw: number, padding: PaddingMode = 'zero'): Tensor {
  const [h, w] = [x.shape[2]!, x.shape[3]!];
  if (padding === 'valid') {
    if (h < kh || w < kw) throw new ShapeError(`filter: the image (${w}×${h} pixels) is smaller than the ${kw}×${kh} kernel, so 'valid' padding leaves no output; use --padding zero, same or reflect`);
    return x;
  }
  if (typeof padding === 'number') {
    if (!Number.isInteger(padding) || padding < 0) throw new NervaError(`filter: padding must be a non-negative integer or a mode, got ${padding}`);
    const out = pad(x, [padding, padding, padding, padding]);
    if (out.shape[2]! < kh || out.shape[3]! < kw) throw new ShapeError(`filter: the image (${w}×${h} pixels) with ${padding} pixels of padding is smaller than the ${kw}×${kh} kernel`);
    return out;
  }
  const top = Math.floor((kh - 1) / 2), bottom = kh - 1 - top;
  const left = Math.floor((kw - 1) / 2), right = kw - 1 - left;
  if (padding === 'zero') return pad(x, [left, right, top, bottom]);
  const mode = padding === 'reflect' ? 'reflect' : padding === 'same' || padding === 'replicate' ? 'replicate' : null;
  if (mode === null) throw new NervaError(`unknown padding '${String(padding)}'; expected ${PADDING_MODES.join(', ')} or a number of pixels`);
  if (mode === 'reflect' && (Math.max(top, bottom) >= h || Math.max(left, right) >= w)) {
    throw new ShapeError(`filter: reflect padding of a ${kw}×${kh} kernel needs an image of at least ${Math.max(left, right) + 1}×${Math.max(top, bottom) + 1} pixels, got ${w}×${h}`);
  }
  const rows = indexSelect(x, 2, borderIndex(h, top, bottom, mode));
  return indexSelect(rows, 3, borderIndex(w, left, right, mode));
}

/**
 * Filters every channel of x with the spec's kernel(s) through conv2d.
 * Shape: (N, C, H, W) → (N, C, H_out, W_out), H_out = ⌊(H_pad − kH) / stride⌋ + 1 with H_pad as
 * padForKernel makes it. A 'magnitude' spec gives √(gx² + gy²) of its two kernels. The result is
 * raw (not yet mapped to 0–255), and differentiable — except, as in PyTorch, where a magnitude is
 * exactly 0 (its gradient there is NaN).
 */
export function applyFilter(x: Tensor, spec: FilterSpec, options: FilterOptions = {}): Tensor {
  if (x.ndim !== 4) throw new ShapeError(`filter: expected an image tensor (N, C, H, W), got ${formatShape(x.shape)}`);
  const stride = strideOf(options.stride);
  const k = spec.kernels.length;
  const kh = spec.kernels[0]!.length;
  const kw = spec.kernels[0]![0]!.length;
  const [n, c] = [x.shape[0]!, x.shape[1]!];
  // weight (C·K, 1, kh, kw): channel ci gets kernels K·ci … K·ci + K − 1 (groups = C).
  const w = new (x.data.constructor as Float32ArrayConstructor)(c * k * kh * kw);
  for (let ci = 0; ci < c; ci++) {
    spec.kernels.forEach((m, ki) => {
      if (m.length !== kh || m.some((row) => row.length !== kw)) throw new ShapeError(`filter '${spec.name}': all kernels must be ${kh}×${kw}`);
      m.forEach((row, i) => row.forEach((v, j) => (w[((ci * k + ki) * kh + i) * kw + j] = v)));
    });
  }
  const weight = new Tensor(w, [c * k, 1, kh, kw]);
  const src = padForKernel(x, kh, kw, options.padding ?? 'zero');
  const y = conv2d(src, weight, null, { stride, groups: c }); // (N, C·K, H_out, W_out)
  if (spec.combine === 'single') return y;
  const [oh, ow] = [y.shape[2]!, y.shape[3]!];
  const parts = reshape(y, [n, c, k, oh, ow]); // (N, C, K, H_out, W_out)
  return sqrt(sum(square(parts), 2)); // √(gx² + gy²): (N, C, H_out, W_out)
}

export type PoolKind = 'max' | 'min' | 'avg';

export interface PoolOptions {
  /** window side; default 2 */
  size?: number;
  /** default: the window size */
  stride?: number;
}

/** Max, min or average pooling of each channel over size×size windows, no padding.
 * Shape: (N, C, H, W) → (N, C, ⌊(H − size)/stride⌋ + 1, ⌊(W − size)/stride⌋ + 1). */
export function poolImage(x: Tensor, kind: PoolKind, options: PoolOptions = {}): Tensor {
  const size = options.size ?? 2;
  const stride = options.stride ?? size;
  if (!Number.isInteger(size) || size < 1) throw new NervaError(`pool: size must be a positive integer, got ${size}`);
  if (!Number.isInteger(stride) || stride < 1) throw new NervaError(`pool: stride must be a positive integer, got ${stride}`);
  const [h, w] = [x.shape[2]!, x.shape[3]!];
  if (h < size || w < size) throw new ShapeError(`pool: the image (${w}×${h} pixels) is smaller than the ${size}×${size} pooling window`);
  switch (kind) {
    case 'max': return maxPool2d(x, size, { stride });
    case 'min': return minPool2d(x, size, { stride });
    case 'avg': return avgPool2d(x, size, { stride });
    default: throw new NervaError(`unknown pooling '${String(kind)}'; expected max, min or avg`);
  }
}

/**
 * Raw values → [0, 1] for display (tensorToImage then multiplies by 255 and rounds):
 * 'clip' keeps v clipped to [0, 1]; 'abs' gives |v| / max|v|; 'rescale' (v − min)/(max − min).
 * max and min are taken over the whole tensor (all channels), so colours keep their balance.
 * A constant map (max = 0, or max = min) becomes all 0.
 */
export function mapForDisplay(y: Tensor, mapping: OutputMapping): Tensor {
  const src = denseData(y);
  const out = new Float32Array(src.length);
  if (mapping === 'clip') {
    for (let i = 0; i < src.length; i++) out[i] = Math.min(Math.max(src[i]!, 0), 1);
  } else if (mapping === 'abs') {
    let max = 0;
    for (let i = 0; i < src.length; i++) max = Math.max(max, Math.abs(src[i]!));
    for (let i = 0; i < src.length; i++) out[i] = max > 0 ? Math.abs(src[i]!) / max : 0;
  } else if (mapping === 'rescale') {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < src.length; i++) { lo = Math.min(lo, src[i]!); hi = Math.max(hi, src[i]!); }
    for (let i = 0; i < src.length; i++) out[i] = hi > lo ? (src[i]! - lo) / (hi - lo) : 0;
  } else {
    throw new NervaError(`unknown output mapping '${String(mapping)}'; expected clip, abs or rescale`);
  }
  return new Tensor(out, y.shape);
}

export interface PipelineOptions extends FilterOptions {
  /** the filter; omit for pooling alone */
  filter?: FilterSpec;
  pool?: { kind: PoolKind } & PoolOptions;
  /** override the filter's own mapping (default: the spec's, or 'clip' without a filter) */
  mapping?: OutputMapping;
}

/**
 * filter → (|·| for the 'abs' mapping) → pool → map to [0, 1]. Pooling sees the values the
 * picture will show (max pooling of an edge map keeps the strongest edge, whatever its sign).
 */
export function filterPipeline(x: Tensor, options: PipelineOptions): Tensor {
  const mapping = options.mapping ?? options.filter?.mapping ?? 'clip';
  let y = options.filter ? applyFilter(x, options.filter, options) : x;
  if (mapping === 'abs') y = abs(y);
  if (options.pool) y = poolImage(y, options.pool.kind, options.pool);
  return mapForDisplay(y, mapping);
}
