/**
 * The elementwise and reduction Backend methods the wasm runtime accelerates, float32, on the calling
 * thread (direct calls into the module's exports, no job): softmax cross-entropy (forward, backward),
 * the sum over a leading axis (a bias gradient), bias adds and per-channel add/mul, same-shape adds,
 * relu and its backward. Each copies its inputs into wasm memory (a resident bias is read in place),
 * runs and copies the results out, like kernels.ts. float64, other shapes, calls too small to repay
 * the copies and calls too big for wasm memory go to the reference kernels.
 */
import type { AdamHyper, SgdHyper, BinaryOp, DataArray, FloatArray, ReduceOp, StridedInput, UnaryBackwardOp, UnaryOp } from '../backend.js';
import * as ref from '../ref/elementwise.js';
import { getRuntime } from './runtime.js';
import { Arena, copyIn, copyOut } from './kernels.js';

/** Below this many elements the JS loops are as fast as copying in and out. */
const MIN_ELEMS = 1024;
/** f64 accumulators sumLeading_f32 needs (its column block). */
const SUM_BLOCK = 512;

/** softmaxCrossEntropy_f32 (src/kernels/elementwise.ts): x, probs (rows, classes); loss, target (rows). */
export function softmaxCrossEntropy(x: FloatArray, target: Int32Array, loss: FloatArray, probs: FloatArray, rows: number, classes: number): void {
  const n = rows * classes;
  if (!(x instanceof Float32Array && loss instanceof Float32Array && probs instanceof Float32Array) || n < MIN_ELEMS) {
    return ref.softmaxCrossEntropy(x, target, loss, probs, rows, classes);
  }
  const rt = getRuntime();
  const arena = new Arena(rt.wsBase);
  const px = arena.alloc(n), pp = arena.alloc(n), pt = arena.alloc(rows), pl = arena.alloc(rows);
  if (!rt.canHold(arena.p)) return ref.softmaxCrossEntropy(x, target, loss, probs, rows, classes);
  rt.ensureBytes(arena.p);
  copyIn(rt, x, px, n);
  copyIn(rt, target, pt, rows);
  rt.ex.softmaxCrossEntropy_f32(px, pt, pl, pp, rows, classes);
  copyOut(rt, pp, probs, n);
  copyOut(rt, pl, loss, rows);
}

/** softmaxCrossEntropyBackward_f32, computed in place over the copied-in probs. */
export function softmaxCrossEntropyBackward(probs: FloatArray, target: Int32Array, gLoss: FloatArray, gx: FloatArray, rows: number, classes: number): void {
  const n = rows * classes;
  if (!(probs instanceof Float32Array && gLoss instanceof Float32Array && gx instanceof Float32Array) || n < MIN_ELEMS) {
    return ref.softmaxCrossEntropyBackward(probs, target, gLoss, gx, rows, classes);
  }
  const rt = getRuntime();
  const arena = new Arena(rt.wsBase);
  const pp = arena.alloc(n), pt = arena.alloc(rows), pg = arena.alloc(rows);
  if (!rt.canHold(arena.p)) return ref.softmaxCrossEntropyBackward(probs, target, gLoss, gx, rows, classes);
  rt.ensureBytes(arena.p);
  copyIn(rt, probs, pp, n);
  copyIn(rt, target, pt, rows);
  copyIn(rt, gLoss, pg, rows);
  rt.ex.softmaxCrossEntropyBackward_f32(pp, pt, pg, pp, rows, classes);
  copyOut(rt, pp, gx, n);
}

/** reduce: 'sum' over the leading axis (outer = 1, inner > 1: a bias gradient) runs sumLeading_f32;
 * every other case is ref's. */
export function reduce(op: ReduceOp, x: DataArray, out: DataArray, outer: number, size: number, inner: number): void {
  const n = size * inner;
  if (op !== 'sum' || outer !== 1 || inner === 1 || n < MIN_ELEMS || !(x instanceof Float32Array && out instanceof Float32Array)) {
    return ref.reduce(op, x, out, outer, size, inner);
  }
  const rt = getRuntime();
  const arena = new Arena(rt.wsBase);
  const px = arena.alloc(n), po = arena.alloc(inner), pacc = arena.alloc(2 * SUM_BLOCK);
  if (!rt.canHold(arena.p)) return ref.reduce(op, x, out, outer, size, inner);
  rt.ensureBytes(arena.p);
  copyIn(rt, x, px, n);
  rt.ex.sumLeading_f32(px, po, size, inner, pacc);
  copyOut(rt, po, out, inner);
}

