// The reference kernels of the heavy ops (matmul, conv2d, pooling) against independent naive
// per-element formulas, finite differences of their forward kernels (float64), and the classic
// worked examples. Shapes include sizes ≡ 1, 2, 3 (mod 4), size 1 and zero-size dimensions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Conv2dGeometry, FloatArray, MatmulParams, Pool2dGeometry } from '../../src/backend/backend.js';
import { matmul } from '../../src/backend/ref/matmul.js';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from '../../src/backend/ref/conv.js';
import { maxPool2d, maxPool2dBackward, avgPool2d, avgPool2dBackward } from '../../src/backend/ref/pool.js';
import { mulberry32 } from '../helpers/random.js';
import * as refElementwise from '../../src/backend/ref/elementwise.js';

// ---------- helpers ----------

const rng = mulberry32;

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

function randArray(C: Ctor, len: number, r: () => number): FloatArray {
  const a = new C(len);
  for (let i = 0; i < len; i++) a[i] = r() * 2 - 1;
  return a;
}

/** Distinct values (a shuffled ramp plus jitter), so max pooling has no near-ties for finite differences. */
function distinctArray(C: Ctor, len: number, r: () => number): FloatArray {
  const idx = Array.from({ length: len }, (_, i) => i);
  for (let i = len - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  const a = new C(len);
  for (let i = 0; i < len; i++) a[i] = (idx[i]! - len / 2) * 0.05 + r() * 0.01;
  return a;
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length ${got.length} vs ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!, w = want[i]!;
    const ok = g === w || Math.abs(g - w) <= tol * (1 + Math.abs(w)) || (Number.isNaN(g) && Number.isNaN(w));
    if (!ok) assert.fail(`${what}: element ${i} is ${g}, expected ${w} (tol ${tol})`);
  }
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Central-difference gradient of L(v) = loss() with respect to every element of v (mutated and restored). */
function numericGrad(v: FloatArray, loss: () => number, eps: number): Float64Array {
  const g = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const old = v[i]!;
    v[i] = old + eps;
    const lp = loss();
    v[i] = old - eps;
    const lm = loss();
    v[i] = old;
    g[i] = (lp - lm) / (2 * eps);
  }
  return g;
}

const fmt = (a: number, b: number): string => (a === b ? `${a}` : `${a},${b}`);
const TYPES: [string, Ctor, number][] = [['f32', Float32Array, 1e-5], ['f64', Float64Array, 1e-12]];

// ---------- matmul ----------

interface MatmulCase { batch: number; m: number; n: number; k: number; transA: boolean; transB: boolean; aBatch: 'dense' | 'gap' | 'bcast'; bBatch: 'dense' | 'gap' | 'bcast'; accumulate: boolean }

function naiveMatmul(a: ArrayLike<number>, b: ArrayLike<number>, c0: ArrayLike<number> | null, p: MatmulParams): Float64Array {
  const out = new Float64Array(p.batch * p.m * p.n);
  const A = (t: number, i: number, q: number): number => a[t * p.aBatchStride + (p.transA ? q * p.m + i : i * p.k + q)]!;
  const B = (t: number, q: number, j: number): number => b[t * p.bBatchStride + (p.transB ? j * p.k + q : q * p.n + j)]!;
  for (let t = 0; t < p.batch; t++)
    for (let i = 0; i < p.m; i++)
      for (let j = 0; j < p.n; j++) {
        let s = c0 === null ? 0 : c0[(t * p.m + i) * p.n + j]!;
        for (let q = 0; q < p.k; q++) s += A(t, i, q) * B(t, q, j);
        out[(t * p.m + i) * p.n + j] = s;
      }
  return out;
}

function matmulCases(): MatmulCase[] {
  const cases: MatmulCase[] = [];
  const dims: [number, number, number][] = [[1, 1, 1], [2, 3, 5], [5, 7, 6], [9, 1, 3], [3, 10, 1], [0, 4, 3], [4, 0, 3], [4, 3, 0], [13, 6, 11]];
  const r = rng(7);
  for (const [m, n, k] of dims)
    for (const transA of [false, true])
      for (const transB of [false, true]) {
        const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
        cases.push({ batch: pick([1, 2, 3]), m, n, k, transA, transB, aBatch: pick(['dense', 'gap', 'bcast']), bBatch: pick(['dense', 'gap', 'bcast']), accumulate: r() < 0.3 });
      }
  cases.push({ batch: 0, m: 3, n: 2, k: 2, transA: false, transB: false, aBatch: 'dense', bBatch: 'dense', accumulate: false });
  cases.push({ batch: 4, m: 2, n: 3, k: 5, transA: false, transB: true, aBatch: 'bcast', bBatch: 'bcast', accumulate: true });
  return cases;
}

