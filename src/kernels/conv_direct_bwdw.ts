// conv2d weight gradient for stride 1, groups 1 without a column buffer (implicit GEMM over taps):
//   gw[o, k] = Σ_images Σ_(oy, ox) gy[b, o, oy, ox] · xp[b, off(k) + oy·wq + ox]
// with xp the image (zero-padded to (c, hp, wq) when there is padding) and off(k) the offset of tap
// k = (c, ky, kx). It is the GEMM gwᵀ (K, o) = col (K, pixels) · gyᵀ (pixels, o) with col never
// built: the register tile is 4 taps × 8 output channels (8 accumulators); per pixel it broadcasts
// the 4 taps' input values straight from the image and reads 8 channels of gy from gyᵀ, a
// per-image transposed copy (pixels, o rounded up to 8, in blocks of 8 channels).
// NOTE: 6 taps × 8 (the GEMM's tile) needs 15 vector registers and V8 spilled three accumulators
// in the loop (2.2× slower); 5 × 8 was as slow (the five input pointers, the pixel offset and the
// gyᵀ pointer crowd the general registers too); 4 × 8 runs at the direct forward kernel's rate.
// Loops: per image (its gyᵀ and padded planes stay in L1), every (tap block, channel block) tile
// loads its accumulators from the task's sum gwᵀ (its taps rounded up to 4, o8), runs the image's
// pixels and stores them back; at the end the task writes the sum, transposed, into its image
// slice's partial gw (indexed by image slice, so the REDUCE job can add them in order whichever
// thread ran which task). A task is (image slice, tap slice): tap slices write disjoint columns of
// gw and keep a large sum (ResNet-18's 256 channels: 2.3 MiB) small enough for L2.
//
// Args: 0 n 1 c 2 h 3 w 4 o 5 kh 6 kw 7 oh 8 ow 9 ph 10 pw 11 dh 12 dw 13 x 14 gy 15 images per
// task 16 partials (image slices × o × K floats) 17 offs offset 18 xp offset 19 gyᵀ offset 20 sum
// offset (offsets in ws) 21 tap slices 22 taps per slice (a multiple of 4). Task t = (image slice
// t / tap slices, tap slice t % tap slices).
// Byte pointers, dense float32.

import { madd } from './simd';
import { imageOrPadded } from './conv_direct';

const ARG: i32 = 8;

// @ts-ignore: decorator
@inline function arg(job: usize, i: i32): i32 {
  return load<i32>(job + (<usize>(ARG + i) << 2));
}

// @ts-ignore: decorator
@inline function ptr(job: usize, i: i32): usize {
  return <usize>load<u32>(job + (<usize>(ARG + i) << 2));
}

/** sum[k0 + i][0..8) (rows of ld bytes) += Σ over the image's pixels of the 4 taps × 8 channels
 * tile; x0..x3 are the taps' input pointers at pixel (0, 0), gt the image's gyᵀ block (8 floats a
 * pixel). */
function tile(sum: usize, ld: usize, x0: usize, x1: usize, x2: usize, x3: usize,
  gt: usize, oh: i32, ow: i32, wq: i32): void {
  let c00 = v128.load(sum), c01 = v128.load(sum, 16);
  let c10 = v128.load(sum + ld), c11 = v128.load(sum + ld, 16);
  let c20 = v128.load(sum + 2 * ld), c21 = v128.load(sum + 2 * ld, 16);
  let c30 = v128.load(sum + 3 * ld), c31 = v128.load(sum + 3 * ld, 16);
  const rowBytes = <usize>wq << 2, owBytes = <usize>ow << 2;
  for (let oy = 0; oy < oh; oy++) {
    for (let q: usize = 0; q < owBytes; q += 4) {
      const b0 = v128.load(gt), b1 = v128.load(gt, 16);
      let a = v128.load32_splat(x0 + q);
      c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
      a = v128.load32_splat(x1 + q);
      c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
      a = v128.load32_splat(x2 + q);
      c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
      a = v128.load32_splat(x3 + q);
      c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
      gt += 32;
    }
    x0 += rowBytes; x1 += rowBytes; x2 += rowBytes; x3 += rowBytes;
  }
  v128.store(sum, c00); v128.store(sum, c01, 16);
  v128.store(sum + ld, c10); v128.store(sum + ld, c11, 16);
  v128.store(sum + 2 * ld, c20); v128.store(sum + 2 * ld, c21, 16);
  v128.store(sum + 3 * ld, c30); v128.store(sum + 3 * ld, c31, 16);
}

