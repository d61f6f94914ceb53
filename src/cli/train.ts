import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, manualSeed } from '../tensor/random.js';
import { DataLoader } from '../data/dataloader.js';
import { createModel, listModels, modelSpec } from '../models/registry.js';
import { SGD, Adam, AdamW, RMSprop, CosineAnnealingLR, StepLR, OneCycleLR, type Optimizer, type Scheduler } from '../optim/index.js';
import { type LoadedCheckpoint } from '../io/checkpoint.js';
import { loadCheckpoint } from '../node/checkpoint.js';
import { fit, restoreRng, type TrainState } from '../node/fit.js';
import { AUGMENTATIONS, defaultAugmentation, loadData, prepareOutDir, type Augmentation, type Preprocess } from './data_args.js';
import { intOption, numberOption, parseCommand } from './args.js';
import { selectBackend } from './backend_args.js';
import { NervaError } from '../errors.js';

const OPTIMIZERS = ['sgd', 'adam', 'adamw', 'rmsprop'] as const;
const SCHEDULES = ['cosine', 'step', 'onecycle', 'none'] as const;
/** learning rates that work for LeNet-5 with each optimizer */
const DEFAULT_LR: Record<string, number> = { sgd: 0.05, adam: 1e-3, adamw: 1e-3, rmsprop: 1e-3 };

