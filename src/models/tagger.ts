import type { Tensor } from '../tensor/tensor.js';
import { dropout } from '../functional/dropout.js';
import { Module } from '../nn/module.js';
import { Embedding } from '../nn/embedding.js';
import { Linear } from '../nn/linear.js';
import type { RNNBase } from '../nn/rnn.js';
import { PAD } from '../seq/symbols.js';
import { DEFAULT_ENCODER, encoderConfig, type SeqEncoderConfig, recurrentLayers } from './seq_common.js';
import { ShapeError, formatShape } from '../errors.js';

export interface TaggerConfig extends SeqEncoderConfig {
  /** labels a step can take */
  numTags: number;
}

export const DEFAULT_TAGGER: Omit<TaggerConfig, 'vocabSize' | 'numTags'> = { ...DEFAULT_ENCODER };

/**
 * Many to many, aligned: one label per input step. Embedding (row 0 = padding) → LSTM/GRU (uni- or
 * bidirectional, batch first) → dropout → linear at every step. A unidirectional tagger labels step
 * t from steps ≤ t only; a bidirectional one also reads what follows (the backward direction starts
 * at each sequence's last valid step, so padding never leaks in).
 * Submodules `embedding`, `rnn`, `fc`.
 *
 * Shape: ids (B, T) int32, lengths B integers in [1, T] → logits (B, T, numTags); rows past a
 * sequence's length are the output layer's bias alone and must be ignored by the loss.
 */
export class Tagger extends Module {
  readonly config: TaggerConfig;
  embedding: Embedding;
  rnn: RNNBase;
  fc: Linear;

  constructor(config: Partial<TaggerConfig> & { vocabSize: number; numTags: number }) {
    super();
    const c = encoderConfig<TaggerConfig>('Tagger', config, { ...DEFAULT_TAGGER, numTags: 0 }, ['numTags']);
    this.config = c;
    this.embedding = this.registerModule('embedding', new Embedding(c.vocabSize, c.embed, { paddingIdx: PAD }));
    this.rnn = this.registerModule('rnn', recurrentLayers(c));
    this.fc = this.registerModule('fc', new Linear((c.bidirectional ? 2 : 1) * c.hidden, c.numTags));
  }

  run(ids: Tensor, lengths: ArrayLike<number>): Tensor {
    if (ids.ndim !== 2) throw new ShapeError(`Tagger: ids must be (B, T), got ${formatShape(ids.shape)}`);
    const p = this.config.dropout;
    const emb = dropout(this.embedding.forward(ids), p, this.training); // (B, T, E)
    const out = this.rnn.run(emb, { lengths }).output; // (B, T, D·H), zero past each length
    return this.fc.forward(dropout(out, p, this.training)); // (B, T, K)
  }

  forward(ids: Tensor): Tensor {
    return this.run(ids, new Array<number>(ids.shape[0]!).fill(ids.shape[1]!));
  }

  /** One line: the class and its settings. */
  describe(): string {
    return `${this.constructor.name}(${this.extraRepr()})`;
  }

  override extraRepr(): string {
    const c = this.config;
    return `arch=${c.arch}, vocab=${c.vocabSize}, tags=${c.numTags}, embed=${c.embed}, hidden=${c.hidden}, layers=${c.layers}${c.bidirectional ? ', bidirectional' : ''}, dropout=${c.dropout}`;
  }
}
