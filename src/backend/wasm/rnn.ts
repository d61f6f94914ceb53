/**
 * The fused LSTM and GRU recurrences on the wasm runtime (kernels in src/kernels/rnn.ts). One call
 * copies the whole sequence in, runs one job per time step (a job is the barrier between steps; its
 * tasks are slices of hidden units, so several threads share each step) and copies the results
 * out. Backward does the same in reverse, then ∂W_hh = Σ_s dgh_sᵀ·h_{s−1} as one GEMM job and ∂b_hh
 * as a GEMM with a row of ones.
 */
import type { RecurrenceGeometry, RecurrenceSaved } from '../backend.js';
import { align, getRuntime, Kind, type WasmRuntime } from './runtime.js';
import { Arena, copyIn, copyOut } from './kernels.js';

/** Split a step across threads above this many FLOPs of its W_hh product. Even at batch 1 a step
 * (H = 256: 0.5 MFLOP) gains: it streams all of W_hh (1 MB), which two cores' caches hold and one
 * core's does not (one-token sampling 12 k → 16 k tokens/s on 2 threads). */
const PAR_MIN_FLOPS = 4e5;

const gates = (g: RecurrenceGeometry): number => (g.mode === 'lstm' ? 4 : 3);

/** Floats of W_hh prepacked for the step GEMMs (rnnPackTask in src/kernels/rnn.ts), 0 where it
 * does not pay: one step (nothing to share the packing), or batches of ≤ 4 rows, whose products
 * run as GEMVs that read W_hh unpacked (GEMV_MAX_ROWS in src/kernels/gemm.ts). */
function prepackedLen(g: RecurrenceGeometry, slices: number): number {
  if (g.T < 2 || g.B <= 4) return 0;
  const cap = Math.ceil(Math.ceil(g.H / slices) / 8) * 8; // sliceCap: slices are multiples of NR = 8
  return slices * gates(g) * g.H * cap;
}

function plan(rt: WasmRuntime, g: RecurrenceGeometry): { slices: number; parallel: boolean; wsStride: number } {
  const { B, H } = g;
  const threads = rt.getNumThreads();
  const parallel = threads > 1 && 2 * gates(g) * B * H * H >= PAR_MIN_FLOPS;
  const slices = parallel ? Math.max(1, Math.min(threads, Math.ceil(H / 8))) : 1;
  return { slices, parallel, wsStride: align(rt.ex.lstmWorkspaceBytes(B, Math.max(H, 1), slices)) };
}

const allFull = (g: RecurrenceGeometry): boolean => g.lens.every((l) => l === g.T);

