// 2-D max / average pooling over a range of planes [p0, p1) of x (planes, h, w) → y (planes, oh, ow).
// Window rules are PyTorch's, exactly as in src/backend/ref/pool.ts (the specification):
//  - max: real cells only; NaN wins (the last NaN is the argmax); argmax = iy·w + ix within the
//    plane; a window with no real cell gives -Infinity and argmax -1; a window of real -Infinity
//    cells picks its first cell.
//  - avg: sum of real cells / divisor; divisor = real cells, or with countIncludePad the window's
//    area clipped to the padded input; a window with no real cell gives 0.

// @ts-ignore: decorator
@inline function avgDivisor(y0: i32, x0: i32, kh: i32, kw: i32, h: i32, w: i32, ph: i32, pw: i32, cip: i32): f32 {
  if (cip != 0) {
    return <f32>((min(y0 + kh, h + ph) - y0) * (min(x0 + kw, w + pw) - x0));
  }
  return <f32>((min(y0 + kh, h) - max(y0, 0)) * (min(x0 + kw, w) - max(x0, 0)));
}

export function maxPool(
  p0: i32, p1: i32, h: i32, w: i32, kh: i32, kw: i32, oh: i32, ow: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, x: usize, y: usize, am: usize,
): void {
  const xPlane = h * w;
  const yPlane = oh * ow;
  const fast = kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && 2 * ow <= w && 2 * oh <= h;
  for (let pl = p0; pl < p1; pl++) {
    const xb = x + (<usize>(pl * xPlane) << 2);
    let yo = <usize>(pl * yPlane) << 2;
    if (fast) {
      maxPool2x2(xb, w, oh, ow, y + yo, am + yo);
      continue;
    }
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph;
      const iy0 = max(y0, 0);
      const iy1 = min(y0 + kh, h);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - pw;
        const ix0 = max(x0, 0);
        const ix1 = min(x0 + kw, w);
        let best: f32 = -Infinity;
        let arg = iy0 < iy1 && ix0 < ix1 ? iy0 * w + ix0 : -1;
        for (let iy = iy0; iy < iy1; iy++) {
          const row = iy * w;
          for (let ix = ix0; ix < ix1; ix++) {
            const v = load<f32>(xb + (<usize>(row + ix) << 2));
            // branch-free: on random data this comparison is a coin flip the CPU cannot predict
            const take = <i32>(v > best) | <i32>(v != v);
            best = select<f32>(v, best, take);
            arg = select<i32>(row + ix, arg, take);
          }
        }
        store<f32>(y + yo, best);
        store<i32>(am + yo, arg);
        yo += 4;
      }
    }
  }
}

/** The 2×2, stride-2, unpadded max pool of one plane (most CNNs' only pool), four windows at a
 * time: even and odd columns of the two input rows are split with shuffles, and the scan order is
 * the scalar loop's (row by row, left to right). */
function maxPool2x2(xb: usize, w: i32, oh: i32, ow: i32, y: usize, am: usize): void {
  const step = i32x4(0, 2, 4, 6);
  const one = i32x4.splat(1), down = i32x4.splat(w);
  for (let oy = 0; oy < oh; oy++) {
    const r0 = xb + (<usize>(2 * oy * w) << 2), r1 = r0 + (<usize>w << 2);
    const yr = y + (<usize>(oy * ow) << 2), ar = am + (<usize>(oy * ow) << 2);
    let ox = 0;
    for (; ox + 4 <= ow; ox += 4) {
      const o = <usize>(2 * ox) << 2;
      const a0 = v128.load(r0 + o), a1 = v128.load(r0 + o, 16);
      const b0 = v128.load(r1 + o), b1 = v128.load(r1 + o, 16);
      const i00 = i32x4.add(i32x4.splat(2 * oy * w + 2 * ox), step);
      const i10 = i32x4.add(i00, down);
      // first cell, then each next one taken when greater or NaN (the scalar rule)
      let best = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
      let arg = i00;
      let v = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
      let m = v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
      best = v128.bitselect(v, best, m);
      arg = v128.bitselect(i32x4.add(i00, one), arg, m);
      v = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
      m = v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
      best = v128.bitselect(v, best, m);
      arg = v128.bitselect(i10, arg, m);
      v = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
      m = v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
      best = v128.bitselect(v, best, m);
      arg = v128.bitselect(i32x4.add(i10, one), arg, m);
      const q = <usize>ox << 2;
      v128.store(ar + q, arg);
      v128.store(yr + q, best);
    }
    for (; ox < ow; ox++) {
      const i0 = 2 * oy * w + 2 * ox;
      let best = load<f32>(xb + (<usize>i0 << 2));
      let arg = i0;
      for (let k = 1; k < 4; k++) {
        const idx = i0 + (k >> 1) * w + (k & 1);
        const v = load<f32>(xb + (<usize>idx << 2));
        const take = <i32>(v > best) | <i32>(v != v);
        best = select<f32>(v, best, take);
        arg = select<i32>(idx, arg, take);
      }
      store<f32>(yr + (<usize>ox << 2), best);
      store<i32>(ar + (<usize>ox << 2), arg);
    }
  }
}

