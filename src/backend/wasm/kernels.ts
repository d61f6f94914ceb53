/**
 * The Backend methods the wasm runtime accelerates: matmul, conv2d (+ both backwards) and pooling,
 * float32. Each call copies its inputs into the shared memory (resident arrays, i.e. parameters, are
 * read where they are), runs one or two jobs on the thread pool and copies its outputs back (see
 * runtime.ts for why copy-in/copy-out). float64 calls (the gradient-check mode) go to the reference
 * kernels.
 */
import type { Conv2dGeometry, FloatArray, MatmulParams, Pool2dGeometry } from '../backend.js';
import * as refMatmul from '../ref/matmul.js';
import * as refConv from '../ref/conv.js';
import * as refPool from '../ref/pool.js';
import { align, getRuntime, Kind, type WasmRuntime } from './runtime.js';

/** Micro-tile of the GEMM (src/kernels/gemm.ts: 6×8, or 4×8 in the plain-SIMD build); used here
 * only to size thread slices. */
const MR = 6, NR = 8;
/** A job is split across threads only above this many FLOPs (~50 µs on one core); below it the
 * wake-up of the workers costs more than it saves. */
const PAR_MIN_FLOPS = 3e6;
/** Elements of one im2col pass per thread (4 MiB): big enough that the weights are packed only a
 * few times per pass over the batch, small enough to stay in the last-level cache. */
let COL_ELEMS = 1 << 20;
const COL_ELEMS_BACKWARD_WEIGHT = 1 << 18;

/** Tuning/testing hook: elements of one im2col pass (the pass is ≥ 64 columns whatever this is).
 * Returns the previous value. */
export function setConvChunkElements(n: number): number {
  const prev = COL_ELEMS;
  COL_ELEMS = Math.max(1, Math.floor(n));
  return prev;
}

/** Per-call bump allocator over the runtime's data region (after the workspaces). */
export class Arena {
  p: number;
  private readonly pending: { src: Float32Array | Int32Array; ptr: number; len: number }[] = [];
  constructor(start: number) { this.p = start; }
  alloc(elems: number): number {
    const q = align(this.p);
    this.p = q + elems * 4;
    return q;
  }
  /** Where the kernel finds the first `len` elements of a READ-ONLY input: in place when it is a
   * resident array (a parameter), else in a fresh slot that commit() fills. */
  input(rt: WasmRuntime, src: Float32Array | Int32Array, len: number): number {
    const off = len > 0 ? rt.residentOffset(src) : -1;
    if (off >= 0) return off;
    const kept = src instanceof Float32Array ? carry?.present.get(src) : undefined;
    if (kept !== undefined && kept.len === len) return kept.ptr;
    const ptr = this.alloc(len);
    this.pending.push({ src, ptr, len });
    if (carry !== null && src instanceof Float32Array) carry.present.set(src, { ptr, len });
    return ptr;
  }
  /** Grows the memory to the arena's end and copies the pending inputs in (in a conv2dBackward,
   * the first half's arena also takes a slot for x, which its job's `meanwhile` copies in). */
  commit(rt: WasmRuntime): void {
    if (carry?.prefetch) {
      const { src, len } = carry.prefetch, ptr = this.alloc(len);
      carry.prefetch = null;
      carry.present.set(src, { ptr, len });
      carry.meanwhile.push(() => copyIn(rt, src, ptr, len));
    }
    if (carry !== null) carry.end = Math.max(carry.end, this.p);
    rt.ensureBytes(this.p);
    for (const { src, ptr, len } of this.pending) copyIn(rt, src, ptr, len);
    this.pending.length = 0;
  }
}

export function copyIn(rt: WasmRuntime, src: Float32Array | Int32Array, ptr: number, len: number): void {
  if (len <= 0) return;
  const view = src instanceof Float32Array ? rt.f32 : rt.i32;
  view.set(src.length === len ? src : src.subarray(0, len), ptr >> 2);
}

export function copyOut(rt: WasmRuntime, ptr: number, dst: Float32Array | Int32Array, len: number): void {
  if (len <= 0) return;
  const view = dst instanceof Float32Array ? rt.f32 : rt.i32;
  dst.set(view.subarray(ptr >> 2, (ptr >> 2) + len));
}

const allF32 = (...xs: FloatArray[]): boolean => xs.every((x) => x instanceof Float32Array);

/** A conv2dBackward between its halves (gx, then gw): what the first left in wasm memory for the
 * second to read in place, and the main thread's copies that the next main job hides. */
interface BackwardCarry {
  /** inputs in memory: gy (copied in by the first half) and x (copied while its job runs) */
  readonly present: Map<Float32Array, { ptr: number; len: number }>;
  /** x, until the first half's arena gives it a slot */
  prefetch: { src: Float32Array; len: number } | null;
  /** gx: its copy-out waits for the second half's job */
  readonly deferOut: Float32Array;
  /** copies for the next main job's `meanwhile` */
  meanwhile: (() => void)[];
  /** end of the arenas so far: the second half's workspaces and data start above it */
  end: number;
}
let carry: BackwardCarry | null = null;

/** The pending main-thread copies, for the `meanwhile` of a call's main job (undefined: none). */
function takeMeanwhile(): (() => void) | undefined {
  if (carry === null || carry.meanwhile.length === 0) return undefined;
  const fns = carry.meanwhile;
  carry.meanwhile = [];
  return () => { for (const f of fns) f(); };
}

