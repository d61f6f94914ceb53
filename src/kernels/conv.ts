// im2col / col2im for 2-D convolution on one image, over a range of channels and a range of output
// positions, so that a thread can work on a slice that fits its cache.
//
// x: one image's planes (c, h, w), dense. Column buffer rows are (channel, ky, kx) for channels
// [c0, c1); columns are output positions j = oy·ow + ox in [j0, j1):
//   col[(((ch − c0)·kh + ky)·kw + kx)·ldcol + (j − j0)] = x[ch, oy·sh − ph + ky·dh, ox·sw − pw + kx·dw]
// (0 outside the image). col2im is the transpose: it adds every column entry back into gx.

import { addInto, copyF32, fillZeroF32 } from './simd';

/** First output index o ≥ 0 with 0 ≤ o·s + off, i.e. ⌈−off / s⌉ clipped to [0, n]. */
// @ts-ignore: decorator
@inline function lowValid(off: i32, s: i32, n: i32): i32 {
  return off >= 0 ? 0 : min(n, (-off + s - 1) / s);
}

/** One past the last output index o < n with o·s + off < size. */
// @ts-ignore: decorator
@inline function highValid(off: i32, s: i32, size: i32, n: i32): i32 {
  const last = size - 1 - off;
  return last < 0 ? 0 : min(n, last / s + 1);
}

export function im2col(
  x: usize, h: i32, w: i32, c0: i32, c1: i32,
  kh: i32, kw: i32, oh: i32, ow: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32,
  j0: i32, j1: i32, col: usize, ldcol: i32,
): void {
  if (j0 >= j1) return; // (and ow ≥ 1 below)
  const plane = <usize>(h * w) << 2;
  let r = 0;
  for (let ch = c0; ch < c1; ch++) {
    const xp = x + <usize>ch * plane;
    for (let ky = 0; ky < kh; ky++) {
      const yOff = ky * dh - ph;
      for (let kx = 0; kx < kw; kx++) {
        const xOff = kx * dw - pw;
        const lo = lowValid(xOff, sw, ow);
        const hi = max(lo, highValid(xOff, sw, w, ow));
        const row = col + (<usize>(r * ldcol) << 2);
        r++;
        // NOTE: the output row is tracked incrementally — a division per output row cost more than
        // the row's copy on small images.
        let j = j0;
        const oy0 = j0 / ow;
        let ox0 = j0 - oy0 * ow;
        let iy = oy0 * sh + yOff;
        while (j < j1) {
          const ox1 = min(ow, ox0 + (j1 - j));
          const dst = row + (<usize>(j - j0 - ox0) << 2); // dst + ox·4 is column (oy, ox)
          if (iy < 0 || iy >= h) {
            fillZeroF32(dst + (<usize>ox0 << 2), ox1 - ox0);
          } else {
            const a = min(max(lo, ox0), ox1);
            const b = min(max(hi, a), ox1);
            if (a > ox0) fillZeroF32(dst + (<usize>ox0 << 2), a - ox0);
            const src = xp + (<usize>(iy * w + xOff) << 2); // src + ix·4, ix = ox·sw
            if (sw == 1) {
              copyF32(dst + (<usize>a << 2), src + (<usize>a << 2), b - a);
            } else {
              for (let ox = a; ox < b; ox++) store<f32>(dst + (<usize>ox << 2), load<f32>(src + (<usize>(ox * sw) << 2)));
            }
            if (ox1 > b) fillZeroF32(dst + (<usize>b << 2), ox1 - b);
          }
          j += ox1 - ox0;
          ox0 = 0;
          iy += sh;
        }
      }
    }
  }
}

/** gx[ch, iy, ix] += col[…] for every column entry that maps inside the image (see im2col).
 * gx planes are NOT cleared here. */
export function col2im(
  gx: usize, h: i32, w: i32, c0: i32, c1: i32,
  kh: i32, kw: i32, oh: i32, ow: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32,
  j0: i32, j1: i32, col: usize, ldcol: i32,
): void {
  if (j0 >= j1) return; // (and ow ≥ 1 below)
  const plane = <usize>(h * w) << 2;
  let r = 0;
  for (let ch = c0; ch < c1; ch++) {
    const xp = gx + <usize>ch * plane;
    for (let ky = 0; ky < kh; ky++) {
      const yOff = ky * dh - ph;
      for (let kx = 0; kx < kw; kx++) {
        const xOff = kx * dw - pw;
        const lo = lowValid(xOff, sw, ow);
        const hi = max(lo, highValid(xOff, sw, w, ow));
        const row = col + (<usize>(r * ldcol) << 2);
        r++;
        let j = j0;
        const oy0 = j0 / ow;
        let ox0 = j0 - oy0 * ow;
        let iy = oy0 * sh + yOff;
        while (j < j1) {
          const ox1 = min(ow, ox0 + (j1 - j));
          if (iy >= 0 && iy < h) {
            const src = row + (<usize>(j - j0 - ox0) << 2);
            const a = min(max(lo, ox0), ox1);
            const b = min(max(hi, a), ox1);
            const dst = xp + (<usize>(iy * w + xOff) << 2);
            if (sw == 1) {
              addInto(dst + (<usize>a << 2), src + (<usize>a << 2), b - a);
            } else {
              for (let ox = a; ox < b; ox++) {
                const d = dst + (<usize>(ox * sw) << 2);
                store<f32>(d, load<f32>(d) + load<f32>(src + (<usize>ox << 2)));
              }
            }
          }
          j += ox1 - ox0;
          ox0 = 0;
          iy += sh;
        }
      }
    }
  }
}

/** dst (c, o, kArea) = src (o, c, kArea) with every kArea-long kernel reversed (a 180° rotation):
 * the weights of backward-input run as a forward convolution. */
export function rotateTransposeWeights(src: usize, dst: usize, o: i32, c: i32, kArea: i32): void {
  const kb = <usize>kArea << 2;
  for (let i = 0; i < o; i++) {
    for (let j = 0; j < c; j++) {
      const s = src + <usize>(i * c + j) * kb;
      const d = dst + <usize>(j * o + i) * kb + kb - 4;
      for (let k = 0; k < kArea; k++) store<f32>(d - (<usize>k << 2), load<f32>(s + (<usize>k << 2)));
    }
  }
}
