import { Tensor } from '../tensor/tensor.js';
import { add, matmul, reshape, tanh, transpose, unsqueeze, where } from '../ops/index.js';
import { softmax } from '../ops/softmax.js';
import { Module, Parameter, newParameter } from './module.js';
import { Linear } from './linear.js';
import { uniform_ } from './init.js';
import { NervaError, ShapeError, formatShape } from '../errors.js';

/**
 * Attention: each query attends to a set of keys and returns the weighted sum of their values.
 *   scores (B, Tq, S) = score(query, keys);  masked positions → −∞;
 *   weights = softmax(scores) over S;  context (B, Tq, Dv) = weights · values
 * Shape: query (B, Tq, Dq), keys (B, S, Dk), values (B, S, Dv) (default: keys),
 * mask (B, S) bool, true = attend (padding false) → { context (B, Tq, Dv), weights (B, Tq, S) }.
 * Every row of the mask needs at least one true position.
 *
 * The three score functions of the classic encoder–decoders:
 *   dot      qᵀk                   (Luong et al. 2015; needs Dq = Dk)
 *   general  qᵀ W k                (Luong et al. 2015), W = `linear_in.weight` (Dk, Dq)
 *   additive vᵀ tanh(W_q q + W_k k)  (Bahdanau et al. 2015), `query_proj`, `key_proj`, `v`
 * All are composed from differentiable ops, so they carry no backward code of their own.
 */
export interface AttentionResult {
  /** (B, Tq, Dv) */
  context: Tensor;
  /** (B, Tq, S), each row sums to 1 over unmasked positions and is 0 on masked ones */
  weights: Tensor;
}

/** What padded positions score: far below any real score, yet finite, so exp() is exactly 0 and never NaN. */
const MASKED = -1e30;

export abstract class Attention extends Module {
  /** (B, Tq, Dq) × (B, S, Dk) → raw scores (B, Tq, S) */
  abstract score(query: Tensor, keys: Tensor): Tensor;

  constructor(readonly queryDim: number, readonly keyDim: number) {
    super();
    const name = this.constructor.name;
    if (!Number.isInteger(queryDim) || queryDim <= 0) throw new NervaError(`${name}: queryDim must be a positive integer, got ${queryDim}`);
    if (!Number.isInteger(keyDim) || keyDim <= 0) throw new NervaError(`${name}: keyDim must be a positive integer, got ${keyDim}`);
  }

  /** Scores, masks, normalizes and pools; see the file header for shapes. */
  attend(query: Tensor, keys: Tensor, values: Tensor = keys, mask?: Tensor | null): AttentionResult {
    this.checkShapes(query, keys, values, mask);
    let scores = this.score(query, keys); // (B, Tq, S)
    if (mask !== undefined && mask !== null) scores = where(unsqueeze(mask, 1), scores, MASKED); // (B, 1, S) broadcast over Tq
    const weights = softmax(scores, -1);
    return { context: matmul(weights, values), weights }; // (B, Tq, S) @ (B, S, Dv) -> (B, Tq, Dv)
  }

  /** The context alone (Module's one-tensor contract); `attend` also returns the weights. */
  forward(query: Tensor, keys: Tensor, values?: Tensor, mask?: Tensor): Tensor {
    return this.attend(query, keys, values, mask).context;
  }

  private checkShapes(query: Tensor, keys: Tensor, values: Tensor, mask: Tensor | null | undefined): void {
    const name = this.constructor.name;
    if (query.ndim !== 3 || keys.ndim !== 3 || values.ndim !== 3) {
      throw new ShapeError(`${name}: query, keys and values must be 3-d (B, T, D), got ${formatShape(query.shape)}, ${formatShape(keys.shape)}, ${formatShape(values.shape)}`);
    }
    const [B, , Dq] = query.shape as [number, number, number];
    const [Bk, S, Dk] = keys.shape as [number, number, number];
    if (Dq !== this.queryDim) throw new ShapeError(`${name}: query ${formatShape(query.shape)} has ${Dq} features, expected queryDim ${this.queryDim}`);
    if (Dk !== this.keyDim) throw new ShapeError(`${name}: keys ${formatShape(keys.shape)} have ${Dk} features, expected keyDim ${this.keyDim}`);
    if (Bk !== B || values.shape[0] !== B || values.shape[1] !== S) {
      throw new ShapeError(`${name}: query ${formatShape(query.shape)}, keys ${formatShape(keys.shape)} and values ${formatShape(values.shape)} must agree on batch and on S`);
    }
    if (mask !== undefined && mask !== null && (mask.dtype !== 'bool' || mask.ndim !== 2 || mask.shape[0] !== B || mask.shape[1] !== S)) {
      throw new ShapeError(`${name}: mask must be a bool tensor of shape ${formatShape([B, S])} (true = attend), got ${mask.dtype} ${formatShape(mask.shape)}`);
    }
  }

