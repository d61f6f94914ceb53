// The job protocol shared by the main thread and the worker threads (see src/backend/wasm/pool.ts).
//
// A job is a descriptor of i32 words in shared memory at `job`:
//   [0] kind   [1] ntasks   [2] next (claim counter)   [3] done (finished tasks)
//   [4] wsBase [5] wsStride (bytes; thread t's private workspace is wsBase + t·wsStride)
//   [6] active (threads inside work(); the main thread rewrites the descriptor only at 0)
//   [8 ..] kind-specific arguments (ARG + i)
// Every participating thread calls work(job, tid): it claims task indices with an atomic add until
// they run out, runs each, and counts it done; the last one notifies the waiting main thread.
// Tasks of one job never write the same bytes, so no other synchronisation is needed.

import { sgemm, GEMM_WS_BYTES, NR, MR } from './gemm';
import { im2col, col2im } from './conv';
import { maxPool, maxPoolBackward, avgPool, avgPoolBackward } from './pool';
import { copyF32, addInto } from './simd';
import { lstmForwardTask, lstmBackwardTask, gruForwardTask, gruBackwardTask, rnnPackTask } from './rnn';
import { convBwdWDirectTask } from './conv_direct_bwdw';
import { winogradWeightsTask, winogradTask } from './winograd';
import { batchNormForward, batchNormBackward } from './norm';
import { convDirectTask } from './conv_direct';

export const K_GEMM = 1;
export const K_CONV_FWD = 2;
export const K_CONV_BWD_IN = 3;
export const K_CONV_BWD_W = 4;
export const K_REDUCE = 5;
export const K_MAXPOOL = 6;
export const K_MAXPOOL_BWD = 7;
export const K_AVGPOOL = 8;
export const K_AVGPOOL_BWD = 9;
export const K_LSTM_FWD = 10;
export const K_LSTM_BWD = 11;
export const K_BN_FWD = 12;
export const K_BN_BWD = 13;
export const K_GRU_FWD = 14;
export const K_GRU_BWD = 15;
export const K_CONV_DIRECT = 16;
export const K_WINO_WEIGHTS = 17;
export const K_WINO = 18;
export const K_CONV_BWD_W_DIRECT = 19;
export const K_RNN_PACK = 20;

const ARG: i32 = 8;
/** byte offset of the ACTIVE word */
const ACTIVE_OFF: usize = 24;
/** The pool's control words sit right below the job descriptor (runtime.ts: CTRL, 64 words); word
 * TASKS_WORD + tid counts the tasks thread tid has run, so a caller can see who computed. */
const CTRL_BYTES: usize = 256;
const TASKS_WORD: usize = 8;

