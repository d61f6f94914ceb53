// The wasm backend's fused LSTM and GRU recurrences (src/kernels/rnn.ts) against the reference loop in
// src/ops/lstm_cell.ts: odd sizes (H ≡ 1, 2, 3 mod 4 exercise the scalar tails), variable lengths
// with zeros, reverse direction, with and without b_hh, one and two threads; outputs, final states
// and every gradient.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { randn } from '../../src/tensor/creation.js';
import { manualSeed } from '../../src/tensor/random.js';
import { mul, sum, add } from '../../src/ops/index.js';
import { setBackend, getBackend } from '../../src/backend/index.js';
import { setNumThreads, getNumThreads } from '../../src/backend/wasm/index.js';
import { recurrence } from '../../src/ops/lstm_cell.js';
import { getRuntime } from '../../src/backend/wasm/runtime.js';

/** tol: relative tolerance (default 2e-5); wider where a gradient sums thousands of float32 products
 * in a different order than the reference loop. */
interface Case { T: number; B: number; H: number; lengths?: number[]; reverse?: boolean; bias?: boolean; tol?: number }

const CASES: Case[] = [
  { T: 1, B: 1, H: 1 },
  { T: 3, B: 2, H: 5 },
  { T: 7, B: 3, H: 13, bias: false },
  { T: 6, B: 4, H: 6, lengths: [6, 0, 3, 1] },
  { T: 5, B: 3, H: 7, lengths: [2, 5, 4], reverse: true },
  { T: 4, B: 2, H: 8, reverse: true },
  { T: 9, B: 5, H: 40, lengths: [9, 7, 9, 1, 3] }, // > 4 rows: W_hh prepacked once per sequence
  { T: 4, B: 7, H: 100, lengths: [4, 2, 4, 1, 3, 4, 0], tol: 1e-4 }, // two slices on two threads (56 + 44 units)
  { T: 3, B: 6, H: 36, reverse: true },
  { T: 2, B: 5, H: 300, tol: 1e-4 }, // W_hh's prepacked blocks span several k blocks (KC = 256)
  { T: 0, B: 2, H: 3 },
];

function run(mode: 'lstm' | 'gru', c: Case, backend: string): Float32Array[] {
  setBackend(backend);
  manualSeed(c.T * 1000 + c.B * 100 + c.H);
  const G = (mode === 'lstm' ? 4 : 3) * c.H;
  const gx = randn([c.T, c.B, G]).requiresGrad_();
  const w = mul(randn([G, c.H]), 0.4).detach().requiresGrad_();
  const b = c.bias === false ? null : randn([G]).requiresGrad_();
  const h0 = randn([c.B, c.H]).requiresGrad_();
  const c0 = mode === 'lstm' ? randn([c.B, c.H]).requiresGrad_() : null;
  const out = recurrence(mode, gx, w, b, h0, c0, { reverse: c.reverse, lengths: c.lengths });
  const r = randn(out.shape as number[]); // a random upstream gradient reaches every row
  sum(add(mul(out, r), mul(out, out))).backward();
  const grads = [gx.grad, w.grad, b?.grad ?? null, h0.grad, c0?.grad ?? null];
  return [out, ...grads].map((t: Tensor | null) => (t === null ? new Float32Array(0) : (t.toTypedArray() as Float32Array)));
}

function compare(got: Float32Array[], want: Float32Array[], label: string, tol = 2e-5): void {
  const names = ['output', 'grad gx', 'grad W_hh', 'grad b_hh', 'grad h0', 'grad c0'];
  want.forEach((wv, i) => {
    assert.equal(got[i]!.length, wv.length, `${names[i]} length, case ${label}`);
    for (let j = 0; j < wv.length; j++) {
      const err = Math.abs(got[i]![j]! - wv[j]!);
      if (!(err <= tol * (1 + Math.abs(wv[j]!)))) assert.fail(`${names[i]}[${j}] case ${label}: wasm ${got[i]![j]}, ref ${wv[j]}`);
    }
  });
}

for (const [mode, threads] of [['lstm', 1], ['lstm', 2], ['gru', 1], ['gru', 2]] as const) {
  test(`wasm ${mode} recurrence equals the reference loop (${threads} thread${threads > 1 ? 's' : ''})`, () => {
    const before = getBackend().name, beforeThreads = getNumThreads();
    setNumThreads(threads);
    try {
      for (const c of CASES) {
        compare(run(mode, c, 'wasm'), run(mode, c, 'ref'), JSON.stringify(c), c.tol);
      }
    } finally {
      setBackend(before);
      setNumThreads(beforeThreads);
    }
  });
}

test('a sequence whose backward would not fit in wasm memory runs the reference loop instead (same results, no error)', () => {
  const before = getBackend().name;
  const rt = getRuntime();
  const limit = rt.byteLimit;
  const c: Case = { T: 6, B: 3, H: 9, lengths: [6, 2, 5] };
  try {
    for (const mode of ['lstm', 'gru'] as const) {
      const want = run(mode, c, 'ref');
      rt.byteLimit = 1024; // nothing fits
      const got = run(mode, c, 'wasm');
      rt.byteLimit = limit;
      compare(got, want, `${mode} without room in wasm memory`);
    }
  } finally {
    rt.byteLimit = limit;
    setBackend(before);
  }
});
