// Tiny SIMD helpers shared by the kernels. Compiled twice by scripts/build-kernels.mjs: once with
// relaxed-SIMD (ASC_FEATURE_RELAXED_SIMD is true and madd is one fused f32x4.relaxed_madd) and once
// with plain SIMD128 (madd is f32x4.mul + f32x4.add). The branch is resolved at compile time.

/** a·b + c, four lanes. Relaxed-SIMD may or may not round the product (fused or not): both are
 * within the kernels' float32 tolerance. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(f32x4.mul(a, b), c);
  }
}

/** relu on the bits, four lanes: a set sign bit clears the word (→ +0; a NaN with a clear sign
 * stays NaN). relu_f32 and batch norm's fused epilogue share it, so they give the same bits. */
// @ts-ignore: decorator
@inline export function reluBits4(v: v128): v128 {
  return v128.andnot(v, i32x4.shr_s(v, 31));
}

// @ts-ignore: decorator
@inline export function reluBits1(v: f32): f32 {
  const b = reinterpret<i32>(v);
  return reinterpret<f32>(b & ~(b >> 31));
}

/** relu's gradient gy · 1[x > 0] as a product (a NaN or ±∞ gradient times 0 stays NaN, as ref's),
 * four lanes; reluBackward_f32 and batch norm's fused backward share it. */
// @ts-ignore: decorator
@inline export function reluGrad4(gy: v128, x: v128): v128 {
  return f32x4.mul(gy, v128.and(f32x4.gt(x, f32x4.splat(0)), f32x4.splat(1)));
}

// @ts-ignore: decorator
@inline export function reluGrad1(gy: f32, x: f32): f32 {
  return gy * (x > 0 ? <f32>1 : <f32>0);
}

/** dst[0..len) = 0 (f32 elements). */
export function zeroF32(dst: usize, len: i32): void {
  memory.fill(dst, 0, <usize>len << 2);
}

/** dst[0..len) += src[0..len) (f32 elements, any alignment). */
export function addInto(dst: usize, src: usize, len: i32): void {
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/** dst[0..len) = src[0..len) (f32, any alignment, no overlap). V8 runs memory.copy as a call out of
 * the compiled code, which costs more than the copy itself for the short rows of im2col (7–28
 * floats on small images): short copies run inline. */
// @ts-ignore: decorator
@inline export function copyF32(dst: usize, src: usize, len: i32): void {
  if (len > 64) {
    memory.copy(dst, src, <usize>len << 2);
    return;
  }
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, v128.load(src + o));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(src + o));
  }
}

/** dst[0..len) = 0 (f32); short runs inline, as copyF32. */
// @ts-ignore: decorator
@inline export function fillZeroF32(dst: usize, len: i32): void {
  if (len > 64) {
    memory.fill(dst, 0, <usize>len << 2);
    return;
  }
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= len; i += 4) v128.store(dst + (<usize>i << 2), z);
  for (; i < len; i++) store<f32>(dst + (<usize>i << 2), 0);
}
