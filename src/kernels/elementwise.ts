// Row-wise softmax cross-entropy (forward and backward) and the sum over a leading axis, float32.
// Single-threaded: src/backend/wasm/elementwise.ts calls these exports directly. The math is that of
// src/backend/ref/elementwise.ts (the specification); the notes say where float32 differs.
import { expf1, expv, sigmoidf1, sigmoidv, tanhf1, tanhv } from './math';
import { reluBits1, reluBits4, reluGrad1, reluGrad4 } from './simd';

/** Columns per block of sumLeading_f32: 512 f64 accumulators (4 KiB) stay in L1. */
// @ts-ignore: decorator
@inline const SUM_BLOCK: i32 = 512;

/** Lanes 2, 3 of a f32x4 widened to f64x2 (promote_low takes lanes 0, 1). */
// @ts-ignore: decorator
@inline function promoteHigh(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
}

/**
 * softmaxCrossEntropy_f32: x, probs (rows, classes) dense f32; target (rows) i32 in [0, classes) or
 * −1; loss (rows) f32. probs must not alias x. Per row, with m = max(x[i, :]):
 *   probs[i, c] = exp(x[i, c] − m) / s,  s = Σ_c exp(x[i, c] − m),  loss[i] = m + log s − x[i, t]
 * and on an ignored row (t = −1) loss 0, probs all 0. exp is Cephes expf (≤ 2 ulp); s is summed and
 * the loss formed in f64 (log in f64), so the loss keeps float32 precision for any class count.
 * NOTE: exp(−∞) is 0 (masked: expv alone saturates to ~1e-38); an all −∞ row gives NaN, like ref.
 */
export function softmaxCrossEntropy_f32(x: usize, target: usize, loss: usize, probs: usize, rows: i32, classes: i32): void {
  const rowBytes = <usize>classes << 2;
  const cv = classes & ~3;
  const NEG_INF = f32x4.splat(-Infinity);
  for (let i = 0; i < rows; i++) {
    const xr = x + <usize>i * rowBytes;
    const pr = probs + <usize>i * rowBytes;
    const t = load<i32>(target + (<usize>i << 2));
    if (t < 0) {
      memory.fill(pr, 0, rowBytes);
      store<f32>(loss + (<usize>i << 2), 0);
      continue;
    }
    // m = max over the row
    let mv = NEG_INF;
    let c = 0;
    for (; c < cv; c += 4) mv = f32x4.pmax(mv, v128.load(xr + (<usize>c << 2))); // pmax: one maxps, skips NaN like ref
    let m = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
    for (; c < classes; c++) m = max(m, load<f32>(xr + (<usize>c << 2)));
    if (m == -Infinity) m = 0; // an all −∞ row: s = 0 below and NaN results, as the composed formula
    // e = exp(x − m) into probs, s = Σ e in f64
    const mvs = f32x4.splat(m);
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
    for (c = 0; c < cv; c += 4) {
      const d = f32x4.sub(v128.load(xr + (<usize>c << 2)), mvs);
      const e = v128.and(expv(d), f32x4.ne(d, NEG_INF));
      v128.store(pr + (<usize>c << 2), e);
      s0 = f64x2.add(s0, f64x2.promote_low_f32x4(e));
      s1 = f64x2.add(s1, promoteHigh(e));
    }
    let s: f64 = 0;
    for (; c < classes; c++) {
      const d = load<f32>(xr + (<usize>c << 2)) - m;
      const e: f32 = d == -Infinity ? 0 : expf1(d);
      store<f32>(pr + (<usize>c << 2), e);
      s += <f64>e;
    }
    s0 = f64x2.add(s0, s1);
    s += f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1);
    // probs = e / s
    const inv = <f32>(1.0 / s);
    const invv = f32x4.splat(inv);
    for (c = 0; c < cv; c += 4) {
      const p = pr + (<usize>c << 2);
      v128.store(p, f32x4.mul(v128.load(p), invv));
    }
    for (; c < classes; c++) {
      const p = pr + (<usize>c << 2);
      store<f32>(p, load<f32>(p) * inv);
    }
    const xt = <f64>load<f32>(xr + (<usize>t << 2));
    store<f32>(loss + (<usize>i << 2), <f32>(<f64>m + Math.log(s) - xt));
  }
}

