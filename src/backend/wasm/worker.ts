/**
 * A pool worker (Node worker_threads, or a module Web Worker in a cross-origin isolated page):
 * instantiates the kernel module on the shared memory, then
 * loops: wait for the job generation to change, run `work(job, tid)` unless setNumThreads has
 * parked it (tid ≥ THREADS), repeat. It never leaves: it is unref'd, so it does not keep the
 * process alive. See runtime.ts for the protocol.
 */

interface Data {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  tid: number;
  ctrl: number;
  job: number;
}

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
// Node passes the data at creation; a Web Worker receives it as its first message.
const data: Data = isNode
  ? (await import('node:worker_threads')).workerData as Data
  : await new Promise<Data>((resolve) => {
    (globalThis as unknown as { onmessage: (e: { data: Data }) => void }).onmessage = (e) => resolve(e.data);
  });
const { module, memory, tid, ctrl, job } = data;
const inst = new WebAssembly.Instance(module, { env: { memory } });
const work = inst.exports.work as (job: number, tid: number) => void;
const C_GEN = 0, C_THREADS = 1;
const control = new Int32Array(memory.buffer, ctrl, 64);
/** Busy-wait this many polls (~50 µs) before sleeping: back-to-back kernels then skip the wake-up. */
const SPIN = 20000;

let seen = Atomics.load(control, C_GEN);
for (;;) {
  // a parked worker sleeps at once (it still wakes for each job's notify, and looks again)
  let spins = tid < Atomics.load(control, C_THREADS) ? 0 : SPIN;
  while (Atomics.load(control, C_GEN) === seen && spins < SPIN) spins++;
  if (Atomics.load(control, C_GEN) === seen) Atomics.wait(control, C_GEN, seen);
  seen = Atomics.load(control, C_GEN);
  if (tid < Atomics.load(control, C_THREADS)) work(job, tid);
}
