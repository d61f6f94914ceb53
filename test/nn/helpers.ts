import { Tensor } from '../../src/tensor/tensor.js';
import { Module, Parameter } from '../../src/nn/module.js';

/**
 * Converts a module's parameters and buffers to float64 in place, for gradcheck: each parameter is
 * re-registered as a float64 Parameter and the field that held it (e.g. `conv.weight`) is updated.
 * NOTE: Module has no `.to(dtype)` yet; this is the test-only stand-in.
 */
export function toFloat64<M extends Module>(model: M): M {
  for (const m of model.modules()) {
    const fields = m as unknown as Record<string, unknown>;
    for (const [name, p] of m.namedParameters()) {
      if (name.includes('.')) continue;
      const q = new Parameter(new Tensor(Float64Array.from(p.toTypedArray()), p.shape), p.requiresGrad);
      m.registerParameter(name, q);
      for (const key of Object.keys(fields)) if (fields[key] === p) fields[key] = q;
    }
    for (const [name, b] of m.namedBuffers()) {
      if (name.includes('.') || b.dtype !== 'float32') continue;
      m.setBuffer(name, new Tensor(Float64Array.from(b.toTypedArray()), b.shape));
    }
  }
  return model;
}

/** Distinct values in random order (no ties, so max/min pooling is differentiable at the point). */
export function distinct(shape: number[], seed = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const idx = Array.from({ length: n }, (_, i) => i);
  let s = seed >>> 0;
  const r = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return new Tensor(Float64Array.from(idx, (v) => (v - n / 2) / n), shape);
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-6, what = 'value'): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} ≠ ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)))) throw new Error(`${what}[${i}]: got ${a}, expected ${e}`);
  }
}
