import { Tensor } from '../tensor/tensor.js';
import { flatten } from '../ops/movement.js';
import { Module, Sequential, Linear, Conv2d, MaxPool2d, AdaptiveAvgPool2d, BatchNorm2d, Dropout, ReLU } from '../nn/index.js';
import { NervaError } from '../errors.js';
import { checkImage, positiveInt } from './checks.js';
import { defaultInit_, kaimingNormalFanOut_, normalFast_, withoutDefaultInit } from './weight_init.js';

/** A VGG trunk: output channels of each 3×3 convolution, 'M' for a 2×2 max pool. */
export type VGGConfig = readonly (number | 'M')[];

/** Simonyan & Zisserman 2015, table 1: configurations A (11 layers), B (13), D (16), E (19). */
export const VGG_CONFIGS: Readonly<Record<'vgg11' | 'vgg13' | 'vgg16' | 'vgg19', VGGConfig>> = {
  vgg11: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  vgg13: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  vgg16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  vgg19: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
};

export interface VGGOptions {
  /** output classes (default 1000) */
  numClasses?: number;
  /** image channels (default 3) */
  inChannels?: number;
  /** batch norm after every convolution (torchvision's vgg*_bn) */
  batchNorm?: boolean;
  /** dropout in the classifier (default 0.5) */
  dropout?: number;
  /** width of the classifier's two hidden layers (default 4096) */
  hiddenFeatures?: number;
  /** initialize the weights (default true); false leaves them zero, for weights about to be loaded */
  initWeights?: boolean;
}

/**
 * The convolutional trunk as torchvision's `make_layers`: conv 3×3 pad 1 → [BatchNorm] → ReLU per
 * number, MaxPool2d(2, 2) per 'M', all in one Sequential, so indices (and state-dict names such as
 * `features.28.weight`) match torchvision's.
 */
export function vggLayers(config: VGGConfig, inChannels: number, batchNorm: boolean): Sequential {
  const layers: Module[] = [];
  let c = inChannels;
  for (const v of config) {
    if (v === 'M') {
      layers.push(new MaxPool2d(2, { stride: 2 }));
      continue;
    }
    positiveInt('VGG', 'config width', v);
    layers.push(new Conv2d(c, v, 3, { padding: 1 }));
    if (batchNorm) layers.push(new BatchNorm2d(v));
    layers.push(new ReLU());
    c = v;
  }
  return new Sequential(...layers);
}

function lastWidth(config: VGGConfig, inChannels: number): number {
  const widths = config.filter((v): v is number => v !== 'M');
  return widths.length > 0 ? widths[widths.length - 1]! : inChannels;
}

/** torchvision's VGG init: conv kaiming-normal (fan-out, ReLU), linear N(0, 0.01²), biases 0, BN 1/0. */
function initVGG(model: Module): void {
  for (const m of model.modules()) {
    if (m instanceof Conv2d) {
      kaimingNormalFanOut_(m.weight);
      m.bias?.data.fill(0);
    } else if (m instanceof Linear) {
      normalFast_(m.weight, 0, 0.01);
      m.bias?.data.fill(0);
    }
  }
}

/**
 * VGG as torchvision.models.VGG: `features` (vggLayers), `avgpool` (adaptive 7×7), `classifier`
 * (0 linear 512·7·7→4096, 1 ReLU, 2 dropout, 3 linear 4096→4096, 4 ReLU, 5 dropout,
 * 6 linear 4096→numClasses). State-dict names and layouts equal torchvision's.
 *
 * Shape: input (N, C, H, W), H and W ≥ 32 (224 for ImageNet; smaller maps are averaged or
 * repeated onto 7×7 as in PyTorch) → logits (N, numClasses).
 * VGG-16: 138,357,544 parameters; VGG-11/13/19: 132,863,336 / 133,047,848 / 143,667,240.
 */
export class VGG extends Module {
  readonly config: VGGConfig;

  constructor(config: VGGConfig, options: VGGOptions = {}) {
    super();
    this.config = config;
    const inChannels = positiveInt('VGG', 'inChannels', options.inChannels ?? 3);
    const numClasses = positiveInt('VGG', 'numClasses', options.numClasses ?? 1000);
    const hidden = positiveInt('VGG', 'hiddenFeatures', options.hiddenFeatures ?? 4096);
    const p = options.dropout ?? 0.5;
    const c = lastWidth(config, inChannels);
    withoutDefaultInit(() => {
      this.registerModule('features', vggLayers(config, inChannels, options.batchNorm ?? false));
      this.registerModule('avgpool', new AdaptiveAvgPool2d([7, 7]));
      this.registerModule('classifier', new Sequential(
        new Linear(c * 7 * 7, hidden), new ReLU(), new Dropout(p),
        new Linear(hidden, hidden), new ReLU(), new Dropout(p),
        new Linear(hidden, numClasses),
      ));
    });
    if (options.initWeights ?? true) initVGG(this);
  }