for (const cs of matmulCases()) {
  for (const [tn, C, tol] of TYPES) {
    const name = `matmul ${tn} batch=${cs.batch} m=${cs.m} n=${cs.n} k=${cs.k}${cs.transA ? ' tA' : ''}${cs.transB ? ' tB' : ''} aBatch=${cs.aBatch} bBatch=${cs.bBatch}${cs.accumulate ? ' acc' : ''}`;
    test(name, () => {
      const r = rng(cs.m * 1000 + cs.n * 100 + cs.k * 10 + cs.batch);
      const stride = (kind: string, size: number): number => (kind === 'bcast' ? 0 : kind === 'gap' ? size + 3 : size);
      const p: MatmulParams = {
        batch: cs.batch, m: cs.m, n: cs.n, k: cs.k, transA: cs.transA, transB: cs.transB,
        aBatchStride: stride(cs.aBatch, cs.m * cs.k), bBatchStride: stride(cs.bBatch, cs.k * cs.n), accumulate: cs.accumulate,
      };
      const span = (bs: number, size: number): number => (cs.batch === 0 ? 0 : (cs.batch - 1) * bs + size);
      const a = randArray(C, span(p.aBatchStride, cs.m * cs.k), r);
      const b = randArray(C, span(p.bBatchStride, cs.k * cs.n), r);
      const c = cs.accumulate ? randArray(C, cs.batch * cs.m * cs.n, r) : new C(cs.batch * cs.m * cs.n).fill(NaN);
      const want = naiveMatmul(a, b, cs.accumulate ? c.slice() : null, p);
      matmul(a, b, c, p);
      assertClose(c, want, tol, name);
    });
  }
}

test('matmul f32 accumulates in float64: 1 + 1e-8·(10^4 terms) is not lost', () => {
  const k = 10000;
  const a = new Float32Array(k).fill(1);
  const b = new Float32Array(k).fill(1e-4);
  b[0] = 1;
  const c = new Float32Array(1);
  matmul(a, b, c, { batch: 1, m: 1, n: 1, k, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 });
  assert.equal(c[0], Math.fround(1 + (k - 1) * Math.fround(1e-4)));
});

// ---------- conv2d ----------

function convGeom(n: number, c: number, h: number, w: number, o: number, kh: number, kw: number,
  s: [number, number], p: [number, number], d: [number, number], groups: number): Conv2dGeometry {
  const out = (size: number, k: number, st: number, pd: number, dl: number): number =>
    Math.max(0, Math.floor((size + 2 * pd - dl * (k - 1) - 1) / st) + 1);
  return {
    n, c, h, w, o, kh, kw, oh: out(h, kh, s[0], p[0], d[0]), ow: out(w, kw, s[1], p[1], d[1]),
    strideH: s[0], strideW: s[1], padH: p[0], padW: p[1], dilationH: d[0], dilationW: d[1], groups,
  };
}

function convName(op: string, g: Conv2dGeometry): string {
  return `${op} x=[${g.n},${g.c},${g.h},${g.w}] w=[${g.o},${g.c / g.groups},${g.kh},${g.kw}] s=${fmt(g.strideH, g.strideW)} p=${fmt(g.padH, g.padW)}` +
    (g.dilationH !== 1 || g.dilationW !== 1 ? ` d=${fmt(g.dilationH, g.dilationW)}` : '') + (g.groups !== 1 ? ` g=${g.groups}` : '');
}

/** y[b, oc, oy, ox] straight from the definition, one element at a time, reading zero outside the input. */
function naiveConv(x: ArrayLike<number>, wt: ArrayLike<number>, g: Conv2dGeometry): Float64Array {
  const y = new Float64Array(g.n * g.o * g.oh * g.ow);
  const cg = g.c / g.groups, og = g.o / g.groups;
  const X = (b: number, ch: number, iy: number, ix: number): number =>
    iy < 0 || iy >= g.h || ix < 0 || ix >= g.w ? 0 : x[((b * g.c + ch) * g.h + iy) * g.w + ix]!;
  let at = 0;
  for (let b = 0; b < g.n; b++)
    for (let oc = 0; oc < g.o; oc++)
      for (let oy = 0; oy < g.oh; oy++)
        for (let ox = 0; ox < g.ow; ox++) {
          let s = 0;
          const grp = Math.floor(oc / og);
          for (let j = 0; j < cg; j++)
            for (let ky = 0; ky < g.kh; ky++)
              for (let kx = 0; kx < g.kw; kx++)
                s += wt[((oc * cg + j) * g.kh + ky) * g.kw + kx]! *
                  X(b, grp * cg + j, oy * g.strideH - g.padH + ky * g.dilationH, ox * g.strideW - g.padW + kx * g.dilationW);
          y[at++] = s;
        }
  return y;
}

