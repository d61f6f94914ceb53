import { Tensor } from '../tensor/tensor.js';
import { allocate, isFloat, promote, type DType } from '../tensor/dtype.js';
import type { StridedInput } from '../backend/backend.js';
import { broadcastStrides, type Shape } from '../tensor/shape.js';

/** What ops accept where PyTorch accepts a tensor or a Python number. */
export type TensorLike = Tensor | number;

/** A number becomes a 0-d tensor of a dtype that fits next to `like`. */
export function asTensor(x: TensorLike, like?: DType): Tensor {
  if (x instanceof Tensor) return x;
  let dtype: DType = 'float32';
  if (like !== undefined) {
    if (isFloat(like)) dtype = like;
    else if (Number.isInteger(x)) dtype = 'int32';
  }
  const arr = allocate(dtype, 1);
  arr[0] = x;
  return new Tensor(arr, []);
}

/** The dtype of op(a, b), where a number adapts to the tensor beside it. */
export function resultDType(a: TensorLike, b: TensorLike): DType {
  if (a instanceof Tensor && b instanceof Tensor) return promote(a.dtype, b.dtype);
  const t = a instanceof Tensor ? a : b instanceof Tensor ? b : null;
  const v = a instanceof Tensor ? b : a;
  if (t === null) return 'float32';
  if (isFloat(t.dtype)) return t.dtype;
  return Number.isInteger(v) ? promote(t.dtype, 'int32') : 'float32';
}

/** A strided read of `t` as if expanded to `shape`. */
export function stridedView(t: Tensor, shape: Shape): StridedInput {
  return { data: t.data, offset: t.offset, strides: broadcastStrides(t.shape, t.strides, shape) };
}

export function newTensor(dtype: DType, shape: Shape): Tensor {
  let n = 1;
  for (const d of shape) n *= d;
  return new Tensor(allocate(dtype, n), shape);
}
