import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nv from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { batchNorm, batchNormWithStats } from '../../src/ops/batchnorm.js';
import { assertTensorClose } from '../helpers/assert.js';

// The batchNorm primitive against the composed formula it replaced (values and gradients), and
// by gradcheck in float64.

nv.manualSeed(5);

function composed(x: Tensor, w: Tensor | null, b: Tensor | null, eps: number): Tensor {
  const axes = [0, ...Array.from({ length: x.ndim - 2 }, (_, i) => i + 2)];
  const bshape = [1, x.shape[1]!, ...new Array<number>(x.ndim - 2).fill(1)];
  const m = nv.mean(x, axes, true);
  const centered = nv.sub(x, m);
  const v = nv.mean(nv.square(centered), axes, true);
  let scale = nv.rsqrt(nv.add(v, eps));
  if (w !== null) scale = nv.mul(scale, nv.reshape(w, bshape));
  const y = nv.mul(centered, scale);
  return b !== null ? nv.add(y, nv.reshape(b, bshape)) : y;
}

const assertClose = assertTensorClose;

const shapes = [[2, 3], [5, 1, 7], [3, 4, 5, 3], [1, 2, 1, 9]];

for (const dtype of ['float32', 'float64'] as const) {
  for (const affine of [true, false]) {
    test(`batchNorm (${dtype}, affine=${affine}) equals the composed formula, values and gradients`, () => {
      const tol = dtype === 'float32' ? 2e-5 : 1e-11;
      for (const shape of shapes) {
        const c = shape[1]!;
        const what = `${JSON.stringify(shape)}`;
        // An offset mean and a larger scale, so the statistics matter.
        const x0 = nv.add(nv.mul(nv.randn(shape, { dtype }), 2.5), 1.5).detach();
        const w0 = affine ? nv.randn([c], { dtype }).detach() : null;
        const b0 = affine ? nv.randn([c], { dtype }).detach() : null;
        const gy = nv.randn(shape, { dtype });
        const leaves = (): [Tensor, Tensor | null, Tensor | null] =>
          [x0.clone().detach().requiresGrad_(), w0 && w0.clone().detach().requiresGrad_(), b0 && b0.clone().detach().requiresGrad_()];
        const [x1, w1, b1] = leaves();
        const { out, mean, variance } = batchNormWithStats(x1, w1, b1, 1e-3);
        out.backward(gy);
        const [x2, w2, b2] = leaves();
        const ref = composed(x2, w2, b2, 1e-3);
        ref.backward(gy);
        assertClose(out, ref, tol, `out ${what}`);
        assertClose(x1.grad!, x2.grad!, tol * 10, `grad x ${what}`);
        if (affine) {
          assertClose(w1!.grad!, w2!.grad!, tol * 10, `grad weight ${what}`);
          assertClose(b1!.grad!, b2!.grad!, tol * 10, `grad bias ${what}`);
        }
        const axes = [0, ...Array.from({ length: shape.length - 2 }, (_, i) => i + 2)];
        assertClose(mean, nv.mean(x0, axes), tol, `mean ${what}`);
        assertClose(variance, nv.mean(nv.square(nv.sub(x0, nv.mean(x0, axes, true))), axes), tol, `variance ${what}`);
      }
    });
  }
}

test('batchNorm passes gradcheck in float64 (x, weight, bias)', () => {
  const x = nv.randn([3, 4, 2, 3], { dtype: 'float64' }).requiresGrad_();
  const w = nv.randn([4], { dtype: 'float64' }).requiresGrad_();
  const b = nv.randn([4], { dtype: 'float64' }).requiresGrad_();
  // Weighting the output by x·x makes the loss depend on more than the normalized values' sum.
  const r = nv.gradcheck((xi, wi, bi) => nv.mul(batchNorm(xi, wi, bi, 1e-5), nv.tanh(xi)), [x, w, b]);
  assert.ok(r.maxAbsError < 1e-6, `max error ${r.maxAbsError}`);
  const r2 = nv.gradcheck((xi) => batchNorm(xi, null, null, 1e-5), [nv.randn([5, 3], { dtype: 'float64' }).requiresGrad_()]);
  assert.ok(r2.maxAbsError < 1e-6, `max error ${r2.maxAbsError}`);
});

