import { join } from 'node:path';
import { parseCommand } from './args.js';
import { Generator, manualSeed } from '../tensor/random.js';
import { DataLoader } from '../data/dataloader.js';
import type { Dataset } from '../data/dataset.js';
import { Linear } from '../nn/index.js';
import { SGD, Adam, CosineAnnealingLR } from '../optim/index.js';
import { fit } from '../node/fit.js';
import { modelSpec } from '../models/registry.js';
import { freeze, unfreeze, replaceHead, headPath, paramGroups, type PathPattern } from '../models/transfer.js';
import { selectClasses, labelsPerClass } from '../models/transfer_data.js';
import { loadData, prepareOutDir, type Preprocess } from './data_args.js';
import { openCheckpoint } from './model_args.js';
import { selectBackend } from './backend_args.js';
import { NervaError } from '../errors.js';

function usage(): string {
  return [
    'usage: nerva finetune CHECKPOINT [options]',
    '',
    'Fine-tunes a trained network on new data: freeze part of it, give it a new head, train.',
    'Writes OUT/checkpoint.safetensors (usable by nerva eval/predict), log.jsonl and pictures.',
    '',
    'options:',
    "  --freeze PATTERN      parameters to freeze (repeatable): a module path ('features', 'layer1'),",
    "                        a glob ('layer[123]', '**.bn*'), a /regex/, or 'backbone' = all but the head",
    '  --unfreeze PATTERN    parameters to train again (repeatable, applied after --freeze)',
    '  --new-head K          replace the classification head by a fresh K-class layer',
    '  --dataset NAME|DIR    mnist (default), fashion-mnist, or a folder of class sub-folders',
    '  --data-dir DIR        folder with MNIST-format IDX files',
    '  --classes LIST        keep only these label indices, renumbered 0..k-1 (e.g. 5,6,7,8,9)',
    '  --labels-per-class N  train on only N labelled images per class (drawn with --seed)',
    '  --epochs N            (default 10)',
    '  --batch-size N        (default 32)',
    '  --optimizer NAME      adam (default) or sgd (momentum 0.9)',
    '  --lr X                learning rate of the head (default 1e-3 adam, 0.01 sgd)',
    '  --backbone-lr X       learning rate of the unfrozen rest (default lr / 10)',
    '  --weight-decay X      (default 0)',
    '  --seed N              (default 0)',
    '  --out DIR             output folder (default runs/finetune-ARCH-DATASET)',
    '  --backend NAME        wasm (default) or ref',
    '  --quiet               no progress output',
  ].join('\n');
}

/** '/re/flags' is a RegExp; anything else a module path or glob. */
export function parsePattern(text: string): PathPattern {
  const m = /^\/(.+)\/([a-z]*)$/.exec(text);
  if (m === null) return text;
  try {
    return new RegExp(m[1]!, m[2]);
  } catch (err) {
    throw new NervaError(`--freeze: '${text}' is not a valid regular expression (${(err as Error).message})`);
  }
}

function intArg(name: string, v: string | undefined, fallback: number, min = 1): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new NervaError(`--${name} must be an integer ≥ ${min}, got '${v}'`);
  return n;
}

function numArg(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new NervaError(`--${name} must be a non-negative number, got '${v}'`);
  return n;
}

