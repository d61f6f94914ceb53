/**
 * The kernel interface. Ops in src/ops/ do shape logic, dtype promotion and autograd; every loop
 * over tensor data goes through one of these functions. `ref` (plain TypeScript) defines what each
 * kernel means; `wasm` overrides the ones that speed needs and must agree with `ref` on every shape.
 *
 * Contract shared by all kernels:
 * - Arrays are plain typed arrays, dense, row-major, unless a stride says otherwise (a backend's
 *   resident arrays, see residentFloat32, are typed arrays too).
 * - Kernels write every element of `out` (they never rely on it being zeroed) and never allocate
 *   tensors. `out` never aliases an input unless the kernel says so.
 * - Float kernels accept Float32Array or Float64Array (float64 is the gradient-check mode); all
 *   arrays of one call have the same float type.
 */

export type DType = 'float32' | 'float64' | 'int32' | 'bool';
export type FloatArray = Float32Array | Float64Array;
export type DataArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export type UnaryOp =
  | 'neg' | 'abs' | 'exp' | 'log' | 'sqrt' | 'rsqrt' | 'tanh' | 'sigmoid' | 'relu'
  | 'leakyRelu' | 'gelu' | 'erf' | 'sin' | 'cos' | 'sign' | 'square' | 'reciprocal' | 'floor' | 'ceil' | 'round';

/** The activations with a fused backward kernel (Backend.unaryBackward). */
export type UnaryBackwardOp = 'relu' | 'leakyRelu' | 'tanh' | 'sigmoid' | 'gelu';

/** Per-channel statistics kernels for batch normalization: x viewed as (outer, c, inner), the
 * statistics of channel j over all outer·inner elements of that channel. */
export interface BatchNormGeometry {
  outer: number;
  c: number;
  inner: number;
}

/** What batchNormForward fuses after the normalization: y = relu?(y + residual?). */
export interface BatchNormFusion {
  residual: FloatArray | null;
  relu: boolean;
}

/** The matching backward: `y` the fused forward's output when it applied relu (the mask), else
 * null; `gResidual` (may be null) receives the gradient that reaches y + residual. */
export interface BatchNormBackwardFusion {
  y: FloatArray | null;
  gResidual: FloatArray | null;
}

export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum'
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

export type ReduceOp = 'sum' | 'max' | 'min' | 'argmax' | 'argmin';

/** A strided read of an input for broadcasting binary ops: element at multi-index i is
 * data[offset + Σ i_d · strides[d]]; a broadcast dimension has stride 0. */
export interface StridedInput {
  data: DataArray;
  offset: number;
  strides: readonly number[];
}

export interface MatmulParams {
  /** number of matrix products */
  batch: number;
  m: number;
  n: number;
  k: number;
  /** A is stored (k, m) instead of (m, k) */
  transA: boolean;
  /** B is stored (n, k) instead of (k, n) */
  transB: boolean;
  /** element distance between consecutive batch entries of A / B (0 broadcasts one matrix) */
  aBatchStride: number;
  bBatchStride: number;
  /** when true, C += A·B instead of C = A·B */
  accumulate?: boolean;
}

/** Geometry of a 2-D convolution, fully resolved by the op (padding is symmetric per axis).
 * x (n, c, h, w) · weight (o, c/groups, kh, kw) → y (n, o, oh, ow), all dense. */
export interface Conv2dGeometry {
  n: number; c: number; h: number; w: number;
  o: number; kh: number; kw: number;
  oh: number; ow: number;
  strideH: number; strideW: number;
  padH: number; padW: number;
  dilationH: number; dilationW: number;
  groups: number;
}

/** Geometry of a 2-D pooling window, resolved by the op (ceil mode already folded into oh/ow).
 * x (n, c, h, w) → y (n, c, oh, ow), all dense. Padding cells are never the max and, for
 * average pooling, count in the divisor only when countIncludePad. */
export interface Pool2dGeometry {
  n: number; c: number; h: number; w: number;
  kh: number; kw: number;
  oh: number; ow: number;
  strideH: number; strideW: number;
  padH: number; padW: number;
}

