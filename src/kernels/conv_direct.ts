// conv2d forward for stride 1, groups 1 without a column buffer ("direct", implicit GEMM): the
// GEMM's B operand is read straight from the zero-padded input image.
//
// x (n, c, h, w), weight (o, K) with K = c·kh·kw in (c, ky, kx) order, y (n, o, oh, ow): dense
// float32, byte pointers; y must not alias x or weight. Any dilation (stride 1 keeps the 8 input
// pixels of 8 consecutive output pixels consecutive). A task owns a range of images and a range of
// MR-channel blocks; its private workspace `ws` holds
//   wpk   the weights of its blocks in MR-row panels, tap-major (as packA): wpk[blk][p·MR + i] =
//         W[blk·MR + i, tap p], 0 past o, the taps p in (ky, c, kx) order
//   offs  off[p] = byte offset of input (c, ky·dh, kx·dw) in the padded image (i32, K entries)
//   xp    one image zero-padded to (c, hp, wq) = (c, h + 2ph, w + 2pw); the borders are written
//         once per task and the interior once per image (unused when ph = pw = 0: x is read in place)
//   tile  MR × 8 floats for a partial channel block
//   obuf  flat mode only: MR × oh·wq floats
// and the register tile is MR output channels × 8 (or 4) consecutive pixels of one output row:
//   y[o0 + i, oy, ox + j] = Σ_p wpk[p·MR + i] · xp[off[p] + (oy·wq + ox + j)·4]
// Taps are ordered by kernel row first so that an output row whose kernel rows ky < ky0 or ≥ ky1
// fall in the zero padding runs the contiguous taps [ky0·c·kw, ky1·c·kw) only: backward-input as
// a forward convolution pads gy by k − 1 − p on each side (LeNet's conv2: 29% of the products).
// Row tails: 8-pixel tiles, then one overlapping tile ending at ow (4 wide if it fits), so no
// read passes the image and no bounds check runs inside a tile; ow < 4 is the caller's to avoid.
// Narrow rows (flat mode, for ow < 8): the tiles run over the flat index q = oy·wq + ox of the
// padded image's row stride instead, wq − ow of every wq pixels being discarded (they mix two
// rows); they go to `obuf` (MR, oh·wq) and the ow valid pixels of each row are copied out.

import { copyF32, madd } from './simd';
import { MR } from './gemm';

const ARG: i32 = 8;

// @ts-ignore: decorator
@inline function arg(job: usize, i: i32): i32 {
  return load<i32>(job + (<usize>(ARG + i) << 2));
}

// @ts-ignore: decorator
@inline function ptr(job: usize, i: i32): usize {
  return <usize>load<u32>(job + (<usize>(ARG + i) << 2));
}

/** y rows (dst + i·ld bytes, i < mr) = the first `width` floats of the tile's rows (8 floats apart). */
function storeRows(dst: usize, ld: usize, mr: i32, width: i32, tile: usize): void {
  for (let i = 0; i < mr; i++) {
    const d = dst + <usize>i * ld, s = tile + (<usize>(i * 8) << 2);
    v128.store(d, v128.load(s));
    if (width == 8) v128.store(d, v128.load(s, 16), 16);
  }
}

