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

// The fused epilogue (residual add, relu; BatchNorm2d.callRelu): on each backend, the fused calls
// give the same bits as the separate calls they replace — batch norm, binary('add'), unary('relu')
// forward; unaryBackward('relu') (masked by the pre-activation) then batch norm backward — and the
// wasm results stay within the usual tolerance of ref's. Shapes include tails (inner ≡ 1, 2, 3
// mod 4) and exact zeros in the pre-activation (the mask's edge: a zero gets no gradient).
for (const threads of [1, 2]) {
  test(`fused batch norm + residual + relu equals the separate calls, ref and wasm (${threads} thread${threads > 1 ? 's' : ''})`, () => {
    const before = getNumThreads();
    setNumThreads(threads);
    try {
      for (const [outer, c, inner] of SHAPES) {
        for (const [withRes, withRelu] of [[true, true], [false, true], [true, false]] as const) {
          const g = { outer, c, inner };
          const n = outer * c * inner;
          const x = rand(n, 0.5, 3), gy = rand(n), w = rand(c), b = rand(c);
          const res0 = withRes ? rand(n) : null;
          const what = `${JSON.stringify(g)} residual=${withRes} relu=${withRelu} T=${threads}`;
          const results: Record<string, { y: Float32Array; gx: Float32Array; gw: Float32Array; gb: Float32Array; gr: Float32Array | null }> = {};
          for (const [name, be] of [['ref', refBackend], ['wasm', wasmBackend]] as const) {
            const stats = () => ({ m: new Float32Array(c), v: new Float32Array(c), is: new Float32Array(c) });
            // separate calls
            const s = stats(), bn = new Float32Array(n), z = new Float32Array(n), y = new Float32Array(n);
            be.batchNormForward(x, w, b, bn, s.m, s.v, s.is, 1e-5, g);
            // every 7th pre-activation exactly 0 (the residual cancels this backend's normalized value)
            const res = res0 === null ? null : res0.map((v, i) => (i % 7 === 3 ? -bn[i]! : v));
            if (res !== null) be.binary('add', { data: bn, offset: 0, strides: [1] }, { data: res, offset: 0, strides: [1] }, z, [n]);
            else z.set(bn);
            if (withRelu) be.unary('relu', z, y); else y.set(z);
            const gz = new Float32Array(n);
            if (withRelu) be.unaryBackward('relu', z, y, gy, gz); else gz.set(gy);
            const sep = { gx: new Float32Array(n), gw: new Float32Array(c), gb: new Float32Array(c) };
            be.batchNormBackward(x, gz, w, s.m, s.is, sep.gx, sep.gw, sep.gb, g);
            // fused
            const f = stats(), fy = new Float32Array(n).fill(NaN);
            be.batchNormForward(x, w, b, fy, f.m, f.v, f.is, 1e-5, g, { residual: res, relu: withRelu });
            const fg = { gx: new Float32Array(n).fill(NaN), gw: new Float32Array(c), gb: new Float32Array(c), gr: res === null ? null : new Float32Array(n).fill(NaN) };
            be.batchNormBackward(x, gy, w, f.m, f.is, fg.gx, fg.gw, fg.gb, g, { y: withRelu ? fy : null, gResidual: fg.gr });
            assert.deepEqual(fy, y, `${name} fused forward ${what}`);
            assert.deepEqual(fg.gx, sep.gx, `${name} fused gx ${what}`);
            assert.deepEqual(fg.gw, sep.gw, `${name} fused gWeight ${what}`);
            assert.deepEqual(fg.gb, sep.gb, `${name} fused gBias ${what}`);
            if (fg.gr !== null) assert.deepEqual(fg.gr, gz, `${name} fused gResidual ${what}`);
            results[name] = { y: fy, gx: fg.gx, gw: fg.gw, gb: fg.gb, gr: fg.gr };
          }
          // wasm against ref: the forward within tolerance; the backward given the same mask (ref's
          // output), since a pre-activation within rounding of 0 may take either side
          const r = results.ref!, k = results.wasm!;
          close(k.y, r.y, 2e-4, `y ${what}`);
          if (res0 === null) {
            const kg = { gx: new Float32Array(n), gw: new Float32Array(c), gb: new Float32Array(c) };
            const st = { m: new Float32Array(c), v: new Float32Array(c), is: new Float32Array(c) };
            refBackend.batchNormForward(x, w, b, new Float32Array(n), st.m, st.v, st.is, 1e-5, g);
            wasmBackend.batchNormBackward(x, gy, w, st.m, st.is, kg.gx, kg.gw, kg.gb, g, { y: r.y, gResidual: null });
            close(kg.gx, r.gx, 2e-4, `gx ${what}`);
            close(kg.gw, r.gw, 1e-3, `gWeight ${what}`);
            close(kg.gb, r.gb, 1e-3, `gBias ${what}`);
          }
        }
      }
    } finally {
      setNumThreads(before);
    }
  });
}
