import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nv from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { refBackend } from '../../src/backend/ref/index.js';
import type { UnaryBackwardOp } from '../../src/backend/backend.js';
import { assertTensorClose } from '../helpers/assert.js';

// The fused activation backward (Backend.unaryBackward and the ops that use it) against the
// composed formulas it replaced, on odd shapes, in float32 and float64.

nv.manualSeed(11);

/** gy · f'(x), written with ordinary ops (the pre-fusion backward closures). */
function composed(op: UnaryBackwardOp, g: Tensor, x: Tensor, y: Tensor, alpha: number): Tensor {
  switch (op) {
    case 'relu': return nv.mul(g, nv.gt(x, 0));
    case 'leakyRelu': return nv.where(nv.gt(x, 0), g, nv.mul(g, alpha));
    case 'tanh': return nv.mul(g, nv.sub(1, nv.square(y)));
    case 'sigmoid': return nv.mul(g, nv.mul(y, nv.sub(1, y)));
    case 'gelu': {
      const cdf = nv.mul(nv.add(nv.erf(nv.mul(x, Math.SQRT1_2)), 1), 0.5);
      const pdf = nv.mul(nv.exp(nv.mul(nv.square(x), -0.5)), 1 / Math.sqrt(2 * Math.PI));
      return nv.mul(g, nv.add(cdf, nv.mul(x, pdf)));
    }
  }
}

const forward: Record<UnaryBackwardOp, (x: Tensor, alpha: number) => Tensor> = {
  relu: (x) => nv.relu(x),
  leakyRelu: (x, a) => nv.leakyRelu(x, a),
  tanh: (x) => nv.tanh(x),
  sigmoid: (x) => nv.sigmoid(x),
  gelu: (x) => nv.gelu(x),
};

const assertClose = assertTensorClose;

const ops: UnaryBackwardOp[] = ['relu', 'leakyRelu', 'tanh', 'sigmoid', 'gelu'];
const shapes = [[1], [7], [3, 5], [2, 3, 7], [5, 1, 3, 11]];

for (const op of ops) {
  for (const dtype of ['float32', 'float64'] as const) {
    test(`${op} backward (${dtype}) equals the composed formula on odd shapes`, () => {
      const alpha = 0.13;
      const tol = dtype === 'float32' ? 1e-6 : 1e-13;
      for (const shape of shapes) {
        // Scaled so the saturated tails of tanh/sigmoid/gelu are exercised; exact zeros for relu.
        const x0 = nv.mul(nv.randn(shape, { dtype }), 3);
        x0.data[0] = 0;
        const x = x0.detach().requiresGrad_();
        const y = forward[op](x, alpha);
        const g = nv.randn(shape, { dtype });
        y.backward(g);
        const expected = nv.noGrad(() => composed(op, g, x.detach(), y.detach(), alpha));
        assertClose(x.grad!, expected, tol, `${op} ${JSON.stringify(shape)}`);
        // The kernel itself, straight from the reference backend.
        const gx = new (x.data.constructor as new (n: number) => Float32Array)(x.size);
        refBackend.unaryBackward(op, x.data as Float32Array, y.data as Float32Array, g.data as Float32Array, gx, alpha);
        assertClose(new nv.Tensor(gx, shape), expected, tol, `ref kernel ${op} ${JSON.stringify(shape)}`);
      }
    });
  }
}

test('activation backward reads a non-contiguous incoming gradient correctly', () => {
  const x = nv.randn([4, 6]).requiresGrad_();
  const y = nv.relu(x);
  const g = nv.randn([6, 4]).T; // strided view
  y.backward(g);
  const expected = nv.noGrad(() => nv.mul(nv.contiguous(g), nv.gt(x.detach(), 0)));
  assertClose(x.grad!, expected, 0, 'relu with transposed gradient');
});

test('gradients through stacked activations still pass gradcheck (float64)', () => {
  const x = nv.randn([3, 4, 5], { dtype: 'float64' }).requiresGrad_();
  const r = nv.gradcheck((t) => nv.gelu(nv.tanh(nv.leakyRelu(nv.sigmoid(t), 0.3))), [x]);
  assert.ok(r.maxAbsError < 1e-6, `max error ${r.maxAbsError}`);
});

test('relu forward: float32 (bit path) and float64 agree on special values; NaN propagates, −0 → +0', () => {
  const vals = [-0, 0, -1, 2.5, -Infinity, Infinity, NaN, 1e-45, -1e-45, 3e38, -3e38];
  const expected = [0, 0, 0, 2.5, 0, Infinity, NaN, Math.fround(1e-45), 0, Math.fround(3e38), 0];
  for (const dtype of ['float32', 'float64'] as const) {
    const y = nv.relu(nv.tensor(vals, { dtype })).toTypedArray();
    for (let i = 0; i < vals.length; i++) {
      const e = dtype === 'float64' && i === 7 ? 1e-45 : dtype === 'float64' && i === 9 ? 3e38 : expected[i]!;
      assert.ok(Object.is(y[i], e), `${dtype} relu(${vals[i]}) is ${y[i]}, expected ${e}`);
    }
  }
  // A view at an offset goes through the same path.
  const big = nv.randn([5, 7]);
  const view = nv.narrow(big, 0, 1, 3);
  const r = nv.relu(view).toTypedArray();
  const src = nv.contiguous(view).toTypedArray();
  for (let i = 0; i < r.length; i++) assert.equal(r[i], src[i]! > 0 ? src[i] : 0);
});
