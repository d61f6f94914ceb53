// Training-mode batch normalization, forward and backward, for a range of channels of x viewed as
// (outer, c, inner) — the same arithmetic as src/backend/ref/elementwise.ts (the specification):
// two passes for the statistics (the centered sum of squares does not cancel), biased variance.
// The mean's sum runs in f64 lanes; the other sums in four f32 lanes per row, added into f64 totals
// per row, so a channel of 10⁵ elements keeps the reference's accuracy.

import { reluBits1, reluBits4, reluGrad1, reluGrad4 } from './simd';

// @ts-ignore: decorator
@inline function sumRow(p: usize, n: i32): f64 {
  // f64 lanes: the mean's sum must not round (x ≈ 1000 with σ ≈ 0.01 is a real activation pattern)
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(p + (<usize>i << 2));
    a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v));
    a1 = f64x2.add(a1, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)));
  }
  let s: f64 = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1) + f64x2.extract_lane(a1, 0) + f64x2.extract_lane(a1, 1);
  for (; i < n; i++) s += <f64>load<f32>(p + (<usize>i << 2));
  return s;
}

/** Σ (x − m)² over one row, the mean given as mh + ml (two floats: x − mh is exact when x is near
 * the mean, so a channel whose mean is large next to its spread loses nothing). */
// @ts-ignore: decorator
@inline function sqDevRow(p: usize, n: i32, mh: f32, ml: f32): f64 {
  const hv = f32x4.splat(mh), lv = f32x4.splat(ml);
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const d = f32x4.sub(f32x4.sub(v128.load(p + (<usize>i << 2)), hv), lv);
    acc = f32x4.add(acc, f32x4.mul(d, d));
  }
  let s: f64 = <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1)
    + <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
  for (; i < n; i++) {
    const d = load<f32>(p + (<usize>i << 2)) - mh - ml;
    s += <f64>(d * d);
  }
  return s;
}

/** The fused epilogue: y (+ residual, when res ≠ 0) and then relu (when relu ≠ 0), with relu_f32's
 * bits. */
// @ts-ignore: decorator
@inline function epilogue4(v: v128, res: usize, q: usize, relu: i32): v128 {
  if (res != 0) v = f32x4.add(v, v128.load(res + q));
  return relu != 0 ? reluBits4(v) : v;
}

// @ts-ignore: decorator
@inline function epilogue1(v: f32, res: usize, q: usize, relu: i32): f32 {
  if (res != 0) v += load<f32>(res + q);
  return relu != 0 ? reluBits1(v) : v;
}

/** y = relu?((x − mean)·scale + shift + residual?): `res` (0 = none) is read at y's offsets;
 * relu ≠ 0 applies it (the same bits as separate add and relu calls). */
export function batchNormForward(
  outer: i32, c: i32, inner: i32, j0: i32, j1: i32, x: usize, weight: usize, bias: usize, y: usize,
  mean: usize, varOut: usize, invstd: usize, eps: f32, res: usize, relu: i32,
): void {
  const count = <f64>outer * <f64>inner;
  for (let j = j0; j < j1; j++) {
    let s: f64 = 0;
    for (let o = 0; o < outer; o++) s += sumRow(x + (<usize>((o * c + j) * inner) << 2), inner);
    const m64 = s / count;
    const m = <f32>m64, ml = <f32>(m64 - <f64>m);
    let ss: f64 = 0;
    for (let o = 0; o < outer; o++) ss += sqDevRow(x + (<usize>((o * c + j) * inner) << 2), inner, m, ml);
    const v = ss / count;
    const is = <f32>(1 / Math.sqrt(v + <f64>eps));
    const jb = <usize>j << 2;
    store<f32>(mean + jb, m);
    store<f32>(varOut + jb, <f32>v);
    store<f32>(invstd + jb, is);
    // y = (x − mean)·scale + bias: centring first keeps float32 accurate when |mean| ≫ σ
    const scale = weight == 0 ? is : is * load<f32>(weight + jb);
    const shift: f32 = bias == 0 ? <f32>0 : load<f32>(bias + jb);
    const sv = f32x4.splat(scale), hv = f32x4.splat(shift), mv = f32x4.splat(m), lv = f32x4.splat(ml);
    for (let o = 0; o < outer; o++) {
      const off = <usize>((o * c + j) * inner) << 2;
      const xp = x + off, yp = y + off, rp = res == 0 ? 0 : res + off;
      let i = 0;
      for (; i + 4 <= inner; i += 4) {
        const q = <usize>i << 2;
        v128.store(yp + q, epilogue4(f32x4.add(f32x4.mul(f32x4.sub(f32x4.sub(v128.load(xp + q), mv), lv), sv), hv), rp, q, relu));
      }
      for (; i < inner; i++) {
        const q = <usize>i << 2;
        store<f32>(yp + q, epilogue1((load<f32>(xp + q) - m - ml) * scale + shift, rp, q, relu));
      }
    }
  }
}

