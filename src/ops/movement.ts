import { Tensor, denseData } from '../tensor/tensor.js';
import { normalizeAxis, numel, sameShape, type Shape } from '../tensor/shape.js';
import { getBackend } from '../backend/index.js';
import { record } from '../autograd/tape.js';
import { newTensor, stridedView } from './util.js';
import { sumToShape } from './reduce.js';
import { NervaError, ShapeError, formatShape } from '../errors.js';

// Movement primitives: views share storage (reshape of a dense tensor, permute, expand, slice);
// pad and cat copy. Each backward is the inverse movement.

/** A dense copy of x, or x itself when it already is dense (keeps history). */
export function contiguous(x: Tensor): Tensor {
  if (x.isContiguous()) return x;
  const out = newTensor(x.dtype, x.shape);
  getBackend().copyStrided(stridedView(x, x.shape), out.data, x.shape);
  return record(out, 'contiguous', [x], (g) => [g]);
}

function resolveShape(op: string, x: Tensor, shape: Shape): number[] {
  const out = [...shape];
  const free = out.indexOf(-1);
  if (out.indexOf(-1, free + 1) !== -1) throw new ShapeError(`${op}: only one dimension can be -1, got ${formatShape(shape)}`);
  for (const d of out) {
    if (d !== -1 && (!Number.isInteger(d) || d < 0)) throw new ShapeError(`${op}: invalid size ${d} in ${formatShape(shape)}`);
  }
  if (free !== -1) {
    const known = numel(out.filter((_, i) => i !== free));
    if (known === 0 || x.size % known !== 0) {
      throw new ShapeError(`${op}: shape ${formatShape(shape)} is invalid for input of size ${x.size} (shape ${formatShape(x.shape)})`);
    }
    out[free] = x.size / known;
  }
  if (numel(out) !== x.size) {
    throw new ShapeError(`${op}: shape ${formatShape(shape)} is invalid for input of size ${x.size} (shape ${formatShape(x.shape)})`);
  }
  return out;
}

/** Same elements, new shape (one size may be -1). A view when x is dense, else a copy. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const target = resolveShape('reshape', x, shape);
  if (sameShape(target, x.shape)) return x;
  const src = contiguous(x);
  const out = new Tensor(src.data, target, undefined, src.offset);
  return record(out, 'reshape', [src], (g) => [reshape(g, src.shape)]);
}

/** Like reshape, but refuses to copy (PyTorch's view). */
export function view(x: Tensor, shape: Shape): Tensor {
  if (!x.isContiguous()) {
    throw new NervaError(`view: the tensor of shape ${formatShape(x.shape)} is not contiguous; use reshape() (which copies) or contiguous() first`);
  }
  return reshape(x, shape);
}

/** Reorders dimensions (a view). */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim) throw new ShapeError(`permute: got ${dims.length} dimensions [${dims.join(', ')}] for a tensor of shape ${formatShape(x.shape)}`);
  const axes = dims.map((d) => normalizeAxis('permute', d, x.ndim));
  if (new Set(axes).size !== axes.length) throw new ShapeError(`permute: repeated dimension in [${dims.join(', ')}]`);
  const out = new Tensor(x.data, axes.map((a) => x.shape[a]!), axes.map((a) => x.strides[a]!), x.offset);
  const inverse = new Array<number>(axes.length);
  axes.forEach((a, i) => (inverse[a] = i));
  return record(out, 'permute', [x], (g) => [permute(g, inverse)]);
}

export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  if (x.ndim < 2 && arguments.length < 2) return x;
  const a = normalizeAxis('transpose', dim0, x.ndim);
  const b = normalizeAxis('transpose', dim1, x.ndim);
  const dims = x.shape.map((_, i) => i);
  dims[a] = b;
  dims[b] = a;
  return permute(x, dims);
}

