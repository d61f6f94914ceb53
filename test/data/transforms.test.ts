// Image transforms on small hand-made images with known answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { Generator } from '../../src/tensor/random.js';
import { affine, centerPad, compose, normalize, randomAffine, randomCrop, randomHorizontalFlip } from '../../src/data/transforms.js';

const img = (c: number, h: number, w: number, f: (ch: number, y: number, x: number) => number) => {
  const d = new Float32Array(c * h * w);
  for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) d[(ch * h + y) * w + x] = f(ch, y, x);
  return new Tensor(d, [c, h, w]);
};
const arr = (t: Tensor) => [...t.toTypedArray()];

test('normalize per channel and scalar', () => {
  const x = img(2, 1, 2, (ch, _y, xx) => ch * 10 + xx);
  assert.deepEqual(arr(normalize([0, 10], [1, 2])(x)), [0, 1, 0, 0.5]);
  assert.deepEqual(arr(normalize(1, 0.5)(img(1, 1, 2, (_c, _y, xx) => xx))), [-2, 0]);
  assert.throws(() => normalize([0], [1])(x), /1 means and 1 stds for an image with 2 channels/);
});

test('centerPad 2×2 → 4×4 puts the image in the middle', () => {
  const y = centerPad(4)(img(1, 2, 2, () => 1));
  assert.deepEqual(y.shape, [1, 4, 4]);
  assert.deepEqual(arr(y), [0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0]);
});

test('randomCrop with padding: windows of the padded image, seeded', () => {
  const x = img(1, 3, 3, (_c, y, xx) => 1 + y * 3 + xx);
  const seen = new Set<string>();
  const t = randomCrop(3, { padding: 1, generator: new Generator(1) });
  for (let i = 0; i < 200; i++) {
    const y = t(x);
    assert.deepEqual(y.shape, [1, 3, 3]);
    seen.add(arr(y).join(','));
  }
  assert.equal(seen.size, 9); // 3 × 3 offsets
  assert.ok(seen.has('0,0,0,0,1,2,0,4,5')); // shifted down-right by one
  const again = randomCrop(3, { padding: 1, generator: new Generator(1) });
  const t2 = randomCrop(3, { padding: 1, generator: new Generator(1) });
  assert.deepEqual(arr(again(x)), arr(t2(x)));
});

test('randomHorizontalFlip mirrors rows; p=0 never, p=1 always', () => {
  const x = img(2, 2, 3, (ch, y, xx) => ch * 100 + y * 10 + xx);
  assert.deepEqual(arr(randomHorizontalFlip(1)(x)), [2, 1, 0, 12, 11, 10, 102, 101, 100, 112, 111, 110]);
  assert.deepEqual(arr(randomHorizontalFlip(0)(x)), arr(x));
});

test('affine: identity, 90° rotation, integer shift; randomAffine with zero ranges is the identity', () => {
  const x = img(1, 3, 3, (_c, y, xx) => y * 3 + xx);
  const src = x.toTypedArray() as Float32Array;
  assert.deepEqual(arr(affine(src, 1, 3, 3, 0, 0, 0, 1)), arr(x));
  // a quarter turn about the center maps the corners onto each other
  const r = arr(affine(src, 1, 3, 3, Math.PI / 2, 0, 0, 1)).map((v) => Math.round(v * 1e5) / 1e5);
  assert.deepEqual(r, [2, 5, 8, 1, 4, 7, 0, 3, 6]);
  assert.deepEqual(arr(affine(src, 1, 3, 3, 0, 1, 0, 1)), [0, 0, 1, 0, 3, 4, 0, 6, 7]);
  assert.deepEqual(arr(randomAffine()(x)), arr(x));
  const t = compose(randomAffine({ degrees: 15, translate: [0.1, 0.1], scale: [0.9, 1.1], generator: new Generator(4) }));
  const y = t(img(1, 28, 28, (_c, yy, xx) => (Math.abs(yy - 14) < 4 && Math.abs(xx - 14) < 4 ? 1 : 0)));
  const mass = arr(y).reduce((a, b) => a + b, 0);
  assert.ok(mass > 40 && mass < 80, `a small transform keeps the blob's mass near 49, got ${mass}`);
});
