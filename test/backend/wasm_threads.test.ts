import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nv from '../../src/index.js';
import { setNumThreads, getNumThreads } from '../../src/backend/wasm/index.js';

// Regression test for a race between consecutive pool jobs: a worker still leaving one job (a
// GEMM with a small workspace) could run a task of the next (a conv backward with a larger one)
// with a stale workspace stride. Jobs of alternating kinds and sizes, on two threads, must agree
// with the reference backend every time.

function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(a[i]!)));
  return m;
}

test('wasm on 2 threads: conv forward/backward and GEMM jobs back to back agree with ref', () => {
  const before = getNumThreads();
  setNumThreads(2);
  try {
    nv.manualSeed(11);
    for (let it = 0; it < 12; it++) {
      const n = [64, 256][it % 2]!;
      const x = nv.randn([n, 6, 14, 14]).requiresGrad_();
      const w = nv.mul(nv.randn([16, 6, 5, 5]), 0.1).requiresGrad_();
      const a = nv.randn([n, 400]);
      const b = nv.randn([400, 120]);
      const results: Record<string, Float32Array[]> = {};
      for (const backend of ['ref', 'wasm']) {
        nv.setBackend(backend);
        x.grad = null;
        w.grad = null;
        const y = nv.conv2d(x, w);
        const p = nv.maxPool2d(y, 2);
        nv.sum(p).backward();
        results[backend] = [y, p, x.grad!, w.grad!, nv.matmul(a, b)].map((t) => t.toTypedArray() as Float32Array);
      }
      const names = ['conv2d', 'maxPool2d', 'grad input', 'grad weight', 'matmul'];
      results.ref!.forEach((r, i) => {
        const d = relDiff(r, results.wasm![i]!);
        assert.ok(d < 1e-3, `iteration ${it} (batch ${n}): ${names[i]} differs by ${d.toExponential(2)}`);
      });
    }
  } finally {
    nv.setBackend('ref');
    setNumThreads(before);
  }
});

// setNumThreads parks the workers above the count instead of stopping them (restarting one cost
// tens of milliseconds): a parked worker must take no task while parked, even though it still
// sees every job's wake-up, and must take tasks again once the count goes back up. Every count
// here gives the reference's results, job after job, the count changing between jobs.
test('wasm: thread count changed between jobs (workers parked and woken) keeps results right', () => {
  const before = getNumThreads();
  try {
    nv.manualSeed(12);
    const x = nv.randn([48, 8, 12, 12]);
    const w = nv.mul(nv.randn([12, 8, 3, 3]), 0.2);
    const a = nv.randn([128, 256]); // 6.3 MFLOP: above the threshold for splitting a GEMM
    const b = nv.randn([256, 96]);
    nv.setBackend('ref');
    const want = [nv.conv2d(x, w, null, { padding: 1 }), nv.matmul(a, b)].map((t) => t.toTypedArray() as Float32Array);
    nv.setBackend('wasm');
    for (const threads of [2, 1, 3, 1, 2, 3, 2, 1, 1, 3]) {
      setNumThreads(threads);
      assert.equal(getNumThreads(), threads);
      const got = [nv.conv2d(x, w, null, { padding: 1 }), nv.matmul(a, b)].map((t) => t.toTypedArray() as Float32Array);
      got.forEach((g, i) => {
        const d = relDiff(want[i]!, g);
        assert.ok(d < 1e-4, `${threads} thread(s): ${['conv2d', 'matmul'][i]} differs by ${d.toExponential(2)}`);
      });
    }
  } finally {
    nv.setBackend('ref');
    setNumThreads(before);
  }
});
