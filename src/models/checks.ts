import type { Tensor } from '../tensor/tensor.js';
import { NervaError, ShapeError, formatShape } from '../errors.js';

// Argument and input checks shared by the zoo models.

/** Refuses inputs that are not (N, C, H, W) or are too small for the network's downsampling. */
export function checkImage(name: string, x: Tensor, minSize: number): void {
  if (x.ndim !== 4) throw new ShapeError(`${name}: expected input (N, C, H, W), got ${formatShape(x.shape)}`);
  if (x.shape[2]! < minSize || x.shape[3]! < minSize) {
    throw new ShapeError(`${name}: input ${formatShape(x.shape)} is too small: height and width must be at least ${minSize}`);
  }
}

/** A positive integer option, or an error naming it. */
export function positiveInt(model: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new NervaError(`${model}: ${name} must be a positive integer, got ${v}`);
  return v;
}
