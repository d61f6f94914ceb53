// Classic filters against an independent per-pixel computation: the expected kernels are written
// out here from the textbook (not read back from src/vision/kernels.ts), and every output pixel is
// computed by the definition y[i][j] = Σ K[a][b]·x[i·s − top + a][j·s − left + b], with the border
// rule of each padding mode applied to the index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { sum } from '../../src/ops/reduce.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { setBackend } from '../../src/backend/index.js';
import '../../src/backend/wasm/index.js';
import {
  applyFilter, filterPipeline, mapForDisplay, namedFilter, parseKernelMatrix, poolImage, resolveFilter,
  KERNEL_NAMES, type PaddingMode, type PoolKind,
} from '../../src/vision/filters.js';
import { NervaError } from '../../src/errors.js';
import { mulberry32 } from '../helpers/random.js';

type M = number[][];

const rng = mulberry32;

const T = (m: M): M => m[0]!.map((_, j) => m.map((r) => r[j]!));
const gauss2d = (k: number, sigma: number): M => {
  // exp(−(dx² + dy²)/2σ²) normalized over the whole square (the 2-D form, not the separable one).
  const c = (k - 1) / 2;
  const m = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => Math.exp(-((i - c) ** 2 + (j - c) ** 2) / (2 * sigma * sigma))));
  const s = m.flat().reduce((a, b) => a + b, 0);
  return m.map((r) => r.map((v) => v / s));
};
const delta = (k: number): M => Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === (k - 1) / 2 && j === (k - 1) / 2 ? 1 : 0)));

const SOBEL: M = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]];
const PREWITT: M = [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]];
const SCHARR: M = [[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]];

/** The textbook kernels: one matrix, or two for a gradient magnitude. */
const EXPECTED: Record<string, M[]> = {
  identity: [delta(3)],
  box: [Array.from({ length: 3 }, () => [1 / 9, 1 / 9, 1 / 9])],
  gaussian: [gauss2d(7, 1)],
  sharpen: [[[0, -1, 0], [-1, 5, -1], [0, -1, 0]]],
  unsharp: [gauss2d(7, 1).map((r, i) => r.map((v, j) => 2 * delta(7)[i]![j]! - v))],
  emboss: [[[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]],
  outline: [[[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]],
  laplacian: [[[0, 1, 0], [1, -4, 1], [0, 1, 0]]],
  'sobel-x': [SOBEL], 'sobel-y': [T(SOBEL)], sobel: [SOBEL, T(SOBEL)],
  'prewitt-x': [PREWITT], 'prewitt-y': [T(PREWITT)], prewitt: [PREWITT, T(PREWITT)],
  'scharr-x': [SCHARR], 'scharr-y': [T(SCHARR)], scharr: [SCHARR, T(SCHARR)],
  'vertical-edge': [[[1, 0, -1], [1, 0, -1], [1, 0, -1]]],
  'horizontal-edge': [[[1, 1, 1], [0, 0, 0], [-1, -1, -1]]],
};

/** A pixel of a C×H×W image (flat) under a padding rule; null = outside with zeros. */
function fetch(img: Float64Array, h: number, w: number, c: number, i: number, j: number, mode: PaddingMode): number {
  const fix = (v: number, n: number): number | null => {
    if (v >= 0 && v < n) return v;
    if (mode === 'same' || mode === 'replicate') return v < 0 ? 0 : n - 1;
    if (mode === 'reflect') return v < 0 ? -v : 2 * n - 2 - v;
    return null; // zero padding (valid never reaches outside)
  };
  const ii = fix(i, h), jj = fix(j, w);
  return ii === null || jj === null ? 0 : img[(c * h + ii) * w + jj]!;
}

/** Direct per-pixel filtering of one image (C, H, W): returns [C, H_out, W_out, values]. */
function direct(img: Float64Array, c: number, h: number, w: number, kernels: M[], stride: [number, number], mode: PaddingMode): { oh: number; ow: number; out: Float64Array } {
  const kh = kernels[0]!.length, kw = kernels[0]![0]!.length;
  let top: number, left: number, ph: number, pw: number;
  if (mode === 'valid') { top = 0; left = 0; ph = h; pw = w; }
  else if (typeof mode === 'number') { top = mode; left = mode; ph = h + 2 * mode; pw = w + 2 * mode; }
  else { top = Math.floor((kh - 1) / 2); left = Math.floor((kw - 1) / 2); ph = h + kh - 1; pw = w + kw - 1; }
  const oh = Math.floor((ph - kh) / stride[0]) + 1;
  const ow = Math.floor((pw - kw) / stride[1]) + 1;
  const out = new Float64Array(c * oh * ow);
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const vals = kernels.map((K) => {
          let s = 0;
          for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) s += K[a]![b]! * fetch(img, h, w, ch, i * stride[0] - top + a, j * stride[1] - left + b, mode);
          return s;
        });
        out[(ch * oh + i) * ow + j] = vals.length === 1 ? vals[0]! : Math.hypot(...vals);
      }
    }
  }
  return { oh, ow, out };
}

