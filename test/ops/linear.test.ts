import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nv from '../../src/index.js';
import { assertTensorClose } from '../helpers/assert.js';

// The fused linear primitive (bias as the GEMM's starting C) against matmul + add on odd shapes,
// with and without bias, on views, forward and backward; and its errors.

nv.manualSeed(31);

for (const [xs, out] of [[[7], 3], [[5, 9], 13], [[2, 3, 6], 1], [[1, 1], 4], [[0, 4], 3]] as [number[], number][]) {
  for (const withBias of [true, false]) {
    test(`linear x=[${xs}] out=${out}${withBias ? '' : ' no bias'}: equals x·wᵀ + b, gradients too`, () => {
      const k = xs[xs.length - 1]!;
      const x = nv.randn(xs).detach().requiresGrad_(), w = nv.randn([out, k]).detach().requiresGrad_();
      const b = withBias ? nv.randn([out]).detach().requiresGrad_() : null;
      const g = nv.randn([...xs.slice(0, -1), out]);
      const y = nv.linear(x, w, b);
      y.backward(g);
      const grads = [x.grad, w.grad, b?.grad ?? null];
      for (const t of [x, w, b]) if (t) t.grad = null;
      const yc = b === null ? nv.matmul(x, nv.transpose(w)) : nv.add(nv.matmul(x, nv.transpose(w)), b);
      yc.backward(g);
      assertTensorClose(y, yc, 1e-5, 'output');
      assertTensorClose(grads[0]!, x.grad!, 1e-5, 'input gradient');
      assertTensorClose(grads[1]!, w.grad!, 1e-5, 'weight gradient');
      if (b !== null) assertTensorClose(grads[2]!, b.grad!, 1e-5, 'bias gradient');
    });
  }
}

test('linear: a permuted (non-contiguous) input gives the same result as its contiguous copy', () => {
  const x = nv.randn([4, 3, 6]), w = nv.randn([5, 6]), b = nv.randn([5]);
  const view = nv.transpose(x, 0, 1);
  assertTensorClose(nv.linear(view, w, b), nv.linear(nv.contiguous(view), w, b), 0, 'view');
});

test('linear: wrong shapes and dtypes are named', () => {
  assert.throws(() => nv.linear(nv.zeros([2, 3]), nv.zeros([4, 5])), /linear: input \(2×3\) must end in 5 features for weight \(4×5\)/);
  assert.throws(() => nv.linear(nv.zeros([2, 5]), nv.zeros([4, 5]), nv.zeros([3])), /linear: bias must be \(4\)/);
  assert.throws(() => nv.linear(nv.zeros([2, 5]), nv.zeros([5])), /linear: weight must be 2-D/);
  assert.throws(() => nv.linear(nv.zeros([2, 5], { dtype: 'int32' }), nv.zeros([4, 5])), /linear: expected floating-point tensors, got int32/);
});