/**
 * softmaxCrossEntropyBackward_f32: probs, gx (rows, classes) dense f32; target (rows) i32 in
 * [0, classes) or −1; gLoss (rows) f32. gx may alias probs (in place).
 *   gx[i, c] = g·probs[i, c] − g·[c = t],  g = gLoss[i] (0 on an ignored row)
 * Each element is one f32 multiply (and one subtract at t): bitwise what ref computes in f64 and
 * rounds, since both are correctly rounded.
 */
export function softmaxCrossEntropyBackward_f32(probs: usize, target: usize, gLoss: usize, gx: usize, rows: i32, classes: i32): void {
  const rowBytes = <usize>classes << 2;
  const cv = classes & ~3;
  for (let i = 0; i < rows; i++) {
    const pr = probs + <usize>i * rowBytes;
    const gr = gx + <usize>i * rowBytes;
    const t = load<i32>(target + (<usize>i << 2));
    const g: f32 = t < 0 ? 0 : load<f32>(gLoss + (<usize>i << 2));
    const gv = f32x4.splat(g);
    let c = 0;
    for (; c < cv; c += 4) v128.store(gr + (<usize>c << 2), f32x4.mul(v128.load(pr + (<usize>c << 2)), gv));
    for (; c < classes; c++) store<f32>(gr + (<usize>c << 2), load<f32>(pr + (<usize>c << 2)) * g);
    if (t >= 0) {
      const p = gr + (<usize>t << 2);
      store<f32>(p, load<f32>(p) - g);
    }
  }
}

/**
 * sumLeading_f32: out[j] = Σ_i x[i, j] for x (rows, cols) dense f32, out (cols) f32 (a bias
 * gradient: reduce 'sum' over the leading axis). acc is a workspace of min(cols, 512) f64
 * (16-byte aligned); out must not alias x. Sums in f64, four rows per pass over a block
 * of 512 columns, then rounds once: within an ulp or so of ref's f64 sum.
 */
export function sumLeading_f32(x: usize, out: usize, rows: i32, cols: i32, acc: usize): void {
  const rowBytes = <usize>cols << 2;
  for (let j0 = 0; j0 < cols; j0 += SUM_BLOCK) {
    const w = min(SUM_BLOCK, cols - j0);
    const wv = w & ~3;
    memory.fill(acc, 0, <usize>w << 3);
    const base = x + (<usize>j0 << 2);
    let i = 0;
    for (; i + 4 <= rows; i += 4) {
      const r0 = base + <usize>i * rowBytes;
      const r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes;
      let j = 0;
      for (; j < wv; j += 4) {
        const o = <usize>j << 2;
        const v0 = v128.load(r0 + o), v1 = v128.load(r1 + o), v2 = v128.load(r2 + o), v3 = v128.load(r3 + o);
        const lo = f64x2.add(f64x2.add(f64x2.promote_low_f32x4(v0), f64x2.promote_low_f32x4(v1)),
          f64x2.add(f64x2.promote_low_f32x4(v2), f64x2.promote_low_f32x4(v3)));
        const hi = f64x2.add(f64x2.add(promoteHigh(v0), promoteHigh(v1)), f64x2.add(promoteHigh(v2), promoteHigh(v3)));
        const a = acc + (<usize>j << 3);
        v128.store(a, f64x2.add(v128.load(a), lo));
        v128.store(a + 16, f64x2.add(v128.load(a + 16), hi));
      }
      for (; j < w; j++) {
        const o = <usize>j << 2;
        const a = acc + (<usize>j << 3);
        store<f64>(a, load<f64>(a) + ((<f64>load<f32>(r0 + o) + <f64>load<f32>(r1 + o)) + (<f64>load<f32>(r2 + o) + <f64>load<f32>(r3 + o))));
      }
    }
    for (; i < rows; i++) {
      const r = base + <usize>i * rowBytes;
      for (let j = 0; j < w; j++) {
        const a = acc + (<usize>j << 3);
        store<f64>(a, load<f64>(a) + <f64>load<f32>(r + (<usize>j << 2)));
      }
    }
    const ob = out + (<usize>j0 << 2);
    for (let j = 0; j < w; j++) store<f32>(ob + (<usize>j << 2), <f32>load<f64>(acc + (<usize>j << 3)));
  }
}