export async function run(argv: string[]): Promise<void> {
  const parsed = parseCommand('finetune', {
      args: argv,
      allowPositionals: true,
      options: {
        freeze: { type: 'string', multiple: true }, unfreeze: { type: 'string', multiple: true }, 'new-head': { type: 'string' },
        dataset: { type: 'string' }, 'data-dir': { type: 'string' }, classes: { type: 'string' }, 'labels-per-class': { type: 'string' },
        epochs: { type: 'string' }, 'batch-size': { type: 'string' }, optimizer: { type: 'string' }, lr: { type: 'string' },
        'backbone-lr': { type: 'string' }, 'weight-decay': { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' },
        backend: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    });
  const { values, positionals } = parsed;
  if (values.help) return void console.log(usage());
  if (positionals.length !== 1) throw new NervaError(`finetune takes one checkpoint file, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}\n${usage()}`);
  const checkpointPath = positionals[0]!;
  const optimizerName = values.optimizer ?? 'adam';
  if (optimizerName !== 'adam' && optimizerName !== 'sgd') throw new NervaError(`--optimizer must be adam or sgd, got '${optimizerName}'`);
  const epochs = intArg('epochs', values.epochs, 10);
  const batchSize = intArg('batch-size', values['batch-size'], 32);
  const lr = numArg('lr', values.lr, optimizerName === 'adam' ? 1e-3 : 0.01);
  const backboneLr = numArg('backbone-lr', values['backbone-lr'], lr / 10);
  const weightDecay = numArg('weight-decay', values['weight-decay'], 0);
  const seed = intArg('seed', values.seed, 0, 0);
  const perClass = values['labels-per-class'] === undefined ? undefined : intArg('labels-per-class', values['labels-per-class'], 1);
  const newHead = values['new-head'] === undefined ? undefined : intArg('new-head', values['new-head'], 1);
  const classes = values.classes === undefined ? undefined : values.classes.split(',').map((s) => {
    const n = Number(s.trim());
    if (s.trim() === '' || !Number.isInteger(n) || n < 0) throw new NervaError(`--classes must be label indices separated by commas (e.g. 5,6,7,8,9), got '${values.classes}'`);
    return n;
  });

  const backend = await selectBackend(values.backend);
  manualSeed(seed);
  const { model, arch, pre: oldPre } = openCheckpoint(checkpointPath);
  const datasetName = values.dataset ?? 'mnist';
  const spec = modelSpec(arch);
  const data = loadData({ dataset: datasetName, dataDir: values['data-dir'], inputSize: oldPre.inputSize ?? spec.inputSize, seed });
  if (data.pre.inChannels !== oldPre.inChannels) {
    throw new NervaError(`'${checkpointPath}' takes ${oldPre.inChannels}-channel images, but '${datasetName}' has ${data.pre.inChannels} channels`);
  }
  let train: Dataset = data.train;
  let test: Dataset = data.test;
  let classNames = data.pre.classes;
  if (classes !== undefined) {
    for (const c of classes) if (c >= data.pre.classes.length) throw new NervaError(`--classes: '${datasetName}' has classes 0..${data.pre.classes.length - 1}, not ${c}`);
    const tr = selectClasses(train, classes);
    train = tr;
    test = selectClasses(test, classes);
    classNames = [...tr.classes!];
  }
  if (perClass !== undefined) train = labelsPerClass(train, perClass, seed);
  const k = classNames.length;

  // The head: replaced when asked; otherwise it must already have one output per class.
  const path = headPath(model);
  if (newHead !== undefined) {
    if (newHead !== k) throw new NervaError(`--new-head ${newHead}: the data has ${k} classes`);
    replaceHead(model, newHead);
  } else {
    const out = (model.getSubmodule(path) as Linear).outFeatures;
    if (out !== k) throw new NervaError(`the head '${path}' of '${checkpointPath}' has ${out} outputs but the data has ${k} classes; pass --new-head ${k}`);
  }
  for (const p of values.freeze ?? []) {
    if (p === 'backbone') {
      freeze(model, '**');
      unfreeze(model, path);
    } else freeze(model, parsePattern(p));
  }
  for (const p of values.unfreeze ?? []) unfreeze(model, parsePattern(p));

  const groups = paramGroups(model, { headLr: lr, backboneLr });
  const optimizer = optimizerName === 'adam' ? new Adam(groups, { lr, weightDecay }) : new SGD(groups, { lr, momentum: 0.9, weightDecay });
  const trainLoader = new DataLoader(train, { batchSize, shuffle: true, generator: new Generator(seed + 1) });
  const testLoader = new DataLoader(test, { batchSize: 500 });
  const scheduler = new CosineAnnealingLR(optimizer, Math.max(2, epochs * trainLoader.length));
  const out = values.out ?? join('runs', `finetune-${arch}-${datasetName.replace(/[/\\]+$/, '').split(/[/\\]/).pop()}`);
  prepareOutDir(out);
  const pre: Preprocess = { ...data.pre, classes: [...classNames], ...(classes ? { classIndices: [...classes] } : {}) };
  const trainable = model.numParameters(true);
  const quiet = values.quiet ?? false;
  if (!quiet) {
    console.error(`fine-tuning ${arch} from ${checkpointPath} on ${datasetName}${classes ? ` classes ${classes.join(',')}` : ''} ` +
      `(${train.length} training / ${test.length} test images, ${k} classes), ${trainable.toLocaleString('en-US')} of ` +
      `${model.numParameters().toLocaleString('en-US')} parameters trainable, ${optimizerName} lr ${lr} (backbone ${backboneLr}), ` +
      `${epochs} epochs, seed ${seed}, backend ${backend} → ${out}`);
  }
  const args = { from: checkpointPath, freeze: values.freeze ?? [], unfreeze: values.unfreeze ?? [], newHead, classes, perClass, epochs, batchSize, optimizer: optimizerName, lr, backboneLr, weightDecay, seed };
  const result = await fit({
    model, optimizer, scheduler, trainLoader, valLoader: testLoader, epochs, outDir: out, numClasses: k, classes: classNames, silent: quiet,
    meta: { arch, pre, args, backend, finetune: true }, config: { numClasses: k, inChannels: pre.inChannels }, handleSigint: true,
  });
  const last = result.history[result.history.length - 1];
  if (last?.valAccuracy !== undefined) console.log(`test accuracy ${(100 * last.valAccuracy).toFixed(2)}% after ${last.epoch} epochs; checkpoint ${join(out, 'checkpoint.safetensors')}`);
}