/** First byte the JS side may use: everything below holds the module's static data. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

// @ts-ignore: decorator
@inline function arg(job: usize, i: i32): i32 {
  return load<i32>(job + (<usize>(ARG + i) << 2));
}

// @ts-ignore: decorator
@inline function ptr(job: usize, i: i32): usize {
  return <usize>load<u32>(job + (<usize>(ARG + i) << 2));
}

export function work(job: usize, tid: i32): void {
  // NOTE: a thread can still be in here from the previous job when the main thread wants to write
  // the next descriptor: it announces itself in ACTIVE, and the main thread closes the claim
  // counter and waits for ACTIVE to drop to 0 before rewriting anything. The workspace is read
  // after each successful claim, so a thread that enters early never uses a stale stride.
  atomic.add<i32>(job + ACTIVE_OFF, 1);
  for (;;) {
    const t = atomic.add<i32>(job + 8, 1);
    if (t >= atomic.load<i32>(job + 4)) break;
    const ws = <usize>atomic.load<u32>(job + 16) + <usize>tid * <usize>atomic.load<u32>(job + 20);
    runTask(job, atomic.load<i32>(job), t, ws);
    atomic.add<i32>(job - CTRL_BYTES + ((TASKS_WORD + <usize>tid) << 2), 1);
    const d = atomic.add<i32>(job + 12, 1) + 1;
    if (d == atomic.load<i32>(job + 4)) atomic.notify(job + 12);
  }
  atomic.sub<i32>(job + ACTIVE_OFF, 1);
}

function runTask(job: usize, kind: i32, t: i32, ws: usize): void {
  if (kind == K_GEMM) gemmTask(job, t, ws);
  else if (kind == K_CONV_FWD) convFwdTask(job, t, ws);
  else if (kind == K_CONV_BWD_IN) convBwdInTask(job, t, ws);
  else if (kind == K_CONV_BWD_W) convBwdWTask(job, t, ws);
  else if (kind == K_REDUCE) reduceTask(job, t);
  else if (kind >= K_MAXPOOL && kind <= K_AVGPOOL_BWD) poolTask(job, kind, t);
  else if (kind == K_LSTM_FWD) lstmForwardTask(job, t, ws);
  else if (kind == K_LSTM_BWD) lstmBackwardTask(job, t, ws);
  else if (kind == K_BN_FWD || kind == K_BN_BWD) batchNormTask(job, kind, t);
  else if (kind == K_GRU_FWD) gruForwardTask(job, t, ws);
  else if (kind == K_GRU_BWD) gruBackwardTask(job, t, ws);
  else if (kind == K_CONV_DIRECT) convDirectTask(job, t, ws);
  else if (kind == K_WINO_WEIGHTS) winogradWeightsTask(job, t);
  else if (kind == K_WINO) winogradTask(job, t, ws);
  else if (kind == K_CONV_BWD_W_DIRECT) convBwdWDirectTask(job, t, ws);
  else if (kind == K_RNN_PACK) rnnPackTask(job, t);
}

/** GEMM args: 0 m 1 n 2 k 3 a 4 rsA 5 csA 6 bsA 7 b 8 rsB 9 csB 10 bsB 11 c 12 ldc 13 bsC 14 acc
 * 15 splitM 16 splitN (strides in elements). Task t = (batch, row slice, column slice). */
function gemmTask(job: usize, t: i32, ws: usize): void {
  const m = arg(job, 0), n = arg(job, 1), k = arg(job, 2);
  const rsA = arg(job, 4), csA = arg(job, 5), rsB = arg(job, 8), csB = arg(job, 9), ldc = arg(job, 12);
  const sM = arg(job, 15), sN = arg(job, 16);
  const per = sM * sN;
  const bi = t / per;
  const r = t - bi * per;
  const si = r / sN;
  const sj = r - si * sN;
  const rowsPer = ((m + sM - 1) / sM + MR - 1) / MR * MR;
  const colsPer = ((n + sN - 1) / sN + NR - 1) / NR * NR;
  const i0 = si * rowsPer, i1 = min(m, i0 + rowsPer);
  const j0 = sj * colsPer, j1 = min(n, j0 + colsPer);
  if (i0 >= i1 || j0 >= j1) return;
  const a = ptr(job, 3) + (<usize>(bi * arg(job, 6) + i0 * rsA) << 2);
  const b = ptr(job, 7) + (<usize>(bi * arg(job, 10) + j0 * csB) << 2);
  const c = ptr(job, 11) + (<usize>(bi * arg(job, 13) + i0 * ldc + j0) << 2);
  sgemm(i1 - i0, j1 - j0, k, a, rsA, csA, b, rsB, csB, c, ldc, arg(job, 14), ws);
}

