// The wasm backend against the reference kernels (the specification): random shapes with sizes
// ≡ 1, 2, 3 (mod 4), every transpose, broadcast batches, zero sizes, forward and backward, at 1 and
// 2 threads. float32 results must agree to a relative error (max |Δ| / max |ref|) of 1e-4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Conv2dGeometry, FloatArray, MatmulParams, Pool2dGeometry } from '../../src/backend/backend.js';
import { wasmBackend, setNumThreads, getNumThreads, wasmInfo, wasmAvailable } from '../../src/backend/wasm/index.js';
import * as refMatmul from '../../src/backend/ref/matmul.js';
import * as refConv from '../../src/backend/ref/conv.js';
import * as refPool from '../../src/backend/ref/pool.js';
import { getBackend, setBackend, listBackends } from '../../src/backend/index.js';
import { setBackwardWeightChannelSlices, setBackwardWeightTapSlices, setConvChunkElements, setConvKernelMode } from '../../src/backend/wasm/kernels.js';
import { mulberry32 } from '../helpers/random.js';

const rng = mulberry32;
const rand = rng(1234);
const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
/** A size with the given residue mod 4 in [lo, hi]. */
const sized = (r: number, lo: number, hi: number): number => { const v = int(lo, hi); return v - (v % 4) + r; };
function randn(n: number, T: typeof Float32Array | typeof Float64Array = Float32Array): FloatArray {
  const a = new T(n);
  for (let i = 0; i < n; i++) a[i] = rand() * 2 - 1;
  return a;
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, tol = 1e-4): void {
  assert.equal(got.length, want.length, `${what}: length`);
  let err = 0, scale = 0;
  for (let i = 0; i < want.length; i++) {
    // Non-finite values (NaN, ±Infinity) must match exactly; they do not count in the scale.
    if (!Number.isFinite(want[i]) || !Number.isFinite(got[i])) {
      assert.ok(Object.is(got[i], want[i]) || (Number.isNaN(got[i]) && Number.isNaN(want[i])),
        `${what}: element ${i} is ${got[i]}, expected ${want[i]}`);
      continue;
    }
    const d = Math.abs(got[i] - want[i]);
    if (!(d <= err)) err = d; // NaN propagates into err
    scale = Math.max(scale, Math.abs(want[i]));
  }
  const rel = err / Math.max(scale, 1e-30);
  assert.ok(rel <= tol, `${what}: relative error ${rel} > ${tol}`);
}

const THREADS = [1, 2];

function checkMatmul(p: MatmulParams, label: string): void {
  const aLen = Math.max(0, (p.batch - 1) * p.aBatchStride + p.m * p.k);
  const bLen = Math.max(0, (p.batch - 1) * p.bBatchStride + p.k * p.n);
  const a = randn(aLen), b = randn(bLen);
  const c0 = randn(p.batch * p.m * p.n);
  const want = c0.slice(), got = c0.slice();
  refMatmul.matmul(a, b, want, p);
  wasmBackend.matmul(a, b, got, p);
  assertClose(got, want, label);
}

test('matmul: every transpose, sizes ≡ 1,2,3 mod 4, accumulate, 1 and 2 threads', () => {
  for (const threads of THREADS) {
    setNumThreads(threads);
    for (let i = 0; i < 24; i++) {
      const m = sized(1 + (i % 3), 1, 140), n = sized(1 + ((i + 1) % 3), 1, 140), k = sized(1 + ((i + 2) % 3), 1, 300);
      const transA = (i & 1) === 1, transB = (i & 2) === 2, accumulate = (i & 4) === 4;
      const batch = int(1, 3);
      const p = { batch, m, n, k, transA, transB, aBatchStride: m * k, bBatchStride: k * n, accumulate };
      checkMatmul(p, `matmul T=${threads} b=${batch} m=${m} n=${n} k=${k} tA=${transA} tB=${transB} acc=${accumulate}`);
    }
  }
});

test('matmul: blocking edges (k > 256, m > 120, n > 1024) and large parallel split', () => {
  for (const threads of THREADS) {
    setNumThreads(threads);
    for (const [m, n, k] of [[7, 1031, 301], [251, 9, 517], [131, 262, 259], [300, 301, 302]]) {
      for (const [transA, transB] of [[false, false], [false, true], [true, false]]) {
        const p = { batch: 1, m, n, k, transA, transB, aBatchStride: 0, bBatchStride: 0 };
        checkMatmul(p, `matmul T=${threads} m=${m} n=${n} k=${k} tA=${transA} tB=${transB}`);
      }
    }
  }
});

