import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/grad_mode.js';
import { crossEntropy } from '../functional/loss.js';
import { softmax } from '../ops/softmax.js';
import { reshape } from '../ops/index.js';
import { guardedStep } from '../optim/guarded_step.js';
import type { Optimizer } from '../optim/optimizer.js';
import { padBatch, sequentialBatches } from '../seq/batching.js';
import type { SeqClassifier } from './seq_classifier.js';
import type { Tagger } from './tagger.js';
import { NervaError } from '../errors.js';

/** One encoded example: symbol ids, and a class (classification) or one label per id (tagging). */
export interface SeqExample {
  ids: Int32Array;
  label?: number;
  labels?: Int32Array;
}

/** Loss and counts of one batch. */
export interface BatchResult {
  /** mean cross-entropy over the batch's sequences (classify) or valid tokens (tag), nats */
  loss: number;
  /** correct predictions and how many were scored (sequences or tokens) */
  correct: number;
  count: number;
}

const IGNORE = -100;

/** Pads a batch and builds its targets: (B) class ids, or (B, T) labels with IGNORE on padding. */
export function makeBatch(examples: readonly SeqExample[], task: 'classify' | 'tag', minLength = 0): { ids: Tensor; lengths: Int32Array; target: Tensor } {
  for (const e of examples) if (e.ids.length === 0) throw new NervaError('an empty sequence cannot be classified or tagged');
  const { ids, lengths } = padBatch(examples.map((e) => e.ids), { minLength });
  if (task === 'classify') return { ids, lengths, target: new Tensor(Int32Array.from(examples, (e) => e.label!), [examples.length]) };
  const T = ids.shape[1]!;
  const t = new Int32Array(examples.length * T).fill(IGNORE);
  examples.forEach((e, b) => t.set(e.labels!, b * T));
  return { ids, lengths, target: new Tensor(t, [examples.length, T]) };
}

/** Logits and loss of a padded batch (padding excluded from the tagger's loss). */
export function batchLoss(model: SeqClassifier | Tagger, task: 'classify' | 'tag', batch: { ids: Tensor; lengths: Int32Array; target: Tensor }): { logits: Tensor; loss: Tensor } {
  const logits = model.run(batch.ids, batch.lengths);
  if (task === 'classify') return { logits, loss: crossEntropy(logits, batch.target) };
  const K = logits.shape[2]!;
  return { logits, loss: crossEntropy(reshape(logits, [-1, K]), reshape(batch.target, [-1]), { ignoreIndex: IGNORE }) }; // (B·T, K)
}

function countCorrect(logits: Tensor, target: Tensor): { correct: number; count: number } {
  const K = logits.shape[logits.ndim - 1]!;
  const x = logits.toTypedArray();
  const t = target.toTypedArray();
  let correct = 0, count = 0;
  for (let r = 0; r < t.length; r++) {
    if (t[r] === IGNORE) continue;
    let best = 0;
    for (let k = 1; k < K; k++) if (x[r * K + k]! > x[r * K + best]!) best = k;
    if (best === t[r]) correct++;
    count++;
  }
  return { correct, count };
}

/**
 * One optimizer step per batch: forward, loss, backward, gradient clipping, update. A non-finite
 * loss or gradient stops before the update (the weights stay as they were) with advice.
 */
export class SeqTrainer {
  step = 0;

  constructor(readonly model: SeqClassifier | Tagger, readonly task: 'classify' | 'tag', readonly optimizer: Optimizer, readonly clip = 1) {}

  setLr(lr: number): void {
    for (const g of this.optimizer.paramGroups) g.lr = lr;
  }

  trainBatch(examples: readonly SeqExample[]): BatchResult {
    this.model.train();
    const batch = makeBatch(examples, this.task);
    const { logits, loss } = batchLoss(this.model, this.task, batch);
    const { loss: value } = guardedStep(loss, this.model.parameters(), this.optimizer, this.clip, (what) => this.diverged(what));
    this.step++;
    return { loss: value, ...countCorrect(logits, batch.target) };
  }

