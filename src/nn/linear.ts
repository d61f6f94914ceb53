import { Tensor } from '../tensor/tensor.js';
import { linear } from '../ops/index.js';
import { Module, Parameter, newParameter } from './module.js';
import { kaimingUniform_, uniform_ } from './init.js';
import { ShapeError, formatShape } from '../errors.js';

export interface LinearOptions {
  bias?: boolean;
}

/**
 * y = x·Wᵀ + b.
 * Shape: input (*, in_features) → output (*, out_features); weight (out, in), bias (out).
 * Initialization as PyTorch: W ~ U(−1/√in, 1/√in) (kaiming-uniform with a = √5), b likewise.
 */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: LinearOptions = {}) {
    super();
    this.weight = this.registerParameter('weight', newParameter([outFeatures, inFeatures]))!;
    this.bias = this.registerParameter('bias', options.bias === false ? null : newParameter([outFeatures]));
    this.resetParameters();
  }

  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const bound = this.inFeatures > 0 ? 1 / Math.sqrt(this.inFeatures) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  forward(x: Tensor): Tensor {
    if (x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new ShapeError(`${this.constructor.name}: input ${formatShape(x.shape)} has ${x.shape[x.ndim - 1]} features, weight expects ${this.inFeatures}`);
    }
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
