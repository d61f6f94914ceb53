import type { Conv2dGeometry, FloatArray } from '../backend.js';

/*
 * Reference 2-D convolution kernels (cross-correlation, like PyTorch's conv2d), direct loops.
 *
 * Shapes (all dense, row-major):
 *   x (n, c, h, w) · weight (o, c/groups, kh, kw) → y (n, o, oh, ow)
 *   y[b, oc, oy, ox] = Σ_{icg, ky, kx} weight[oc, icg, ky, kx] · x[b, grp·cg + icg, iy, ix]
 *     with grp = ⌊oc / (o/groups)⌋, cg = c/groups, iy = oy·strideH − padH + ky·dilationH,
 *     ix = ox·strideW − padW + kx·dilationW, and x = 0 outside [0, h) × [0, w) (zero padding).
 * The geometry is trusted (the op has checked it): c and o are multiples of groups, oh/ow ≥ 0.
 * Sums are accumulated in float64 scratch buffers and stored once. Outputs never alias inputs.
 */

/** For each kernel tap t (0 ≤ t < k), the range [lo[t], hi[t]) of output positions o with
 * 0 ≤ o·stride − pad + t·dilation < size, i.e. the outputs whose tap t reads a real input cell. */
function tapRanges(k: number, size: number, outSize: number, stride: number, pad: number, dilation: number): [Int32Array, Int32Array] {
  const lo = new Int32Array(k);
  const hi = new Int32Array(k);
  for (let t = 0; t < k; t++) {
    const off = t * dilation - pad; // input index = o·stride + off
    const l = off >= 0 ? 0 : Math.ceil(-off / stride);
    const u = Math.min(outSize, Math.floor((size - 1 - off) / stride) + 1);
    lo[t] = Math.min(l, outSize);
    hi[t] = Math.max(u, lo[t]);
  }
  return [lo, hi];
}

/** y = conv2d(x, weight) (+ bias per output channel). Overwrites y. */
export function conv2d(x: FloatArray, weight: FloatArray, y: FloatArray, g: Conv2dGeometry, bias: FloatArray | null = null): void {
  const { n, c, h, w, o, kh, kw, oh, ow, strideH, strideW, padH, padW, dilationH, dilationW, groups } = g;
  const cg = c / groups;
  const og = o / groups;
  const xPlane = h * w;
  const yPlane = oh * ow;
  const kArea = kh * kw;
  const [oyLo, oyHi] = tapRanges(kh, h, oh, strideH, padH, dilationH);
  const [oxLo, oxHi] = tapRanges(kw, w, ow, strideW, padW, dilationW);
  const acc = new Float64Array(yPlane);
  const f32 = y instanceof Float32Array;
  for (let b = 0; b < n; b++) {
    for (let oc = 0; oc < o; oc++) {
      const grp = Math.floor(oc / og);
      acc.fill(0);
      for (let icg = 0; icg < cg; icg++) {
        const xBase = (b * c + grp * cg + icg) * xPlane;
        const wBase = (oc * cg + icg) * kArea;
        for (let ky = 0; ky < kh; ky++) {
          const yOff = ky * dilationH - padH; // iy = oy·strideH + yOff
          for (let kx = 0; kx < kw; kx++) {
            const wv = weight[wBase + ky * kw + kx];
            const xOff = kx * dilationW - padW; // ix = ox·strideW + xOff
            const x0 = oxLo[kx], x1 = oxHi[kx];
            for (let oy = oyLo[ky]; oy < oyHi[ky]; oy++) {
              const xRow = xBase + (oy * strideH + yOff) * w + xOff;
              const aRow = oy * ow;
              for (let ox = x0; ox < x1; ox++) acc[aRow + ox] += wv * x[xRow + ox * strideW];
            }
          }
        }
      }
      if (bias !== null) {
        const bv = bias[oc]!;
        // rounded as `conv, then + bias` rounds in float32
        if (f32) for (let q = 0; q < yPlane; q++) acc[q] = Math.fround(acc[q]!) + bv;
        else for (let q = 0; q < yPlane; q++) acc[q] = acc[q]! + bv;
      }
      y.set(acc, (b * o + oc) * yPlane);
    }
  }
}

