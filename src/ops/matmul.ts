import { Tensor } from '../tensor/tensor.js';
import { isFloat, promote } from '../tensor/dtype.js';
import { broadcastShapes, numel } from '../tensor/shape.js';
import type { FloatArray } from '../backend/backend.js';
import { getBackend } from '../backend/index.js';
import { record } from '../autograd/tape.js';
import { newTensor } from './util.js';
import { contiguous, expand, reshape, squeeze, transpose, unsqueeze } from './movement.js';
import { sumToShape } from './reduce.js';
import { toType } from './elementwise.js';
import { NervaError, ShapeError } from '../errors.js';

/** How a (…, rows, cols) tensor can be handed to the GEMM kernel without copying. */
interface MatrixOperand {
  data: FloatArray;
  trans: boolean;
  batchStride: number;
}

/** Finds a kernel layout for x (batch dims already broadcast): the last two dims dense or
 * transposed-dense, the batch dims one uniform stride (or 0); otherwise makes a dense copy. */
function operand(x: Tensor, rows: number, cols: number): MatrixOperand {
  const nd = x.ndim;
  const rs = x.strides[nd - 2]!;
  const cs = x.strides[nd - 1]!;
  let trans: boolean | null = null;
  if ((cs === 1 || cols === 1) && (rs === cols || rows === 1)) trans = false;
  else if ((rs === 1 || rows === 1) && (cs === rows || cols === 1)) trans = true;
  let batchStride: number | null = null;
  if (trans !== null) {
    const batchDims = x.shape.slice(0, nd - 2);
    const batchStrides = x.strides.slice(0, nd - 2);
    if (batchDims.every((d, i) => d === 1 || batchStrides[i] === 0)) batchStride = 0;
    else {
      // Dense batch: innermost non-trivial batch dim has stride rows·cols and each outer one nests.
      let expected = rows * cols;
      let ok = true;
      for (let i = batchDims.length - 1; i >= 0; i--) {
        if (batchDims[i] === 1) continue;
        if (batchStrides[i] !== expected) { ok = false; break; }
        expected *= batchDims[i]!;
      }
      if (ok) batchStride = rows * cols;
    }
  }
  if (trans === null || batchStride === null) {
    const dense = contiguous(x);
    return { data: (dense.data as FloatArray).subarray(dense.offset, dense.offset + dense.size), trans: false, batchStride: rows * cols };
  }
  return { data: (x.data as FloatArray).subarray(x.offset), trans, batchStride };
}

function describe(t: Tensor): string {
  return t.shape.join('×') || 'scalar';
}

/** The primitive: x (…, m, k) · y (…, k, n) with at least two dims each, batch dims broadcast. */
function bmm(a: Tensor, b: Tensor): Tensor {
  const m = a.shape[a.ndim - 2]!;
  const k = a.shape[a.ndim - 1]!;
  const n = b.shape[b.ndim - 1]!;
  const batchShape = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = newTensor(a.dtype, [...batchShape, m, n]);
  const batch = numel(batchShape);
  if (out.size > 0) {
    if (b.ndim === 2 && batch > 1 && a.isContiguous()) {
      // (B, m, k)·(k, n) is one (B·m, k)·(k, n) product: a bigger GEMM is a faster GEMM.
      const A = operand(reshape(a.detach(), [batch * m, k]), batch * m, k);
      const B = operand(b, k, n);
      getBackend().matmul(A.data, B.data, out.data as FloatArray, { batch: 1, m: batch * m, n, k, transA: A.trans, transB: B.trans, aBatchStride: 0, bBatchStride: 0 });
    } else {
      const A = operand(expand(a.detach(), [...batchShape, m, k]), m, k);
      const B = operand(expand(b.detach(), [...batchShape, k, n]), k, n);
      getBackend().matmul(A.data, B.data, out.data as FloatArray, { batch, m, n, k, transA: A.trans, transB: B.trans, aBatchStride: A.batchStride, bBatchStride: B.batchStride });
    }
  }
  // C = A·B: ∂L/∂A = G·Bᵀ, ∂L/∂B = Aᵀ·G (summed over broadcast batch dims)
  return record(out, 'matmul', [a, b], (g) => [
    a.requiresGrad ? sumToShape(bmm(g, transpose(b)), a.shape) : null,
    b.requiresGrad ? gradShared(a, b, g, batch, m, k, n) : null,
  ]);
}

/** ∂L/∂B = Σ_batch Aᵀ·G. NOTE: a 2-D B shared by every batch entry (a Linear layer on (B, T, in))
 * takes one (k, batch·m)·(batch·m, n) product: B products summed afterwards would first build a
 * (batch, k, n) tensor, for a language model's output layer the biggest tensor of the step. */