test('matmul: 1–5 rows (the unpacked matrix-vector path), every transpose', () => {
  for (const threads of THREADS) {
    setNumThreads(threads);
    for (let m = 1; m <= 5; m++) {
      for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]]) {
        const n = sized(m % 4, 5, 77), k = sized((m + 1) % 4, 5, 99);
        checkMatmul({ batch: 2, m, n, k, transA, transB, aBatchStride: m * k, bBatchStride: k * n, accumulate: m % 2 === 0 },
          `matvec T=${threads} m=${m} n=${n} k=${k} tA=${transA} tB=${transB}`);
      }
    }
    // Large enough to be split across threads by columns.
    checkMatmul({ batch: 1, m: 1, n: 3001, k: 701, transA: false, transB: true, aBatchStride: 0, bBatchStride: 0 }, `matvec T=${threads} NT big`);
    checkMatmul({ batch: 1, m: 3, n: 2999, k: 703, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 }, `matvec T=${threads} NN big`);
  }
});

test('matmul: batch stride 0 broadcasts A or B', () => {
  setNumThreads(2);
  checkMatmul({ batch: 5, m: 33, n: 18, k: 41, transA: false, transB: false, aBatchStride: 0, bBatchStride: 41 * 18 }, 'broadcast A');
  checkMatmul({ batch: 4, m: 61, n: 70, k: 35, transA: true, transB: true, aBatchStride: 35 * 61, bBatchStride: 0 }, 'broadcast B');
  checkMatmul({ batch: 3, m: 9, n: 10, k: 11, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0, accumulate: true }, 'broadcast both');
});

test('matmul: zero sizes', () => {
  setNumThreads(2);
  for (const [batch, m, n, k] of [[0, 3, 4, 5], [2, 0, 4, 5], [2, 3, 0, 5], [2, 3, 4, 0]]) {
    for (const accumulate of [false, true]) {
      checkMatmul({ batch, m, n, k, transA: false, transB: false, aBatchStride: m * k, bBatchStride: k * n, accumulate },
        `zero b=${batch} m=${m} n=${n} k=${k} acc=${accumulate}`);
    }
  }
});

test('matmul: float64 goes to the reference kernel', () => {
  const p = { batch: 1, m: 5, n: 6, k: 7, transA: false, transB: true, aBatchStride: 0, bBatchStride: 0 };
  const a = randn(35, Float64Array), b = randn(42, Float64Array);
  const want = new Float64Array(30), got = new Float64Array(30);
  refMatmul.matmul(a, b, want, p);
  wasmBackend.matmul(a, b, got, p);
  assert.deepEqual(got, want);
});

function convGeometry(n: number, c: number, h: number, w: number, o: number, kh: number, kw: number,
  s: [number, number], pad: [number, number], dil: [number, number], groups: number): Conv2dGeometry {
  const oh = Math.floor((h + 2 * pad[0] - dil[0] * (kh - 1) - 1) / s[0]) + 1;
  const ow = Math.floor((w + 2 * pad[1] - dil[1] * (kw - 1) - 1) / s[1]) + 1;
  return { n, c, h, w, o, kh, kw, oh: Math.max(oh, 0), ow: Math.max(ow, 0), strideH: s[0], strideW: s[1],
    padH: pad[0], padW: pad[1], dilationH: dil[0], dilationW: dil[1], groups };
}

