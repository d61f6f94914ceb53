import { Tensor, denseData } from '../tensor/tensor.js';
import { avgPool2d } from '../ops/pool.js';
import { NervaError, ShapeError, formatShape } from '../errors.js';

// Pictures as bytes and as tensors. Everything here is pure computation, with no file system:
// it runs in the browser as well (see fromImageData/toImageData); reading and writing files lives
// in io.ts, encoding and decoding PNG/JPEG bytes in codec.ts.

/**
 * An 8-bit picture, rows top to bottom, pixels interleaved (HWC): gray (1 channel), RGB (3) or
 * RGBA (4, alpha not premultiplied).
 */
export interface Image {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Uint8Array;
}

/** The minimal shape of the browser's ImageData (RGBA, 4 bytes per pixel). */
export interface ImageDataLike {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

export function checkImage(img: Image, what = 'image'): void {
  const { width, height, channels, data } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new NervaError(`${what}: size must be positive integers, got ${width}×${height}`);
  }
  if (channels !== 1 && channels !== 3 && channels !== 4) throw new NervaError(`${what}: channels must be 1, 3 or 4, got ${String(channels)}`);
  if (data.length !== width * height * channels) {
    throw new NervaError(`${what}: ${width}×${height}×${channels} needs ${width * height * channels} bytes, got ${data.length}`);
  }
}

/** ITU-R BT.601 luma, the weights of PIL's convert('L') and OpenCV's RGB2GRAY. */
export const LUMA = [0.299, 0.587, 0.114] as const;

/** The picture with one channel: luma of RGB (alpha dropped). Gray input is returned as is. */
export function toGray(img: Image): Image {
  if (img.channels === 1) return img;
  const n = img.width * img.height;
  const out = new Uint8Array(n);
  const c = img.channels;
  for (let i = 0; i < n; i++) {
    const p = i * c;
    out[i] = Math.round(LUMA[0] * img.data[p]! + LUMA[1] * img.data[p + 1]! + LUMA[2] * img.data[p + 2]!);
  }
  return { width: img.width, height: img.height, channels: 1, data: out };
}

/**
 * RGB (or gray) without alpha: alpha is dropped, or, with `background` (0–255), the colour is
 * composited over that gray level: c·α + background·(1 − α).
 */
export function dropAlpha(img: Image, background?: number): Image {
  if (img.channels !== 4) return img;
  const n = img.width * img.height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const a = img.data[i * 4 + 3]! / 255;
    for (let k = 0; k < 3; k++) {
      const v = img.data[i * 4 + k]!;
      out[i * 3 + k] = background === undefined ? v : Math.round(v * a + background * (1 - a));
    }
  }
  return { width: img.width, height: img.height, channels: 3, data: out };
}

/** Every pixel as RGBA (alpha 255 where the picture has none), the layout canvases and encoders want. */
export function toRGBA(img: Image): Uint8Array {
  if (img.channels === 4) return img.data;
  const n = img.width * img.height;
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    if (img.channels === 1) {
      const v = img.data[i]!;
      out[i * 4] = v; out[i * 4 + 1] = v; out[i * 4 + 2] = v;
    } else {
      out[i * 4] = img.data[i * 3]!; out[i * 4 + 1] = img.data[i * 3 + 1]!; out[i * 4 + 2] = img.data[i * 3 + 2]!;
    }
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** From RGBA bytes, keeping alpha only when some pixel is not opaque, and gray when every pixel is. */
export function fromRGBA(width: number, height: number, rgba: Uint8Array | Uint8ClampedArray, opts: { gray?: boolean; alpha?: boolean } = {}): Image {
  const n = width * height;
  if (rgba.length !== n * 4) throw new NervaError(`fromRGBA: ${width}×${height} RGBA needs ${n * 4} bytes, got ${rgba.length}`);
  let opaque = true;
  let gray = true;
  for (let i = 0; i < n; i++) {
    const p = i * 4;
    if (rgba[p + 3] !== 255) opaque = false;
    if (rgba[p] !== rgba[p + 1] || rgba[p] !== rgba[p + 2]) gray = false;
  }
  const keepAlpha = opts.alpha ?? !opaque;
  const asGray = (opts.gray ?? gray) && gray && !keepAlpha;
  if (keepAlpha) return { width, height, channels: 4, data: new Uint8Array(rgba) };
  const c = asGray ? 1 : 3;
  const out = new Uint8Array(n * c);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < c; k++) out[i * c + k] = rgba[i * 4 + k]!;
  }
  return { width, height, channels: c, data: out };
}

/** A browser ImageData (or anything shaped like it) as an Image; alpha is kept only when used. */
export function fromImageData(data: ImageDataLike): Image {
  return fromRGBA(data.width, data.height, data.data);
}

