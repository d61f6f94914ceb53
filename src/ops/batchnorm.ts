import { Tensor, denseData } from '../tensor/tensor.js';
import { allocate, isFloat } from '../tensor/dtype.js';
import { sameShape } from '../tensor/shape.js';
import type { BatchNormGeometry, FloatArray } from '../backend/backend.js';
import { getBackend } from '../backend/index.js';
import { record } from '../autograd/tape.js';
import { toType } from './elementwise.js';
import { NervaError, ShapeError, formatShape } from '../errors.js';

// Batch normalization with batch statistics as one primitive: the forward is two passes for the
// per-channel statistics and one for the output, the backward the closed form, instead of the
// ~10 composed ops (and their tapes) it replaces in training.

export interface BatchNormResult {
  /** the normalized (and scaled/shifted) input, same shape as x */
  out: Tensor;
  /** per-channel batch mean, shape (C), no history */
  mean: Tensor;
  /** per-channel biased batch variance, shape (C), no history */
  variance: Tensor;
}

/** What batchNormWithStats fuses after the normalization: out = relu?(y + residual?). */
export interface BatchNormEpilogue {
  /** added to the normalized output (same shape as x), as in a residual block */
  residual?: Tensor | null;
  /** relu on the result */
  relu?: boolean;
}

/**
 * y = (x − E[x]) / √(Var[x] + eps) · weight + bias, statistics per channel (dim 1) over every other
 * dim, Var biased. x is (N, C, …) float; weight and bias are (C) or null. Differentiable in x,
 * weight and bias. Returns the batch statistics too, for running averages.
 * `epilogue` (residual add, relu) gives exactly relu(add(y, residual)) and its gradients, in the
 * same kernel pass: no y to write out and read back for each of them.
 */
export function batchNormWithStats(x: Tensor, weight: Tensor | null, bias: Tensor | null, eps = 1e-5, epilogue: BatchNormEpilogue = {}): BatchNormResult {
  if (!isFloat(x.dtype)) throw new NervaError(`batchNorm: input must be float32 or float64, got ${x.dtype}`);
  if (x.ndim < 2) throw new ShapeError(`batchNorm: input must be (N, C, …), got ${formatShape(x.shape)}`);
  const c = x.shape[1]!;
  const outer = x.shape[0]!;
  const inner = c === 0 || outer === 0 ? 0 : x.size / (outer * c);
  for (const [name, p] of [['weight', weight], ['bias', bias]] as const) {
    if (p !== null && (p.ndim !== 1 || p.shape[0] !== c)) {
      throw new ShapeError(`batchNorm: ${name} must have shape (${c}) for input ${formatShape(x.shape)}, got ${formatShape(p.shape)}`);
    }
  }
  if (outer * inner === 0) throw new NervaError(`batchNorm: input ${formatShape(x.shape)} has no values per channel`);
  const residualIn = epilogue.residual ?? null;
  if (residualIn !== null && !sameShape(residualIn.shape, x.shape)) {
    throw new ShapeError(`batchNorm: residual ${formatShape(residualIn.shape)} must have the input's shape ${formatShape(x.shape)}`);
  }
  const residual = residualIn !== null && residualIn.dtype !== x.dtype ? toType(residualIn, x.dtype) : residualIn;
  const relu = epilogue.relu === true;
  const w = weight !== null && weight.dtype !== x.dtype ? toType(weight, x.dtype) : weight;
  const b = bias !== null && bias.dtype !== x.dtype ? toType(bias, x.dtype) : bias;
  const g: BatchNormGeometry = { outer, c, inner };
  const xd = denseData(x) as FloatArray;
  const wd = w === null ? null : (denseData(w) as FloatArray);
  const bd = b === null ? null : (denseData(b) as FloatArray);
  const out = new Tensor(allocate(x.dtype, x.size), x.shape);
  const mean = new Tensor(allocate(x.dtype, c), [c]);
  const variance = new Tensor(allocate(x.dtype, c), [c]);
  const invstd = allocate(x.dtype, c) as FloatArray;
  const fused = residual !== null || relu;
  const od = out.data as FloatArray;
  getBackend().batchNormForward(xd, wd, bd, od, mean.data as FloatArray, variance.data as FloatArray, invstd, eps, g,
    fused ? { residual: residual === null ? null : denseData(residual) as FloatArray, relu } : undefined);
  const inputs = residual === null ? [x, w, b] : [x, w, b, residual];
  record(out, fused ? 'batchNormFused' : 'batchNorm', inputs, (gy) => {
    const gyd = (gy.dtype === x.dtype ? denseData(gy) : denseData(toType(gy, x.dtype))) as FloatArray;
    const gx = x.requiresGrad ? new Tensor(allocate(x.dtype, x.size), x.shape) : null;
    const gw = new Tensor(allocate(x.dtype, c), [c]);
    const gb = new Tensor(allocate(x.dtype, c), [c]);
    const gr = residual !== null && residual.requiresGrad ? new Tensor(allocate(x.dtype, x.size), x.shape) : null;
    getBackend().batchNormBackward(xd, gyd, wd, mean.data as FloatArray, invstd, gx === null ? null : (gx.data as FloatArray), gw.data as FloatArray, gb.data as FloatArray, g,
      fused ? { y: relu ? od : null, gResidual: gr === null ? null : gr.data as FloatArray } : undefined);
    const grads = [gx, w !== null && w.requiresGrad ? gw : null, b !== null && b.requiresGrad ? gb : null];
    return residual === null ? grads : [...grads, gr];
  });
  return { out, mean, variance };
}

/** Batch normalization with batch statistics (see batchNormWithStats); returns only the output. */
export function batchNorm(x: Tensor, weight: Tensor | null, bias: Tensor | null, eps = 1e-5): Tensor {
  return batchNormWithStats(x, weight, bias, eps).out;
}