function checkConv(g: Conv2dGeometry): void {
  const label = `conv2d x=[${g.n},${g.c},${g.h},${g.w}] w=[${g.o},${g.c / g.groups},${g.kh},${g.kw}] ` +
    `s=${g.strideH},${g.strideW} p=${g.padH},${g.padW} d=${g.dilationH},${g.dilationW} g=${g.groups} T=${getNumThreads()}`;
  const xLen = g.n * g.c * g.h * g.w, wLen = g.o * (g.c / g.groups) * g.kh * g.kw, yLen = g.n * g.o * g.oh * g.ow;
  const x = randn(xLen), wt = randn(wLen), gy = randn(yLen);
  const y0 = new Float32Array(yLen), y1 = randn(yLen); // wasm output starts as garbage: every element must be written
  refConv.conv2d(x, wt, y0, g);
  wasmBackend.conv2d(x, wt, y1, g);
  assertClose(y1, y0, `${label} forward`);
  const bias = randn(g.o), yb0 = new Float32Array(yLen), yb1 = randn(yLen);
  refConv.conv2d(x, wt, yb0, g, bias);
  wasmBackend.conv2d(x, wt, yb1, g, bias);
  assertClose(yb1, yb0, `${label} forward with bias`);
  const gx0 = new Float32Array(xLen), gx1 = randn(xLen);
  refConv.conv2dBackwardInput(gy, wt, gx0, g);
  wasmBackend.conv2dBackwardInput(gy, wt, gx1, g);
  assertClose(gx1, gx0, `${label} backward input`);
  const gw0 = new Float32Array(wLen), gw1 = randn(wLen);
  refConv.conv2dBackwardWeight(x, gy, gw0, g);
  wasmBackend.conv2dBackwardWeight(x, gy, gw1, g);
  assertClose(gw1, gw0, `${label} backward weight`);
  // Both in one call (gy copied in once, x and gx copied while the jobs run): the same kernels, so
  // the same bits as the separate calls.
  const gx2 = randn(xLen), gw2 = randn(wLen);
  wasmBackend.conv2dBackward!(x, wt, gy, gx2, gw2, g);
  assert.deepEqual(gx2, gx1, `${label} fused backward: input gradient`);
  assert.deepEqual(gw2, gw1, `${label} fused backward: weight gradient`);
}

test('conv2d forward and backward: random geometries, 1 and 2 threads', () => {
  for (const threads of THREADS) {
    setNumThreads(threads);
    for (let i = 0; i < 14; i++) {
      const groups = [1, 1, 2, 3][i % 4];
      const c = groups * sized(1 + (i % 3), 1, 6), o = groups * sized(1 + ((i + 1) % 3), 1, 7);
      const kh = int(1, 4), kw = int(1, 4);
      const s: [number, number] = [int(1, 3), int(1, 3)];
      const pad: [number, number] = [int(0, kh - 1), int(0, kw - 1)];
      const dil: [number, number] = [int(1, 2), int(1, 2)];
      const h = sized(1 + (i % 3), kh * dil[0], 19), w = sized(1 + ((i + 2) % 3), kw * dil[1], 23);
      checkConv(convGeometry(int(1, 4), c, h, w, o, kh, kw, s, pad, dil, groups));
    }
    // 1×1 (no im2col), big enough to split across threads, and a single image split by columns/channels.
    checkConv(convGeometry(3, 13, 9, 10, 7, 1, 1, [1, 1], [0, 0], [1, 1], 1));
    checkConv(convGeometry(2, 18, 30, 29, 21, 1, 1, [1, 1], [0, 0], [1, 1], 1));
    checkConv(convGeometry(1, 17, 37, 35, 19, 3, 3, [1, 1], [1, 1], [1, 1], 1));
    checkConv(convGeometry(5, 9, 26, 27, 33, 3, 3, [2, 2], [1, 1], [1, 1], 1));
    checkConv(convGeometry(2, 6, 10, 11, 6, 3, 3, [1, 1], [1, 1], [1, 1], 6)); // depthwise
  }
});

test('conv2d: im2col passes of 64 columns (passes split images and span image boundaries)', () => {
  const prev = setConvChunkElements(1);
  try {
    for (const threads of THREADS) {
      setNumThreads(threads);
      checkConv(convGeometry(3, 5, 11, 13, 6, 3, 3, [1, 1], [1, 1], [1, 1], 1)); // N = 143: passes cross images
      checkConv(convGeometry(5, 4, 6, 5, 4, 2, 2, [1, 1], [0, 0], [1, 1], 2)); // N = 20: several images per pass
      checkConv(convGeometry(4, 6, 9, 9, 4, 1, 1, [1, 1], [0, 0], [1, 1], 1)); // 1×1
      checkConv(convGeometry(2, 3, 17, 15, 5, 3, 2, [2, 1], [1, 0], [1, 2], 1));
    }
  } finally {
    setConvChunkElements(prev);
  }
});