export function recurrenceForward(g: RecurrenceGeometry, gx: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, saved: RecurrenceSaved): boolean {
  const { T, B, H } = g;
  const lstm = g.mode === 'lstm';
  const BH = B * H, G = gates(g) * H;
  if (T === 0 || BH === 0) return true;
  const rt = getRuntime();
  const { slices, parallel, wsStride } = plan(rt, g);
  if (!rt.canHold(backwardLayout(rt, g, slices, wsStride).arena.p)) return false; // too long for wasm memory
  const arena = new Arena(rt.wsBase + rt.slots * wsStride);
  const pLens = arena.input(rt, g.lens, B), pW = arena.input(rt, w, G * H), pB = bias === null ? 0 : arena.input(rt, bias, G);
  const pGx = arena.input(rt, gx, T * B * G), pY = arena.alloc(T * BH);
  const pH = arena.alloc((T + 1) * BH), pC = lstm ? arena.alloc((T + 1) * BH) : 0;
  const pActs = arena.alloc(T * B * G), pAux = arena.alloc(T * BH);
  const packedLen = prepackedLen(g, slices), pPacked = packedLen > 0 ? arena.alloc(packedLen) : 0;
  if (!rt.canHold(arena.p)) return false;
  arena.commit(rt);
  copyIn(rt, saved.hAll, pH, BH);
  if (lstm) copyIn(rt, saved.cAll!, pC, BH);
  if (!allFull(g)) rt.f32.fill(0, pY >> 2, (pY >> 2) + T * BH); // outputs past a sequence's end
  if (pPacked !== 0) rt.run(Kind.RNN_PACK, slices * gates(g), [H, slices, pW, pPacked, gates(g), 0], wsStride, parallel);
  const args = [B, H, T, g.reverse ? 1 : 0, pLens, slices, pW, pH, pC, pActs, pAux, 0, pGx, pB, pY, pPacked];
  const kind = lstm ? Kind.LSTM_FWD : Kind.GRU_FWD;
  // While the last step runs, the main thread copies out the saved rows no step writes any more
  // (hAll/cAll rows 0…T−1, acts/tc rows 0…T−2, all step-indexed; the workers compute meanwhile).
  const training = saved.inferenceOnly !== true;
  const earlyRows = (): void => {
    copyOut(rt, pH, saved.hAll, T * BH);
    if (lstm) copyOut(rt, pC, saved.cAll!, T * BH);
    copyOut(rt, pActs, saved.acts, (T - 1) * B * G);
    copyOut(rt, pAux, saved.aux, (T - 1) * BH);
  };
  for (let s = 0; s < T; s++) {
    args[11] = s;
    rt.run(kind, slices, args, wsStride, parallel, training && s === T - 1 ? earlyRows : undefined);
  }
  copyOut(rt, pY, y, T * BH);
  if (!training) {
    // the final state only, into the output's rows T (h) and T + 1 (c)
    y.set(rt.f32.subarray((pH >> 2) + T * BH, (pH >> 2) + (T + 1) * BH), T * BH);
    if (lstm) y.set(rt.f32.subarray((pC >> 2) + T * BH, (pC >> 2) + (T + 1) * BH), (T + 1) * BH);
    return true;
  }
  // the rows the last step wrote
  copyOut(rt, pH + T * BH * 4, saved.hAll.subarray(T * BH), BH);
  if (lstm) copyOut(rt, pC + T * BH * 4, saved.cAll!.subarray(T * BH), BH);
  copyOut(rt, pActs + (T - 1) * B * G * 4, saved.acts.subarray((T - 1) * B * G), B * G);
  copyOut(rt, pAux + (T - 1) * BH * 4, saved.aux.subarray((T - 1) * BH), BH);
  return true;
}

/** Where backward puts everything in wasm memory (forward checks that this fits before it starts:
 * backward needs the most). */
function backwardLayout(rt: WasmRuntime, g: RecurrenceGeometry, slices: number, wsStride: number) {
  const { T, B, H } = g;
  const lstm = g.mode === 'lstm';
  const BH = B * H, G = gates(g) * H, rows = T + (lstm ? 2 : 1);
  const arena = new Arena(rt.wsBase + rt.slots * Math.max(wsStride, align(rt.gemmWsBytes)));
  const pLens = arena.alloc(B), pW = arena.alloc(G * H), pG = arena.alloc(rows * BH);
  const pH = arena.alloc((T + 1) * BH), pC = lstm ? arena.alloc((T + 1) * BH) : 0;
  const pActs = arena.alloc(T * B * G), pAux = arena.alloc(T * BH);
  const pDh = arena.alloc(BH), pDc = lstm ? arena.alloc(BH) : 0, pDgh = arena.alloc(T * B * G), pDgx = arena.alloc(T * B * G);
  const pDW = arena.alloc(G * H), pOnes = arena.alloc(T * B), pDB = arena.alloc(G);
  const packedLen = prepackedLen(g, slices), pPacked = packedLen > 0 ? arena.alloc(packedLen) : 0;
  return { pLens, pW, pG, pH, pC, pActs, pAux, pDh, pDc, pDgh, pDgx, pDW, pOnes, pDB, pPacked, arena };
}