test('batchNorm reads a non-contiguous input and only x needing a gradient', () => {
  const base = nv.randn([4, 3, 5]);
  const x = nv.permute(base, [2, 1, 0]).detach().requiresGrad_(); // (5, 3, 4), strided
  const gy = nv.randn([5, 3, 4]);
  batchNorm(x, nv.ones([3]), null).backward(gy);
  const x2 = nv.contiguous(x).detach().requiresGrad_();
  composed(x2, null, null, 1e-5).backward(gy);
  assertClose(x.grad!, x2.grad!, 2e-4, 'grad x');
});

test('batchNorm rejects bad shapes with a message naming them', () => {
  assert.throws(() => batchNorm(nv.randn([4]), null, null), /batchNorm: input must be \(N, C, …\), got \[4\]/);
  assert.throws(() => batchNorm(nv.randn([2, 3]), nv.ones([4]), null), /weight must have shape \(3\)/);
  assert.throws(() => batchNorm(nv.zeros([2, 3], { dtype: 'int32' }), null, null), /float32 or float64/);
});

// The fused epilogue: relu(batchNorm(x) + residual) in one op, against the three ops it replaces
// (values and every gradient, the residual's too, bit for bit on the default backend), and by
// gradcheck in float64.
test('batchNorm with a residual and relu equals relu(add(batchNorm, residual)), values and gradients', () => {
  for (const shape of [[4, 3, 5, 5], [2, 8, 33], [3, 2], [8, 16, 9, 7]]) { // the last one large enough for the wasm kernel
    const c = shape[1]!;
    const x0 = nv.randn(shape).detach(), r0 = nv.randn(shape).detach(), w0 = nv.randn([c]).detach(), b0 = nv.randn([c]).detach();
    const gy = nv.randn(shape);
    for (const withRes of [true, false]) {
      const leaves = () => [x0, r0, w0, b0].map((t) => t.clone().detach().requiresGrad_());
      const [x1, r1, w1, b1] = leaves();
      const fused = batchNormWithStats(x1!, w1!, b1!, 1e-5, { residual: withRes ? r1! : null, relu: true }).out;
      fused.backward(gy);
      const [x2, r2, w2, b2] = leaves();
      const bn = batchNorm(x2!, w2!, b2!, 1e-5);
      const separate = nv.relu(withRes ? nv.add(bn, r2!) : bn);
      separate.backward(gy);
      const what = `${JSON.stringify(shape)} residual=${withRes}`;
      assert.deepEqual(fused.toTypedArray(), separate.toTypedArray(), `out ${what}`);
      assert.deepEqual(x1!.grad!.toTypedArray(), x2!.grad!.toTypedArray(), `grad x ${what}`);
      assert.deepEqual(w1!.grad!.toTypedArray(), w2!.grad!.toTypedArray(), `grad weight ${what}`);
      assert.deepEqual(b1!.grad!.toTypedArray(), b2!.grad!.toTypedArray(), `grad bias ${what}`);
      if (withRes) assert.deepEqual(r1!.grad!.toTypedArray(), r2!.grad!.toTypedArray(), `grad residual ${what}`);
      else assert.equal(r1!.grad, null);
    }
  }
});

test('batchNorm with a residual and relu passes gradcheck in float64; a residual of the wrong shape is named', () => {
  const x = nv.randn([3, 4, 2, 3], { dtype: 'float64' }).requiresGrad_();
  const r = nv.randn([3, 4, 2, 3], { dtype: 'float64' }).requiresGrad_();
  const w = nv.randn([4], { dtype: 'float64' }).requiresGrad_();
  const b = nv.randn([4], { dtype: 'float64' }).requiresGrad_();
  const res = nv.gradcheck((xi, ri, wi, bi) => nv.mul(batchNormWithStats(xi, wi, bi, 1e-5, { residual: ri, relu: true }).out, nv.tanh(xi)), [x, r, w, b]);
  assert.ok(res.maxAbsError < 1e-6, `max error ${res.maxAbsError}`);
  assert.throws(() => batchNormWithStats(nv.randn([2, 3, 4]), null, null, 1e-5, { residual: nv.randn([2, 3, 1]) }),
    /batchNorm: residual \[2, 3, 1\] must have the input's shape \[2, 3, 4\]/);
});