// The direct kernel (src/kernels/conv_direct.ts) forced onto every geometry it can take: output
// widths ≡ 1, 2, 3 (mod 4) below and above 8 (row tails; ow < 8 is its flat mode), channel counts
// that are not a multiple of the 6- (4-) channel block, padding 0/1/2, 1×1/3×3/5×5, dilation.
test('conv2d direct kernel (stride 1, groups 1): row tails, channel tails, padding, 1 and 2 threads', () => {
  const prev = setConvKernelMode('direct', 'always');
  try {
    for (const threads of THREADS) {
      setNumThreads(threads);
      const cases: [number, number, number, number, number, number, number, number][] = [
        // n, c, h, w, o, k, pad, dilation
        [1, 1, 28, 28, 6, 5, 2, 1], // LeNet conv1: ow = 28 = 3·8 + 4
        [3, 6, 14, 14, 16, 5, 0, 1], // LeNet conv2: ow = 10
        [2, 3, 9, 5, 7, 1, 0, 1], // 1×1, ow = 5
        [1, 5, 6, 6, 13, 3, 0, 1], // ow = 4
        [4, 2, 7, 7, 1, 3, 1, 1], // ow = 7, one channel
        [2, 7, 11, 9, 5, 3, 1, 1], // ow = 9 = 8 + 1
        [1, 4, 5, 13, 11, 5, 2, 1], // ow = 13 = 8 + 5
        [3, 5, 10, 10, 8, 3, 2, 1], // ow = 12, pad 2 > needed
        [2, 9, 8, 14, 14, 3, 1, 1], // ow = 14
        [2, 3, 13, 19, 6, 3, 1, 2], // dilation 2, ow = 17
        [5, 16, 16, 16, 19, 3, 1, 1], // split across threads by images
        [1, 33, 23, 22, 25, 3, 1, 1], // one image: split by channel blocks (2 threads)
        [2, 33, 23, 22, 25, 3, 1, 1], // split by images and channel blocks
        [2, 6, 9, 6, 10, 1, 0, 1], // 1×1, ow = 6
        // kernel rows in the padding skipped: backward-input's pad k − 1, rows all padding
        [2, 16, 10, 10, 6, 5, 4, 1], // LeNet conv2's backward-input as a forward convolution
        [1, 3, 3, 9, 5, 3, 4, 1], // pad 4 > k: the first and last output rows read only zeros
        [2, 4, 8, 9, 7, 3, 3, 2], // dilation 2 with pad 3: ky0, ky1 in steps of the dilation
      ];
      for (const [n, c, h, w, o, k, p, d] of cases) checkConv(convGeometry(n, c, h, w, o, k, k, [1, 1], [p, p], [d, d], 1));
      checkConv(convGeometry(2, 3, 9, 11, 5, 3, 5, [1, 1], [2, 1], [1, 1], 1)); // kh ≠ kw, padH ≠ padW
      // Geometries the direct kernel must leave to im2col + GEMM: stride 2, groups 2, ow < 4.
      checkConv(convGeometry(2, 4, 11, 12, 6, 3, 3, [2, 2], [1, 1], [1, 1], 1));
      checkConv(convGeometry(2, 4, 9, 9, 6, 3, 3, [1, 1], [1, 1], [1, 1], 2));
      checkConv(convGeometry(3, 5, 9, 3, 7, 3, 3, [1, 1], [1, 0], [1, 1], 1)); // ow = 1
      checkConv(convGeometry(2, 3, 6, 5, 4, 3, 3, [1, 1], [1, 0], [1, 1], 1)); // ow = 3
    }
  } finally {
    setConvKernelMode('direct', prev);
  }
});

test('conv2d Winograd F(2×2, 3×3): odd sizes, padding 0/1/2, tiles across images, 1 and 2 threads', () => {
  const prev = setConvKernelMode('winograd', 'always');
  try {
    for (const threads of THREADS) {
      setNumThreads(threads);
      const cases: [number, number, number, number, number, number][] = [
        // n, c, h, w, o, pad
        [1, 1, 4, 4, 1, 0], // one tile
        [1, 2, 5, 6, 3, 1], // odd output height: the last tile row is half outside
        [2, 3, 7, 9, 5, 1], // odd width: the last tile column is half outside
        [3, 17, 13, 11, 19, 1], // channels ≢ 0 (mod 4), runs shorter than a vector
        [1, 5, 3, 3, 2, 0], // 1×1 output
        [1, 4, 6, 5, 7, 2], // padding 2
        [4, 33, 4, 4, 35, 1], // 2×2 tiles an image: chunks span images
        [2, 16, 21, 30, 9, 1], // rows of 15 tiles: full vectors and a tail
        [9, 8, 6, 6, 8, 1], // many small images, several tasks
      ];
      for (const [n, c, h, w, o, p] of cases) checkConv(convGeometry(n, c, h, w, o, 3, 3, [1, 1], [p, p], [1, 1], 1));
      // Geometries Winograd must leave to the other kernels: stride 2, dilation 2, 5×5, groups 2.
      checkConv(convGeometry(2, 4, 11, 12, 6, 3, 3, [2, 2], [1, 1], [1, 1], 1));
      checkConv(convGeometry(2, 4, 11, 12, 6, 3, 3, [1, 1], [2, 2], [2, 2], 1));
      checkConv(convGeometry(1, 3, 9, 9, 4, 5, 5, [1, 1], [2, 2], [1, 1], 1));
      checkConv(convGeometry(2, 4, 9, 9, 6, 3, 3, [1, 1], [1, 1], [1, 1], 2));
    }
  } finally {
    setConvKernelMode('winograd', prev);
  }
});

