import { Tensor } from '../tensor/tensor.js';
import type { DType } from '../tensor/dtype.js';
import type { Shape } from '../tensor/shape.js';
import { formatTensor } from '../tensor/format.js';
import { backward as runBackward } from '../autograd/tape.js';
import * as ew from './elementwise.js';
import * as red from './reduce.js';
import * as mv from './movement.js';
import { gather, indexSelect } from './gather.js';
import { matmul } from './matmul.js';
import { mean, std, variance, logSumExp, type VarOptions } from '../functional/reduce.js';
import { softmax, logSoftmax } from '../functional/activation.js';
import type { TensorLike } from './util.js';

// Tensor methods, PyTorch style (x.add(y).relu().sum()), installed on the prototype here so that
// src/tensor stays below src/ops in the layering.

declare module '../tensor/tensor.js' {
  interface Tensor {
    add(other: TensorLike): Tensor;
    sub(other: TensorLike): Tensor;
    mul(other: TensorLike): Tensor;
    div(other: TensorLike): Tensor;
    pow(exponent: TensorLike): Tensor;
    maximum(other: TensorLike): Tensor;
    minimum(other: TensorLike): Tensor;
    eq(other: TensorLike): Tensor;
    ne(other: TensorLike): Tensor;
    lt(other: TensorLike): Tensor;
    le(other: TensorLike): Tensor;
    gt(other: TensorLike): Tensor;
    ge(other: TensorLike): Tensor;
    neg(): Tensor;
    abs(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    relu(): Tensor;
    leakyRelu(negativeSlope?: number): Tensor;
    gelu(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    square(): Tensor;
    sign(): Tensor;
    clamp(min?: number | null, max?: number | null): Tensor;
    sum(axes?: red.Axes, keepDim?: boolean): Tensor;
    mean(axes?: red.Axes, keepDim?: boolean): Tensor;
    max(axes?: red.Axes, keepDim?: boolean): Tensor;
    min(axes?: red.Axes, keepDim?: boolean): Tensor;
    argmax(axis?: number | null, keepDim?: boolean): Tensor;
    argmin(axis?: number | null, keepDim?: boolean): Tensor;
    logSumExp(axes?: red.Axes, keepDim?: boolean): Tensor;
    var(axes?: red.Axes, options?: VarOptions): Tensor;
    std(axes?: red.Axes, options?: VarOptions): Tensor;
    softmax(dim?: number): Tensor;
    logSoftmax(dim?: number): Tensor;
    reshape(...shape: number[] | [Shape]): Tensor;
    view(...shape: number[] | [Shape]): Tensor;
    permute(...dims: number[] | [readonly number[]]): Tensor;
    transpose(dim0?: number, dim1?: number): Tensor;
    /** transpose of a 2-D tensor */
    readonly T: Tensor;
    expand(...shape: number[] | [Shape]): Tensor;
    squeeze(dim?: number): Tensor;
    unsqueeze(dim: number): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    slice(dim: number, start?: number, end?: number, step?: number): Tensor;
    contiguous(): Tensor;
    gather(dim: number, index: Tensor): Tensor;
    indexSelect(dim: number, index: Tensor): Tensor;
    matmul(other: Tensor): Tensor;
    to(dtype: DType): Tensor;
    float(): Tensor;
    double(): Tensor;
    int(): Tensor;
    clone(): Tensor;
    backward(gradient?: Tensor): void;
    toString(): string;
  }
}

type Proto = Record<string, unknown>;
const p = Tensor.prototype as unknown as Proto;

/** `f(1, 2)` and `f([1, 2])` both mean the shape [1, 2]. */
function shapeArgs(args: number[] | [Shape]): Shape {
  return Array.isArray(args[0]) ? (args[0] as Shape) : (args as number[]);
}

const binaryMethods = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
for (const name of binaryMethods) {
  const fn = ew[name];
  p[name] = function (this: Tensor, other: TensorLike) { return fn(this, other); };
}
const unaryMethods = ['neg', 'abs', 'exp', 'log', 'sqrt', 'rsqrt', 'tanh', 'sigmoid', 'relu', 'gelu', 'sin', 'cos', 'square', 'sign', 'clone'] as const;
for (const name of unaryMethods) {
  const fn = ew[name];
  p[name] = function (this: Tensor) { return fn(this); };
}
p.leakyRelu = function (this: Tensor, s?: number) { return ew.leakyRelu(this, s); };
p.clamp = function (this: Tensor, lo?: number | null, hi?: number | null) { return ew.clamp(this, lo, hi); };
p.sum = function (this: Tensor, axes?: red.Axes, keepDim?: boolean) { return red.sum(this, axes, keepDim); };
p.mean = function (this: Tensor, axes?: red.Axes, keepDim?: boolean) { return mean(this, axes, keepDim); };
p.max = function (this: Tensor, axes?: red.Axes, keepDim?: boolean) { return red.max(this, axes, keepDim); };
p.min = function (this: Tensor, axes?: red.Axes, keepDim?: boolean) { return red.min(this, axes, keepDim); };
p.argmax = function (this: Tensor, axis?: number | null, keepDim?: boolean) { return red.argmax(this, axis, keepDim); };
p.argmin = function (this: Tensor, axis?: number | null, keepDim?: boolean) { return red.argmin(this, axis, keepDim); };
p.logSumExp = function (this: Tensor, axes?: red.Axes, keepDim?: boolean) { return logSumExp(this, axes, keepDim); };
p.var = function (this: Tensor, axes?: red.Axes, o?: VarOptions) { return variance(this, axes, o); };
p.std = function (this: Tensor, axes?: red.Axes, o?: VarOptions) { return std(this, axes, o); };
p.softmax = function (this: Tensor, dim?: number) { return softmax(this, dim); };
p.logSoftmax = function (this: Tensor, dim?: number) { return logSoftmax(this, dim); };
p.reshape = function (this: Tensor, ...s: number[] | [Shape]) { return mv.reshape(this, shapeArgs(s)); };
p.view = function (this: Tensor, ...s: number[] | [Shape]) { return mv.view(this, shapeArgs(s)); };
p.permute = function (this: Tensor, ...d: number[] | [readonly number[]]) { return mv.permute(this, shapeArgs(d)); };
p.transpose = function (this: Tensor, a?: number, b?: number) { return mv.transpose(this, a, b); };
Object.defineProperty(Tensor.prototype, 'T', { get(this: Tensor) { return mv.transpose(this, 0, this.ndim > 1 ? 1 : 0); } });
p.expand = function (this: Tensor, ...s: number[] | [Shape]) { return mv.expand(this, shapeArgs(s)); };
p.squeeze = function (this: Tensor, d?: number) { return mv.squeeze(this, d); };
p.unsqueeze = function (this: Tensor, d: number) { return mv.unsqueeze(this, d); };
p.flatten = function (this: Tensor, s?: number, e?: number) { return mv.flatten(this, s, e); };
p.narrow = function (this: Tensor, d: number, s: number, l: number) { return mv.narrow(this, d, s, l); };
p.slice = function (this: Tensor, d: number, s?: number, e?: number, st?: number) { return mv.slice(this, d, s, e, st); };
p.contiguous = function (this: Tensor) { return mv.contiguous(this); };
p.gather = function (this: Tensor, d: number, i: Tensor) { return gather(this, d, i); };
p.indexSelect = function (this: Tensor, d: number, i: Tensor) { return indexSelect(this, d, i); };
p.matmul = function (this: Tensor, o: Tensor) { return matmul(this, o); };
p.to = function (this: Tensor, dtype: DType) { return ew.toType(this, dtype); };
p.float = function (this: Tensor) { return ew.toType(this, 'float32'); };
p.double = function (this: Tensor) { return ew.toType(this, 'float64'); };
p.int = function (this: Tensor) { return ew.toType(this, 'int32'); };
p.backward = function (this: Tensor, g?: Tensor) { runBackward(this, g); };
p.toString = function (this: Tensor) { return formatTensor(this); };
// console.log(tensor) in Node prints like PyTorch too.
p[Symbol.for('nodejs.util.inspect.custom') as unknown as string] = function (this: Tensor) { return formatTensor(this); };