/** Broadcasts size-1 dimensions (and new leading ones) to `shape` without copying; -1 keeps a size. */
export function expand(x: Tensor, shape: Shape): Tensor {
  if (shape.length < x.ndim) throw new ShapeError(`expand: cannot expand ${formatShape(x.shape)} to fewer dimensions ${formatShape(shape)}`);
  const lead = shape.length - x.ndim;
  const target = shape.map((d, i) => (d === -1 && i >= lead ? x.shape[i - lead]! : d));
  if (sameShape(target, x.shape)) return x;
  const strides = target.map((d, i) => {
    if (i < lead) return 0;
    const s = x.shape[i - lead]!;
    if (s === d) return x.strides[i - lead]!;
    if (s === 1) return 0;
    throw new ShapeError(`expand: cannot expand ${formatShape(x.shape)} to ${formatShape(shape)} (dimension ${i}: ${s} vs ${d})`);
  });
  const out = new Tensor(x.data, target, strides, x.offset);
  return record(out, 'expand', [x], (g) => [sumToShape(g, x.shape)]);
}

export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  const dims = dim === undefined ? x.shape.map((_, i) => i) : (typeof dim === 'number' ? [dim] : dim).map((d) => normalizeAxis('squeeze', d, x.ndim));
  return reshape(x, x.shape.filter((s, i) => !(s === 1 && dims.includes(i))));
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeAxis('unsqueeze', dim, x.ndim + 1);
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  return reshape(x, shape);
}

/** Merges dimensions startDim..endDim into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeAxis('flatten', startDim, x.ndim);
  const e = normalizeAxis('flatten', endDim, x.ndim);
  if (s > e) throw new NervaError(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  return reshape(x, [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

/**
 * Elements start, start+step, … < end along `dim` (a view; negative start/end count from the end,
 * and are clamped to the size like Python slices).
 */
export function slice(x: Tensor, dim: number, start = 0, end?: number, step = 1): Tensor {
  const d = normalizeAxis('slice', dim, x.ndim);
  const size = x.shape[d]!;
  if (!Number.isInteger(step) || step <= 0) throw new NervaError(`slice: step must be a positive integer, got ${step}`);
  const clampIndex = (i: number) => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
  const s = clampIndex(start);
  const e = Math.max(clampIndex(end ?? size), s);
  const len = Math.ceil((e - s) / step);
  const shape = [...x.shape];
  shape[d] = len;
  const strides = [...x.strides];
  strides[d] = x.strides[d]! * step;
  const out = new Tensor(x.data, shape, strides, x.offset + s * x.strides[d]!);
  return record(out, 'slice', [x], (g) => {
    // Write g into the slice's place inside a zero gradient of x's shape.
    const gx = newTensor(g.dtype, x.shape);
    const target = { data: gx.data, offset: s * gx.strides[d]!, strides: gx.strides.map((st, i) => (i === d ? st * step : st)) };
    getBackend().scatterStrided(denseData(g), target, g.shape);
    return [gx];
  });
}

/** `length` elements of `dim` from `start` (torch.narrow; start must be in range). */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normalizeAxis('narrow', dim, x.ndim);
  const size = x.shape[d]!;
  const s = start < 0 ? start + size : start;
  if (!Number.isInteger(s) || s < 0 || !Number.isInteger(length) || length < 0 || s + length > size) {
    throw new NervaError(`narrow: start ${start} with length ${length} is out of range for dimension ${d} of size ${size}`);
  }
  return slice(x, d, s, s + length);
}

/** Constant padding, PyTorch order: [left, right] for the last dim, then [top, bottom] for the one
 * before, and so on. Negative amounts crop. */