function randomImage(c: number, h: number, w: number, seed: number): { x: Tensor; data: Float64Array } {
  const r = rng(seed);
  const data = new Float64Array(c * h * w);
  for (let i = 0; i < data.length; i++) data[i] = r();
  return { x: new Tensor(Float32Array.from(data), [1, c, h, w]), data };
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (d > tol * (1 + Math.abs(expected[i]!))) assert.fail(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

const PADDINGS: PaddingMode[] = ['zero', 'same', 'reflect', 'valid', 1];
const STRIDES: [number, number][] = [[1, 1], [2, 2], [3, 2]];

test('every named kernel has its textbook weights', () => {
  assert.deepEqual([...KERNEL_NAMES].sort(), Object.keys(EXPECTED).sort());
  for (const name of KERNEL_NAMES) {
    const spec = namedFilter(name);
    assert.equal(spec.kernels.length, EXPECTED[name]!.length, name);
    spec.kernels.forEach((k, i) => assertClose(k.flat(), EXPECTED[name]![i]!.flat(), 1e-12, name));
  }
});

for (const backend of ['ref', 'wasm'] as const) test(`every named kernel × padding × stride equals the direct per-pixel computation (C=2, 7×8, ${backend})`, () => {
  setBackend(backend);
  const [c, h, w] = [2, 7, 8];
  const { x, data } = randomImage(c, h, w, 7);
  for (const name of KERNEL_NAMES) {
    for (const padding of PADDINGS) {
      for (const stride of STRIDES) {
        const y = applyFilter(x, namedFilter(name), { stride, padding });
        const ref = direct(data, c, h, w, EXPECTED[name]!, stride, padding);
        const what = `${name} padding=${padding} stride=${stride.join('×')}`;
        assert.deepEqual(y.shape, [1, c, ref.oh, ref.ow], what);
        assertClose(y.toTypedArray(), ref.out, 2e-5, what);
      }
    }
  }
  setBackend('ref');
});

test('sized kernels (box 4, gaussian 5 σ=0.8, even gaussian 4, identity 5, unsharp amount 2) match the direct computation', () => {
  const [c, h, w] = [3, 9, 6];
  const { x, data } = randomImage(c, h, w, 11);
  const cases: [string, Parameters<typeof namedFilter>[1], M][] = [
    ['box', { size: 4 }, Array.from({ length: 4 }, () => new Array<number>(4).fill(1 / 16))],
    ['gaussian', { size: 5, sigma: 0.8 }, gauss2d(5, 0.8)],
    ['gaussian', { size: 4, sigma: 1.5 }, gauss2d(4, 1.5)],
    ['gaussian', { sigma: 0.5 }, gauss2d(5, 0.5)], // size 2·⌈3σ⌉+1 = 5
    ['identity', { size: 5 }, delta(5)],
    ['unsharp', { size: 5, sigma: 1, amount: 2 }, gauss2d(5, 1).map((r, i) => r.map((v, j) => 3 * delta(5)[i]![j]! - 2 * v))],
  ];
  for (const [name, params, K] of cases) {
    for (const padding of PADDINGS) {
      for (const stride of STRIDES) {
        const what = `${name} ${JSON.stringify(params)} padding=${padding} stride=${stride.join('×')}`;
        const y = applyFilter(x, namedFilter(name, params), { stride, padding });
        const ref = direct(data, c, h, w, [K], stride, padding);
        assert.deepEqual(y.shape, [1, c, ref.oh, ref.ow], what);
        assertClose(y.toTypedArray(), ref.out, 2e-5, what);
      }
    }
  }
});

test('a user matrix kernel (non-square, fractions) matches the direct computation', () => {
  const spec = resolveFilter('[[1/2, -1, 0.25], [2, 0, -3e-1]]');
  assert.deepEqual(spec.kernels[0], [[0.5, -1, 0.25], [2, 0, -0.3]]);
  assert.equal(spec.mapping, 'clip'); // sums to 1.45
  assert.equal(resolveFilter('[[1,-1]]').mapping, 'abs'); // sums to 0: an edge map
  const { x, data } = randomImage(1, 5, 6, 3);
  for (const padding of PADDINGS) {
    const y = applyFilter(x, spec, { stride: [1, 2], padding });
    const ref = direct(data, 1, 5, 6, spec.kernels, [1, 2], padding);
    assertClose(y.toTypedArray(), ref.out, 2e-5, `matrix padding=${padding}`);
  }
});

test('Sobel magnitude of a step edge: zero away from the edge, maximal on it', () => {
  // Columns 0–5 black, 6–11 white; 'same' padding so the image border adds no edge of its own.
  const [h, w] = [6, 12];
  const data = new Float32Array(h * w).map((_, i) => (i % w >= 6 ? 1 : 0));
  const x = new Tensor(data, [1, 1, h, w]);
  const y = applyFilter(x, namedFilter('sobel'), { padding: 'same' }).toTypedArray();
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const v = y[i * w + j]!;
      if (j === 5 || j === 6) assert.ok(Math.abs(v - 4) < 1e-6, `on the edge (${i}, ${j}): ${v}, expected 4 = 1+2+1`);
      else assert.equal(v, 0, `away from the edge (${i}, ${j})`);
    }
  }
  // Mapped for display: 255 on the edge, 0 elsewhere.
  const shown = filterPipeline(x, { filter: namedFilter('sobel'), padding: 'same' }).toTypedArray();
  assert.equal(shown[5]!, 1);
  assert.equal(shown[0]!, 0);
  // A horizontal step is invisible to sobel-x and seen by sobel-y.
  const hz = new Tensor(new Float32Array(h * w).map((_, i) => (Math.floor(i / w) >= 3 ? 1 : 0)), [1, 1, h, w]);
  assert.equal(Math.max(...applyFilter(hz, namedFilter('sobel-x'), { padding: 'same' }).toTypedArray()), 0);
  assert.equal(Math.max(...applyFilter(hz, namedFilter('sobel-y'), { padding: 'same' }).toTypedArray()), 4);
});