/** One LSTM or GRU layer over a sequence, in one direction (see src/ops/lstm_cell.ts for the
 * equations). lens[b] ∈ [0, T] are the valid steps of sequence b; reverse reads each from its last
 * valid step. G = 4 gates (LSTM: i, f, g, o) or 3 (GRU: r, z, n). */
export interface RecurrenceGeometry {
  mode: 'lstm' | 'gru'; T: number; B: number; H: number; reverse: boolean; lens: Int32Array;
}

/** What the forward keeps for backward, step-indexed: hAll (T + 1, B, H) with row s the state before
 * step s (row 0 = h0, filled by the caller); cAll likewise for the LSTM cell (null for the GRU);
 * acts (T, B, G·H) the activated gates; aux (T, B, H): tanh of the new cell state (LSTM) or
 * h_{t−1}·W_hnᵀ + b_hn (GRU). With `inferenceOnly` no backward will run: hAll/cAll are just h0/c0
 * (B, H), acts/aux are empty, and the final h and c go to rows T and T + 1 of y (which then has
 * T + 1 or T + 2 rows). */
export interface RecurrenceSaved {
  hAll: Float32Array; cAll: Float32Array | null; acts: Float32Array; aux: Float32Array;
  inferenceOnly?: boolean;
}

/** The scalars of one Adam step (see Backend.adamStep). */
export interface AdamHyper {
  beta1: number; beta2: number; stepSize: number; bc2Sqrt: number; eps: number; l2: number; sign: number; decay: number;
}

/** The scalars of one SGD step (see Backend.sgdStep). */
export interface SgdHyper {
  lr: number; momentum: number; dampening: number; weightDecay: number; sign: number; nesterov: boolean; first: boolean;
}

export interface Backend {
  readonly name: string;

  /** out[i] = op(x[i]); x and out dense with equal length; alpha is leakyRelu's slope. May alias. */
  unary(op: UnaryOp, x: DataArray, out: DataArray, alpha?: number): void;

  /** The backward of an activation in one pass: gx[i] = gy[i] · f'(x[i]), where the kernel may
   * read f' from x (relu, leakyRelu, gelu) or from the forward output y (tanh, sigmoid). All five
   * arrays are dense floats of equal length; alpha is leakyRelu's slope. gx may alias gy. */
  unaryBackward(op: UnaryBackwardOp, x: FloatArray, y: FloatArray, gy: FloatArray, gx: FloatArray, alpha?: number): void;

  /** Softmax cross-entropy per row of x (rows, classes): loss[i] = logΣexp(x[i, :]) − x[i, target[i]]
   * and probs[i, :] = softmax(x[i, :]). A row with target −1 is ignored: loss 0, probs all 0.
   * Targets are already checked to lie in [0, classes) or be −1. */
  softmaxCrossEntropy(x: FloatArray, target: Int32Array, loss: FloatArray, probs: FloatArray, rows: number, classes: number): void;
  /** Its backward: gx[i, c] = gLoss[i] · (probs[i, c] − [c = target[i]]), and 0 on ignored rows. */
  softmaxCrossEntropyBackward(probs: FloatArray, target: Int32Array, gLoss: FloatArray, gx: FloatArray, rows: number, classes: number): void;

  /** Softmax along the middle axis of x viewed as (outer, size, inner): out = exp(x − m) / Σ exp(x − m)
   * with m the maximum of each line (0 when it is ±∞, as the composed formula does). Dense, equal length. */
  softmax(x: FloatArray, out: FloatArray, outer: number, size: number, inner: number): void;
  /** Its backward from the output y: gx = y ⊙ (gy − Σ_line gy ⊙ y). gx may alias gy. */
  softmaxBackward(y: FloatArray, gy: FloatArray, gx: FloatArray, outer: number, size: number, inner: number): void;