/** copyOut, except gx in a conv2dBackward's first half: copied out during the second half's job. */
function copyOutResult(rt: WasmRuntime, ptr: number, dst: Float32Array, len: number): void {
  if (carry !== null && dst === carry.deferOut) carry.meanwhile.push(() => copyOut(rt, ptr, dst, len));
  else copyOut(rt, ptr, dst, len);
}

/** matmul_f32: C (batch, m, n) = op(A) · op(B) (+= C when accumulate); see MatmulParams. */
export function matmul(a: FloatArray, b: FloatArray, c: FloatArray, p: MatmulParams): void {
  if (!allF32(a, b, c)) return refMatmul.matmul(a, b, c, p);
  const { batch, m, n, k, transA, transB, aBatchStride, bBatchStride } = p;
  const acc = p.accumulate === true;
  const cLen = batch * m * n;
  if (cLen === 0) return;
  if (k === 0) {
    if (!acc) c.fill(0, 0, cLen);
    return;
  }
  const rt = getRuntime();
  const T = rt.getNumThreads();
  const flops = 2 * batch * m * n * k;
  let splitM = 1, splitN = 1;
  const parallel = T > 1 && flops >= PAR_MIN_FLOPS;
  if (parallel && batch < T) {
    const s = Math.ceil(T / batch);
    if (n >= m) splitN = Math.max(1, Math.min(s, Math.ceil(n / (4 * NR))));
    else splitM = Math.max(1, Math.min(s, Math.ceil(m / (4 * MR))));
  }
  const wsStride = align(rt.gemmWsBytes);
  const aLen = (batch - 1) * aBatchStride + m * k;
  const bLen = (batch - 1) * bBatchStride + k * n;
  const arena = new Arena(rt.wsBase + rt.slots * wsStride);
  const pa = arena.input(rt, a as Float32Array, aLen), pb = arena.input(rt, b as Float32Array, bLen), pc = arena.alloc(cLen);
  arena.commit(rt);
  if (acc) copyIn(rt, c as Float32Array, pc, cLen);
  rt.run(Kind.GEMM, batch * splitM * splitN, [
    m, n, k,
    pa, transA ? 1 : k, transA ? m : 1, aBatchStride,
    pb, transB ? 1 : n, transB ? k : 1, bBatchStride,
    pc, n, m * n, acc ? 1 : 0, splitM, splitN,
  ], wsStride, parallel);
  copyOut(rt, pc, c as Float32Array, cLen);
}

interface ConvPlan {
  K: number; N: number; J: number; chunk: number;
  /** workspace bytes per thread: GEMM workspace, column buffer (K, chunk), staging (og, chunk) */
  wsBytes: number; stageOff: number; args: number[];
}

/** `colRows`: rows of the column buffer a task fills (K, or fewer when tasks take channel slices). */
function convPlan(g: Conv2dGeometry, colElems = COL_ELEMS, colRows?: number): ConvPlan {
  const cg = g.c / g.groups, og = g.o / g.groups;
  const K = cg * g.kh * g.kw, N = g.oh * g.ow, J = g.n * N;
  const rows = colRows ?? K;
  const chunk = Math.max(64, Math.min(align(Math.max(J, 1), NR), Math.floor(colElems / Math.max(rows, 1) / NR) * NR));
  const stageOff = align(getRuntime().gemmWsBytes + rows * chunk * 4);
  const wsBytes = align(stageOff + og * chunk * 4);
  const args = [g.n, g.c, g.h, g.w, g.o, g.kh, g.kw, g.oh, g.ow, g.strideH, g.strideW, g.padH, g.padW,
    g.dilationH, g.dilationW, g.groups];
  return { K, N, J, chunk, wsBytes, stageOff, args };
}

/** Column slices per group so that T threads get ≥ 2 tasks each (≥ 64 columns a slice). */
function columnSlices(P: ConvPlan, groups: number, T: number, parallel: boolean): number {
  if (!parallel) return 1;
  return Math.max(1, Math.min(Math.ceil(P.J / 64), Math.ceil((2 * T) / groups)));
}

const convFlops = (g: Conv2dGeometry): number =>
  2 * g.n * g.o * g.oh * g.ow * (g.c / g.groups) * g.kh * g.kw;

export type ConvKernelMode = 'auto' | 'always' | 'never';
/** Which convolution kernels run: 'auto' (each kernel's measured rule below), or forced on or off
 * (tests, tuning). direct: the direct forward (directConv); winograd: Winograd F(2×2, 3×3)
 * (winogradConv); backwardWeightDirect: the direct weight gradient (directBackwardWeight). */
const convModes: Record<'direct' | 'winograd' | 'backwardWeightDirect', ConvKernelMode> = {
  direct: 'auto', winograd: 'auto', backwardWeightDirect: 'auto',
};

/** Tuning/testing hook: 'always' takes `kernel` wherever it can run, 'never' leaves its work to
 * the others. Returns the previous mode. */
export function setConvKernelMode(kernel: keyof typeof convModes, mode: ConvKernelMode): ConvKernelMode {
  const prev = convModes[kernel];
  convModes[kernel] = mode;
  return prev;
}

