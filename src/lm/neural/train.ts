import { Tensor } from '../../tensor/tensor.js';
import { noGrad } from '../../autograd/grad_mode.js';
import { reshape } from '../../ops/movement.js';
import { softmaxCrossEntropy } from './loss.js';
import { guardedStep } from '../../optim/guarded_step.js';
import type { Optimizer } from '../../optim/optimizer.js';
import { detachState, type LMState, type RNNLM } from '../../models/rnn_lm.js';
import { BatchedStream } from './data.js';
import { NervaError } from '../../errors.js';

/**
 * Truncated backpropagation through time for the recurrent LMs: B parallel streams cut into
 * windows of seqLen steps; the state after one window starts the next (detached, so gradients stop
 * at the boundary); gradients clipped to a maximum norm; the learning rate set per step.
 */
export type Schedule = 'cosine' | 'constant' | 'linear';

export interface ScheduleOptions {
  lr: number;
  totalSteps: number;
  warmupSteps?: number;
  schedule?: Schedule;
  /** the rate never falls below lr·minFactor (default 0.1) */
  minFactor?: number;
}

/** Linear warm-up, then cosine (or linear) decay to lr·minFactor, or constant. */
export function lrAt(step: number, o: ScheduleOptions): number {
  const warm = o.warmupSteps ?? 0;
  if (step < warm) return (o.lr * (step + 1)) / warm;
  const schedule = o.schedule ?? 'cosine';
  if (schedule === 'constant') return o.lr;
  const min = o.lr * (o.minFactor ?? 0.1);
  const frac = Math.min(1, Math.max(0, (step - warm) / Math.max(1, o.totalSteps - warm)));
  const decay = schedule === 'cosine' ? 0.5 * (1 + Math.cos(Math.PI * frac)) : 1 - frac;
  return min + (o.lr - min) * decay;
}

export interface StepResult {
  /** mean cross-entropy of the window, nats per token */
  loss: number;
  /** gradient norm before clipping */
  gradNorm: number;
  tokens: number;
}

export class LMTrainer {
  /** the state carried into the next window (null: zeros) */
  state: LMState | null = null;
  step = 0;

  constructor(readonly model: RNNLM, readonly optimizer: Optimizer, readonly clip: number = 0.25) {}

  /** Sets the learning rate of every parameter group. */
  setLr(lr: number): void {
    for (const g of this.optimizer.paramGroups) g.lr = lr;
  }

  /**
   * One window: forward, loss, backward, clip, update. A non-finite loss or gradient stops before
   * the update, so the weights stay as they were (and can be saved), with advice in the error.
   */
  trainWindow(x: Tensor, y: Tensor): StepResult {
    const model = this.model;
    model.train();
    const { logits, state } = model.run(x, this.state);
    const V = logits.shape[2]!;
    const loss = softmaxCrossEntropy(reshape(logits, [-1, V]), reshape(y, [-1])); // (T·B, V) vs (T·B)
    const { loss: value, gradNorm } = guardedStep(loss, model.parameters(), this.optimizer, this.clip, (what) => this.diverged(what));
    this.state = detachState(state);
    this.step++;
    return { loss: value, gradNorm, tokens: y.size };
  }

  private diverged(what: string): NervaError {
    const lr = this.optimizer.paramGroups[0]?.lr ?? NaN;
    const advice = this.clip > 0 ? `lower the learning rate (now ${lr.toPrecision(3)}) or clip harder (--clip ${this.clip / 4})` : `clip gradients (e.g. --clip 0.25) or lower the learning rate (now ${lr.toPrecision(3)})`;
    return new NervaError(`training diverged at step ${this.step + 1}: ${what}; ${advice}. The weights before this step were kept.`);
  }
}

export interface EvalResult {
  /** total negative log-likelihood, nats */
  nll: number;
  /** scored tokens (each sentence's tokens plus </s>) */
  tokens: number;
  /** exp(nll / tokens) */
  perplexity: number;
  /** nll / tokens / ln 2 (bits per character at char level) */
  bitsPerToken: number;
}

/**
 * Scores an id stream (from `encode`): every token after the first is predicted once. The stream
 * runs as `batchSize` parallel pieces (each starting from a zero state); the few tokens that do not
 * divide evenly are scored in one extra single-stream pass, so the count is exact.
 */
export function evaluate(model: RNNLM, ids: Int32Array, options: { batchSize?: number; seqLen?: number; onProgress?: (tokens: number) => void } = {}): EvalResult {
  const seqLen = options.seqLen ?? 128;
  let B = Math.max(1, Math.min(options.batchSize ?? 16, Math.floor((ids.length - 1) / Math.max(1, seqLen))));
  const wasTraining = model.training;
  model.eval();
  let nll = 0;
  let tokens = 0;
  const run = (stream: BatchedStream): void => {
    let state: LMState | null = null;
    for (let start = 0; start < stream.steps; start += seqLen) {
      const { x, y } = stream.batch(start, seqLen);
      noGrad(() => {
        const r = model.run(x, state);
        state = r.state;
        const V = r.logits.shape[2]!;
        nll += softmaxCrossEntropy(reshape(r.logits, [-1, V]), reshape(y, [-1]), 'sum').item();
      });
      tokens += y.size;
      options.onProgress?.(tokens);
    }
  };
  try {
    if (ids.length < 2) throw new NervaError('evaluation text has no tokens to score');
    B = Math.max(1, B);
    const main = new BatchedStream(ids, B);
    run(main);
    const covered = main.steps * B;
    if (covered < ids.length - 1) run(new BatchedStream(ids.subarray(covered), 1));
  } finally {
    model.train(wasTraining);
  }
  return { nll, tokens, perplexity: Math.exp(nll / tokens), bitsPerToken: nll / tokens / Math.LN2 };
}
