import { Tensor, denseData } from '../tensor/tensor.js';
import { allocate } from '../tensor/dtype.js';
import type { FloatArray, RecurrenceSaved } from '../backend/backend.js';
import { getBackend } from '../backend/index.js';
import { record } from '../autograd/tape.js';
import { isGradEnabled } from '../autograd/grad_mode.js';
import { narrow, reshape } from './movement.js';
import { toType } from './elementwise.js';
import { NervaError, ShapeError, formatShape } from '../errors.js';

/**
 * The fused recurrence: one primitive runs a whole sequence of one layer in one direction of an
 * Elman RNN, an LSTM or a GRU (PyTorch's equations and gate order), and its backward runs
 * backpropagation through time in one go. The input projection x·W_ihᵀ + b_ih of every time step
 * is computed outside, by ONE matmul; per step this op does one (B, H)·(H, G·H) product and one
 * pass over the gates — no tensors, no tape entries, no per-step allocations.
 *
 * Equations (per step, pre-activations a = gx_t + h_{t−1}·W_hhᵀ + b_hh):
 * - rnn:  h = tanh(a) or relu(a)
 * - lstm: i, f, g, o = σ(a_i), σ(a_f), tanh(a_g), σ(a_o);  c = f⊙c_{t−1} + i⊙g;  h = o⊙tanh(c)
 * - gru:  r, z = σ(a_r), σ(a_z);  n = tanh(gx_n + r⊙hn) with hn = h_{t−1}·W_hnᵀ + b_hn;
 *         h = (1 − z)⊙n + z⊙h_{t−1}
 *
 * Variable lengths (like packed sequences): sequence b has lengths[b] valid steps. Outputs past
 * it are zero and its state stops changing, so the final state is the one at its last valid step.
 * The reverse direction reads each sequence backwards from its own last valid step.
 *
 * Shapes: gx (T, B, G·H) with G = 1 | 4 | 3; wHh (G·H, H); bHh (G·H) or null; h0, c0 (B, H)
 * (c0 for lstm only). Result (T + 1, B, H) — or (T + 2, B, H) for lstm — packing the outputs
 * (rows 0…T−1, in time order), the final h (row T) and the final c (row T+1); `unpackRecurrence`
 * splits it into views.
 */
export type RecurrenceMode = 'rnn_tanh' | 'rnn_relu' | 'lstm' | 'gru';

export interface RecurrenceOptions {
  reverse?: boolean;
  /** valid steps per batch entry, each in [0, T]; null/undefined = all T */
  lengths?: Int32Array | readonly number[] | null;
}

