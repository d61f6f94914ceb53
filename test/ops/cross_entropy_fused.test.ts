import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nv from '../../src/index.js';
import type { Tensor } from '../../src/index.js';

// crossEntropy's fused softmax + NLL path (float logits, class indices, no smoothing) against the
// composed nllLoss(logSoftmax(x)), values and gradients, and by gradcheck in float64.

nv.manualSeed(3);

function assertClose(actual: Tensor, expected: Tensor, tol: number, what: string): void {
  assert.deepEqual(actual.shape, expected.shape, what);
  const a = actual.toTypedArray();
  const e = expected.toTypedArray();
  for (let i = 0; i < a.length; i++) {
    const ok = Number.isNaN(e[i]!) ? Number.isNaN(a[i]!) : Math.abs(a[i]! - e[i]!) <= tol * (1 + Math.abs(e[i]!));
    assert.ok(ok, `${what}: element ${i} is ${a[i]}, expected ${e[i]}`);
  }
}

const cases: { shape: number[]; tshape: number[] }[] = [
  { shape: [7, 5], tshape: [7] },
  { shape: [1, 3], tshape: [1] },
  { shape: [4, 6, 3], tshape: [4, 3] },
  { shape: [2, 4, 3, 2], tshape: [2, 3, 2] },
  { shape: [9], tshape: [] },
];

for (const dtype of ['float32', 'float64'] as const) {
  for (const reduction of ['mean', 'sum', 'none'] as const) {
    test(`fused crossEntropy (${dtype}, ${reduction}) equals logSoftmax + nllLoss, with and without ignored targets`, () => {
      const tol = dtype === 'float32' ? 1e-5 : 1e-12;
      for (const { shape, tshape } of cases) {
        for (const ignore of [false, true]) {
          const classes = shape.length === 1 ? shape[0]! : shape[1]!;
          const target = nv.randint(0, classes, tshape);
          if (ignore && target.size > 1) target.data[1] = -100; //, the default ignoreIndex
          const x0 = nv.mul(nv.randn(shape, { dtype }), 4).detach();
          const x1 = x0.clone().detach().requiresGrad_();
          const x2 = x0.clone().detach().requiresGrad_();
          const fused = nv.crossEntropy(x1, target, { reduction });
          const composed = nv.nllLoss(nv.logSoftmax(x2, shape.length === 1 ? 0 : 1), target, { reduction });
          const what = `${JSON.stringify(shape)} ignore=${ignore}`;
          assertClose(fused, composed, tol, `loss ${what}`);
          const gy = nv.randn(fused.shape, { dtype });
          fused.backward(gy);
          composed.backward(gy);
          assertClose(x1.grad!, x2.grad!, tol, `grad ${what}`);
        }
      }
    });
  }
}

test('fused crossEntropy: all targets ignored gives NaN for mean, like the composed loss', () => {
  const x = nv.randn([3, 4]);
  const t = nv.full([3], -100, { dtype: 'int32' });
  assert.ok(Number.isNaN(nv.crossEntropy(x, t).item()));
  assert.ok(Number.isNaN(nv.nllLoss(nv.logSoftmax(x, 1), t).item()));
  assert.equal(nv.crossEntropy(x, t, { reduction: 'sum' }).item(), 0);
});

test('fused crossEntropy is stable for large logits and passes gradcheck in float64', () => {
  const big = nv.tensor([[1000, 0, -1000], [-1e4, 1e4, 0]]);
  const loss = nv.crossEntropy(big, nv.tensor([1, 1], { dtype: 'int32' }), { reduction: 'none' });
  assertClose(loss, nv.tensor([1000, 0]), 1e-6, 'large logits');
  const x = nv.randn([5, 4], { dtype: 'float64' }).requiresGrad_();
  const t = nv.tensor([0, 3, 1, 1, 2], { dtype: 'int32' });
  const r = nv.gradcheck((xi) => nv.crossEntropy(xi, t, { reduction: 'none' }), [x]);
  assert.ok(r.maxAbsError < 1e-6, `max error ${r.maxAbsError}`);
  const r2 = nv.gradcheck((xi) => nv.crossEntropy(nv.mul(xi, xi), t), [x]);
  assert.ok(r2.maxAbsError < 1e-6, `max error ${r2.maxAbsError}`);
});

test('fused crossEntropy still rejects out-of-range targets by name', () => {
  assert.throws(() => nv.crossEntropy(nv.randn([2, 3]), nv.tensor([0, 3], { dtype: 'int32' })), /crossEntropy: target 3 is out of range for 3 classes/);
});