/** Largest K = c·kh·kw the direct kernel takes in 'auto' mode (see directConv); 1×1 kernels. */
const DIRECT_MAX_K = 1152, DIRECT_MAX_K_1X1 = 64;

/**
 * Whether the forward runs the direct kernel (src/kernels/conv_direct.ts): it can for stride 1,
 * groups 1 and output rows of ≥ 4 pixels. Measured on one thread against im2col + GEMM, it was
 * 1.3–2.4× faster on LeNet-5's and ResNet-20's convolutions (K = 9…576), 1.05–1.15× on 3×3 convs
 * with K = 576…1152 (32×64×56×56, 128 channels at 16×16 and 56×56), and slower from K = 2304 (256
 * and 512 channels: its weight panel, MR·K floats, no longer stays in L1; the GEMM blocks k).
 * 1×1 kernels (which the GEMM reads in place, without im2col): 1.1–1.3× up to K = 64, even at
 * K = 128, slower at 256.
 */
function directConv(g: Conv2dGeometry): boolean {
  if (convModes.direct === 'never' || g.strideH !== 1 || g.strideW !== 1 || g.groups !== 1 || g.ow < 4) return false;
  return convModes.direct === 'always' || g.c * g.kh * g.kw <= (g.kh * g.kw === 1 ? DIRECT_MAX_K_1X1 : DIRECT_MAX_K);
}

/** conv2d_f32 by the direct kernel: tasks = (image slice, slice of 6-channel blocks). */
function conv2dDirect(x: Float32Array, weight: ConvWeight, y: Float32Array, g: Conv2dGeometry, T: number, parallel: boolean, bias: Float32Array | null): void {
  const rt = getRuntime();
  const K = g.c * g.kh * g.kw;
  const hp = g.h + 2 * g.padH, wq = g.w + 2 * g.padW;
  // Workspace: weight panels ((o rounded up to MR ≤ 6) × K), offset table (K), padded image, tile.
  const offsOff = align((g.o + 5) * K * 4);
  const xpOff = align(offsOff + K * 4);
  const tileOff = align(xpOff + (g.padH > 0 || g.padW > 0 ? g.c * hp * wq * 4 : 0));
  const flat = g.ow < 8; // rows narrower than a tile: flat mode (see src/kernels/conv_direct.ts)
  const obufOff = flat ? align(tileOff + 6 * 8 * 4) : 0;
  const wsBytes = align(flat ? obufOff + 6 * g.oh * wq * 4 : tileOff + 6 * 8 * 4);
  // ≥ 2 tasks a thread, but none under PAR_MIN_FLOPS (a small image's tasks would cost more in
  // wake-ups and repeated padding than they save).
  const maxTasks = Math.max(1, Math.floor(convFlops(g) / PAR_MIN_FLOPS));
  const slices = parallel ? Math.min(g.n, 4 * T, maxTasks) : 1;
  const cSlices = parallel && slices < 2 * T
    ? Math.max(1, Math.min(Math.ceil(g.o / 6), Math.ceil((2 * T) / slices), Math.floor(maxTasks / slices))) : 1;
  const xLen = g.n * g.c * g.h * g.w, wLen = g.o * K, yLen = g.n * g.o * g.oh * g.ow;
  const arena = new Arena(rt.wsBase + rt.slots * wsBytes);
  const px = arena.input(rt, x, xLen), W = weightInput(rt, arena, weight, wLen), pw = W.ptr, py = arena.alloc(yLen);
  const pb = bias === null ? 0 : arena.input(rt, bias, g.o);
  arena.commit(rt);
  W.ready();
  rt.run(Kind.CONV_DIRECT, slices * cSlices, [g.n, g.c, g.h, g.w, g.o, g.kh, g.kw, g.oh, g.ow, g.padH, g.padW,
    g.dilationH, g.dilationW, px, pw, py, slices, cSlices, offsOff, xpOff, tileOff, obufOff], wsBytes, parallel, takeMeanwhile());
  finishConv(rt, py, pb, y, g);
}

/** Adds the bias (if any) to the output in wasm memory, while it is still warm, and copies it out:
 * one pass instead of a separate op's copy-in, add and copy-out. */
function finishConv(rt: WasmRuntime, py: number, pb: number, y: Float32Array, g: Conv2dGeometry): void {
  if (pb !== 0) rt.ex.channelOp_f32(py, pb, py, g.n, g.o, g.oh * g.ow, 0);
  copyOutResult(rt, py, y, g.n * g.o * g.oh * g.ow);
}

/** Fewest input and output channels, and tiles, for which Winograd wins (measured on one thread,
 * 3×3 pad 1, against the direct kernel and im2col + GEMM: 1.5–3× faster from 64 channels up to
 * 256, a tie at 32, slower at 16 where the direct kernel is best; with 512 channels it wins from
 * 128 tiles (32×512×4×4: 46 against 58 ms) but loses at 49 (VGG's 14×14 layers at batch 1: 25
 * against 20 ms), where transforming 2.4 M weights into 16 matrices is not repaid). */
const WINO_MIN_CHANNELS = 32, WINO_MIN_TILES = 96;
/** Bytes of V and M per task, and its bounds in tiles (see conv2dWinograd). */
const WINO_WS_BYTES = 1 << 20, WINO_MIN_PC = 128, WINO_MAX_PC = 256;

/** Whether the forward runs Winograd F(2×2, 3×3) (src/kernels/winograd.ts): 3×3, stride 1, no
 * dilation, groups 1. */