/** RGBA bytes ready for `new ImageData(out.data, out.width, out.height)` or ctx.putImageData. */
export function toImageData(img: Image): { width: number; height: number; data: Uint8ClampedArray } {
  checkImage(img);
  const rgba = toRGBA(img);
  return { width: img.width, height: img.height, data: new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.length) };
}

/** What fromCanvas/drawToCanvas need of a canvas (HTMLCanvasElement and OffscreenCanvas have it). */
export interface CanvasLike {
  width: number;
  height: number;
  getContext(type: '2d'): unknown;
}

interface Context2D {
  getImageData(x: number, y: number, w: number, h: number): ImageDataLike;
  putImageData(data: unknown, x: number, y: number): void;
}

function context2d(canvas: CanvasLike): Context2D {
  const ctx = canvas.getContext('2d') as Context2D | null;
  if (ctx === null || typeof ctx.getImageData !== 'function') throw new NervaError('canvas: no 2-D context (getContext(\'2d\') returned null)');
  return ctx;
}

/** The pixels of a browser canvas (HTMLCanvasElement or OffscreenCanvas) as an Image. */
export function fromCanvas(canvas: CanvasLike): Image {
  return fromImageData(context2d(canvas).getImageData(0, 0, canvas.width, canvas.height));
}

/**
 * Draws an Image on a canvas, resizing the canvas to it. `makeImageData` defaults to the browser's
 * ImageData constructor (pass one where there is none, e.g. with node-canvas).
 */
export function drawToCanvas(canvas: CanvasLike, img: Image, makeImageData?: (data: Uint8ClampedArray, w: number, h: number) => unknown): void {
  const d = toImageData(img);
  const make = makeImageData ?? ((data: Uint8ClampedArray, w: number, h: number) => {
    const ctor = (globalThis as { ImageData?: new (data: Uint8ClampedArray, w: number, h: number) => unknown }).ImageData;
    if (ctor === undefined) throw new NervaError('drawToCanvas: no ImageData constructor here; pass makeImageData');
    return new ctor(data, w, h);
  });
  canvas.width = img.width;
  canvas.height = img.height;
  context2d(canvas).putImageData(make(d.data, d.width, d.height), 0, 0);
}

export interface ToTensorOptions {
  /** 'gray' (1 channel, luma), 'rgb' (3) or 'keep' (the picture's own channels, alpha dropped); default 'keep' */
  mode?: 'gray' | 'rgb' | 'keep';
  /** per-channel mean subtracted after scaling to [0, 1] (one number for all channels) */
  mean?: number | readonly number[];
  /** per-channel standard deviation divided by after the mean */
  std?: number | readonly number[];
  /** composite alpha over this gray level (0–255) instead of dropping it */
  background?: number;
}

/**
 * An 8-bit picture as a float32 tensor of shape (1, C, H, W), values v/255 in [0, 1], then
 * (v − mean) / std per channel when given (torchvision's ToTensor + Normalize).
 */
export function imageToTensor(img: Image, opts: ToTensorOptions = {}): Tensor {
  checkImage(img);
  let src = dropAlpha(img, opts.background);
  if (opts.mode === 'gray') src = toGray(src);
  const c = opts.mode === 'rgb' ? 3 : src.channels;
  const { width: w, height: h } = src;
  const mean = perChannel('imageToTensor', 'mean', opts.mean ?? 0, c);
  const std = perChannel('imageToTensor', 'std', opts.std ?? 1, c);
  const out = new Float32Array(c * h * w);
  const sc = src.channels;
  for (let k = 0; k < c; k++) {
    const from = sc === 1 ? 0 : k;
    const m = mean[k]!;
    const s = std[k]!;
    const plane = k * h * w;
    for (let i = 0; i < h * w; i++) out[plane + i] = (src.data[i * sc + from]! / 255 - m) / s;
  }
  return new Tensor(out, [1, c, h, w]);
}

function perChannel(op: string, name: string, v: number | readonly number[], c: number): number[] {
  const given = typeof v === 'number' ? [v] : [...v];
  const list = given.length === 1 ? new Array<number>(c).fill(given[0]!) : given;
  if (list.length !== c) throw new NervaError(`${op}: ${name} has ${list.length} values for ${c} channels`);
  if (name === 'std' && list.some((s) => !(s > 0) && !(s < 0))) throw new NervaError(`${op}: std must be non-zero, got [${list.join(', ')}]`);
  return list;
}

export interface FromTensorOptions {
  /** undo a normalization: v·std + mean before scaling by 255 */
  mean?: number | readonly number[];
  std?: number | readonly number[];
}

/**
 * A tensor (1, C, H, W), (C, H, W) or (H, W) with values in [0, 1] as an 8-bit picture:
 * round(255·v) clipped to 0–255. C must be 1, 3 or 4.
 */
