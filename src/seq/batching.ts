import { Tensor } from '../tensor/tensor.js';
import type { Generator } from '../tensor/random.js';
import { NervaError } from '../errors.js';
import { PAD } from './symbols.js';

/**
 * Batches of similar lengths ("bucketing"): the examples are sorted by length (ties broken by a
 * random key, so an epoch's batches differ), cut into batches of `batchSize`, and the batches
 * shuffled. Sequences of one batch then pad little, which matters because every padded step still
 * costs a full recurrent step. Returns indices into `lengths`.
 */
export function bucketBatches(lengths: ArrayLike<number>, batchSize: number, gen: Generator): number[][] {
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new NervaError(`batch size must be a positive integer, got ${batchSize}`);
  const n = lengths.length;
  const key = new Float64Array(n);
  for (let i = 0; i < n; i++) key[i] = gen.random();
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || key[a]! - key[b]!);
  const batches: number[][] = [];
  for (let i = 0; i < n; i += batchSize) batches.push(order.slice(i, i + batchSize));
  for (let i = batches.length - 1; i > 0; i--) {
    const j = Math.floor(gen.random() * (i + 1));
    [batches[i], batches[j]] = [batches[j]!, batches[i]!];
  }
  return batches;
}

/** Batches in the given order (evaluation): consecutive runs of `batchSize` indices. */
export function sequentialBatches(count: number, batchSize: number): number[][] {
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new NervaError(`batch size must be a positive integer, got ${batchSize}`);
  const batches: number[][] = [];
  for (let i = 0; i < count; i += batchSize) batches.push(Array.from({ length: Math.min(batchSize, count - i) }, (_, k) => i + k));
  return batches;
}

export interface Padded {
  /** (B, T) int32, PAD past each sequence's end */
  ids: Tensor;
  /** each sequence's length (with its BOS/EOS if added) */
  lengths: Int32Array;
}

export interface PadOptions {
  /** put this id before every sequence (e.g. BOS) */
  prefix?: number;
  /** put this id after every sequence (e.g. EOS) */
  suffix?: number;
  /** pad to at least this length (a longer batch needs no more padding); default the batch's longest */
  minLength?: number;
}

/** Right-pads id sequences into one (B, T) int32 tensor, batch first. */
export function padBatch(seqs: readonly ArrayLike<number>[], options: PadOptions = {}): Padded {
  const extra = (options.prefix !== undefined ? 1 : 0) + (options.suffix !== undefined ? 1 : 0);
  const B = seqs.length;
  const lengths = new Int32Array(B);
  let T = options.minLength ?? 0;
  for (let b = 0; b < B; b++) {
    lengths[b] = seqs[b]!.length + extra;
    T = Math.max(T, lengths[b]!);
  }
  const data = new Int32Array(B * T).fill(PAD);
  for (let b = 0; b < B; b++) {
    let at = b * T;
    if (options.prefix !== undefined) data[at++] = options.prefix;
    const s = seqs[b]!;
    for (let i = 0; i < s.length; i++) data[at++] = s[i]!;
    if (options.suffix !== undefined) data[at++] = options.suffix;
  }
  return { ids: new Tensor(data, [B, T]), lengths };
}

/** (B, T) bool: true where position t < lengths[b] (a real token), false on padding. */
export function lengthMask(lengths: ArrayLike<number>, T: number): Tensor {
  const B = lengths.length;
  const data = new Uint8Array(B * T);
  for (let b = 0; b < B; b++) data.fill(1, b * T, b * T + Math.min(T, lengths[b]!));
  return new Tensor(data, [B, T]); // Uint8Array storage is dtype bool
}
