import { Tensor } from '../tensor/tensor.js';
import { isFloat } from '../tensor/dtype.js';
import { numel } from '../tensor/shape.js';
import { add, div, eq, exp, log, sqrt, square, sub, toType, where } from '../ops/elementwise.js';
import { max, resolveAxes, sum, reducedShape, type Axes } from '../ops/reduce.js';
import { reshape } from '../ops/movement.js';

// Reductions composed from primitives: no gradient code of their own.

function asFloat(x: Tensor): Tensor {
  return isFloat(x.dtype) ? x : toType(x, 'float32');
}

/** Arithmetic mean over axes (all by default). */
export function mean(x: Tensor, axes?: Axes, keepDim = false): Tensor {
  const ax = resolveAxes('mean', axes, x.ndim);
  const count = numel(ax.map((a) => x.shape[a]!));
  return div(sum(asFloat(x), ax, keepDim), count);
}

export interface VarOptions {
  /** Bessel's correction: divide by n − correction (PyTorch's default 1) */
  correction?: number;
  keepDim?: boolean;
}

/** Variance over axes, with Bessel's correction by default (like torch.var). */
export function variance(x: Tensor, axes?: Axes, options: VarOptions = {}): Tensor {
  const ax = resolveAxes('var', axes, x.ndim);
  const keepDim = options.keepDim ?? false;
  const count = numel(ax.map((a) => x.shape[a]!));
  const xf = asFloat(x);
  const centered = sub(xf, mean(xf, ax, true));
  return div(sum(square(centered), ax, keepDim), Math.max(count - (options.correction ?? 1), 0));
}

export function std(x: Tensor, axes?: Axes, options: VarOptions = {}): Tensor {
  return sqrt(variance(x, axes, options));
}

/** The maximum over axes (kept as size 1), treated as a constant, with ±∞ replaced by 0: a row
 * whose max is infinite would otherwise give ∞ − ∞ = NaN, and shifting such rows by 0 is exact. */
function stableShift(x: Tensor, axes: readonly number[]): Tensor {
  const m = max(x.detach(), axes, true);
  return where(eq(m, Infinity), 0, where(eq(m, -Infinity), 0, m));
}

/** x − max(x) over axes (the max held constant): the numerically safe input of exp. */
export function shiftByMax(x: Tensor, axes?: Axes): Tensor {
  const xf = asFloat(x);
  return sub(xf, stableShift(xf, resolveAxes('softmax', axes, x.ndim)));
}

/** log Σ exp(x) over axes, stable: the maximum is subtracted first (and rows of −∞ stay −∞). */
export function logSumExp(x: Tensor, axes?: Axes, keepDim = false): Tensor {
  const ax = resolveAxes('logSumExp', axes, x.ndim);
  const xf = asFloat(x);
  const m = stableShift(xf, ax);
  const lse = add(log(sum(exp(sub(xf, m)), ax, true)), m);
  return keepDim ? lse : reshape(lse, reducedShape(x.shape, ax, false));
}


