// Full-size torchvision parity check, part 2: loads the weights, input and logits that
// scripts/check_full_size.py wrote to /tmp/nerva-full/ into Nerva's AlexNet, VGG-16 and ResNet-18
// (1000 classes) and compares the eval-mode logits. Not part of `npm test` (the files are ~800 MB).
//
//   /usr/bin/python3 scripts/check_full_size.py && npm run build && node dist/scripts/check_full_size.js [--backend ref]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { noGrad, setBackend } from '../src/index.js';
import { setNumThreads } from '../src/backend/wasm/index.js';
import type { Module } from '../src/nn/index.js';
import { loadSafetensors } from '../src/node/safetensors.js';
import { AlexNet } from '../src/models/alexnet.js';
import { vgg16 } from '../src/models/vgg.js';
import { resnet18 } from '../src/models/resnet.js';

const dir = process.env.NERVA_FULL_DIR ?? '/tmp/nerva-full';
const backend = process.argv.includes('--backend') ? process.argv[process.argv.indexOf('--backend') + 1]! : 'wasm';
setBackend(backend);
if (backend === 'wasm') setNumThreads(1);

const MODELS: [string, () => Module][] = [
  ['alexnet', () => new AlexNet({ initWeights: false })],
  ['vgg16', () => vgg16({ initWeights: false })],
  ['resnet18', () => resnet18({ initWeights: false })],
];

let failed = 0;
for (const [name, build] of MODELS) {
  const weights = join(dir, `${name}.safetensors`);
  if (!existsSync(weights)) {
    console.log(`${name}: ${weights} missing; run /usr/bin/python3 scripts/check_full_size.py first`);
    failed++;
    continue;
  }
  const t0 = performance.now();
  const model = build();
  model.loadStateDict(loadSafetensors(weights).tensors);
  const t1 = performance.now();
  const io = loadSafetensors(join(dir, `${name}.io.safetensors`)).tensors;
  const y = noGrad(() => model.eval().call(io.get('input')!)).toTypedArray();
  const t2 = performance.now();
  const ref = io.get('logits')!.toTypedArray();
  let num = 0, den = 0;
  for (let i = 0; i < ref.length; i++) {
    num = Math.max(num, Math.abs(y[i]! - ref[i]!));
    den = Math.max(den, Math.abs(ref[i]!));
  }
  const rel = num / den;
  const ok = rel < 1e-4;
  if (!ok) failed++;
  console.log(`${name}: ${model.numParameters().toLocaleString('en-US')} parameters, relative error ${rel.toExponential(2)} ${ok ? 'OK' : 'FAIL'} ` +
    `(build + load ${((t1 - t0) / 1000).toFixed(1)} s, forward 1x3x224x224 ${((t2 - t1) / 1000).toFixed(1)} s, backend ${backend})`);
}
process.exit(failed > 0 ? 1 : 0);
