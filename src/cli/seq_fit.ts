import { InterruptWatch } from './interrupt.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Adam } from '../optim/adam.js';
import { Generator, getRngState, setRngState } from '../tensor/random.js';
import { bucketBatches } from '../seq/batching.js';
import { lrAt } from '../lm/neural/train.js';
import { SeqTrainer, evaluateSeq, type BatchResult, type SeqExample } from '../models/seq_train.js';
import type { SeqClassifier } from '../models/seq_classifier.js';
import type { Tagger } from '../models/tagger.js';
import type { LoadedCheckpoint } from '../io/checkpoint.js';
import { ProgressBar, formatDuration } from '../train/progress.js';
import { MODEL_FILE, saveNetwork } from './seq_store.js';
import { NervaError } from '../errors.js';

export interface FitSettings {
  epochs: number;
  batchSize: number;
  lr: number;
  clip: number;
  seed: number;
}

export interface FitOptions {
  dir: string;
  net: SeqClassifier | Tagger;
  task: 'classify' | 'tag';
  train: readonly SeqExample[];
  valid: readonly SeqExample[];
  settings: FitSettings;
  /** the checkpoint to continue from (--resume) */
  resume: LoadedCheckpoint | null;
  /** how to continue after Ctrl-C */
  resumeCommand: string;
  /** 'sequences' or 'tokens' for the progress bar */
  unit: string;
  quiet?: boolean;
  /** stop after this epoch, leaving its checkpoint to continue with --resume (default: run to the end) */
  pauseAfter?: number;
}

/**
 * The epoch loop shared by `nerva classify train` and `nerva tag train`: batches of similar
 * lengths (reshuffled each epoch by a generator seeded with seed and epoch), Adam with warm-up and
 * cosine decay, gradient clipping, a progress bar with rate and ETA, validation after every epoch,
 * and an atomic checkpoint after every epoch (so --resume continues exactly where that epoch
 * ended; Ctrl-C stops at the end of the batch and leaves the last epoch's checkpoint).
 */
export async function fitNetwork(o: FitOptions): Promise<{ valid: BatchResult | null; seconds: number }> {
  const { net, task, settings: s } = o;
  const optimizer = new Adam(net.parameters(), { lr: s.lr });
  let startEpoch = 1;
  let step = 0;
  if (o.resume) {
    o.resume.restore({ model: net, optimizer, arch: o.resume.arch });
    startEpoch = o.resume.epoch + 1;
    step = o.resume.step;
    if (o.resume.rngState) setRngState(o.resume.rngState.map((v) => (v === null ? NaN : v)));
  }
  const trainer = new SeqTrainer(net, task, optimizer, s.clip);
  trainer.step = step;
  const perEpoch = Math.ceil(o.train.length / s.batchSize);
  const totalSteps = s.epochs * perEpoch;
  const lengths = o.train.map((e) => e.ids.length);
  const sizeOf = (e: SeqExample): number => (task === 'classify' ? 1 : e.ids.length);
  const total = o.train.reduce((n, e) => n + sizeOf(e), 0);
  const interrupt = new InterruptWatch();
  const started = Date.now();
  let last: BatchResult | null = null;
  try {
    if (startEpoch > s.epochs) console.error(`the run in '${o.dir}' already finished its ${s.epochs} epoch(s); raise --epochs to train further`);
    for (let epoch = startEpoch; epoch <= s.epochs; epoch++) {
      const bar = new ProgressBar(total, { unit: o.unit, label: `epoch ${epoch}/${s.epochs}`, silent: o.quiet });
      const batches = bucketBatches(lengths, s.batchSize, new Generator(s.seed * 100_003 + epoch));
      let lossSum = 0, correct = 0, count = 0;
      for (const idx of batches) {
        trainer.setLr(lrAt(trainer.step, { lr: s.lr, totalSteps, warmupSteps: Math.min(100, Math.floor(totalSteps / 10)) }));
        const batch = idx.map((i) => o.train[i]!);
        let r: BatchResult;
        try {
          r = trainer.trainBatch(batch);
        } catch (err) {
          bar.finish();
          const saved = existsSync(join(o.dir, MODEL_FILE)) ? ` The checkpoint of the last finished epoch in '${o.dir}' is intact.` : '';
          if (err instanceof NervaError) throw new NervaError(err.message + saved);
          throw err;
        }
        lossSum += r.loss * r.count;
        correct += r.correct;
        count += r.count;
        bar.tick(batch.reduce((n, e) => n + sizeOf(e), 0), { loss: lossSum / count, acc: correct / count, lr: optimizer.paramGroups[0]!.lr });
        await new Promise((resolve) => setImmediate(resolve)); // lets Ctrl-C arrive
        if (interrupt.requested) {
          bar.finish();
          const where = epoch > 1 ? `the checkpoint after epoch ${epoch - 1} is in '${o.dir}'; continue with ${o.resumeCommand} --resume` : 'no epoch finished, nothing was saved';
          console.error(`interrupted in epoch ${epoch}: ${where}`);
          return { valid: last, seconds: (Date.now() - started) / 1000 };
        }
      }
      bar.finish({ 'train loss': lossSum / Math.max(1, count), 'train acc': correct / Math.max(1, count) });
      if (o.valid.length > 0) {
        last = evaluateSeq(net, task, o.valid);
        if (!o.quiet) console.error(`epoch ${epoch}: valid loss ${last.loss.toFixed(4)}, ${task === 'tag' ? 'token ' : ''}accuracy ${((100 * last.correct) / last.count).toFixed(2)}% of ${last.count}`);
      }
      saveNetwork(o.dir, net, { optimizer, epoch, step: trainer.step, rngState: getRngState(), extra: { ...s } });
      if (o.pauseAfter !== undefined && epoch >= o.pauseAfter && epoch < s.epochs) {
        console.error(`paused after epoch ${epoch} of ${s.epochs}; continue with ${o.resumeCommand} --resume`);
        break;
      }
    }
  } finally {
    interrupt.release();
  }
  return { valid: last, seconds: (Date.now() - started) / 1000 };
}
