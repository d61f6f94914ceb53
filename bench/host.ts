/**
 * The host's own ceiling for thread scaling: the SIMD peak loop (no memory traffic, no
 * synchronisation inside) on T threads at once against 1 thread, in alternating pairs like the
 * bench's other scaling rows. On a dedicated machine it reads T×; on a shared VM it shows what
 * the minute allowed (this 2-core KVM host: medians 1.75–2.0×, and one run at 1.0× when the second
 * vCPU was taken), which no kernel can beat.
 */
import { Worker } from 'node:worker_threads';
import { MAX_PAGES } from '../src/backend/wasm/kernels_data.js';

const instancePeak = (module: WebAssembly.Module): ((iters: number) => number) =>
  new WebAssembly.Instance(module, { env: { memory: new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true }) } })
    .exports.peak as (iters: number) => number;

// Each helper runs the loop once per generation bump of ctrl[0] and counts itself done in ctrl[1].
const HELPER = `
const { workerData } = require('node:worker_threads');
const { module, ctrl, iters, maxPages } = workerData;
const peak = new WebAssembly.Instance(module, { env: { memory: new WebAssembly.Memory({ initial: 1, maximum: maxPages, shared: true }) } }).exports.peak;
let gen = 0;
for (;;) {
  Atomics.wait(ctrl, 0, gen);
  gen = Atomics.load(ctrl, 0);
  if (gen < 0) break;
  peak(iters);
  Atomics.add(ctrl, 1, 1);
  Atomics.notify(ctrl, 1);
}`;

/** Ratios (T threads' throughput ÷ 1 thread's) of `pairs` alternating pairs; `iters` loop trips
 * per call (10 M: ~0.1 s on this host). */
export async function peakScalingPairs(module: WebAssembly.Module, threads: number, pairs: number, iters = 10_000_000): Promise<number[]> {
  const peak = instancePeak(module);
  const ctrl = new Int32Array(new SharedArrayBuffer(8));
  const helpers = Array.from({ length: threads - 1 }, () =>
    new Worker(HELPER, { eval: true, workerData: { module, ctrl, iters, maxPages: MAX_PAGES } }));
  try {
    // let the helpers start and compile before the first pair
    await new Promise((r) => setTimeout(r, 500));
    let done = 0;
    const together = (): number => {
      const t0 = performance.now();
      Atomics.add(ctrl, 0, 1);
      Atomics.notify(ctrl, 0);
      peak(iters);
      done += threads - 1;
      while (Atomics.load(ctrl, 1) < done) { /* the helpers' last iterations */ }
      return performance.now() - t0;
    };
    const alone = (): number => {
      const t0 = performance.now();
      peak(iters);
      return performance.now() - t0;
    };
    alone(); together();
    const ratios: number[] = [];
    for (let i = 0; i < pairs; i++) {
      const t1 = alone(), tT = together();
      ratios.push((threads * t1) / tT);
    }
    return ratios;
  } finally {
    Atomics.store(ctrl, 0, -1);
    Atomics.notify(ctrl, 0);
    await Promise.all(helpers.map((w) => w.terminate()));
  }
}
