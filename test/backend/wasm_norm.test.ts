// The wasm batch-norm kernels (src/kernels/norm.ts) against the reference ones: odd channel and
// plane sizes (inner ≡ 1, 2, 3 mod 4 for the scalar tails), with and without affine parameters,
// statistics-only backward, one and two threads, and an offset large next to the spread (the
// two-pass variance must not cancel).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refBackend } from '../../src/backend/ref/index.js';
import { wasmBackend, setNumThreads, getNumThreads } from '../../src/backend/wasm/index.js';
import { Generator } from '../../src/tensor/random.js';

const gen = new Generator(5);
const rand = (n: number, scale = 1, offset = 0): Float32Array => {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = offset + scale * gen.normal();
  return a;
};

function close(got: Float32Array, want: Float32Array, tol: number, what: string): void {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i]! - want[i]!);
    if (!(err <= tol * (1 + Math.abs(want[i]!)))) assert.fail(`${what}[${i}]: wasm ${got[i]}, ref ${want[i]}`);
  }
}

const SHAPES: [number, number, number][] = [[8, 16, 28 * 28], [5, 3, 1023], [3, 7, 30], [64, 5, 1], [1, 1, 4099], [2, 33, 97], [4, 2, 3]];

for (const threads of [1, 2]) {
  test(`wasm batch norm forward and backward equal the reference (${threads} thread${threads > 1 ? 's' : ''})`, () => {
    const before = getNumThreads();
    setNumThreads(threads);
    try {
      for (const [outer, c, inner] of SHAPES) {
        for (const affine of [true, false]) {
          const g = { outer, c, inner };
          const n = outer * c * inner;
          const x = rand(n, affine ? 0.5 : 0.01, affine ? 3 : 1000); // offset ≫ spread
          const gy = rand(n);
          const w = affine ? rand(c) : null, b = affine ? rand(c) : null;
          const out = () => ({ y: new Float32Array(n), m: new Float32Array(c), v: new Float32Array(c), is: new Float32Array(c) });
          const r = out(), k = out();
          refBackend.batchNormForward(x, w, b, r.y, r.m, r.v, r.is, 1e-5, g);
          k.y.fill(NaN); // every output must be written
          wasmBackend.batchNormForward(x, w, b, k.y, k.m, k.v, k.is, 1e-5, g);
          const what = `${JSON.stringify(g)} affine=${affine}`;
          close(k.y, r.y, 2e-4, `y ${what}`);
          close(k.m, r.m, 1e-6, `mean ${what}`);
          close(k.v, r.v, 1e-4, `var ${what}`);
          close(k.is, r.is, 1e-4, `invstd ${what}`);
          for (const withGx of [true, false]) {
            const rg = { gx: withGx ? new Float32Array(n) : null, gw: new Float32Array(c), gb: new Float32Array(c) };
            const kg = { gx: withGx ? new Float32Array(n).fill(NaN) : null, gw: new Float32Array(c), gb: new Float32Array(c) };
            refBackend.batchNormBackward(x, gy, w, r.m, r.is, rg.gx, rg.gw, rg.gb, g);
            wasmBackend.batchNormBackward(x, gy, w, r.m, r.is, kg.gx, kg.gw, kg.gb, g);
            if (withGx) close(kg.gx!, rg.gx!, 2e-4, `gx ${what}`);
            close(kg.gw, rg.gw, 1e-3, `gWeight ${what}`);
            close(kg.gb, rg.gb, 1e-3, `gBias ${what}`);
          }
        }
      }
    } finally {
      setNumThreads(before);
    }
  });
}
