import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseCommand } from './args.js';
import type { Tensor } from '../tensor/tensor.js';
import { loadSafetensors } from '../node/safetensors.js';
import { saveCheckpoint } from '../node/checkpoint.js';
import { createModel, listModels, modelSpec } from '../models/registry.js';
import { MNIST_STATS } from '../node/mnist.js';
import type { Preprocess } from './data_args.js';
import { NervaError } from '../errors.js';

/** ImageNet's per-channel statistics, which torchvision's pretrained weights expect. */
const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

function usage(): string {
  return [
    'usage: nerva import WEIGHTS.safetensors --arch NAME [-o CHECKPOINT]',
    '',
    'Turns a plain safetensors state dict (e.g. torchvision weights saved with',
    'safetensors.torch.save_file(model.state_dict(), path)) into a Nerva checkpoint for',
    'nerva finetune / eval / predict. All or nothing: the file must hold exactly the',
    "architecture's tensors, with the same names and shapes.",
    '',
    'options:',
    '  --arch NAME       the architecture (required): ' + listModels().map((m) => m.name).join(', '),
    '  -o, --out FILE    the checkpoint to write (default: WEIGHTS.checkpoint.safetensors)',
    '  --classes LIST    class names, comma-separated (default 0, 1, …)',
  ].join('\n');
}

/** numClasses from the head (the last 2-D weight in file order) and inChannels from the first 4-D weight. */
function inferShape(path: string, tensors: Map<string, Tensor>): { numClasses: number; inChannels: number | undefined } {
  const list = [...tensors];
  const head = list.filter(([k, t]) => k.endsWith('.weight') && t.ndim === 2).pop();
  if (head === undefined) throw new NervaError(`'${path}' has no 2-D '*.weight' tensor to take the number of classes from`);
  const conv = list.find(([k, t]) => k.endsWith('.weight') && t.ndim === 4);
  return { numClasses: head[1].shape[0]!, inChannels: conv?.[1].shape[1] };
}

/** A short error when the names differ (the first few of each kind, then counts). */
function checkKeys(path: string, arch: string, own: Map<string, Tensor>, file: Map<string, Tensor>): void {
  const missing = [...own.keys()].filter((k) => !file.has(k));
  const unexpected = [...file.keys()].filter((k) => !own.has(k));
  const wrong = [...own].filter(([k, t]) => file.has(k) && file.get(k)!.shape.join(',') !== t.shape.join(','))
    .map(([k, t]) => `${k} is [${file.get(k)!.shape.join(', ')}] in the file, [${t.shape.join(', ')}] in ${arch}`);
  if (missing.length + unexpected.length + wrong.length === 0) return;
  const list = (what: string, keys: string[]) => (keys.length === 0 ? [] : [`${keys.length} ${what} (${keys.slice(0, 4).join(', ')}${keys.length > 4 ? ', …' : ''})`]);
  const parts = [...list('missing', missing), ...list('unexpected', unexpected), ...list('of another shape', wrong)];
  throw new NervaError(`'${path}' does not hold ${arch} weights: ${parts.join('; ')}; nothing was written`);
}

export async function run(argv: string[]): Promise<void> {
  const parsed = parseCommand('import', {
      args: argv, allowPositionals: true,
      options: { arch: { type: 'string' }, out: { type: 'string', short: 'o' }, classes: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  const { values, positionals } = parsed;
  if (values.help) return void console.log(usage());
  if (positionals.length !== 1) throw new NervaError(`import takes one safetensors file, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}\n${usage()}`);
  if (values.arch === undefined) throw new NervaError('import: say which architecture the weights are for with --arch (e.g. --arch resnet18)');
  const path = positionals[0]!;
  if (!existsSync(path)) throw new NervaError(`weights file '${path}' does not exist`);
  const arch = values.arch;
  const spec = modelSpec(arch);
  const { tensors } = loadSafetensors(path);
  const { numClasses, inChannels } = inferShape(path, tensors);
  const model = createModel(arch, { numClasses, inChannels: inChannels ?? spec.inChannels });
  checkKeys(path, arch, model.stateDict(), tensors);
  model.loadStateDict(tensors); // all or nothing; shapes are checked here
  const channels = inChannels ?? spec.inChannels;
  const classes = values.classes !== undefined ? values.classes.split(',') : Array.from({ length: numClasses }, (_, i) => String(i));
  if (classes.length !== numClasses) throw new NervaError(`--classes names ${classes.length} classes but the head of '${path}' has ${numClasses} outputs`);
  const stats = channels === 3 ? IMAGENET : { mean: new Array<number>(channels).fill(MNIST_STATS.mnist.mean), std: new Array<number>(channels).fill(MNIST_STATS.mnist.std) };
  const pre: Preprocess = { dataset: 'imported', classes, inChannels: channels, imageSize: spec.inputSize, inputSize: spec.inputSize, ...stats };
  const out = values.out ?? join(dirname(path), `${basename(path).replace(/\.safetensors$/, '')}.checkpoint.safetensors`);
  saveCheckpoint(out, { model, arch, config: { numClasses, inChannels: channels }, extra: { arch, pre, importedFrom: path } });
  console.log(`imported ${arch} (${model.numParameters().toLocaleString('en-US')} parameters, ${numClasses} classes, ${channels} channels) from ${path} → ${out}`);
}