function usage(): string {
  return [
    'usage: nerva train [ARCH] [options]        (ARCH default: lenet5)',
    '',
    'Trains a network and writes OUT/checkpoint.safetensors, log.jsonl, curves.png, confusion.png.',
    '',
    'options:',
    '  --dataset NAME|DIR   mnist (default), fashion-mnist, or a folder with one sub-folder per class',
    '  --data-dir DIR       folder with the MNIST-format IDX files (default: the built-in copy)',
    '  --epochs N           passes over the training set (default 5)',
    '  --batch-size N       samples per step (default 64)',
    `  --optimizer NAME     ${OPTIMIZERS.join(' | ')} (default adam)`,
    '  --lr X               learning rate (default: 1e-3 for adam/adamw/rmsprop, 0.05 for sgd)',
    '  --momentum X         SGD/RMSprop momentum (default 0.9 for sgd, 0 for rmsprop)',
    '  --weight-decay X     (default 0; 0.01 for adamw)',
    `  --schedule NAME      ${SCHEDULES.join(' | ')} learning-rate schedule (default cosine)`,
    '  --augment            augment the training images: small rotations/shifts/zooms for mnist,',
    '                       left-right flips + random crops (padded by 1/8) for other datasets',
    `  --augment-kind NAME  ${AUGMENTATIONS.join(' | ')}: choose the augmentation (implies --augment)`,
    '  --limit N            use only the first N training images (quick runs)',
    '  --test-limit N       evaluate on only the first N test images',
    '  --seed N             seed of initialization, shuffling and augmentation (default 0)',
    '  --out DIR            output folder (default runs/ARCH-DATASET)',
    '  --resume             continue the run saved in OUT/checkpoint.safetensors with its settings',
    '                       (only --epochs may change, to extend a finished run)',
    '  --backend NAME       wasm (default) or ref',
    '  --threads N          worker threads of the wasm backend (default: all cores)',
    '  --quiet              no progress output',
    '',
    'architectures:',
    ...listModels().map((m) => `  ${m.name.padEnd(16)} ${m.about}`),
  ].join('\n');
}

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand('train', {
    args: argv,
    allowPositionals: true,
    options: {
      dataset: { type: 'string' }, 'data-dir': { type: 'string' }, epochs: { type: 'string' }, 'batch-size': { type: 'string' },
      optimizer: { type: 'string' }, lr: { type: 'string' }, momentum: { type: 'string' }, 'weight-decay': { type: 'string' },
      schedule: { type: 'string' }, augment: { type: 'boolean' }, 'augment-kind': { type: 'string' }, limit: { type: 'string' }, 'test-limit': { type: 'string' }, seed: { type: 'string' },
      out: { type: 'string' }, resume: { type: 'boolean' }, backend: { type: 'string' }, threads: { type: 'string' },
      quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage());
    return;
  }
  if (positionals.length > 1) throw new NervaError(`train takes one architecture, got ${positionals.join(' ')}`);
  let arch = positionals[0] ?? 'lenet5';
  modelSpec(arch); // unknown names fail here, listing the known ones
  let datasetName = values.dataset ?? 'mnist';
  const out = values.out ?? join('runs', `${arch}-${datasetName.replace(/[/\\]+$/, '').split(/[/\\]/).pop()}`);

  // On --resume the saved run's settings win: the continuation must be the same computation.
  let resumed: LoadedCheckpoint | undefined;
  let saved: { args?: Record<string, unknown>; pre?: Preprocess; arch?: string; train?: TrainState } = {};
  const checkpointPath = join(out, 'checkpoint.safetensors');
  if (values.resume) {
    if (!existsSync(checkpointPath)) throw new NervaError(`--resume: no checkpoint at '${checkpointPath}' (pass the --out of the run to continue)`);
    resumed = loadCheckpoint(checkpointPath);
    saved = (resumed.extra ?? {}) as typeof saved;
    if (saved.arch !== undefined && positionals[0] !== undefined && saved.arch !== arch) {
      throw new NervaError(`--resume: '${checkpointPath}' holds a ${saved.arch}, not a ${arch}`);
    }
    arch = saved.arch ?? arch;
    if (saved.pre) datasetName = saved.pre.dataset;
  }
  const s = (saved.args ?? {}) as Record<string, string | number | boolean | undefined>;
  const pick = <T>(key: string, value: T | undefined): T | undefined => (resumed && s[key] !== undefined ? (s[key] as T) : value);

  const optimizerName = pick('optimizer', values.optimizer) ?? 'adam';
  if (!(OPTIMIZERS as readonly string[]).includes(optimizerName)) throw new NervaError(`--optimizer must be one of ${OPTIMIZERS.join(', ')}, got '${optimizerName}'`);
  const schedule = pick('schedule', values.schedule) ?? 'cosine';
  if (!(SCHEDULES as readonly string[]).includes(schedule)) throw new NervaError(`--schedule must be one of ${SCHEDULES.join(', ')}, got '${schedule}'`);
  const epochs = intOption('epochs', values.epochs, Number(s.epochs ?? 5));
  const batchSize = Number(pick('batchSize', intOption('batch-size', values['batch-size'], 64)));
  const lr = Number(pick('lr', numberOption('lr', values.lr, DEFAULT_LR[optimizerName]!)));
  if (!(lr > 0)) throw new NervaError(`--lr must be positive, got '${values.lr}'`);
  const momentum = Number(pick('momentum', numberOption('momentum', values.momentum, optimizerName === 'sgd' ? 0.9 : 0)));
  const weightDecay = Number(pick('weightDecay', numberOption('weight-decay', values['weight-decay'], optimizerName === 'adamw' ? 0.01 : 0)));
  const seed = Number(pick('seed', intOption('seed', values.seed, 0, 0)));
  const limitArg = pick('limit', values.limit === undefined ? undefined : intOption('limit', values.limit, 0));
  const limit = limitArg === undefined ? undefined : Number(limitArg);
  const testLimitArg = pick('testLimit', values['test-limit'] === undefined ? undefined : intOption('test-limit', values['test-limit'], 0));
  const testLimit = testLimitArg === undefined ? undefined : Number(testLimitArg);
  const augmentKind = values['augment-kind'];
  if (augmentKind !== undefined && !(AUGMENTATIONS as readonly string[]).includes(augmentKind)) {
    throw new NervaError(`--augment-kind must be one of ${AUGMENTATIONS.join(', ')}, got '${augmentKind}'`);
  }
  const augmentWanted = augmentKind !== undefined || values.augment === true ? (augmentKind ?? defaultAugmentation(datasetName)) : false;
  // Runs saved before augment kinds existed stored `true`: that meant affine.
  const savedAugment = pick('augment', augmentWanted) as Augmentation | boolean;
  const augment: Augmentation | false = savedAugment === true ? 'affine' : savedAugment === false ? false : savedAugment;
  const dataDir = pick('dataDir', values['data-dir']);
  const args = { optimizer: optimizerName, schedule, epochs, batchSize, lr, momentum, weightDecay, seed, limit, testLimit, augment, dataDir };

  prepareOutDir(out);
  const backend = await selectBackend(values.backend, values.threads);

  // Seed first: the initialization, the shuffle order and the augmentation all follow from it.
  manualSeed(seed);
  const spec = modelSpec(arch);
  const data = loadData({ dataset: datasetName, dataDir: dataDir as string | undefined, inputSize: spec.inputSize, augment, limit, testLimit, seed, pre: saved.pre });
  const { pre } = data;
  const model = createModel(arch, { numClasses: pre.classes.length, inChannels: pre.inChannels });
  const trainLoader = new DataLoader(data.train, { batchSize, shuffle: true, generator: new Generator(seed + 1) });
  const testLoader = new DataLoader(data.test, { batchSize: 500 });
  const optimizer = makeOptimizer(optimizerName, model.parameters(), { lr, momentum, weightDecay });
  const totalSteps = epochs * trainLoader.length;
  const scheduler = makeScheduler(schedule, optimizer, totalSteps, trainLoader.length, lr);

  if (resumed) {
    resumed.restore({ model, optimizer, scheduler, arch });
    restoreRng(resumed.rngState);
  }
  const quiet = values.quiet ?? false;
  if (!quiet) {
    const what = resumed ? `resuming ${arch} at epoch ${(saved.train?.epoch ?? 0) + 1}, step ${saved.train?.step ?? 0}` : `training ${arch}`;
    console.error(`${what} on ${datasetName} (${data.train.length} training / ${data.test.length} test images, ${pre.classes.length} classes), ` +
      `${optimizerName} lr ${lr}, ${schedule} schedule, batch ${batchSize}, ${epochs} epochs, seed ${seed}, backend ${backend} → ${out}`);
  }
  const result = await fit({
    model, optimizer, scheduler, trainLoader, valLoader: testLoader, epochs, outDir: out, numClasses: pre.classes.length, classes: pre.classes,
    resume: resumed ? saved.train : undefined, silent: quiet, meta: { arch, pre, args, backend }, config: { numClasses: pre.classes.length, inChannels: pre.inChannels }, handleSigint: true,
  });
  if (result.stopped) {
    console.error(`stopped at epoch ${result.state.epoch + 1}, step ${result.state.step}; checkpoint saved to ${checkpointPath}. Continue with: nerva train ${arch} --out ${out} --resume`);
    return;
  }
  const last = result.history[result.history.length - 1];
  if (last?.valAccuracy !== undefined) console.log(`test accuracy ${(100 * last.valAccuracy).toFixed(2)}% after ${last.epoch} epochs; checkpoint ${checkpointPath}`);
}

