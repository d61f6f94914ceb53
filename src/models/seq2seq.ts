import { Tensor } from '../tensor/tensor.js';
import { cat, stack, tanh } from '../ops/index.js';
import { dropout } from '../functional/dropout.js';
import { Module } from '../nn/module.js';
import { Embedding } from '../nn/embedding.js';
import { Linear } from '../nn/linear.js';
import type { RNNBase } from '../nn/rnn.js';
import { layerFinalStates, recurrentLayers, SEQ_ARCHS, type SeqArch } from './seq_common.js';
import { createAttention, ATTENTION_SCORES, type Attention, type AttentionScore } from '../nn/attention.js';
import { uniform_ } from '../nn/init.js';
import { PAD } from '../seq/symbols.js';
import { checkOptions } from '../options.js';
import { NervaError, ShapeError, formatShape } from '../errors.js';

/**
 * An encoder–decoder with attention (Luong et al. 2015, "global attention"):
 *
 *   encoder: source ids → embedding → (bi)LSTM/GRU → memory (B, S, D·He), final states
 *   bridge:  each decoder layer's initial h (and c) = tanh(W [h_fwd; h_bwd] + b) of an encoder layer
 *   decoder: target ids → embedding → LSTM/GRU → h_t; context_t = attention(h_t, memory, mask);
 *            h̃_t = tanh(W_c [context_t; h_t]); logits_t = W_out h̃_t
 *
 * The decoder's recurrence does not read h̃ back (no "input feeding"), so in training the whole
 * target runs through one fused recurrence call and attention is one batched matmul: teacher
 * forcing costs a few big ops, not T small ones. Padding changes nothing: the encoder runs with
 * the source lengths (its outputs past a length are 0 and the reverse direction starts at the last
 * real symbol), attention masks padded positions, and padded targets are ignored by the loss.
 *
 * Shape: src (B, S) int32, srcLengths (B), tgtIn (B, T) int32 → logits (B, T, V_tgt).
 * State keys: encoder.embedding.weight, encoder.rnn.weight_ih_l0(_reverse)…, bridge_h.weight,
 * bridge_c.weight (LSTM), decoder.embedding.weight, decoder.rnn.…, decoder.attention.…,
 * decoder.concat.weight, decoder.out.weight.
 */
/** The recurrent layers of both sides: those of the classifier and tagger (models/seq_common.ts). */
export type Seq2SeqArch = SeqArch;
export const SEQ2SEQ_ARCHS: readonly Seq2SeqArch[] = SEQ_ARCHS;

export interface Seq2SeqConfig {
  arch: Seq2SeqArch;
  srcVocab: number;
  tgtVocab: number;
  /** embedding width of both sides */
  embed: number;
  /** hidden units per encoder direction */
  encoderHidden: number;
  encoderLayers: number;
  bidirectional: boolean;
  decoderHidden: number;
  decoderLayers: number;
  attention: AttentionScore;
  /** on embeddings, between recurrent layers and on h̃ */
  dropout: number;
}

export const DEFAULT_SEQ2SEQ_CONFIG: Omit<Seq2SeqConfig, 'srcVocab' | 'tgtVocab'> = {
  arch: 'lstm',
  embed: 64,
  encoderHidden: 256,
  encoderLayers: 2,
  bidirectional: true,
  decoderHidden: 256,
  decoderLayers: 2,
  attention: 'general',
  dropout: 0.2,
};
const CONFIG_KEYS = ['arch', 'srcVocab', 'tgtVocab', 'embed', 'encoderHidden', 'encoderLayers', 'bidirectional', 'decoderHidden', 'decoderLayers', 'attention', 'dropout'];

/** A recurrent state: h (and c for LSTM), each (layers, B, H). */
export interface DecoderState {
  h: Tensor;
  c?: Tensor;
}

/** What the decoder attends to: the encoder's outputs and which of them are real. */
export interface Memory {
  /** (B, S, D·He) */
  outputs: Tensor;
  /** (B, S) bool, true on real source positions */
  mask: Tensor;
}

/** Embedding → (bidirectional) recurrent layers. Shape: src (B, S) → outputs (B, S, D·H), h (L·D, B, H). */
export class Seq2SeqEncoder extends Module {
  embedding: Embedding;
  rnn: RNNBase;

