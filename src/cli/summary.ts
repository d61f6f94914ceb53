import { existsSync } from 'node:fs';
import { summary } from '../nn/summary.js';
import { createModel, listModels, modelInputShape } from '../models/registry.js';
import { openCheckpoint } from './model_args.js';
import { intOption, parseCommand } from './args.js';
import { NervaError } from '../errors.js';

function usage(): string {
  return [
    'usage: nerva summary ARCH|CHECKPOINT [options]',
    '',
    'Prints the layer table: each layer, its output shape and parameter count, and the totals.',
    '',
    'options:',
    '  --classes N      number of output classes (default 10; a checkpoint knows its own)',
    '  --channels N     input channels (default: the architecture\'s)',
    '  --batch N        batch size shown in the shapes (default 1)',
    '',
    'architectures:',
    ...listModels().map((m) => `  ${m.name.padEnd(16)} ${m.about}`),
  ].join('\n');
}

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand('summary', {
    args: argv, allowPositionals: true,
    options: { classes: { type: 'string' }, channels: { type: 'string' }, batch: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return void console.log(usage());
  if (positionals.length !== 1) throw new NervaError(`summary takes one architecture name or checkpoint file\n${usage()}`);
  const target = positionals[0]!;
  const batch = intOption('batch', values.batch, 1);
  const known = listModels().some((m) => m.name === target);
  if (!known && (existsSync(target) || /\.safetensors$/.test(target))) {
    const { model, arch, pre, checkpoint } = openCheckpoint(target);
    console.log(`${target}: ${arch}, epoch ${checkpoint.epoch}, step ${checkpoint.step}, trained on ${pre.dataset}`);
    console.log(summary(model, [batch, pre.inChannels, pre.inputSize, pre.inputSize]));
    return;
  }
  const channels = values.channels === undefined ? undefined : intOption('channels', values.channels, 1);
  const model = createModel(target, { numClasses: intOption('classes', values.classes, 10), inChannels: channels });
  console.log(summary(model, [batch, ...modelInputShape(target, channels)]));
}