/** gx planes [p0, p1) = scatter-add of gy at argmax (planes cleared first). */
export function maxPoolBackward(
  p0: i32, p1: i32, h: i32, w: i32, oh: i32, ow: i32, gy: usize, am: usize, gx: usize,
): void {
  const xPlane = h * w;
  const yPlane = oh * ow;
  memory.fill(gx + (<usize>(p0 * xPlane) << 2), 0, <usize>((p1 - p0) * xPlane) << 2);
  for (let pl = p0; pl < p1; pl++) {
    const xb = gx + (<usize>(pl * xPlane) << 2);
    const yb = <usize>(pl * yPlane) << 2;
    for (let j = 0; j < yPlane; j++) {
      const o = yb + (<usize>j << 2);
      const a = load<i32>(am + o);
      if (a >= 0) {
        const d = xb + (<usize>a << 2);
        store<f32>(d, load<f32>(d) + load<f32>(gy + o));
      }
    }
  }
}

export function avgPool(
  p0: i32, p1: i32, h: i32, w: i32, kh: i32, kw: i32, oh: i32, ow: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, x: usize, y: usize, cip: i32,
): void {
  const xPlane = h * w;
  const yPlane = oh * ow;
  for (let pl = p0; pl < p1; pl++) {
    const xb = x + (<usize>(pl * xPlane) << 2);
    let yo = y + (<usize>(pl * yPlane) << 2);
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph;
      const iy0 = max(y0, 0);
      const iy1 = min(y0 + kh, h);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - pw;
        const ix0 = max(x0, 0);
        const ix1 = min(x0 + kw, w);
        if (iy0 >= iy1 || ix0 >= ix1) {
          store<f32>(yo, 0);
        } else {
          let s: f32 = 0;
          for (let iy = iy0; iy < iy1; iy++) {
            const row = xb + (<usize>(iy * w) << 2);
            for (let ix = ix0; ix < ix1; ix++) s += load<f32>(row + (<usize>ix << 2));
          }
          store<f32>(yo, s / avgDivisor(y0, x0, kh, kw, h, w, ph, pw, cip));
        }
        yo += 4;
      }
    }
  }
}

export function avgPoolBackward(
  p0: i32, p1: i32, h: i32, w: i32, kh: i32, kw: i32, oh: i32, ow: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, gy: usize, gx: usize, cip: i32,
): void {
  const xPlane = h * w;
  const yPlane = oh * ow;
  memory.fill(gx + (<usize>(p0 * xPlane) << 2), 0, <usize>((p1 - p0) * xPlane) << 2);
  for (let pl = p0; pl < p1; pl++) {
    const xb = gx + (<usize>(pl * xPlane) << 2);
    let yo = gy + (<usize>(pl * yPlane) << 2);
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph;
      const iy0 = max(y0, 0);
      const iy1 = min(y0 + kh, h);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - pw;
        const ix0 = max(x0, 0);
        const ix1 = min(x0 + kw, w);
        if (iy0 < iy1 && ix0 < ix1) {
          const gv = load<f32>(yo) / avgDivisor(y0, x0, kh, kw, h, w, ph, pw, cip);
          for (let iy = iy0; iy < iy1; iy++) {
            const row = xb + (<usize>(iy * w) << 2);
            for (let ix = ix0; ix < ix1; ix++) {
              const d = row + (<usize>ix << 2);
              store<f32>(d, load<f32>(d) + gv);
            }
          }
        }
        yo += 4;
      }
    }
  }
}
