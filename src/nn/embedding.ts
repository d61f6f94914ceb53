import { Tensor } from '../tensor/tensor.js';
import { indexSelect, ne, reshape, unsqueeze, where } from '../ops/index.js';
import { Module, Parameter, newParameter } from './module.js';
import { normal_ } from './init.js';
import { NervaError } from '../errors.js';

export interface EmbeddingOptions {
  /** this id's row starts as zeros and never receives a gradient (PyTorch's padding_idx); negative counts from the end */
  paddingIdx?: number | null;
}

/**
 * A lookup table: id → row of `weight`.
 * Shape: ids (*) int32 → (*, embeddingDim); weight (numEmbeddings, embeddingDim), init N(0, 1).
 */
export class Embedding extends Module {
  weight: Parameter;
  readonly paddingIdx: number | null;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    if (!Number.isInteger(numEmbeddings) || numEmbeddings <= 0) throw new NervaError(`Embedding: numEmbeddings must be a positive integer, got ${numEmbeddings}`);
    if (!Number.isInteger(embeddingDim) || embeddingDim <= 0) throw new NervaError(`Embedding: embeddingDim must be a positive integer, got ${embeddingDim}`);
    let p = options.paddingIdx ?? null;
    if (p !== null) {
      if (!Number.isInteger(p) || p < -numEmbeddings || p >= numEmbeddings) throw new NervaError(`Embedding: paddingIdx ${p} must be within [${-numEmbeddings}, ${numEmbeddings})`);
      if (p < 0) p += numEmbeddings;
    }
    this.paddingIdx = p;
    this.weight = this.registerParameter('weight', newParameter([numEmbeddings, embeddingDim]))!;
    this.resetParameters();
  }

  resetParameters(): void {
    normal_(this.weight);
    this.resetPaddingRow();
  }

  /** Zeros the padding id's row (after a custom initialization of `weight`). */
  resetPaddingRow(): void {
    if (this.paddingIdx !== null) this.weight.data.fill(0, this.paddingIdx * this.embeddingDim, (this.paddingIdx + 1) * this.embeddingDim);
  }

  forward(ids: Tensor): Tensor {
    if (ids.dtype !== 'int32') throw new NervaError(`Embedding: ids must be an int32 tensor, got dtype ${ids.dtype}`);
    const flat = reshape(ids, [ids.size]);
    let rows = indexSelect(this.weight, 0, flat); // (N, D)
    if (this.paddingIdx !== null) {
      // Same values, but the padding id's rows read a detached copy: no gradient reaches that row.
      rows = where(unsqueeze(ne(flat, this.paddingIdx), 1), rows, rows.detach());
    }
    return reshape(rows, [...ids.shape, this.embeddingDim]); // (*, D)
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, paddingIdx=${this.paddingIdx}` : ''}`;
  }
}
