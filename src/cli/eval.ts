import { DataLoader } from '../data/dataloader.js';
import { evaluate } from '../node/fit.js';
import { loadData } from './data_args.js';
import { intOption, parseCommand } from './args.js';
import { openCheckpoint } from './model_args.js';
import { selectBackend } from './backend_args.js';
import { NervaError } from '../errors.js';
import { selectClasses } from '../models/transfer_data.js';

function usage(): string {
  return [
    'usage: nerva eval CHECKPOINT [options]',
    '',
    "Evaluates a checkpoint on its dataset's test split: loss, accuracy, per-class accuracy, confusion matrix.",
    '',
    'options:',
    '  --dataset NAME|DIR   evaluate on another dataset with the same classes (default: the one it was trained on)',
    '  --data-dir DIR       folder with MNIST-format IDX files',
    '  --arch NAME          architecture, for a plain safetensors file of weights',
    '  --batch-size N       (default 500)',
    '  --test-limit N       only the first N test images',
    '  --json               print the result as one JSON object',
    '  --backend NAME       wasm (default) or ref',
    '  --threads N          worker threads of the wasm backend (default: all cores)',
  ].join('\n');
}

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand('eval', {
    args: argv, allowPositionals: true,
    options: {
      dataset: { type: 'string' }, 'data-dir': { type: 'string' }, arch: { type: 'string' }, 'batch-size': { type: 'string' }, 'test-limit': { type: 'string' },
      json: { type: 'boolean' }, backend: { type: 'string' }, threads: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return void console.log(usage());
  if (positionals.length !== 1) throw new NervaError(`eval takes one checkpoint file, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}\n${usage()}`);
  const batchSize = intOption('batch-size', values['batch-size'], 500);
  await selectBackend(values.backend, values.threads);
  const { model, arch, pre } = openCheckpoint(positionals[0]!, values.arch);
  const dataset = values.dataset ?? pre.dataset;
  const data = loadData({ dataset, dataDir: values['data-dir'] ?? pre.dataDir, inputSize: pre.inputSize, pre: { ...pre, dataset },
    testLimit: values['test-limit'] === undefined ? undefined : intOption('test-limit', values['test-limit'], 1) });
  // A model fine-tuned on a subset of the classes is evaluated on the same subset, renumbered alike.
  const test = pre.classIndices ? selectClasses(data.test, pre.classIndices) : data.test;
  if (test.classes && test.classes.length !== pre.classes.length) {
    throw new NervaError(`'${dataset}' has ${test.classes.length} classes, the checkpoint ${pre.classes.length}`);
  }
  const result = evaluate(model, new DataLoader(test, { batchSize }), { numClasses: pre.classes.length, silent: values.json === true, label: 'eval' });
  if (values.json) {
    console.log(JSON.stringify({ arch, dataset, samples: result.samples, loss: result.loss, accuracy: result.accuracy, confusion: result.confusion.toArray() }));
    return;
  }
  console.log(`${arch} on ${dataset} (test, ${result.samples} images): accuracy ${(100 * result.accuracy).toFixed(2)}%, loss ${result.loss.toFixed(4)}`);
  console.log('');
  const per = result.confusion.perClassAccuracy();
  console.log(pre.classes.map((c, i) => `  ${c.padEnd(12)} ${Number.isNaN(per[i]!) ? '   -' : (100 * per[i]!).toFixed(2).padStart(6) + '%'}`).join('\n'));
  console.log('');
  console.log(result.confusion.format(pre.classes));
}
