import { existsSync } from 'node:fs';
import type { Module } from '../nn/module.js';
import { type LoadedCheckpoint } from '../io/checkpoint.js';
import { loadCheckpoint } from '../node/checkpoint.js';
import { createModel, modelSpec } from '../models/registry.js';
import { MNIST_CLASSES, MNIST_STATS } from '../node/mnist.js';
import type { Preprocess } from './data_args.js';
import { NervaError } from '../errors.js';

/** A model rebuilt from a checkpoint, with the preprocessing its training used. */
export interface OpenedModel {
  model: Module;
  arch: string;
  pre: Preprocess;
  checkpoint: LoadedCheckpoint;
}

/**
 * Loads a checkpoint written by `nerva train` (or a plain safetensors file of weights, given
 * `arch`). A checkpoint of another architecture than `arch` is refused with a one-line error.
 */
export function openCheckpoint(path: string, arch?: string): OpenedModel {
  if (!existsSync(path)) throw new NervaError(`checkpoint '${path}' does not exist`);
  const checkpoint = loadCheckpoint(path);
  const extra = checkpoint.extra as { arch?: string; pre?: Preprocess };
  const savedArch = extra.arch ?? (checkpoint.arch || undefined);
  if (arch !== undefined && savedArch !== undefined && arch !== savedArch) {
    throw new NervaError(`checkpoint '${path}' holds a ${savedArch}, not a ${arch}`);
  }
  const name = arch ?? savedArch;
  if (name === undefined) throw new NervaError(`'${path}' does not say which architecture it holds; pass --arch`);
  const spec = modelSpec(name);
  const pre: Preprocess = extra.pre ?? {
    dataset: 'mnist', classes: [...MNIST_CLASSES], inChannels: spec.inChannels, imageSize: 28, inputSize: spec.inputSize,
    mean: [MNIST_STATS.mnist.mean], std: [MNIST_STATS.mnist.std],
  };
  const model = createModel(name, { numClasses: pre.classes.length, inChannels: pre.inChannels });
  checkpoint.restore({ model, arch: name });
  model.eval();
  return { model, arch: name, pre, checkpoint };
}
