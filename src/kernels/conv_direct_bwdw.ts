// conv2d weight gradient for stride 1, groups 1 without a column buffer, for small K = c·kh·kw
// (LeNet-5, a 3-channel stem):
//   gw[o, k] = Σ_images Σ_(oy, ox) gy[b, o, oy, ox] · xp[b, off(k) + oy·wq + ox]
// with xp the zero-padded image (c, hp, wq) and off(k) the offset of tap k = (c, ky, kx). The
// reduction runs over output pixels, four at a time in SIMD lanes: a register tile of 3 output
// channels × 4 taps (12 accumulators) reads 3 gradient vectors and 4 unaligned input vectors per
// four pixels, and the lanes are summed once per tile at the end. A task owns a range of images,
// pads them all into its workspace once (the tiles then re-read them from cache) and adds its sums
// into its thread's partial gw; the REDUCE job adds the partials (as for the im2col kernel).
//
// Args: 0 n 1 c 2 h 3 w 4 o 5 kh 6 kw 7 oh 8 ow 9 ph 10 pw 11 dh 12 dw 13 x 14 gy 15 images per task
// 16 partial offset (in ws) 17 offs offset 18 padded-images offset. Byte pointers, dense float32.

import { copyF32, madd } from './simd';

const ARG: i32 = 8;
/** per-thread "partial touched" flags, as in work.ts */
const TOUCHED: i32 = 48;

// @ts-ignore: decorator
@inline function arg(job: usize, i: i32): i32 {
  return load<i32>(job + (<usize>(ARG + i) << 2));
}

// @ts-ignore: decorator
@inline function ptr(job: usize, i: i32): usize {
  return <usize>load<u32>(job + (<usize>(ARG + i) << 2));
}

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