test('conv2d weight gradient, direct kernel (stride 1) and im2col: tap and channel tails, padding, dilation, 1 and 2 threads', () => {
  const prev = setConvKernelMode('backwardWeightDirect', 'always');
  try {
    for (const [threads, mode] of THREADS.flatMap((t) => [[t, 'always'], [t, 'never']] as const)) {
      setNumThreads(threads);
      setConvKernelMode('backwardWeightDirect', mode);
      const cases: [number, number, number, number, number, number, number, number][] = [
        // n, c, h, w, o, k, pad, dilation
        [64, 1, 28, 28, 6, 5, 2, 1], // LeNet conv1 (tasks of images across threads), o < 8
        [3, 6, 14, 14, 16, 5, 0, 1], // LeNet conv2: K = 150 ≡ 2 (mod 4), two channel blocks
        [2, 3, 9, 7, 7, 3, 1, 1], // K = 27 ≡ 3 (mod 4), ow = 7
        [1, 2, 5, 6, 1, 3, 0, 1], // one output channel
        [5, 1, 6, 3, 2, 2, 1, 1], // kernel 2×2: K = 4, one tap block
        [2, 2, 11, 12, 4, 3, 2, 2], // dilation 2
        [3, 5, 7, 8, 17, 3, 1, 1], // K = 45 ≡ 1 (mod 4), o = 17: a channel block of 1
        [2, 3, 3, 3, 9, 3, 0, 1], // 1×1 output
        [1, 4, 6, 9, 12, 3, 1, 1], // one image on 2 threads: one task
      ];
      for (const [n, c, h, w, o, k, p, d] of cases) checkConv(convGeometry(n, c, h, w, o, k, k, [1, 1], [p, p], [d, d], 1));
      checkConv(convGeometry(2, 3, 9, 11, 5, 3, 5, [1, 1], [2, 1], [1, 1], 1)); // kh ≠ kw, padH ≠ padW
      checkConv(convGeometry(2, 4, 11, 12, 6, 3, 3, [2, 2], [1, 1], [1, 1], 1)); // stride 2: the im2col kernel
    }
  } finally {
    setConvKernelMode('backwardWeightDirect', prev);
  }
});

/** Runs `cases` with the direct weight gradient in `mode` and each of `counts` forced through
 * `setSlices` (a slice-count hook), on 1, 2 and 4 threads; restores both settings. */
function forEachSliceCount(mode: 'always' | 'never', setSlices: (n: number) => number, counts: number[], cases: () => void): void {
  const prevMode = setConvKernelMode('backwardWeightDirect', mode);
  const prevSlices = setSlices(1);
  try {
    for (const threads of [1, 2, 4]) {
      setNumThreads(threads);
      for (const n of counts) {
        setSlices(n);
        cases();
      }
    }
  } finally {
    setSlices(prevSlices);
    setConvKernelMode('backwardWeightDirect', prevMode);
  }
}

