import pngjs from 'pngjs';
import jpeg from 'jpeg-js';
import { checkImage, fromRGBA, toRGBA, type Image } from './image.js';
import { FormatError, NervaError } from '../errors.js';

// PNG and JPEG bytes ↔ Image, with pure-JavaScript codecs (pngjs, jpeg-js): nothing to compile or
// download at install. No file system here; io.ts reads and writes files. In a browser, prefer
// the canvas (fromImageData) — pngjs leans on Node's zlib.

export type ImageFormat = 'png' | 'jpeg';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The format from the first bytes, or null. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | null {
  if (bytes.length >= 8 && PNG_MAGIC.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return null;
}

/** The format a file name asks for by its extension, or null. */
export function formatFromPath(path: string): ImageFormat | null {
  const ext = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  if (ext === 'png') return 'png';
  if (ext === 'jpg' || ext === 'jpeg') return 'jpeg';
  return null;
}

/**
 * Decodes PNG or JPEG bytes (told apart by their first bytes). PNG keeps gray as 1 channel and
 * alpha as a 4th; 16-bit PNG is scaled to 8 bits; JPEG gives gray or RGB.
 * `name` (a file name) is used in error messages.
 */
export function decodeImage(bytes: Uint8Array, name = 'image'): Image {
  const format = sniffFormat(bytes);
  if (format === null) {
    const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new FormatError(`'${name}' is not a PNG or JPEG image (${bytes.length === 0 ? 'the file is empty' : `it starts with bytes ${head}`})`);
  }
  return format === 'png' ? decodePng(bytes, name) : decodeJpeg(bytes, name);
}

export function decodePng(bytes: Uint8Array, name = 'image'): Image {
  let png: pngjs.PNGWithMetadata;
  try {
    png = pngjs.PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  } catch (err) {
    throw new FormatError(`'${name}': truncated or corrupt PNG (${oneLine(err)})`);
  }
  const img = fromRGBA(png.width, png.height, png.data, { alpha: png.alpha ? undefined : false });
  // A gray PNG stays gray; a colour PNG stays RGB even where every pixel happens to be gray.
  if (png.color && img.channels === 1) return expandGray(img);
  return img;
}

export function decodeJpeg(bytes: Uint8Array, name = 'image'): Image {
  let raw: { width: number; height: number; data: Uint8Array };
  try {
    raw = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, tolerantDecoding: false, maxResolutionInMP: 200, maxMemoryUsageInMB: 2048 });
  } catch (err) {
    throw new FormatError(`'${name}': truncated or corrupt JPEG (${oneLine(err)})`);
  }
  if (raw.width === 0 || raw.height === 0) throw new FormatError(`'${name}': JPEG has no image data`);
  return fromRGBA(raw.width, raw.height, raw.data, { alpha: false });
}

/** PNG bytes: gray (color type 0), RGB (2) or RGBA (6) as the picture has 1, 3 or 4 channels; lossless. */
export function encodePng(img: Image): Uint8Array {
  checkImage(img);
  const png = new pngjs.PNG({ width: img.width, height: img.height });
  png.data = Buffer.from(toRGBA(img));
  const colorType = img.channels === 1 ? 0 : img.channels === 3 ? 2 : 6;
  return pngjs.PNG.sync.write(png, { colorType, inputColorType: 6, inputHasAlpha: true });
}

/** Baseline JPEG bytes at `quality` 1–100 (alpha is dropped; gray is stored as RGB). */
export function encodeJpeg(img: Image, quality = 90): Uint8Array {
  checkImage(img);
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw new NervaError(`JPEG quality must be an integer from 1 to 100, got ${quality}`);
  return jpeg.encode({ width: img.width, height: img.height, data: toRGBA(img) }, quality).data;
}

export function encodeImage(img: Image, format: ImageFormat, quality?: number): Uint8Array {
  return format === 'png' ? encodePng(img) : encodeJpeg(img, quality);
}

function expandGray(img: Image): Image {
  const n = img.width * img.height;
  const data = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) data[i * 3] = data[i * 3 + 1] = data[i * 3 + 2] = img.data[i]!;
  return { width: img.width, height: img.height, channels: 3, data };
}

function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}
