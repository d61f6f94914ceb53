import { Tensor } from '../tensor/tensor.js';
import { add, div, mul, pow, square } from '../ops/elementwise.js';
import { pad, reshape, squeeze } from '../ops/movement.js';
import { avgPool2d } from '../ops/pool.js';
import { Module } from './module.js';
import { NervaError, ShapeError, formatShape } from '../errors.js';

export interface LocalResponseNormOptions {
  alpha?: number;
  beta?: number;
  k?: number;
}

/**
 * Local response normalization across channels (torch.nn.LocalResponseNorm, AlexNet):
 * b_c = a_c / (k + α/n · Σ_{c' ∈ window(c)} a_{c'}²)^β, the window being the n channels
 * c − ⌊n/2⌋ … c + ⌊(n−1)/2⌋ (zero outside). Composed as PyTorch does: an average pool of
 * size (n, 1) over the zero-padded channel axis, so it has no gradient code of its own.
 * Shape: (N, C, *) → same.
 */
export class LocalResponseNorm extends Module {
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;

  constructor(readonly size: number, options: LocalResponseNormOptions = {}) {
    super();
    if (!Number.isInteger(size) || size < 1) throw new NervaError(`LocalResponseNorm: size must be a positive integer, got ${size}`);
    this.alpha = options.alpha ?? 1e-4;
    this.beta = options.beta ?? 0.75;
    this.k = options.k ?? 1;
  }

  forward(x: Tensor): Tensor {
    if (x.ndim < 3) throw new ShapeError(`LocalResponseNorm: expected input (N, C, *) with at least 3 dims, got ${formatShape(x.shape)}`);
    const [n, c] = x.shape as [number, number];
    const sq = reshape(square(x), [n, 1, c, -1]); // (N, 1, C, L), L = product of the spatial dims
    const padded = pad(sq, [0, 0, Math.floor(this.size / 2), Math.floor((this.size - 1) / 2)]); // (N, 1, C + n − 1, L)
    const avg = reshape(squeeze(avgPool2d(padded, [this.size, 1], { stride: 1 }), 1), x.shape); // mean of squares per window
    const denom = pow(add(mul(avg, this.alpha), this.k), this.beta);
    return div(x, denom);
  }

  override extraRepr(): string {
    return `${this.size}, alpha=${this.alpha}, beta=${this.beta}, k=${this.k}`;
  }
}

