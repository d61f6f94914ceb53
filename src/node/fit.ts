import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '../tensor/tensor.js';
import { getRngState, setRngState } from '../tensor/random.js';
import { noGrad } from '../autograd/grad_mode.js';
import { crossEntropy } from '../functional/loss.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Scheduler } from '../optim/lr_scheduler.js';
import { clipGradNorm } from '../optim/clip.js';
import type { DataLoader, DataLoaderState } from '../data/dataloader.js';
import { saveCheckpoint } from './checkpoint.js';
import { writeFileAtomic, makeDirectories } from './atomic.js';
import { ProgressBar, formatDuration } from '../train/progress.js';
import { ConfusionMatrix, correctCount } from '../train/metrics.js';
import { plotConfusion, plotCurves, type EpochRecord } from './plot.js';
import { NervaError } from '../errors.js';

export type LossFn = (logits: Tensor, target: Tensor) => Tensor;

export interface EvalResult {
  loss: number;
  accuracy: number;
  samples: number;
  confusion: ConfusionMatrix;
}

/** Mean loss, accuracy and confusion matrix of a classifier over a loader, in eval mode without gradients. */
export function evaluate(model: Module, loader: DataLoader, options: { lossFn?: LossFn; numClasses?: number; silent?: boolean; label?: string } = {}): EvalResult {
  const lossFn = options.lossFn ?? ((x, y) => crossEntropy(x, y));
  const wasTraining = model.training;
  model.eval();
  let lossSum = 0, correct = 0, n = 0;
  let confusion: ConfusionMatrix | null = options.numClasses ? new ConfusionMatrix(options.numClasses) : null;
  const bar = new ProgressBar(loader.dataset.length, { unit: 'samples', label: options.label ?? 'eval', silent: options.silent ?? false });
  try {
    noGrad(() => {
      for (const { x, y } of loader) {
        const logits = model.call(x); // (B, classes)
        const b = y.shape[0]!;
        lossSum += lossFn(logits, y).item() * b;
        correct += correctCount(logits, y);
        n += b;
        confusion ??= new ConfusionMatrix(logits.shape[1]!);
        confusion.update(logits, y);
        bar.tick(b, { loss: lossSum / n, acc: `${((100 * correct) / n).toFixed(2)}%` });
      }
    });
  } finally {
    model.train(wasTraining);
  }
  bar.finish();
  return { loss: n ? lossSum / n : NaN, accuracy: n ? correct / n : 0, samples: n, confusion: confusion ?? new ConfusionMatrix(options.numClasses ?? 1) };
}

/** Where a run stands: everything besides model/optimizer/scheduler that a resume needs (JSON). */
export interface TrainState {
  /** epochs fully done */
  epoch: number;
  /** optimizer steps done */
  step: number;
  loader: DataLoaderState;
  /** the running sums of the epoch in progress, so its record comes out as without the interruption */
  partial: { lossSum: number; correct: number; samples: number; seconds: number };
  history: EpochRecord[];
}

export interface FitOptions {
  model: Module;
  optimizer: Optimizer;
  trainLoader: DataLoader;
  /** evaluated after every epoch */
  valLoader?: DataLoader;
  epochs: number;
  /** stepped after every batch ('batch', default) or every epoch ('epoch'; ReduceLROnPlateau gets the validation loss) */
  scheduler?: Scheduler;
  schedulerInterval?: 'batch' | 'epoch';
  lossFn?: LossFn;
  numClasses?: number;
  classes?: readonly string[];
  /** clip the gradient norm to this value before each step */
  clipGradNorm?: number;
  /** where log.jsonl, checkpoint.safetensors, curves.png and confusion.png go (nothing is written without it) */
  outDir?: string;
  /** JSON metadata saved with every checkpoint (architecture under `arch`, dataset, options…) */
  meta?: Record<string, unknown>;
  /** the model's constructor options, saved as the checkpoint's `config` */
  config?: Record<string, unknown>;
  /** continue from a checkpoint's train state (model, optimizer and scheduler already loaded by the caller) */
  resume?: TrainState;
  /** finish the current batch, save and return when this turns true; polled after every batch */
  shouldStop?: () => boolean;
  /** catch Ctrl-C (SIGINT) during the run to stop cleanly (default true when outDir is set) */
  handleSigint?: boolean;
  silent?: boolean;
  /** called after each epoch's record */
  onEpoch?: (record: EpochRecord) => void;
  /** write a 'step' line to the log every this many steps (default 50) */
  logEvery?: number;
}

