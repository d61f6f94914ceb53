import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/grad_mode.js';
import { argmax, reshape } from '../ops/index.js';
import { crossEntropy } from '../functional/loss.js';
import { guardedStep } from '../optim/guarded_step.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Generator } from '../tensor/random.js';
import type { Seq2Seq } from '../models/seq2seq.js';
import { makeBatch, type EncodedPairs, type Seq2SeqBatch } from './data.js';
import { sequentialBatches } from '../seq/batching.js';
import { PAD } from '../seq/symbols.js';
import { checkOptions } from '../options.js';
import { NervaError } from '../errors.js';

export interface Seq2SeqTrainOptions {
  /** gradient-norm clipping, 0 = off (default 1) */
  clip?: number;
  /** ε of label smoothing on the targets (default 0.1) */
  labelSmoothing?: number;
  /**
   * Scheduled sampling: the share of decoder inputs replaced by the model's own greedy predictions
   * (default 0 = pure teacher forcing). Done in parallel (Duckworth et al. 2019): a first pass
   * without gradients predicts every position, then the training pass reads the mixed inputs.
   */
  samplingRate?: number;
  /** draws of scheduled sampling */
  generator?: Generator;
}

export interface Seq2SeqStep {
  /** mean cross-entropy per target token, nats (with label smoothing when set) */
  loss: number;
  gradNorm: number;
  tokens: number;
}

/** The loss of a batch under teacher forcing: cross-entropy per real target token (PAD ignored). */
export function seq2seqLoss(model: Seq2Seq, batch: Seq2SeqBatch, options: { labelSmoothing?: number; reduction?: 'mean' | 'sum'; tgtIn?: Tensor } = {}): Tensor {
  const { logits } = model.run(batch.src, batch.srcLengths, options.tgtIn ?? batch.tgtIn);
  const V = logits.shape[2]!;
  return crossEntropy(reshape(logits, [-1, V]), reshape(batch.tgtOut, [-1]), { ignoreIndex: PAD, labelSmoothing: options.labelSmoothing ?? 0, reduction: options.reduction ?? 'mean' }); // (B·T, V) vs (B·T)
}

export class Seq2SeqTrainer {
  step = 0;
  readonly clip: number;
  readonly labelSmoothing: number;
  samplingRate: number;

  constructor(readonly model: Seq2Seq, readonly optimizer: Optimizer, private readonly options: Seq2SeqTrainOptions = {}) {
    checkOptions('Seq2SeqTrainer', options, ['clip', 'labelSmoothing', 'samplingRate', 'generator']);
    this.clip = options.clip ?? 1;
    this.labelSmoothing = options.labelSmoothing ?? 0.1;
    this.samplingRate = options.samplingRate ?? 0;
    if (!(this.clip >= 0)) throw new NervaError(`Seq2SeqTrainer: clip must be >= 0, got ${this.clip}`);
    if (!(this.labelSmoothing >= 0 && this.labelSmoothing < 1)) throw new NervaError(`Seq2SeqTrainer: labelSmoothing must be in [0, 1), got ${this.labelSmoothing}`);
    if (!(this.samplingRate >= 0 && this.samplingRate <= 1)) throw new NervaError(`Seq2SeqTrainer: samplingRate must be in [0, 1], got ${this.samplingRate}`);
    if (this.samplingRate > 0 && options.generator === undefined) throw new NervaError('Seq2SeqTrainer: samplingRate needs a generator');
  }

  setLr(lr: number): void {
    for (const g of this.optimizer.paramGroups) g.lr = lr;
  }

  /**
   * One batch: forward, loss, backward, clip, update. A non-finite loss or gradient stops before
   * the update (the weights stay as they were, and can be saved), with advice in the error.
   */
  trainBatch(batch: Seq2SeqBatch): Seq2SeqStep {
    const model = this.model;
    model.train();
    const tgtIn = this.samplingRate > 0 ? this.mixPredictions(batch) : batch.tgtIn;
    const loss = seq2seqLoss(model, batch, { labelSmoothing: this.labelSmoothing, tgtIn });
    const { loss: value, gradNorm } = guardedStep(loss, model.parameters(), this.optimizer, this.clip, (what) => this.diverged(what));
    this.step++;
    return { loss: value, gradNorm, tokens: batch.tokens };
  }

  /** Decoder inputs where each real position t ≥ 1 is, with probability samplingRate, the model's prediction of it. */
  private mixPredictions(batch: Seq2SeqBatch): Tensor {
    const predicted = noGrad(() => argmax(this.model.run(batch.src, batch.srcLengths, batch.tgtIn).logits, 2)).toTypedArray(); // (B, T): prediction of tgtOut[t] = tgtIn[t + 1]
    const mixed = (batch.tgtIn.toTypedArray() as Int32Array).slice();
    const [B, T] = batch.tgtIn.shape as [number, number];
    const gen = this.options.generator!;
    for (let b = 0; b < B; b++) {
      for (let t = 1; t < T; t++) {
        if (mixed[b * T + t] === PAD) break;
        if (gen.random() < this.samplingRate) mixed[b * T + t] = predicted[b * T + t - 1]!;
      }
    }
    return new Tensor(mixed, [B, T]);
  }

  private diverged(what: string): NervaError {
    const lr = this.optimizer.paramGroups[0]?.lr ?? NaN;
    return new NervaError(`training diverged at step ${this.step + 1}: ${what}; lower the learning rate (now ${lr.toPrecision(3)})${this.clip > 0 ? ` or clip harder (--clip ${this.clip / 4})` : ' or clip gradients (--clip 1)'}. The weights before this step were kept.`);
  }
}

/** Teacher-forced cross-entropy (no smoothing) per target token over a data set, in eval mode. */
export function evaluateLoss(model: Seq2Seq, data: EncodedPairs, batchSize = 64): { loss: number; tokens: number } {
  const wasTraining = model.training;
  model.eval();
  let nll = 0;
  let tokens = 0;
  try {
    noGrad(() => {
      for (const indices of sequentialBatches(data.size, batchSize)) {
        const batch = makeBatch(data, indices);
        nll += seq2seqLoss(model, batch, { reduction: 'sum' }).item();
        tokens += batch.tokens;
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return { loss: nll / Math.max(1, tokens), tokens };
}