function winogradConv(g: Conv2dGeometry): boolean {
  if (convModes.winograd === 'never' || g.kh !== 3 || g.kw !== 3 || g.strideH !== 1 || g.strideW !== 1
    || g.dilationH !== 1 || g.dilationW !== 1 || g.groups !== 1) return false;
  return convModes.winograd === 'always' || (g.c >= WINO_MIN_CHANNELS && g.o >= WINO_MIN_CHANNELS
    && g.n * Math.ceil(g.oh / 2) * Math.ceil(g.ow / 2) >= WINO_MIN_TILES);
}

/** conv2d_f32 by Winograd: one job transforms the weights, one runs chunks of tiles (see
 * src/kernels/winograd.ts for the layouts). */
function conv2dWinograd(x: Float32Array, weight: ConvWeight, y: Float32Array, g: Conv2dGeometry, T: number, parallel: boolean, bias: Float32Array | null): void {
  const rt = getRuntime();
  const th = Math.ceil(g.oh / 2), tw = Math.ceil(g.ow / 2), P = g.n * th * tw;
  // Tiles per task: V and M, 16·(C + O)·Pc floats, about 1 MiB (in cache beside the GEMM's
  // panels), but ≥ 128 tiles so that packing each U[ξ] (every task packs all 16) is repaid; when
  // the work is split, two tasks per thread, or at least one of ≥ 64 tiles.
  let Pc = Math.max(WINO_MIN_PC, Math.min(WINO_MAX_PC, Math.floor(WINO_WS_BYTES / (64 * (g.c + g.o)) / 8) * 8));
  if (parallel) Pc = Math.min(Pc, Math.max(WINO_MIN_PC / 2, Math.ceil(P / (2 * T) / 8) * 8));
  Pc = Math.min(Pc, Math.ceil(P / 4) * 4);
  const ldv = Pc + 4, LW = 2 * Pc + 16;
  const vOff = align(rt.gemmWsBytes), mOff = align(vOff + 16 * g.c * ldv * 4), lineOff = align(mOff + 16 * g.o * ldv * 4);
  const wsBytes = align(lineOff + 4 * LW * 4);
  const yLen = g.n * g.o * g.oh * g.ow;
  const arena = new Arena(rt.wsBase + rt.slots * wsBytes);
  const px = arena.input(rt, x, g.n * g.c * g.h * g.w), W = weightInput(rt, arena, weight, g.o * g.c * 9), pw = W.ptr;
  const pu = arena.alloc(16 * g.o * g.c), py = arena.alloc(yLen);
  const pb = bias === null ? 0 : arena.input(rt, bias, g.o);
  arena.commit(rt);
  W.ready();
  const wTasks = parallel ? Math.min(g.o, 2 * T) : 1, per = Math.ceil(g.o / wTasks);
  rt.run(Kind.WINO_WEIGHTS, Math.ceil(g.o / per), [g.o, g.c, pw, pu, per], 0, parallel);
  rt.run(Kind.WINO, Math.ceil(P / Pc), [g.n, g.c, g.h, g.w, g.o, g.oh, g.ow, g.padH, g.padW, th, tw, P, Pc,
    px, pu, py, vOff, mOff, lineOff, ldv, LW], wsBytes, parallel, takeMeanwhile());
  finishConv(rt, py, pb, y, g);
}

/** conv2d_f32: Winograd for 3×3 convolutions of enough channels (winogradConv), else the direct
 * kernel where it is faster (directConv), else im2col + GEMM over slices of the batched column
 * space (see src/kernels/work.ts). */
export function conv2d(x: FloatArray, weight: FloatArray, y: FloatArray, g: Conv2dGeometry, bias: FloatArray | null = null): void {
  if (!allF32(x, weight, y) || (bias !== null && !(bias instanceof Float32Array))) return refConv.conv2d(x, weight, y, g, bias);
  const yLen = g.n * g.o * g.oh * g.ow;
  if (yLen === 0) return;
  const rt = getRuntime();
  const T = rt.getNumThreads();
  const parallel = T > 1 && convFlops(g) >= PAR_MIN_FLOPS;
  if (winogradConv(g)) return conv2dWinograd(x as Float32Array, weight as Float32Array, y as Float32Array, g, T, parallel, bias as Float32Array | null);
  if (directConv(g)) return conv2dDirect(x as Float32Array, weight as Float32Array, y as Float32Array, g, T, parallel, bias as Float32Array | null);
  const P = convPlan(g);
  const slices = columnSlices(P, g.groups, T, parallel);
  const xLen = g.n * g.c * g.h * g.w, wLen = g.o * P.K;
  const arena = new Arena(rt.wsBase + rt.slots * P.wsBytes);
  const px = arena.input(rt, x as Float32Array, xLen), pw = arena.input(rt, weight as Float32Array, wLen), py = arena.alloc(yLen);
  const pb = bias === null ? 0 : arena.input(rt, bias as Float32Array, g.o);
  arena.commit(rt);
  rt.run(Kind.CONV_FWD, g.groups * slices, [...P.args, px, pw, py, slices, P.chunk, 0, 1, P.stageOff], P.wsBytes, parallel);
  finishConv(rt, py, pb, y as Float32Array, g);
}

