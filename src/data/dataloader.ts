import { Tensor } from '../tensor/tensor.js';
import { Generator, defaultGenerator } from '../tensor/random.js';
import { NervaError, ShapeError, formatShape } from '../errors.js';
import type { Dataset } from './dataset.js';

export interface DataLoaderOptions {
  /** samples per batch (default 1) */
  batchSize?: number;
  /** draw a new order every epoch (default false) */
  shuffle?: boolean;
  /** skip the last, smaller batch (default false) */
  dropLast?: boolean;
  /** the source of the shuffle order (default: the global generator) */
  generator?: Generator;
}

/** A batch: inputs stacked along a new first dimension, labels as int32. */
export interface Batch {
  /** (B, …sample shape), float32 */
  x: Tensor;
  /** (B), int32 class indices */
  y: Tensor;
  /** dataset indices of the samples in this batch */
  indices: Int32Array;
}

/** Where a loader stands, enough to continue the same order after a restart (JSON-friendly). */
export interface DataLoaderState {
  /** the generator's state when the state was taken */
  generator: (number | null)[];
  /** the generator's state before the current epoch's order was drawn, null between epochs */
  epochStart: (number | null)[] | null;
  /** batches already handed out in the current epoch */
  position: number;
}

/**
 * Iterates over a dataset in batches: `for (const { x, y } of loader) …`, one epoch per loop.
 * The shuffle order comes from a seeded Generator; `stateDict()` taken between two batches and
 * `loadStateDict()` on a fresh loader continue with exactly the batches that were still to come.
 */
export class DataLoader implements Iterable<Batch> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly generator: Generator;
  private epochStart: number[] | null = null;
  private position = 0;
  /** set by loadStateDict: the next epoch re-draws the interrupted order and skips `position` batches */
  private resume: { epochStart: number[]; position: number } | null = null;

  constructor(readonly dataset: Dataset, options: DataLoaderOptions = {}) {
    this.batchSize = options.batchSize ?? 1;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new NervaError(`DataLoader: batchSize must be a positive integer, got ${options.batchSize}`);
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.generator = options.generator ?? defaultGenerator;
  }

  /** Batches handed out so far in the current epoch. */
  get batchIndex(): number {
    return this.position;
  }

  /** Number of batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<Batch> {
    const n = this.dataset.length;
    let order: Int32Array;
    let first = 0;
    if (this.resume !== null) {
      // Re-draw the interrupted epoch's order from the saved state, then put the generator back
      // where it was at the checkpoint (it may have been used since, e.g. by transforms).
      const now = this.generator.getState();
      this.generator.setState(this.resume.epochStart);
      order = this.drawOrder(n);
      this.generator.setState(now);
      this.epochStart = this.resume.epochStart;
      first = this.resume.position;
      this.resume = null;
    } else {
      this.epochStart = this.generator.getState();
      order = this.drawOrder(n);
    }
    const batches = this.length;
    for (let b = first; b < batches; b++) {
      this.position = b;
      const indices = order.subarray(b * this.batchSize, Math.min(n, (b + 1) * this.batchSize));
      const batch = this.collate(indices);
      this.position = b + 1;
      yield batch;
    }
    this.epochStart = null;
    this.position = 0;
  }

  private drawOrder(n: number): Int32Array {
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    if (this.shuffle) this.generator.shuffle(order);
    return order;
  }

  /** Stacks samples into one batch; every sample must have the same shape. */
  private collate(indices: Int32Array): Batch {
    const y = new Int32Array(indices.length);
    let xs: Float32Array | null = null;
    let shape: readonly number[] = [];
    let size = 0;
    for (let k = 0; k < indices.length; k++) {
      const s = this.dataset.get(indices[k]!);
      if (xs === null) {
        shape = s.x.shape;
        size = s.x.size;
        xs = new Float32Array(indices.length * size);
      } else if (s.x.size !== size || s.x.shape.some((d, i) => d !== shape[i])) {
        throw new ShapeError(`DataLoader: sample ${indices[k]} has shape ${formatShape(s.x.shape)}, but sample ${indices[0]} has ${formatShape(shape)}; samples of one batch must match`);
      }
      xs.set(s.x.toTypedArray(), k * size);
      y[k] = s.y;
    }
    return { x: new Tensor(xs ?? new Float32Array(0), [indices.length, ...shape]), y: new Tensor(y, [indices.length]), indices: Int32Array.from(indices) };
  }

  stateDict(): DataLoaderState {
    return { generator: this.generator.getState().map(nanToNull), epochStart: this.epochStart?.map(nanToNull) ?? null, position: this.position };
  }

  loadStateDict(state: DataLoaderState): void {
    if (!state || !Array.isArray(state.generator) || typeof state.position !== 'number') throw new NervaError('DataLoader.loadStateDict: not a DataLoader state (expected {generator, epochStart, position})');
    this.generator.setState(state.generator.map(nullToNaN));
    // position = length (all batches of the epoch done, epoch not yet closed) yields an empty epoch.
    this.resume = state.epochStart === null ? null : { epochStart: state.epochStart.map(nullToNaN), position: state.position };
    this.epochStart = null;
    this.position = 0;
  }
}

// JSON has no NaN (the generator's empty Box–Muller slot); store it as null.
const nanToNull = (v: number): number | null => (Number.isNaN(v) ? null : v);
const nullToNaN = (v: number | null): number => (v === null ? NaN : v);
