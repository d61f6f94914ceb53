import { Tensor } from '../tensor/tensor.js';
import { Generator, defaultGenerator } from '../tensor/random.js';
import { NervaError, ShapeError, formatShape } from '../errors.js';
import type { Transform } from './dataset.js';

/**
 * Per-sample image transforms on (C, H, W) float tensors, as in torchvision.transforms.
 * Random ones draw from a Generator (default: the global one, which checkpoints save), so a
 * seeded run augments the same way every time.
 */

function chw(op: string, x: Tensor): [number, number, number, Float32Array | Float64Array] {
  if (x.ndim !== 3) throw new ShapeError(`${op}: expected an image of shape (C, H, W), got ${formatShape(x.shape)}`);
  const data = x.toTypedArray();
  if (!(data instanceof Float32Array || data instanceof Float64Array)) throw new NervaError(`${op}: expected a float image, got dtype ${x.dtype}`);
  return [x.shape[0]!, x.shape[1]!, x.shape[2]!, data];
}

/** Applies transforms left to right. */
export function compose(...transforms: Transform[]): Transform {
  return (x) => transforms.reduce((y, t) => t(y), x);
}

/** (x − mean) / std per channel; one number applies to every channel. */
export function normalize(mean: number | readonly number[], std: number | readonly number[]): Transform {
  return (x) => {
    const [c, h, w, src] = chw('normalize', x);
    const m = typeof mean === 'number' ? Array(c).fill(mean) : mean;
    const s = typeof std === 'number' ? Array(c).fill(std) : std;
    if (m.length !== c || s.length !== c) throw new ShapeError(`normalize: ${m.length} means and ${s.length} stds for an image with ${c} channels`);
    if (s.some((v) => !(v > 0))) throw new NervaError(`normalize: std must be positive, got [${s.join(', ')}]`);
    const out = new Float32Array(c * h * w);
    for (let ch = 0; ch < c; ch++) {
      const mc = m[ch]!, inv = 1 / s[ch]!;
      for (let i = ch * h * w; i < (ch + 1) * h * w; i++) out[i] = (src[i]! - mc) * inv;
    }
    return new Tensor(out, [c, h, w]);
  };
}

/** Zero-pads (or center-crops) to size×size, keeping the image centered: 28×28 MNIST → 32×32 for the classic LeNet-5. */
export function centerPad(size: number, fill = 0): Transform {
  return (x) => {
    const [c, h, w, src] = chw('centerPad', x);
    if (h === size && w === size) return x;
    const top = Math.floor((size - h) / 2), left = Math.floor((size - w) / 2);
    return crop(src, c, h, w, -top, -left, size, size, fill);
  };
}

/** Copies the window starting at (y0, x0) of size oh×ow; cells outside the image get `fill`. */
function crop(src: Float32Array | Float64Array, c: number, h: number, w: number, y0: number, x0: number, oh: number, ow: number, fill: number): Tensor {
  const out = new Float32Array(c * oh * ow);
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < oh; y++) {
      const sy = y + y0;
      for (let x = 0; x < ow; x++) {
        const sx = x + x0;
        out[(ch * oh + y) * ow + x] = sy >= 0 && sy < h && sx >= 0 && sx < w ? src[(ch * h + sy) * w + sx]! : fill;
      }
    }
  }
  return new Tensor(out, [c, oh, ow]);
}

/** Pads by `padding` on every side, then takes a random size×size window (CIFAR-style augmentation). */
export function randomCrop(size: number, options: { padding?: number; fill?: number; generator?: Generator } = {}): Transform {
  const padding = options.padding ?? 0;
  const gen = options.generator ?? defaultGenerator;
  return (x) => {
    const [c, h, w, src] = chw('randomCrop', x);
    if (h + 2 * padding < size || w + 2 * padding < size) throw new ShapeError(`randomCrop: a ${size}×${size} window does not fit a ${h}×${w} image padded by ${padding}`);
    const y0 = gen.int(0, h + 2 * padding - size + 1) - padding;
    const x0 = gen.int(0, w + 2 * padding - size + 1) - padding;
    return crop(src, c, h, w, y0, x0, size, size, options.fill ?? 0);
  };
}

/** Mirrors left–right with probability p. */
export function randomHorizontalFlip(p = 0.5, options: { generator?: Generator } = {}): Transform {
  const gen = options.generator ?? defaultGenerator;
  return (x) => {
    const [c, h, w, src] = chw('randomHorizontalFlip', x);
    if (gen.random() >= p) return x;
    const out = new Float32Array(c * h * w);
    for (let row = 0; row < c * h; row++) for (let col = 0; col < w; col++) out[row * w + col] = src[row * w + (w - 1 - col)]!;
    return new Tensor(out, [c, h, w]);
  };
}

export interface RandomAffineOptions {
  /** rotation drawn from [−degrees, degrees] */
  degrees?: number;
  /** shift drawn from [−tx·W, tx·W] × [−ty·H, ty·H] */
  translate?: readonly [number, number];
  /** zoom drawn from [lo, hi] */
  scale?: readonly [number, number];
  fill?: number;
  generator?: Generator;
}

/**
 * A small random rotation, translation and zoom about the image center, resampled bilinearly —
 * the classic augmentation for handwritten digits (e.g. degrees 10, translate [0.1, 0.1],
 * scale [0.9, 1.1]).
 */
export function randomAffine(options: RandomAffineOptions = {}): Transform {
  const gen = options.generator ?? defaultGenerator;
  const degrees = options.degrees ?? 0;
  const [tx, ty] = options.translate ?? [0, 0];
  const [slo, shi] = options.scale ?? [1, 1];
  if (!(slo > 0 && shi >= slo)) throw new NervaError(`randomAffine: scale must be [lo, hi] with 0 < lo ≤ hi, got [${slo}, ${shi}]`);
  return (x) => {
    const [c, h, w, src] = chw('randomAffine', x);
    const angle = ((gen.random() * 2 - 1) * degrees * Math.PI) / 180;
    const dx = (gen.random() * 2 - 1) * tx * w;
    const dy = (gen.random() * 2 - 1) * ty * h;
    const s = slo + gen.random() * (shi - slo);
    return affine(src, c, h, w, angle, dx, dy, s, options.fill ?? 0);
  };
}

/** Output pixel p maps back to source R(−θ)·(p − center − t)/s + center; bilinear sampling. */
export function affine(src: Float32Array | Float64Array, c: number, h: number, w: number, angle: number, dx: number, dy: number, scale: number, fill = 0): Tensor {
  const out = new Float32Array(c * h * w);
  const cy = (h - 1) / 2, cx = (w - 1) / 2;
  const cos = Math.cos(angle) / scale, sin = Math.sin(angle) / scale;
  const at = (ch: number, yy: number, xx: number) => (yy >= 0 && yy < h && xx >= 0 && xx < w ? src[(ch * h + yy) * w + xx]! : fill);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const u = x - cx - dx, v = y - cy - dy;
      // y points down, so this inverse rotation turns the picture counter-clockwise for θ > 0 (as torchvision)
      const sx = cos * u - sin * v + cx;
      const sy = sin * u + cos * v + cy;
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      const fx = sx - x0, fy = sy - y0;
      for (let ch = 0; ch < c; ch++) {
        const top = at(ch, y0, x0) * (1 - fx) + at(ch, y0, x0 + 1) * fx;
        const bottom = at(ch, y0 + 1, x0) * (1 - fx) + at(ch, y0 + 1, x0 + 1) * fx;
        out[(ch * h + y) * w + x] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return new Tensor(out, [c, h, w]);
}