// Conv args: 0 n 1 c 2 h 3 w 4 o 5 kh 6 kw 7 oh 8 ow 9 sh 10 sw 11 ph 12 pw 13 dh 14 dw 15 groups
// 16 in0 17 in1 18 out (the weight gradient: its slices × o × K partials) 19 slices 20 chunk
// (columns per im2col pass) 21 unused 22 channel slices (backward-input, weight gradient) 23 offset of the
// (og, chunk) staging buffer (in ws).
// The column buffer (K, chunk) lives in the thread's workspace right after the GEMM workspace.
//
// All three kernels work in a batched column space: column j = b·N + q (image b, output position
// q, N = oh·ow), so a pass over `chunk` columns can span several small images. That keeps the
// GEMMs large (the weights are packed once per pass, not once per tiny image) and, for the weight
// gradient, makes the reduction over images the GEMM's own k loop. A pass inside one image reads
// and writes the tensors directly; a pass across images goes through the staging buffer.

// @ts-ignore: decorator
@inline function isPointwise(job: usize): bool {
  return arg(job, 5) == 1 && arg(job, 6) == 1 && arg(job, 9) == 1 && arg(job, 10) == 1
    && arg(job, 11) == 0 && arg(job, 12) == 0;
}

/** im2col of columns [ja, jb) of the batched column space, channels [c0, c1) of group g. */
function im2colBatched(job: usize, x: usize, g: i32, c0: i32, c1: i32, ja: i32, jb: i32, col: usize): void {
  const c = arg(job, 1), h = arg(job, 2), w = arg(job, 3), N = arg(job, 7) * arg(job, 8);
  const cg = c / arg(job, 15);
  let j = ja;
  while (j < jb) {
    const b = j / N;
    const q0 = j - b * N;
    const q1 = min(N, q0 + (jb - j));
    im2col(x + (<usize>((b * c + g * cg) * h * w) << 2), h, w, c0, c1, arg(job, 5), arg(job, 6), arg(job, 7), arg(job, 8),
      arg(job, 9), arg(job, 10), arg(job, 11), arg(job, 12), arg(job, 13), arg(job, 14), q0, q1,
      col + (<usize>(j - ja) << 2), jb - ja);
    j += q1 - q0;
  }
}

/** Copies rows [r0, r0 + rows) of the (channels, N) planes of tensor t (n, chans, N) for columns
 * [ja, jb) to or from the staging buffer st (rows, jb − ja). */
function stage(t: usize, chans: i32, r0: i32, rows: i32, N: i32, ja: i32, jb: i32, st: usize, toStage: bool): void {
  const ld = jb - ja;
  let j = ja;
  while (j < jb) {
    const b = j / N;
    const q0 = j - b * N;
    const q1 = min(N, q0 + (jb - j));
    for (let r = 0; r < rows; r++) {
      const tp = t + (<usize>((b * chans + r0 + r) * N + q0) << 2);
      const sp = st + (<usize>(r * ld + j - ja) << 2);
      if (toStage) copyF32(sp, tp, q1 - q0);
      else copyF32(tp, sp, q1 - q0);
    }
    j += q1 - q0;
  }
}

/** Columns of slice s when `total` columns are cut into `slices` slices (multiples of NR). */
// @ts-ignore: decorator
@inline function sliceStart(s: i32, total: i32, slices: i32): i32 {
  const per = ((total + slices - 1) / slices + NR - 1) / NR * NR;
  return min(total, s * per);
}

/** First channel of slice cs when cg channels are cut into `slices` slices of ⌈cg / slices⌉ (the
 * last ones short or empty). */
// @ts-ignore: decorator
@inline function channelStart(cs: i32, cg: i32, slices: i32): i32 {
  return min(cg, cs * ((cg + slices - 1) / slices));
}