export function pad(x: Tensor, padding: readonly number[], value = 0): Tensor {
  if (padding.length % 2 !== 0 || padding.length / 2 > x.ndim) {
    throw new ShapeError(`pad: padding must have an even length of at most ${2 * x.ndim} for shape ${formatShape(x.shape)}, got [${padding.join(', ')}]`);
  }
  // Negative padding is a crop: do it first as a slice.
  let src = x;
  const before = new Array<number>(x.ndim).fill(0);
  const after = new Array<number>(x.ndim).fill(0);
  for (let i = 0; i < padding.length / 2; i++) {
    const d = x.ndim - 1 - i;
    before[d] = padding[2 * i]!;
    after[d] = padding[2 * i + 1]!;
    if (!Number.isInteger(before[d]) || !Number.isInteger(after[d])) throw new NervaError(`pad: padding amounts must be integers, got [${padding.join(', ')}]`);
  }
  for (let d = 0; d < x.ndim; d++) {
    if (before[d]! < 0 || after[d]! < 0) {
      src = slice(src, d, Math.max(0, -before[d]!), src.shape[d]! - Math.max(0, -after[d]!));
      before[d] = Math.max(0, before[d]!);
      after[d] = Math.max(0, after[d]!);
    }
  }
  const shape = src.shape.map((s, d) => s + before[d]! + after[d]!);
  const out = newTensor(src.dtype, shape);
  if (value !== 0) out.data.fill(value);
  let offset = 0;
  for (let d = 0; d < shape.length; d++) offset += before[d]! * out.strides[d]!;
  getBackend().scatterStrided(denseData(src), { data: out.data, offset, strides: out.strides }, src.shape);
  const input = src;
  return record(out, 'pad', [input], (g) => {
    let gi = g;
    for (let d = 0; d < shape.length; d++) if (before[d]! > 0 || after[d]! > 0) gi = slice(gi, d, before[d]!, before[d]! + input.shape[d]!);
    return [contiguous(gi)];
  });
}

/** Joins tensors along an existing dimension. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new NervaError('cat: expected a non-empty list of tensors');
  const first = tensors[0]!;
  const d = normalizeAxis('cat', dim, first.ndim);
  let total = 0;
  for (const [i, t] of tensors.entries()) {
    if (t.ndim !== first.ndim || t.shape.some((s, j) => j !== d && s !== first.shape[j])) {
      throw new ShapeError(`cat: tensor ${i} has shape ${formatShape(t.shape)}, expected ${formatShape(first.shape.map((s, j) => (j === d ? t.shape[j] ?? s : s)))} to join along dimension ${d}`);
    }
    if (t.dtype !== first.dtype) throw new NervaError(`cat: tensor ${i} has dtype ${t.dtype}, tensor 0 has ${first.dtype}`);
    total += t.shape[d]!;
  }
  const shape = [...first.shape];
  shape[d] = total;
  const out = newTensor(first.dtype, shape);
  let at = 0;
  for (const t of tensors) {
    getBackend().scatterStrided(denseData(t), { data: out.data, offset: at * out.strides[d]!, strides: out.strides }, t.shape);
    at += t.shape[d]!;
  }
  return record(out, 'cat', tensors, (g) => {
    let start = 0;
    return tensors.map((t) => {
      const part = t.requiresGrad ? contiguous(narrow(g, d, start, t.shape[d]!)) : null;
      start += t.shape[d]!;
      return part;
    });
  });
}

/** Joins tensors of equal shape along a new dimension. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new NervaError('stack: expected a non-empty list of tensors');
  const d = normalizeAxis('stack', dim, tensors[0]!.ndim + 1);
  for (const [i, t] of tensors.entries()) {
    if (!sameShape(t.shape, tensors[0]!.shape)) throw new ShapeError(`stack: tensor ${i} has shape ${formatShape(t.shape)}, tensor 0 has ${formatShape(tensors[0]!.shape)}`);
  }
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

/** Pieces of `size` along dim (the last may be smaller), or of the given sizes. Views. */
export function split(x: Tensor, size: number | readonly number[], dim = 0): Tensor[] {
  const d = normalizeAxis('split', dim, x.ndim);
  const total = x.shape[d]!;
  let sizes: number[];
  if (typeof size === 'number') {
    if (!Number.isInteger(size) || size <= 0) throw new NervaError(`split: size must be a positive integer, got ${size}`);
    sizes = [];
    for (let s = 0; s < total; s += size) sizes.push(Math.min(size, total - s));
  } else {
    sizes = [...size];
    const sum = sizes.reduce((a, b) => a + b, 0);
    if (sum !== total) throw new ShapeError(`split: sizes [${sizes.join(', ')}] add up to ${sum}, but dimension ${d} has size ${total}`);
  }
  let start = 0;
  return sizes.map((s) => {
    const part = narrow(x, d, start, s);
    start += s;
    return part;
  });
}

/** `chunks` nearly equal pieces along dim, as torch.chunk. */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  const d = normalizeAxis('chunk', dim, x.ndim);
  return split(x, Math.max(1, Math.ceil(x.shape[d]! / chunks)), d);
}
