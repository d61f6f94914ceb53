import type { Tensor } from '../tensor/tensor.js';
import { dropout } from '../functional/dropout.js';
import { maskedMax, maskedMean } from '../functional/seq_pool.js';

import { Module } from '../nn/module.js';
import { Embedding } from '../nn/embedding.js';
import { Linear } from '../nn/linear.js';
import type { RNNBase } from '../nn/rnn.js';
import { PAD } from '../seq/symbols.js';
import { DEFAULT_ENCODER, encoderConfig, layerFinalStates, recurrentLayers, type SeqEncoderConfig } from './seq_common.js';
import { NervaError, ShapeError, formatShape } from '../errors.js';

/** How the per-step outputs become one vector per sequence. */
export type SeqPool = 'mean' | 'max' | 'last';
export const SEQ_POOLS: readonly SeqPool[] = ['mean', 'max', 'last'];

export interface SeqClassifierConfig extends SeqEncoderConfig {
  numClasses: number;
  /**
   * `mean` / `max` over each sequence's valid steps (padding excluded); `last`: the final state —
   * the forward direction's at the sequence's last valid step and, when bidirectional, the
   * backward direction's after reading back to the first step.
   */
  pool: SeqPool;
}

export const DEFAULT_CLASSIFIER: Omit<SeqClassifierConfig, 'vocabSize' | 'numClasses'> = { ...DEFAULT_ENCODER, pool: 'max' };

/**
 * Many to one: a sequence of symbols → one label. Embedding (row 0 = padding) → LSTM/GRU
 * (uni- or bidirectional, batch first) → pooling over time → dropout → linear → logits.
 * Submodules `embedding`, `rnn`, `fc` (state keys `embedding.weight`, `rnn.weight_ih_l0`, `fc.bias`…).
 *
 * Shape: ids (B, T) int32, lengths B integers in [1, T] → logits (B, numClasses).
 */
export class SeqClassifier extends Module {
  readonly config: SeqClassifierConfig;
  embedding: Embedding;
  rnn: RNNBase;
  fc: Linear;

  constructor(config: Partial<SeqClassifierConfig> & { vocabSize: number; numClasses: number }) {
    super();
    const c = encoderConfig<SeqClassifierConfig>('SeqClassifier', config, { ...DEFAULT_CLASSIFIER, numClasses: 0 }, ['numClasses']);
    if (!SEQ_POOLS.includes(c.pool)) throw new NervaError(`SeqClassifier: pool must be one of ${SEQ_POOLS.join(', ')}, got '${String(c.pool)}'`);
    this.config = c;
    this.embedding = this.registerModule('embedding', new Embedding(c.vocabSize, c.embed, { paddingIdx: PAD }));
    this.rnn = this.registerModule('rnn', recurrentLayers(c));
    const D = c.bidirectional ? 2 : 1;
    this.fc = this.registerModule('fc', new Linear(D * c.hidden, c.numClasses));
  }

  run(ids: Tensor, lengths: ArrayLike<number>): Tensor {
    if (ids.ndim !== 2) throw new ShapeError(`SeqClassifier: ids must be (B, T), got ${formatShape(ids.shape)}`);
    const c = this.config;
    const emb = dropout(this.embedding.forward(ids), c.dropout, this.training); // (B, T, E)
    const r = this.rnn.run(emb, { lengths });
    let pooled: Tensor;
    if (c.pool === 'mean') pooled = maskedMean(r.output, lengths); // (B, D·H)
    else if (c.pool === 'max') pooled = maskedMax(r.output, lengths);
    else {
      pooled = layerFinalStates(r.h, c.layers - 1, c.bidirectional ? 2 : 1); // the last layer's states: (B, D·H)
    }
    return this.fc.forward(dropout(pooled, c.dropout, this.training)); // (B, C)
  }

  /** Module's one-tensor contract: every row is taken as unpadded (length T). */
  forward(ids: Tensor): Tensor {
    return this.run(ids, new Array<number>(ids.shape[0]!).fill(ids.shape[1]!));
  }

  /** One line: the class and its settings. */
  describe(): string {
    return `${this.constructor.name}(${this.extraRepr()})`;
  }

  override extraRepr(): string {
    const c = this.config;
    return `arch=${c.arch}, vocab=${c.vocabSize}, classes=${c.numClasses}, embed=${c.embed}, hidden=${c.hidden}, layers=${c.layers}${c.bidirectional ? ', bidirectional' : ''}, pool=${c.pool}, dropout=${c.dropout}`;
  }
}