export function recurrenceBackward(g: RecurrenceGeometry, w: Float32Array, gOut: Float32Array, saved: RecurrenceSaved,
  dgx: Float32Array, dW: Float32Array | null, dB: Float32Array | null, dh: Float32Array, dc: Float32Array | null): void {
  const { T, B, H } = g;
  const lstm = g.mode === 'lstm';
  const BH = B * H, G = gates(g) * H, rows = T + (lstm ? 2 : 1);
  dh.set(gOut.subarray(T * BH, (T + 1) * BH));
  if (lstm) dc!.set(gOut.subarray((T + 1) * BH, (T + 2) * BH));
  if (T === 0 || BH === 0) {
    dgx.fill(0);
    dW?.fill(0);
    dB?.fill(0);
    return;
  }
  const rt = getRuntime();
  const { slices, parallel, wsStride } = plan(rt, g);
  const gemmStride = align(rt.gemmWsBytes);
  const { pLens, pW, pG, pH, pC, pActs, pAux, pDh, pDc, pDgh, pDgx, pDW, pOnes, pDB, pPacked, arena } = backwardLayout(rt, g, slices, wsStride);
  rt.ensureBytes(arena.p);
  copyIn(rt, g.lens, pLens, B);
  const wOff = rt.residentOffset(w); // a resident W_hh is read where it is
  if (wOff < 0) copyIn(rt, w, pW, G * H);
  copyIn(rt, gOut, pG, rows * BH);
  copyIn(rt, saved.hAll, pH, (T + 1) * BH);
  if (lstm) copyIn(rt, saved.cAll!, pC, (T + 1) * BH);
  copyIn(rt, saved.acts, pActs, T * B * G);
  copyIn(rt, saved.aux, pAux, T * BH);
  copyIn(rt, dh, pDh, BH);
  if (lstm) copyIn(rt, dc!, pDc, BH);
  if (!allFull(g)) rt.f32.fill(0, pDgx >> 2, (pDgx >> 2) + T * B * G); // time steps never visited
  const pWhh = wOff < 0 ? pW : wOff;
  if (pPacked !== 0) rt.run(Kind.RNN_PACK, slices, [H, slices, pWhh, pPacked, gates(g), 1], wsStride, parallel);
  const args = [B, H, T, g.reverse ? 1 : 0, pLens, slices, pWhh, pH, pC, pActs, pAux, T - 1, -1, pG, pDh, pDc, pDgh, pDgx, pPacked];
  const kind = lstm ? Kind.LSTM_BWD : Kind.GRU_BWD;
  for (let s = T - 1; s >= -1; s--) {
    args[11] = s; // differentiate the gates of step s…
    args[12] = s + 1 < T ? s + 1 : -1; // …after finishing step s + 1's path through W_hh
    rt.run(kind, slices, args, wsStride, parallel);
  }
  // dgx, dh, dc are final: copied out while the dW job runs (it reads dgh and hAll only)
  const results = (): void => {
    copyOut(rt, pDgx, dgx, T * B * G);
    copyOut(rt, pDh, dh, BH);
    if (lstm) copyOut(rt, pDc, dc!, BH);
  };
  const gemmParallel = rt.getNumThreads() > 1 && 2 * G * H * T * B >= 3e6;
  if (dW !== null) {
    // dW (G·H, H) = dghᵀ (G·H, T·B) · hAll[0:T] (T·B, H); split the rows across threads
    const splitM = gemmParallel ? Math.max(1, Math.min(rt.getNumThreads(), Math.ceil(G / 24))) : 1;
    rt.run(Kind.GEMM, splitM, [G, H, T * B, pDgh, 1, G, 0, pH, H, 1, 0, pDW, H, G * H, 0, splitM, 1], gemmStride, gemmParallel, results);
    copyOut(rt, pDW, dW, G * H);
  } else {
    results();
  }
  if (dB !== null) {
    // dB (1, G·H) = ones (1, T·B) · dgh (T·B, G·H)
    rt.f32.fill(1, pOnes >> 2, (pOnes >> 2) + T * B);
    rt.run(Kind.GEMM, 1, [1, G, T * B, pOnes, T * B, 1, 0, pDgh, G, 1, 0, pDB, G, G, 0, 1, 1], gemmStride, false);
    copyOut(rt, pDB, dB, G);
  }
}
