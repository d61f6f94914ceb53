/**
 * Why activations are copied in and out of wasm memory by the main thread alone (docs/DESIGN.md):
 * the two alternatives' premises, measured.
 *  1. Tensors on SharedArrayBuffers (so that pool workers could copy them): does the garbage
 *     collector free them in a loop that allocates and drops them, as it does ArrayBuffers? The
 *     loop stops when RSS passes --limit MiB.
 *  2. Would two threads copy faster? Copies of 8 MiB activations that come from DRAM (64 arrays in
 *     rotation, 512 MiB) into shared wasm memory, one thread against two (a worker takes half).
 *
 *   npm run build && node dist/bench/copies.js [--limit 1500]
 */
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';

const { values } = parseArgs({ options: { limit: { type: 'string', default: '1500' } } });
const LIMIT = Number(values.limit) * 2 ** 20;
const N = 2 << 20; // floats: 8 MiB
const mib = (b: number): string => (b / 2 ** 20).toFixed(0);

function pressure(kind: 'ArrayBuffer' | 'SharedArrayBuffer'): void {
  let maxRss = 0, i = 0;
  const t0 = performance.now();
  for (; i < 2000; i++) {
    const a = kind === 'ArrayBuffer' ? new Float32Array(N) : new Float32Array(new SharedArrayBuffer(N * 4));
    a.fill(1);
    if (i % 25 === 0) {
      maxRss = Math.max(maxRss, process.memoryUsage().rss);
      if (maxRss > LIMIT) break;
    }
  }
  const ms = (performance.now() - t0) / i;
  console.log(`${kind.padEnd(17)} ${i} × 8 MiB allocated, filled and dropped: max RSS ${mib(maxRss)} MiB${maxRss > LIMIT ? ` (stopped past ${mib(LIMIT)} MiB: not collected)` : ''}, ${ms.toFixed(2)} ms each`);
}

// The worker copies [off, off + n) floats of the shared array it is sent into wasm memory, once per
// generation bump of ctrl[0], and counts itself done in ctrl[1].
const HELPER = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { port, ctrl, memory } = workerData;
let gen = 0;
for (;;) {
  Atomics.wait(ctrl, 0, gen);
  gen = Atomics.load(ctrl, 0);
  if (gen < 0) break;
  const m = receiveMessageOnPort(port);
  if (m) { const { sab, start, n, to } = m.message; new Float32Array(memory.buffer).set(new Float32Array(sab, start * 4, n), to); }
  Atomics.add(ctrl, 1, 1);
  Atomics.notify(ctrl, 1);
}`;

async function bandwidth(): Promise<void> {
  const { MessageChannel } = await import('node:worker_threads');
  const memory = new WebAssembly.Memory({ initial: (8 * N * 4) / 65536, maximum: 16384, shared: true });
  const f32 = new Float32Array(memory.buffer);
  const ctrl = new Int32Array(new SharedArrayBuffer(8));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(HELPER, { eval: true, workerData: { port: port2, ctrl, memory }, transferList: [port2] });
  await new Promise((r) => setTimeout(r, 300));
  const srcs = Array.from({ length: 64 }, (_, i) => new Float32Array(new SharedArrayBuffer(N * 4)).fill(i));
  const slot = (i: number): number => (i % 8) * N; // 8 destinations of 8 MiB
  let done = 0;
  const run = (two: boolean): number => {
    const reps = 128, t0 = performance.now();
    for (let i = 0; i < reps; i++) {
      const s = srcs[i % srcs.length]!;
      if (!two) { f32.set(s, slot(i)); continue; }
      const h = N >> 1;
      port1.postMessage({ sab: s.buffer, start: h, n: N - h, to: slot(i) + h });
      Atomics.add(ctrl, 0, 1);
      Atomics.notify(ctrl, 0);
      f32.set(s.subarray(0, h), slot(i));
      done++;
      while (Atomics.load(ctrl, 1) < done) { /* the worker's half */ }
    }
    return (performance.now() - t0) / reps;
  };
  run(false); run(true); // first touch of the destination pages
  for (let k = 0; k < 3; k++) {
    const one = run(false), two = run(true);
    console.log(`copy 8 MiB from DRAM into wasm memory: 1 thread ${(N * 4 / one / 1e6).toFixed(1)} GB/s, 2 threads ${(N * 4 / two / 1e6).toFixed(1)} GB/s (${(one / two).toFixed(2)}×)`);
  }
  Atomics.store(ctrl, 0, -1);
  Atomics.notify(ctrl, 0);
  await worker.terminate();
}

pressure('ArrayBuffer');
pressure('SharedArrayBuffer');
await bandwidth();
process.exit(0);