  constructor(readonly config: Seq2SeqConfig) {
    super();
    this.embedding = this.registerModule('embedding', new Embedding(config.srcVocab, config.embed, { paddingIdx: PAD }));
    const { arch, srcVocab: vocabSize, embed, encoderHidden: hidden, encoderLayers: layers, bidirectional, dropout: p } = config;
    this.rnn = this.registerModule('rnn', recurrentLayers({ arch, vocabSize, embed, hidden, layers, bidirectional, dropout: p }));
  }

  run(src: Tensor, lengths: ArrayLike<number>): { outputs: Tensor; h: Tensor; c?: Tensor } {
    const emb = dropout(this.embedding.forward(src), this.config.dropout, this.training); // (B, S, E)
    const r = this.rnn.run(emb, { lengths });
    return { outputs: r.output, h: r.h, c: r.c };
  }

  forward(src: Tensor): Tensor {
    return this.run(src, new Int32Array(src.shape[0]!).fill(src.shape[1]!)).outputs;
  }
}

/** Embedding → recurrent layers → attention over the memory → tanh(W_c [context; h]) → logits. */
export class Seq2SeqDecoder extends Module {
  embedding: Embedding;
  rnn: RNNBase;
  attention: Attention;
  concat: Linear;
  out: Linear;

  constructor(readonly config: Seq2SeqConfig) {
    super();
    const memoryWidth = config.encoderHidden * (config.bidirectional ? 2 : 1);
    this.embedding = this.registerModule('embedding', new Embedding(config.tgtVocab, config.embed, { paddingIdx: PAD }));
    const { arch, tgtVocab: vocabSize, embed, decoderHidden: hidden, decoderLayers: layers, dropout: p } = config;
    this.rnn = this.registerModule('rnn', recurrentLayers({ arch, vocabSize, embed, hidden, layers, bidirectional: false, dropout: p }));
    this.attention = this.registerModule('attention', createAttention(config.attention, config.decoderHidden, memoryWidth));
    this.concat = this.registerModule('concat', new Linear(memoryWidth + config.decoderHidden, config.decoderHidden, { bias: false }));
    this.out = this.registerModule('out', new Linear(config.decoderHidden, config.tgtVocab));
  }

  /**
   * Teacher-forced (T > 1) or one step (T = 1). Shape: ids (B, T), state h (L, B, Hd) →
   * logits (B, T, V), state after the last step, attention weights (B, T, S).
   */
  run(ids: Tensor, state: DecoderState, memory: Memory): { logits: Tensor; state: DecoderState; weights: Tensor } {
    const p = this.config.dropout;
    const emb = dropout(this.embedding.forward(ids), p, this.training); // (B, T, E)
    const r = this.rnn.run(emb, { h0: state.h, c0: state.c });
    const { context, weights } = this.attention.attend(r.output, memory.outputs, memory.outputs, memory.mask); // (B, T, K), (B, T, S)
    const attentional = dropout(tanh(this.concat.forward(cat([context, r.output], 2))), p, this.training); // (B, T, Hd)
    return { logits: this.out.forward(attentional), state: r.c === undefined ? { h: r.h } : { h: r.h, c: r.c }, weights };
  }

  forward(): Tensor {
    throw new NervaError('Seq2SeqDecoder: call run(ids, state, memory); it needs the encoder memory');
  }
}

export class Seq2Seq extends Module {
  readonly config: Seq2SeqConfig;
  encoder: Seq2SeqEncoder;
  bridge_h: Linear;
  bridge_c: Linear | null;
  decoder: Seq2SeqDecoder;

  constructor(config: Partial<Seq2SeqConfig> & { srcVocab: number; tgtVocab: number }) {
    super();
    checkOptions('Seq2Seq', config, CONFIG_KEYS);
    const c = { ...DEFAULT_SEQ2SEQ_CONFIG, ...config };
    this.config = c;
    if (!SEQ2SEQ_ARCHS.includes(c.arch)) throw new NervaError(`Seq2Seq: unknown arch '${String(c.arch)}' (expected ${SEQ2SEQ_ARCHS.join(', ')})`);
    if (!ATTENTION_SCORES.includes(c.attention)) throw new NervaError(`Seq2Seq: unknown attention '${String(c.attention)}' (expected ${ATTENTION_SCORES.join(', ')})`);
    for (const key of ['srcVocab', 'tgtVocab', 'embed', 'encoderHidden', 'encoderLayers', 'decoderHidden', 'decoderLayers'] as const) {
      if (!Number.isInteger(c[key]) || c[key] <= 0) throw new NervaError(`Seq2Seq: ${key} must be a positive integer, got ${c[key]}`);
    }
    if (!(c.dropout >= 0 && c.dropout < 1)) throw new NervaError(`Seq2Seq: dropout must be in [0, 1), got ${c.dropout}`);
    this.encoder = this.registerModule('encoder', new Seq2SeqEncoder(c));
    const stateWidth = c.encoderHidden * (c.bidirectional ? 2 : 1);
    this.bridge_h = this.registerModule('bridge_h', new Linear(stateWidth, c.decoderHidden));
    this.bridge_c = this.registerModule('bridge_c', c.arch === 'lstm' ? new Linear(stateWidth, c.decoderHidden) : null);
    this.decoder = this.registerModule('decoder', new Seq2SeqDecoder(c));
    uniform_(this.encoder.embedding.weight, -0.1, 0.1);
    uniform_(this.decoder.embedding.weight, -0.1, 0.1);
    for (const e of [this.encoder.embedding, this.decoder.embedding]) e.resetPaddingRow();
  }

