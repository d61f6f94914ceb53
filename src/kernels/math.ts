// Transcendental functions on four f32 lanes. WebAssembly has no exp, so these are the classic
// Cephes expf: range reduction x = n·ln2 + r (|r| ≤ ln2/2, ln2 split in two parts so r is exact),
// a degree-5 minimax polynomial for eʳ, and 2ⁿ built directly in the exponent bits. Relative error
// ≤ 2 ulp over the clamped range; sigmoid inherits it; tanh switches to a polynomial near 0.

// @ts-ignore: decorator
@inline const LOG2E: f32 = 1.44269504088896341;
// @ts-ignore: decorator
@inline const LN2_HI: f32 = 0.693359375;
// @ts-ignore: decorator
@inline const LN2_LO: f32 = -2.12194440e-4;
/** exp overflows float32 above ~88.72 and 2ⁿ must stay a normal number: n ∈ [−126, 127]. */
// @ts-ignore: decorator
@inline const EXP_HI: f32 = 88.3762626647949;
// @ts-ignore: decorator
@inline const EXP_LO: f32 = -87.3365447504;

/** 1.5·2²³: adding it rounds a float32 |v| < 2²² to an integer (to nearest even) held in the low
 * mantissa bits. */
// @ts-ignore: decorator
@inline const ROUND_MAGIC: f32 = 12582912.0;

/** eˣ on four lanes (x clamped to [−87.34, 88.38]: the result saturates instead of overflowing).
 * NOTE: pmin/pmax (one minps/maxps each on x64; NaN still propagates) and the magic-number
 * rounding instead of f32x4.min/max, nearest and trunc_sat, which V8 expands into several
 * instructions each: same bits for every non-NaN input, about twice as fast. */
// @ts-ignore: decorator
@inline export function expv(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(EXP_LO)), f32x4.splat(EXP_HI));
  // n = round(x·log2e), and its integer in t's low bits
  const t = f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(ROUND_MAGIC));
  const n = f32x4.sub(t, f32x4.splat(ROUND_MAGIC));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const r2 = f32x4.mul(r, r);
  const e = f32x4.add(f32x4.add(f32x4.mul(p, r2), r), f32x4.splat(1));
  // 2ⁿ: (n + 127) << 23 in the exponent field; n = bits(t) − bits(ROUND_MAGIC)
  const pow2n = i32x4.shl(i32x4.add(i32x4.sub(t, i32x4.splat(0x4b400000)), i32x4.splat(127)), 23);
  return f32x4.mul(e, pow2n);
}

/** σ(x) = 1 / (1 + e⁻ˣ) on four lanes. */
// @ts-ignore: decorator
@inline export function sigmoidv(x: v128): v128 {
  return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), expv(f32x4.neg(x))));
}

/** tanh on four lanes: 1 − 2 / (e²ˣ + 1) (exact limits ±1 at both ends), and for |x| < 0.625,
 * where that form cancels, Cephes tanhf's odd polynomial x·(1 + x²·p(x²)) — relative error ~1 ulp
 * near 0 (and tanh(−0) = −0). */
// @ts-ignore: decorator
@inline export function tanhv(x: v128): v128 {
  const e = expv(f32x4.add(x, x));
  const big = f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-3.33332819422e-1));
  const small = f32x4.mul(x, f32x4.add(f32x4.splat(1), f32x4.mul(z, p)));
  return v128.bitselect(small, big, f32x4.lt(f32x4.abs(x), f32x4.splat(0.625)));
}

/** Scalar versions for tails: the same arithmetic on lane 0, so a tail element gets exactly the
 * value it would get inside a vector. */
export function expf1(x: f32): f32 {
  return f32x4.extract_lane(expv(f32x4.splat(x)), 0);
}
export function sigmoidf1(x: f32): f32 {
  return f32x4.extract_lane(sigmoidv(f32x4.splat(x)), 0);
}
export function tanhf1(x: f32): f32 {
  return f32x4.extract_lane(tanhv(f32x4.splat(x)), 0);
}