/** The backward-input of a stride-1 convolution (no dilation, groups 1) is itself a convolution:
 * gy (n, o, oh, ow) ⋆ the weights with in and out channels swapped and each kh×kw rotated by 180°,
 * padding k − 1 − p, gives gx (n, c, h, w). Its geometry and kernel when Winograd or the direct
 * kernel would run it (they beat col2im where they beat im2col), else null. */
function backwardInputAsConv(g: Conv2dGeometry): { t: Conv2dGeometry; kernel: 'winograd' | 'direct' } | null {
  if (g.strideH !== 1 || g.strideW !== 1 || g.dilationH !== 1 || g.dilationW !== 1 || g.groups !== 1
    || g.padH > g.kh - 1 || g.padW > g.kw - 1) return null;
  const t: Conv2dGeometry = { n: g.n, c: g.o, h: g.oh, w: g.ow, o: g.c, kh: g.kh, kw: g.kw, oh: g.h, ow: g.w,
    strideH: 1, strideW: 1, padH: g.kh - 1 - g.padH, padW: g.kw - 1 - g.padW, dilationH: 1, dilationW: 1, groups: 1 };
  if (winogradConv(t)) return { t, kernel: 'winograd' };
  // the direct kernel where its own rule takes it, for kernels larger than 1×1 (a 1×1 backward-input
  // is a plain GEMM already, without col2im) and ≥ 6 input channels (its tiles are 6 output
  // channels: LeNet's conv2 backward-input 1.71 → 1.30 ms, but a 1-channel input's got slower)
  if (g.kh * g.kw > 1 && g.c >= 6 && directConv(t)) return { t, kernel: 'direct' };
  return null;
}

/** A convolution's weight operand: an array, or the rotated, transposed form of one (o, c, kArea)
 * → (c, o, kArea), each kernel turned by 180° (backward-input run as a forward convolution), made
 * in the call's wasm memory instead of a new JS array that would then be copied in. */
type ConvWeight = Float32Array | { rotationOf: Float32Array; o: number; c: number; kArea: number };

/** Places the weight in the arena (before commit); `ready` (after commit) makes a rotated one. */
function weightInput(rt: WasmRuntime, arena: Arena, w: ConvWeight, len: number): { ptr: number; ready: () => void } {
  if (w instanceof Float32Array) return { ptr: arena.input(rt, w, len), ready: () => {} };
  const src = arena.input(rt, w.rotationOf, len), ptr = arena.alloc(len);
  return { ptr, ready: () => rt.ex.rotateTransposeWeights(src, ptr, w.o, w.c, w.kArea) };
}

/** conv2dBackwardInput_f32: as a forward convolution where backwardInputAsConv takes it, else
 * gx = col2im(Wᵀ · gy) per (group, channel slice, image slice). */
export function conv2dBackwardInput(gy: FloatArray, weight: FloatArray, gx: FloatArray, g: Conv2dGeometry): void {
  if (!allF32(gy, weight, gx)) return refConv.conv2dBackwardInput(gy, weight, gx, g);
  const gxLen = g.n * g.c * g.h * g.w;
  if (gxLen === 0) return;
  const rt = getRuntime();
  const T = rt.getNumThreads();
  const parallel = T > 1 && convFlops(g) >= PAR_MIN_FLOPS;
  const asConv = backwardInputAsConv(g);
  if (asConv !== null) {
    const wt: ConvWeight = { rotationOf: weight as Float32Array, o: g.o, c: g.c, kArea: g.kh * g.kw };
    if (asConv.kernel === 'winograd') return conv2dWinograd(gy as Float32Array, wt, gx as Float32Array, asConv.t, T, parallel, null);
    return conv2dDirect(gy as Float32Array, wt, gx as Float32Array, asConv.t, T, parallel, null);
  }
  const P = convPlan(g);
  const imageSlices = parallel ? Math.min(g.n, 2 * T) : 1;
  const cSlices = parallel && g.groups * imageSlices < 2 * T
    ? Math.min(g.c / g.groups, Math.ceil((2 * T) / (g.groups * imageSlices))) : 1;
  const gyLen = g.n * g.o * P.N, wLen = g.o * P.K;
  const arena = new Arena(rt.wsBase + rt.slots * P.wsBytes);
  const pgy = arena.input(rt, gy as Float32Array, gyLen), pw = arena.input(rt, weight as Float32Array, wLen), pgx = arena.alloc(gxLen);
  arena.commit(rt);
  rt.run(Kind.CONV_BWD_IN, g.groups * cSlices * imageSlices,
    [...P.args, pgy, pw, pgx, imageSlices, P.chunk, 0, cSlices, P.stageOff], P.wsBytes, parallel, takeMeanwhile());
  copyOutResult(rt, pgx, gx as Float32Array, gxLen);
}

/** The direct weight-gradient kernel (src/kernels/conv_direct_bwdw.ts) in 'auto' mode: images of
 * at least this many output pixels (each tile loads and stores its accumulators once per image;
 * ResNet-18's 4×4 layers, 16 pixels, run 1.3× slower than im2col + GEMM) and a gwᵀ sum of at most
 * DIRECT_BWDW_MAX_SUM floats per thread. Measured on one thread against im2col + GEMM: LeNet's
 * conv1 0.82 → 0.68 ms (against this kernel's predecessor, which took K ≤ 48), conv2 1.5 → 0.7 ms,
 * ResNet-20's layers 1.3–1.6×, ResNet-18's 32×32 and 16×16 layers 1.1–1.2×, its 8×8 a tie. */
