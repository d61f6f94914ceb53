import type { Module } from '../nn/index.js';
import { LeNet5, LeNet5Classic } from './lenet.js';
import { AlexNet } from './alexnet.js';
import { VGG, VGG_CONFIGS, SmallVGG } from './vgg.js';
import { resnet18, resnet34, resnet50, resnet101, resnet152 } from './resnet.js';
import { CifarResNet } from './cifar_resnet.js';
import { NervaError } from '../errors.js';

export interface ModelOptions {
  numClasses?: number;
  inChannels?: number;
}

export interface ModelSpec {
  /** one line for `nerva train --help` and listModels() */
  about: string;
  /** the input height and width the network expects (square images) */
  inputSize: number;
  /** channels when the caller does not say (1 for digits, 3 for photos) */
  inChannels: number;
  create: (options: Required<ModelOptions>) => Module;
}

/** Every architecture `nerva` knows by name. Adding one is one line here. */
const MODELS: Record<string, ModelSpec> = {
  'lenet5': { about: 'LeNet-5, modern: ReLU, max pooling, 28×28 input (61,706 params)', inputSize: 28, inChannels: 1, create: (o) => new LeNet5(o) },
  'lenet5-classic': { about: 'LeNet-5 as in LeCun 1998: tanh, average pooling, 32×32 input (61,706 params)', inputSize: 32, inChannels: 1, create: (o) => new LeNet5Classic(o) },
  'alexnet': { about: 'AlexNet as torchvision (61,100,840 params at 1000 classes), 224×224 RGB', inputSize: 224, inChannels: 3, create: (o) => new AlexNet(o) },
  'vgg11': { about: 'VGG-11 as torchvision (132,863,336 params at 1000 classes), 224×224 RGB', inputSize: 224, inChannels: 3, create: (o) => new VGG(VGG_CONFIGS.vgg11, { ...o, batchNorm: false }) },
  'vgg11_bn': { about: 'VGG-11 with batch norm as torchvision, 224×224 RGB', inputSize: 224, inChannels: 3, create: (o) => new VGG(VGG_CONFIGS.vgg11, { ...o, batchNorm: true }) },
  'vgg13': { about: 'VGG-13 as torchvision (133,047,848 params at 1000 classes), 224×224 RGB', inputSize: 224, inChannels: 3, create: (o) => new VGG(VGG_CONFIGS.vgg13, { ...o, batchNorm: false }) },
  'vgg13_bn': { about: 'VGG-13 with batch norm as torchvision, 224×224 RGB', inputSize: 224, inChannels: 3, create: (o) => new VGG(VGG_CONFIGS.vgg13, { ...o, batchNorm: true }) },
  'vgg16': { about: 'VGG-16 as torchvision (138,357,544 params at 1000 classes), 224×224 RGB', inputSize: 224, inChannels: 3, create: (o) => new VGG(VGG_CONFIGS.vgg16, { ...o, batchNorm: false }) },
  'vgg16_bn': { about: 'VGG-16 with batch norm as torchvision, 224×224 RGB', inputSize: 224, inChannels: 3, create: (o) => new VGG(VGG_CONFIGS.vgg16, { ...o, batchNorm: true }) },
  'vgg19': { about: 'VGG-19 as torchvision (143,667,240 params at 1000 classes), 224×224 RGB', inputSize: 224, inChannels: 3, create: (o) => new VGG(VGG_CONFIGS.vgg19, { ...o, batchNorm: false }) },
  'vgg19_bn': { about: 'VGG-19 with batch norm as torchvision, 224×224 RGB', inputSize: 224, inChannels: 3, create: (o) => new VGG(VGG_CONFIGS.vgg19, { ...o, batchNorm: true }) },
  'vgg-small': { about: 'VGG for 28×28/32×32 images: VGG-11 widths, BN, 4 pools, global pool + linear (4.5M params)', inputSize: 28, inChannels: 1, create: (o) => new SmallVGG(o) },
  'resnet18': { about: 'ResNet-18 as torchvision (11,689,512 params at 1000 classes), 224×224 RGB', inputSize: 224, inChannels: 3, create: (o) => resnet18(o) },
  'resnet34': { about: 'ResNet-34 as torchvision, 224×224 RGB', inputSize: 224, inChannels: 3, create: (o) => resnet34(o) },
  'resnet50': { about: 'ResNet-50 as torchvision (25,557,032 params at 1000 classes), 224×224 RGB', inputSize: 224, inChannels: 3, create: (o) => resnet50(o) },
  'resnet101': { about: 'ResNet-101 as torchvision, 224×224 RGB', inputSize: 224, inChannels: 3, create: (o) => resnet101(o) },
  'resnet152': { about: 'ResNet-152 as torchvision, 224×224 RGB', inputSize: 224, inChannels: 3, create: (o) => resnet152(o) },
  'resnet20': { about: 'CIFAR ResNet-20 of He et al. 2016, option-A shortcuts, 28×28/32×32 (0.27M params)', inputSize: 28, inChannels: 1, create: (o) => new CifarResNet(20, o) },
  'resnet32': { about: 'CIFAR ResNet-32 of He et al. 2016, option-A shortcuts, 28×28/32×32 (0.46M params)', inputSize: 28, inChannels: 1, create: (o) => new CifarResNet(32, o) },
  'resnet56': { about: 'CIFAR ResNet-56 of He et al. 2016, option-A shortcuts, 28×28/32×32 (0.85M params)', inputSize: 28, inChannels: 1, create: (o) => new CifarResNet(56, o) },
};

/** Registers (or replaces) an architecture at run time, e.g. from a plugin or a test. */
export function registerModel(name: string, spec: ModelSpec): void {
  MODELS[name] = spec;
}

export function listModels(): { name: string; about: string }[] {
  return Object.entries(MODELS).map(([name, s]) => ({ name, about: s.about }));
}

export function modelSpec(arch: string): ModelSpec {
  const spec = Object.prototype.hasOwnProperty.call(MODELS, arch) ? MODELS[arch] : undefined;
  if (spec === undefined) throw new NervaError(`unknown architecture '${arch}' (known: ${Object.keys(MODELS).join(', ')})`);
  return spec;
}

/** Builds a freshly initialized model by name (initialization draws from the global generator). */
export function createModel(arch: string, options: ModelOptions = {}): Module {
  const spec = modelSpec(arch);
  return spec.create({ numClasses: options.numClasses ?? 10, inChannels: options.inChannels ?? spec.inChannels });
}

/** The input shape of one sample, (C, H, W). */
export function modelInputShape(arch: string, inChannels?: number): [number, number, number] {
  const spec = modelSpec(arch);
  return [inChannels ?? spec.inChannels, spec.inputSize, spec.inputSize];
}
