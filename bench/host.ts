/**
 * The host's own ceiling for thread scaling: the SIMD peak loop (no memory traffic, no
 * synchronisation inside) on T threads at once against 1 thread, in alternating pairs like the
 * bench's other scaling rows, and interleaved with them (one peak pair after each workload pair),
 * so that it sees the same minutes. On a dedicated machine it reads T×; on a shared VM it shows what
 * the host allowed while the workload was measured (this 2-core KVM host: mostly 1.75–2.0×, at
 * times 1.0× when the second vCPU is taken), which no kernel can beat.
 */
import { Worker } from 'node:worker_threads';
import { MAX_PAGES } from '../src/backend/wasm/kernels_data.js';

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

export class PeakPairs {
  private readonly peak: (iters: number) => number;
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(8));
  private readonly helpers: Worker[];
  private done = 0;

  /** `iters` loop trips per call (10 M: ~0.1 s on this host). */
  constructor(module: WebAssembly.Module, private readonly threads: number, private readonly iters = 10_000_000) {
    this.peak = new WebAssembly.Instance(module, { env: { memory: new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true }) } })
      .exports.peak as (iters: number) => number;
    this.helpers = Array.from({ length: threads - 1 }, () =>
      new Worker(HELPER, { eval: true, workerData: { module, ctrl: this.ctrl, iters, maxPages: MAX_PAGES } }));
  }

  /** Lets the helpers start and compile, then warms up one pair. */
  async start(): Promise<void> {
    await new Promise((r) => setTimeout(r, 500));
    this.pair();
  }

  /** One pair: T threads' throughput ÷ 1 thread's. */
  pair(): number {
    let t0 = performance.now();
    this.peak(this.iters);
    const alone = performance.now() - t0;
    t0 = performance.now();
    Atomics.add(this.ctrl, 0, 1);
    Atomics.notify(this.ctrl, 0);
    this.peak(this.iters);
    this.done += this.threads - 1;
    while (Atomics.load(this.ctrl, 1) < this.done) { /* the helpers' last iterations */ }
    return (this.threads * alone) / (performance.now() - t0);
  }

  async stop(): Promise<void> {
    Atomics.store(this.ctrl, 0, -1);
    Atomics.notify(this.ctrl, 0);
    await Promise.all(this.helpers.map((w) => w.terminate()));
  }
}