  /** Training-mode batch norm forward: per channel j, mean[j] and biased variance var[j] over
   * the channel's elements, invstd[j] = 1/√(var[j] + eps), and
   * y = (x − mean)·invstd·(weight[j] or 1) + (bias[j] or 0). x, y dense (outer, c, inner);
   * mean, varOut, invstd have length c. With `fuse`, y then gets + residual (dense, x's shape) and
   * relu, giving the same values as the separate binary('add') and unary('relu') calls. */
  batchNormForward(x: FloatArray, weight: FloatArray | null, bias: FloatArray | null, y: FloatArray,
    mean: FloatArray, varOut: FloatArray, invstd: FloatArray, eps: number, g: BatchNormGeometry, fuse?: BatchNormFusion): void;
  /** Its backward, with x̂ = (x − mean)·invstd and M = outer·inner:
   * gx = (γ·invstd/M)·(M·gy − Σgy − x̂·Σ(gy·x̂)) (γ = weight[j] or 1), gWeight = Σ gy·x̂,
   * gBias = Σ gy, sums per channel. gx may be null (not needed); gWeight/gBias have length c.
   * With `fuse` (the fused forward's relu): gy is first multiplied by 1[y > 0] (y that forward's
   * output), as unaryBackward('relu') does, and that product is also written to gResidual. */
  batchNormBackward(x: FloatArray, gy: FloatArray, weight: FloatArray | null, mean: FloatArray, invstd: FloatArray,
    gx: FloatArray | null, gWeight: FloatArray, gBias: FloatArray, g: BatchNormGeometry, fuse?: BatchNormBackwardFusion): void;

  /** out (dense, shape `shape`) = op(a, b), reading a and b through strides (broadcast = 0).
   * a and b may have different array types (a bool mask times floats); the result is computed in
   * float64 arithmetic and stored into out's type. Comparisons write 0/1. */
  binary(op: BinaryOp, a: StridedInput, b: StridedInput, out: DataArray, shape: readonly number[]): void;

  /** Dense strided copy: out (dense, `shape`) takes x read through strides. */
  copyStrided(x: StridedInput, out: DataArray, shape: readonly number[]): void;

  /** The inverse of copyStrided: writes dense `src` (shape `shape`) into out.data through out's
   * offset and strides (no stride 0). Elements of out.data outside that view are left as they are. */
  scatterStrided(src: DataArray, out: StridedInput, shape: readonly number[]): void;

  /** out (dense, `shape`) = cond ? a : b, each read through strides; cond is nonzero-is-true. */
  where(cond: StridedInput, a: StridedInput, b: StridedInput, out: DataArray, shape: readonly number[]): void;

  /** Row lookup (embedding): x viewed as (outer, size, inner), out as (outer, index.length, inner);
   * out[o, j, :] = x[o, index[j], :]. Indices are already checked to lie in [0, size). */
  indexSelect(x: DataArray, index: Int32Array, out: DataArray, outer: number, size: number, inner: number): void;
  /** The backward of indexSelect: out[o, index[j], :] += src[o, j, :]. ADDS into out. */
  indexAdd(src: DataArray, index: Int32Array, out: DataArray, outer: number, size: number, inner: number): void;

  /** torch.gather along the middle axis: x (outer, size, inner), index and out (outer, m, inner);
   * out[o, j, i] = x[o, index[o, j, i], i]. Indices are already checked. */
  gather(x: DataArray, index: Int32Array, out: DataArray, outer: number, size: number, m: number, inner: number): void;
  /** The backward of gather: out[o, index[o, j, i], i] += src[o, j, i]. ADDS into out. */
  scatterAdd(src: DataArray, index: Int32Array, out: DataArray, outer: number, size: number, m: number, inner: number): void;

  /** Reduces the middle axis of x viewed as (outer, size, inner) into out (outer, inner).
   * argmax/argmin write indices in [0, size) (first occurrence) into an Int32Array. */
  reduce(op: ReduceOp, x: DataArray, out: DataArray, outer: number, size: number, inner: number): void;

  /** C (batch, m, n) = A · B per batch, see MatmulParams. */
  matmul(a: FloatArray, b: FloatArray, c: FloatArray, p: MatmulParams): void;