function convCases(): Conv2dGeometry[] {
  const cases: Conv2dGeometry[] = [
    convGeom(2, 3, 8, 8, 4, 3, 3, [2, 2], [1, 1], [1, 1], 1),
    convGeom(1, 1, 5, 5, 1, 3, 3, [1, 1], [0, 0], [1, 1], 1),
    convGeom(1, 1, 1, 1, 1, 1, 1, [1, 1], [0, 0], [1, 1], 1), // all size 1
    convGeom(2, 3, 1, 1, 2, 3, 3, [1, 1], [1, 1], [1, 1], 1), // 1×1 image, 3×3 kernel, padding 1
    convGeom(1, 2, 6, 7, 3, 1, 1, [1, 1], [0, 0], [1, 1], 1), // pointwise
    convGeom(3, 6, 7, 5, 6, 3, 2, [2, 1], [1, 0], [1, 2], 3), // rectangular everything, groups
    convGeom(1, 4, 9, 10, 4, 3, 3, [1, 1], [2, 2], [2, 2], 4), // depthwise, dilated, 'same'
    convGeom(2, 4, 6, 6, 6, 2, 4, [3, 2], [1, 2], [1, 1], 2),
    convGeom(1, 2, 3, 3, 2, 5, 5, [1, 1], [1, 1], [1, 1], 1), // kernel larger than padded input → oh = 0
    convGeom(0, 3, 5, 5, 2, 3, 3, [1, 1], [1, 1], [1, 1], 1), // empty batch
    convGeom(2, 0, 5, 5, 2, 3, 3, [1, 1], [1, 1], [1, 1], 1), // no input channels → zeros
    convGeom(2, 3, 5, 5, 0, 3, 3, [1, 1], [1, 1], [1, 1], 1), // no output channels
    convGeom(1, 2, 0, 4, 3, 1, 3, [1, 1], [1, 1], [1, 1], 1), // zero height: output is all padding
    convGeom(1, 1, 7, 7, 1, 3, 3, [5, 5], [2, 2], [1, 1], 1), // stride bigger than kernel: skipped cells
  ];
  const r = rng(42);
  const pick = (xs: number[]): number => xs[Math.floor(r() * xs.length)]!;
  while (cases.length < 30) {
    const groups = pick([1, 1, 2, 3]);
    const k: [number, number] = [pick([1, 2, 3, 5]), pick([1, 2, 3])];
    const g = convGeom(pick([1, 2, 3]), groups * pick([1, 2, 3]), pick([1, 2, 3, 5, 6, 7, 9]), pick([1, 2, 3, 5, 6, 7, 10]),
      groups * pick([1, 2, 3]), k[0], k[1], [pick([1, 2, 3]), pick([1, 2])], [pick([0, 1, 2]), pick([0, 1])],
      [pick([1, 1, 2]), pick([1, 2])], groups);
    cases.push(g);
  }
  return cases;
}

for (const g of convCases()) {
  for (const [tn, C, tol] of TYPES) {
    const name = convName(`conv2d ${tn}`, g);
    test(name, () => {
      const r = rng(g.c * 131 + g.h * 17 + g.w + g.kh * 7 + g.strideH);
      const x = randArray(C, g.n * g.c * g.h * g.w, r);
      const wt = randArray(C, g.o * (g.c / g.groups) * g.kh * g.kw, r);
      const y = new C(g.n * g.o * g.oh * g.ow).fill(NaN);
      conv2d(x, wt, y, g);
      assertClose(y, naiveConv(x, wt, g), tol, name);
    });
  }
  // Both backward kernels against central differences of the forward kernel, in float64:
  // L = Σ y·r is linear in x and in w, so the differences are exact up to rounding.
  const gname = convName('conv2d backward (finite differences)', g);
  test(gname, () => {
    const r = rng(g.o * 31 + g.w * 3 + g.kw);
    const x = randArray(Float64Array, g.n * g.c * g.h * g.w, r);
    const wt = randArray(Float64Array, g.o * (g.c / g.groups) * g.kh * g.kw, r);
    const rr = randArray(Float64Array, g.n * g.o * g.oh * g.ow, r);
    const y = new Float64Array(rr.length);
    const loss = (): number => { conv2d(x, wt, y, g); return dot(y, rr); };
    const gx = new Float64Array(x.length).fill(NaN);
    conv2dBackwardInput(rr, wt, gx, g);
    assertClose(gx, numericGrad(x, loss, 1e-3), 1e-8, `${gname} gx`);
    const gw = new Float64Array(wt.length).fill(NaN);
    conv2dBackwardWeight(x, rr, gw, g);
    assertClose(gw, numericGrad(wt, loss, 1e-3), 1e-8, `${gname} gw`);
  });
}

