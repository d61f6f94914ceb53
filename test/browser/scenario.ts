// What the browser tests run, in the page, in a Web Worker and in Node alike: tensors, matmul,
// conv2d with its backward, 20 seeded LeNet-5 steps, and a checkpoint of the wrong format given as
// bytes. It takes the library as an argument, so the same code runs on the bundled package in a
// browser and on the built sources in Node; the test then compares the two bit for bit.
import type * as Nerva from 'nerva';

export interface ScenarioResult {
  /** threads asked for, and what ready() said computes */
  asked: number;
  working: number;
  variant: string;
  /** tasks each thread ran during the scenario (main thread first) */
  tasks: number[];
  tensorSum: number;
  matmul: number[];
  conv: { y: number[]; gx: number[]; gw: number[] };
  losses: number[];
  badCheckpoint: string;
  /** methods that modules install for their side effect survived the bundler's tree shaking
   * (package.json sideEffects): Tensor methods (ops/methods.js) and Module.freeze (models/transfer.js) */
  sideEffects: string[];
}

const bits = (t: Nerva.Tensor): number[] => Array.from(t.toTypedArray() as Float32Array);

export async function scenario(nv: typeof Nerva, threads: number, steps = 20, batch = 32): Promise<ScenarioResult> {
  nv.setNumThreads(threads);
  const working = await nv.ready();
  const before = nv.wasmInfo().tasksRun;
  nv.manualSeed(7);

  const tensorSum = nv.tensor([[1, 2], [3, 4]]).add(1).mul(2).sum().item(); // 2·(2+3+4+5) = 28
  const matmul = bits(nv.matmul(nv.randn([67, 129]), nv.randn([129, 61])));

  const x = nv.randn([4, 3, 16, 16]).requiresGrad_();
  const w = nv.mul(nv.randn([8, 3, 3, 3]), 0.2).requiresGrad_();
  const y = nv.conv2d(x, w, undefined, { padding: 1 });
  nv.sum(nv.mul(y, y)).backward();
  const conv = { y: bits(y), gx: bits(x.grad!), gw: bits(w.grad!) };

  const model = new nv.models.LeNet5();
  const opt = new nv.optim.Adam(model.parameters(), { lr: 1e-3 });
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const input = nv.randn([batch, 1, 28, 28]);
    const target = nv.randint(0, 10, [batch]);
    const loss = nv.crossEntropy(model.call(input), target);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }

  let badCheckpoint = '';
  try {
    nv.decodeCheckpoint(new TextEncoder().encode('{"this": "is JSON, not a checkpoint"}'), 'upload.bin');
  } catch (e) {
    badCheckpoint = (e as Error).message;
  }
  const after = nv.wasmInfo();
  return {
    asked: threads, working, variant: after.variant, tasks: after.tasksRun.map((n, t) => n - (before[t] ?? 0)),
    tensorSum, matmul, conv, losses, badCheckpoint,
    sideEffects: [typeof nv.zeros([1]).T, typeof model.freeze],
  };
}

/** LeNet-5 training speed in samples/s: `steps` timed Adam steps on seeded random batches after
 * 3 untimed ones (bench/browser.ts runs it in Node and in Chromium). */
export async function lenetSpeed(nv: typeof Nerva, threads: number, batch: number, steps: number): Promise<number> {
  nv.setNumThreads(threads);
  await nv.ready();
  nv.manualSeed(1);
  const model = new nv.models.LeNet5();
  const opt = new nv.optim.Adam(model.parameters(), { lr: 1e-3 });
  const input = nv.randn([batch, 1, 28, 28]);
  const target = nv.randint(0, 10, [batch]);
  let t0 = 0;
  for (let step = -3; step < steps; step++) {
    if (step === 0) t0 = performance.now();
    const loss = nv.crossEntropy(model.call(input), target);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    loss.item();
  }
  return (batch * steps) / ((performance.now() - t0) / 1000);
}