export function convBwdWDirectTask(job: usize, t: i32, ws: usize): void {
  const n = arg(job, 0), c = arg(job, 1), h = arg(job, 2), w = arg(job, 3), o = arg(job, 4);
  const kh = arg(job, 5), kw = arg(job, 6), oh = arg(job, 7), ow = arg(job, 8);
  const ph = arg(job, 9), pw = arg(job, 10), dh = arg(job, 11), dw = arg(job, 12);
  const x = ptr(job, 13), gy = ptr(job, 14), per = arg(job, 15);
  const tSlices = arg(job, 21), kPer = arg(job, 22);
  const kk = kh * kw, K = c * kk, o8 = (o + 7) & ~7;
  const padded = ph > 0 || pw > 0;
  const hp = h + 2 * ph, wq = w + 2 * pw, P = oh * ow;
  const offs = ws + <usize>arg(job, 17), xp = ws + <usize>arg(job, 18);
  const gt = ws + <usize>arg(job, 19), sum = ws + <usize>arg(job, 20);
  const ti = t / tSlices, tk = t - ti * tSlices;
  const b0 = ti * per, b1 = min(n, b0 + per);
  const k0 = tk * kPer, k1 = min(K, k0 + kPer);
  if (b0 >= b1 || k0 >= k1) return;
  const kLen = k1 - k0, kLen4 = (kLen + 3) & ~3;
  // the channels this slice's taps read: only those are padded
  const ch0 = k0 / kk, ch1 = (k1 - 1) / kk + 1;
  const partial = ptr(job, 16) + <usize>ti * (<usize>(o * K) << 2);
  // tap offsets in bytes (from channel ch0); taps past k1 repeat tap k0 (read, summed into rows
  // never stored)
  for (let k = 0; k < kLen4; k++) {
    const kt = k < kLen ? k0 + k : k0;
    const ch = kt / kk - ch0, r = kt % kk;
    store<i32>(offs + (<usize>k << 2), (((ch * hp + (r / kw) * dh) * wq + (r % kw) * dw) << 2));
  }
  memory.fill(sum, 0, <usize>(kLen4 * o8) << 2);
  if (padded) memory.fill(xp, 0, <usize>((ch1 - ch0) * hp * wq) << 2);
  // gyᵀ channels past o stay zero
  if (o8 != o) memory.fill(gt, 0, <usize>(P * o8) << 2);
  const ldSum = <usize>o8 << 2;
  for (let b = b0; b < b1; b++) {
    const img = imageOrPadded(x + (<usize>((b * c + ch0) * h * w) << 2), ch1 - ch0, h, w, ph, pw, xp);
    // gyᵀ in blocks of 8 channels: gt[blk][pixel][0..8)
    const gb = gy + (<usize>(b * o * P) << 2);
    for (let oc = 0; oc < o; oc++) {
      const src = gb + (<usize>(oc * P) << 2);
      const dst = gt + (<usize>((oc >> 3) * P * 8 + (oc & 7)) << 2);
      for (let p = 0; p < P; p++) store<f32>(dst + (<usize>(p * 8) << 2), load<f32>(src + (<usize>p << 2)));
    }
    for (let q = 0; q < kLen4; q += 4) {
      const ko = offs + (<usize>q << 2);
      const x0 = img + <usize>load<i32>(ko), x1 = img + <usize>load<i32>(ko, 4), x2 = img + <usize>load<i32>(ko, 8);
      const x3 = img + <usize>load<i32>(ko, 12);
      for (let blk = 0; blk < o8; blk += 8) {
        tile(sum + (<usize>(q * o8 + blk) << 2), ldSum, x0, x1, x2, x3,
          gt + (<usize>(blk * P) << 2), oh, ow, wq);
      }
    }
  }
  // the slice's columns of its partial: partial[oc, k0 + k] = sum[k, oc]
  for (let oc = 0; oc < o; oc++) {
    const row = partial + (<usize>(oc * K + k0) << 2);
    for (let k = 0; k < kLen; k++) store<f32>(row + (<usize>k << 2), load<f32>(sum + (<usize>(k * o8 + oc) << 2)));
  }
}
