import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nv from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { assertTensorClose } from '../helpers/assert.js';

// The softmax primitive against the composed formula it replaced (max held constant, ±∞ maxima
// shifted by 0), forward and backward, on odd shapes, every axis, float32 and float64.

nv.manualSeed(23);

function composed(x: Tensor, dim: number): Tensor {
  const m = nv.max(x.detach(), dim, true);
  const shift = nv.where(nv.eq(m, Infinity), 0, nv.where(nv.eq(m, -Infinity), 0, m));
  const e = nv.exp(nv.sub(x, shift));
  return nv.div(e, nv.sum(e, dim, true));
}

for (const dtype of ['float32', 'float64'] as const) {
  for (const shape of [[7], [3, 5], [2, 1, 9], [4, 3, 2, 5], [1, 1]]) {
    for (let dim = -shape.length; dim < shape.length; dim++) {
      test(`softmax ${dtype} ${shape.join('×')} dim ${dim}: forward and backward equal the composed formula`, () => {
        const x = nv.randn(shape, { dtype }).mul(3).detach().requiresGrad_();
        const g = nv.randn(shape, { dtype });
        const y = nv.softmax(x, dim);
        y.backward(g);
        const gx = x.grad!;
        x.grad = null;
        const yc = composed(x, dim);
        yc.backward(g);
        const tol = dtype === 'float32' ? 1e-6 : 1e-12;
        assertTensorClose(y, yc, tol, 'softmax');
        assertTensorClose(gx, x.grad!, tol, 'gradient');
      });
    }
  }
}

test('softmax: −∞ entries, an all −∞ line, a +∞ line and NaN behave like the composed formula', () => {
  const x = nv.tensor([[0, -Infinity, 1], [-Infinity, -Infinity, -Infinity], [Infinity, 0, 1], [NaN, 0, 1]]);
  const got = nv.softmax(x, 1).toArray() as number[][];
  const want = composed(x, 1).toArray() as number[][];
  for (let r = 0; r < 4; r++) for (let c = 0; c < 3; c++) {
    const a = got[r]![c]!, b = want[r]![c]!;
    assert.ok(Object.is(a, b) || Math.abs(a - b) < 1e-7, `row ${r} col ${c}: ${a} vs ${b}`);
  }
  assert.deepEqual(got[0]!.map((v) => v.toFixed(6)), ['0.268941', '0.000000', '0.731059']);
});

test('softmax: integer input is read as float32; a zero-size tensor gives a zero-size result', () => {
  const y = nv.softmax(nv.tensor([1, 2, 3], { dtype: 'int32' }));
  assert.equal(y.dtype, 'float32');
  assertTensorClose(y, nv.softmax(nv.tensor([1, 2, 3])), 0, 'int input');
  assert.deepEqual(nv.softmax(nv.zeros([0, 4]), 1).shape, [0, 4]);
  assert.throws(() => nv.softmax(nv.zeros([2, 3]), 2), /softmax: dimension 2 is out of range/);
});