test('conv2d float32 backward kernels agree with float64 ones x=[2,6,9,7] w=[4,3,3,3] s=2 p=1 g=2', () => {
  const g = convGeom(2, 6, 9, 7, 4, 3, 3, [2, 2], [1, 1], [1, 1], 2);
  const r = rng(5);
  const x64 = randArray(Float64Array, g.n * g.c * g.h * g.w, r), x32 = Float32Array.from(x64);
  const w64 = randArray(Float64Array, g.o * 3 * 9, r), w32 = Float32Array.from(w64);
  const gy64 = randArray(Float64Array, g.n * g.o * g.oh * g.ow, r), gy32 = Float32Array.from(gy64);
  Float64Array.prototype.set.call(x64, x32); Float64Array.prototype.set.call(w64, w32); Float64Array.prototype.set.call(gy64, gy32);
  const gx64 = new Float64Array(x64.length), gx32 = new Float32Array(x64.length);
  conv2dBackwardInput(gy64, w64, gx64, g); conv2dBackwardInput(gy32, w32, gx32, g);
  assertClose(gx32, gx64, 1e-6, 'gx');
  const gw64 = new Float64Array(w64.length), gw32 = new Float32Array(w64.length);
  conv2dBackwardWeight(x64, gy64, gw64, g); conv2dBackwardWeight(x32, gy32, gw32, g);
  assertClose(gw32, gw64, 1e-6, 'gw');
});

test('conv2d worked example: vertical-edge kernel on the 5×5 image gives 6 at the top-left', () => {
  const img = [[7, 2, 3, 3, 8], [4, 5, 3, 8, 4], [3, 3, 2, 8, 4], [2, 8, 7, 2, 7], [5, 4, 4, 5, 4]];
  const k = [[1, 0, -1], [1, 0, -1], [1, 0, -1]];
  const g = convGeom(1, 1, 5, 5, 1, 3, 3, [1, 1], [0, 0], [1, 1], 1);
  assert.equal(g.oh, 3);
  assert.equal(g.ow, 3);
  for (const C of [Float32Array, Float64Array]) {
    const y = new C(9);
    conv2d(C.from(img.flat()), C.from(k.flat()), y, g);
    assert.equal(y[0], 6);
    // The full map, by hand: Σ left column − Σ right column of each 3×3 window.
    assert.deepEqual(Array.from(y), [6, -9, -8, -3, -2, -3, -3, 0, -2]);
  }
});

// ---------- pooling ----------

/** PyTorch's pooled size: ⌊ or ⌈(size + 2·pad − k)/stride⌉ + 1, minus one in ceil mode when the last
 * window would start beyond the input plus left padding. */
function poolOut(size: number, k: number, s: number, p: number, ceil: boolean): number {
  const num = size + 2 * p - k;
  if (num < 0) return 0;
  let out = (ceil ? Math.ceil(num / s) : Math.floor(num / s)) + 1;
  if (ceil && (out - 1) * s >= size + p) out--;
  return out;
}

interface PoolCase { g: Pool2dGeometry; ceil: boolean }

function poolCase(n: number, c: number, h: number, w: number, k: [number, number], s: [number, number], p: [number, number], ceil: boolean): PoolCase {
  return {
    g: { n, c, h, w, kh: k[0], kw: k[1], oh: poolOut(h, k[0], s[0], p[0], ceil), ow: poolOut(w, k[1], s[1], p[1], ceil), strideH: s[0], strideW: s[1], padH: p[0], padW: p[1] },
    ceil,
  };
}

function poolName(op: string, { g, ceil }: PoolCase): string {
  return `${op} x=[${g.n},${g.c},${g.h},${g.w}] k=${fmt(g.kh, g.kw)} s=${fmt(g.strideH, g.strideW)} p=${fmt(g.padH, g.padW)}${ceil ? ' ceil' : ''} → ${g.oh}×${g.ow}`;
}

/** Naive pooling per output from the cell-level rule: a window cell (iy, ix) is real when inside the
 * input, and counts for countIncludePad when inside the padded input [−pad, size + pad). */
function naivePool(x: ArrayLike<number>, g: Pool2dGeometry): { max: Float64Array; arg: Int32Array; avgIn: Float64Array; avgEx: Float64Array } {
  const len = g.n * g.c * g.oh * g.ow;
  const res = { max: new Float64Array(len), arg: new Int32Array(len), avgIn: new Float64Array(len), avgEx: new Float64Array(len) };
  let at = 0;
  for (let pl = 0; pl < g.n * g.c; pl++)
    for (let oy = 0; oy < g.oh; oy++)
      for (let ox = 0; ox < g.ow; ox++) {
        let mx = -Infinity, arg = -1, sum = 0, real = 0, padded = 0;
        for (let ky = 0; ky < g.kh; ky++)
          for (let kx = 0; kx < g.kw; kx++) {
            const iy = oy * g.strideH - g.padH + ky, ix = ox * g.strideW - g.padW + kx;
            if (iy >= -g.padH && iy < g.h + g.padH && ix >= -g.padW && ix < g.w + g.padW) padded++;
            if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
            const v = x[pl * g.h * g.w + iy * g.w + ix]!;
            real++;
            sum += v;
            if (arg < 0 || v > mx) { mx = v; arg = iy * g.w + ix; }
          }
        res.max[at] = mx;
        res.arg[at] = arg;
        res.avgIn[at] = real === 0 ? 0 : sum / padded;
        res.avgEx[at] = real === 0 ? 0 : sum / real;
        at++;
      }
  return res;
}

