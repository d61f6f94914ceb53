import { Tensor } from '../tensor/tensor.js';
import { avgPool2d, maxPool2d, type Pool2dOptions } from '../ops/pool.js';
import type { Pair } from '../ops/conv.js';
import { adaptiveAvgPool2d, minPool2d } from '../functional/pool.js';
import { Module } from './module.js';

// Pooling layers. Shape: input (N, C, H, W) or (C, H, W) → (N, C, H_out, W_out), with
// H_out = ⌊(H + 2·padding − kH) / stride⌋ + 1 (⌈⌉ with ceilMode); stride defaults to the kernel size.

export interface MaxPool2dOptions {
  stride?: Pair | null;
  padding?: Pair;
  ceilMode?: boolean;
}

export interface AvgPool2dOptions extends MaxPool2dOptions {
  /** whether zero padding counts in the divisor (default true, as PyTorch) */
  countIncludePad?: boolean;
}

function fmt(p: Pair): string {
  return typeof p === 'number' ? String(p) : `(${p[0]}, ${p[1]})`;
}

abstract class Pool2dBase extends Module {
  readonly stride: Pair;
  readonly padding: Pair;
  readonly ceilMode: boolean;

  constructor(readonly kernelSize: Pair, options: MaxPool2dOptions) {
    super();
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.ceilMode = options.ceilMode ?? false;
  }

  protected poolOptions(): Pool2dOptions {
    return { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode };
  }

  override extraRepr(): string {
    return `kernelSize=${fmt(this.kernelSize)}, stride=${fmt(this.stride)}, padding=${fmt(this.padding)}${this.ceilMode ? ', ceilMode=true' : ''}`;
  }
}

/** Max over each kH×kW window (torch.nn.MaxPool2d, without dilation). */
export class MaxPool2d extends Pool2dBase {
  constructor(kernelSize: Pair, options: MaxPool2dOptions = {}) {
    super(kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.poolOptions());
  }
}

/** Min over each window: −maxPool(−x). Not in PyTorch; the classic morphological erosion. */
export class MinPool2d extends Pool2dBase {
  constructor(kernelSize: Pair, options: MaxPool2dOptions = {}) {
    super(kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    return minPool2d(x, this.kernelSize, this.poolOptions());
  }
}

/** Mean over each window (torch.nn.AvgPool2d). */
export class AvgPool2d extends Pool2dBase {
  readonly countIncludePad: boolean;

  constructor(kernelSize: Pair, options: AvgPool2dOptions = {}) {
    super(kernelSize, options);
    this.countIncludePad = options.countIncludePad ?? true;
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, { ...this.poolOptions(), countIncludePad: this.countIncludePad });
  }
}

/**
 * Average pooling to a fixed output size (torch.nn.AdaptiveAvgPool2d): cell i covers
 * [⌊i·H/out⌋, ⌈(i+1)·H/out⌉). Shape: (N, C, H, W) → (N, C, outH, outW).
 */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: number | readonly [number, number]) {
    super();
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `outputSize=${fmt(this.outputSize)}`;
  }
}
