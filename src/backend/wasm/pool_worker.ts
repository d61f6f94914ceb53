/**
 * The body of a pool worker (Node worker_threads, or a Web Worker): instantiates the kernel module on
 * the shared memory, says it has booted (a bit of the BOOTED control word, which the main thread
 * reads without waiting for a message), then loops: wait for the job generation to change, run
 * `work(job, tid)` unless setNumThreads has parked it (tid ≥ THREADS), repeat. See runtime.ts for
 * the protocol.
 *
 * NOTE: self-contained on purpose (no imports, no outer names): scripts/build-kernels.mjs embeds its
 * source as a string (`POOL_WORKER_SOURCE`), from which a browser starts workers through a Blob URL,
 * so the worker travels inside any bundle; Node runs it from src/node/pool_worker.ts.
 */
export function poolWorker(data: {
  module: WebAssembly.Module; memory: WebAssembly.Memory; tid: number; ctrl: number; job: number;
}): void {
  const { module, memory, tid, ctrl, job } = data;
  const inst = new WebAssembly.Instance(module, { env: { memory } });
  const work = inst.exports.work as (job: number, tid: number) => void;
  const C_GEN = 0, C_THREADS = 1, C_BOOTED = 2; // mirrored in runtime.ts
  const control = new Int32Array(memory.buffer, ctrl, 64);
  /** Busy-wait this many polls (~50 µs) before sleeping: back-to-back kernels then skip the wake-up. */
  const SPIN = 20000;
  let seen = Atomics.load(control, C_GEN);
  Atomics.or(control, C_BOOTED, 1 << tid);
  for (;;) {
    // a parked worker sleeps at once (it still wakes for each job's notify, and looks again)
    let spins = tid < Atomics.load(control, C_THREADS) ? 0 : SPIN;
    while (Atomics.load(control, C_GEN) === seen && spins < SPIN) spins++;
    if (Atomics.load(control, C_GEN) === seen) Atomics.wait(control, C_GEN, seen);
    seen = Atomics.load(control, C_GEN);
    if (tid < Atomics.load(control, C_THREADS)) work(job, tid);
  }
}
