import { readFileSync } from 'node:fs';
import pngjs from 'pngjs';
import jpeg from 'jpeg-js';
import { Tensor } from '../tensor/tensor.js';
import { FormatError, NervaError } from '../errors.js';

// A small PNG/JPEG reader for datasets and `nerva predict` (src/vision has the full codec; data/
// sits below vision/ in the layering, so it keeps its own few lines here).

/** Decoded pixels, 8 bits per channel, interleaved RGBA. */
export interface RgbaImage {
  width: number;
  height: number;
  rgba: Uint8Array;
  /** true when every pixel has R = G = B */
  gray: boolean;
}

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'];

export function decodeImageFile(path: string): RgbaImage {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new NervaError(code === 'ENOENT' ? `image '${path}' does not exist` : `cannot read image '${path}': ${(err as Error).message}`);
  }
  let width: number, height: number, rgba: Uint8Array;
  try {
    if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) {
      const png = pngjs.PNG.sync.read(bytes);
      ({ width, height } = png);
      rgba = new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length);
    } else if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      ({ width, height } = img);
      rgba = img.data;
    } else {
      throw new FormatError(`'${path}' is not a PNG or JPEG image (${bytes.length === 0 ? 'the file is empty' : 'unknown leading bytes'})`);
    }
  } catch (err) {
    if (err instanceof NervaError) throw err;
    throw new FormatError(`image '${path}' is corrupt or truncated: ${(err as Error).message}`);
  }
  let gray = true;
  for (let i = 0; i < width * height && gray; i++) gray = rgba[4 * i] === rgba[4 * i + 1] && rgba[4 * i] === rgba[4 * i + 2];
  return { width, height, rgba, gray };
}

/** Packs RGBA pixels into planar bytes (C, H, W): C = 1 takes the luma (or the gray value), C = 3 drops alpha. */
export function toPlanar(img: RgbaImage, channels: 1 | 3): Uint8Array {
  const n = img.width * img.height;
  const out = new Uint8Array(channels * n);
  for (let i = 0; i < n; i++) {
    const r = img.rgba[4 * i]!, g = img.rgba[4 * i + 1]!, b = img.rgba[4 * i + 2]!;
    if (channels === 1) out[i] = img.gray ? r : Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    else { out[i] = r; out[n + i] = g; out[2 * n + i] = b; }
  }
  return out;
}

/** Bilinear resize of planar bytes (C, H, W) to (C, size, size); for `predict` on odd-sized pictures. */
export function resizePlanar(src: Uint8Array, c: number, h: number, w: number, oh: number, ow: number): Uint8Array {
  if (h === oh && w === ow) return src;
  const out = new Uint8Array(c * oh * ow);
  for (let y = 0; y < oh; y++) {
    const sy = Math.min(h - 1, Math.max(0, ((y + 0.5) * h) / oh - 0.5));
    const y0 = Math.floor(sy), y1 = Math.min(h - 1, y0 + 1), fy = sy - y0;
    for (let x = 0; x < ow; x++) {
      const sx = Math.min(w - 1, Math.max(0, ((x + 0.5) * w) / ow - 0.5));
      const x0 = Math.floor(sx), x1 = Math.min(w - 1, x0 + 1), fx = sx - x0;
      for (let ch = 0; ch < c; ch++) {
        const p = ch * h * w;
        const top = src[p + y0 * w + x0]! * (1 - fx) + src[p + y0 * w + x1]! * fx;
        const bottom = src[p + y1 * w + x0]! * (1 - fx) + src[p + y1 * w + x1]! * fx;
        out[(ch * oh + y) * ow + x] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return out;
}

/** An image file as a float tensor (C, H, W) in [0, 1], optionally resized to size×size. */
export function readImageTensor(path: string, options: { channels?: 1 | 3; size?: number } = {}): Tensor {
  const img = decodeImageFile(path);
  const channels = options.channels ?? (img.gray ? 1 : 3);
  let planar = toPlanar(img, channels);
  let [h, w] = [img.height, img.width];
  if (options.size !== undefined) {
    planar = resizePlanar(planar, channels, h, w, options.size, options.size);
    h = w = options.size;
  }
  const data = new Float32Array(planar.length);
  for (let i = 0; i < data.length; i++) data[i] = planar[i]! / 255;
  return new Tensor(data, [channels, h, w]);
}