/** 6 channels × 8 pixels (relaxed-SIMD build): 12 accumulators + 2 B vectors + 1 broadcast. */
function tile6x8(K: i32, pa: usize, po: usize, src: usize, dst: usize, ld: usize, mr: i32, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  const end = po + (<usize>K << 2);
  for (; po < end; po += 4) {
    const s = src + <usize>load<i32>(po);
    const b0 = v128.load(s);
    const b1 = v128.load(s, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    a = v128.load32_splat(pa, 16);
    c40 = madd(a, b0, c40); c41 = madd(a, b1, c41);
    a = v128.load32_splat(pa, 20);
    c50 = madd(a, b0, c50); c51 = madd(a, b1, c51);
    pa += 24;
  }
  if (mr == 6) {
    let r = dst;
    v128.store(r, c00); v128.store(r, c01, 16); r += ld;
    v128.store(r, c10); v128.store(r, c11, 16); r += ld;
    v128.store(r, c20); v128.store(r, c21, 16); r += ld;
    v128.store(r, c30); v128.store(r, c31, 16); r += ld;
    v128.store(r, c40); v128.store(r, c41, 16); r += ld;
    v128.store(r, c50); v128.store(r, c51, 16);
    return;
  }
  v128.store(tile, c00, 0); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
  v128.store(tile, c40, 128); v128.store(tile, c41, 144);
  v128.store(tile, c50, 160); v128.store(tile, c51, 176);
  storeRows(dst, ld, mr, 8, tile);
}

/** 6 channels × 4 pixels: the row tail of the relaxed-SIMD build. */
function tile6x4(K: i32, pa: usize, po: usize, src: usize, dst: usize, ld: usize, mr: i32, tile: usize): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0);
  let c3 = f32x4.splat(0), c4 = f32x4.splat(0), c5 = f32x4.splat(0);
  const end = po + (<usize>K << 2);
  for (; po < end; po += 4) {
    const b = v128.load(src + <usize>load<i32>(po));
    c0 = madd(v128.load32_splat(pa), b, c0);
    c1 = madd(v128.load32_splat(pa, 4), b, c1);
    c2 = madd(v128.load32_splat(pa, 8), b, c2);
    c3 = madd(v128.load32_splat(pa, 12), b, c3);
    c4 = madd(v128.load32_splat(pa, 16), b, c4);
    c5 = madd(v128.load32_splat(pa, 20), b, c5);
    pa += 24;
  }
  v128.store(tile, c0, 0); v128.store(tile, c1, 32); v128.store(tile, c2, 64);
  v128.store(tile, c3, 96); v128.store(tile, c4, 128); v128.store(tile, c5, 160);
  storeRows(dst, ld, mr, 4, tile);
}

/** 4 channels × 8 pixels (plain-SIMD build, whose separate multiply needs a scratch register). */
function tile4x8(K: i32, pa: usize, po: usize, src: usize, dst: usize, ld: usize, mr: i32, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const end = po + (<usize>K << 2);
  for (; po < end; po += 4) {
    const s = src + <usize>load<i32>(po);
    const b0 = v128.load(s);
    const b1 = v128.load(s, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    pa += 16;
  }
  if (mr == 4) {
    let r = dst;
    v128.store(r, c00); v128.store(r, c01, 16); r += ld;
    v128.store(r, c10); v128.store(r, c11, 16); r += ld;
    v128.store(r, c20); v128.store(r, c21, 16); r += ld;
    v128.store(r, c30); v128.store(r, c31, 16);
    return;
  }
  v128.store(tile, c00, 0); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
  storeRows(dst, ld, mr, 8, tile);
}

/** 4 channels × 4 pixels: the row tail of the plain-SIMD build. */
function tile4x4(K: i32, pa: usize, po: usize, src: usize, dst: usize, ld: usize, mr: i32, tile: usize): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  const end = po + (<usize>K << 2);
  for (; po < end; po += 4) {
    const b = v128.load(src + <usize>load<i32>(po));
    c0 = madd(v128.load32_splat(pa), b, c0);
    c1 = madd(v128.load32_splat(pa, 4), b, c1);
    c2 = madd(v128.load32_splat(pa, 8), b, c2);
    c3 = madd(v128.load32_splat(pa, 12), b, c3);
    pa += 16;
  }
  v128.store(tile, c0, 0); v128.store(tile, c1, 32); v128.store(tile, c2, 64); v128.store(tile, c3, 96);
  storeRows(dst, ld, mr, 4, tile);
}

// @ts-ignore: decorator
@inline function tile8(K: i32, pa: usize, po: usize, src: usize, dst: usize, ld: usize, mr: i32, tile: usize): void {
  if (MR == 6) tile6x8(K, pa, po, src, dst, ld, mr, tile);
  else tile4x8(K, pa, po, src, dst, ld, mr, tile);
}

// @ts-ignore: decorator
@inline function tile4(K: i32, pa: usize, po: usize, src: usize, dst: usize, ld: usize, mr: i32, tile: usize): void {
  if (MR == 6) tile6x4(K, pa, po, src, dst, ld, mr, tile);
  else tile4x4(K, pa, po, src, dst, ld, mr, tile);
}

/** The image (c, h, w) at `img` itself when there is no padding; else its planes copied into the
 * interior of the zero-bordered (c, h + 2ph, w + 2pw) buffer xp (borders written beforehand), xp. */
