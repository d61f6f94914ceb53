// Two-thread runs repeat bit for bit: every parallel kernel writes each output from one task or
// adds task-indexed partials in task order (the conv weight gradient's partials used to be
// per-thread and summed in whatever order the threads had claimed the tasks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Conv2dGeometry } from '../../src/backend/backend.js';
import { wasmBackend, setNumThreads, getNumThreads } from '../../src/backend/wasm/index.js';
import { setConvKernelMode } from '../../src/backend/wasm/kernels.js';
import { setBackend, getBackend } from '../../src/backend/index.js';
import { manualSeed, randn, randint } from '../../src/index.js';
import { LeNet5 } from '../../src/models/lenet.js';
import { SGD } from '../../src/optim/index.js';
import { crossEntropy } from '../../src/functional/loss.js';
import { mulberry32 } from '../helpers/random.js';

function sameBits(a: Float32Array, b: Float32Array, what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths`);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) assert.fail(`${what}: element ${i} differs between repeats (${a[i]} vs ${b[i]})`);
  }
}

test('conv2d weight gradient on 2 threads: the same bits on every call, direct and im2col kernels', () => {
  const before = getNumThreads();
  const prev = setConvKernelMode('backwardWeightDirect', 'auto');
  setNumThreads(2);
  try {
    const rand = mulberry32(11);
    // n, c, h, o, k, stride, pad: LeNet's conv2 (direct), a strided 3×3 and a 4×4 image (im2col)
    const cases: [number, number, number, number, number, number, number][] = [
      [64, 6, 14, 16, 5, 1, 0], [16, 32, 16, 64, 3, 2, 1], [32, 64, 4, 64, 3, 1, 1],
    ];
    for (const mode of ['always', 'never'] as const) {
      setConvKernelMode('backwardWeightDirect', mode);
      for (const [n, c, h, o, k, s, p] of cases) {
        const oh = Math.floor((h + 2 * p - k) / s) + 1;
        const g: Conv2dGeometry = { n, c, h, w: h, o, kh: k, kw: k, oh, ow: oh, strideH: s, strideW: s, padH: p, padW: p,
          dilationH: 1, dilationW: 1, groups: 1 };
        const x = Float32Array.from({ length: n * c * h * h }, () => rand() - 0.5);
        const gy = Float32Array.from({ length: n * o * oh * oh }, () => rand() - 0.5);
        const first = new Float32Array(o * c * k * k);
        wasmBackend.conv2dBackwardWeight(x, gy, first, g);
        for (let r = 0; r < 12; r++) {
          const again = new Float32Array(first.length);
          wasmBackend.conv2dBackwardWeight(x, gy, again, g);
          sameBits(again, first, `${mode} ${JSON.stringify([n, c, h, o, k, s, p])}, repeat ${r}`);
        }
      }
    }
  } finally {
    setConvKernelMode('backwardWeightDirect', prev);
    setNumThreads(before);
  }
});

test('LeNet-5: five seeded SGD steps on 2 threads give the same weights every time', () => {
  const before = getNumThreads(), backend = getBackend().name;
  setBackend('wasm');
  setNumThreads(2);
  try {
    const run = (): Float32Array[] => {
      manualSeed(3);
      const net = new LeNet5().train();
      const opt = new SGD(net.parameters(), { lr: 0.05, momentum: 0.9 });
      const x = randn([64, 1, 28, 28]), y = randint(0, 10, [64]);
      for (let i = 0; i < 5; i++) {
        opt.zeroGrad();
        crossEntropy(net.call(x), y).backward();
        opt.step();
      }
      return net.parameters().map((p) => Float32Array.from(p.data as Float32Array));
    };
    const first = run();
    for (let r = 0; r < 3; r++) run().forEach((p, i) => sameBits(p, first[i]!, `parameter ${i}, run ${r + 2}`));
  } finally {
    setBackend(backend);
    setNumThreads(before);
  }
});