function poolCases(): PoolCase[] {
  const cases: PoolCase[] = [
    poolCase(2, 3, 8, 8, [2, 2], [2, 2], [0, 0], false),
    poolCase(1, 1, 5, 5, [3, 3], [1, 1], [0, 0], false),
    poolCase(1, 1, 1, 1, [1, 1], [1, 1], [0, 0], false),
    poolCase(2, 2, 5, 6, [3, 3], [2, 2], [1, 1], false),
    poolCase(2, 2, 5, 6, [3, 3], [2, 2], [1, 1], true),
    poolCase(1, 3, 6, 6, [3, 3], [2, 2], [0, 0], true), // ceil: last window runs past the input
    poolCase(1, 2, 7, 7, [2, 2], [3, 3], [1, 1], true), // ceil with padding: window clipped at h + pad
    poolCase(1, 1, 10, 7, [3, 2], [3, 2], [1, 1], true),
    poolCase(3, 1, 9, 5, [2, 3], [1, 2], [1, 0], false),
    poolCase(1, 1, 3, 3, [5, 5], [1, 1], [1, 1], false), // kernel larger than padded input → 0×0
    poolCase(1, 1, 2, 2, [3, 3], [2, 2], [1, 1], true),
    poolCase(0, 3, 4, 4, [2, 2], [2, 2], [0, 0], false), // empty batch
    poolCase(2, 0, 4, 4, [2, 2], [2, 2], [0, 0], false), // no channels
    poolCase(1, 1, 1, 3, [1, 3], [1, 1], [0, 0], false),
  ];
  const r = rng(99);
  const pick = (xs: number[]): number => xs[Math.floor(r() * xs.length)]!;
  while (cases.length < 30) {
    const k: [number, number] = [pick([1, 2, 3, 4, 5]), pick([1, 2, 3])];
    const p: [number, number] = [Math.floor(r() * (Math.floor(k[0] / 2) + 1)), Math.floor(r() * (Math.floor(k[1] / 2) + 1))];
    cases.push(poolCase(pick([1, 2]), pick([1, 2, 3]), pick([1, 2, 3, 5, 6, 7, 9]), pick([1, 2, 3, 5, 6, 7, 10]), k,
      [pick([1, 2, 3]), pick([1, 2, 3])], p, r() < 0.5));
  }
  return cases;
}

/** Windows that cover only padding (padding beyond half the kernel, which PyTorch refuses but the kernel contract defines). */
const ALL_PAD_CASES = [
  poolCase(1, 2, 3, 4, [2, 2], [1, 1], [2, 2], false),
  poolCase(1, 1, 4, 4, [3, 3], [3, 3], [3, 3], true),
];

for (const pc of [...poolCases(), ...ALL_PAD_CASES]) {
  const g = pc.g;
  const xLen = g.n * g.c * g.h * g.w, yLen = g.n * g.c * g.oh * g.ow;
  for (const [tn, C, tol] of TYPES) {
    test(poolName(`maxPool2d ${tn}`, pc), () => {
      const x = distinctArray(C, xLen, rng(xLen + g.kh));
      const y = new C(yLen).fill(NaN);
      const arg = new Int32Array(yLen).fill(-7);
      maxPool2d(x, y, arg, g);
      const want = naivePool(x, g);
      assertClose(y, want.max, 0, 'y');
      assert.deepEqual(Array.from(arg), Array.from(want.arg));
    });
    for (const cip of [true, false]) {
      test(poolName(`avgPool2d ${tn} countIncludePad=${cip}`, pc), () => {
        const x = randArray(C, xLen, rng(xLen + g.kw));
        const y = new C(yLen).fill(NaN);
        avgPool2d(x, y, g, cip);
        const want = naivePool(x, g);
        assertClose(y, cip ? want.avgIn : want.avgEx, tol, 'y');
      });
    }
  }
  test(poolName('pool2d backward (finite differences)', pc), () => {
    const r = rng(yLen * 3 + 1);
    const x = distinctArray(Float64Array, xLen, r);
    const rr = randArray(Float64Array, yLen, r);
    const y = new Float64Array(yLen);
    const arg = new Int32Array(yLen);
    // Outputs of all-padding windows are −∞ and have no gradient: leave them out of L.
    maxPool2d(x, y, arg, g);
    for (let i = 0; i < yLen; i++) if (arg[i]! < 0) rr[i] = 0;
    const maxLoss = (): number => { maxPool2d(x, y, arg, g); let s = 0; for (let i = 0; i < yLen; i++) if (rr[i] !== 0) s += y[i]! * rr[i]!; return s; };
    maxPool2d(x, y, arg, g);
    const gx = new Float64Array(xLen).fill(NaN);
    maxPool2dBackward(rr, arg, gx, g);
    assertClose(gx, numericGrad(x, maxLoss, 1e-4), 1e-8, 'max gx');
    for (const cip of [true, false]) {
      const avgLoss = (): number => { avgPool2d(x, y, g, cip); return dot(y, rr); };
      const ga = new Float64Array(xLen).fill(NaN);
      avgPool2dBackward(rr, ga, g, cip);
      assertClose(ga, numericGrad(x, avgLoss, 1e-3), 1e-8, `avg gx countIncludePad=${cip}`);
    }
  });
}

