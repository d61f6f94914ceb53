import { Tensor } from '../tensor/tensor.js';
import { flatten } from '../ops/movement.js';
import { Module, Sequential, Linear, Conv2d, MaxPool2d, AdaptiveAvgPool2d, Dropout, ReLU } from '../nn/index.js';
import { defaultInit_, withoutDefaultInit } from './weight_init.js';
import { checkImage, positiveInt } from './checks.js';

export interface AlexNetOptions {
  /** output classes (default 1000, ImageNet) */
  numClasses?: number;
  /** image channels (default 3) */
  inChannels?: number;
  /** dropout before the two hidden linear layers (default 0.5) */
  dropout?: number;
  /** output channels of the five convolutions (default torchvision's [64, 192, 384, 256, 256]) */
  widths?: readonly [number, number, number, number, number];
  /** width of the two hidden linear layers (default 4096) */
  hiddenFeatures?: number;
  /** initialize the weights (default true); false leaves them zero, for weights about to be loaded */
  initWeights?: boolean;
}

/**
 * AlexNet as torchvision.models.AlexNet (the one-GPU variant of Krizhevsky 2014, "One weird
 * trick"), with the same module tree and state-dict names, so torchvision's weights load unchanged:
 *
 *   features.0  conv 11×11/4 pad 2 → 64      features.1 ReLU   features.2 maxpool 3/2
 *   features.3  conv 5×5 pad 2 → 192        features.4 ReLU   features.5 maxpool 3/2
 *   features.6  conv 3×3 pad 1 → 384        features.7 ReLU
 *   features.8  conv 3×3 pad 1 → 256        features.9 ReLU
 *   features.10 conv 3×3 pad 1 → 256        features.11 ReLU  features.12 maxpool 3/2
 *   avgpool     adaptive average pool to 6×6
 *   classifier  0 dropout, 1 linear 9216→4096, 2 ReLU, 3 dropout, 4 linear 4096→4096, 5 ReLU,
 *               6 linear 4096→numClasses
 *
 * Shape: input (N, C, H, W), H and W ≥ 63 (224 for ImageNet) → logits (N, numClasses).
 * 61,100,840 parameters with the defaults. Initialization as PyTorch's layer defaults (torchvision
 * does not re-initialize AlexNet).
 */
export class AlexNet extends Module {
  constructor(options: AlexNetOptions = {}) {
    super();
    const inChannels = positiveInt('AlexNet', 'inChannels', options.inChannels ?? 3);
    const numClasses = positiveInt('AlexNet', 'numClasses', options.numClasses ?? 1000);
    const p = options.dropout ?? 0.5;
    const [c1, c2, c3, c4, c5] = options.widths ?? [64, 192, 384, 256, 256];
    const hidden = options.hiddenFeatures ?? 4096;
    withoutDefaultInit(() => {
      this.registerModule('features', new Sequential(
        new Conv2d(inChannels, c1, 11, { stride: 4, padding: 2 }), new ReLU(), new MaxPool2d(3, { stride: 2 }),
        new Conv2d(c1, c2, 5, { padding: 2 }), new ReLU(), new MaxPool2d(3, { stride: 2 }),
        new Conv2d(c2, c3, 3, { padding: 1 }), new ReLU(),
        new Conv2d(c3, c4, 3, { padding: 1 }), new ReLU(),
        new Conv2d(c4, c5, 3, { padding: 1 }), new ReLU(), new MaxPool2d(3, { stride: 2 }),
      ));
      this.registerModule('avgpool', new AdaptiveAvgPool2d([6, 6]));
      this.registerModule('classifier', new Sequential(
        new Dropout(p), new Linear(c5 * 6 * 6, hidden), new ReLU(),
        new Dropout(p), new Linear(hidden, hidden), new ReLU(),
        new Linear(hidden, numClasses),
      ));
    });
    if (options.initWeights ?? true) for (const m of this.modules()) if (m instanceof Conv2d || m instanceof Linear) defaultInit_(m);
  }

  /** The convolutional trunk (a Sequential; `model.features.call(x)` gives its feature maps). */
  get features(): Module { return this.getSubmodule('features'); }
  set features(m: Module) { this.setChild('features', m); }
  get avgpool(): Module { return this.getSubmodule('avgpool'); }
  set avgpool(m: Module) { this.setChild('avgpool', m); }
  get classifier(): Module { return this.getSubmodule('classifier'); }
  set classifier(m: Module) { this.setChild('classifier', m); }

  forward(x: Tensor): Tensor {
    checkImage('AlexNet', x, 63);
    const f = this.avgpool.call(this.features.call(x)); // (N, 256, 6, 6)
    return this.classifier.call(flatten(f, 1)); // (N, 9216) -> (N, classes)
  }
}
