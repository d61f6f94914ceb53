import { Tensor, denseData } from '../tensor/tensor.js';
import { allocate, dtypeOfArray, isFloat, type DataArray, type DType } from '../tensor/dtype.js';
import { normalizeAxis, numel, sameShape, type Shape } from '../tensor/shape.js';
import type { ReduceOp } from '../backend/backend.js';
import { getBackend } from '../backend/index.js';
import { record } from '../autograd/tape.js';
import { div, eq, mul } from './elementwise.js';
import { expand, reshape } from './movement.js';
import { NervaError, ShapeError, formatShape } from '../errors.js';

export type Axes = number | readonly number[] | undefined | null;

/** Sorted, non-negative, unique axes; undefined/null means all. */
export function resolveAxes(op: string, axes: Axes, ndim: number): number[] {
  if (axes === undefined || axes === null) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : [...axes];
  const out = [...new Set(list.map((a) => normalizeAxis(op, a, ndim)))].sort((a, b) => a - b);
  if (out.length !== list.length) throw new NervaError(`${op}: repeated dimension in [${list.join(', ')}]`);
  return out;
}

/** The shape after reducing `axes`, keeping them as size 1 or dropping them. */
export function reducedShape(shape: Shape, axes: readonly number[], keepDim: boolean): number[] {
  const out: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (axes.includes(d)) { if (keepDim) out.push(1); } else out.push(shape[d]!);
  }
  return out;
}

/** Runs a reduce kernel over the axes: each run of consecutive axes reduces in place as
 * (outer, size, inner), last run first, so no permuted copy is ever needed (sum, max and min are
 * associative; arg-reductions always get a single axis). */
function reduceKernel(op: ReduceOp, x: Tensor, axes: readonly number[], outDType: DType): DataArray {
  if (axes.length === 0) {
    const copy = allocate(outDType, x.size);
    copy.set(denseData(x));
    return copy;
  }
  const runs: number[][] = [];
  for (const a of axes) {
    const run = runs[runs.length - 1];
    if (run && run[run.length - 1] === a - 1) run.push(a);
    else runs.push([a]);
  }
  let shape = [...x.shape];
  let data = denseData(x);
  for (let r = runs.length - 1; r >= 0; r--) {
    const run = runs[r]!;
    const first = run[0]!;
    const outer = numel(shape.slice(0, first));
    const size = numel(run.map((a) => shape[a]!));
    const inner = numel(shape.slice(first + run.length));
    if (size === 0 && op !== 'sum') {
      throw new NervaError(`${op}: cannot reduce over a zero-size dimension of a tensor of shape ${formatShape(x.shape)}`);
    }
    const out = allocate(r === 0 ? outDType : data instanceof Int32Array || data instanceof Uint8Array ? outDType : dtypeOfArray(data), outer * inner);
    getBackend().reduce(op, data, out, outer, size, inner);
    data = out;
    shape = shape.map((d, i) => (run.includes(i) ? 1 : d));
  }
  return data;
}

/** Σ over axes (all by default). Integer and bool inputs sum to int32. */
export function sum(x: Tensor, axes?: Axes, keepDim = false): Tensor {
  const ax = resolveAxes('sum', axes, x.ndim);
  const dtype = isFloat(x.dtype) ? x.dtype : 'int32';
  const src = x.dtype === 'bool' ? new Tensor(Int32Array.from(denseData(x)), x.shape) : x;
  const out = new Tensor(reduceKernel('sum', src, ax, dtype), reducedShape(x.shape, ax, keepDim));
  // ∂Σx/∂x_i = 1: the gradient is broadcast back over the reduced axes.
  return record(out, 'sum', [x], (g) => [expand(reshape(g, reducedShape(x.shape, ax, true)), x.shape)]);
}

/** Largest (or smallest) value over axes. The gradient is shared evenly among tied maxima. */
function extremum(op: 'max' | 'min') {
  return (x: Tensor, axes?: Axes, keepDim = false): Tensor => {
    const ax = resolveAxes(op, axes, x.ndim);
    const kept = reducedShape(x.shape, ax, true);
    const out = new Tensor(reduceKernel(op, x, ax, x.dtype), reducedShape(x.shape, ax, keepDim));
    return record(out, op, [x], (g) => {
      const mask = eq(x, reshape(out, kept));
      const count = sum(mask, ax, true);
      return [div(mul(mask, reshape(g, kept)), count)];
    });
  };
}

export const max = extremum('max');
export const min = extremum('min');

/** Index of the largest (smallest) value along one axis, or in the flattened tensor. int32. */
function argExtremum(op: 'argmax' | 'argmin') {
  return (x: Tensor, axis?: number | null, keepDim = false): Tensor => {
    if (axis === undefined || axis === null) {
      const flat = reshape(x, [x.size]);
      const out = new Tensor(reduceKernel(op, flat, [0], 'int32'), keepDim ? x.shape.map(() => 1) : []);
      return out;
    }
    const a = normalizeAxis(op, axis, x.ndim);
    return new Tensor(reduceKernel(op, x, [a], 'int32'), reducedShape(x.shape, [a], keepDim));
  };
}

export const argmax = argExtremum('argmax');
export const argmin = argExtremum('argmin');

/** Sums a broadcast gradient back to the shape of the input it was broadcast from. */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  if (lead < 0) throw new ShapeError(`sumToShape: gradient ${formatShape(g.shape)} has fewer dimensions than ${formatShape(shape)}`);
  const axes: number[] = [];
  for (let d = 0; d < g.ndim; d++) {
    if (d < lead || (shape[d - lead] === 1 && g.shape[d] !== 1)) axes.push(d);
  }
  return reshape(sum(g, axes, true), shape);
}
