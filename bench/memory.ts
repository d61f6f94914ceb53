/**
 * Memory check for the wasm backend: 10,000 kernel calls (matmul, conv2d forward + both backwards,
 * max pooling), fresh JS arrays each time as a training loop makes them, printing resident memory
 * (RSS) and the WebAssembly memory every 1,000 calls. Flat lines = nothing leaks: the wasm memory
 * grows once to the largest call's need and is reused (copy-in/copy-out), the JS arrays are
 * ordinary garbage. Also times the copy-in/copy-out overhead against the kernel itself.
 *
 * Then a LeNet-5 training loop of --steps steps (parameters resident in wasm memory) and --models
 * VGG-sized classifiers made and dropped, printing the resident heap too: it must not grow.
 *
 *   npm run build && node --expose-gc dist/bench/memory.js [--calls 10000] [--steps 10000] [--models 10]
 */
import { parseArgs } from 'node:util';
import { wasmBackend, setNumThreads, wasmInfo } from '../src/backend/wasm/index.js';
import { getRuntime } from '../src/backend/wasm/runtime.js';
import { setBackend } from '../src/backend/index.js';
import '../src/ops/index.js';
import { randn, randint } from '../src/tensor/creation.js';
import { crossEntropy } from '../src/functional/loss.js';
import { Sequential, Linear, ReLU } from '../src/nn/index.js';
import { LeNet5 } from '../src/models/lenet.js';
import { SGD } from '../src/optim/index.js';
import type { Conv2dGeometry, Pool2dGeometry } from '../src/backend/backend.js';

const { values } = parseArgs({ options: {
  calls: { type: 'string', default: '10000' }, steps: { type: 'string', default: '10000' }, models: { type: 'string', default: '10' },
} });
const CALLS = Number(values.calls), STEPS = Number(values.steps), MODELS = Number(values.models);
const rand = (n: number): Float32Array => Float32Array.from({ length: n }, () => Math.random() - 0.5);
const mib = (b: number): string => (b / 2 ** 20).toFixed(1);

setNumThreads(2);
const g: Conv2dGeometry = { n: 8, c: 16, h: 16, w: 16, o: 16, kh: 3, kw: 3, oh: 16, ow: 16, strideH: 1, strideW: 1,
  padH: 1, padW: 1, dilationH: 1, dilationW: 1, groups: 1 };
const pg: Pool2dGeometry = { n: 8, c: 16, h: 16, w: 16, kh: 2, kw: 2, oh: 8, ow: 8, strideH: 2, strideW: 2, padH: 0, padW: 0 };
const mm = { batch: 1, m: 64, n: 128, k: 96, transA: false, transB: true, aBatchStride: 0, bBatchStride: 0 };

console.log('calls  rss MiB  heapUsed MiB  wasm MiB');
const t0 = performance.now();
for (let i = 0; i <= CALLS; i++) {
  if (i % 1000 === 0) {
    const m = process.memoryUsage();
    console.log(`${String(i).padStart(5)}  ${mib(m.rss).padStart(7)}  ${mib(m.heapUsed).padStart(12)}  ${mib(wasmInfo().memoryBytes).padStart(8)}`);
  }
  if (i === CALLS) break;
  const x = rand(8 * 16 * 256), w = rand(16 * 16 * 9), y = new Float32Array(8 * 16 * 256);
  wasmBackend.conv2d(x, w, y, g);
  const gx = new Float32Array(x.length), gw = new Float32Array(w.length);
  wasmBackend.conv2dBackwardInput(y, w, gx, g);
  wasmBackend.conv2dBackwardWeight(x, y, gw, g);
  const py = new Float32Array(8 * 16 * 64), am = new Int32Array(py.length);
  wasmBackend.maxPool2d(y, py, am, pg);
  const c = new Float32Array(64 * 128);
  wasmBackend.matmul(rand(64 * 96), rand(128 * 96), c, mm);
}
console.log(`${CALLS} iterations (5 kernel calls each) in ${((performance.now() - t0) / 1e3).toFixed(1)} s`);

// A real training loop: LeNet-5 steps (forward, loss, backward, SGD) with resident parameters, and
// then models made and dropped (their resident parameters must go back to the heap).
{
  setBackend('wasm');
  const net = new LeNet5().train();
  const opt = new SGD(net.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = randn([64, 1, 28, 28]), y = randint(0, 10, [64]);
  const rt = getRuntime();
  const show = (label: string) => {
    const m = process.memoryUsage(), r = rt.residentBytes();
    console.log(`${label.padStart(12)}  ${mib(m.rss).padStart(7)}  ${mib(m.heapUsed).padStart(12)}  ${mib(wasmInfo().memoryBytes).padStart(8)}  ${mib(r.heap).padStart(11)}`);
  };
  console.log(`\nLeNet-5 training steps (batch 64)\n       steps  rss MiB  heapUsed MiB  wasm MiB  resident MiB`);
  const t1 = performance.now();
  for (let i = 0; i <= STEPS; i++) {
    if (i % Math.max(1, Math.floor(STEPS / 10)) === 0) show(String(i));
    if (i === STEPS) break;
    opt.zeroGrad();
    crossEntropy(net.call(x), y).backward();
    opt.step();
  }
  console.log(`${STEPS} steps in ${((performance.now() - t1) / 1e3).toFixed(1)} s`);
  console.log(`\nVGG-sized classifiers (25088 → 4096 → 10, 411 MB of parameters each) made and dropped\n      models  rss MiB  heapUsed MiB  wasm MiB  resident MiB`);
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i <= MODELS; i++) {
    if (i % Math.max(1, Math.floor(MODELS / 5)) === 0) {
      gc?.();
      await new Promise((r) => setTimeout(r, 20)); // finalizers run after a GC, between tasks
      show(String(i));
    }
    if (i === MODELS) break;
    new Sequential(new Linear(25088, 4096), new ReLU(), new Linear(4096, 10));
  }
  if (gc === undefined) console.log('(run with node --expose-gc to collect before each line)');
}

// Copy-in/copy-out share of a call: the same sgemm with and without the typed-array copies.
setNumThreads(1);
for (const n of [64, 128, 256, 512]) {
  const a = rand(n * n), b = rand(n * n), c = new Float32Array(n * n);
  const p = { batch: 1, m: n, n, k: n, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
  const reps = Math.max(3, Math.round(3e8 / (2 * n * n * n)));
  wasmBackend.matmul(a, b, c, p);
  let t = performance.now();
  for (let r = 0; r < reps; r++) wasmBackend.matmul(a, b, c, p);
  const whole = (performance.now() - t) / reps;
  const view = new Float32Array(n * n);
  t = performance.now();
  for (let r = 0; r < reps; r++) { view.set(a); view.set(b); c.set(view); }
  const copies = (performance.now() - t) / reps;
  console.log(`sgemm n=${n}: ${(whole * 1e3).toFixed(0)} µs per call, of which ~${(copies * 1e3).toFixed(0)} µs (${(100 * copies / whole).toFixed(1)}%) are the three copies`);
}