function gradShared(a: Tensor, b: Tensor, g: Tensor, batch: number, m: number, k: number, n: number): Tensor {
  if (b.ndim === 2 && batch > 1) return bmm(transpose(reshape(a, [batch * m, k])), reshape(g, [batch * m, n]));
  return sumToShape(bmm(transpose(a), g), b.shape);
}

/**
 * Matrix product with PyTorch's rules: 1-D·1-D is a dot product, a 1-D operand is a row (left) or
 * column (right) vector that disappears from the result, and batch dimensions broadcast.
 * Shape: (…, m, k) · (…, k, n) → (…, m, n).
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) throw new ShapeError(`matmul: both arguments need at least 1 dimension, got shapes (${describe(a)}) and (${describe(b)})`);
  if (!isFloat(a.dtype) || !isFloat(b.dtype)) throw new NervaError(`matmul: expected floating-point tensors, got ${a.dtype} and ${b.dtype}`);
  const dtype = promote(a.dtype, b.dtype);
  const a2 = a.ndim === 1 ? unsqueeze(toType(a, dtype), 0) : toType(a, dtype);
  const b2 = b.ndim === 1 ? unsqueeze(toType(b, dtype), -1) : toType(b, dtype);
  const ka = a2.shape[a2.ndim - 1]!;
  const kb = b2.shape[b2.ndim - 2]!;
  if (ka !== kb) {
    throw new ShapeError(`matmul: cannot multiply (${describe(a)}) by (${describe(b)}): inner sizes ${ka} and ${kb} differ`);
  }
  let out = bmm(a2, b2);
  if (a.ndim === 1) out = squeeze(out, -2);
  if (b.ndim === 1) out = squeeze(out, -1);
  return out;
}

/**
 * A Linear layer's product: x (…, in) · wᵀ + b, with w (out, in) and b (out) or null. The bias is
 * where the GEMM starts (C is filled with b's rows and the product is accumulated onto it), so a
 * layer costs one kernel call instead of a product and a separate broadcast add.
 */
export function linear(x: Tensor, w: Tensor, b: Tensor | null = null): Tensor {
  if (w.ndim !== 2) throw new ShapeError(`linear: weight must be 2-D (out, in), got (${describe(w)})`);
  const [n, k] = w.shape as [number, number];
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== k) throw new ShapeError(`linear: input (${describe(x)}) must end in ${k} features for weight (${describe(w)})`);
  if (b !== null && (b.ndim !== 1 || b.shape[0] !== n)) throw new ShapeError(`linear: bias must be (${n}) for weight (${describe(w)}), got (${describe(b)})`);
  if (!isFloat(x.dtype) || !isFloat(w.dtype) || (b !== null && !isFloat(b.dtype))) {
    throw new NervaError(`linear: expected floating-point tensors, got ${x.dtype}, ${w.dtype}${b === null ? '' : `, ${b.dtype}`}`);
  }
  const dtype = b === null ? promote(x.dtype, w.dtype) : promote(promote(x.dtype, w.dtype), b.dtype);
  const xd = toType(x, dtype), wd = toType(w, dtype), bd = b === null ? null : toType(b, dtype);
  const m = x.size / Math.max(k, 1);
  const x2 = reshape(xd.detach(), [m, k]);
  const out = newTensor(dtype, [...x.shape.slice(0, -1), n]);
  const C = out.data as FloatArray;
  if (bd !== null && out.size > 0) {
    const bias = (bd.isContiguous() ? bd.data.subarray(bd.offset, bd.offset + n) : contiguous(bd).data) as FloatArray;
    for (let r = 0; r < m; r++) C.set(bias, r * n);
  }
  if (out.size > 0) {
    const A = operand(x2, m, k);
    const B = operand(transpose(wd.detach()), k, n);
    getBackend().matmul(A.data, B.data, C, { batch: 1, m, n, k, transA: A.trans, transB: B.trans, aBatchStride: 0, bBatchStride: 0, accumulate: bd !== null });
  }
  // y = x·wᵀ + b: ∂L/∂x = G·w, ∂L/∂w = Gᵀ·x (one GEMM over all leading dims), ∂L/∂b = Σ_rows G
  return record(out, 'linear', [xd, wd, bd], (g) => {
    const g2 = reshape(g, [m, n]);
    return [
      xd.requiresGrad ? reshape(bmm(g2, wd), x.shape) : null,
      wd.requiresGrad ? bmm(transpose(g2), reshape(xd, [m, k])) : null,
      bd !== null && bd.requiresGrad ? sumToShape(g2, [n]) : null,
    ];
  });
}