const DIRECT_BWDW_MIN_PIXELS = 32, DIRECT_BWDW_MAX_SUM = 1 << 20;

/** Whether the weight gradient runs the direct kernel: stride 1, groups 1, not 1×1 (a 1×1 GEMM
 * reads the input planes in place), and whole images to split across threads. */
function directBackwardWeight(g: Conv2dGeometry, T: number, parallel: boolean): boolean {
  if (convModes.backwardWeightDirect === 'never' || g.strideH !== 1 || g.strideW !== 1 || g.groups !== 1 || g.kh * g.kw === 1) return false;
  if (convModes.backwardWeightDirect === 'always') return true;
  return g.oh * g.ow >= DIRECT_BWDW_MIN_PIXELS && (!parallel || g.n >= T)
    && Math.ceil(g.c * g.kh * g.kw / 4) * 4 * Math.ceil(g.o / 8) * 8 <= DIRECT_BWDW_MAX_SUM;
}

/** conv2dBackwardWeight_f32: the direct kernel where it wins (backwardWeightDirect), else im2col:
 * tasks take channel slices (disjoint blocks of gw's columns) and column slices (the images are the
 * GEMM's k dimension; each slice sums into its own partial gw, and a second job adds the partials). */
export function conv2dBackwardWeight(x: FloatArray, gy: FloatArray, gw: FloatArray, g: Conv2dGeometry): void {
  if (!allF32(x, gy, gw)) return refConv.conv2dBackwardWeight(x, gy, gw, g);
  const cg = g.c / g.groups, og = g.o / g.groups, kk = g.kh * g.kw;
  const gwLen = g.o * cg * kk;
  if (gwLen === 0) return;
  if (g.n * g.oh * g.ow === 0) {
    gw.fill(0, 0, gwLen);
    return;
  }
  const rt = getRuntime();
  const T = rt.getNumThreads();
  const parallel = T > 1 && convFlops(g) >= PAR_MIN_FLOPS;
  if (directBackwardWeight(g, T, parallel)) return backwardWeightDirect(x as Float32Array, gy as Float32Array, gw as Float32Array, g, convPlan(g), T, parallel);
  const cSlices = backwardWeightChannelSlices(og, cg, kk, parallel);
  const cper = Math.ceil(cg / cSlices);
  // The weight gradient's column buffer stays in L2: its GEMM reads the buffer transposed and only
  // og rows use each packed column (ResNet-18's layers 0–10% faster than with the forward's 4 MiB).
  const P = convPlan(g, Math.min(COL_ELEMS, COL_ELEMS_BACKWARD_WEIGHT), cper * kk);
  // Channel slices enough for every thread: no column slices (and no partials). Else one column
  // slice a thread (its partial, o × K, is zeroed, written and summed: finer slices would cost that
  // traffic again); a late thread's slice is claimed by the other.
  const slices = !parallel || g.groups * cSlices >= 2 * T ? 1 : Math.max(1, Math.min(Math.ceil(P.J / 64), Math.ceil(T / (g.groups * cSlices))));
  const xLen = g.n * g.c * g.h * g.w, gyLen = g.n * g.o * P.N;
  const arena = new Arena(rt.wsBase + rt.slots * P.wsBytes);
  const px = arena.input(rt, x as Float32Array, xLen), pgy = arena.input(rt, gy as Float32Array, gyLen);
  const pgw = arena.alloc(gwLen);
  const partials = slices === 1 ? pgw : arena.alloc(slices * gwLen); // one slice writes gw itself
  arena.commit(rt);
  rt.run(Kind.CONV_BWD_W, g.groups * cSlices * slices, [...P.args, px, pgy, partials, slices, P.chunk, 0, cSlices, P.stageOff], P.wsBytes, parallel, takeMeanwhile());
  reducePartials(rt, pgw, partials, slices, gwLen, T, parallel);
  copyOut(rt, pgw, gw as Float32Array, gwLen);
}

/**
 * conv2dBackward_f32: gx and gw of one convolution in one call. As conv2dBackwardInput then
 * conv2dBackwardWeight, except that gy is copied in once (the weight gradient reads the copy the
 * backward-input made), x is copied in while the backward-input's job runs, and gx is copied out
 * while the weight gradient's job runs: on two threads the worker computes while the main thread
 * copies, instead of waiting for it.
 */
export function conv2dBackward(x: FloatArray, weight: FloatArray, gy: FloatArray, gx: FloatArray, gw: FloatArray, g: Conv2dGeometry): void {
  if (!allF32(x, weight, gy, gx, gw) || carry !== null) {
    conv2dBackwardInput(gy, weight, gx, g);
    conv2dBackwardWeight(x, gy, gw, g);
    return;
  }
  const rt = getRuntime();
  const xLen = g.n * g.c * g.h * g.w;
  carry = { present: new Map(), prefetch: xLen > 0 ? { src: x as Float32Array, len: xLen } : null, deferOut: gx as Float32Array, meanwhile: [], end: 0 };
  try {
    conv2dBackwardInput(gy, weight, gx, g);
    carry.prefetch = null; // not placed (an empty gx): the weight gradient copies x in itself
    rt.wsFloor = carry.end;
    conv2dBackwardWeight(x, gy, gw, g);
    takeMeanwhile()?.(); // gx, when the weight gradient ran no job (an empty gw)
  } finally {
    carry = null;
    rt.wsFloor = 0;
  }
}