test('pooling max/min/avg with size and stride equals the direct window computation', () => {
  const [c, h, w] = [2, 7, 9];
  const { x, data } = randomImage(c, h, w, 5);
  for (const kind of ['max', 'min', 'avg'] as PoolKind[]) {
    for (const [size, stride] of [[2, 2], [3, 2], [3, 1], [2, 3]] as const) {
      const y = poolImage(x, kind, { size, stride });
      const oh = Math.floor((h - size) / stride) + 1, ow = Math.floor((w - size) / stride) + 1;
      assert.deepEqual(y.shape, [1, c, oh, ow]);
      const ref = new Float64Array(c * oh * ow);
      for (let ch = 0; ch < c; ch++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) {
        const win: number[] = [];
        for (let a = 0; a < size; a++) for (let b = 0; b < size; b++) win.push(data[(ch * h + i * stride + a) * w + j * stride + b]!);
        ref[(ch * oh + i) * ow + j] = kind === 'max' ? Math.max(...win) : kind === 'min' ? Math.min(...win) : win.reduce((s, v) => s + v, 0) / win.length;
      }
      assertClose(y.toTypedArray(), ref, 1e-6, `${kind} size=${size} stride=${stride}`);
    }
  }
});

test('mapping to 0–255: clip, abs/max, rescale', () => {
  const y = new Tensor(new Float32Array([-0.5, 0, 0.25, 1.5, -2]), [1, 1, 1, 5]);
  assert.deepEqual([...mapForDisplay(y, 'clip').toTypedArray()], [0, 0, 0.25, 1, 0]);
  assert.deepEqual([...mapForDisplay(y, 'abs').toTypedArray()], [0.25, 0, 0.125, 0.75, 1]);
  assertClose(mapForDisplay(y, 'rescale').toTypedArray(), [1.5 / 3.5, 2 / 3.5, 2.25 / 3.5, 1, 0], 1e-6, 'rescale');
  assert.deepEqual([...mapForDisplay(new Tensor(new Float32Array(3), [1, 1, 1, 3]), 'abs').toTypedArray()], [0, 0, 0]);
  // Pooling after |·| keeps the strongest edge whatever its sign.
  const edge = new Tensor(new Float32Array([0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0]), [1, 1, 2, 6]);
  const pooled = filterPipeline(edge, { filter: resolveFilter('[[1, -1],[0, 0]]'), padding: 'valid', pool: { kind: 'max', size: 1 } });
  assert.deepEqual([...pooled.toTypedArray()], [0, 1, 0, 1, 0]); // |[0, −1, 0, 1, 0]|
  const wide = filterPipeline(edge, { filter: resolveFilter('[[1, -1]]'), padding: 'valid', pool: { kind: 'max', size: 2, stride: 1 } });
  // raw rows [0, −1, 0, 1, 0]; pooling the signed values would give [0, 0, 1, 1]
  assert.deepEqual([...wide.toTypedArray()], [1, 1, 1, 1]);
});

