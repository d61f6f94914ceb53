import { Tensor } from '../tensor/tensor.js';
import { dropout } from '../functional/dropout.js';
import { Module } from '../nn/module.js';
import { Embedding } from '../nn/embedding.js';
import { Linear } from '../nn/linear.js';
import { GRU, LSTM, RNN, type RNNBase } from '../nn/rnn.js';
import { uniform_, zeros_ } from '../nn/init.js';
import { NervaError, ShapeError, formatShape } from '../errors.js';

export type RecurrentArch = 'lstm' | 'gru' | 'rnn';
export const ARCHS: readonly RecurrentArch[] = ['lstm', 'gru', 'rnn'];

export interface RNNLMConfig {
  arch: RecurrentArch;
  vocabSize: number;
  /** embedding width */
  embed: number;
  /** hidden units per recurrent layer */
  hidden: number;
  layers: number;
  /** dropout on the embeddings, between recurrent layers and before the output layer */
  dropout: number;
  /** share the embedding matrix with the output layer (needs embed = hidden) */
  tieWeights: boolean;
}

export const DEFAULT_LM_CONFIG: Omit<RNNLMConfig, 'vocabSize'> = { arch: 'lstm', embed: 64, hidden: 256, layers: 2, dropout: 0.1, tieWeights: false };

/** The recurrent state carried between calls: h (and c for LSTM), each (layers, B, hidden). */
export interface LMState {
  h: Tensor;
  c?: Tensor;
}

/**
 * A recurrent language model: embedding → recurrent layers → dropout → linear → logits over the
 * vocabulary (softmax is in the loss). Submodule names follow PyTorch's word_language_model
 * example: `encoder`, `rnn`, `decoder` (state keys `encoder.weight`, `rnn.weight_ih_l0`, …).
 * Shape: ids (T, B) int32 → logits (T, B, V).
 */
export class RNNLM extends Module {
  readonly config: RNNLMConfig;
  encoder: Embedding;
  rnn: RNNBase;
  decoder: Linear;

  constructor(config: Partial<RNNLMConfig> & { vocabSize: number }) {
    super();
    const c = { ...DEFAULT_LM_CONFIG, ...config };
    this.config = c;
    if (!ARCHS.includes(c.arch)) throw new NervaError(`RNNLM: unknown architecture '${String(c.arch)}' (expected ${ARCHS.join(', ')})`);
    for (const key of ['vocabSize', 'embed', 'hidden', 'layers'] as const) {
      if (!Number.isInteger(c[key]) || c[key] <= 0) throw new NervaError(`RNNLM: ${key} must be a positive integer, got ${c[key]}`);
    }
    if (!(c.dropout >= 0 && c.dropout < 1)) throw new NervaError(`RNNLM: dropout must be in [0, 1), got ${c.dropout}`);
    if (c.tieWeights && c.embed !== c.hidden) throw new NervaError(`RNNLM: weight tying needs embed = hidden, got embed ${c.embed} and hidden ${c.hidden}`);
    this.encoder = this.registerModule('encoder', new Embedding(c.vocabSize, c.embed));
    const opts = { numLayers: c.layers, dropout: c.layers > 1 ? c.dropout : 0 };
    this.rnn = this.registerModule('rnn', c.arch === 'lstm' ? new LSTM(c.embed, c.hidden, opts) : c.arch === 'gru' ? new GRU(c.embed, c.hidden, opts) : new RNN(c.embed, c.hidden, opts));
    this.decoder = this.registerModule('decoder', new Linear(c.hidden, c.vocabSize));
    // PyTorch's example: embeddings and output weights U(−0.1, 0.1), output bias 0.
    uniform_(this.encoder.weight, -0.1, 0.1);
    uniform_(this.decoder.weight, -0.1, 0.1);
    zeros_(this.decoder.bias!);
    if (c.tieWeights) {
      this.decoder.weight = this.encoder.weight;
      this.decoder.registerParameter('weight', this.encoder.weight);
    }
  }

  /** Logits and the state after the last step. `state` continues a previous call (detach it between batches). */
  run(ids: Tensor, state?: LMState | null): { logits: Tensor; state: LMState } {
    if (ids.ndim !== 2) throw new ShapeError(`RNNLM: ids must be (T, B), got ${formatShape(ids.shape)}`);
    const p = this.config.dropout;
    const emb = dropout(this.encoder.forward(ids), p, this.training); // (T, B, E)
    const r = this.rnn.run(emb, { h0: state?.h, c0: state?.c });
    const out = dropout(r.output, p, this.training); // (T, B, H)
    const logits = this.decoder.forward(out); // (T, B, V)
    return { logits, state: r.c === undefined ? { h: r.h } : { h: r.h, c: r.c } };
  }

  forward(ids: Tensor): Tensor {
    return this.run(ids).logits;
  }

  override extraRepr(): string {
    const c = this.config;
    return `arch=${c.arch}, vocab=${c.vocabSize}, embed=${c.embed}, hidden=${c.hidden}, layers=${c.layers}, dropout=${c.dropout}${c.tieWeights ? ', tied' : ''}`;
  }
}

/** Cuts the history of a state so backpropagation stops at the batch boundary (truncated BPTT). */
export function detachState(state: LMState): LMState {
  return state.c === undefined ? { h: state.h.detach() } : { h: state.h.detach(), c: state.c.detach() };
}