let forcedChannelSlices = 0;

/** Tuning/testing hook: channel slices of the im2col weight gradient (0: the rule below). Returns
 * the previous value. */
export function setBackwardWeightChannelSlices(n: number): number {
  const prev = forcedChannelSlices;
  forcedChannelSlices = Math.max(0, Math.floor(n));
  return prev;
}

/** gw blocks of at most this many floats (512 KiB) when the im2col weight gradient takes channel
 * slices (backwardWeightChannelSlices). */
const BWDW_BLOCK_ELEMS = 1 << 17;

/**
 * Channel slices of the im2col weight gradient: for a large gw (≥ 8 MiB; ≥ 4 MiB when split across
 * threads) blocks of ≤ 512 KiB, each task then summing its block over every column instead of every
 * column slice streaming the whole of gw through the cache once per pass (and no partials). Measured
 * on ResNet-18's 512-channel 4×4 layer (gw 9 MiB, 18 slices): 1.03–1.06× on one thread, 1.1–1.3× on
 * two; its 256 → 512 stride-2 layer (4.5 MiB, 9 slices) a tie on two threads and 0.96–1.0× on one;
 * smaller layers lose (more packing of gy, shorter GEMMs), so they keep one slice.
 */
function backwardWeightChannelSlices(og: number, cg: number, kk: number, parallel: boolean): number {
  if (forcedChannelSlices > 0) return Math.min(cg, forcedChannelSlices);
  const gwElems = og * cg * kk;
  if (gwElems >= 1 << 21 || (parallel && gwElems >= 1 << 20)) return Math.min(cg, Math.ceil(gwElems / BWDW_BLOCK_ELEMS));
  return 1;
}

/** gw = the sum of `count` partials in order (nothing to do for one, which is gw itself). */
function reducePartials(rt: WasmRuntime, pgw: number, partials: number, count: number, gwLen: number, T: number, parallel: boolean): void {
  if (count === 1) return;
  const per = Math.max(4096, align(Math.ceil(gwLen / (4 * T)), 16));
  rt.run(Kind.REDUCE, Math.ceil(gwLen / per), [gwLen, pgw, partials, count, per], 0, parallel && gwLen >= 65536);
}

/** The direct weight gradient: tasks are ranges of whole images, each writing its own partial gw
 * (task-indexed, in the arena), and the REDUCE job adds them in task order — so the result does not
 * depend on which thread ran which task (two-thread runs repeat bit for bit). */
function backwardWeightDirect(x: Float32Array, gy: Float32Array, gw: Float32Array, g: Conv2dGeometry, P: ConvPlan,
  T: number, parallel: boolean): void {
  const rt = getRuntime();
  const gwLen = g.o * P.K, kk = g.kh * g.kw;
  const o8 = Math.ceil(g.o / 8) * 8;
  const tSlicesWanted = Math.min(Math.ceil(P.K / 4), forcedTapSlices > 0 ? forcedTapSlices : directTapSlices(Math.ceil(P.K / 4) * 4 * o8, T, parallel));
  const kPer = Math.ceil(Math.ceil(P.K / tSlicesWanted) / 4) * 4, tSlices = Math.ceil(P.K / kPer);
  // Workspace: tap offsets (kPer), one padded image (the channels a tap slice reads), the image's
  // gyᵀ (pixels × o rounded up to 8), the task's sum gwᵀ (kPer × o8).
  const padded = g.padH > 0 || g.padW > 0;
  const sliceChannels = Math.min(g.c, Math.ceil(kPer / kk) + 1);
  const xpOff = align(kPer * 4);
  const gtOff = align(xpOff + (padded ? sliceChannels * (g.h + 2 * g.padH) * (g.w + 2 * g.padW) * 4 : 0));
  const sumOff = align(gtOff + P.N * o8 * 4);
  const wsStride = align(sumOff + kPer * o8 * 4);
  // Tasks a thread, by the size of each task's gwᵀ sum (each task zeroes, fills and hands REDUCE its
  // own): four under 256 KiB (the tail, where one thread waits for the other's last task, is shorter:
  // ResNet-18's 64-channel layers and LeNet-5 training 1.04–1.1× faster on 2 threads than with two),
  // two up to 1 MiB (ResNet-18's 128-channel layers: four a tie), one above. Tap slices count as
  // tasks; image slices make the rest (and one partial gw each).
  const sum = kPer * o8;
  const perThread = sum >= 1 << 18 ? 1 : sum >= 1 << 16 ? 2 : 4;
  const wanted = parallel ? Math.min(g.n, Math.ceil((perThread * T) / tSlices)) : 1;
  const perTask = Math.ceil(g.n / wanted);
  const imageSlices = Math.ceil(g.n / perTask);
  const arena = new Arena(rt.wsBase + rt.slots * wsStride);
  const px = arena.input(rt, x, g.n * g.c * g.h * g.w), pgy = arena.input(rt, gy, g.n * g.o * P.N);
  const pgw = arena.alloc(gwLen);
  // one image slice writes gw itself
  const partials = imageSlices === 1 ? pgw : arena.alloc(imageSlices * gwLen);
  arena.commit(rt);
  rt.run(Kind.CONV_BWD_W_DIRECT, imageSlices * tSlices, [g.n, g.c, g.h, g.w, g.o, g.kh, g.kw, g.oh, g.ow, g.padH, g.padW,
    g.dilationH, g.dilationW, px, pgy, perTask, partials, 0, xpOff, gtOff, sumOff, tSlices, kPer], wsStride, parallel, takeMeanwhile());
  reducePartials(rt, pgw, partials, imageSlices, gwLen, T, parallel);
  copyOut(rt, pgw, gw, gwLen);
}