test('maxPool2d all-padding windows give -Infinity and argmax -1 x=[1,2,3,4] k=2 s=1 p=2', () => {
  const { g } = ALL_PAD_CASES[0]!;
  const y = new Float32Array(g.n * g.c * g.oh * g.ow);
  const arg = new Int32Array(y.length);
  maxPool2d(new Float32Array(g.n * g.c * g.h * g.w).fill(1), y, arg, g);
  assert.equal(y[0], -Infinity);
  assert.equal(arg[0], -1);
  assert.ok(y.includes(1));
});

test('maxPool2d propagates NaN and picks a window of -Infinity by its first cell, like PyTorch', () => {
  const g: Pool2dGeometry = { n: 1, c: 1, h: 2, w: 4, kh: 2, kw: 2, oh: 1, ow: 2, strideH: 2, strideW: 2, padH: 0, padW: 0 };
  const x = Float64Array.from([1, NaN, -Infinity, -Infinity, 5, 2, -Infinity, -Infinity]);
  const y = new Float64Array(2);
  const arg = new Int32Array(2);
  maxPool2d(x, y, arg, g);
  assert.ok(Number.isNaN(y[0]));
  assert.equal(arg[0], 1);
  assert.equal(y[1], -Infinity);
  assert.equal(arg[1], 2);
});

test('avgPool2d ceil mode divisor counts padding but not the overhang x=[1,1,2,2] k=3 s=2 p=1 ceil', () => {
  // F.avg_pool2d(torch.ones(1,1,2,2), 3, 2, 1, ceil_mode=True) → [[4/9, 2/6], [2/6, 1/4]]:
  // the second window (rows 1..3) is clipped to the padded input [−1, 3), so it counts 2 rows, 1 real.
  const g: Pool2dGeometry = { n: 1, c: 1, h: 2, w: 2, kh: 3, kw: 3, oh: 2, ow: 2, strideH: 2, strideW: 2, padH: 1, padW: 1 };
  assert.equal(poolOut(2, 3, 2, 1, true), 2);
  const y = new Float64Array(4);
  avgPool2d(new Float64Array(4).fill(1), y, g, true);
  assert.deepEqual(Array.from(y), [4 / 9, 2 / 6, 2 / 6, 1 / 4]);
  avgPool2d(new Float64Array(4).fill(1), y, g, false);
  assert.deepEqual(Array.from(y), [1, 1, 1, 1]);
  // F.avg_pool2d(torch.ones(1,1,5,5), 2, 2, 1, ceil_mode=True) → first row [0.25, 0.5, 0.5]
  const g5: Pool2dGeometry = { n: 1, c: 1, h: 5, w: 5, kh: 2, kw: 2, oh: 3, ow: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 };
  assert.equal(poolOut(5, 2, 2, 1, true), 3);
  const y5 = new Float64Array(9);
  avgPool2d(new Float64Array(25).fill(1), y5, g5, true);
  assert.deepEqual(Array.from(y5), [0.25, 0.5, 0.5, 0.5, 1, 1, 0.5, 1, 1]);
});

test('maxPool2d worked example: 3×3 stride 1 over the 5×5 grid', () => {
  const grid = [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]];
  const g: Pool2dGeometry = { n: 1, c: 1, h: 5, w: 5, kh: 3, kw: 3, oh: 3, ow: 3, strideH: 1, strideW: 1, padH: 0, padW: 0 };
  for (const C of [Float32Array, Float64Array]) {
    const y = new C(9);
    const arg = new Int32Array(9);
    maxPool2d(C.from(grid.flat()), y, arg, g);
    assert.deepEqual(Array.from(y), [3, 3, 3, 3, 3, 3, 3, 2, 3]);
    // Ties go to the first cell in row-major order: F.max_pool2d(x, 3, 1, return_indices=True) gives these.
    assert.deepEqual(Array.from(arg), [0, 1, 8, 10, 8, 8, 10, 12, 14]);
  }
});

