import { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/creation.js';
import { cat, contiguous, linear, narrow, reshape, stack, transpose, unsqueeze, squeeze } from '../ops/index.js';
import { dropout } from '../functional/dropout.js';
import { gateCount, recurrence, unpackRecurrence, type RecurrenceMode } from '../ops/lstm_cell.js';
import { Module, Parameter, newParameter } from './module.js';
import { uniform_ } from './init.js';
import { NervaError, ShapeError, formatShape } from '../errors.js';

export interface RNNBaseOptions {
  /** stacked recurrent layers (default 1) */
  numLayers?: number;
  /** learn bias_ih and bias_hh (default true) */
  bias?: boolean;
  /** input and output are (B, T, features) instead of (T, B, features); states stay (L·D, B, H) */
  batchFirst?: boolean;
  /** dropout probability on the outputs of every layer but the last, in training (default 0) */
  dropout?: number;
  /** a second recurrence reads the sequence backwards; outputs are concatenated (default false) */
  bidirectional?: boolean;
}

export interface RNNOptions extends RNNBaseOptions {
  nonlinearity?: 'tanh' | 'relu';
}

/** Initial states and per-sequence lengths for `run`. */
export interface RecurrentInput {
  /** initial hidden state (L·D, B, H) or (L·D, H) unbatched; zeros by default */
  h0?: Tensor;
  /** initial cell state, LSTM only, like h0 */
  c0?: Tensor;
  /**
   * Valid steps of each sequence (B numbers in [0, T], or an int32 tensor). Outputs past a
   * sequence's length are zero and its final state is the one at its last valid step — the result
   * of PyTorch's packed sequences, without packing. The reverse direction starts at the last valid step.
   */
  lengths?: ArrayLike<number> | Tensor;
}

export interface RecurrentOutput {
  /** (T, B, D·H), or (B, T, D·H) with batchFirst */
  output: Tensor;
  /** final hidden state of every layer and direction: (L·D, B, H), index = layer·D + direction */
  h: Tensor;
  /** final cell state (LSTM only), like h */
  c?: Tensor;
}

/**
 * The multi-layer recurrent net shared by RNN, LSTM and GRU. Parameter names and layouts are
 * PyTorch's (weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}, and `_reverse` for the
 * backward direction; W_ih (G·H, in), W_hh (G·H, H)), so state dicts load unchanged.
 *
 * Per layer and direction the input projection of all T steps is one matmul; the recurrence itself
 * is one fused primitive (src/ops/lstm_cell.ts) with its own backpropagation through time.
 *
 * Shape: input (T, B, I) [(B, T, I) with batchFirst, or (T, I) unbatched] → output (T, B, D·H),
 * h (L·D, B, H) [and c] where D = 2 if bidirectional else 1, L = numLayers.
 *
 * `forward(input, h0?, c0?)` returns the output alone (Module's contract is one tensor);
 * `run(input, { h0, c0, lengths })` returns { output, h, c }.
 */
export abstract class RNNBase extends Module {
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  /** per layer·D + direction: [W_ih, W_hh, b_ih, b_hh] */
  private readonly cells: [Parameter, Parameter, Parameter | null, Parameter | null][] = [];

  constructor(readonly mode: RecurrenceMode, readonly inputSize: number, readonly hiddenSize: number, options: RNNBaseOptions) {
    super();
    const name = this.constructor.name;
    this.numLayers = options.numLayers ?? 1;
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = options.dropout ?? 0;
    this.bidirectional = options.bidirectional ?? false;
    if (!Number.isInteger(inputSize) || inputSize <= 0) throw new NervaError(`${name}: inputSize must be a positive integer, got ${inputSize}`);
    if (!Number.isInteger(hiddenSize) || hiddenSize <= 0) throw new NervaError(`${name}: hiddenSize must be a positive integer, got ${hiddenSize}`);
    if (!Number.isInteger(this.numLayers) || this.numLayers <= 0) throw new NervaError(`${name}: numLayers must be a positive integer, got ${this.numLayers}`);
    if (!(this.dropout >= 0 && this.dropout <= 1)) throw new NervaError(`${name}: dropout must be in [0, 1], got ${this.dropout}`);
    const G = gateCount(mode);
    const D = this.numDirections;
    for (let l = 0; l < this.numLayers; l++) {
      const layerInput = l === 0 ? inputSize : hiddenSize * D;
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
        const wIh = this.registerParameter(`weight_ih${sfx}`, newParameter([G * hiddenSize, layerInput]))!;
        const wHh = this.registerParameter(`weight_hh${sfx}`, newParameter([G * hiddenSize, hiddenSize]))!;
        const bIh = this.registerParameter(`bias_ih${sfx}`, this.bias ? newParameter([G * hiddenSize]) : null);
        const bHh = this.registerParameter(`bias_hh${sfx}`, this.bias ? newParameter([G * hiddenSize]) : null);
        this.cells.push([wIh, wHh, bIh, bHh]);
      }
    }
    this.resetParameters();
  }

  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** Every weight and bias ~ U(−1/√H, 1/√H), as PyTorch. */
  resetParameters(): void {
    const k = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform_(p, -k, k);
  }

  /** The parameters of one layer and direction (loadStateDict writes into these same objects). */
  private cell(layer: number, direction: number): [Parameter, Parameter, Parameter | null, Parameter | null] {
    return this.cells[layer * this.numDirections + direction]!;
  }

  private checkState(t: Tensor | undefined, what: string, B: number, batched: boolean, dtype: Tensor['dtype']): Tensor {
    const LD = this.numLayers * this.numDirections;
    const H = this.hiddenSize;
    if (t === undefined) return zeros([LD, B, H], { dtype });
    const want = batched ? [LD, B, H] : [LD, H];
    if (t.ndim !== want.length || t.shape.some((s, i) => s !== want[i])) {
      throw new ShapeError(`${this.constructor.name}: ${what} must be ${formatShape(want)} (layers·directions, ${batched ? 'batch, ' : ''}hidden), got ${formatShape(t.shape)}`);
    }
    if (t.dtype !== dtype) throw new NervaError(`${this.constructor.name}: ${what} has dtype ${t.dtype}, the input has ${dtype}`);
    return batched ? t : unsqueeze(t, 1);
  }

  run(input: Tensor, state: RecurrentInput = {}): RecurrentOutput {
    const name = this.constructor.name;
    const batched = input.ndim === 3;
    if (input.ndim !== 3 && input.ndim !== 2) {
      throw new ShapeError(`${name}: input must be ${this.batchFirst ? '(B, T, I)' : '(T, B, I)'} or unbatched (T, I), got ${formatShape(input.shape)}`);
    }
    if (input.shape[input.ndim - 1] !== this.inputSize) {
      throw new ShapeError(`${name}: input ${formatShape(input.shape)} has ${input.shape[input.ndim - 1]} features, expected inputSize ${this.inputSize}`);
    }
    let x = !batched ? unsqueeze(input, 1) : this.batchFirst ? transpose(input, 0, 1) : input; // (T, B, I)
    const T = x.shape[0]!;
    const B = x.shape[1]!;
    const h0 = this.checkState(state.h0, 'h0', B, batched, input.dtype);
    const isLstm = this.mode === 'lstm';
    if (!isLstm && state.c0 !== undefined) throw new NervaError(`${name}: c0 is only for LSTM`);
    const c0 = isLstm ? this.checkState(state.c0, 'c0', B, batched, input.dtype) : null;
    const lengths = this.checkLengths(state.lengths, T, B);
    const D = this.numDirections;
    const H = this.hiddenSize;
    const G = gateCount(this.mode);
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    for (let l = 0; l < this.numLayers; l++) {
      const inFeatures = x.shape[2]!;
      const flat = reshape(contiguous(x), [T * B, inFeatures]); // (T, B, I) -> (T·B, I)
      const outs: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const [wIh, wHh, bIh, bHh] = this.cell(l, d);
        const gx = reshape(linear(flat, wIh, bIh), [T, B, G * H]); // all steps' input projections at once
        const k = l * D + d;
        const hk = reshape(narrow(h0, 0, k, 1), [B, H]);
        const ck = c0 === null ? null : reshape(narrow(c0, 0, k, 1), [B, H]);
        const r = unpackRecurrence(recurrence(this.mode, gx, wHh, bHh, hk, ck, { reverse: d === 1, lengths }), this.mode);
        outs.push(r.output);
        hs.push(r.h);
        if (r.c !== null) cs.push(r.c);
      }
      x = D === 1 ? outs[0]! : cat(outs, 2); // (T, B, D·H)
      if (this.dropout > 0 && this.training && l < this.numLayers - 1) x = dropout(x, this.dropout, true);
    }
    let output = x;
    // (L·D, B, H); one layer and direction is a view (no copy per sampled token)
    let h = hs.length === 1 ? unsqueeze(hs[0]!, 0) : stack(hs, 0);
    let c = !isLstm ? undefined : cs.length === 1 ? unsqueeze(cs[0]!, 0) : stack(cs, 0);
    if (!batched) {
      output = squeeze(output, 1);
      h = squeeze(h, 1);
      if (c !== undefined) c = squeeze(c, 1);
    } else if (this.batchFirst) {
      output = transpose(output, 0, 1);
    }
    return c === undefined ? { output, h } : { output, h, c };
  }

  private checkLengths(lengths: ArrayLike<number> | Tensor | undefined, T: number, B: number): Int32Array | null {
    if (lengths === undefined) return null;
    const values = lengths instanceof Tensor ? lengths.toTypedArray() : lengths;
    if (values.length !== B) throw new ShapeError(`${this.constructor.name}: got ${values.length} lengths for a batch of ${B}`);
    const out = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      const v = values[b]!;
      if (!Number.isInteger(v) || v < 0 || v > T) throw new NervaError(`${this.constructor.name}: length ${v} of sequence ${b} is not in [0, ${T}] (T = ${T})`);
      out[b] = v;
    }
    return out;
  }

  forward(input: Tensor, h0?: Tensor, c0?: Tensor): Tensor {
    return this.run(input, { h0, c0 }).output;
  }

  override extraRepr(): string {
    const parts = [`${this.inputSize}`, `${this.hiddenSize}`];
    if (this.numLayers !== 1) parts.push(`numLayers=${this.numLayers}`);
    if (!this.bias) parts.push('bias=false');
    if (this.batchFirst) parts.push('batchFirst=true');
    if (this.dropout) parts.push(`dropout=${this.dropout}`);
    if (this.bidirectional) parts.push('bidirectional=true');
    if (this.mode === 'rnn_relu') parts.push("nonlinearity='relu'");
    return parts.join(', ');
  }
}

/** Elman RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh) (or ReLU). See RNNBase. */
export class RNN extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    const nl = options.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new NervaError(`RNN: nonlinearity must be 'tanh' or 'relu', got '${String(nl)}'`);
    super(nl === 'tanh' ? 'rnn_tanh' : 'rnn_relu', inputSize, hiddenSize, options);
  }
}

/** Long short-term memory, gate order i, f, g, o. See RNNBase; `run` also returns the cell state c. */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNBaseOptions = {}) {
    super('lstm', inputSize, hiddenSize, options);
  }

  override run(input: Tensor, state: RecurrentInput = {}): Required<RecurrentOutput> {
    return super.run(input, state) as Required<RecurrentOutput>;
  }
}

/** Gated recurrent unit, gate order r, z, n; n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)). See RNNBase. */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNBaseOptions = {}) {
    super('gru', inputSize, hiddenSize, options);
  }
}