export function imageOrPadded(img: usize, c: i32, h: i32, w: i32, ph: i32, pw: i32, xp: usize): usize {
  if (ph == 0 && pw == 0) return img;
  const hp = h + 2 * ph, wq = w + 2 * pw;
  for (let ch = 0; ch < c; ch++) {
    for (let iy = 0; iy < h; iy++) {
      copyF32(xp + (<usize>((ch * hp + iy + ph) * wq + pw) << 2), img + (<usize>((ch * h + iy) * w) << 2), w);
    }
  }
  return xp;
}

/** Bytes of L1 the input rows of one band of output rows may take (see the band loop). */
const BAND_BYTES: i32 = 16384;

/** Direct conv args: 0 n 1 c 2 h 3 w 4 o 5 kh 6 kw 7 oh 8 ow 9 ph 10 pw 11 dh 12 dw 13 x 14 weight
 * 15 y 16 image slices 17 channel-block slices 18 offs offset 19 xp offset 20 tile offset 21 obuf
 * offset, 0 = row mode (in ws; wpk at 0). Task t = (image slice t % slices, channel-block slice
 * t / slices). */
export function convDirectTask(job: usize, t: i32, ws: usize): void {
  const n = arg(job, 0), c = arg(job, 1), h = arg(job, 2), w = arg(job, 3), o = arg(job, 4);
  const kh = arg(job, 5), kw = arg(job, 6), oh = arg(job, 7), ow = arg(job, 8);
  const ph = arg(job, 9), pw = arg(job, 10), dh = arg(job, 11), dw = arg(job, 12);
  const slices = arg(job, 16), cSlices = arg(job, 17);
  const K = c * kh * kw;
  const blocks = (o + MR - 1) / MR;
  const s = t % slices, cs = t / slices;
  const b0 = s * n / slices, b1 = (s + 1) * n / slices;
  const bper = (blocks + cSlices - 1) / cSlices;
  const blk0 = min(blocks, cs * bper), blk1 = min(blocks, blk0 + bper);
  if (b0 >= b1 || blk0 >= blk1) return;
  const x = ptr(job, 13), wt = ptr(job, 14), y = ptr(job, 15), obufOff = arg(job, 21);
  const wpk = ws, offs = ws + <usize>arg(job, 18), xp = ws + <usize>arg(job, 19), tile = ws + <usize>arg(job, 20);

  // Weights of blocks [blk0, blk1) in MR-row panels, taps in (ky, c, kx) order (see the header).
  const kk = kh * kw;
  for (let blk = blk0; blk < blk1; blk++) {
    const panel = wpk + (<usize>((blk - blk0) * MR * K) << 2);
    for (let i = 0; i < MR; i++) {
      const row = blk * MR + i;
      const src = wt + (<usize>(row * K) << 2);
      let p = 0;
      for (let ky = 0; ky < kh; ky++) {
        for (let ch = 0; ch < c; ch++) {
          const k0 = ch * kk + ky * kw;
          for (let kx = 0; kx < kw; kx++) {
            store<f32>(panel + (<usize>(p * MR + i) << 2), row < o ? load<f32>(src + (<usize>(k0 + kx) << 2)) : 0);
            p++;
          }
        }
      }
    }
  }
  const padded = ph > 0 || pw > 0;
  const hp = h + 2 * ph, wq = w + 2 * pw;
  let p = 0;
  for (let ky = 0; ky < kh; ky++) {
    for (let ch = 0; ch < c; ch++) {
      for (let kx = 0; kx < kw; kx++) {
        store<i32>(offs + (<usize>p << 2), ((ch * hp + ky * dh) * wq + kx * dw) << 2);
        p++;
      }
    }
  }
  const tapsPerRow = c * kw; // taps of one kernel row ky
  if (padded) memory.fill(xp, 0, <usize>(c * hp * wq) << 2);

  // Bands of output rows whose input rows fit in L1, so the weight panel of a block (also in L1)
  // sweeps them all before the next block's panel is loaded.
  const band = max(1, BAND_BYTES / max(1, c * wq * 4) - (kh - 1) * dh);
  const plane = <usize>(oh * ow) << 2; // ld of the output rows of consecutive channels
  const kbytes = <usize>(MR * K) << 2;
  for (let b = b0; b < b1; b++) {
    const img = imageOrPadded(x + (<usize>(b * c * h * w) << 2), c, h, w, ph, pw, xp);
    const yb = y + (<usize>(b * o * oh * ow) << 2);
    if (obufOff != 0) {
      flatImage(K, wpk, offs, img, yb, ws + <usize>obufOff, tile, o, oh, ow, wq, blk0, blk1);
      continue;
    }
    for (let oy0 = 0; oy0 < oh; oy0 += band) {
      const oy1 = min(oh, oy0 + band);
      for (let blk = blk0; blk < blk1; blk++) {
        const mr = min(MR, o - blk * MR);
        for (let oy = oy0; oy < oy1; oy++) {
          // Kernel rows [ky0, ky1) read input rows; the others read only the padding's zeros.
          let ky0 = 0, ky1 = kh;
          if (padded) {
            if (ph > oy) ky0 = min(kh, (ph - oy + dh - 1) / dh);
            const last = ph + h - 1 - oy; // the last input row, relative to oy
            ky1 = last < 0 ? ky0 : max(ky0, min(kh, last / dh + 1));
          }
          const Kr = (ky1 - ky0) * tapsPerRow;
          const pa = wpk + <usize>(blk - blk0) * kbytes + (<usize>(ky0 * tapsPerRow * MR) << 2);
          const po = offs + (<usize>(ky0 * tapsPerRow) << 2);
          const src = img + (<usize>(oy * wq) << 2);
          const dst = yb + (<usize>(blk * MR) * plane) + (<usize>(oy * ow) << 2);
          let ox = 0;
          for (; ox + 8 <= ow; ox += 8) tile8(Kr, pa, po, src + (<usize>ox << 2), dst + (<usize>ox << 2), plane, mr, tile);
          if (ox < ow) {
            // The tail: one tile ending at ow, overlapping pixels already written (same values).
            if (ow - ox <= 4 || ow < 8) {
              if (ow - ox > 4) { // 4 < ow < 8: two 4-wide tiles
                tile4(Kr, pa, po, src, dst, plane, mr, tile);
              }
              const q = <usize>(ow - 4) << 2;
              tile4(Kr, pa, po, src + q, dst + q, plane, mr, tile);
            } else {
              const q = <usize>(ow - 8) << 2;
              tile8(Kr, pa, po, src + q, dst + q, plane, mr, tile);
            }
          }
        }
      }
    }
  }
}