export function gateCount(mode: RecurrenceMode): number {
  return mode === 'lstm' ? 4 : mode === 'gru' ? 3 : 1;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Time index of step s for batch entry b (−1 when inactive). */
function timeIndex(s: number, len: number, reverse: boolean): number {
  if (s >= len) return -1;
  return reverse ? len - 1 - s : s;
}

export function recurrence(
  mode: RecurrenceMode,
  gx: Tensor,
  wHh: Tensor,
  bHh: Tensor | null,
  h0: Tensor,
  c0: Tensor | null,
  options: RecurrenceOptions = {},
): Tensor {
  const G = gateCount(mode);
  if (gx.ndim !== 3) throw new ShapeError(`recurrence(${mode}): projected input must be (T, B, ${G}·H), got ${formatShape(gx.shape)}`);
  const [T, B, GH] = gx.shape as [number, number, number];
  const H = GH / G;
  if (!Number.isInteger(H)) throw new ShapeError(`recurrence(${mode}): projected input width ${GH} is not a multiple of ${G}`);
  if (wHh.ndim !== 2 || wHh.shape[0] !== GH || wHh.shape[1] !== H) throw new ShapeError(`recurrence(${mode}): weight_hh must be ${formatShape([GH, H])}, got ${formatShape(wHh.shape)}`);
  if (bHh !== null && (bHh.ndim !== 1 || bHh.shape[0] !== GH)) throw new ShapeError(`recurrence(${mode}): bias_hh must be ${formatShape([GH])}, got ${formatShape(bHh.shape)}`);
  if (h0.ndim !== 2 || h0.shape[0] !== B || h0.shape[1] !== H) throw new ShapeError(`recurrence(${mode}): initial h must be ${formatShape([B, H])}, got ${formatShape(h0.shape)}`);
  if (mode === 'lstm') {
    if (c0 === null) throw new NervaError('recurrence(lstm): an initial cell state c0 is required');
    if (c0.ndim !== 2 || c0.shape[0] !== B || c0.shape[1] !== H) throw new ShapeError(`recurrence(lstm): initial c must be ${formatShape([B, H])}, got ${formatShape(c0.shape)}`);
  }
  const dtype = gx.dtype;
  for (const [name, t] of [['weight_hh', wHh], ['bias_hh', bHh], ['h0', h0], ['c0', c0]] as const) {
    if (t !== null && t.dtype !== dtype) throw new NervaError(`recurrence(${mode}): ${name} has dtype ${t.dtype}, the input has ${dtype}`);
  }
  const reverse = options.reverse === true;
  const lens = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const l = options.lengths ? options.lengths[b] : T;
    if (l === undefined || !Number.isInteger(l) || l < 0 || l > T) throw new NervaError(`recurrence(${mode}): length ${l} of sequence ${b} is not in [0, ${T}]`);
    lens[b] = l;
  }
  const backend = getBackend();
  const X = denseData(gx) as FloatArray;
  const W = denseData(wHh) as FloatArray;
  const bias = bHh === null ? null : (denseData(bHh) as FloatArray);
  const BH = B * H;
  const isLstm = mode === 'lstm';
  const rows = T + (isLstm ? 2 : 1);
  const out = new Tensor(allocate(dtype, rows * BH), [rows, B, H]);
  const Y = out.data as FloatArray;
  // A backend with a fused recurrence (wasm) runs the whole sequence and its backward in its kernels
  // (unless the sequence is too long for it: then the loop below runs as for any backend).
  let fused = (isLstm || mode === 'gru') && dtype === 'float32' && backend.recurrenceForward !== undefined && backend.recurrenceBackward !== undefined;
  const geom = { mode: mode as 'lstm' | 'gru', T, B, H, reverse, lens };
  // Without a backward (sampling, evaluation) nothing is saved: the kernel reads h0/c0 and writes
  // the final state straight into the output.
  if (fused && (!isGradEnabled() || ![gx, wHh, bHh, h0, c0].some((t) => t !== null && t.requiresGrad))) {
    const none = new Float32Array(0);
    const saved: RecurrenceSaved = { hAll: denseData(h0) as Float32Array, cAll: isLstm ? denseData(c0!) as Float32Array : null, acts: none, aux: none, inferenceOnly: true };
    if (backend.recurrenceForward!(geom, X as Float32Array, W as Float32Array, bias as Float32Array | null, Y as Float32Array, saved)) return out;
    fused = false; // too long for the fused kernel: the loop below, without asking it again
  }
  // Saved for backward: states before/after each step (s-indexed), activated gates, GRU's hn.
  const hAll = allocate(dtype, (T + 1) * BH) as FloatArray; // hAll[s] = h before step s
  const cAll = isLstm ? (allocate(dtype, (T + 1) * BH) as FloatArray) : null;
  hAll.set(denseData(h0) as FloatArray);
  if (cAll !== null) cAll.set(denseData(c0!) as FloatArray);
  if (fused) {
    const saved: RecurrenceSaved = { hAll: hAll as Float32Array, cAll: cAll as Float32Array | null, acts: new Float32Array(T * B * GH), aux: new Float32Array(T * BH) };
    if (backend.recurrenceForward!(geom, X as Float32Array, W as Float32Array, bias as Float32Array | null, Y as Float32Array, saved)) {
      Y.set(hAll.subarray(T * BH, (T + 1) * BH), T * BH);
      if (cAll !== null) Y.set(cAll.subarray(T * BH, (T + 1) * BH), (T + 1) * BH);
      const fusedBackward = backend.recurrenceBackward!;
      return record(out, `recurrence(${mode})`, [gx, wHh, bHh, h0, c0], (gOut) => {
        const g = denseData(gOut.dtype === 'float32' ? gOut : toType(gOut, 'float32')) as Float32Array;
        const dgx = new Tensor(allocate(dtype, T * B * GH), [T, B, GH]);
        const dW = wHh.requiresGrad ? new Tensor(allocate(dtype, GH * H), [GH, H]) : null;
        const dB = bHh !== null && bHh.requiresGrad ? new Tensor(allocate(dtype, GH), [GH]) : null;
        const dh = new Tensor(allocate(dtype, BH), [B, H]);
        const dc = isLstm ? new Tensor(allocate(dtype, BH), [B, H]) : null;
        fusedBackward(geom, W as Float32Array, g, saved, dgx.data as Float32Array,
          dW === null ? null : dW.data as Float32Array, dB === null ? null : dB.data as Float32Array,
          dh.data as Float32Array, dc === null ? null : dc.data as Float32Array);
        return [dgx, dW, dB, dh, dc];
      });
    }
  }
  const acts = allocate(dtype, T * B * GH) as FloatArray; // activated gates (lstm, gru), h (rnn: unused)
  const hnAll = mode === 'gru' ? (allocate(dtype, T * BH) as FloatArray) : null; // GRU: h·W_hnᵀ + b_hn
  const tcAll = isLstm ? (allocate(dtype, T * BH) as FloatArray) : null; // LSTM: tanh(c_t)
  const hh = allocate(dtype, B * GH) as FloatArray; // scratch: h_{t−1}·W_hhᵀ
  const mm = { batch: 1, m: B, n: GH, k: H, transA: false, transB: true, aBatchStride: 0, bBatchStride: 0 };

  for (let s = 0; s < T; s++) {
    const hPrev = hAll.subarray(s * BH, (s + 1) * BH);
    backend.matmul(hPrev, W, hh, mm);
    const hNextBase = (s + 1) * BH;
    for (let b = 0; b < B; b++) {
      const t = timeIndex(s, lens[b], reverse);
      const hp = s * BH + b * H; // h_{t−1} row in hAll
      const hn = hNextBase + b * H; // h_t row in hAll
      if (t < 0) {
        // finished: the state carries over unchanged, no output
        for (let j = 0; j < H; j++) hAll[hn + j] = hAll[hp + j];
        if (cAll !== null) for (let j = 0; j < H; j++) cAll[hn + j] = cAll[hp + j];
        continue;
      }
      const xRow = (t * B + b) * GH;
      const hhRow = b * GH;
      const aRow = (s * B + b) * GH;
      const yRow = (t * B + b) * H;
      if (mode === 'lstm') {
        for (let j = 0; j < H; j++) {
          let ai = X[xRow + j] + hh[hhRow + j];
          let af = X[xRow + H + j] + hh[hhRow + H + j];
          let ag = X[xRow + 2 * H + j] + hh[hhRow + 2 * H + j];
          let ao = X[xRow + 3 * H + j] + hh[hhRow + 3 * H + j];
          if (bias !== null) { ai += bias[j]; af += bias[H + j]; ag += bias[2 * H + j]; ao += bias[3 * H + j]; }
          const i = sigmoid(ai), f = sigmoid(af), g = Math.tanh(ag), o = sigmoid(ao);
          acts[aRow + j] = i; acts[aRow + H + j] = f; acts[aRow + 2 * H + j] = g; acts[aRow + 3 * H + j] = o;
          const c = f * cAll![hp + j] + i * g;
          cAll![hn + j] = c;
          const tc = Math.tanh(c);
          tcAll![s * BH + b * H + j] = tc;
          const h = o * tc;
          hAll[hn + j] = h;
          Y[yRow + j] = h;
        }
      } else if (mode === 'gru') {
        for (let j = 0; j < H; j++) {
          let hr = hh[hhRow + j], hz = hh[hhRow + H + j], hnv = hh[hhRow + 2 * H + j];
          if (bias !== null) { hr += bias[j]; hz += bias[H + j]; hnv += bias[2 * H + j]; }
          const r = sigmoid(X[xRow + j] + hr);
          const z = sigmoid(X[xRow + H + j] + hz);
          const n = Math.tanh(X[xRow + 2 * H + j] + r * hnv);
          acts[aRow + j] = r; acts[aRow + H + j] = z; acts[aRow + 2 * H + j] = n;
          hnAll![s * BH + b * H + j] = hnv;
          const h = (1 - z) * n + z * hAll[hp + j];
          hAll[hn + j] = h;
          Y[yRow + j] = h;
        }
      } else {
        const relu = mode === 'rnn_relu';
        for (let j = 0; j < H; j++) {
          let a = X[xRow + j] + hh[hhRow + j];
          if (bias !== null) a += bias[j];
          const h = relu ? (a > 0 ? a : 0) : Math.tanh(a);
          hAll[hn + j] = h;
          Y[yRow + j] = h;
        }
      }
    }
  }
  Y.set(hAll.subarray(T * BH, (T + 1) * BH), T * BH);
  if (cAll !== null) Y.set(cAll.subarray(T * BH, (T + 1) * BH), (T + 1) * BH);

  return record(out, `recurrence(${mode})`, [gx, wHh, bHh, h0, c0], (gOut) => {
    const g = denseData(gOut) as FloatArray; // (rows, B, H)
    const dgx = allocate(dtype, T * B * GH) as FloatArray; // t-indexed, like gx
    // dgh: ∂L/∂(h_{t−1}·W_hhᵀ + b_hh), s-indexed like hAll; equal to dgx except GRU's n gate.
    const dgh = allocate(dtype, T * B * GH) as FloatArray;
    const dh = allocate(dtype, BH) as FloatArray; // ∂L/∂h flowing into the current step's output state
    const dc = isLstm ? (allocate(dtype, BH) as FloatArray) : null;
    const dhPrev = allocate(dtype, BH) as FloatArray;
    dh.set(g.subarray(T * BH, (T + 1) * BH));
    if (dc !== null) dc.set(g.subarray((T + 1) * BH, (T + 2) * BH));
    const back = { batch: 1, m: B, n: H, k: GH, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
    for (let s = T - 1; s >= 0; s--) {
      for (let b = 0; b < B; b++) {
        const t = timeIndex(s, lens[b], reverse);
        if (t < 0) continue; // dh, dc pass through a finished sequence unchanged
        const hRow = b * H;
        const gRow = (t * B + b) * H;
        for (let j = 0; j < H; j++) dh[hRow + j] += g[gRow + j]; // the output at t is h_t
        const xRow = (t * B + b) * GH;
        const aRow = (s * B + b) * GH;
        const hp = s * BH + b * H;
        const hn = (s + 1) * BH + b * H;
        if (mode === 'lstm') {
          for (let j = 0; j < H; j++) {
            const i = acts[aRow + j], f = acts[aRow + H + j], gg = acts[aRow + 2 * H + j], o = acts[aRow + 3 * H + j];
            const tc = tcAll![s * BH + b * H + j];
            const dhj = dh[hRow + j];
            // h = o·tanh(c): ∂/∂o = tanh(c), ∂/∂c = o·(1 − tanh²c); c = f·c' + i·g
            const dct = dc![hRow + j] + dhj * o * (1 - tc * tc);
            const dai = dct * gg * i * (1 - i);
            const daf = dct * cAll![hp + j] * f * (1 - f);
            const dag = dct * i * (1 - gg * gg);
            const dao = dhj * tc * o * (1 - o);
            dgh[aRow + j] = dai; dgh[aRow + H + j] = daf; dgh[aRow + 2 * H + j] = dag; dgh[aRow + 3 * H + j] = dao;
            dgx[xRow + j] = dai; dgx[xRow + H + j] = daf; dgx[xRow + 2 * H + j] = dag; dgx[xRow + 3 * H + j] = dao;
            dc![hRow + j] = dct * f; // ∂c/∂c' = f
          }
        } else if (mode === 'gru') {
          for (let j = 0; j < H; j++) {
            const r = acts[aRow + j], z = acts[aRow + H + j], n = acts[aRow + 2 * H + j];
            const hnv = hnAll![s * BH + b * H + j];
            const dhj = dh[hRow + j];
            // h = (1 − z)·n + z·h': ∂/∂n = 1 − z, ∂/∂z = h' − n, ∂/∂h' = z (direct path)
            const dan = dhj * (1 - z) * (1 - n * n);
            const daz = dhj * (hAll[hp + j] - n) * z * (1 - z);
            const dar = dan * hnv * r * (1 - r); // n = tanh(x_n + r·hn)
            dgx[xRow + j] = dar; dgx[xRow + H + j] = daz; dgx[xRow + 2 * H + j] = dan;
            dgh[aRow + j] = dar; dgh[aRow + H + j] = daz; dgh[aRow + 2 * H + j] = dan * r;
            dh[hRow + j] = dhj * z; // direct path; the W_hh path is added below
          }
        } else {
          const relu = mode === 'rnn_relu';
          for (let j = 0; j < H; j++) {
            const h = hAll[hn + j];
            const da = dh[hRow + j] * (relu ? (h > 0 ? 1 : 0) : 1 - h * h);
            dgh[aRow + j] = da;
            dgx[xRow + j] = da;
          }
        }
      }
      // ∂L/∂h_{t−1} through W_hh: dgh_s (B, G·H) · W_hh (G·H, H)
      backend.matmul(dgh.subarray(s * B * GH, (s + 1) * B * GH), W, dhPrev, back);
      for (let b = 0; b < B; b++) {
        if (timeIndex(s, lens[b], reverse) < 0) continue;
        const hRow = b * H;
        if (mode === 'gru') for (let j = 0; j < H; j++) dh[hRow + j] += dhPrev[hRow + j];
        else for (let j = 0; j < H; j++) dh[hRow + j] = dhPrev[hRow + j];
      }
    }
    // ∂L/∂W_hh = Σ_s dgh_sᵀ · h_{s−1}: one (G·H, T·B)·(T·B, H) product
    let dW: Tensor | null = null;
    if (wHh.requiresGrad) {
      dW = new Tensor(allocate(dtype, GH * H), [GH, H]);
      if (T * B > 0) backend.matmul(dgh, hAll.subarray(0, T * BH), dW.data as FloatArray, { batch: 1, m: GH, n: H, k: T * B, transA: true, transB: false, aBatchStride: 0, bBatchStride: 0 });
    }
    let dB: Tensor | null = null;
    if (bHh !== null && bHh.requiresGrad) {
      dB = new Tensor(allocate(dtype, GH), [GH]);
      const d = dB.data as FloatArray;
      for (let r = 0; r < T * B; r++) for (let j = 0; j < GH; j++) d[j] += dgh[r * GH + j];
    }
    return [
      new Tensor(dgx, [T, B, GH]),
      dW,
      dB,
      new Tensor(dh, [B, H]),
      dc === null ? null : new Tensor(dc, [B, H]),
    ];
  });
}

/** Splits recurrence()'s packed result into views: output (T, B, H), final h (B, H), final c (B, H). */
export function unpackRecurrence(packed: Tensor, mode: RecurrenceMode): { output: Tensor; h: Tensor; c: Tensor | null } {
  const rows = packed.shape[0]!;
  const [, B, H] = packed.shape as [number, number, number];
  const T = rows - (mode === 'lstm' ? 2 : 1);
  return {
    output: narrow(packed, 0, 0, T),
    h: reshape(narrow(packed, 0, T, 1), [B, H]),
    c: mode === 'lstm' ? reshape(narrow(packed, 0, T + 1, 1), [B, H]) : null,
  };
}