  private diverged(what: string): NervaError {
    const lr = this.optimizer.paramGroups[0]?.lr ?? NaN;
    return new NervaError(`training diverged at step ${this.step + 1}: ${what}; lower the learning rate (now ${lr.toPrecision(3)}, e.g. --lr ${(lr / 4).toPrecision(2)}) or clip harder (--clip ${this.clip > 0 ? this.clip / 4 : 1}). The weights before this step were kept.`);
  }
}

/**
 * Loss and accuracy over a data set, without gradients. Batches follow length order so little is
 * padded; results are the same as in any order.
 */
export function evaluateSeq(model: SeqClassifier | Tagger, task: 'classify' | 'tag', examples: readonly SeqExample[], batchSize = 64): BatchResult {
  const wasTraining = model.training;
  model.eval();
  let lossSum = 0, correct = 0, count = 0;
  try {
    for (const idx of lengthOrderedBatches(examples, batchSize)) {
      const batch = makeBatch(idx.map((i) => examples[i]!), task);
      noGrad(() => {
        const { logits, loss } = batchLoss(model, task, batch);
        const c = countCorrect(logits, batch.target);
        lossSum += loss.item() * c.count;
        correct += c.correct;
        count += c.count;
      });
    }
  } finally {
    model.train(wasTraining);
  }
  return { loss: count === 0 ? NaN : lossSum / count, correct, count };
}

function padInputs(seqs: readonly Int32Array[]): { ids: Tensor; lengths: Int32Array } {
  for (const s of seqs) if (s.length === 0) throw new NervaError('an empty sequence cannot be classified or tagged');
  return padBatch(seqs);
}

function lengthOrderedBatches(seqs: readonly { ids: Int32Array }[], batchSize: number): number[][] {
  const order = seqs.map((_, i) => i).sort((a, b) => seqs[a]!.ids.length - seqs[b]!.ids.length || a - b);
  return sequentialBatches(order.length, batchSize).map((b) => b.map((k) => order[k]!));
}

/** Class probabilities of each sequence: (N, C) row-major, in input order. */
export function predictClasses(model: SeqClassifier, seqs: readonly Int32Array[], batchSize = 64): Float32Array[] {
  const wasTraining = model.training;
  model.eval();
  const out = new Array<Float32Array>(seqs.length);
  try {
    for (const idx of lengthOrderedBatches(seqs.map((ids) => ({ ids })), batchSize)) {
      const { ids, lengths } = padInputs(idx.map((i) => seqs[i]!));
      noGrad(() => {
        const p = softmax(model.run(ids, lengths), 1).toTypedArray();
        const C = model.config.numClasses;
        idx.forEach((i, b) => (out[i] = Float32Array.from(p.subarray(b * C, (b + 1) * C))));
      });
    }
  } finally {
    model.train(wasTraining);
  }
  return out;
}

/** The most likely label of every step of each sequence, in input order. */
export function predictTags(model: Tagger, seqs: readonly Int32Array[], batchSize = 64): Int32Array[] {
  const wasTraining = model.training;
  model.eval();
  const out = new Array<Int32Array>(seqs.length);
  const K = model.config.numTags;
  try {
    for (const idx of lengthOrderedBatches(seqs.map((ids) => ({ ids })), batchSize)) {
      const { ids, lengths } = padInputs(idx.map((i) => seqs[i]!));
      const T = ids.shape[1]!;
      noGrad(() => {
        const x = model.run(ids, lengths).toTypedArray(); // (B, T, K)
        idx.forEach((i, b) => {
          const tags = new Int32Array(lengths[b]!);
          for (let t = 0; t < tags.length; t++) {
            const at = (b * T + t) * K;
            let best = 0;
            for (let k = 1; k < K; k++) if (x[at + k]! > x[at + best]!) best = k;
            tags[t] = best;
          }
          out[i] = tags;
        });
      });
    }
  } finally {
    model.train(wasTraining);
  }
  return out;
}