test('filtering is differentiable through the padding (gradcheck, float64)', () => {
  const r = rng(9);
  const x = new Tensor(Float64Array.from({ length: 2 * 5 * 6 }, () => r()), [1, 2, 5, 6]).requiresGrad_();
  for (const padding of ['reflect', 'same', 'zero', 'valid', 2] as const) {
    gradcheck((t) => applyFilter(t, namedFilter('sobel-x'), { padding, stride: 2 }), [x]);
    gradcheck((t) => applyFilter(t, namedFilter('gaussian', { size: 4 }), { padding, stride: [1, 2] }), [x]);
  }
  // The magnitude √(gx² + gy²) has no derivative where it is 0 (reflect padding makes gx = 0 on
  // the border); with random pixels and zero/same padding it is positive everywhere.
  for (const padding of ['same', 'zero'] as const) gradcheck((t) => sum(applyFilter(t, namedFilter('sobel'), { padding })), [x]);
});

test('bad kernels, strides and sizes are one-line NervaErrors naming the problem', () => {
  const throwsLine = (fn: () => unknown, pattern: RegExp) => assert.throws(fn, (err: Error) => {
    assert.ok(err instanceof NervaError, `${err.name}: ${err.message}`);
    assert.match(err.message, pattern);
    assert.ok(!err.message.includes('\n'), `one line: ${err.message}`);
    return true;
  });
  throwsLine(() => resolveFilter('sobelz'), /unknown kernel 'sobelz'.*sobel-x/);
  throwsLine(() => parseKernelMatrix('[[1,2,3],[4,5]]'), /row 2 has 2 numbers but row 1 has 3.*rectangular/);
  throwsLine(() => parseKernelMatrix('[[1,a,3]]'), /'a' in row 1, column 2 is not a number/);
  throwsLine(() => parseKernelMatrix('[[1,,3]]'), /row 1, column 2 is empty/);
  throwsLine(() => parseKernelMatrix('[[1,2],[3,[4]]]'), /row 2 is malformed/);
  throwsLine(() => parseKernelMatrix('[1,2,3]'), /list of rows/);
  throwsLine(() => parseKernelMatrix('[]'), /empty/);
  throwsLine(() => parseKernelMatrix('[[1,2]'), /expected/);
  throwsLine(() => parseKernelMatrix('[[1/0]]'), /not a finite number/);
  throwsLine(() => namedFilter('sobel', { size: 5 }), /takes no size/);
  throwsLine(() => namedFilter('gaussian', { sigma: 0 }), /sigma must be a positive number/);
  throwsLine(() => namedFilter('identity', { size: 4 }), /size must be odd/);
  const { x } = randomImage(1, 4, 5, 1);
  throwsLine(() => applyFilter(x, namedFilter('sobel'), { stride: 0 }), /stride must be a positive integer, got 0/);
  throwsLine(() => applyFilter(x, namedFilter('gaussian', { size: 5 }), { padding: 'valid' }), /image \(5×4 pixels\) is smaller than the 5×5 kernel/);
  throwsLine(() => applyFilter(x, namedFilter('gaussian', { size: 9 }), { padding: 'reflect' }), /reflect padding.*at least 5×5 pixels, got 5×4/);
  throwsLine(() => poolImage(x, 'max', { size: 5 }), /smaller than the 5×5 pooling window/);
});