  get features(): Module { return this.getSubmodule('features'); }
  set features(m: Module) { this.setChild('features', m); }
  get avgpool(): Module { return this.getSubmodule('avgpool'); }
  set avgpool(m: Module) { this.setChild('avgpool', m); }
  get classifier(): Module { return this.getSubmodule('classifier'); }
  set classifier(m: Module) { this.setChild('classifier', m); }

  forward(x: Tensor): Tensor {
    checkImage('VGG', x, 2 ** this.config.filter((v) => v === 'M').length);
    const f = this.avgpool.call(this.features.call(x)); // (N, 512, 7, 7)
    return this.classifier.call(flatten(f, 1)); // (N, 25088) -> (N, classes)
  }
}

type VGGName = keyof typeof VGG_CONFIGS;

function vggNamed(name: VGGName, batchNorm: boolean, options: VGGOptions): VGG {
  return new VGG(VGG_CONFIGS[name], { ...options, batchNorm });
}

export const vgg11 = (o: VGGOptions = {}): VGG => vggNamed('vgg11', false, o);
export const vgg11Bn = (o: VGGOptions = {}): VGG => vggNamed('vgg11', true, o);
export const vgg13 = (o: VGGOptions = {}): VGG => vggNamed('vgg13', false, o);
export const vgg13Bn = (o: VGGOptions = {}): VGG => vggNamed('vgg13', true, o);
export const vgg16 = (o: VGGOptions = {}): VGG => vggNamed('vgg16', false, o);
export const vgg16Bn = (o: VGGOptions = {}): VGG => vggNamed('vgg16', true, o);
export const vgg19 = (o: VGGOptions = {}): VGG => vggNamed('vgg19', false, o);
export const vgg19Bn = (o: VGGOptions = {}): VGG => vggNamed('vgg19', true, o);

export interface SmallVGGOptions {
  numClasses?: number;
  inChannels?: number;
  /** the trunk (default: VGG-11's widths with four pools, [64, M, 128, M, 256, 256, M, 512, 512, M]) */
  config?: VGGConfig;
  /** dropout before the linear head (default 0.5; 0 for none) */
  dropout?: number;
  /** initialize the weights (default true); false leaves them zero, for weights about to be loaded */
  initWeights?: boolean;
}

/** VGG-11's first four stages: four pools take 28×28 to 1×1 and 32×32 to 2×2. */
export const SMALL_VGG_CONFIG: VGGConfig = [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M'];

/**
 * A VGG for small images (28×28 digits, 32×32 CIFAR), as commonly trained on CIFAR-10: 3×3
 * convolutions with batch norm, four max pools, global average pooling and one linear layer
 * (`features`, `avgpool`, `classifier.0` dropout, `classifier.1` linear; the head is
 * `classifier.1`). Shape: input (N, C, H, W), H and W ≥ 16 → logits (N, numClasses).
 * 4,508,298 parameters for 1 channel and 10 classes with the default trunk.
 */
export class SmallVGG extends Module {
  readonly config: VGGConfig;

  constructor(options: SmallVGGOptions = {}) {
    super();
    this.config = options.config ?? SMALL_VGG_CONFIG;
    const inChannels = positiveInt('SmallVGG', 'inChannels', options.inChannels ?? 1);
    const numClasses = positiveInt('SmallVGG', 'numClasses', options.numClasses ?? 10);
    const p = options.dropout ?? 0.5;
    if (!(p >= 0 && p < 1)) throw new NervaError(`SmallVGG: dropout must be in [0, 1), got ${p}`);
    withoutDefaultInit(() => {
      this.registerModule('features', vggLayers(this.config, inChannels, true));
      this.registerModule('avgpool', new AdaptiveAvgPool2d(1));
      this.registerModule('classifier', new Sequential(new Dropout(p), new Linear(lastWidth(this.config, inChannels), numClasses)));
    });
    for (const m of options.initWeights ?? true ? this.modules() : []) {
      if (m instanceof Conv2d) {
        kaimingNormalFanOut_(m.weight);
        m.bias?.data.fill(0);
      } else if (m instanceof Linear) {
        defaultInit_(m);
      }
    }
  }

  get features(): Module { return this.getSubmodule('features'); }
  set features(m: Module) { this.setChild('features', m); }
  get avgpool(): Module { return this.getSubmodule('avgpool'); }
  set avgpool(m: Module) { this.setChild('avgpool', m); }
  get classifier(): Module { return this.getSubmodule('classifier'); }
  set classifier(m: Module) { this.setChild('classifier', m); }

  forward(x: Tensor): Tensor {
    checkImage('SmallVGG', x, 2 ** this.config.filter((v) => v === 'M').length);
    const f = this.avgpool.call(this.features.call(x)); // (N, 512, 1, 1)
    return this.classifier.call(flatten(f, 1)); // (N, 512) -> (N, classes)
  }
}
