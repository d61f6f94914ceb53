import { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/creation.js';
import { add, chunk, matmul, mul, relu, reshape, sigmoid, squeeze, sub, tanh, transpose, unsqueeze } from '../ops/index.js';
import { gateCount, recurrence, unpackRecurrence, type RecurrenceMode } from '../ops/lstm_cell.js';
import { Module, Parameter, newParameter } from './module.js';
import { uniform_ } from './init.js';
import { NervaError, ShapeError, formatShape } from '../errors.js';

// One time step of an Elman RNN, LSTM or GRU, as functions and as modules (RNNCell, LSTMCell,
// GRUCell). The functions run the fused recurrence primitive for one step; the `*Reference`
// versions compose the same math from elementwise ops and define what the fused code must equal.

export interface CellWeights {
  wIh: Tensor;
  wHh: Tensor;
  bIh: Tensor | null;
  bHh: Tensor | null;
}

/** x (B, I) → gx (1, B, G·H) = x·W_ihᵀ + b_ih. */
function project(x: Tensor, w: CellWeights): Tensor {
  let gx = matmul(x, transpose(w.wIh));
  if (w.bIh !== null) gx = add(gx, w.bIh);
  return unsqueeze(gx, 0);
}

/** One fused step. h (B, H), c (B, H) for lstm. Returns the new h (and c). */
export function cellStep(mode: RecurrenceMode, x: Tensor, h: Tensor, c: Tensor | null, w: CellWeights): { h: Tensor; c: Tensor | null } {
  const packed = recurrence(mode, project(x, w), w.wHh, w.bHh, h, c);
  const r = unpackRecurrence(packed, mode);
  return { h: r.h, c: r.c };
}

/** The same step composed from ops (the reference the fused primitive is tested against). */
export function cellStepReference(mode: RecurrenceMode, x: Tensor, h: Tensor, c: Tensor | null, w: CellWeights): { h: Tensor; c: Tensor | null } {
  const gx = squeeze(project(x, w), 0); // (B, G·H)
  let gh = matmul(h, transpose(w.wHh));
  if (w.bHh !== null) gh = add(gh, w.bHh);
  if (mode === 'rnn_tanh') return { h: tanh(add(gx, gh)), c: null };
  if (mode === 'rnn_relu') return { h: relu(add(gx, gh)), c: null };
  if (mode === 'lstm') {
    const [ai, af, ag, ao] = chunk(add(gx, gh), 4, 1) as [Tensor, Tensor, Tensor, Tensor];
    const cNew = add(mul(sigmoid(af), c!), mul(sigmoid(ai), tanh(ag)));
    return { h: mul(sigmoid(ao), tanh(cNew)), c: cNew };
  }
  const [xr, xz, xn] = chunk(gx, 3, 1) as [Tensor, Tensor, Tensor];
  const [hr, hz, hn] = chunk(gh, 3, 1) as [Tensor, Tensor, Tensor];
  const r = sigmoid(add(xr, hr));
  const z = sigmoid(add(xz, hz));
  const n = tanh(add(xn, mul(r, hn)));
  return { h: add(mul(sub(1, z), n), mul(z, h)), c: null }; // (1 − z)·n + z·h
}

export interface CellOptions {
  bias?: boolean;
}

/** Shared body of the three cell modules: PyTorch's parameter names weight_ih, weight_hh, bias_ih, bias_hh. */
abstract class CellBase extends Module {
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;
  bias_hh: Parameter | null;

  constructor(readonly mode: RecurrenceMode, readonly inputSize: number, readonly hiddenSize: number, options: CellOptions) {
    super();
    const name = this.constructor.name;
    if (!Number.isInteger(inputSize) || inputSize <= 0) throw new NervaError(`${name}: inputSize must be a positive integer, got ${inputSize}`);
    if (!Number.isInteger(hiddenSize) || hiddenSize <= 0) throw new NervaError(`${name}: hiddenSize must be a positive integer, got ${hiddenSize}`);
    const gh = gateCount(mode) * hiddenSize;
    this.weight_ih = this.registerParameter('weight_ih', newParameter([gh, inputSize]))!;
    this.weight_hh = this.registerParameter('weight_hh', newParameter([gh, hiddenSize]))!;
    const bias = options.bias ?? true;
    this.bias_ih = this.registerParameter('bias_ih', bias ? newParameter([gh]) : null);
    this.bias_hh = this.registerParameter('bias_hh', bias ? newParameter([gh]) : null);
    this.resetParameters();
  }

  /** Every weight and bias ~ U(−1/√H, 1/√H), as PyTorch. */
  resetParameters(): void {
    const k = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform_(p, -k, k);
  }

  get weights(): CellWeights {
    return { wIh: this.weight_ih, wHh: this.weight_hh, bIh: this.bias_ih, bHh: this.bias_hh };
  }

  /** Brings x to (B, I) and a state to (B, H); `batched` says whether to squeeze the result. */
  protected prepare(x: Tensor, state: Tensor | undefined, what: string): { x: Tensor; state: Tensor; batched: boolean } {
    const name = this.constructor.name;
    if (x.ndim !== 1 && x.ndim !== 2) throw new ShapeError(`${name}: input must be (B, ${this.inputSize}) or (${this.inputSize}), got ${formatShape(x.shape)}`);
    if (x.shape[x.ndim - 1] !== this.inputSize) throw new ShapeError(`${name}: input ${formatShape(x.shape)} has ${x.shape[x.ndim - 1]} features, expected inputSize ${this.inputSize}`);
    const batched = x.ndim === 2;
    const x2 = batched ? x : unsqueeze(x, 0);
    const B = x2.shape[0]!;
    let s = state ?? zeros([B, this.hiddenSize], { dtype: x.dtype });
    if (!batched && state !== undefined) s = unsqueeze(s, 0);
    if (s.ndim !== 2 || s.shape[0] !== B || s.shape[1] !== this.hiddenSize) {
      throw new ShapeError(`${name}: ${what} must be ${formatShape(batched ? [B, this.hiddenSize] : [this.hiddenSize])}, got ${formatShape(state!.shape)}`);
    }
    return { x: x2, state: s, batched };
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias_ih === null ? ', bias=false' : ''}`;
  }
}

export interface RNNCellOptions extends CellOptions {
  nonlinearity?: 'tanh' | 'relu';
}

/**
 * h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) (or ReLU).
 * Shape: x (B, I) or (I), h (B, H) or (H), default zeros → h' like h.
 */
export class RNNCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions = {}) {
    const nl = options.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new NervaError(`RNNCell: nonlinearity must be 'tanh' or 'relu', got '${String(nl)}'`);
    super(nl === 'tanh' ? 'rnn_tanh' : 'rnn_relu', inputSize, hiddenSize, options);
  }

  forward(x: Tensor, h?: Tensor): Tensor {
    const p = this.prepare(x, h, 'h');
    const out = cellStep(this.mode, p.x, p.state, null, this.weights).h;
    return p.batched ? out : reshape(out, [this.hiddenSize]);
  }
}

/**
 * r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(…z…), n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn)),
 * h' = (1 − z)⊙n + z⊙h. Gate order in the weights: r, z, n.
 * Shape: x (B, I) or (I), h (B, H) or (H) → h' like h.
 */
export class GRUCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: CellOptions = {}) {
    super('gru', inputSize, hiddenSize, options);
  }

  forward(x: Tensor, h?: Tensor): Tensor {
    const p = this.prepare(x, h, 'h');
    const out = cellStep('gru', p.x, p.state, null, this.weights).h;
    return p.batched ? out : reshape(out, [this.hiddenSize]);
  }
}

/**
 * i, f, g, o = σ, σ, tanh, σ of x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh (gate order i, f, g, o);
 * c' = f⊙c + i⊙g, h' = o⊙tanh(c').
 * Shape: x (B, I) or (I), h and c (B, H) or (H) → h', c' like h.
 * `forward` returns h' alone (so the cell fits Sequential-style code); `run` returns both.
 */
export class LSTMCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: CellOptions = {}) {
    super('lstm', inputSize, hiddenSize, options);
  }

  run(x: Tensor, state: { h?: Tensor; c?: Tensor } = {}): { h: Tensor; c: Tensor } {
    const ph = this.prepare(x, state.h, 'h');
    const pc = this.prepare(x, state.c, 'c');
    const out = cellStep('lstm', ph.x, ph.state, pc.state, this.weights);
    if (ph.batched) return { h: out.h, c: out.c! };
    return { h: reshape(out.h, [this.hiddenSize]), c: reshape(out.c!, [this.hiddenSize]) };
  }

  forward(x: Tensor, h?: Tensor, c?: Tensor): Tensor {
    return this.run(x, { h, c }).h;
  }
}