/** gy·1[y > 0] as reluBackward_f32 computes it, or gy when ym = 0 (no relu). */
// @ts-ignore: decorator
@inline function masked4(gp: usize, ym: usize, q: usize): v128 {
  const d = v128.load(gp + q);
  return ym == 0 ? d : reluGrad4(d, v128.load(ym + q));
}

// @ts-ignore: decorator
@inline function masked1(gp: usize, ym: usize, q: usize): f32 {
  const d = load<f32>(gp + q);
  return ym == 0 ? d : reluGrad1(d, load<f32>(ym + q));
}

/** gWeight = Σ gy·x̂, gBias = Σ gy, gx = k·(gy − Σgy/M − x̂·Σ(gy·x̂)/M) with k = γ·invstd (gx = 0
 * pointer: statistics only). Fused with a relu after it (yMask ≠ 0, the fused forward's output):
 * gy is first multiplied by 1[y > 0]; gRes ≠ 0 receives that gy (the residual's gradient). */
export function batchNormBackward(
  outer: i32, c: i32, inner: i32, j0: i32, j1: i32, x: usize, gy: usize, weight: usize,
  mean: usize, invstd: usize, gx: usize, gWeight: usize, gBias: usize, yMask: usize, gRes: usize,
): void {
  const count = <f64>outer * <f64>inner;
  for (let j = j0; j < j1; j++) {
    const jb = <usize>j << 2;
    const m = load<f32>(mean + jb), is = load<f32>(invstd + jb);
    const mv = f32x4.splat(m);
    let sg: f64 = 0, sgc: f64 = 0;
    for (let o = 0; o < outer; o++) {
      const off = <usize>((o * c + j) * inner) << 2;
      const xp = x + off, gp = gy + off, ym = yMask == 0 ? 0 : yMask + off, rp = gRes == 0 ? 0 : gRes + off;
      let a1 = f32x4.splat(0), a2 = f32x4.splat(0);
      let i = 0;
      for (; i + 4 <= inner; i += 4) {
        const q = <usize>i << 2;
        const d = masked4(gp, ym, q);
        if (rp != 0) v128.store(rp + q, d);
        a1 = f32x4.add(a1, d);
        a2 = f32x4.add(a2, f32x4.mul(d, f32x4.sub(v128.load(xp + q), mv)));
      }
      sg += <f64>f32x4.extract_lane(a1, 0) + <f64>f32x4.extract_lane(a1, 1) + <f64>f32x4.extract_lane(a1, 2) + <f64>f32x4.extract_lane(a1, 3);
      sgc += <f64>f32x4.extract_lane(a2, 0) + <f64>f32x4.extract_lane(a2, 1) + <f64>f32x4.extract_lane(a2, 2) + <f64>f32x4.extract_lane(a2, 3);
      for (; i < inner; i++) {
        const q = <usize>i << 2;
        const d = masked1(gp, ym, q);
        if (rp != 0) store<f32>(rp + q, d);
        sg += <f64>d;
        sgc += <f64>(d * (load<f32>(xp + q) - m));
      }
    }
    const sgx = sgc * <f64>is;
    store<f32>(gWeight + jb, <f32>sgx);
    store<f32>(gBias + jb, <f32>sg);
    if (gx == 0) continue;
    const k = weight == 0 ? is : is * load<f32>(weight + jb);
    const meanG = <f32>(sg / count);
    const b = <f32>((sgx / count) * <f64>is);
    const kv = f32x4.splat(k), gv = f32x4.splat(meanG), bv = f32x4.splat(b);
    for (let o = 0; o < outer; o++) {
      const off = <usize>((o * c + j) * inner) << 2;
      const xp = x + off, gp = gy + off, op = gx + off, ym = yMask == 0 ? 0 : yMask + off;
      let i = 0;
      for (; i + 4 <= inner; i += 4) {
        const q = <usize>i << 2;
        const xc = f32x4.mul(f32x4.sub(v128.load(xp + q), mv), bv);
        v128.store(op + q, f32x4.mul(kv, f32x4.sub(f32x4.sub(masked4(gp, ym, q), gv), xc)));
      }
      for (; i < inner; i++) {
        const q = <usize>i << 2;
        store<f32>(op + q, k * (masked1(gp, ym, q) - meanG - (load<f32>(xp + q) - m) * b));
      }
    }
  }
}
