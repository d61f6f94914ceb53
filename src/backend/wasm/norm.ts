/**
 * Training-mode batch norm on the wasm runtime (src/kernels/norm.ts): channels are split across
 * threads; copy-in/copy-out like every wasm kernel. float64 and tiny tensors go to the reference.
 */
import type { BatchNormBackwardFusion, BatchNormFusion, BatchNormGeometry, FloatArray } from '../backend.js';
import * as ref from '../ref/elementwise.js';
import { align, getRuntime, Kind } from './runtime.js';
import { Arena, copyOut } from './kernels.js';

/** Below this many elements the copies and the job cost more than the reference loop. */
const MIN_ELEMS = 4096;
/** Elements per task, at least: smaller tasks do not pay for a thread's wake-up. */
const TASK_ELEMS = 1 << 15;

function split(g: BatchNormGeometry, threads: number): { tasks: number; per: number; parallel: boolean } {
  const n = g.outer * g.c * g.inner;
  const parallel = threads > 1 && n >= 2 * TASK_ELEMS;
  const tasks = parallel ? Math.min(g.c, 2 * threads) : 1;
  return { tasks: Math.ceil(g.c / Math.ceil(g.c / tasks)), per: Math.ceil(g.c / tasks), parallel };
}

const allF32 = (...xs: (FloatArray | null)[]): boolean => xs.every((a) => a === null || a instanceof Float32Array);

const f32Bits = (v: number): number => new Int32Array(new Float32Array([v]).buffer)[0]!;

export function batchNormForward(x: FloatArray, weight: FloatArray | null, bias: FloatArray | null, y: FloatArray,
  mean: FloatArray, varOut: FloatArray, invstd: FloatArray, eps: number, g: BatchNormGeometry, fuse?: BatchNormFusion): void {
  const n = g.outer * g.c * g.inner;
  const residual = fuse?.residual ?? null;
  if (!allF32(x, weight, bias, y, mean, varOut, invstd, residual) || n < MIN_ELEMS) return ref.batchNormForward(x, weight, bias, y, mean, varOut, invstd, eps, g, fuse);
  const rt = getRuntime();
  const { tasks, per, parallel } = split(g, rt.getNumThreads());
  const arena = new Arena(align(rt.wsBase));
  const px = arena.input(rt, x as Float32Array, n), py = arena.alloc(n);
  const pw = weight === null ? 0 : arena.input(rt, weight as Float32Array, g.c);
  const pb = bias === null ? 0 : arena.input(rt, bias as Float32Array, g.c);
  const pr = residual === null ? 0 : arena.input(rt, residual as Float32Array, n);
  const pm = arena.alloc(g.c), pv = arena.alloc(g.c), pi = arena.alloc(g.c);
  if (!rt.canHold(arena.p)) return ref.batchNormForward(x, weight, bias, y, mean, varOut, invstd, eps, g, fuse);
  arena.commit(rt);
  rt.run(Kind.BN_FWD, tasks, [g.outer, g.c, g.inner, per, px, pw, pb, py, pm, pv, pi, f32Bits(eps), pr, fuse?.relu === true ? 1 : 0], 0, parallel);
  copyOut(rt, py, y as Float32Array, n);
  copyOut(rt, pm, mean as Float32Array, g.c);
  copyOut(rt, pv, varOut as Float32Array, g.c);
  copyOut(rt, pi, invstd as Float32Array, g.c);
}

export function batchNormBackward(x: FloatArray, gy: FloatArray, weight: FloatArray | null, mean: FloatArray, invstd: FloatArray,
  gx: FloatArray | null, gWeight: FloatArray, gBias: FloatArray, g: BatchNormGeometry, fuse?: BatchNormBackwardFusion): void {
  const n = g.outer * g.c * g.inner;
  const yMask = fuse?.y ?? null, gRes = fuse?.gResidual ?? null;
  if (!allF32(x, gy, weight, mean, invstd, gx, gWeight, gBias, yMask, gRes) || n < MIN_ELEMS) {
    return ref.batchNormBackward(x, gy, weight, mean, invstd, gx, gWeight, gBias, g, fuse);
  }
  const rt = getRuntime();
  const { tasks, per, parallel } = split(g, rt.getNumThreads());
  const arena = new Arena(align(rt.wsBase));
  const px = arena.input(rt, x as Float32Array, n), pg = arena.input(rt, gy as Float32Array, n), pgx = gx === null ? 0 : arena.alloc(n);
  const pw = weight === null ? 0 : arena.input(rt, weight as Float32Array, g.c);
  const pm = arena.input(rt, mean as Float32Array, g.c), pi = arena.input(rt, invstd as Float32Array, g.c);
  const py = yMask === null ? 0 : arena.input(rt, yMask as Float32Array, n), pgr = gRes === null ? 0 : arena.alloc(n);
  const pgw = arena.alloc(g.c), pgb = arena.alloc(g.c);
  if (!rt.canHold(arena.p)) return ref.batchNormBackward(x, gy, weight, mean, invstd, gx, gWeight, gBias, g, fuse);
  arena.commit(rt);
  rt.run(Kind.BN_BWD, tasks, [g.outer, g.c, g.inner, per, px, pg, pw, pm, pi, pgx, pgw, pgb, py, pgr], 0, parallel);
  if (gx !== null) copyOut(rt, pgx, gx as Float32Array, n);
  if (gRes !== null) copyOut(rt, pgr, gRes as Float32Array, n);
  copyOut(rt, pgw, gWeight as Float32Array, g.c);
  copyOut(rt, pgb, gBias as Float32Array, g.c);
}
