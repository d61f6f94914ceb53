import { Tensor } from '../tensor/tensor.js';
import { ones, zeros } from '../tensor/creation.js';
import { add, mul, neg, relu, rsqrt } from '../ops/elementwise.js';
import { reshape } from '../ops/movement.js';
import { sameShape } from '../tensor/shape.js';
import { batchNormWithStats } from '../ops/batchnorm.js';
import { noGrad } from '../autograd/grad_mode.js';
import { Module, Parameter, newParameter } from './module.js';
import { NervaError, ShapeError, formatShape } from '../errors.js';

export interface BatchNormOptions {
  eps?: number;
  /** weight of the new batch in the running averages; null = cumulative (equal-weight) average */
  momentum?: number | null;
  /** learnable per-channel scale (weight) and shift (bias) */
  affine?: boolean;
  /** keep running_mean/running_var for eval mode; without them batch statistics are always used */
  trackRunningStats?: boolean;
}

/**
 * Batch normalization over the channel dim (dim 1), as torch.nn.BatchNorm*d:
 * y = (x − E[x]) / √(Var[x] + ε) · weight + bias.
 * Training: E and Var are the batch's (Var biased, over N and the spatial dims), and the running
 * averages are updated with the unbiased variance: r ← (1 − m)·r + m·batch (m = 1/num_batches_tracked
 * when momentum is null). Eval: the running statistics are used.
 * Batch statistics go through the `batchNorm` primitive (src/ops/batchnorm.ts: one kernel forward,
 * closed-form backward); eval mode folds the running statistics and the affine parameters into one
 * per-channel scale and shift.
 */
export abstract class BatchNormBase extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;

  constructor(readonly numFeatures: number, options: BatchNormOptions = {}) {
    super();
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    this.affine = options.affine ?? true;
    this.trackRunningStats = options.trackRunningStats ?? true;
    if (!Number.isInteger(numFeatures) || numFeatures < 1) throw new NervaError(`${this.constructor.name}: numFeatures must be a positive integer, got ${numFeatures}`);
    this.weight = this.registerParameter('weight', this.affine ? newParameter([numFeatures], 1) : null);
    this.bias = this.registerParameter('bias', this.affine ? newParameter([numFeatures]) : null);
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', zeros([numFeatures]));
      this.registerBuffer('running_var', ones([numFeatures]));
      this.registerBuffer('num_batches_tracked', zeros([], { dtype: 'int32' }));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
  }

  get runningMean(): Tensor | null {
    return this.getBuffer('running_mean') ?? null;
  }

  get runningVar(): Tensor | null {
    return this.getBuffer('running_var') ?? null;
  }

  get numBatchesTracked(): Tensor | null {
    return this.getBuffer('num_batches_tracked') ?? null;
  }

  /** Statistics back to mean 0, variance 1, no batches seen. */
  resetRunningStats(): void {
    this.runningMean?.data.fill(0);
    this.runningVar?.data.fill(1);
    this.numBatchesTracked?.data.fill(0);
  }

  /** The accepted input ranks (dims) for this layer. */
  protected abstract checkInput(x: Tensor): void;

  forward(x: Tensor): Tensor {
    return this.normalize(x, null, false);
  }

  /**
   * relu(this.call(x) + residual) (residual optional, x's shape), with the same values and
   * gradients as composing them; while batch statistics are in use, in the normalization's own
   * kernel pass (the output is not written out and read back by an add and a relu). ResNet blocks
   * and Sequential(…, BatchNorm, ReLU, …) use it. A forward replaced by a subclass or on the
   * instance (summary, extractFeatures and featureMaps watch a layer that way) is called instead,
   * and the add and relu composed after it, so that what it does and sees is unchanged.
   */
  callRelu(x: Tensor, residual: Tensor | null = null): Tensor {
    if (residual !== null && !sameShape(residual.shape, x.shape)) {
      throw new ShapeError(`${this.constructor.name}(${this.numFeatures}).callRelu: residual ${formatShape(residual.shape)} must have the input's shape ${formatShape(x.shape)}`);
    }
    if (this.forward !== BatchNormBase.prototype.forward) {
      const y = this.forward(x);
      return relu(residual === null ? y : add(y, residual));
    }
    return this.normalize(x, residual, true);
  }

  private normalize(x: Tensor, residual: Tensor | null, withRelu: boolean): Tensor {
    this.checkInput(x);
    const c = this.numFeatures;
    if (x.shape[1] !== c) throw new ShapeError(`${this.constructor.name}(${c}): input ${formatShape(x.shape)} has ${x.shape[1]} channels, expected ${c}`);
    const bshape = [1, c, ...new Array<number>(x.ndim - 2).fill(1)]; // per-channel, broadcastable
    const runningMean = this.runningMean;
    const runningVar = this.runningVar;
    if (!this.training && runningMean !== null && runningVar !== null) {
      const w = this.weight !== null ? reshape(this.weight, bshape) : null;
      const b = this.bias !== null ? reshape(this.bias, bshape) : null;
      // Eval: an affine map per channel, y = x·scale + shift (two passes over x).
      let scale = rsqrt(add(reshape(runningVar, bshape), this.eps)); // (1, C, 1…)
      if (w !== null) scale = mul(scale, w);
      let shift = neg(mul(reshape(runningMean, bshape), scale));
      if (b !== null) shift = add(shift, b);
      const y = add(mul(x, scale), shift);
      const z = residual === null ? y : add(y, residual);
      return withRelu ? relu(z) : z;
    }
    const count = x.size / c;
    if (this.training && count <= 1) {
      throw new NervaError(`${this.constructor.name}: expected more than 1 value per channel when training, got input ${formatShape(x.shape)}`);
    }
    const { out, mean: m, variance: v } = batchNormWithStats(x, this.weight, this.bias, this.eps, { residual, relu: withRelu });
    if (this.training && runningMean !== null && runningVar !== null) this.updateRunningStats(m, v, count, runningMean, runningVar);
    return out;
  }

  private updateRunningStats(m: Tensor, v: Tensor, count: number, runningMean: Tensor, runningVar: Tensor): void {
    noGrad(() => {
      const nbt = this.numBatchesTracked;
      if (nbt !== null) nbt.data[nbt.offset] = nbt.data[nbt.offset]! + 1;
      const factor = this.momentum === null ? 1 / (nbt === null ? 1 : nbt.data[nbt.offset]!) : this.momentum;
      const bm = m.toTypedArray();
      const bv = v.toTypedArray();
      const unbias = count / (count - 1);
      const rm = runningMean.data;
      const rv = runningVar.data;
      for (let i = 0; i < this.numFeatures; i++) {
        rm[i] = (1 - factor) * rm[i]! + factor * bm[i]!;
        rv[i] = (1 - factor) * rv[i]! + factor * bv[i]! * unbias;
      }
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/** BatchNorm over (N, C) or (N, C, L) inputs; statistics per channel over N (and L). */
export class BatchNorm1d extends BatchNormBase {
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3) throw new ShapeError(`BatchNorm1d(${this.numFeatures}): expected input (N, C) or (N, C, L), got ${formatShape(x.shape)}`);
  }
}

/** BatchNorm over (N, C, H, W) inputs; statistics per channel over N, H and W. */
export class BatchNorm2d extends BatchNormBase {
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 4) throw new ShapeError(`BatchNorm2d(${this.numFeatures}): expected input (N, C, H, W), got ${formatShape(x.shape)}`);
  }
}