// The direct weight gradient split into tap slices (disjoint columns of gw; taps of one channel may
// fall in two slices), alone and with image slices (4 threads): slice counts that leave a tail of
// taps (K ≢ 0 mod the slice), a slice narrower than one channel's taps, padding (only the slice's
// channels are padded) and dilation.
test('conv2d weight gradient, direct kernel in tap slices: tap tails, padding, dilation, 1, 2 and 4 threads', () => {
  forEachSliceCount('always', setBackwardWeightTapSlices, [2, 3, 5, 9], () => {
    checkConv(convGeometry(3, 6, 14, 14, 16, 5, 5, [1, 1], [0, 0], [1, 1], 1)); // K = 150
    checkConv(convGeometry(4, 7, 9, 10, 9, 3, 3, [1, 1], [1, 1], [1, 1], 1)); // K = 63, o = 9
    checkConv(convGeometry(2, 2, 11, 12, 4, 3, 3, [1, 1], [2, 2], [2, 2], 1)); // K = 18: slices of 4 taps
    checkConv(convGeometry(5, 5, 8, 7, 6, 3, 2, [1, 1], [1, 0], [1, 1], 1)); // kh ≠ kw
  });
});

// The im2col weight gradient split by channel slices (disjoint blocks of gw's columns), alone and
// with column slices (4 threads: two of each) and passes of 64 columns: slice counts that do not
// divide the channels (empty last slices), groups, 1×1 (the input planes read in place), stride 2.
test('conv2d weight gradient, im2col in channel slices: uneven slices, groups, 1×1, passes across images, 1, 2 and 4 threads', () => {
  forEachSliceCount('never', setBackwardWeightChannelSlices, [2, 3, 4, 7], () => {
    checkConv(convGeometry(3, 5, 11, 13, 6, 3, 3, [1, 1], [1, 1], [1, 1], 1));
    checkConv(convGeometry(4, 6, 9, 9, 10, 1, 1, [1, 1], [0, 0], [1, 1], 1)); // 1×1
    checkConv(convGeometry(2, 12, 8, 7, 9, 3, 2, [2, 1], [1, 0], [1, 1], 1)); // stride 2, kh ≠ kw
    checkConv(convGeometry(5, 8, 6, 5, 6, 2, 2, [1, 1], [0, 0], [1, 1], 2)); // groups: 4 channels each
    const prevChunk = setConvChunkElements(1);
    try {
      checkConv(convGeometry(3, 7, 11, 12, 5, 3, 3, [1, 1], [1, 1], [1, 1], 1)); // passes cross images
    } finally {
      setConvChunkElements(prevChunk);
    }
  });
});

test('conv2d: zero sizes', () => {
  setNumThreads(2);
  checkConv(convGeometry(0, 3, 5, 5, 4, 3, 3, [1, 1], [1, 1], [1, 1], 1));
  checkConv(convGeometry(2, 3, 5, 5, 0, 3, 3, [1, 1], [1, 1], [1, 1], 1));
  checkConv(convGeometry(2, 0, 5, 5, 4, 3, 3, [1, 1], [1, 1], [1, 1], 1));
  checkConv(convGeometry(2, 3, 2, 2, 4, 3, 3, [1, 1], [0, 0], [1, 1], 1)); // oh = ow = 0
});

function poolGeometry(n: number, c: number, h: number, w: number, k: [number, number], s: [number, number],
  pad: [number, number], ceil: boolean): Pool2dGeometry {
  const out = (size: number, kk: number, st: number, p: number): number => {
    const span = size + 2 * p - kk;
    let o = (ceil ? Math.ceil(span / st) : Math.floor(span / st)) + 1;
    if (ceil && (o - 1) * st >= size + p) o--; // PyTorch: the last window must start inside
    return Math.max(o, 0);
  };
  return { n, c, h, w, kh: k[0], kw: k[1], oh: out(h, k[0], s[0], pad[0]), ow: out(w, k[1], s[1], pad[1]),
    strideH: s[0], strideW: s[1], padH: pad[0], padW: pad[1] };
}