  override extraRepr(): string {
    return `${this.queryDim}, ${this.keyDim}`;
  }
}

/** Luong's dot score qᵀk (no parameters; queryDim = keyDim). */
export class DotAttention extends Attention {
  constructor(dim: number) {
    super(dim, dim);
  }

  score(query: Tensor, keys: Tensor): Tensor {
    return matmul(query, transpose(keys, 1, 2)); // (B, Tq, D) @ (B, D, S)
  }

  override extraRepr(): string {
    return `${this.queryDim}`;
  }
}

/** Luong's general score qᵀ W k, computed as (W q)·k with W = linear_in.weight (Dk, Dq). */
export class GeneralAttention extends Attention {
  linear_in: Linear;

  constructor(queryDim: number, keyDim: number) {
    super(queryDim, keyDim);
    this.linear_in = this.registerModule('linear_in', new Linear(queryDim, keyDim, { bias: false }));
  }

  score(query: Tensor, keys: Tensor): Tensor {
    return matmul(this.linear_in.forward(query), transpose(keys, 1, 2)); // (B, Tq, Dk) @ (B, Dk, S)
  }
}

/** Bahdanau's additive score vᵀ tanh(W_q q + W_k k + b), with an attention width A (default keyDim). */
export class AdditiveAttention extends Attention {
  query_proj: Linear;
  key_proj: Linear;
  v: Parameter;

  constructor(queryDim: number, keyDim: number, readonly attentionDim: number = keyDim) {
    super(queryDim, keyDim);
    if (!Number.isInteger(attentionDim) || attentionDim <= 0) throw new NervaError(`AdditiveAttention: attentionDim must be a positive integer, got ${attentionDim}`);
    this.query_proj = this.registerModule('query_proj', new Linear(queryDim, attentionDim, { bias: false }));
    this.key_proj = this.registerModule('key_proj', new Linear(keyDim, attentionDim));
    this.v = this.registerParameter('v', newParameter([attentionDim]))!;
    uniform_(this.v, -1 / Math.sqrt(attentionDim), 1 / Math.sqrt(attentionDim));
  }

  score(query: Tensor, keys: Tensor): Tensor {
    const [B, Tq] = query.shape as [number, number];
    const S = keys.shape[1]!;
    const A = this.attentionDim;
    const q = reshape(this.query_proj.forward(query), [B, Tq, 1, A]);
    const k = reshape(this.key_proj.forward(keys), [B, 1, S, A]);
    const e = tanh(add(q, k)); // (B, Tq, S, A)
    return reshape(matmul(e, reshape(this.v, [A, 1])), [B, Tq, S]); // (B, Tq, S, A) @ (A, 1)
  }

  override extraRepr(): string {
    return `${this.queryDim}, ${this.keyDim}, attentionDim=${this.attentionDim}`;
  }
}

export type AttentionScore = 'dot' | 'general' | 'additive';
export const ATTENTION_SCORES: readonly AttentionScore[] = ['dot', 'general', 'additive'];

export function createAttention(kind: AttentionScore, queryDim: number, keyDim: number): Attention {
  if (kind === 'dot') {
    if (queryDim !== keyDim) throw new NervaError(`dot attention needs equal query and key widths, got ${queryDim} and ${keyDim} (use 'general' or 'additive')`);
    return new DotAttention(queryDim);
  }
  if (kind === 'general') return new GeneralAttention(queryDim, keyDim);
  if (kind === 'additive') return new AdditiveAttention(queryDim, keyDim);
  throw new NervaError(`unknown attention '${String(kind)}' (expected ${ATTENTION_SCORES.join(', ')})`);
}

