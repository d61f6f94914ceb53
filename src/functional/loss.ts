import { Tensor, denseData } from '../tensor/tensor.js';
import { allocate, isFloat } from '../tensor/dtype.js';
import type { FloatArray } from '../backend/backend.js';
import { getBackend } from '../backend/index.js';
import { record } from '../autograd/tape.js';
import { add, abs, div, exp, log, mul, ne, neg, relu, square, sub, toType, where } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { gather } from '../ops/gather.js';
import { permute, reshape, squeeze, unsqueeze } from '../ops/movement.js';
import { logSoftmax } from './activation.js';
import { mean } from './reduce.js';
import { NervaError, ShapeError, formatShape } from '../errors.js';
import { sameShape } from '../tensor/shape.js';

export type Reduction = 'mean' | 'sum' | 'none';

export interface NllOptions {
  reduction?: Reduction;
  /** targets equal to this contribute nothing and are not counted in the mean (PyTorch: -100) */
  ignoreIndex?: number;
}

export interface CrossEntropyOptions extends NllOptions {
  /** ε: the target distribution becomes (1 − ε)·onehot + ε/C */
  labelSmoothing?: number;
}

function reduce(loss: Tensor, reduction: Reduction, count?: Tensor): Tensor {
  if (reduction === 'none') return loss;
  if (reduction === 'sum') return sum(loss);
  if (reduction === 'mean') return count === undefined ? mean(loss) : div(sum(loss), count);
  throw new NervaError(`unknown reduction '${String(reduction)}': expected 'mean', 'sum' or 'none'`);
}

/** Moves the class dim last and flattens: (N, C, d1…) → (N·d1…, C); target (N, d1…) → (N·d1…). */
function flattenClasses(op: string, input: Tensor, target: Tensor): { x: Tensor; t: Tensor; shape: number[] } {
  if (target.dtype !== 'int32') throw new NervaError(`${op}: target must hold int32 class indices, got dtype ${target.dtype}`);
  if (input.ndim === 1) return { x: unsqueeze(input, 0), t: reshape(target, [1]), shape: [] };
  const expected = [input.shape[0]!, ...input.shape.slice(2)];
  if (!sameShape(target.shape, expected)) {
    throw new ShapeError(`${op}: input ${formatShape(input.shape)} needs a target of shape ${formatShape(expected)}, got ${formatShape(target.shape)}`);
  }
  const c = input.shape[1]!;
  const dims = [0, ...Array.from({ length: input.ndim - 2 }, (_, i) => i + 2), 1];
  return { x: reshape(permute(input, dims), [-1, c]), t: reshape(target, [-1]), shape: expected };
}

function checkTargets(op: string, t: Tensor, classes: number, ignoreIndex: number): void {
  const data = t.toTypedArray();
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v !== ignoreIndex && (v < 0 || v >= classes)) throw new NervaError(`${op}: target ${v} is out of range for ${classes} classes`);
  }
}

/**
 * Negative log-likelihood of class indices under log-probabilities.
 * Shape: input (N, C) or (N, C, d1, …) or (C); target (N) or (N, d1, …) or () with int32 indices.
 */
export function nllLoss(input: Tensor, target: Tensor, options: NllOptions = {}): Tensor {
  return nllCore('nllLoss', input, target, options, 0);
}

function nllCore(op: string, logProbs: Tensor, target: Tensor, options: CrossEntropyOptions, smoothing: number): Tensor {
  const ignoreIndex = options.ignoreIndex ?? -100;
  const reduction = options.reduction ?? 'mean';
  const { x, t, shape } = flattenClasses(op, logProbs, target);
  const classes = x.shape[1]!;
  checkTargets(op, t, classes, ignoreIndex);
  const keep = ne(t, ignoreIndex); // (M) bool
  const safeT = where(keep, t, 0); // ignored rows read class 0, then get masked out
  let loss = neg(squeeze(gather(x, 1, unsqueeze(safeT, 1)), 1)); // (M)
  if (smoothing > 0) {
    // Σ_c −(ε/C)·log p_c, added to (1 − ε)·NLL.
    const smooth = neg(div(sum(x, 1), classes));
    loss = add(mul(loss, 1 - smoothing), mul(smooth, smoothing));
  }
  loss = mul(loss, keep);
  const count = sum(toType(keep, x.dtype));
  const out = reduce(loss, reduction, count);
  return reduction === 'none' ? reshape(out, shape) : out;
}

/**
 * Per-row softmax cross-entropy as one primitive: logits x (M, C) float, class indices t (M) int32
 * (checked by the caller; ignoreIndex rows give loss 0 and no gradient). Returns the (M) losses
 * logΣexp(x_i) − x_i[t_i]; the backward is g_i·(softmax(x_i) − onehot(t_i)), from the saved softmax.
 */