/** x is one row repeated over every leading dim: last stride 1, all others 0 (or size 1). */
function row(x: StridedInput, shape: readonly number[]): boolean {
  const nd = shape.length;
  if (nd < 2 || (shape[nd - 1] !== 1 && x.strides[nd - 1] !== 1)) return false;
  for (let d = 0; d < nd - 1; d++) if (shape[d] !== 1 && x.strides[d] !== 0) return false;
  return true;
}

/** The one axis d along which x varies (stride 1, all other strides 0) with d not the last axis
 * (a per-channel bias viewed as (1, C, 1, 1)); −1 otherwise. */
function channelAxis(x: StridedInput, shape: readonly number[]): number {
  const nd = shape.length;
  let axis = -1;
  for (let d = 0; d < nd; d++) {
    if (shape[d] === 1 || x.strides[d] === 0) continue;
    if (x.strides[d] !== 1 || axis !== -1) return -1;
    axis = d;
  }
  return axis === nd - 1 ? -1 : axis;
}

const view = (x: StridedInput, n: number): Float32Array => (x.data as Float32Array).subarray(x.offset, x.offset + n);

/** binary 'add' and 'mul', float32, in SIMD: add of two dense operands (residual connections) or of
 * a broadcast row (a Linear's bias, either side); add or mul of a per-channel vector (a convolution's
 * bias, an eval-mode batch norm's scale). Every other case is ref's. */
export function binary(op: BinaryOp, a: StridedInput, b: StridedInput, out: DataArray, shape: readonly number[]): void {
  const n = out.length;
  const f32 = a.data instanceof Float32Array && b.data instanceof Float32Array && out instanceof Float32Array;
  if ((op !== 'add' && op !== 'mul') || !f32 || n < MIN_ELEMS) return ref.binary(op, a, b, out, shape);
  const rt = getRuntime();
  const arena = new Arena(rt.wsBase);
  if (op === 'add' && ref.isDense(a, shape) && ref.isDense(b, shape)) {
    // same shape: residual connections
    const pa = arena.alloc(n), pb = arena.alloc(n);
    if (!rt.canHold(arena.p)) return ref.binary(op, a, b, out, shape);
    rt.ensureBytes(arena.p);
    copyIn(rt, view(a, n), pa, n);
    copyIn(rt, view(b, n), pb, n);
    rt.ex.addInto(pa, pb, n);
    copyOut(rt, pa, out, n);
    return;
  }
  let x: StridedInput, bias: StridedInput;
  if (op === 'add' && ref.isDense(a, shape) && row(b, shape)) [x, bias] = [a, b];
  else if (op === 'add' && ref.isDense(b, shape) && row(a, shape)) [x, bias] = [b, a];
  else {
    // a per-channel bias or scale (outer, C, inner)
    let d = ref.isDense(a, shape) ? channelAxis(b, shape) : -1;
    [x, bias] = [a, b];
    if (d < 0 && ref.isDense(b, shape)) { d = channelAxis(a, shape); [x, bias] = [b, a]; }
    if (d < 0) return ref.binary(op, a, b, out, shape);
    const C = shape[d]!, inner = shape.slice(d + 1).reduce((p, q) => p * q, 1), outer = n / (C * inner);
    const px = arena.alloc(n), pc = arena.input(rt, view(bias, C), C);
    if (!rt.canHold(arena.p)) return ref.binary(op, a, b, out, shape);
    arena.commit(rt);
    copyIn(rt, view(x, n), px, n);
    rt.ex.channelOp_f32(px, pc, px, outer, C, inner, op === 'mul' ? 1 : 0);
    copyOut(rt, px, out, n);
    return;
  }
  const cols = shape[shape.length - 1]!, rows = n / cols;
  const px = arena.alloc(n), pb = arena.input(rt, view(bias, cols), cols);
  if (!rt.canHold(arena.p)) return ref.binary(op, a, b, out, shape);
  arena.commit(rt);
  copyIn(rt, view(x, n), px, n);
  rt.ex.addRows_f32(px, pb, px, rows, cols);
  copyOut(rt, px, out, n);
}

