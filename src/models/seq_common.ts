import type { Tensor } from '../tensor/tensor.js';
import { cat, narrow, reshape } from '../ops/index.js';
import { GRU, LSTM, type RNNBase } from '../nn/rnn.js';
import { checkOptions } from '../options.js';
import { NervaError } from '../errors.js';

/** The recurrent layers a sequence classifier or tagger can use. */
export type SeqArch = 'lstm' | 'gru';
export const SEQ_ARCHS: readonly SeqArch[] = ['lstm', 'gru'];

/** What the classifier and the tagger share: embedding → (bi)directional recurrent layers. */
export interface SeqEncoderConfig {
  arch: SeqArch;
  /** input symbols, specials included (id 0 = padding) */
  vocabSize: number;
  /** embedding width */
  embed: number;
  /** hidden units per direction and layer */
  hidden: number;
  layers: number;
  bidirectional: boolean;
  /** dropout on the embeddings, between recurrent layers and before the output layer */
  dropout: number;
}

export const DEFAULT_ENCODER: Omit<SeqEncoderConfig, 'vocabSize'> = { arch: 'lstm', embed: 64, hidden: 128, layers: 1, bidirectional: false, dropout: 0.2 };

/** Merges defaults, refuses unknown keys and bad values (naming `where` and the key). */
export function encoderConfig<C extends SeqEncoderConfig>(where: string, given: object, defaults: Omit<C, 'vocabSize'>, positive: readonly string[]): C {
  checkOptions(where, given, [...Object.keys(defaults), 'vocabSize']);
  const c = { ...defaults, ...given } as C;
  if (!SEQ_ARCHS.includes(c.arch)) throw new NervaError(`${where}: arch must be one of ${SEQ_ARCHS.join(', ')}, got '${String(c.arch)}'`);
  for (const key of ['vocabSize', 'embed', 'hidden', 'layers', ...positive]) {
    const v = (c as unknown as Record<string, unknown>)[key];
    if (!Number.isInteger(v) || (v as number) <= 0) throw new NervaError(`${where}: ${key} must be a positive integer, got ${String(v)}`);
  }
  if (typeof c.bidirectional !== 'boolean') throw new NervaError(`${where}: bidirectional must be true or false, got ${String(c.bidirectional)}`);
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new NervaError(`${where}: dropout must be in [0, 1), got ${c.dropout}`);
  return c;
}

/** The batch-first recurrent stack of a config. */
export function recurrentLayers(c: SeqEncoderConfig): RNNBase {
  const opts = { numLayers: c.layers, bidirectional: c.bidirectional, batchFirst: true, dropout: c.layers > 1 ? c.dropout : 0 };
  return c.arch === 'lstm' ? new LSTM(c.embed, c.hidden, opts) : new GRU(c.embed, c.hidden, opts);
}

/** One layer's final states, every direction side by side: h (L·D, B, H) → (B, D·H), forward first. */
export function layerFinalStates(h: Tensor, layer: number, directions: number): Tensor {
  const [, B, H] = h.shape as [number, number, number];
  const rows = narrow(h, 0, layer * directions, directions); // (D, B, H)
  if (directions === 1) return reshape(rows, [B, H]);
  return cat(Array.from({ length: directions }, (_, d) => reshape(narrow(rows, 0, d, 1), [B, H])), 1);
}
