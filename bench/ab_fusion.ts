/**
 * The sixth session's two ResNet-18 changes, each against its absence in one process (calls
 * alternating, so both see the same minutes of a shared host): conv2dBackward (one call for a
 * convolution's two gradients, copies overlapped with the jobs) and batch norm fused with the
 * residual add and relu (BatchNorm2d.callRelu). Prints (without ÷ with) per pair and the median.
 *
 *   npm run build && node dist/bench/ab_fusion.js [--threads 2] [--pairs 8]
 */
import { parseArgs } from 'node:util';
import { modelWorkloads } from './models.js';
import { setNumThreads, wasmBackend } from '../src/backend/wasm/index.js';
import { BatchNormBase } from '../src/nn/batchnorm.js';
import { add, relu } from '../src/ops/elementwise.js';
import type { Tensor } from '../src/tensor/tensor.js';

const { values } = parseArgs({ options: { threads: { type: 'string', default: '2' }, pairs: { type: 'string', default: '8' } } });
setNumThreads(Number(values.threads));
const step = modelWorkloads().find((w) => w.workload === 'resnet18_train')!.setup();

const fusedBackward = wasmBackend.conv2dBackward;
const fusedNorm = BatchNormBase.prototype.callRelu;
function composedNorm(this: BatchNormBase, x: Tensor, residual: Tensor | null = null): Tensor {
  const y = this.forward(x);
  return relu(residual === null ? y : add(y, residual));
}

const variants: [string, (on: boolean) => void][] = [
  ['conv2dBackward', (on) => { wasmBackend.conv2dBackward = on ? fusedBackward : undefined; }],
  ['batch norm + add + relu', (on) => { BatchNormBase.prototype.callRelu = on ? fusedNorm : composedNorm; }],
];
for (const [name, set] of variants) {
  const time = (on: boolean): number => {
    set(on);
    const t0 = performance.now();
    step();
    return performance.now() - t0;
  };
  time(true); time(false);
  const ratios: number[] = [];
  for (let i = 0; i < Number(values.pairs); i++) {
    const withIt = time(true), without = time(false);
    ratios.push(without / withIt);
  }
  set(true);
  const sorted = [...ratios].sort((a, b) => a - b);
  console.log(`${name} (${values.threads} thread(s)): without ÷ with, median ${sorted[sorted.length >> 1]!.toFixed(3)} (pairs ${ratios.map((r) => r.toFixed(2)).join(' ')})`);
}
process.exit(0);