export function convBwdWDirectTask(job: usize, t: i32, tid: i32, ws: usize): void {
  const n = arg(job, 0), c = arg(job, 1), h = arg(job, 2), w = arg(job, 3), o = arg(job, 4);
  const kh = arg(job, 5), kw = arg(job, 6), oh = arg(job, 7), ow = arg(job, 8);
  const ph = arg(job, 9), pw = arg(job, 10), dh = arg(job, 11), dw = arg(job, 12);
  const x = ptr(job, 13), gy = ptr(job, 14), per = arg(job, 15);
  const K = c * kh * kw, hp = h + 2 * ph, wq = w + 2 * pw, plane = c * hp * wq;
  const partial = ws + <usize>arg(job, 16), offs = ws + <usize>arg(job, 17), xp = ws + <usize>arg(job, 18);
  const flag = job + (<usize>(TOUCHED + tid) << 2);
  if (load<i32>(flag) == 0) {
    memory.fill(partial, 0, <usize>(o * K) << 2);
    store<i32>(flag, 1);
  }
  const b0 = t * per, b1 = min(n, b0 + per);
  if (b0 >= b1) return;
  const nb = b1 - b0;
  // pad the task's images
  memory.fill(xp, 0, <usize>(nb * plane) << 2);
  for (let b = 0; b < nb; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let iy = 0; iy < h; iy++) {
        copyF32(xp + (<usize>(b * plane + (ch * hp + iy + ph) * wq + pw) << 2), x + (<usize>((((b0 + b) * c + ch) * h + iy) * w) << 2), w);
      }
    }
  }
  for (let ch = 0; ch < c; ch++) {
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        store<i32>(offs + (<usize>((ch * kh + ky) * kw + kx) << 2), (ch * hp + ky * dh) * wq + kx * dw);
      }
    }
  }
  const oPlane = oh * ow;
  const ow4 = ow & ~3;
  for (let o0 = 0; o0 < o; o0 += 3) {
    // rows past o read a valid row (the last) and are not stored
    const oa = o0, ob = min(o0 + 1, o - 1), oc = min(o0 + 2, o - 1);
    for (let k0 = 0; k0 < K; k0 += 4) {
      const ka = load<i32>(offs + (<usize>k0 << 2));
      const kb = load<i32>(offs + (<usize>min(k0 + 1, K - 1) << 2));
      const kc = load<i32>(offs + (<usize>min(k0 + 2, K - 1) << 2));
      const kd = load<i32>(offs + (<usize>min(k0 + 3, K - 1) << 2));
      let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a02 = f32x4.splat(0), a03 = f32x4.splat(0);
      let a10 = f32x4.splat(0), a11 = f32x4.splat(0), a12 = f32x4.splat(0), a13 = f32x4.splat(0);
      let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a22 = f32x4.splat(0), a23 = f32x4.splat(0);
      let s00: f32 = 0, s01: f32 = 0, s02: f32 = 0, s03: f32 = 0;
      let s10: f32 = 0, s11: f32 = 0, s12: f32 = 0, s13: f32 = 0;
      let s20: f32 = 0, s21: f32 = 0, s22: f32 = 0, s23: f32 = 0;
      for (let b = 0; b < nb; b++) {
        const gb = gy + (<usize>((b0 + b) * o * oPlane) << 2);
        const ga = gb + (<usize>(oa * oPlane) << 2), gbb = gb + (<usize>(ob * oPlane) << 2), gc = gb + (<usize>(oc * oPlane) << 2);
        const xb = xp + (<usize>(b * plane) << 2);
        for (let oy = 0; oy < oh; oy++) {
          const gr = <usize>(oy * ow) << 2;
          const xr = xb + (<usize>(oy * wq) << 2);
          const xa = xr + (<usize>ka << 2), xbp = xr + (<usize>kb << 2), xc = xr + (<usize>kc << 2), xd = xr + (<usize>kd << 2);
          let ox = 0;
          for (; ox < ow4; ox += 4) {
            const q = <usize>ox << 2;
            const g0 = v128.load(ga + gr + q), g1 = v128.load(gbb + gr + q), g2 = v128.load(gc + gr + q);
            const v0 = v128.load(xa + q), v1 = v128.load(xbp + q), v2 = v128.load(xc + q), v3 = v128.load(xd + q);
            a00 = madd(g0, v0, a00); a01 = madd(g0, v1, a01);
            a02 = madd(g0, v2, a02); a03 = madd(g0, v3, a03);
            a10 = madd(g1, v0, a10); a11 = madd(g1, v1, a11);
            a12 = madd(g1, v2, a12); a13 = madd(g1, v3, a13);
            a20 = madd(g2, v0, a20); a21 = madd(g2, v1, a21);
            a22 = madd(g2, v2, a22); a23 = madd(g2, v3, a23);
          }
          for (; ox < ow; ox++) {
            const q = <usize>ox << 2;
            const g0 = load<f32>(ga + gr + q), g1 = load<f32>(gbb + gr + q), g2 = load<f32>(gc + gr + q);
            const v0 = load<f32>(xa + q), v1 = load<f32>(xbp + q), v2 = load<f32>(xc + q), v3 = load<f32>(xd + q);
            s00 += g0 * v0; s01 += g0 * v1; s02 += g0 * v2; s03 += g0 * v3;
            s10 += g1 * v0; s11 += g1 * v1; s12 += g1 * v2; s13 += g1 * v3;
            s20 += g2 * v0; s21 += g2 * v1; s22 += g2 * v2; s23 += g2 * v3;
          }
        }
      }
      // add the tile into the partial (valid rows and taps only)
      const kn = min(4, K - k0);
      for (let i = 0; i < 3; i++) {
        if (o0 + i >= o) break;
        const row = partial + (<usize>((o0 + i) * K + k0) << 2);
        const v0 = i == 0 ? hsum(a00) + s00 : i == 1 ? hsum(a10) + s10 : hsum(a20) + s20;
        const v1 = i == 0 ? hsum(a01) + s01 : i == 1 ? hsum(a11) + s11 : hsum(a21) + s21;
        const v2 = i == 0 ? hsum(a02) + s02 : i == 1 ? hsum(a12) + s12 : hsum(a22) + s22;
        const v3 = i == 0 ? hsum(a03) + s03 : i == 1 ? hsum(a13) + s13 : hsum(a23) + s23;
        store<f32>(row, load<f32>(row) + v0);
        if (kn > 1) store<f32>(row, load<f32>(row, 4) + v1, 4);
        if (kn > 2) store<f32>(row, load<f32>(row, 8) + v2, 8);
        if (kn > 3) store<f32>(row, load<f32>(row, 12) + v3, 12);
      }
    }
  }
}