/** gx = ∂L/∂x given gy = ∂L/∂y (n, o, oh, ow): the transpose of conv2d,
 * gx[b, ic, iy, ix] = Σ weight[oc, icg, ky, kx] · gy[b, oc, oy, ox] over the taps that read (iy, ix).
 * Overwrites gx (cells no window reads get 0). */
export function conv2dBackwardInput(gy: FloatArray, weight: FloatArray, gx: FloatArray, g: Conv2dGeometry): void {
  const { n, c, h, w, o, kh, kw, oh, ow, strideH, strideW, padH, padW, dilationH, dilationW, groups } = g;
  const cg = c / groups;
  const og = o / groups;
  const xPlane = h * w;
  const yPlane = oh * ow;
  const kArea = kh * kw;
  const [oyLo, oyHi] = tapRanges(kh, h, oh, strideH, padH, dilationH);
  const [oxLo, oxHi] = tapRanges(kw, w, ow, strideW, padW, dilationW);
  const acc = new Float64Array(xPlane);
  for (let b = 0; b < n; b++) {
    for (let grp = 0; grp < groups; grp++) {
      for (let icg = 0; icg < cg; icg++) {
        acc.fill(0);
        for (let ocg = 0; ocg < og; ocg++) {
          const oc = grp * og + ocg;
          const gyBase = (b * o + oc) * yPlane;
          const wBase = (oc * cg + icg) * kArea;
          for (let ky = 0; ky < kh; ky++) {
            const yOff = ky * dilationH - padH;
            for (let kx = 0; kx < kw; kx++) {
              const wv = weight[wBase + ky * kw + kx];
              const xOff = kx * dilationW - padW;
              const x0 = oxLo[kx], x1 = oxHi[kx];
              for (let oy = oyLo[ky]; oy < oyHi[ky]; oy++) {
                const aRow = (oy * strideH + yOff) * w + xOff;
                const gRow = gyBase + oy * ow;
                for (let ox = x0; ox < x1; ox++) acc[aRow + ox * strideW] += wv * gy[gRow + ox];
              }
            }
          }
        }
        gx.set(acc, (b * c + grp * cg + icg) * xPlane);
      }
    }
  }
}

/** gw = ∂L/∂weight given x and gy: gw[oc, icg, ky, kx] = Σ_{b, oy, ox} gy[b, oc, oy, ox] · x[b, ic, iy, ix].
 * Overwrites gw. */
export function conv2dBackwardWeight(x: FloatArray, gy: FloatArray, gw: FloatArray, g: Conv2dGeometry): void {
  const { n, c, h, w, o, kh, kw, oh, ow, strideH, strideW, padH, padW, dilationH, dilationW, groups } = g;
  const cg = c / groups;
  const og = o / groups;
  const xPlane = h * w;
  const yPlane = oh * ow;
  const kArea = kh * kw;
  const [oyLo, oyHi] = tapRanges(kh, h, oh, strideH, padH, dilationH);
  const [oxLo, oxHi] = tapRanges(kw, w, ow, strideW, padW, dilationW);
  for (let oc = 0; oc < o; oc++) {
    const grp = Math.floor(oc / og);
    for (let icg = 0; icg < cg; icg++) {
      const ic = grp * cg + icg;
      const wBase = (oc * cg + icg) * kArea;
      for (let ky = 0; ky < kh; ky++) {
        const yOff = ky * dilationH - padH;
        for (let kx = 0; kx < kw; kx++) {
          const xOff = kx * dilationW - padW;
          const x0 = oxLo[kx], x1 = oxHi[kx];
          let s = 0;
          for (let b = 0; b < n; b++) {
            const xBase = (b * c + ic) * xPlane + xOff;
            const gyBase = (b * o + oc) * yPlane;
            for (let oy = oyLo[ky]; oy < oyHi[ky]; oy++) {
              const xRow = xBase + (oy * strideH + yOff) * w;
              const gRow = gyBase + oy * ow;
              for (let ox = x0; ox < x1; ox++) s += gy[gRow + ox] * x[xRow + ox * strideW];
            }
          }
          gw[wBase + ky * kw + kx] = s;
        }
      }
    }
  }
}
