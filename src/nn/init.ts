import { Tensor } from '../tensor/tensor.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { NervaError, formatShape } from '../errors.js';

// In-place initializers with PyTorch's formulas (torch.nn.init). They write the tensor's storage
// directly: initialization is not part of any gradient history.

/** fan_in = size(1)·receptive field, fan_out = size(0)·receptive field (as torch.nn.init). */
export function fans(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) throw new NervaError(`init: fan in/out need a tensor with at least 2 dimensions, got ${formatShape(t.shape)}`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1]! * receptive, fanOut: t.shape[0]! * receptive };
}

export function uniform_(t: Tensor, low: number, high: number, g: Generator = defaultGenerator): Tensor {
  for (let i = 0; i < t.data.length; i++) t.data[i] = low + (high - low) * g.random();
  return t;
}

export function normal_(t: Tensor, mean = 0, std = 1, g: Generator = defaultGenerator): Tensor {
  for (let i = 0; i < t.data.length; i++) t.data[i] = mean + std * g.normal();
  return t;
}

export function constant_(t: Tensor, value: number): Tensor {
  t.data.fill(value);
  return t;
}

export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

function gain(nonlinearity: string, a: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv2d': case 'sigmoid': return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leaky_relu': return Math.sqrt(2 / (1 + a * a));
    default: throw new NervaError(`init: unknown nonlinearity '${nonlinearity}'`);
  }
}

export interface KaimingOptions {
  /** negative slope of the following leaky ReLU (PyTorch's layers use √5) */
  a?: number;
  mode?: 'fanIn' | 'fanOut';
  nonlinearity?: 'relu' | 'leaky_relu' | 'linear' | 'tanh' | 'sigmoid';
}

/** He uniform: U(−b, b), b = gain·√(3 / fan). With a = √5 this is nn.Linear/Conv2d's default. */
export function kaimingUniform_(t: Tensor, options: KaimingOptions = {}, g?: Generator): Tensor {
  const { fanIn, fanOut } = fans(t);
  const fan = (options.mode ?? 'fanIn') === 'fanIn' ? fanIn : fanOut;
  const a = options.a ?? 0;
  const bound = gain(options.nonlinearity ?? 'leaky_relu', a) * Math.sqrt(3 / Math.max(fan, 1));
  return uniform_(t, -bound, bound, g);
}

/** He normal: N(0, std²), std = gain / √fan. */
export function kaimingNormal_(t: Tensor, options: KaimingOptions = {}, g?: Generator): Tensor {
  const { fanIn, fanOut } = fans(t);
  const fan = (options.mode ?? 'fanIn') === 'fanIn' ? fanIn : fanOut;
  return normal_(t, 0, gain(options.nonlinearity ?? 'leaky_relu', options.a ?? 0) / Math.sqrt(Math.max(fan, 1)), g);
}

/** Glorot uniform: U(−b, b), b = gain·√(6 / (fan_in + fan_out)). */
export function xavierUniform_(t: Tensor, gainValue = 1, g?: Generator): Tensor {
  const { fanIn, fanOut } = fans(t);
  const bound = gainValue * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -bound, bound, g);
}

export function xavierNormal_(t: Tensor, gainValue = 1, g?: Generator): Tensor {
  const { fanIn, fanOut } = fans(t);
  return normal_(t, 0, gainValue * Math.sqrt(2 / (fanIn + fanOut)), g);
}