/** y[:, group g] = W_g (og, K) · col (K, columns) for column slice s; t = (g, s). */
function convFwdTask(job: usize, t: i32, ws: usize): void {
  const n = arg(job, 0), c = arg(job, 1), h = arg(job, 2), w = arg(job, 3), o = arg(job, 4);
  const kh = arg(job, 5), kw = arg(job, 6), N = arg(job, 7) * arg(job, 8), groups = arg(job, 15);
  const slices = arg(job, 19), chunk = arg(job, 20);
  const cg = c / groups, og = o / groups, K = cg * kh * kw, J = n * N;
  const s = t % slices, g = t / slices;
  const j0 = sliceStart(s, J, slices), j1 = sliceStart(s + 1, J, slices);
  const x = ptr(job, 16), y = ptr(job, 18);
  const wt = ptr(job, 17) + (<usize>(g * og * K) << 2);
  const col = ws + GEMM_WS_BYTES, st = ws + <usize>arg(job, 23);
  const pointwise = isPointwise(job);
  for (let ja = j0; ja < j1; ja += chunk) {
    const jb = min(j1, ja + chunk);
    const b = ja / N;
    const single = (jb - 1) / N == b;
    const q0 = ja - b * N;
    if (single && pointwise) {
      sgemm(og, jb - ja, K, wt, K, 1, x + (<usize>((b * c + g * cg) * N + q0) << 2), N, 1,
        y + (<usize>((b * o + g * og) * N + q0) << 2), N, 0, ws);
      continue;
    }
    im2colBatched(job, x, g, 0, cg, ja, jb, col);
    // NOTE: rows of y that are a multiple of 4 KiB apart (N = 1024, 50176, …) all land in the same
    // L1 sets and evict each other between the GEMM's k passes; the staging buffer avoids that.
    if (single && (N & 1023) != 0) {
      sgemm(og, jb - ja, K, wt, K, 1, col, jb - ja, 1, y + (<usize>((b * o + g * og) * N + q0) << 2), N, 0, ws);
    } else {
      sgemm(og, jb - ja, K, wt, K, 1, col, jb - ja, 1, st, jb - ja, 0, ws);
      stage(y, o, g * og, og, N, ja, jb, st, false);
    }
  }
}

/** gx[images of slice s, channels of slice cs, group g] = col2im(W_gᵀ · gy); t = (g, cs, s).
 * Slices are whole images (col2im of one image must not be split: windows overlap). */
function convBwdInTask(job: usize, t: i32, ws: usize): void {
  const n = arg(job, 0), c = arg(job, 1), h = arg(job, 2), w = arg(job, 3), o = arg(job, 4);
  const kh = arg(job, 5), kw = arg(job, 6), N = arg(job, 7) * arg(job, 8), groups = arg(job, 15);
  const slices = arg(job, 19), chunk = arg(job, 20), cSlices = arg(job, 22);
  const cg = c / groups, og = o / groups, K = cg * kh * kw, kk = kh * kw;
  const s = t % slices, cs = (t / slices) % cSlices, g = t / (slices * cSlices);
  const b0 = s * n / slices, b1 = (s + 1) * n / slices;
  const c0 = channelStart(cs, cg, cSlices), c1 = channelStart(cs + 1, cg, cSlices);
  if (c0 >= c1 || b0 >= b1) return;
  const gy = ptr(job, 16), gx = ptr(job, 18);
  // A(i, p) = W[g·og + p, c0·kk + i]: the weight read transposed.
  const wt = ptr(job, 17) + (<usize>(g * og * K + c0 * kk) << 2);
  const rows = (c1 - c0) * kk;
  const col = ws + GEMM_WS_BYTES, st = ws + <usize>arg(job, 23);
  const hw = h * w;
  if (isPointwise(job)) {
    for (let b = b0; b < b1; b++) {
      sgemm(rows, N, og, wt, 1, K, gy + (<usize>((b * o + g * og) * N) << 2), N, 1,
        gx + (<usize>((b * c + g * cg + c0) * N) << 2), N, 0, ws);
    }
    return;
  }
  for (let b = b0; b < b1; b++) memory.fill(gx + (<usize>((b * c + g * cg + c0) * hw) << 2), 0, <usize>((c1 - c0) * hw) << 2);
  const J1 = b1 * N;
  for (let ja = b0 * N; ja < J1; ja += chunk) {
    const jb = min(J1, ja + chunk);
    const b = ja / N;
    if ((jb - 1) / N == b) {
      sgemm(rows, jb - ja, og, wt, 1, K, gy + (<usize>((b * o + g * og) * N + ja - b * N) << 2), N, 1, col, jb - ja, 0, ws);
    } else {
      stage(gy, o, g * og, og, N, ja, jb, st, true);
      sgemm(rows, jb - ja, og, wt, 1, K, st, jb - ja, 1, col, jb - ja, 0, ws);
    }
    let j = ja;
    while (j < jb) {
      const bb = j / N;
      const q0 = j - bb * N;
      const q1 = min(N, q0 + (jb - j));
      col2im(gx + (<usize>((bb * c + g * cg) * hw) << 2), h, w, c0, c1, kh, kw, arg(job, 7), arg(job, 8),
        arg(job, 9), arg(job, 10), arg(job, 11), arg(job, 12), arg(job, 13), arg(job, 14), q0, q1,
        col + (<usize>(j - ja) << 2), jb - ja);
      j += q1 - q0;
    }
  }
}

