import assert from 'node:assert/strict';
import type { Tensor } from '../../src/index.js';

/** Elementwise |a − b| ≤ atol + rtol·|b| with the first offending index in the message. */
export function assertClose(actual: Tensor | ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5, atol = 1e-5, what = 'values'): void {
  const a = 'toTypedArray' in actual ? (actual as Tensor).toTypedArray() : actual;
  assert.equal(a.length, expected.length, `${what}: length ${a.length} vs expected ${expected.length}`);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = expected[i]!;
    if (Number.isNaN(y) && Number.isNaN(x)) continue;
    if (x === y) continue;
    if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) {
      assert.fail(`${what}: element ${i} is ${x}, expected ${y} (diff ${Math.abs(x - y).toExponential(2)})`);
    }
  }
}

/** Same shape, and every element within tol·(1 + |expected|) (a NaN anywhere fails). */
export function assertTensorClose(actual: Tensor, expected: Tensor, tol: number, what: string): void {
  assert.deepEqual(actual.shape, expected.shape, what);
  const a = actual.toTypedArray();
  const e = expected.toTypedArray();
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i]! - e[i]!) <= tol * (1 + Math.abs(e[i]!)), `${what}: element ${i} is ${a[i]}, expected ${e[i]}`);
  }
}
