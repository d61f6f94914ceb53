import { Tensor } from '../tensor/tensor.js';
import { conv2d, type Pair } from '../ops/conv.js';
import { Module, Parameter, newParameter } from './module.js';
import { kaimingUniform_, uniform_ } from './init.js';
import { NervaError, ShapeError, formatShape } from '../errors.js';

export interface Conv2dOptions {
  stride?: Pair;
  /** zero padding per side, or 'valid' (none) / 'same' (output size = input size; stride 1 only) */
  padding?: Pair | 'same' | 'valid';
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
}

function asPair(v: Pair): [number, number] {
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

/**
 * 2-D convolution layer (torch.nn.Conv2d).
 * Shape: input (N, C_in, H, W) or (C_in, H, W) → output (N, C_out, H_out, W_out), with
 * H_out = ⌊(H + 2·padding − dilation·(kH − 1) − 1) / stride⌋ + 1 (likewise W_out).
 * weight (C_out, C_in/groups, kH, kW), bias (C_out).
 * Initialization as PyTorch: kaiming-uniform with a = √5 (U(−1/√fanIn, 1/√fanIn)), bias likewise,
 * fanIn = C_in/groups·kH·kW.
 */
export class Conv2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | 'same' | 'valid';
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Pair, options: Conv2dOptions = {}) {
    super();
    this.kernelSize = asPair(kernelSize);
    this.stride = asPair(options.stride ?? 1);
    const padding = options.padding ?? 0;
    this.padding = padding === 'same' || padding === 'valid' ? padding : asPair(padding);
    this.dilation = asPair(options.dilation ?? 1);
    this.groups = options.groups ?? 1;
    const g = this.groups;
    if (!Number.isInteger(g) || g < 1) throw new NervaError(`Conv2d: groups must be a positive integer, got ${g}`);
    if (inChannels % g !== 0) throw new NervaError(`Conv2d: inChannels ${inChannels} must be divisible by groups ${g}`);
    if (outChannels % g !== 0) throw new NervaError(`Conv2d: outChannels ${outChannels} must be divisible by groups ${g}`);
    if (this.padding === 'same' && (this.stride[0] !== 1 || this.stride[1] !== 1)) {
      throw new NervaError(`Conv2d: padding='same' needs stride 1, got stride ${JSON.stringify(options.stride)}`);
    }
    for (const k of this.kernelSize) if (!Number.isInteger(k) || k < 1) throw new NervaError(`Conv2d: kernelSize must be positive integers, got ${JSON.stringify(kernelSize)}`);
    this.weight = this.registerParameter('weight', newParameter([outChannels, inChannels / g, ...this.kernelSize]))!;
    this.bias = this.registerParameter('bias', options.bias === false ? null : newParameter([outChannels]));
    this.resetParameters();
  }

  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const fanIn = (this.inChannels / this.groups) * this.kernelSize[0] * this.kernelSize[1];
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  forward(x: Tensor): Tensor {
    const c = x.shape[x.ndim - 3];
    if ((x.ndim !== 4 && x.ndim !== 3) || c !== this.inChannels) {
      throw new ShapeError(`Conv2d(${this.extraRepr()}): expected input (N, ${this.inChannels}, H, W), got ${formatShape(x.shape)}`);
    }
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  override extraRepr(): string {
    const k = this.kernelSize;
    let s = `${this.inChannels}, ${this.outChannels}, kernelSize=(${k[0]}, ${k[1]}), stride=(${this.stride[0]}, ${this.stride[1]})`;
    const p = this.padding;
    if (typeof p === 'string') s += `, padding='${p}'`;
    else if (p[0] !== 0 || p[1] !== 0) s += `, padding=(${p[0]}, ${p[1]})`;
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1) s += `, dilation=(${this.dilation[0]}, ${this.dilation[1]})`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=false';
    return s;
  }
}
