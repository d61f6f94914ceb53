import { Tensor } from '../tensor/tensor.js';
import { Generator } from '../tensor/random.js';
import { NervaError } from '../errors.js';
import { backward } from './tape.js';
import { noGrad } from './grad_mode.js';

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  seed?: number;
}

export interface GradcheckResult {
  maxAbsError: number;
  maxRelError: number;
}

/**
 * Compares autograd's gradients with central differences, in float64. `fn` maps the inputs to one
 * tensor; the scalar checked is Σ fn(inputs)·R for a fixed random R, so every output element and
 * every input element is exercised. Inputs must be float64 tensors with requiresGrad set.
 * Throws with the first mismatching element; returns the largest errors seen.
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], options: GradcheckOptions = {}): GradcheckResult {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-4;
  for (const [i, t] of inputs.entries()) {
    if (t.dtype !== 'float64') throw new NervaError(`gradcheck: input ${i} must be float64, got ${t.dtype}`);
  }
  const gen = new Generator(options.seed ?? 1234);
  const probe = fn(...inputs);
  const r = new Float64Array(probe.size);
  for (let i = 0; i < r.length; i++) r[i] = gen.normal();
  const weigh = (y: Tensor): number => {
    const d = y.toTypedArray();
    let s = 0;
    for (let i = 0; i < d.length; i++) s += d[i]! * r[i]!;
    return s;
  };
  for (const t of inputs) t.grad = null;
  const out = fn(...inputs);
  if (out.requiresGrad) backward(out, new Tensor(Float64Array.from(r), out.shape));
  let maxAbsError = 0;
  let maxRelError = 0;
  for (const [i, t] of inputs.entries()) {
    if (!t.requiresGrad) continue;
    const analytic = t.grad?.toTypedArray() ?? new Float64Array(t.size);
    // Perturb the underlying storage of each element of t (t may be a view).
    const positions = elementPositions(t);
    for (let j = 0; j < positions.length; j++) {
      const p = positions[j]!;
      const orig = t.data[p]!;
      t.data[p] = orig + eps;
      const plus = noGrad(() => weigh(fn(...inputs)));
      t.data[p] = orig - eps;
      const minus = noGrad(() => weigh(fn(...inputs)));
      t.data[p] = orig;
      const numeric = (plus - minus) / (2 * eps);
      const a = analytic[j]!;
      const err = Math.abs(a - numeric);
      maxAbsError = Math.max(maxAbsError, err);
      maxRelError = Math.max(maxRelError, err / Math.max(Math.abs(numeric), 1e-12));
      if (!(err <= atol + rtol * Math.abs(numeric))) {
        throw new Error(`gradcheck: input ${i}, element ${j}: autograd gives ${a}, central difference gives ${numeric} (error ${err.toExponential(2)})`);
      }
    }
  }
  return { maxAbsError, maxRelError };
}

function elementPositions(t: Tensor): number[] {
  const out: number[] = [];
  const idx = new Array<number>(t.ndim).fill(0);
  for (let n = 0; n < t.size; n++) {
    let p = t.offset;
    for (let d = 0; d < t.ndim; d++) p += idx[d]! * t.strides[d]!;
    out.push(p);
    for (let d = t.ndim - 1; d >= 0; d--) {
      if (++idx[d]! < t.shape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}
