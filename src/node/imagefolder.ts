import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { ByteImageDataset, type Transform } from '../data/dataset.js';
import { IMAGE_EXTENSIONS, decodeImageFile, toPlanar, type RgbaImage } from './image.js';
import { NervaError } from '../errors.js';

export interface ImageFolderOptions {
  /** 1 (grayscale), 3 (RGB) or 'auto' (default: 1 when every image is gray, else 3) */
  channels?: 1 | 3 | 'auto';
  transform?: Transform;
  /** use these class names (and order) instead of the sorted sub-folder names */
  classes?: readonly string[];
}

/**
 * A dataset from a folder with one sub-folder per class (as torchvision's ImageFolder):
 * root/cat/001.png, root/dog/002.jpg … Classes are the sub-folder names in sorted order. Images
 * are decoded once into bytes; all must have the same size.
 */
export function loadImageFolder(root: string, options: ImageFolderOptions = {}): ByteImageDataset & { files: string[] } {
  let entries: string[];
  try {
    if (!statSync(root).isDirectory()) throw new NervaError(`image folder '${root}' is not a directory`);
    entries = readdirSync(root);
  } catch (err) {
    if (err instanceof NervaError) throw err;
    throw new NervaError(`image folder '${root}' cannot be read: ${(err as Error).message}`);
  }
  const folders = entries.filter((e) => !e.startsWith('.') && statSync(join(root, e)).isDirectory()).sort();
  const classes = options.classes ?? folders;
  if (classes.length === 0) throw new NervaError(`image folder '${root}' has no class sub-folders (expected ${join(root, '<class>', '<image>.png')})`);
  const files: string[] = [];
  const labels: number[] = [];
  classes.forEach((cls, label) => {
    const dir = join(root, cls);
    let names: string[];
    try {
      names = readdirSync(dir).filter((f) => IMAGE_EXTENSIONS.includes(extname(f).toLowerCase())).sort();
    } catch {
      throw new NervaError(`image folder '${root}': class folder '${dir}' cannot be read`);
    }
    if (names.length === 0) throw new NervaError(`image folder '${root}': class folder '${dir}' has no PNG or JPEG images`);
    for (const f of names) {
      files.push(join(dir, f));
      labels.push(label);
    }
  });
  const images: RgbaImage[] = files.map((f) => decodeImageFile(f));
  const first = images[0]!;
  images.forEach((img, i) => {
    if (img.width !== first.width || img.height !== first.height) {
      throw new NervaError(`image folder '${root}' mixes image sizes: '${files[0]}' is ${first.width}×${first.height} but '${files[i]}' is ${img.width}×${img.height}; resize them to one size`);
    }
  });
  const channels = options.channels === undefined || options.channels === 'auto' ? (images.every((img) => img.gray) ? 1 : 3) : options.channels;
  const size = channels * first.width * first.height;
  const bytes = new Uint8Array(images.length * size);
  images.forEach((img, i) => bytes.set(toPlanar(img, channels), i * size));
  const ds = new ByteImageDataset(bytes, [images.length, channels, first.height, first.width], labels, { transform: options.transform, classes });
  return Object.assign(ds, { files });
}