let forcedTapSlices = 0;

/** Tuning/testing hook: tap slices of the direct weight gradient (0: directTapSlices). Returns the
 * previous value. */
export function setBackwardWeightTapSlices(n: number): number {
  const prev = forcedTapSlices;
  forcedTapSlices = Math.max(0, Math.floor(n));
  return prev;
}

/** Tap slices of the direct weight gradient: where each thread would take one task of images (a
 * gwᵀ sum of ≥ 1 MiB), one slice of taps a thread instead, which write disjoint columns of gw: no
 * partials to zero, fill and add (ResNet-18's 256-channel 8×8 layers 1.03–1.1× on 2 threads). On
 * one thread, slicing taps to keep the sum in L2 measured no faster (0.96–1.0×). */
function directTapSlices(K4o8: number, T: number, parallel: boolean): number {
  return parallel && K4o8 >= 1 << 18 ? T : 1;
}

function poolTasks(g: Pool2dGeometry, T: number): { tasks: number; per: number; parallel: boolean } {
  const planes = g.n * g.c;
  const work = planes * g.oh * g.ow * g.kh * g.kw;
  const parallel = T > 1 && work >= 200_000;
  const tasks = parallel ? Math.min(planes, 4 * T) : 1;
  return { tasks, per: Math.ceil(planes / tasks), parallel };
}

const poolArgs = (g: Pool2dGeometry): number[] =>
  [g.n * g.c, g.h, g.w, g.kh, g.kw, g.oh, g.ow, g.strideH, g.strideW, g.padH, g.padW];

/**
 * One pooling job, the same for all four kernels: `input` (and, for max-pool backward, the argmax
 * indices) in, `output` out. The argument words are [geometry…, in, argmax, out, flag, per]; max-pool
 * forward also copies the argmax it wrote back out. Lengths are the dense arrays' element counts.
 */
function runPool(kind: number, g: Pool2dGeometry, input: Float32Array, inLen: number, output: Float32Array, outLen: number,
  argmax: { data: Int32Array; copyIn: boolean } | null, flag: number): void {
  if (outLen === 0) return;
  const rt = getRuntime();
  const S = poolTasks(g, rt.getNumThreads());
  const yLen = g.n * g.c * g.oh * g.ow;
  const arena = new Arena(rt.wsBase);
  const pin = arena.input(rt, input, inLen), pa = argmax ? arena.alloc(yLen) : 0, pout = arena.alloc(outLen);
  arena.commit(rt);
  if (argmax?.copyIn) copyIn(rt, argmax.data, pa, yLen);
  rt.run(kind, S.tasks, [...poolArgs(g), pin, pa, pout, flag, S.per], 0, S.parallel);
  copyOut(rt, pout, output, outLen);
  if (argmax && !argmax.copyIn && argmax.data.length > 0) copyOut(rt, pa, argmax.data, yLen);
}

const planeLen = (g: Pool2dGeometry) => g.n * g.c * g.h * g.w;
const pooledLen = (g: Pool2dGeometry) => g.n * g.c * g.oh * g.ow;

export function maxPool2d(x: FloatArray, y: FloatArray, argmax: Int32Array, g: Pool2dGeometry): void {
  if (!allF32(x, y)) return refPool.maxPool2d(x, y, argmax, g);
  runPool(Kind.MAXPOOL, g, x as Float32Array, planeLen(g), y as Float32Array, pooledLen(g), { data: argmax, copyIn: false }, 0);
}

export function maxPool2dBackward(gy: FloatArray, argmax: Int32Array, gx: FloatArray, g: Pool2dGeometry): void {
  if (!allF32(gy, gx)) return refPool.maxPool2dBackward(gy, argmax, gx, g);
  runPool(Kind.MAXPOOL_BWD, g, gy as Float32Array, pooledLen(g), gx as Float32Array, planeLen(g), { data: argmax, copyIn: true }, 0);
}

export function avgPool2d(x: FloatArray, y: FloatArray, g: Pool2dGeometry, countIncludePad: boolean): void {
  if (!allF32(x, y)) return refPool.avgPool2d(x, y, g, countIncludePad);
  runPool(Kind.AVGPOOL, g, x as Float32Array, planeLen(g), y as Float32Array, pooledLen(g), null, countIncludePad ? 1 : 0);
}

export function avgPool2dBackward(gy: FloatArray, gx: FloatArray, g: Pool2dGeometry, countIncludePad: boolean): void {
  if (!allF32(gy, gx)) return refPool.avgPool2dBackward(gy, gx, g, countIncludePad);
  runPool(Kind.AVGPOOL_BWD, g, gy as Float32Array, pooledLen(g), gx as Float32Array, planeLen(g), null, countIncludePad ? 1 : 0);
}
