import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/grad_mode.js';
import { softmax } from '../functional/activation.js';
import { readImageTensor } from '../node/image.js';
import { topK } from '../train/metrics.js';
import { inputTransform, isBuiltin } from './data_args.js';
import { intOption, parseCommand } from './args.js';
import { openCheckpoint } from './model_args.js';
import { selectBackend } from './backend_args.js';
import { NervaError } from '../errors.js';

function usage(): string {
  return [
    'usage: nerva predict CHECKPOINT IMAGE... [options]',
    '',
    'Classifies PNG/JPEG images: the top classes with their probabilities. Images are converted to the',
    "checkpoint's channels and size. For MNIST-style models a dark digit on a light background is",
    'inverted first (MNIST digits are light on dark); --invert / --no-invert decide explicitly.',
    '',
    'options:',
    '  --top N        how many classes to show (default 5)',
    '  --invert       invert the image     --no-invert   never invert',
    '  --arch NAME    architecture, for a plain safetensors file of weights',
    '  --json         one JSON object per image',
    '  --backend NAME wasm (default) or ref',
    '  --threads N    worker threads of the wasm backend (default: all cores)',
  ].join('\n');
}

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand('predict', {
    args: argv, allowPositionals: true,
    options: {
      top: { type: 'string' }, invert: { type: 'boolean' }, 'no-invert': { type: 'boolean' }, arch: { type: 'string' },
      json: { type: 'boolean' }, backend: { type: 'string' }, threads: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return void console.log(usage());
  if (positionals.length < 2) throw new NervaError(`predict needs a checkpoint and at least one image\n${usage()}`);
  const top = intOption('top', values.top, 5);
  await selectBackend(values.backend, values.threads);
  const [checkpointPath, ...images] = positionals as [string, ...string[]];
  const { model, pre } = openCheckpoint(checkpointPath, values.arch);
  const transform = inputTransform(pre);
  for (const path of images) {
    let x = readImageTensor(path, { channels: pre.inChannels as 1 | 3, size: pre.imageSize });
    const mean = Array.from(x.toTypedArray()).reduce((a, b) => a + b, 0) / x.size;
    const invert = values.invert === true || (values['no-invert'] !== true && isBuiltin(pre.dataset) && mean > 0.5);
    if (invert) x = new Tensor(Float32Array.from(x.toTypedArray(), (v) => 1 - v), x.shape);
    const input = transform(x);
    const probs = noGrad(() => softmax(model.call(input.reshape(1, ...input.shape)), 1)).toTypedArray(); // (1, C) -> (C)
    const best = topK(probs, Math.min(top, pre.classes.length));
    if (values.json) {
      console.log(JSON.stringify({ image: path, inverted: invert, top: best.map((b) => ({ class: pre.classes[b.index], index: b.index, probability: b.value })) }));
      continue;
    }
    console.log(`${path}${invert ? ' (inverted: dark on light)' : ''}`);
    for (const b of best) console.log(`  ${(pre.classes[b.index] ?? String(b.index)).padEnd(14)} ${(100 * b.value).toFixed(2).padStart(6)}%  ${'█'.repeat(Math.round(b.value * 30))}`);
  }
}