export interface FitResult {
  history: EpochRecord[];
  /** true when stopped early (Ctrl-C or shouldStop) */
  stopped: boolean;
  state: TrainState;
  /** the last evaluation, when there is a validation loader */
  lastEval?: EvalResult;
  checkpointPath?: string;
}

/**
 * The training loop for classifiers: forward → loss → backward → (clip) → step → zeroGrad, with a
 * progress bar (samples/s, ETA, running loss and accuracy), an evaluation after every epoch, a
 * JSON-lines log, curve and confusion-matrix pictures and a checkpoint after every epoch. Stops on
 * a non-finite loss with an error naming the step. A stop request (Ctrl-C) lets the current batch
 * finish, saves a checkpoint and returns; resuming from it gives the same weights as a run that
 * was never interrupted (the loader's order, the global RNG and the running sums are all saved).
 */
export async function fit(options: FitOptions): Promise<FitResult> {
  const { model, optimizer, trainLoader, valLoader, epochs } = options;
  const lossFn = options.lossFn ?? ((x, y) => crossEntropy(x, y));
  const interval = options.schedulerInterval ?? 'batch';
  const silent = options.silent ?? false;
  const out = options.outDir;
  const logEvery = options.logEvery ?? 50;
  const params = model.parameters();
  const checkpointPath = out ? join(out, 'checkpoint.safetensors') : undefined;
  const logPath = out ? join(out, 'log.jsonl') : undefined;
  if (out) {
    try {
      makeDirectories(out);
    } catch (err) {
      throw new NervaError(`cannot create the output folder '${out}': ${(err as Error).message}`);
    }
  }

  const state: TrainState = options.resume
    ? structuredClone(options.resume)
    : { epoch: 0, step: 0, loader: trainLoader.stateDict(), partial: { lossSum: 0, correct: 0, samples: 0, seconds: 0 }, history: [] };
  if (options.resume) trainLoader.loadStateDict(state.loader);
  const logLines = readLog(logPath, state.step, options.resume !== undefined);
  const log = (entry: Record<string, unknown>) => logLines.push(JSON.stringify({ time: new Date().toISOString(), ...entry }));
  const flushLog = () => { if (logPath) writeFileAtomic(logPath, logLines.map((l) => l + '\n')); };
  if (!options.resume) log({ type: 'start', epochs, batchSize: trainLoader.batchSize, samples: trainLoader.dataset.length, ...options.meta });
  else log({ type: 'resume', epoch: state.epoch, step: state.step });

  let stopRequested = false;
  const onSigint = () => {
    if (stopRequested) process.exit(130); // a second Ctrl-C: leave at once
    stopRequested = true;
    if (!silent) process.stderr.write('\nstopping after this batch (Ctrl-C again to quit without saving)…\n');
  };
  const catchSigint = options.handleSigint ?? out !== undefined;
  if (catchSigint) process.on('SIGINT', onSigint);
  const stop = () => stopRequested || (options.shouldStop?.() ?? false);

  const save = () => {
    if (!checkpointPath) return;
    state.loader = trainLoader.stateDict();
    saveCheckpoint(checkpointPath, {
      model, optimizer, scheduler: options.scheduler, epoch: state.epoch, step: state.step, rngState: getRngState(),
      extra: { ...options.meta, train: state }, config: options.config,
    });
  };

  let lastEval: EvalResult | undefined;
  let stopped = false;
  try {
    model.train();
    while (state.epoch < epochs) {
      const epochLabel = `epoch ${state.epoch + 1}/${epochs}`;
      const bar = new ProgressBar(trainLoader.dataset.length, { unit: 'samples', label: epochLabel, silent });
      if (state.partial.samples > 0) bar.tick(state.partial.samples);
      const started = Date.now() - state.partial.seconds * 1000;
      for (const { x, y } of trainLoader) {
        const logits = model.call(x); // (B, classes)
        const loss = lossFn(logits, y);
        const value = loss.item();
        if (!Number.isFinite(value)) {
          const lr = optimizer.paramGroups[0]?.lr;
          throw new NervaError(`the loss became ${value} at step ${state.step + 1} (epoch ${state.epoch + 1}, batch ${trainLoader.batchIndex}): training diverged; try a lower learning rate${lr !== undefined ? ` than ${lr}` : ''} (--lr)`);
        }
        loss.backward();
        if (options.clipGradNorm !== undefined) clipGradNorm(params, options.clipGradNorm);
        optimizer.step();
        optimizer.zeroGrad();
        if (options.scheduler && interval === 'batch') options.scheduler.step();
        state.step++;
        const b = y.shape[0]!;
        state.partial.lossSum += value * b;
        state.partial.correct += correctCount(logits, y);
        state.partial.samples += b;
        const p = state.partial;
        bar.tick(b, { batch: `${trainLoader.batchIndex}/${trainLoader.length}`, loss: p.lossSum / p.samples, acc: `${((100 * p.correct) / p.samples).toFixed(2)}%` });
        if (state.step % logEvery === 0) log({ type: 'step', epoch: state.epoch + 1, step: state.step, loss: value, lr: optimizer.paramGroups[0]?.lr });
        // Let signal handlers run (a synchronous loop would never see Ctrl-C).
        if (catchSigint) await new Promise((resolve) => setImmediate(resolve));
        if (stop()) {
          state.partial.seconds = (Date.now() - started) / 1000;
          stopped = true;
          break;
        }
      }
      if (stopped) break;
      const seconds = (Date.now() - started) / 1000;
      const p = state.partial;
      bar.finish({ loss: p.lossSum / p.samples, acc: `${((100 * p.correct) / p.samples).toFixed(2)}%` });
      const record: EpochRecord & { seconds: number; samplesPerSecond: number } = {
        epoch: state.epoch + 1, trainLoss: p.lossSum / p.samples, trainAccuracy: p.correct / p.samples,
        seconds, samplesPerSecond: p.samples / seconds,
      };
      if (valLoader) {
        lastEval = evaluate(model, valLoader, { lossFn, numClasses: options.numClasses, silent, label: 'test' });
        record.valLoss = lastEval.loss;
        record.valAccuracy = lastEval.accuracy;
      }
      if (options.scheduler && interval === 'epoch') options.scheduler.step(record.valLoss ?? record.trainLoss);
      state.history.push(record);
      state.epoch++;
      state.partial = { lossSum: 0, correct: 0, samples: 0, seconds: 0 };
      log({ type: 'epoch', step: state.step, ...record });
      if (!silent) {
        const val = record.valAccuracy !== undefined ? `, test loss ${record.valLoss!.toFixed(4)}, test accuracy ${(100 * record.valAccuracy).toFixed(2)}%` : '';
        process.stderr.write(`${epochLabel}: train loss ${record.trainLoss.toFixed(4)}, train accuracy ${(100 * record.trainAccuracy).toFixed(2)}%${val} (${formatDuration(seconds)}, ${Math.round(record.samplesPerSecond)} samples/s)\n`);
      }
      options.onEpoch?.(record);
      save();
      flushLog();
      if (out) {
        plotCurves(join(out, 'curves.png'), state.history);
        if (lastEval) plotConfusion(join(out, 'confusion.png'), lastEval.confusion.toArray(), options.classes);
      }
      if (stop()) {
        stopped = state.epoch < epochs;
        break;
      }
    }
    if (stopped && state.partial.samples > 0) {
      log({ type: 'stopped', epoch: state.epoch + 1, step: state.step });
      save();
      flushLog();
    }
  } finally {
    if (catchSigint) process.removeListener('SIGINT', onSigint);
    model.eval();
  }
  state.loader = trainLoader.stateDict();
  return { history: state.history, stopped, state, lastEval, checkpointPath };
}

/** Restores the global RNG saved in a checkpoint (call before building loaders' transforms run). */
export function restoreRng(rngState: readonly (number | null)[] | undefined): void {
  if (rngState) setRngState(rngState.map((v) => (v === null ? NaN : v)));
}

/** The log lines of an earlier run up to `step` (a resumed run continues the same file). */
function readLog(path: string | undefined, step: number, resuming: boolean): string[] {
  if (!path || !resuming || !existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter((line) => {
    if (!line.trim()) return false;
    try {
      const e = JSON.parse(line) as { step?: number };
      return e.step === undefined || e.step <= step;
    } catch {
      return false;
    }
  });
}