function softmaxCrossEntropyRows(x: Tensor, t: Tensor, ignoreIndex: number): Tensor {
  const [rows, classes] = x.shape as [number, number];
  const target = Int32Array.from(t.toTypedArray(), (v) => (v === ignoreIndex ? -1 : v));
  const xd = denseData(x) as FloatArray;
  const loss = new Tensor(allocate(x.dtype, rows), [rows]);
  const probs = allocate(x.dtype, rows * classes) as FloatArray;
  getBackend().softmaxCrossEntropy(xd, target, loss.data as FloatArray, probs, rows, classes);
  return record(loss, 'softmaxCrossEntropy', [x], (g) => {
    const gd = (g.dtype === x.dtype ? denseData(g) : denseData(toType(g, x.dtype))) as FloatArray;
    const gx = new Tensor(allocate(x.dtype, rows * classes), x.shape);
    getBackend().softmaxCrossEntropyBackward(probs, target, gd, gx.data as FloatArray, rows, classes);
    return [gx];
  });
}

/** crossEntropy's common case (float logits, class indices, no smoothing) through the fused primitive. */
function fusedCrossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions): Tensor {
  const ignoreIndex = options.ignoreIndex ?? -100;
  const reduction = options.reduction ?? 'mean';
  const { x, t, shape } = flattenClasses('crossEntropy', input, target);
  const classes = x.shape[1]!;
  checkTargets('crossEntropy', t, classes, ignoreIndex);
  const loss = softmaxCrossEntropyRows(x, t, ignoreIndex);
  if (reduction === 'none') return reshape(loss, shape);
  let count = 0;
  const td = t.toTypedArray();
  for (let i = 0; i < td.length; i++) if (td[i] !== ignoreIndex) count++;
  const total = sum(loss);
  if (reduction === 'sum') return total;
  if (reduction === 'mean') return div(total, count === 0 ? NaN : count);
  throw new NervaError(`unknown reduction '${String(reduction)}': expected 'mean', 'sum' or 'none'`);
}

/**
 * Cross-entropy between logits and class indices (log-softmax over dim 1, then NLL), with
 * ignoreIndex and label smoothing as in torch.nn.functional.cross_entropy. Probability targets
 * (float, same shape as input) are accepted too.
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const smoothing = options.labelSmoothing ?? 0;
  if (!(smoothing >= 0 && smoothing <= 1)) throw new NervaError(`crossEntropy: labelSmoothing must be in [0, 1], got ${smoothing}`);
  if (smoothing === 0 && target.dtype === 'int32' && isFloat(input.dtype)) return fusedCrossEntropy(input, target, options);
  const classDim = input.ndim === 1 ? 0 : 1;
  const lsm = logSoftmax(input, classDim);
  if (target.dtype === 'float32' || target.dtype === 'float64') {
    if (!sameShape(target.shape, input.shape)) throw new ShapeError(`crossEntropy: probability target ${formatShape(target.shape)} must match input ${formatShape(input.shape)}`);
    const classes = input.shape[classDim]!;
    const t = smoothing > 0 ? add(mul(target, 1 - smoothing), smoothing / classes) : target;
    const loss = neg(sum(mul(lsm, t), classDim));
    return reduce(loss, options.reduction ?? 'mean');
  }
  return nllCore('crossEntropy', lsm, target, options, smoothing);
}

/** Mean squared error (a − b)². */
export function mseLoss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  if (!sameShape(input.shape, target.shape)) throw new ShapeError(`mseLoss: input ${formatShape(input.shape)} and target ${formatShape(target.shape)} differ in shape`);
  return reduce(square(sub(input, target)), options.reduction ?? 'mean');
}

/** Mean absolute error |a − b|. */
export function l1Loss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  if (!sameShape(input.shape, target.shape)) throw new ShapeError(`l1Loss: input ${formatShape(input.shape)} and target ${formatShape(target.shape)} differ in shape`);
  return reduce(abs(sub(input, target)), options.reduction ?? 'mean');
}

/**
 * Binary cross-entropy on logits, stable form: max(x, 0) − x·y + log(1 + e^−|x|).
 * posWeight (optional) weighs the positive term, as in PyTorch.
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: { reduction?: Reduction; posWeight?: Tensor | number } = {}): Tensor {
  if (!sameShape(input.shape, target.shape)) throw new ShapeError(`binaryCrossEntropyWithLogits: input ${formatShape(input.shape)} and target ${formatShape(target.shape)} differ in shape`);
  const softplusNeg = add(relu(neg(input)), log(add(exp(neg(abs(input))), 1))); // log(1 + e^−x)
  let loss: Tensor;
  if (options.posWeight === undefined) {
    loss = add(mul(sub(1, target), input), softplusNeg);
  } else {
    const logWeight = add(mul(sub(options.posWeight, 1), target), 1);
    loss = add(mul(sub(1, target), input), mul(logWeight, softplusNeg));
  }
  return reduce(loss, options.reduction ?? 'mean');
}


