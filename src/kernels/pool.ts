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
  for (let pl = p0; pl < p1; pl++) {
    const xb = x + (<usize>(pl * xPlane) << 2);
    let yo = <usize>(pl * yPlane) << 2;
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
