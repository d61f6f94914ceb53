import { Tensor } from '../tensor/tensor.js';
import { Module, Sequential, Linear, Conv2d, MaxPool2d, AvgPool2d, ReLU, Tanh, Flatten } from '../nn/index.js';
import { ShapeError, formatShape } from '../errors.js';

export interface LeNetOptions {
  /** number of output classes (default 10) */
  numClasses?: number;
  /** image channels (default 1: grayscale digits) */
  inChannels?: number;
}

/**
 * LeNet-5, modern form: ReLU and max pooling, 28×28 input padded by 2 inside conv1.
 * Shape: input (N, C, 28, 28) → logits (N, numClasses).
 *
 *   features:   conv 5×5×6 pad 2 → ReLU → maxpool 2   (6, 28, 28) → (6, 14, 14)
 *               conv 5×5×16      → ReLU → maxpool 2   (16, 10, 10) → (16, 5, 5)
 *   classifier: flatten 400 → 120 → ReLU → 84 → ReLU → numClasses
 *
 * 61,706 parameters for 1 channel and 10 classes.
 */
export class LeNet5 extends Module {
  readonly features: Sequential;
  readonly classifier: Sequential;

  constructor(options: LeNetOptions = {}) {
    super();
    const inChannels = options.inChannels ?? 1;
    const numClasses = options.numClasses ?? 10;
    this.features = this.registerModule('features', new Sequential(
      new Conv2d(inChannels, 6, 5, { padding: 2 }), new ReLU(), new MaxPool2d(2),
      new Conv2d(6, 16, 5), new ReLU(), new MaxPool2d(2),
    ));
    this.classifier = this.registerModule('classifier', new Sequential(
      new Flatten(), new Linear(16 * 5 * 5, 120), new ReLU(), new Linear(120, 84), new ReLU(), new Linear(84, numClasses),
    ));
  }

  forward(x: Tensor): Tensor {
    checkInput('LeNet5', x, 28);
    return this.classifier.call(this.features.call(x)); // (N, 16, 5, 5) -> (N, classes)
  }
}

/**
 * LeNet-5 as in LeCun, Bottou, Bengio & Haffner (1998): tanh units, average-pooling subsampling,
 * 32×32 input (MNIST's 28×28 digits padded by 2), C5 a 5×5 convolution onto a 1×1 map.
 * Shape: input (N, C, 32, 32) → logits (N, numClasses).
 *
 *   C1 conv 5×5×6 → tanh → S2 avgpool 2      (6, 28, 28) → (6, 14, 14)
 *   C3 conv 5×5×16 → tanh → S4 avgpool 2     (16, 10, 10) → (16, 5, 5)
 *   C5 conv 5×5×120 → tanh                   (120, 1, 1)
 *   F6 120 → 84 → tanh → output numClasses
 *
 * NOTE: as in most re-implementations, C3 connects every S2 map (the paper's table of partial
 * connections is dropped), S2/S4 have no trainable coefficient, the squashing is plain tanh and
 * the output layer is a linear layer instead of the paper's RBF units. 61,706 parameters.
 */
export class LeNet5Classic extends Module {
  readonly features: Sequential;
  readonly classifier: Sequential;

  constructor(options: LeNetOptions = {}) {
    super();
    const inChannels = options.inChannels ?? 1;
    const numClasses = options.numClasses ?? 10;
    this.features = this.registerModule('features', new Sequential(
      new Conv2d(inChannels, 6, 5), new Tanh(), new AvgPool2d(2),
      new Conv2d(6, 16, 5), new Tanh(), new AvgPool2d(2),
      new Conv2d(16, 120, 5), new Tanh(),
    ));
    this.classifier = this.registerModule('classifier', new Sequential(
      new Flatten(), new Linear(120, 84), new Tanh(), new Linear(84, numClasses),
    ));
  }

  forward(x: Tensor): Tensor {
    checkInput('LeNet5Classic', x, 32);
    return this.classifier.call(this.features.call(x)); // (N, 120, 1, 1) -> (N, classes)
  }
}

function checkInput(name: string, x: Tensor, size: number): void {
  if (x.ndim !== 4 || x.shape[2] !== size || x.shape[3] !== size) {
    throw new ShapeError(`${name}: expected input (N, C, ${size}, ${size}), got ${formatShape(x.shape)}${size === 32 && x.shape[2] === 28 ? ' (pad 28×28 digits by 2)' : ''}`);
  }
}