function checkPool(g: Pool2dGeometry, x: Float32Array): void {
  const label = `pool x=[${g.n},${g.c},${g.h},${g.w}] k=${g.kh},${g.kw} s=${g.strideH},${g.strideW} p=${g.padH},${g.padW} T=${getNumThreads()}`;
  const yLen = g.n * g.c * g.oh * g.ow, xLen = x.length;
  const y0 = new Float32Array(yLen), y1 = randn(yLen) as Float32Array;
  const a0 = new Int32Array(yLen), a1 = new Int32Array(yLen).fill(7);
  refPool.maxPool2d(x, y0, a0, g);
  wasmBackend.maxPool2d(x, y1, a1, g);
  assert.deepEqual(y1, y0, `${label} max forward`);
  assert.deepEqual(a1, a0, `${label} max argmax`);
  const y2 = randn(yLen) as Float32Array, y3 = randn(yLen) as Float32Array;
  refPool.maxPool2d(x, y2, new Int32Array(0), g);
  wasmBackend.maxPool2d(x, y3, new Int32Array(0), g);
  assert.deepEqual(y2, y0, `${label} max forward without argmax (ref)`);
  assert.deepEqual(y3, y0, `${label} max forward without argmax (wasm)`);
  const gy = randn(yLen);
  const gx0 = new Float32Array(xLen), gx1 = randn(xLen);
  refPool.maxPool2dBackward(gy, a0, gx0, g);
  wasmBackend.maxPool2dBackward(gy, a0, gx1, g);
  assertClose(gx1, gx0, `${label} max backward`);
  for (const cip of [false, true]) {
    const v0 = new Float32Array(yLen), v1 = randn(yLen);
    refPool.avgPool2d(x, v0, g, cip);
    wasmBackend.avgPool2d(x, v1, g, cip);
    assertClose(v1, v0, `${label} avg forward cip=${cip}`);
    const h0 = new Float32Array(xLen), h1 = randn(xLen);
    refPool.avgPool2dBackward(gy, h0, g, cip);
    wasmBackend.avgPool2dBackward(gy, h1, g, cip);
    assertClose(h1, h0, `${label} avg backward cip=${cip}`);
  }
}

test('pooling forward and backward: random geometries, ceil mode, 1 and 2 threads', () => {
  for (const threads of THREADS) {
    setNumThreads(threads);
    for (let i = 0; i < 16; i++) {
      const k: [number, number] = [int(1, 4), int(1, 4)];
      const s: [number, number] = [int(1, 3), int(1, 3)];
      const pad: [number, number] = [int(0, k[0] >> 1), int(0, k[1] >> 1)];
      const g = poolGeometry(int(1, 3), sized(1 + (i % 3), 1, 9), sized(1 + ((i + 1) % 3), k[0], 21),
        sized(1 + ((i + 2) % 3), k[1], 21), k, s, pad, i % 2 === 1);
      checkPool(g, randn(g.n * g.c * g.h * g.w) as Float32Array);
    }
    const big = poolGeometry(8, 32, 28, 28, [2, 2], [2, 2], [0, 0], false); // splits across threads
    checkPool(big, randn(big.n * big.c * big.h * big.w) as Float32Array);
  }
});

test('2×2 stride-2 max pool (the SIMD path): odd widths, ceil mode, ties, NaN and −∞ windows equal ref', () => {
  for (const threads of THREADS) {
    setNumThreads(threads);
    for (const [h, w, ceil] of [[2, 2, false], [5, 9, false], [6, 17, true], [28, 28, false], [7, 15, true], [3, 8, false]] as const) {
      const g = poolGeometry(2, 3, h, w, [2, 2], [2, 2], [0, 0], ceil);
      const x = randn(g.n * g.c * h * w) as Float32Array;
      // sprinkle exact ties, NaNs and −∞ (whole windows of them too)
      for (let i = 0; i < x.length; i += 7) x[i] = 0.5;
      for (let i = 3; i < x.length; i += 11) x[i] = NaN;
      for (let i = 5; i < x.length; i += 13) x[i] = -Infinity;
      x.fill(-Infinity, 0, 2 * w);
      checkPool(g, x);
    }
  }
});

test('pooling: NaN wins, -Infinity windows, all-padding windows, zero sizes', () => {
  setNumThreads(1);
  const g = poolGeometry(1, 2, 5, 5, [3, 3], [2, 2], [1, 1], true);
  const x = randn(50) as Float32Array;
  x[6] = NaN; x[8] = NaN; // two NaNs in one window: the last is the argmax
  for (let i = 25; i < 50; i++) x[i] = -Infinity;
  checkPool(g, x);
  // Windows beyond the input (oh, ow larger than the input supports) cover only padding.
  const wide: Pool2dGeometry = { n: 1, c: 1, h: 2, w: 2, kh: 1, kw: 1, oh: 3, ow: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 };
  checkPool(wide, randn(4) as Float32Array);
  checkPool(poolGeometry(0, 3, 4, 4, [2, 2], [2, 2], [0, 0], false), new Float32Array(0));
  checkPool(poolGeometry(2, 0, 4, 4, [2, 2], [2, 2], [0, 0], false), new Float32Array(0));
});