/**
 * addRows_f32: out[i, j] = x[i, j] + b[j] for x, out (rows, cols) dense f32 and b (cols) f32 (a
 * bias add). out may alias x. One correctly rounded f32 add per element: bitwise what ref gives.
 */
export function addRows_f32(x: usize, b: usize, out: usize, rows: i32, cols: i32): void {
  const rowBytes = <usize>cols << 2;
  const cv = cols & ~3;
  for (let i = 0; i < rows; i++) {
    const xr = x + <usize>i * rowBytes;
    const or = out + <usize>i * rowBytes;
    let j = 0;
    for (; j < cv; j += 4) {
      const o = <usize>j << 2;
      v128.store(or + o, f32x4.add(v128.load(xr + o), v128.load(b + o)));
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(or + o, load<f32>(xr + o) + load<f32>(b + o));
    }
  }
}

/** out (outer, C, inner) = x + b[c] (mul = 0) or x · b[c] (mul = 1), b broadcast over inner: a
 * convolution's per-channel bias, an eval-mode batch norm's scale. */
export function channelOp_f32(x: usize, b: usize, out: usize, outer: i32, C: i32, inner: i32, mul: i32): void {
  const iv = inner & ~3;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < C; c++) {
      const off = <usize>((o * C + c) * inner) << 2;
      const bv = load<f32>(b + (<usize>c << 2));
      const bs = f32x4.splat(bv);
      const xr = x + off, or = out + off;
      let i = 0;
      if (mul != 0) {
        for (; i < iv; i += 4) v128.store(or + (<usize>i << 2), f32x4.mul(v128.load(xr + (<usize>i << 2)), bs));
        for (; i < inner; i++) store<f32>(or + (<usize>i << 2), load<f32>(xr + (<usize>i << 2)) * bv);
      } else {
        for (; i < iv; i += 4) v128.store(or + (<usize>i << 2), f32x4.add(v128.load(xr + (<usize>i << 2)), bs));
        for (; i < inner; i++) store<f32>(or + (<usize>i << 2), load<f32>(xr + (<usize>i << 2)) + bv);
      }
    }
  }
}

/** out = relu(x) on the bits, as ref's float32 path: a set sign bit clears the word (→ +0). */
export function relu_f32(x: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, reluBits4(v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, reluBits1(load<f32>(x + o)));
  }
}

/**
 * out = f(x) for f = tanh (op 0), σ (op 1) or exp (op 2): the SIMD approximations of math.ts
 * (≤ 2 ulp from the float64 reference rounded to float32) for x in [−87, 88]; where they clamp
 * (exp saturating instead of overflowing to ∞ or underflowing to a subnormal or 0) and for NaN,
 * the element is computed as ref computes it, in float64. The tail uses the same arithmetic on one
 * lane, so an element's value does not depend on where it sits. out may alias x.
 */
export function unaryMath_f32(x: usize, out: usize, n: i32, op: i32): void {
  const lo = f32x4.splat(-87.0);
  const hi = f32x4.splat(88.0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    // (v ≥ lo && v ≤ hi) is false for NaN too
    if (i32x4.all_true(v128.and(f32x4.ge(v, lo), f32x4.le(v, hi)))) {
      v128.store(out + o, op === 0 ? tanhv(v) : op === 1 ? sigmoidv(v) : expv(v));
    } else {
      for (let k = 0; k < 4; k++) store<f32>(out + o + (<usize>k << 2), mathOne(load<f32>(x + o + (<usize>k << 2)), op));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, mathOne(load<f32>(x + o), op));
  }
}

/** One element of unaryMath_f32: the lane arithmetic inside [−87, 88], ref's float64 formula outside. */
function mathOne(v: f32, op: i32): f32 {
  if (v >= -87.0 && v <= 88.0) return op === 0 ? tanhf1(v) : op === 1 ? sigmoidf1(v) : expf1(v);
  const d = <f64>v;
  if (op === 0) return <f32>Math.tanh(d);
  if (op === 1) return <f32>(d >= 0 ? 1 / (1 + Math.exp(-d)) : Math.exp(d) / (1 + Math.exp(d)));
  return <f32>Math.exp(d);
}

