import { Tensor } from '../tensor/tensor.js';
import { neg } from '../ops/elementwise.js';
import { avgPool2d, maxPool2d, type Pool2dOptions } from '../ops/pool.js';
import { cat, narrow } from '../ops/movement.js';
import type { Pair } from '../ops/conv.js';
import { mean } from './reduce.js';
import { NervaError, ShapeError, formatShape } from '../errors.js';

/** Min pooling: −maxPool2d(−x) (padding never wins, as for max pooling). */
export function minPool2d(input: Tensor, kernelSize: Pair, options: Pool2dOptions = {}): Tensor {
  return neg(maxPool2d(neg(input), kernelSize, options));
}

/**
 * Average pooling to a fixed output size, PyTorch's window rule: cell i covers
 * [⌊i·H/out⌋, ⌈(i+1)·H/out⌉). Divisible sizes reduce to one avgPool2d.
 * Shape: (N, C, H, W) → (N, C, outH, outW).
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: number | readonly [number, number]): Tensor {
  const [oh, ow] = typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize;
  if (input.ndim !== 4 && input.ndim !== 3) throw new ShapeError(`adaptiveAvgPool2d: expected input (N, C, H, W) or (C, H, W), got ${formatShape(input.shape)}`);
  if (!Number.isInteger(oh) || !Number.isInteger(ow) || oh <= 0 || ow <= 0) throw new NervaError(`adaptiveAvgPool2d: output size must be positive integers, got ${JSON.stringify(outputSize)}`);
  const hAxis = input.ndim - 2;
  const h = input.shape[hAxis]!;
  const w = input.shape[hAxis + 1]!;
  if (h % oh === 0 && w % ow === 0) return avgPool2d(input, [h / oh, w / ow]);
  const rows: Tensor[] = [];
  for (let i = 0; i < oh; i++) {
    const y0 = Math.floor((i * h) / oh);
    const y1 = Math.ceil(((i + 1) * h) / oh);
    const cells: Tensor[] = [];
    for (let j = 0; j < ow; j++) {
      const x0 = Math.floor((j * w) / ow);
      const x1 = Math.ceil(((j + 1) * w) / ow);
      const window = narrow(narrow(input, hAxis, y0, y1 - y0), hAxis + 1, x0, x1 - x0);
      cells.push(mean(window, [hAxis, hAxis + 1], true));
    }
    rows.push(cat(cells, hAxis + 1));
  }
  return cat(rows, hAxis);
}
