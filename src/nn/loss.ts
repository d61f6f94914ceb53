import { Tensor } from '../tensor/tensor.js';
import {
  binaryCrossEntropyWithLogits, crossEntropy, mseLoss, nllLoss,
  type CrossEntropyOptions, type NllOptions, type Reduction,
} from '../functional/loss.js';
import { Module } from './module.js';

// Loss modules: thin wrappers over src/functional/loss.ts, called as loss.call(input, target).

/** Log-softmax over dim 1 then NLL; targets are int32 class indices (or float probabilities). */
export class CrossEntropyLoss extends Module {
  constructor(readonly options: CrossEntropyOptions = {}) {
    super();
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, this.options);
  }

  override extraRepr(): string {
    return Object.entries(this.options).map(([k, v]) => `${k}=${String(v)}`).join(', ');
  }
}

/** NLL of int32 class indices under log-probabilities (input of a LogSoftmax). */
export class NLLLoss extends Module {
  constructor(readonly options: NllOptions = {}) {
    super();
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, this.options);
  }
}

/** Mean squared error. */
export class MSELoss extends Module {
  constructor(readonly options: { reduction?: Reduction } = {}) {
    super();
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, this.options);
  }
}

/** Sigmoid + binary cross-entropy in one stable formula; posWeight weighs the positives. */
export class BCEWithLogitsLoss extends Module {
  constructor(readonly options: { reduction?: Reduction; posWeight?: Tensor | number } = {}) {
    super();
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, this.options);
  }
}