export function tensorToImage(t: Tensor, opts: FromTensorOptions = {}): Image {
  const shape = t.ndim === 4 && t.shape[0] === 1 ? t.shape.slice(1) : t.ndim === 2 ? [1, ...t.shape] : t.shape;
  if (shape.length !== 3) throw new ShapeError(`tensorToImage: expected a tensor of shape (1, C, H, W), (C, H, W) or (H, W), got ${formatShape(t.shape)}`);
  const [c, h, w] = shape as [number, number, number];
  if (c !== 1 && c !== 3 && c !== 4) throw new ShapeError(`tensorToImage: expected 1, 3 or 4 channels, got ${c} (shape ${formatShape(t.shape)})`);
  const mean = perChannel('tensorToImage', 'mean', opts.mean ?? 0, c);
  const std = perChannel('tensorToImage', 'std', opts.std ?? 1, c);
  const src = denseData(t);
  const out = new Uint8Array(c * h * w);
  for (let k = 0; k < c; k++) {
    for (let i = 0; i < h * w; i++) {
      const v = Math.round((src[k * h * w + i]! * std[k]! + mean[k]!) * 255);
      out[i * c + k] = v < 0 ? 0 : v > 255 ? 255 : v; // NaN → 0 through the Uint8Array store
    }
  }
  return { width: w, height: h, channels: c, data: out };
}

/**
 * Bilinear resizing of a (N, C, H, W) float tensor to (N, C, outH, outW), with the sampling rule of
 * PyTorch's F.interpolate(mode='bilinear', align_corners=False): output pixel i samples the input
 * at (i + ½)·H/outH − ½, clamped to [0, H − 1]. No antialiasing: shrink by more than 2× with
 * `downscale` first. The result is a new tensor without autograd history.
 */
export function resizeBilinear(x: Tensor, size: readonly [number, number]): Tensor {
  if (x.ndim !== 4) throw new ShapeError(`resizeBilinear: expected input of shape (N, C, H, W), got ${formatShape(x.shape)}`);
  const [oh, ow] = size;
  if (!Number.isInteger(oh) || !Number.isInteger(ow) || oh <= 0 || ow <= 0) {
    throw new NervaError(`resizeBilinear: output size must be positive integers, got ${oh}×${ow}`);
  }
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const src = denseData(x);
  const out = new (src.constructor as Float32ArrayConstructor)(n * c * oh * ow);
  const axis = (outSize: number, inSize: number) => {
    const lo = new Int32Array(outSize);
    const hi = new Int32Array(outSize);
    const frac = new Float64Array(outSize);
    const scale = inSize / outSize;
    for (let i = 0; i < outSize; i++) {
      const s = Math.max(0, (i + 0.5) * scale - 0.5);
      lo[i] = Math.min(Math.floor(s), inSize - 1);
      hi[i] = Math.min(lo[i]! + 1, inSize - 1);
      frac[i] = s - lo[i]!;
    }
    return { lo, hi, frac };
  };
  const ys = axis(oh, h);
  const xs = axis(ow, w);
  for (let p = 0; p < n * c; p++) {
    const base = p * h * w;
    const obase = p * oh * ow;
    for (let i = 0; i < oh; i++) {
      const r0 = base + ys.lo[i]! * w;
      const r1 = base + ys.hi[i]! * w;
      const fy = ys.frac[i]!;
      for (let j = 0; j < ow; j++) {
        const x0 = xs.lo[j]!;
        const x1 = xs.hi[j]!;
        const fx = xs.frac[j]!;
        const top = src[r0 + x0]! * (1 - fx) + src[r0 + x1]! * fx;
        const bottom = src[r1 + x0]! * (1 - fx) + src[r1 + x1]! * fx;
        out[obase + i * ow + j] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return new Tensor(out, [n, c, oh, ow]);
}

/**
 * Shrinks a (N, C, H, W) tensor so that its longer side is at most `maxSide`, keeping the aspect
 * ratio: average pooling by the largest whole factor that stays at or above the target (area
 * averaging, no aliasing), then bilinear resizing for the rest. Smaller inputs come back unchanged.
 */
export function downscale(x: Tensor, maxSide: number): Tensor {
  if (!Number.isInteger(maxSide) || maxSide <= 0) throw new NervaError(`downscale: maxSide must be a positive integer, got ${maxSide}`);
  if (x.ndim !== 4) throw new ShapeError(`downscale: expected input of shape (N, C, H, W), got ${formatShape(x.shape)}`);
  const h = x.shape[2]!;
  const w = x.shape[3]!;
  const side = Math.max(h, w);
  if (side <= maxSide) return x;
  const scale = maxSide / side;
  const oh = Math.max(1, Math.round(h * scale));
  const ow = Math.max(1, Math.round(w * scale));
  const factor = Math.floor(Math.min(h / oh, w / ow));
  let y = x;
  if (factor >= 2) y = avgPool2d(x, factor, { ceilMode: false });
  return y.shape[2] === oh && y.shape[3] === ow ? y : resizeBilinear(y, [oh, ow]);
}
