import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nv from '../../src/index.js';

// The classic textbook examples must hold exactly.

test('vertical-edge kernel on the 5×5 example gives 6 at the top-left', () => {
  const image = nv.tensor([[7, 2, 3, 3, 8], [4, 5, 3, 8, 4], [3, 3, 2, 8, 4], [2, 8, 7, 2, 7], [5, 4, 4, 5, 4]]).reshape(1, 1, 5, 5);
  const kernel = nv.tensor([[1, 0, -1], [1, 0, -1], [1, 0, -1]]).reshape(1, 1, 3, 3);
  const out = nv.conv2d(image, kernel);
  assert.deepEqual(out.shape, [1, 1, 3, 3]);
  assert.equal(out.at(0, 0, 0, 0), 6);
  assert.deepEqual(out.reshape(3, 3).toArray(), [[6, -9, -8], [-3, -2, -3], [-3, 0, -2]]);
});

test('3×3 max pooling with stride 1 on the 5×5 example', () => {
  const x = nv.tensor([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]]).reshape(1, 1, 5, 5);
  assert.deepEqual(nv.maxPool2d(x, 3, { stride: 1 }).reshape(3, 3).toArray(), [[3, 3, 3], [3, 3, 3], [3, 2, 3]]);
});

test('min pooling is −maxPool(−x) and average pooling averages', () => {
  const x = nv.tensor([[1, 2], [3, 4]]).reshape(1, 1, 2, 2);
  assert.equal(nv.minPool2d(x, 2).item(), 1);
  assert.equal(nv.avgPool2d(x, 2).item(), 2.5);
});

test('stride and zero padding: output size ⌊(n + 2p − k)/s⌋ + 1', () => {
  const x = nv.ones([1, 1, 7, 7]);
  const w = nv.ones([1, 1, 3, 3]);
  assert.deepEqual(nv.conv2d(x, w, null, { stride: 2, padding: 1 }).shape, [1, 1, 4, 4]);
  // A corner window sees 2×2 real pixels and 5 zeros.
  assert.equal(nv.conv2d(x, w, null, { stride: 2, padding: 1 }).at(0, 0, 0, 0), 4);
});