/** gx = gy · 1[x > 0] as a product (a NaN or ±∞ gradient times 0 stays NaN, as in ref). gx may alias gy. */
export function reluBackward_f32(x: usize, gy: usize, gx: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(gx + o, reluGrad4(v128.load(gy + o), v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(gx + o, reluGrad1(load<f32>(gy + o), load<f32>(x + o)));
  }
}

/**
 * One Adam step in place, float32 (torch.optim.Adam's arithmetic, without amsgrad): with
 * g = sign·grad + l2·θ,  m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,
 * θ ← θ·decay − stepSize·m / (√v / bc2Sqrt + eps). `decay` is AdamW's 1 − lr·wd (1 for Adam).
 */
export function adam_f32(theta: usize, grad: usize, m: usize, v: usize, n: i32, beta1: f32, beta2: f32,
  stepSize: f32, bc2Sqrt: f32, eps: f32, l2: f32, sign: f32, decay: f32): void {
  const b1 = f32x4.splat(beta1), b2 = f32x4.splat(beta2), c1 = f32x4.splat(1 - beta1), c2 = f32x4.splat(1 - beta2);
  const ss = f32x4.splat(stepSize), inv = f32x4.splat(1 / bc2Sqrt), ev = f32x4.splat(eps);
  const lv = f32x4.splat(l2), sv = f32x4.splat(sign), dv = f32x4.splat(decay);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const t = f32x4.mul(v128.load(theta + o), dv);
    const g = f32x4.add(f32x4.mul(sv, v128.load(grad + o)), f32x4.mul(lv, t));
    const mv = f32x4.add(f32x4.mul(b1, v128.load(m + o)), f32x4.mul(c1, g));
    const vv = f32x4.add(f32x4.mul(b2, v128.load(v + o)), f32x4.mul(c2, f32x4.mul(g, g)));
    v128.store(m + o, mv);
    v128.store(v + o, vv);
    v128.store(theta + o, f32x4.sub(t, f32x4.div(f32x4.mul(ss, mv), f32x4.add(f32x4.mul(f32x4.sqrt(vv), inv), ev))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const t = load<f32>(theta + o) * decay;
    const g = sign * load<f32>(grad + o) + l2 * t;
    const mv = beta1 * load<f32>(m + o) + (1 - beta1) * g;
    const vv = beta2 * load<f32>(v + o) + (1 - beta2) * g * g;
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    store<f32>(theta + o, t - (stepSize * mv) / (Mathf.sqrt(vv) / bc2Sqrt + eps));
  }
}

/**
 * One SGD step in place, float32 (torch.optim.SGD's order): g = sign·grad + wd·θ; with momentum
 * (buf ≠ 0) b ← g on the first step, else μ·b + (1 − τ)·g, and d = g + μ·b (Nesterov) or b;
 * without, d = g; θ ← θ − lr·d.
 */
export function sgd_f32(theta: usize, grad: usize, buf: usize, n: i32, lr: f32, momentum: f32, dampening: f32,
  wd: f32, sign: f32, nesterov: i32, first: i32): void {
  const lv = f32x4.splat(lr), mu = f32x4.splat(momentum), damp = f32x4.splat(1 - dampening);
  const wv = f32x4.splat(wd), sv = f32x4.splat(sign);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const t = v128.load(theta + o);
    const g = f32x4.add(f32x4.mul(sv, v128.load(grad + o)), f32x4.mul(wv, t));
    let d = g;
    if (buf != 0) {
      const b = first != 0 ? g : f32x4.add(f32x4.mul(mu, v128.load(buf + o)), f32x4.mul(damp, g));
      v128.store(buf + o, b);
      d = nesterov != 0 ? f32x4.add(g, f32x4.mul(mu, b)) : b;
    }
    v128.store(theta + o, f32x4.sub(t, f32x4.mul(lv, d)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const t = load<f32>(theta + o);
    const g = sign * load<f32>(grad + o) + wd * t;
    let d = g;
    if (buf != 0) {
      const b = first != 0 ? g : momentum * load<f32>(buf + o) + (1 - dampening) * g;
      store<f32>(buf + o, b);
      d = nesterov != 0 ? g + momentum * b : b;
    }
    store<f32>(theta + o, t - lr * d);
  }
}