  /** y = conv2d(x, weight) (+ bias[o] on output channel o when a bias is given). */
  conv2d(x: FloatArray, weight: FloatArray, y: FloatArray, g: Conv2dGeometry, bias?: FloatArray | null): void;
  /** gx = ∂L/∂x given gy = ∂L/∂y. Overwrites gx. */
  conv2dBackwardInput(gy: FloatArray, weight: FloatArray, gx: FloatArray, g: Conv2dGeometry): void;
  /** gw = ∂L/∂weight given x and gy. Overwrites gw. */
  conv2dBackwardWeight(x: FloatArray, gy: FloatArray, gw: FloatArray, g: Conv2dGeometry): void;
  /** Both of the above in one call, where a backend shares work between them (optional: ops call
   * the two when it is missing). Overwrites gx and gw. */
  conv2dBackward?(x: FloatArray, weight: FloatArray, gy: FloatArray, gx: FloatArray, gw: FloatArray, g: Conv2dGeometry): void;

  /** Max pooling; argmax gets, per output, the index (iy·w + ix) of the winner within its plane.
   * A window that covers only padding yields -Infinity and argmax -1. argmax may be empty (length
   * 0) when no backward will run: then only y is written. */
  maxPool2d(x: FloatArray, y: FloatArray, argmax: Int32Array, g: Pool2dGeometry): void;
  /** gx = scatter-add of gy at argmax. Overwrites gx. */
  maxPool2dBackward(gy: FloatArray, argmax: Int32Array, gx: FloatArray, g: Pool2dGeometry): void;
  avgPool2d(x: FloatArray, y: FloatArray, g: Pool2dGeometry, countIncludePad: boolean): void;
  /** Overwrites gx. */
  avgPool2dBackward(gy: FloatArray, gx: FloatArray, g: Pool2dGeometry, countIncludePad: boolean): void;

  /** Optional fused LSTM/GRU recurrence, float32 (the reference is the loop in src/ops/lstm_cell.ts,
   * used when a backend leaves these out). gx (T, B, G·H) is the projected input x·W_ihᵀ + b_ih,
   * time-indexed; w is W_hh (G·H, H); bias is b_hh or null; y (T, B, H) receives the outputs (zero
   * past a sequence's length); saved.hAll/cAll row 0 hold h0/c0 on entry. Returns false, having
   * done nothing, when it cannot run this size (its backward would not fit): the caller then runs
   * the reference loop, forward and backward. */
  recurrenceForward?(g: RecurrenceGeometry, gx: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, saved: RecurrenceSaved): boolean;
  /** Its backward through time: gOut (T + 2, B, H) for the LSTM (outputs, final h, final c) or
   * (T + 1, B, H) for the GRU. Writes dgx (T, B, G·H), dh (and dc for the LSTM) (B, H) for the
   * initial states, and dW (G·H, H) and dB (G·H) when they are not null. */
  recurrenceBackward?(g: RecurrenceGeometry, w: Float32Array, gOut: Float32Array, saved: RecurrenceSaved,
    dgx: Float32Array, dW: Float32Array | null, dB: Float32Array | null, dh: Float32Array, dc: Float32Array | null): void;

  /** Optional: one Adam/AdamW step in place on float32 arrays of equal length (the reference is the
   * loop in src/optim/adam.ts): g = sign·grad + l2·θ', m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
   * θ ← θ' − stepSize·m / (√v / bc2Sqrt + eps), where θ' = θ·decay. No amsgrad. Returns false,
   * having done nothing, when it cannot take arrays this large: the caller runs its own loop. */
  adamStep?(theta: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, h: AdamHyper): boolean;

  /** Optional: one SGD step in place on float32 arrays (the reference is the loop in
   * src/optim/sgd.ts): g = sign·grad + wd·θ; with a momentum buffer b ← g on the first step, else
   * μ·b + (1 − dampening)·g, and d = g + μ·b (Nesterov) or b; without one (null) d = g;
   * θ ← θ − lr·d. Returns false, having done nothing, when it cannot take arrays this large. */
  sgdStep?(theta: Float32Array, grad: Float32Array, buf: Float32Array | null, h: SgdHyper): boolean;

  /** Optional: float32 storage of `length` elements (contents unspecified) that this backend's
   * kernels read in place, for long-lived tensors such as parameters; null when it has none to give.
   * It is an ordinary Float32Array to everyone else and is reclaimed when garbage-collected. */
  residentFloat32?(length: number): Float32Array | null;
}
