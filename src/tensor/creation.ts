import { Tensor, type NestedArray } from './tensor.js';
import { allocate, type DType, isFloat } from './dtype.js';
import { checkShape, numel, type Shape } from './shape.js';
import { defaultGenerator, type Generator } from './random.js';
import { NervaError, ShapeError, formatShape } from '../errors.js';

export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

export interface RandomOptions extends CreateOptions {
  generator?: Generator;
}

function finish(t: Tensor, opts: CreateOptions | undefined): Tensor {
  if (opts?.requiresGrad) t.requiresGrad = true;
  return t;
}

/**
 * A tensor from nested arrays, a flat array/typed array with a shape, or a number (0-d).
 * The dtype defaults to the typed array's, else float32.
 */
export function tensor(
  data: NestedArray | ArrayLike<number> | boolean[],
  shapeOrOptions?: Shape | CreateOptions,
  options?: CreateOptions,
): Tensor {
  const shapeArg = Array.isArray(shapeOrOptions) ? (shapeOrOptions as Shape) : undefined;
  const opts = (Array.isArray(shapeOrOptions) ? options : (shapeOrOptions as CreateOptions | undefined)) ?? {};
  let flat: ArrayLike<number>;
  let inferred: number[];
  if (typeof data === 'number') {
    flat = [data];
    inferred = [];
  } else if (ArrayBuffer.isView(data)) {
    flat = data as ArrayLike<number>;
    inferred = [flat.length];
  } else {
    inferred = [];
    const values: number[] = [];
    flatten(data as NestedArray[], 0, inferred, values);
    flat = values;
  }
  const shape = shapeArg ?? inferred;
  checkShape('tensor', shape);
  if (numel(shape) !== flat.length) {
    throw new ShapeError(`tensor: ${flat.length} values cannot fill shape ${formatShape(shape)} (${numel(shape)} elements)`);
  }
  const dtype = opts.dtype ?? defaultDTypeOf(data);
  const arr = allocate(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) arr[i] = Number(flat[i]);
  return finish(new Tensor(arr, shape), opts);
}

function defaultDTypeOf(data: unknown): DType {
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint8Array) return 'bool';
  return 'float32';
}

function flatten(data: NestedArray[] | boolean[], depth: number, shape: number[], out: number[]): void {
  if (shape.length === depth) shape.push(data.length);
  else if (shape[depth] !== data.length) {
    throw new ShapeError(`tensor: ragged nested array: expected ${shape[depth]} elements at depth ${depth}, got ${data.length}`);
  }
  for (const item of data) {
    if (Array.isArray(item)) flatten(item, depth + 1, shape, out);
    else {
      if (shape.length !== depth + 1) throw new ShapeError(`tensor: ragged nested array at depth ${depth}`);
      const v = typeof item === 'boolean' ? (item ? 1 : 0) : item;
      if (typeof v !== 'number') throw new NervaError(`tensor: expected numbers, got ${typeof v}`);
      out.push(v);
    }
  }
}

export function full(shape: Shape, value: number, opts?: CreateOptions): Tensor {
  checkShape('full', shape);
  const arr = allocate(opts?.dtype ?? 'float32', numel(shape));
  if (value !== 0) arr.fill(value);
  return finish(new Tensor(arr, shape), opts);
}

export const zeros = (shape: Shape, opts?: CreateOptions): Tensor => full(shape, 0, opts);
export const ones = (shape: Shape, opts?: CreateOptions): Tensor => full(shape, 1, opts);
export const zerosLike = (t: Tensor, opts?: CreateOptions): Tensor => full(t.shape, 0, { dtype: t.dtype, ...opts });
export const onesLike = (t: Tensor, opts?: CreateOptions): Tensor => full(t.shape, 1, { dtype: t.dtype, ...opts });
export const fullLike = (t: Tensor, value: number, opts?: CreateOptions): Tensor => full(t.shape, value, { dtype: t.dtype, ...opts });

/** Values start, start+step, … < end (like torch.arange); int32 when all arguments are integers. */
export function arange(start: number, end?: number, step = 1, opts?: CreateOptions): Tensor {
  if (end === undefined) { end = start; start = 0; }
  if (step === 0) throw new NervaError('arange: step must be non-zero');
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = opts?.dtype ?? (Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step) ? 'int32' : 'float32');
  const arr = allocate(dtype, n);
  for (let i = 0; i < n; i++) arr[i] = start + i * step;
  return finish(new Tensor(arr, [n]), opts);
}

export function linspace(start: number, end: number, steps: number, opts?: CreateOptions): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new NervaError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const arr = allocate(opts?.dtype ?? 'float32', steps);
  const delta = steps > 1 ? (end - start) / (steps - 1) : 0;
  for (let i = 0; i < steps; i++) arr[i] = i === steps - 1 && steps > 1 ? end : start + i * delta;
  return finish(new Tensor(arr, [steps]), opts);
}

export function eye(n: number, m = n, opts?: CreateOptions): Tensor {
  const t = full([n, m], 0, opts);
  for (let i = 0; i < Math.min(n, m); i++) t.data[i * m + i] = 1;
  return t;
}

function randomFill(shape: Shape, opts: RandomOptions | undefined, draw: (g: Generator) => number, op: string): Tensor {
  checkShape(op, shape);
  const dtype = opts?.dtype ?? 'float32';
  if (!isFloat(dtype)) throw new NervaError(`${op}: dtype must be float32 or float64, got ${dtype}`);
  const g = opts?.generator ?? defaultGenerator;
  const arr = allocate(dtype, numel(shape));
  for (let i = 0; i < arr.length; i++) arr[i] = draw(g);
  return finish(new Tensor(arr, shape), opts);
}

/** Uniform in [0, 1). */
export function rand(shape: Shape, opts?: RandomOptions): Tensor {
  return randomFill(shape, opts, (g) => g.random(), 'rand');
}

/** Standard normal. */
export function randn(shape: Shape, opts?: RandomOptions): Tensor {
  return randomFill(shape, opts, (g) => g.normal(), 'randn');
}

/** Uniform in [low, high). */
export function uniform(shape: Shape, low: number, high: number, opts?: RandomOptions): Tensor {
  return randomFill(shape, opts, (g) => low + (high - low) * g.random(), 'uniform');
}

/** Integers uniform in [low, high), int32. */
export function randint(low: number, high: number, shape: Shape, opts?: RandomOptions): Tensor {
  checkShape('randint', shape);
  if (!(high > low)) throw new NervaError(`randint: high (${high}) must be greater than low (${low})`);
  const g = opts?.generator ?? defaultGenerator;
  const arr = allocate(opts?.dtype ?? 'int32', numel(shape));
  for (let i = 0; i < arr.length; i++) arr[i] = g.int(low, high);
  return finish(new Tensor(arr, shape), opts);
}

/** A random permutation of 0..n-1, int32. */
export function randperm(n: number, opts?: RandomOptions): Tensor {
  const arr = new Int32Array(n);
  for (let i = 0; i < n; i++) arr[i] = i;
  (opts?.generator ?? defaultGenerator).shuffle(arr);
  return new Tensor(arr, [n]);
}
