import { Tensor } from '../tensor/tensor.js';
import type { TextPair } from '../seq/tsv.js';
import { splitSymbols, SymbolVocab, BOS, EOS, PAD } from '../seq/symbols.js';
import { padBatch } from '../seq/batching.js';
import { NervaError } from '../errors.js';

/**
 * Pairs as ids, ready to batch. A batch is
 *   src     (B, S) int32  source ids, PAD past each length
 *   tgtIn   (B, T) int32  <s> y1 … yn   (the decoder's inputs under teacher forcing)
 *   tgtOut  (B, T) int32  y1 … yn </s>  (its targets; PAD is ignored by the loss)
 * where T = 1 + the batch's longest target.
 */
export interface Seq2SeqBatch {
  src: Tensor;
  srcLengths: Int32Array;
  tgtIn: Tensor;
  tgtOut: Tensor;
  /** target tokens scored (each target's symbols plus </s>) */
  tokens: number;
}

/**
 * Encoded pairs in two flat id arrays with offsets: a data set of 100,000 pairs is four typed
 * arrays, not 200,000 small ones, so the garbage collector's full passes stay cheap during training.
 */
export class EncodedPairs {
  /** symbols not in the vocabularies (now <unk>), per side */
  unknownSource = 0;
  unknownTarget = 0;
  private srcIds: Int32Array;
  private tgtIds: Int32Array;
  private readonly srcStart: Int32Array;
  private readonly tgtStart: Int32Array;

  constructor(sources: readonly Int32Array[], targets: readonly Int32Array[]) {
    if (sources.length !== targets.length) throw new NervaError(`EncodedPairs: ${sources.length} sources for ${targets.length} targets`);
    const flat = (seqs: readonly Int32Array[]): [Int32Array, Int32Array] => {
      const start = new Int32Array(seqs.length + 1);
      seqs.forEach((q, i) => (start[i + 1] = start[i]! + q.length));
      const ids = new Int32Array(start[seqs.length]!);
      seqs.forEach((q, i) => ids.set(q, start[i]!));
      return [ids, start];
    };
    [this.srcIds, this.srcStart] = flat(sources);
    [this.tgtIds, this.tgtStart] = flat(targets);
  }

  get size(): number {
    return this.srcStart.length - 1;
  }

  source(i: number): Int32Array {
    return this.srcIds.subarray(this.srcStart[i]!, this.srcStart[i + 1]!);
  }

  target(i: number): Int32Array {
    return this.tgtIds.subarray(this.tgtStart[i]!, this.tgtStart[i + 1]!);
  }

  sourceLength(i: number): number {
    return this.srcStart[i + 1]! - this.srcStart[i]!;
  }

  targetLength(i: number): number {
    return this.tgtStart[i + 1]! - this.tgtStart[i]!;
  }

  /** The pairs at `indices`, as a new set. */
  subset(indices: readonly number[]): EncodedPairs {
    return new EncodedPairs(indices.map((i) => this.source(i)), indices.map((i) => this.target(i)));
  }
}

export function encodePairs(pairs: readonly TextPair[], srcVocab: SymbolVocab, tgtVocab: SymbolVocab, file = 'pairs'): EncodedPairs {
  const sources: Int32Array[] = [];
  const targets: Int32Array[] = [];
  let unknownSource = 0;
  let unknownTarget = 0;
  for (const p of pairs) {
    const s = srcVocab.encode(splitSymbols(p.source, srcVocab.level));
    const t = tgtVocab.encode(splitSymbols(p.target, tgtVocab.level));
    if (s.ids.length === 0 || t.ids.length === 0) throw new NervaError(`${file}:${p.line}: a side has no symbols`);
    sources.push(s.ids);
    targets.push(t.ids);
    unknownSource += s.unknown;
    unknownTarget += t.unknown;
  }
  const data = new EncodedPairs(sources, targets);
  data.unknownSource = unknownSource;
  data.unknownTarget = unknownTarget;
  return data;
}

/** Vocabularies of the training pairs (each side at its own level). */
export function buildVocabs(pairs: readonly TextPair[], srcLevel: SymbolVocab['level'], tgtLevel: SymbolVocab['level']): { src: SymbolVocab; tgt: SymbolVocab } {
  return {
    src: SymbolVocab.build(srcLevel, pairs.map((p) => splitSymbols(p.source, srcLevel))),
    tgt: SymbolVocab.build(tgtLevel, pairs.map((p) => splitSymbols(p.target, tgtLevel))),
  };
}

/** The batch of the pairs at `indices`; `extraPadding` pads both sides further (tests: padding changes nothing). */
export function makeBatch(data: EncodedPairs, indices: readonly number[], extraPadding = 0): Seq2SeqBatch {
  const srcs = indices.map((i) => data.source(i));
  const tgts = indices.map((i) => data.target(i));
  const src = padBatch(srcs, { minLength: Math.max(...srcs.map((s) => s.length)) + extraPadding });
  const T = 1 + Math.max(...tgts.map((t) => t.length)) + extraPadding;
  const tgtIn = padBatch(tgts, { prefix: BOS, minLength: T });
  const tgtOut = padBatch(tgts, { suffix: EOS, minLength: T });
  let tokens = 0;
  for (const t of tgts) tokens += t.length + 1;
  return { src: src.ids, srcLengths: src.lengths, tgtIn: tgtIn.ids, tgtOut: tgtOut.ids, tokens };
}

/** The longest target seen per source symbol (with a margin): bounds a decode from its input's length. */
export function lengthRatio(data: EncodedPairs): number {
  let r = 1;
  for (let i = 0; i < data.size; i++) r = Math.max(r, data.targetLength(i) / data.sourceLength(i));
  return r;
}

export { PAD, BOS, EOS };