export function makeOptimizer(name: string, params: Iterable<import('../tensor/tensor.js').Tensor>, o: { lr: number; momentum: number; weightDecay: number }): Optimizer {
  switch (name) {
    case 'sgd': return new SGD(params, { lr: o.lr, momentum: o.momentum, weightDecay: o.weightDecay, nesterov: o.momentum > 0 });
    case 'adam': return new Adam(params, { lr: o.lr, weightDecay: o.weightDecay });
    case 'adamw': return new AdamW(params, { lr: o.lr, weightDecay: o.weightDecay });
    case 'rmsprop': return new RMSprop(params, { lr: o.lr, momentum: o.momentum, weightDecay: o.weightDecay });
    default: throw new NervaError(`unknown optimizer '${name}' (known: ${OPTIMIZERS.join(', ')})`);
  }
}

/** A per-batch schedule over the whole run. */
export function makeScheduler(name: string, optimizer: Optimizer, totalSteps: number, stepsPerEpoch: number, lr: number): Scheduler | undefined {
  switch (name) {
    case 'none': return undefined;
    case 'cosine': return new CosineAnnealingLR(optimizer, Math.max(2, totalSteps), { warmupSteps: Math.min(100, Math.floor(totalSteps / 10)) });
    case 'step': return new StepLR(optimizer, Math.max(1, 2 * stepsPerEpoch), { gamma: 0.3 });
    case 'onecycle': return new OneCycleLR(optimizer, lr, Math.max(2, totalSteps));
    default: throw new NervaError(`unknown schedule '${name}' (known: ${SCHEDULES.join(', ')})`);
  }
}