test('conv2d f32 speed x=[8,16,32,32] w=[32,16,3,3] s=1 p=1 stays well under a second', (t) => {
  const g = convGeom(8, 16, 32, 32, 32, 3, 3, [1, 1], [1, 1], [1, 1], 1);
  const r = rng(1);
  const x = randArray(Float32Array, g.n * g.c * g.h * g.w, r);
  const wt = randArray(Float32Array, g.o * g.c * 9, r);
  const y = new Float32Array(g.n * g.o * g.oh * g.ow);
  conv2d(x, wt, y, g); // warm-up (JIT)
  const t0 = performance.now();
  conv2d(x, wt, y, g);
  const ms = performance.now() - t0;
  t.diagnostic(`conv2d forward ${ms.toFixed(1)} ms`);
  // Generous bound so a loaded CI machine passes; the typical time is reported above.
  assert.ok(ms < 2000, `conv2d took ${ms.toFixed(0)} ms`);
});

// ---------- the kernels against PyTorch's numbers (test/fixtures/torch, written by scripts/gen_fixtures.py) ----------

interface FixtureTensor { shape: number[]; data: number[] }
interface FixtureCase { name: string; op: string; params: Record<string, unknown>; inputs: Record<string, FixtureTensor>; output: FixtureTensor; r: FixtureTensor; grads: Record<string, FixtureTensor> }

function fixtureCases(file: string): FixtureCase[] {
  const url = new URL(`../../../test/fixtures/torch/${file}`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { cases: FixtureCase[] }).cases;
}
/** Fixture numbers are float32s in shortest decimal form: read them through a Float32Array. */
const f64 = (t: FixtureTensor): Float64Array => Float64Array.from(Float32Array.from(t.data));
const pairOf = (v: unknown, dflt: number): [number, number] =>
  v === undefined ? [dflt, dflt] : Array.isArray(v) ? [v[0] as number, v[1] as number] : [v as number, v as number];
const FIX_TOL = 2e-6; // outputs were rounded to float32 after a float64 computation

/** Zero-pads planes (n, c, h, w) by (top, bottom, left, right) — for PyTorch's asymmetric 'same' padding. */
function padPlanes(x: Float64Array, n: number, c: number, h: number, w: number, t: number, b: number, l: number, r: number): Float64Array {
  const H = h + t + b, W = w + l + r;
  const out = new Float64Array(n * c * H * W);
  for (let p = 0; p < n * c; p++)
    for (let iy = 0; iy < h; iy++) out.set(x.subarray((p * h + iy) * w, (p * h + iy + 1) * w), (p * H + iy + t) * W + l);
  return out;
}

for (const fc of fixtureCases('conv2d.json')) {
  test(`conv2d kernels vs torch: ${fc.name}`, () => {
    const [n, c, h, w] = fc.inputs.input!.shape as [number, number, number, number];
    const [o, , kh, kw] = fc.inputs.weight!.shape as [number, number, number, number];
    const [dh, dw] = pairOf(fc.params.dilation, 1);
    const [sh, sw] = pairOf(fc.params.stride, 1);
    // PyTorch's 'same' pads d·(k−1) in all, the odd cell at the bottom/right: pad explicitly, then run unpadded.
    const same = fc.params.padding === 'same';
    const [top, left] = same ? [Math.floor(dh * (kh - 1) / 2), Math.floor(dw * (kw - 1) / 2)] : [0, 0];
    const [bottom, right] = same ? [dh * (kh - 1) - top, dw * (kw - 1) - left] : [0, 0];
    const [ph, pw] = same || fc.params.padding === 'valid' ? [0, 0] : pairOf(fc.params.padding, 0);
    const hp = h + top + bottom, wp = w + left + right;
    const g = convGeom(n, c, hp, wp, o, kh, kw, [sh, sw], [ph, pw], [dh, dw], (fc.params.groups as number | undefined) ?? 1);
    assert.deepEqual([n, o, g.oh, g.ow], fc.output.shape);
    const x = padPlanes(f64(fc.inputs.input!), n, c, h, w, top, bottom, left, right);
    const wt = f64(fc.inputs.weight!), r = f64(fc.r);
    const y = new Float64Array(r.length);
    conv2d(x, wt, y, g);
    const bias = fc.inputs.bias ? f64(fc.inputs.bias) : null;
    if (bias) for (let i = 0; i < y.length; i++) y[i] += bias[Math.floor(i / (g.oh * g.ow)) % o]!;
    assertClose(y, fc.output.data, FIX_TOL, 'output');
    const gxp = new Float64Array(x.length), gw = new Float64Array(wt.length);
    conv2dBackwardInput(r, wt, gxp, g);
    conv2dBackwardWeight(x, r, gw, g);
    const gx = new Float64Array(n * c * h * w); // crop the explicit padding off again
    for (let p = 0; p < n * c; p++)
      for (let iy = 0; iy < h; iy++) gx.set(gxp.subarray((p * hp + iy + top) * wp + left, (p * hp + iy + top) * wp + left + w), (p * h + iy) * w);
    assertClose(gx, fc.grads.input!.data, FIX_TOL, 'grad input');
    assertClose(gw, fc.grads.weight!.data, FIX_TOL, 'grad weight');
  });
}

