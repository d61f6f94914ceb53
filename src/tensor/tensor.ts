import type { DataArray, DType } from './dtype.js';
import { dtypeOfArray, isFloat } from './dtype.js';
import { denseStrides, numel, type Shape } from './shape.js';
import { NervaError } from '../errors.js';
import { getBackend } from '../backend/index.js';

/** Records how a tensor was computed so that backward() can push gradients to its inputs. */
export interface GradNode {
  /** the op's name, for error messages and debugging */
  readonly name: string;
  readonly inputs: readonly (Tensor | null)[];
  /** Given ∂L/∂output, returns ∂L/∂input for each input (null where none flows). */
  backward(grad: Tensor): readonly (Tensor | null)[];
}

/**
 * An n-dimensional array: a typed array (`data`, possibly shared with other views) read through
 * `shape`, `strides` and `offset`. Tensors are immutable in shape; their data may be updated in
 * place by optimizers. Methods (add, matmul, sum…) are installed by src/ops/methods.ts.
 */
export class Tensor {
  readonly shape: Shape;
  readonly strides: readonly number[];
  readonly offset: number;
  private _dtype: DType;
  private _data: DataArray;
  /** gradient accumulated by backward() (leaves only) */
  grad: Tensor | null = null;
  /** the node that produced this tensor, null for leaves */
  gradFn: GradNode | null = null;
  private _requiresGrad = false;

  constructor(data: DataArray, shape: Shape, strides?: readonly number[], offset = 0) {
    this._data = data;
    this._dtype = dtypeOfArray(data);
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze(strides ? [...strides] : denseStrides(shape));
    this.offset = offset;
  }

  /** the storage; for a view it is the storage of the tensor it views */
  get data(): DataArray {
    return this._data;
  }

  /** Replaces the storage with an array of the same length, possibly of another type (how a
   * module's parameters move between float32 and float64 in place). The dtype follows it. */
  set data(array: DataArray) {
    if (array.length !== this._data.length) {
      throw new NervaError(`cannot replace a tensor's storage of ${this._data.length} elements with ${array.length} elements`);
    }
    this._data = array;
    this._dtype = dtypeOfArray(array);
  }

  get dtype(): DType {
    return this._dtype;
  }

  get requiresGrad(): boolean {
    return this._requiresGrad;
  }

  set requiresGrad(value: boolean) {
    if (value && !isFloat(this.dtype)) {
      throw new NervaError(`only floating-point tensors can require gradients, got dtype ${this.dtype}`);
    }
    this._requiresGrad = value;
  }

  /** Sets requiresGrad and returns this tensor (chainable, like PyTorch's requires_grad_()). */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }

  get ndim(): number {
    return this.shape.length;
  }

  get size(): number {
    return numel(this.shape);
  }

  /** True when elements are laid out densely in row-major order (offset may be non-zero). */
  isContiguous(): boolean {
    let expected = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      const d = this.shape[i]!;
      if (d !== 1 && this.strides[i] !== expected) return false;
      expected *= d;
    }
    return true;
  }

  /** True for a leaf: created by the user, not by an op. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new NervaError(`item(): the tensor has ${this.size} elements (shape [${this.shape.join(', ')}]); only one-element tensors can be converted to a number`);
    return this.data[this.offset]!;
  }

  /** Element at a multi-index (negative indices count from the end). */
  at(...index: number[]): number {
    if (index.length !== this.ndim) throw new NervaError(`at(): expected ${this.ndim} indices, got ${index.length}`);
    let p = this.offset;
    for (let d = 0; d < index.length; d++) {
      const size = this.shape[d]!;
      let i = index[d]!;
      if (!Number.isInteger(i) || i < -size || i >= size) throw new NervaError(`at(): index ${i} is out of range for dimension ${d} with size ${size}`);
      if (i < 0) i += size;
      p += i * this.strides[d]!;
    }
    return this.data[p]!;
  }

  /** The elements in row-major order as a dense typed array (a copy unless already dense). */
  toTypedArray(): DataArray {
    return denseData(this);
  }

  /** Nested JS arrays (a number for a 0-d tensor). */
  toArray(): NestedArray {
    const flat = denseData(this);
    if (this.ndim === 0) return flat[0]!;
    const build = (dim: number, start: number): NestedArray[] | number[] => {
      const size = this.shape[dim]!;
      if (dim === this.ndim - 1) return Array.from(flat.subarray(start, start + size));
      const stride = numel(this.shape.slice(dim + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < size; i++) out.push(build(dim + 1, start + i * stride));
      return out;
    };
    return build(0, 0);
  }

  /** Drops every element's history: a new leaf sharing this tensor's data. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape, this.strides, this.offset);
  }
}

export type NestedArray = number | NestedArray[];

/**
 * The elements of `t` as a dense row-major array of exactly t.size elements: `t.data` itself when
 * possible, a subarray view for an offset contiguous tensor, a copy otherwise. Never write to the
 * result unless you own `t`.
 */
export function denseData(t: Tensor): DataArray {
  const n = t.size;
  if (t.isContiguous()) {
    if (t.offset === 0 && t.data.length === n) return t.data;
    return t.data.subarray(t.offset, t.offset + n);
  }
  const out = new (t.data.constructor as new (n: number) => DataArray)(n);
  getBackend().copyStrided({ data: t.data, offset: t.offset, strides: t.strides }, out, t.shape);
  return out;
}