/** Flat mode (see the header): blocks [blk0, blk1) of one image, via obuf. */
function flatImage(K: i32, wpk: usize, offs: usize, img: usize, yb: usize, obuf: usize, tile: usize,
  o: i32, oh: i32, ow: i32, wq: i32, blk0: i32, blk1: i32): void {
  const Q = (oh - 1) * wq + ow; // one past the last valid flat index (≥ 4: ow ≥ 4)
  const ldo = <usize>(oh * wq) << 2;
  const plane = <usize>(oh * ow) << 2;
  const kbytes = <usize>(MR * K) << 2;
  for (let blk = blk0; blk < blk1; blk++) {
    const pa = wpk + <usize>(blk - blk0) * kbytes;
    let q = 0;
    for (; q + 8 <= Q; q += 8) tile8(K, pa, offs, img + (<usize>q << 2), obuf + (<usize>q << 2), ldo, MR, 0);
    if (q < Q) {
      if (Q - q <= 4 || Q < 8) {
        if (Q - q > 4) tile4(K, pa, offs, img, obuf, ldo, MR, tile); // 4 < Q < 8
        const r = <usize>(Q - 4) << 2;
        tile4(K, pa, offs, img + r, obuf + r, ldo, MR, tile);
      } else {
        const r = <usize>(Q - 8) << 2;
        tile8(K, pa, offs, img + r, obuf + r, ldo, MR, 0);
      }
    }
    const mr = min(MR, o - blk * MR);
    for (let i = 0; i < mr; i++) {
      const dst = yb + <usize>(blk * MR + i) * plane;
      const src = obuf + <usize>i * ldo;
      for (let oy = 0; oy < oh; oy++) copyF32(dst + (<usize>(oy * ow) << 2), src + (<usize>(oy * wq) << 2), ow);
    }
  }
}
