import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nv from '../../src/index.js';

// Errors name the op and what was wrong, and leave nothing half-updated.

const throwsMatching = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: Error) => {
  assert.match(e.message, re);
  assert.ok(e instanceof nv.NervaError, `expected a NervaError, got ${e.constructor.name}`);
  return true;
});

test('matmul names both shapes and the inner sizes', () => {
  throwsMatching(() => nv.matmul(nv.zeros([64, 100]), nv.zeros([120, 84])), /^matmul: cannot multiply \(64×100\) by \(120×84\): inner sizes 100 and 120 differ$/);
});

test('broadcasting mismatch names the op and both shapes', () => {
  throwsMatching(() => nv.add(nv.zeros([2, 3]), nv.zeros([4])), /add: shapes \[2, 3\] and \[4\] cannot be broadcast/);
});

test('index out of range names the index and the size', () => {
  throwsMatching(() => nv.indexSelect(nv.zeros([3, 2]), 0, nv.tensor([5], { dtype: 'int32' })), /index 5 is out of range for dimension 0 of size 3/);
  throwsMatching(() => nv.zeros([2, 3]).at(0, 3), /index 3 is out of range for dimension 1 with size 3/);
  throwsMatching(() => nv.sum(nv.zeros([2]), 1), /dimension 1 is out of range for a tensor with 1 dimension/);
  throwsMatching(() => nv.crossEntropy(nv.zeros([2, 3]), nv.tensor([0, 3], { dtype: 'int32' })), /target 3 is out of range for 3 classes/);
});

test('wrong dtype says which was expected', () => {
  throwsMatching(() => nv.indexSelect(nv.zeros([3]), 0, nv.tensor([1])), /index must be an int32 tensor, got dtype float32/);
  throwsMatching(() => nv.matmul(nv.zeros([2, 2], { dtype: 'int32' }), nv.zeros([2, 2])), /expected floating-point tensors/);
  throwsMatching(() => { nv.zeros([2], { dtype: 'int32' }).requiresGrad = true; }, /only floating-point tensors can require gradients/);
});

test('reshape, conv2d and pooling shape errors are specific', () => {
  throwsMatching(() => nv.reshape(nv.zeros([6]), [4, -1]), /reshape: shape \[4, -1\] is invalid for input of size 6/);
  throwsMatching(() => nv.conv2d(nv.zeros([1, 3, 8, 8]), nv.zeros([4, 2, 3, 3])), /input has 3 channels .* expects 2/);
  throwsMatching(() => nv.conv2d(nv.zeros([1, 1, 2, 2]), nv.zeros([1, 1, 3, 3])), /too small for kernel 3×3/);
  throwsMatching(() => nv.conv2d(nv.zeros([1, 1, 5, 5]), nv.zeros([1, 1, 3, 3]), null, { stride: 0 }), /stride must be a positive integer/);
  throwsMatching(() => nv.maxPool2d(nv.zeros([1, 1, 2, 2]), 3), /too small for a 3×3 window/);
  throwsMatching(() => nv.cat([nv.zeros([2, 3]), nv.zeros([2, 4])], 0), /cat: tensor 1 has shape \[2, 4\]/);
});

test('backward on a non-scalar without a gradient explains itself', () => {
  const x = nv.zeros([3], { requiresGrad: true });
  throwsMatching(() => nv.mul(x, 2).backward(), /gradient can be implicitly created only for one-element outputs/);
  throwsMatching(() => nv.zeros([1]).backward(), /does not require grad/);
});

test('a failing op leaves its inputs untouched', () => {
  const x = nv.tensor([1, 2, 3], { requiresGrad: true });
  assert.throws(() => nv.add(x, nv.zeros([2])));
  assert.deepEqual(x.toArray(), [1, 2, 3]);
  assert.equal(x.grad, null);
});