  /** Encodes a batch: the memory to attend to and the decoder's initial state. */
  encode(src: Tensor, lengths: ArrayLike<number>): { memory: Memory; state: DecoderState } {
    if (src.ndim !== 2 || src.dtype !== 'int32') throw new ShapeError(`Seq2Seq: src must be (B, S) int32, got ${src.dtype} ${formatShape(src.shape)}`);
    const [B, S] = src.shape as [number, number];
    if (lengths.length !== B) throw new ShapeError(`Seq2Seq: ${lengths.length} source lengths for a batch of ${B}`);
    const maskData = new Uint8Array(B * S);
    for (let b = 0; b < B; b++) {
      const n = lengths[b]!;
      if (!Number.isInteger(n) || n < 1 || n > S) throw new NervaError(`Seq2Seq: source ${b} has length ${n}, expected 1…${S}`);
      maskData.fill(1, b * S, b * S + n);
    }
    const enc = this.encoder.run(src, lengths);
    const state: DecoderState = { h: this.bridgeState(enc.h, this.bridge_h) };
    if (enc.c !== undefined && this.bridge_c !== null) state.c = this.bridgeState(enc.c, this.bridge_c);
    return { memory: { outputs: enc.outputs, mask: new Tensor(maskData, [B, S]) }, state };
  }

  /** (Le·D, B, He) final encoder states → (Ld, B, Hd): decoder layer l reads encoder layer min(l, Le − 1). */
  private bridgeState(s: Tensor, bridge: Linear): Tensor {
    const c = this.config;
    const layers: Tensor[] = [];
    for (let l = 0; l < c.decoderLayers; l++) {
      const joined = layerFinalStates(s, Math.min(l, c.encoderLayers - 1), c.bidirectional ? 2 : 1); // (B, D·He)
      layers.push(tanh(bridge.forward(joined))); // (B, Hd)
    }
    return stack(layers, 0);
  }

  /** Teacher forcing: logits for every target position and the attention weights. */
  run(src: Tensor, srcLengths: ArrayLike<number>, tgtIn: Tensor): { logits: Tensor; weights: Tensor } {
    if (tgtIn.ndim !== 2 || tgtIn.dtype !== 'int32' || tgtIn.shape[0] !== src.shape[0]) {
      throw new ShapeError(`Seq2Seq: tgtIn must be (B, T) int32 with the source's batch ${src.shape[0]}, got ${tgtIn.dtype} ${formatShape(tgtIn.shape)}`);
    }
    const { memory, state } = this.encode(src, srcLengths);
    const r = this.decoder.run(tgtIn, state, memory);
    return { logits: r.logits, weights: r.weights };
  }

  /** forward(src, tgtIn, srcLengths?) → logits (B, T, V); lengths default to all of S. */
  forward(src: Tensor, tgtIn: Tensor, srcLengths?: Tensor): Tensor {
    const lengths = srcLengths !== undefined ? srcLengths.toTypedArray() : new Int32Array(src.shape[0]!).fill(src.shape[1]!);
    return this.run(src, lengths, tgtIn).logits;
  }

  override extraRepr(): string {
    const c = this.config;
    return `arch=${c.arch}, src=${c.srcVocab}, tgt=${c.tgtVocab}, embed=${c.embed}, encoder=${c.encoderLayers}×${c.encoderHidden}${c.bidirectional ? ' bidirectional' : ''}, decoder=${c.decoderLayers}×${c.decoderHidden}, attention=${c.attention}, dropout=${c.dropout}`;
  }
}
