import { Tensor } from '../tensor/tensor.js';
import type { Generator } from '../tensor/random.js';
import { dropout } from '../functional/dropout.js';
import { Module } from './module.js';
import { NervaError } from '../errors.js';

/**
 * Zeroes each element with probability p while training and scales the rest by 1/(1 − p);
 * the identity in eval mode. Draws from the default generator unless one is given.
 */
export class Dropout extends Module {
  constructor(readonly p = 0.5, readonly options: { generator?: Generator } = {}) {
    super();
    if (!(p >= 0 && p <= 1)) throw new NervaError(`Dropout: probability must be in [0, 1], got ${p}`);
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this.options.generator);
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