for (const fc of [...fixtureCases('max_pool2d.json'), ...fixtureCases('min_pool2d.json'), ...fixtureCases('avg_pool2d.json')]) {
  test(`pool kernels vs torch: ${fc.name}`, () => {
    const [n, c, h, w] = fc.inputs.input!.shape as [number, number, number, number];
    const [kh, kw] = pairOf(fc.params.kernelSize, 0);
    const [sh, sw] = fc.params.stride === undefined ? [kh, kw] : pairOf(fc.params.stride, 1);
    const { g } = poolCase(n, c, h, w, [kh, kw], [sh, sw], pairOf(fc.params.padding, 0), fc.params.ceilMode === true);
    assert.deepEqual([n, c, g.oh, g.ow], fc.output.shape);
    // min pooling is −maxPool(−x); its gradient is maxPool's backward at the argmax of −x.
    const sign = fc.op === 'min_pool2d' ? -1 : 1;
    const x = f64(fc.inputs.input!).map((v) => sign * v), r = f64(fc.r);
    const y = new Float64Array(r.length), gx = new Float64Array(x.length);
    if (fc.op === 'avg_pool2d') {
      const cip = fc.params.countIncludePad !== false;
      avgPool2d(x, y, g, cip);
      avgPool2dBackward(r, gx, g, cip);
    } else {
      const arg = new Int32Array(y.length);
      maxPool2d(x, y, arg, g);
      maxPool2dBackward(r, arg, gx, g);
    }
    assertClose(y.map((v) => sign * v), fc.output.data, FIX_TOL, 'output');
    assertClose(gx, fc.grads.input!.data, FIX_TOL, 'grad input');
  });
}

for (const fc of fixtureCases('matmul.json').filter((f) => f.inputs.input!.shape.length === 2 && f.inputs.other!.shape.length === 2)) {
  test(`matmul kernel vs torch: ${fc.name}`, () => {
    const [m, k] = fc.inputs.input!.shape as [number, number];
    const n = fc.inputs.other!.shape[1]!;
    const a = f64(fc.inputs.input!), b = f64(fc.inputs.other!), r = f64(fc.r);
    const y = new Float64Array(m * n);
    matmul(a, b, y, { batch: 1, m, n, k, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 });
    assertClose(y, fc.output.data, FIX_TOL, 'output');
    // ∂L/∂A = R·Bᵀ and ∂L/∂B = Aᵀ·R through the transposed layouts.
    const ga = new Float64Array(m * k), gb = new Float64Array(k * n);
    matmul(r, b, ga, { batch: 1, m, n: k, k: n, transA: false, transB: true, aBatchStride: 0, bBatchStride: 0 });
    matmul(a, r, gb, { batch: 1, m: k, n, k: m, transA: true, transB: false, aBatchStride: 0, bBatchStride: 0 });
    assertClose(ga, fc.grads.input!.data, FIX_TOL, 'grad input');
    assertClose(gb, fc.grads.other!.data, FIX_TOL, 'grad other');
  });
}

test('copyStrided / scatterStrided: rows of ≥ 8 contiguous elements (block copies) and other cases agree with an element walk', () => {
  // a (4, 3, 10) view of a (3, 4, 10) array with the first two axes swapped, at an offset
  const shape = [4, 3, 10], strides = [10, 40, 1], offset = 5;
  const data = Float32Array.from({ length: 5 + 120 }, (_, i) => i * 0.5 - 7);
  const at = (i: number, j: number, k: number) => offset + i * strides[0]! + j * strides[1]! + k * strides[2]!;
  const want = new Float32Array(120);
  for (let i = 0, o = 0; i < 4; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 10; k++) want[o++] = data[at(i, j, k)]!;
  const got = new Float32Array(120);
  refElementwise.copyStrided({ data, offset, strides }, got, shape);
  assert.deepEqual(got, want);
  const asF64 = new Float64Array(120); // another array type: element by element
  refElementwise.copyStrided({ data, offset, strides }, asF64, shape);
  assert.deepEqual(Array.from(asF64), Array.from(want));
  const back = new Float32Array(125).fill(NaN);
  refElementwise.scatterStrided(want, { data: back, offset, strides }, shape);
  for (let i = 0; i < 4; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 10; k++) assert.equal(back[at(i, j, k)], data[at(i, j, k)]);
  assert.ok(back.slice(0, 5).every(Number.isNaN), 'nothing written before the offset');
  const dense = new Float32Array(120); // dense with an offset: one block
  refElementwise.copyStrided({ data, offset, strides: [30, 10, 1] }, dense, shape);
  assert.deepEqual(dense, data.slice(5, 125));
});