/** partial_s[g][:, taps of channel slice cs] (og, kk·|cs|) = gy[:, g] (og, columns) · col (taps,
 * columns)ᵀ over column slice s; t = (g, cs, s). The partials are slice-indexed (arg 18: slices × o × K
 * floats), so the REDUCE job's sum, in slice order, does not depend on which thread ran which task;
 * channel slices write disjoint columns of a partial (with one column slice, of gw itself): they
 * split a large gw without partials, and each one's block of gw stays in cache across passes. */
function convBwdWTask(job: usize, t: i32, ws: usize): void {
  const n = arg(job, 0), c = arg(job, 1), o = arg(job, 4);
  const kh = arg(job, 5), kw = arg(job, 6), N = arg(job, 7) * arg(job, 8), groups = arg(job, 15);
  const slices = arg(job, 19), chunk = arg(job, 20), cSlices = arg(job, 22);
  const cg = c / groups, og = o / groups, kk = kh * kw, K = cg * kk, J = n * N;
  const s = t % slices, cs = (t / slices) % cSlices, g = t / (slices * cSlices);
  const c0 = channelStart(cs, cg, cSlices), c1 = channelStart(cs + 1, cg, cSlices);
  const kLen = (c1 - c0) * kk;
  if (kLen == 0) return;
  const j0 = sliceStart(s, J, slices), j1 = sliceStart(s + 1, J, slices);
  const x = ptr(job, 16), gy = ptr(job, 17);
  const pg = ptr(job, 18) + (<usize>((s * o + g * og) * K + c0 * kk) << 2);
  for (let r = 0; r < og; r++) memory.fill(pg + (<usize>(r * K) << 2), 0, <usize>kLen << 2);
  if (j0 >= j1) return;
  const col = ws + GEMM_WS_BYTES, st = ws + <usize>arg(job, 23);
  for (let ja = j0; ja < j1; ja += chunk) {
    const jb = min(j1, ja + chunk);
    const b = ja / N;
    const single = (jb - 1) / N == b;
    const q0 = ja - b * N;
    let a = st;
    if (single) a = gy + (<usize>((b * o + g * og) * N + q0) << 2);
    else stage(gy, o, g * og, og, N, ja, jb, st, true);
    const lda = single ? N : jb - ja;
    if (single && isPointwise(job)) {
      // B(p, j) = x[b, g·cg + c0 + j, q0 + p]: the input planes read transposed.
      sgemm(og, kLen, jb - ja, a, lda, 1, x + (<usize>((b * c + g * cg + c0) * N + q0) << 2), 1, N, pg, K, 1, ws);
      continue;
    }
    im2colBatched(job, x, g, c0, c1, ja, jb, col);
    // B(p, j) = col[j, p]: the column buffer read transposed (rsB = 1, csB = ldcol).
    sgemm(og, kLen, jb - ja, a, lda, 1, col, 1, jb - ja, pg, K, 1, ws);
  }
}

