import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { makeDirectories } from '../node/atomic.js';
import { join } from 'node:path';
import { Generator } from '../tensor/random.js';
import { ByteImageDataset, take, type Dataset, type Transform } from '../data/dataset.js';
import { loadMnist, MNIST_STATS, type MnistVariant } from '../node/mnist.js';
import { loadImageFolder } from '../node/imagefolder.js';
import { centerPad, compose, normalize, randomAffine, randomCrop, randomHorizontalFlip } from '../data/transforms.js';
import { NervaError } from '../errors.js';

// Shared by `nerva train`, `eval` and `predict`: which dataset a --dataset value names, and the
// preprocessing (pad to the network's size, normalize) that a checkpoint records so that eval and
// predict feed the network exactly what training did.

/** What a checkpoint remembers about its inputs. */
export interface Preprocess {
  /** 'mnist', 'fashion-mnist' or an image folder path */
  dataset: string;
  dataDir?: string;
  classes: string[];
  /** the dataset's label indices the model predicts, in output order, when it was fine-tuned on a
   * subset of the classes (`nerva finetune --classes`) */
  classIndices?: number[];
  inChannels: number;
  /** the dataset's image height/width */
  imageSize: number;
  /** the network's input height/width (images are zero-padded / center-cropped to it) */
  inputSize: number;
  mean: number[];
  std: number[];
}

export interface LoadedData {
  train: Dataset;
  test: Dataset;
  pre: Preprocess;
}

/** The transform eval/predict apply (and training, before augmentation). */
export function inputTransform(pre: Preprocess): Transform {
  const steps: Transform[] = [];
  if (pre.inputSize !== pre.imageSize) steps.push(centerPad(pre.inputSize));
  steps.push(normalize(pre.mean, pre.std));
  return compose(...steps);
}

export function isBuiltin(dataset: string): dataset is MnistVariant {
  return dataset === 'mnist' || dataset === 'fashion-mnist';
}

/** Per-channel mean and std of byte images (on the [0, 1] scale). */
function channelStats(ds: ByteImageDataset): { mean: number[]; std: number[] } {
  const [c, h, w] = ds.imageShape;
  const n = ds.length, plane = h * w;
  const mean: number[] = [], std: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    let s = 0, s2 = 0;
    for (let i = 0; i < n; i++) {
      const base = (i * c + ch) * plane;
      for (let k = 0; k < plane; k++) { const v = ds.images[base + k]! / 255; s += v; s2 += v * v; }
    }
    const m = s / (n * plane);
    mean.push(Number(m.toFixed(4)));
    std.push(Number(Math.max(1e-3, Math.sqrt(Math.max(0, s2 / (n * plane) - m * m))).toFixed(4)));
  }
  return { mean, std };
}

/** Training-set augmentations: 'affine' = small rotations/shifts/zooms (digits: a mirrored digit is
 * another symbol); 'flip-crop' = left–right mirror + random crop of the image padded by h/8 on each
 * side (the CIFAR recipe; clothes and most photos mean the same mirrored). */
export const AUGMENTATIONS = ['affine', 'flip-crop'] as const;
export type Augmentation = (typeof AUGMENTATIONS)[number];

/** What `--augment` means when `--augment-kind` is not given: affine for MNIST digits, flip-crop otherwise. */
export function defaultAugmentation(dataset: string): Augmentation {
  return dataset === 'mnist' ? 'affine' : 'flip-crop';
}

function augmentation(kind: Augmentation, h: number): Transform {
  if (kind === 'affine') return randomAffine({ degrees: 10, translate: [0.1, 0.1], scale: [0.9, 1.1] });
  return compose(randomHorizontalFlip(0.5), randomCrop(h, { padding: Math.max(1, Math.round(h / 8)) }));
}

/**
 * Loads a dataset by its --dataset value: 'mnist', 'fashion-mnist' (IDX files, from --data-dir or
 * the built-in copies) or a folder of images. A folder with train/ and test/ (or val/) sub-folders
 * uses them; otherwise a seeded 10% of its images are held out for testing.
 */
export function loadData(options: { dataset: string; dataDir?: string; inputSize: number; augment?: Augmentation | false; limit?: number; testLimit?: number; seed?: number; pre?: Preprocess }): LoadedData {
  const { dataset, dataDir, inputSize } = options;
  let train: ByteImageDataset, test: ByteImageDataset;
  if (isBuiltin(dataset)) {
    train = loadMnist({ variant: dataset, split: 'train', dataDir });
    test = loadMnist({ variant: dataset, split: 'test', dataDir });
  } else {
    if (!existsSync(dataset)) throw new NervaError(`--dataset '${dataset}' is neither 'mnist', 'fashion-mnist' nor an existing folder of images`);
    const split = ['test', 'val'].map((s) => join(dataset, s)).find((p) => existsSync(p) && statSync(p).isDirectory());
    if (split !== undefined && existsSync(join(dataset, 'train'))) {
      train = loadImageFolder(join(dataset, 'train'));
      test = loadImageFolder(split, { classes: train.classes, channels: train.imageShape[0] as 1 | 3 });
    } else {
      const all = loadImageFolder(dataset);
      const order = Array.from({ length: all.length }, (_, i) => i);
      new Generator(options.seed ?? 0).shuffle(order);
      const nTest = Math.max(1, Math.round(all.length * 0.1));
      if (all.length < 2) throw new NervaError(`image folder '${dataset}' has ${all.length} image; at least 2 are needed (one to train, one to test)`);
      const pick = (idx: number[]) => pickBytes(all, idx.sort((a, b) => a - b));
      test = pick(order.slice(0, nTest));
      train = pick(order.slice(nTest));
    }
  }
  const [c, h, w] = train.imageShape;
  if (h !== w) throw new NervaError(`the images of '${dataset}' are ${w}×${h}; the networks here take square images`);
  const stats = isBuiltin(dataset) ? { mean: [MNIST_STATS[dataset].mean], std: [MNIST_STATS[dataset].std] } : channelStats(train);
  const pre: Preprocess = options.pre ?? {
    dataset, dataDir, classes: [...(train.classes ?? [])], inChannels: c, imageSize: h, inputSize, ...stats,
  };
  const base = inputTransform(pre);
  const aug = options.augment ? compose(augmentation(options.augment, h), base) : base;
  const trainSet = options.limit !== undefined ? take(train.withTransform(aug), options.limit) : train.withTransform(aug);
  const testSet = options.testLimit !== undefined ? take(test.withTransform(base), options.testLimit) : test.withTransform(base);
  return { train: trainSet, test: testSet, pre };
}

function pickBytes(ds: ByteImageDataset, indices: number[]): ByteImageDataset {
  const size = ds.imageShape.reduce((a, b) => a * b, 1);
  const bytes = new Uint8Array(indices.length * size);
  indices.forEach((i, k) => bytes.set(ds.images.subarray(i * size, (i + 1) * size), k * size));
  return new ByteImageDataset(bytes, [indices.length, ...ds.imageShape], indices.map((i) => ds.labels[i]!), { classes: ds.classes });
}

/** Creates the output folder and checks that it can be written, with a one-line error if not. */
export function prepareOutDir(dir: string): void {
  try {
    makeDirectories(dir);
    accessSync(dir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'permission denied' : code === 'EEXIST' || code === 'ENOTDIR' ? 'a file of that name is in the way' : (err as Error).message;
    throw new NervaError(`output folder '${dir}' is not writable (${why}); choose another with --out`);
  }
}
