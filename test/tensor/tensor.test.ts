import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nv from '../../src/index.js';

test('creation: shapes, dtypes and values', () => {
  assert.deepEqual(nv.zeros([2, 3]).shape, [2, 3]);
  assert.equal(nv.ones([2]).dtype, 'float32');
  assert.deepEqual(nv.arange(5).toArray(), [0, 1, 2, 3, 4]);
  assert.equal(nv.arange(5).dtype, 'int32');
  assert.deepEqual(nv.arange(0, 1, 0.25).toArray(), [0, 0.25, 0.5, 0.75]);
  assert.deepEqual(nv.linspace(0, 1, 5).toArray(), [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(nv.eye(2, 3).toArray(), [[1, 0, 0], [0, 1, 0]]);
  assert.deepEqual(nv.full([2], 7, { dtype: 'int32' }).toArray(), [7, 7]);
  assert.deepEqual(nv.tensor([[1, 2], [3, 4]]).shape, [2, 2]);
  assert.equal(nv.tensor(3.5).ndim, 0);
  assert.equal(nv.tensor(3.5).item(), 3.5);
});

test('manualSeed makes every random source repeatable', () => {
  nv.manualSeed(42);
  const a = [nv.rand([5]).toArray(), nv.randn([5]).toArray(), nv.randint(0, 10, [5]).toArray(), nv.randperm(6).toArray()];
  nv.manualSeed(42);
  const b = [nv.rand([5]).toArray(), nv.randn([5]).toArray(), nv.randint(0, 10, [5]).toArray(), nv.randperm(6).toArray()];
  assert.deepEqual(a, b);
  nv.manualSeed(43);
  assert.notDeepEqual(nv.rand([5]).toArray(), a[0]);
});

test('RNG state round-trips (checkpoints resume the exact stream)', () => {
  nv.manualSeed(1);
  nv.randn([3]);
  const state = nv.getRngState();
  const next = nv.randn([4]).toArray();
  nv.setRngState(JSON.parse(JSON.stringify(state)));
  assert.deepEqual(nv.randn([4]).toArray(), next);
});

test('randn has mean ≈ 0 and std ≈ 1; rand lies in [0, 1)', () => {
  nv.manualSeed(5);
  const x = nv.randn([20000]);
  assert.ok(Math.abs(nv.mean(x).item()) < 0.03);
  assert.ok(Math.abs(nv.std(x).item() - 1) < 0.03);
  const u = nv.rand([10000]);
  assert.ok(nv.min(u).item() >= 0 && nv.max(u).item() < 1);
});

test('views share storage: reshape, permute, expand, slice', () => {
  const x = nv.arange(12, undefined, 1, { dtype: 'float32' }).reshape(3, 4);
  const t = x.T;
  assert.deepEqual(t.shape, [4, 3]);
  assert.equal(t.data, x.data);
  assert.equal(t.isContiguous(), false);
  assert.deepEqual(t.contiguous().toArray(), [[0, 4, 8], [1, 5, 9], [2, 6, 10], [3, 7, 11]]);
  const s = nv.slice(x, 1, 1, 4, 2);
  assert.deepEqual(s.toArray(), [[1, 3], [5, 7], [9, 11]]);
  assert.equal(s.data, x.data);
  const e = nv.tensor([[1], [2]]).expand(2, 3);
  assert.deepEqual(e.strides, [1, 0]);
  assert.deepEqual(e.toArray(), [[1, 1, 1], [2, 2, 2]]);
  assert.deepEqual(nv.unsqueeze(nv.tensor([1, 2]), 0).shape, [1, 2]);
  assert.deepEqual(nv.squeeze(nv.zeros([1, 2, 1])).shape, [2]);
  assert.deepEqual(nv.flatten(nv.zeros([2, 3, 4]), 1).shape, [2, 12]);
});

test('broadcasting follows PyTorch', () => {
  const a = nv.tensor([[1], [2], [3]]);
  const b = nv.tensor([10, 20]);
  assert.deepEqual(nv.add(a, b).toArray(), [[11, 21], [12, 22], [13, 23]]);
  assert.deepEqual(nv.mul(nv.tensor([1, 2, 3]), 2).toArray(), [2, 4, 6]);
  assert.deepEqual(nv.sub(1, nv.tensor([1, 2])).toArray(), [0, -1]);
});

test('dtype promotion: int + float → float, int / int → float, comparisons → bool', () => {
  const i = nv.tensor([1, 2, 3], { dtype: 'int32' });
  assert.equal(nv.add(i, 1).dtype, 'int32');
  assert.equal(nv.add(i, 0.5).dtype, 'float32');
  assert.equal(nv.div(i, 2).dtype, 'float32');
  assert.deepEqual(nv.div(i, 2).toArray(), [0.5, 1, 1.5]);
  assert.equal(nv.gt(i, 1).dtype, 'bool');
  assert.deepEqual(nv.gt(i, 1).toArray(), [0, 1, 1]);
  assert.equal(nv.add(nv.tensor([1], { dtype: 'float64' }), nv.tensor([1])).dtype, 'float64');
});

test('reductions over any axes with keepDim', () => {
  const x = nv.arange(24, undefined, 1, { dtype: 'float32' }).reshape(2, 3, 4);
  assert.equal(nv.sum(x).item(), 276);
  assert.deepEqual(nv.sum(x, [0, 2]).toArray(), [60, 92, 124]);
  assert.deepEqual(nv.sum(x, [0, 2], true).shape, [1, 3, 1]);
  assert.deepEqual(nv.max(x, -1).shape, [2, 3]);
  assert.deepEqual(nv.argmax(x, 1).toArray(), [[2, 2, 2, 2], [2, 2, 2, 2]]);
  assert.equal(nv.argmin(nv.tensor([3, 1, 2])).item(), 1);
  assert.deepEqual(nv.mean(x, 2).toArray(), [[1.5, 5.5, 9.5], [13.5, 17.5, 21.5]]);
  assert.ok(Math.abs(nv.variance(nv.tensor([1, 2, 3, 4])).item() - 5 / 3) < 1e-6);
  assert.ok(Math.abs(nv.logSumExp(nv.tensor([1000, 1000])).item() - (1000 + Math.log(2))) < 1e-3);
  assert.equal(nv.logSumExp(nv.tensor([-Infinity, -Infinity])).item(), -Infinity);
});

test('movement: cat, stack, split, chunk, pad, gather, indexSelect, oneHot', () => {
  const a = nv.tensor([[1, 2]]);
  const b = nv.tensor([[3, 4]]);
  assert.deepEqual(nv.cat([a, b], 0).toArray(), [[1, 2], [3, 4]]);
  assert.deepEqual(nv.stack([a, b], 2).shape, [1, 2, 2]);
  assert.deepEqual(nv.split(nv.arange(5), 2).map((t) => t.toArray()), [[0, 1], [2, 3], [4]]);
  assert.equal(nv.chunk(nv.arange(6), 3).length, 3);
  assert.deepEqual(nv.pad(nv.tensor([[1]]), [1, 0, 0, 1], 9).toArray(), [[9, 1], [9, 9]]);
  const idx = nv.tensor([[0, 0], [1, 0]], { dtype: 'int32' });
  assert.deepEqual(nv.gather(nv.tensor([[1, 2], [3, 4]]), 1, idx).toArray(), [[1, 1], [4, 3]]);
  assert.deepEqual(nv.indexSelect(nv.tensor([[1, 2], [3, 4], [5, 6]]), 0, nv.tensor([2, 0], { dtype: 'int32' })).toArray(), [[5, 6], [1, 2]]);
  assert.deepEqual(nv.oneHot(nv.tensor([0, 2], { dtype: 'int32' }), 3).toArray(), [[1, 0, 0], [0, 0, 1]]);
});

test('printing looks like PyTorch', () => {
  assert.equal(nv.tensor([[1, 2], [3, 4]]).toString(), 'tensor([[1., 2.],\n        [3., 4.]])');
  assert.equal(nv.tensor([0.5, 1.25]).toString(), 'tensor([0.5000, 1.2500])');
  assert.equal(nv.tensor([1, 2], { dtype: 'int32' }).toString(), 'tensor([1, 2])');
  assert.equal(nv.tensor(2, { requiresGrad: true }).toString(), 'tensor(2., requiresGrad=true)');
  assert.match(nv.zeros([2000]).toString(), /\.\.\./);
});

test('autograd: accumulation into leaves, detach, noGrad, explicit gradient', () => {
  const x = nv.tensor([1, 2, 3], { requiresGrad: true });
  nv.sum(nv.mul(x, x)).backward();
  nv.sum(nv.mul(x, x)).backward();
  assert.deepEqual(x.grad!.toArray(), [4, 8, 12]); // two backward passes accumulate
  x.grad = null;
  const y = nv.mul(x, 2);
  y.backward(nv.tensor([1, 0, 1]));
  assert.deepEqual(x.grad!.toArray(), [2, 0, 2]);
  assert.equal(nv.mul(x.detach(), 2).requiresGrad, false);
  assert.equal(nv.noGrad(() => nv.mul(x, 2)).requiresGrad, false);
  // A tensor used twice gets both gradients.
  x.grad = null;
  nv.sum(nv.add(nv.mul(x, 3), nv.exp(x))).backward();
  assert.ok(Math.abs(x.grad!.at(0) - (3 + Math.E)) < 1e-5);
});

test('autograd survives very long chains (an unrolled RNN) without stack overflow', () => {
  const w = nv.tensor([0.999], { requiresGrad: true });
  let h = nv.tensor([1]);
  for (let i = 0; i < 20000; i++) h = nv.mul(h, w);
  nv.sum(h).backward();
  assert.ok(Math.abs(w.grad!.item() - 20000 * 0.999 ** 19999) / w.grad!.item() < 1e-3);
});