test('memory stays flat over repeated calls; threads setting round-trips', () => {
  setNumThreads(2);
  assert.equal(getNumThreads(), 2);
  const g = convGeometry(4, 8, 16, 16, 8, 3, 3, [1, 1], [1, 1], [1, 1], 1);
  const x = randn(4 * 8 * 256), wt = randn(8 * 8 * 9), y = new Float32Array(4 * 8 * 256);
  wasmBackend.conv2d(x, wt, y, g);
  const before = wasmInfo().memoryBytes;
  for (let i = 0; i < 200; i++) wasmBackend.conv2d(x, wt, y, g);
  assert.equal(wasmInfo().memoryBytes, before);
});

test('registered as "wasm" in the backend registry', () => {
  assert.ok(listBackends().includes('wasm'));
  assert.equal(wasmAvailable(), true);
  const prev = getBackend().name;
  setBackend('wasm');
  assert.equal(getBackend(), wasmBackend);
  setBackend(prev);
});

test('plain-SIMD, unshared-memory and NERVA_NUM_THREADS modes compute the same; workers never keep the process alive', () => {
  const here = fileURLToPath(new URL('../../src/backend/', import.meta.url));
  const script = `
    const { wasmBackend, setNumThreads, wasmInfo } = await import(${JSON.stringify(here + 'wasm/index.js')});
    const { matmul } = await import(${JSON.stringify(here + 'ref/matmul.js')});
    const { conv2d } = await import(${JSON.stringify(here + 'ref/conv.js')});
    const { setConvKernelMode } = await import(${JSON.stringify(here + 'wasm/kernels.js')});
    if (process.env.NERVA_NUM_THREADS === undefined) setNumThreads(2);
    const m = 97, n = 131, k = 211;
    const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i));
    const c0 = new Float32Array(m * n), c4 = new Float32Array(4 * m * n);
    const p = { batch: 4, m, n, k, transA: false, transB: true, aBatchStride: 0, bBatchStride: 0 };
    matmul(a, b, c0, { ...p, batch: 1 });
    wasmBackend.matmul(a, b, c4, p);
    let err = 0, scale = 0;
    for (let i = 0; i < m * n; i++) { err = Math.max(err, Math.abs(c4[3 * m * n + i] - c0[i])); scale = Math.max(scale, Math.abs(c0[i])); }
    const g = { n: 3, c: 5, h: 12, w: 11, o: 7, kh: 3, kw: 3, oh: 12, ow: 11, strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1, groups: 1 };
    const x = Float32Array.from({ length: 3 * 5 * 132 }, (_, i) => Math.sin(0.3 * i)), wt = Float32Array.from({ length: 7 * 45 }, (_, i) => Math.cos(i));
    const y0 = new Float32Array(3 * 7 * 132), y1 = new Float32Array(3 * 7 * 132);
    conv2d(x, wt, y0, g);
    let cerr = 0, cscale = 0;
    for (const mode of ['never', 'always']) { // im2col + GEMM, then the direct kernel
      setConvKernelMode('direct', mode);
      y1.fill(NaN);
      wasmBackend.conv2d(x, wt, y1, g);
      for (let i = 0; i < y0.length; i++) { cerr = Math.max(cerr, Math.abs(y1[i] - y0[i])); cscale = Math.max(cscale, Math.abs(y0[i])); }
    }
    console.log(JSON.stringify({ ...wasmInfo(), rel: err / scale, convRel: cerr / cscale }));
  `;
  for (const [env, want] of [[{ NERVA_WASM_SIMD: 'plain' }, { variant: 'simd128', shared: true, threads: 2 }],
    [{ NERVA_WASM_SHARED: '0' }, { shared: false, threads: 1 }],
    [{ NERVA_NUM_THREADS: '3' }, { shared: true, threads: 3 }]] as const) {
    const base: NodeJS.ProcessEnv = { ...process.env };
    for (const k of ['NERVA_NUM_THREADS', 'NERVA_WASM_SIMD', 'NERVA_WASM_SHARED']) delete base[k];
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...base, ...env }, encoding: 'utf8', timeout: 30_000,
    });
    assert.equal(r.status, 0, `child ${JSON.stringify(env)} failed or hung (signal ${r.signal}): ${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    for (const [key, v] of Object.entries(want)) assert.equal(out[key], v, `${JSON.stringify(env)}: ${key}`);
    assert.ok(out.rel <= 1e-4 && out.convRel <= 1e-4, `${JSON.stringify(env)}: relative errors ${out.rel}, ${out.convRel}`);
  }
});
