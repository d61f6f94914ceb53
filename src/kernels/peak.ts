// peak_f32: the machine's WebAssembly SIMD multiply-add peak, for the benchmark's "fraction of
// peak" column. Twelve independent f32x4 accumulators, a = a·m + c per step (madd: one relaxed
// fused multiply-add, or f32x4.mul + f32x4.add in the plain variant); 8 FLOP per accumulator-step.
import { madd } from './simd';

/** Runs `iters` steps; returns a lane of the sum so the work cannot be dropped. FLOPs = 96·iters. */
export function peak(iters: i32): f32 {
  const m = f32x4.splat(0.9999999);
  const c = f32x4.splat(1e-7);
  let a0 = f32x4.splat(0.0), a1 = f32x4.splat(0.001), a2 = f32x4.splat(0.002), a3 = f32x4.splat(0.003);
  let a4 = f32x4.splat(0.004), a5 = f32x4.splat(0.005), a6 = f32x4.splat(0.006), a7 = f32x4.splat(0.007);
  let a8 = f32x4.splat(0.008), a9 = f32x4.splat(0.009), a10 = f32x4.splat(0.01), a11 = f32x4.splat(0.011);
  for (let i = 0; i < iters; i++) {
    a0 = madd(a0, m, c); a1 = madd(a1, m, c); a2 = madd(a2, m, c); a3 = madd(a3, m, c);
    a4 = madd(a4, m, c); a5 = madd(a5, m, c); a6 = madd(a6, m, c); a7 = madd(a7, m, c);
    a8 = madd(a8, m, c); a9 = madd(a9, m, c); a10 = madd(a10, m, c); a11 = madd(a11, m, c);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  return f32x4.extract_lane(f32x4.add(s, f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11))), 0);
}
