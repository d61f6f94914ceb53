import type { FloatArray, Pool2dGeometry } from '../backend.js';

/*
 * Reference 2-D pooling kernels with PyTorch's exact window rules.
 *
 * Shapes (dense): x (n, c, h, w) → y (n, c, oh, ow); each of the n·c planes is pooled on its own.
 * Window of output (oy, ox): rows [oy·strideH − padH, oy·strideH − padH + kh), likewise columns.
 * The op has already resolved ceil mode into oh/ow, so a window may run past the padded input;
 * it is clipped like PyTorch does:
 *  - max: only real cells [0, h) × [0, w) compete; NaN wins (and propagates) as in PyTorch.
 *  - avg: the sum runs over real cells; the divisor is the number of real cells, or with
 *    countIncludePad the window's area clipped to the padded input [−pad, size + pad)
 *    (padding counts, the part of a ceil-mode window beyond the padding does not). A window
 *    with no real cell yields 0.
 */

/** Max pooling; argmax gets, per output, the index (iy·w + ix) of the winner within its plane.
 * A window that covers only padding yields -Infinity and argmax -1; a window of real -Infinity
 * cells picks its first cell (like PyTorch). */
export function maxPool2d(x: FloatArray, y: FloatArray, argmax: Int32Array, g: Pool2dGeometry): void {
  const keepArgmax = argmax.length > 0;
  const { n, c, h, w, kh, kw, oh, ow, strideH, strideW, padH, padW } = g;
  const xPlane = h * w;
  const yPlane = oh * ow;
  for (let pl = 0; pl < n * c; pl++) {
    const xBase = pl * xPlane;
    const yBase = pl * yPlane;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * strideH - padH;
      const iy0 = Math.max(y0, 0);
      const iy1 = Math.min(y0 + kh, h);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * strideW - padW;
        const ix0 = Math.max(x0, 0);
        const ix1 = Math.min(x0 + kw, w);
        let best = -Infinity;
        let arg = iy0 < iy1 && ix0 < ix1 ? iy0 * w + ix0 : -1;
        for (let iy = iy0; iy < iy1; iy++) {
          const row = iy * w;
          for (let ix = ix0; ix < ix1; ix++) {
            const v = x[xBase + row + ix];
            // NOTE: `v !== v` is the NaN test; PyTorch lets every NaN win, so the last NaN is the argmax.
            if (v > best || v !== v) {
              best = v;
              arg = row + ix;
            }
          }
        }
        y[yBase + oy * ow + ox] = best;
        if (keepArgmax) argmax[yBase + oy * ow + ox] = arg;
      }
    }
  }
}

/** gx[plane, argmax] += gy for every output; outputs with argmax −1 contribute nothing. Overwrites gx. */
export function maxPool2dBackward(gy: FloatArray, argmax: Int32Array, gx: FloatArray, g: Pool2dGeometry): void {
  const { n, c, h, w, oh, ow } = g;
  const xPlane = h * w;
  const yPlane = oh * ow;
  gx.fill(0, 0, n * c * xPlane);
  for (let pl = 0; pl < n * c; pl++) {
    const xBase = pl * xPlane;
    const yBase = pl * yPlane;
    for (let j = 0; j < yPlane; j++) {
      const a = argmax[yBase + j];
      if (a >= 0) gx[xBase + a] += gy[yBase + j];
    }
  }
}

/** Divisor of the window starting at (y0, x0) (in unpadded coordinates), per PyTorch's rule. */
function avgDivisor(y0: number, x0: number, g: Pool2dGeometry, countIncludePad: boolean): number {
  if (countIncludePad) {
    const y1 = Math.min(y0 + g.kh, g.h + g.padH);
    const x1 = Math.min(x0 + g.kw, g.w + g.padW);
    return (y1 - y0) * (x1 - x0);
  }
  return (Math.min(y0 + g.kh, g.h) - Math.max(y0, 0)) * (Math.min(x0 + g.kw, g.w) - Math.max(x0, 0));
}

/** Average pooling; see the header for the divisor. */
export function avgPool2d(x: FloatArray, y: FloatArray, g: Pool2dGeometry, countIncludePad: boolean): void {
  const { n, c, h, w, kh, kw, oh, ow, strideH, strideW, padH, padW } = g;
  const xPlane = h * w;
  const yPlane = oh * ow;
  for (let pl = 0; pl < n * c; pl++) {
    const xBase = pl * xPlane;
    const yBase = pl * yPlane;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * strideH - padH;
      const iy0 = Math.max(y0, 0);
      const iy1 = Math.min(y0 + kh, h);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * strideW - padW;
        const ix0 = Math.max(x0, 0);
        const ix1 = Math.min(x0 + kw, w);
        if (iy0 >= iy1 || ix0 >= ix1) {
          y[yBase + oy * ow + ox] = 0;
          continue;
        }
        let s = 0;
        for (let iy = iy0; iy < iy1; iy++) {
          const row = xBase + iy * w;
          for (let ix = ix0; ix < ix1; ix++) s += x[row + ix];
        }
        y[yBase + oy * ow + ox] = s / avgDivisor(y0, x0, g, countIncludePad);
      }
    }
  }
}

/** gx[window cells] += gy / divisor for every output (the transpose of avgPool2d). Overwrites gx. */
export function avgPool2dBackward(gy: FloatArray, gx: FloatArray, g: Pool2dGeometry, countIncludePad: boolean): void {
  const { n, c, h, w, kh, kw, oh, ow, strideH, strideW, padH, padW } = g;
  const xPlane = h * w;
  const yPlane = oh * ow;
  gx.fill(0, 0, n * c * xPlane);
  for (let pl = 0; pl < n * c; pl++) {
    const xBase = pl * xPlane;
    const yBase = pl * yPlane;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * strideH - padH;
      const iy0 = Math.max(y0, 0);
      const iy1 = Math.min(y0 + kh, h);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * strideW - padW;
        const ix0 = Math.max(x0, 0);
        const ix1 = Math.min(x0 + kw, w);
        if (iy0 >= iy1 || ix0 >= ix1) continue;
        const gv = gy[yBase + oy * ow + ox] / avgDivisor(y0, x0, g, countIncludePad);
        for (let iy = iy0; iy < iy1; iy++) {
          const row = xBase + iy * w;
          for (let ix = ix0; ix < ix1; ix++) gx[row + ix] += gv;
        }
      }
    }
  }
}