/** The unary ops with a SIMD kernel besides relu: their op code in unaryMath_f32. */
const MATH_OPS: Partial<Record<UnaryOp, number>> = { tanh: 0, sigmoid: 1, exp: 2 };

export function unary(op: UnaryOp, x: DataArray, out: DataArray, alpha?: number): void {
  const n = x.length;
  const math = MATH_OPS[op];
  if ((op !== 'relu' && math === undefined) || !(x instanceof Float32Array && out instanceof Float32Array) || n < MIN_ELEMS) return ref.unary(op, x, out, alpha);
  const rt = getRuntime();
  const arena = new Arena(rt.wsBase);
  const px = arena.alloc(n);
  if (!rt.canHold(arena.p)) return ref.unary(op, x, out, alpha);
  rt.ensureBytes(arena.p);
  copyIn(rt, x, px, n);
  if (math === undefined) rt.ex.relu_f32(px, px, n);
  else rt.ex.unaryMath_f32(px, px, n, math);
  copyOut(rt, px, out, n);
}

export function unaryBackward(op: UnaryBackwardOp, x: FloatArray, y: FloatArray, gy: FloatArray, gx: FloatArray, alpha?: number): void {
  const n = gx.length;
  if (op !== 'relu' || !(x instanceof Float32Array && gy instanceof Float32Array && gx instanceof Float32Array) || n < MIN_ELEMS) {
    return ref.unaryBackward(op, x, y, gy, gx, alpha);
  }
  const rt = getRuntime();
  const arena = new Arena(rt.wsBase);
  const px = arena.alloc(n), pg = arena.alloc(n);
  if (!rt.canHold(arena.p)) return ref.unaryBackward(op, x, y, gy, gx, alpha);
  rt.ensureBytes(arena.p);
  copyIn(rt, x, px, n);
  copyIn(rt, gy, pg, n);
  rt.ex.reluBackward_f32(px, pg, pg, n);
  copyOut(rt, pg, gx, n);
}

/**
 * Runs an in-place optimizer kernel on `inPlace` arrays (updated where they live when resident — a
 * parameter and its optimizer state: then nothing is copied but the gradient — else copied in and
 * out) and the read-only gradient. False when the arrays do not fit in wasm memory.
 */
function optimizerStep(inPlace: readonly Float32Array[], grad: Float32Array, kernel: (ptrs: number[], pg: number) => void): boolean {
  const n = grad.length;
  if (n === 0) return true;
  const rt = getRuntime();
  const arena = new Arena(rt.wsBase);
  const places = inPlace.map((a) => {
    const off = rt.residentOffset(a);
    return off >= 0 ? { a, ptr: off, copied: false } : { a, ptr: arena.alloc(n), copied: true };
  });
  const pg = arena.input(rt, grad, n);
  if (!rt.canHold(arena.p)) return false;
  arena.commit(rt);
  for (const p of places) if (p.copied) copyIn(rt, p.a, p.ptr, n);
  kernel(places.map((p) => p.ptr), pg);
  for (const p of places) if (p.copied) copyOut(rt, p.ptr, p.a, n);
  return true;
}

/** adam_f32 in place on θ, m, v. */
export function adamStep(theta: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, h: AdamHyper): boolean {
  return optimizerStep([theta, m, v], grad, ([pt, pm, pv], pg) => getRuntime().ex.adam_f32(pt!, pg, pm!, pv!, grad.length,
    h.beta1, h.beta2, h.stepSize, h.bc2Sqrt, h.eps, h.l2, h.sign, h.decay));
}

/** sgd_f32 in place on θ and the momentum buffer (if any). */
export function sgdStep(theta: Float32Array, grad: Float32Array, buf: Float32Array | null, h: SgdHyper): boolean {
  return optimizerStep(buf === null ? [theta] : [theta, buf], grad, ([pt, pb], pg) => getRuntime().ex.sgd_f32(pt!, pg, pb ?? 0,
    grad.length, h.lr, h.momentum, h.dampening, h.weightDecay, h.sign, h.nesterov ? 1 : 0, h.first ? 1 : 0));
}
