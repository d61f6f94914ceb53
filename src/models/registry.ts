import type { Module } from '../nn/index.js';
import { LeNet5, LeNet5Classic } from './lenet.js';
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