/** REDUCE args: 0 len 1 dst 2 partials (count × len floats) 3 count 4 elements per task.
 * dst[chunk t] = Σ_i partial_i[chunk t], added in the order i = 0, 1, … (the same bits whatever
 * thread runs a chunk). */
function reduceTask(job: usize, t: i32): void {
  const len = arg(job, 0), per = arg(job, 4), count = arg(job, 3);
  const i0 = t * per, i1 = min(len, i0 + per);
  if (i0 >= i1) return;
  const dst = ptr(job, 1) + (<usize>i0 << 2);
  const src = ptr(job, 2) + (<usize>i0 << 2), stride = <usize>len << 2;
  memory.copy(dst, src, <usize>(i1 - i0) << 2);
  for (let i = 1; i < count; i++) addInto(dst, src + <usize>i * stride, i1 - i0);
}

/** Pool args: 0 planes 1 h 2 w 3 kh 4 kw 5 oh 6 ow 7 sh 8 sw 9 ph 10 pw 11 in0 12 in1 13 out
 * 14 countIncludePad 15 planes per task. */
function poolTask(job: usize, kind: i32, t: i32): void {
  const per = arg(job, 15);
  const p0 = t * per, p1 = min(arg(job, 0), p0 + per);
  if (p0 >= p1) return;
  const h = arg(job, 1), w = arg(job, 2), kh = arg(job, 3), kw = arg(job, 4), oh = arg(job, 5), ow = arg(job, 6);
  const sh = arg(job, 7), sw = arg(job, 8), ph = arg(job, 9), pw = arg(job, 10);
  if (kind == K_MAXPOOL) maxPool(p0, p1, h, w, kh, kw, oh, ow, sh, sw, ph, pw, ptr(job, 11), ptr(job, 13), ptr(job, 12));
  else if (kind == K_MAXPOOL_BWD) maxPoolBackward(p0, p1, h, w, oh, ow, ptr(job, 11), ptr(job, 12), ptr(job, 13));
  else if (kind == K_AVGPOOL) avgPool(p0, p1, h, w, kh, kw, oh, ow, sh, sw, ph, pw, ptr(job, 11), ptr(job, 13), arg(job, 14));
  else avgPoolBackward(p0, p1, h, w, kh, kw, oh, ow, sh, sw, ph, pw, ptr(job, 11), ptr(job, 13), arg(job, 14));
}

/** Batch-norm args: 0 outer 1 c 2 inner 3 channels per task; forward: 4 x 5 weight 6 bias 7 y
 * 8 mean 9 var 10 invstd 11 eps (f32 bits) 12 residual 13 relu flag; backward: 4 x 5 gy 6 weight
 * 7 mean 8 invstd 9 gx 10 gWeight 11 gBias 12 y (the relu mask) 13 gResidual (0 = none for weight,
 * bias, gx, residual, y, gResidual). Task t = a range of channels. */
function batchNormTask(job: usize, kind: i32, t: i32): void {
  const c = arg(job, 1), per = arg(job, 3);
  const j0 = t * per, j1 = min(c, j0 + per);
  if (j0 >= j1) return;
  if (kind == K_BN_FWD) {
    batchNormForward(arg(job, 0), c, arg(job, 2), j0, j1, ptr(job, 4), ptr(job, 5), ptr(job, 6), ptr(job, 7),
      ptr(job, 8), ptr(job, 9), ptr(job, 10), reinterpret<f32>(arg(job, 11)), ptr(job, 12), arg(job, 13));
  } else {
    batchNormBackward(arg(job, 0), c, arg(job, 2), j0, j1, ptr(job, 4), ptr(job, 5), ptr(job, 6), ptr(job, 7),
      ptr(job, 8), ptr(job, 9), ptr(job, 10), ptr(job, 11), ptr(job, 12), ptr(job, 13));
  }
}
