// sgemm: C (m, n) = op(A) · op(B) (or C += …), float32, packed and cache-blocked (Goto/BLIS loop
// order) around a 6×8 register-tiled SIMD micro-kernel.
//
// Pointers are byte addresses in linear memory; every stride is in elements. A general-stride
// description covers every transpose variant with one code path:
//   A(i, p) = A[i·rsA + p·csA]   NN/NT: rsA = k, csA = 1    TN/TT: rsA = 1, csA = m
//   B(p, j) = B[p·rsB + j·csB]   NN/TN: rsB = n, csB = 1    NT/TT: rsB = 1, csB = k
//   C(i, j) = C[i·ldc + j]
// Workspace `ws` (GEMM_WS_BYTES, 16-byte aligned) holds the packed A block, the packed B panel and
// an edge tile; it must be private to the calling thread. C must not alias A or B.
//
// Loop nest (sizes chosen for a 32 KiB L1 / 1 MiB L2 core):
//   for jc in n step NC:  for pc in k step KC:  pack B(pc:pc+KC, jc:jc+NC) → Bp   (L2/L3)
//     for ic in m step MC:  pack A(ic:ic+MC, pc:pc+KC) → Ap                        (L2)
//       for jr in NC step NR: for ir in MC step MR: micro-kernel(KC) on Ap panel × Bp panel
// Packed panels are zero-padded to MR/NR, so the micro-kernel always computes a full 6×8 tile; a
// partial tile is written through the edge tile.

import { madd } from './simd';

/** Rows of the register tile: 6×8 (12 accumulators) with fused multiply-add; 4×8 with plain
 * SIMD, whose separate multiply needs a scratch register (6×8 would spill on x64's 16 xmm). */
export const MR: i32 = ASC_FEATURE_RELAXED_SIMD ? 6 : 4;
export const NR: i32 = 8;
export const KC: i32 = 256;
export const MC: i32 = MR * 20;
export const NC: i32 = 1024;
const AP_BYTES: usize = <usize>(MC * KC) << 2;
const BP_BYTES: usize = <usize>(KC * NC) << 2;
const TILE_BYTES: usize = <usize>(6 * NR) << 2;
export const GEMM_WS_BYTES: usize = AP_BYTES + BP_BYTES + TILE_BYTES;

/** Bytes of private workspace one sgemm call needs. */
export function gemmWorkspaceBytes(): usize {
  return GEMM_WS_BYTES;
}

/** Packs rows [0, mc) × cols [0, kc) of A (starting at `a`) into MR-row panels, k-major inside a
 * panel: Ap[panel][p·MR + i]. Rows past mc are zero. */
function packA(mc: i32, kc: i32, a: usize, rsA: i32, csA: i32, ap: usize): void {
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const mr = min(MR, mc - i0);
    const panel = ap + (<usize>(i0 * kc) << 2);
    if (csA == 1 && mr == MR) {
      // A rows are contiguous in p: read six rows side by side.
      const r0 = a + (<usize>(i0 * rsA) << 2);
      const rs = <usize>rsA << 2;
      for (let p = 0; p < kc; p++) {
        const src = r0 + (<usize>p << 2);
        const dst = panel + (<usize>(p * MR) << 2);
        store<f32>(dst, load<f32>(src));
        store<f32>(dst, load<f32>(src + rs), 4);
        store<f32>(dst, load<f32>(src + 2 * rs), 8);
        store<f32>(dst, load<f32>(src + 3 * rs), 12);
        if (MR == 6) {
          store<f32>(dst, load<f32>(src + 4 * rs), 16);
          store<f32>(dst, load<f32>(src + 5 * rs), 20);
        }
      }
    } else if (rsA == 1 && mr == MR) {
      // A stored transposed (TN/TT): the panel's MR rows are consecutive floats of stored row p.
      const cs = <usize>csA << 2;
      let src = a + (<usize>i0 << 2);
      for (let p = 0; p < kc; p++) {
        const dst = panel + (<usize>(p * MR) << 2);
        v128.store(dst, v128.load(src));
        if (MR == 6) store<u64>(dst, load<u64>(src, 16), 16);
        src += cs;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const dst = panel + (<usize>(p * MR) << 2);
        const src = a + (<usize>(i0 * rsA + p * csA) << 2);
        let i = 0;
        for (; i < mr; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>(i * rsA) << 2)));
        for (; i < MR; i++) store<f32>(dst + (<usize>i << 2), 0);
      }
    }
  }
}

/** Reads 4 floats from each of 4 rows (src, src + rs, …) and writes them transposed as 4 rows of
 * the 8-float panel at dst (dst, dst + 32, dst + 64, dst + 96). */
// @ts-ignore: decorator
@inline function transpose4(src: usize, rs: usize, dst: usize): void {
  const r0 = v128.load(src), r1 = v128.load(src + rs), r2 = v128.load(src + 2 * rs), r3 = v128.load(src + 3 * rs);
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(dst, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 32);
  v128.store(dst, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 64);
  v128.store(dst, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 96);
}

/** Packs rows [0, kc) × cols [0, nc) of B into NR-column panels, k-major inside a panel:
 * Bp[panel][p·NR + j]. Columns past nc are zero. */
function packB(kc: i32, nc: i32, b: usize, rsB: i32, csB: i32, bp: usize): void {
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const nr = min(NR, nc - j0);
    const panel = bp + (<usize>(j0 * kc) << 2);
    if (csB == 1 && nr == NR) {
      let src = b + (<usize>j0 << 2);
      const step = <usize>rsB << 2;
      for (let p = 0; p < kc; p++) {
        const dst = panel + (<usize>(p * NR) << 2);
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += step;
      }
    } else if (rsB == 1 && nr == NR) {
      // B stored transposed (n, k): each of the 8 columns is a contiguous row of the stored B.
      // Four k at a time: read 4 floats from each of the 8 rows, transpose two 4×4 blocks.
      const cs = <usize>csB << 2;
      const c0 = b + (<usize>(j0 * csB) << 2);
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const src = c0 + (<usize>p << 2);
        const dst = panel + (<usize>(p * NR) << 2);
        transpose4(src, cs, dst);
        transpose4(src + 4 * cs, cs, dst + 16);
      }
      for (; p < kc; p++) {
        const src = c0 + (<usize>p << 2);
        const dst = panel + (<usize>(p * NR) << 2);
        store<f32>(dst, load<f32>(src));
        store<f32>(dst, load<f32>(src + cs), 4);
        store<f32>(dst, load<f32>(src + 2 * cs), 8);
        store<f32>(dst, load<f32>(src + 3 * cs), 12);
        store<f32>(dst, load<f32>(src + 4 * cs), 16);
        store<f32>(dst, load<f32>(src + 5 * cs), 20);
        store<f32>(dst, load<f32>(src + 6 * cs), 24);
        store<f32>(dst, load<f32>(src + 7 * cs), 28);
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const dst = panel + (<usize>(p * NR) << 2);
        const src = b + (<usize>(p * rsB + j0 * csB) << 2);
        let j = 0;
        for (; j < nr; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>(j * csB) << 2)));
        for (; j < NR; j++) store<f32>(dst + (<usize>j << 2), 0);
      }
    }
  }
}

/** The 4×8 micro-kernel of the plain-SIMD build (see MR), and the relaxed build's kernel for a
 * panel's last ≤ 4 rows (it reads the first 4 rows of MR-row panels: M = 32, an RNN batch, is five
 * 6-row tiles and one of 2 rows, which this runs in 8 multiply-adds a k instead of 12). Same
 * contract as micro. */
function micro4(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, mr: i32, nr: i32, beta: i32, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let pa = ap;
  let pb = bp;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    pa += MR * 4;
    pb += 32;
  }
  if (mr == 4 && nr == NR) {
    const rs = <usize>ldc << 2;
    let r = c;
    if (beta != 0) {
      v128.store(r, f32x4.add(v128.load(r), c00)); v128.store(r, f32x4.add(v128.load(r, 16), c01), 16); r += rs;
      v128.store(r, f32x4.add(v128.load(r), c10)); v128.store(r, f32x4.add(v128.load(r, 16), c11), 16); r += rs;
      v128.store(r, f32x4.add(v128.load(r), c20)); v128.store(r, f32x4.add(v128.load(r, 16), c21), 16); r += rs;
      v128.store(r, f32x4.add(v128.load(r), c30)); v128.store(r, f32x4.add(v128.load(r, 16), c31), 16);
    } else {
      v128.store(r, c00); v128.store(r, c01, 16); r += rs;
      v128.store(r, c10); v128.store(r, c11, 16); r += rs;
      v128.store(r, c20); v128.store(r, c21, 16); r += rs;
      v128.store(r, c30); v128.store(r, c31, 16);
    }
    return;
  }
  v128.store(tile, c00, 0); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
  storeTile(c, ldc, mr, nr, beta, tile);
}

/** C(0:mr, 0:nr) (+)= the edge tile (rows of NR floats). */
function storeTile(c: usize, ldc: i32, mr: i32, nr: i32, beta: i32, tile: usize): void {
  for (let i = 0; i < mr; i++) {
    const dst = c + (<usize>(i * ldc) << 2);
    const src = tile + (<usize>(i * NR) << 2);
    if (beta != 0) {
      for (let j = 0; j < nr; j++) store<f32>(dst + (<usize>j << 2), load<f32>(dst + (<usize>j << 2)) + load<f32>(src + (<usize>j << 2)));
    } else {
      for (let j = 0; j < nr; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>j << 2)));
    }
  }
}

/** The 6×8 micro-kernel: tile = Σ_p Ap[p, 0:6] ⊗ Bp[p, 0:8]; then C(0:mr, 0:nr) = tile (beta 0)
 * or += tile (beta 1). Twelve f32x4 accumulators + two B vectors + one broadcast = 15 of the 16
 * xmm registers V8 has on x64. */
function micro(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, mr: i32, nr: i32, beta: i32, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  let pa = ap;
  let pb = bp;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
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
    pb += 32;
  }
  if (mr == MR && nr == NR) {
    const rs = <usize>ldc << 2;
    let r = c;
    if (beta != 0) {
      v128.store(r, f32x4.add(v128.load(r), c00)); v128.store(r, f32x4.add(v128.load(r, 16), c01), 16); r += rs;
      v128.store(r, f32x4.add(v128.load(r), c10)); v128.store(r, f32x4.add(v128.load(r, 16), c11), 16); r += rs;
      v128.store(r, f32x4.add(v128.load(r), c20)); v128.store(r, f32x4.add(v128.load(r, 16), c21), 16); r += rs;
      v128.store(r, f32x4.add(v128.load(r), c30)); v128.store(r, f32x4.add(v128.load(r, 16), c31), 16); r += rs;
      v128.store(r, f32x4.add(v128.load(r), c40)); v128.store(r, f32x4.add(v128.load(r, 16), c41), 16); r += rs;
      v128.store(r, f32x4.add(v128.load(r), c50)); v128.store(r, f32x4.add(v128.load(r, 16), c51), 16);
    } else {
      v128.store(r, c00); v128.store(r, c01, 16); r += rs;
      v128.store(r, c10); v128.store(r, c11, 16); r += rs;
      v128.store(r, c20); v128.store(r, c21, 16); r += rs;
      v128.store(r, c30); v128.store(r, c31, 16); r += rs;
      v128.store(r, c40); v128.store(r, c41, 16); r += rs;
      v128.store(r, c50); v128.store(r, c51, 16);
    }
    return;
  }
  // Partial tile: spill to the edge tile, then copy the valid part.
  v128.store(tile, c00, 0); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
  v128.store(tile, c40, 128); v128.store(tile, c41, 144);
  v128.store(tile, c50, 160); v128.store(tile, c51, 176);
  storeTile(c, ldc, mr, nr, beta, tile);
}

/** Rows of A at most this many take the unpacked matrix-vector path. */
const GEMV_MAX_ROWS: i32 = 4;

/** dot(x[0..k), y[0..k)), both contiguous. */
// @ts-ignore: decorator
@inline function dot(x: usize, y: usize, k: i32): f32 {
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
  let p = 0;
  for (; p + 16 <= k; p += 16) {
    const o = <usize>p << 2;
    s0 = madd(v128.load(x + o), v128.load(y + o), s0);
    s1 = madd(v128.load(x + o, 16), v128.load(y + o, 16), s1);
    s2 = madd(v128.load(x + o, 32), v128.load(y + o, 32), s2);
    s3 = madd(v128.load(x + o, 48), v128.load(y + o, 48), s3);
  }
  for (; p + 4 <= k; p += 4) {
    const o = <usize>p << 2;
    s0 = madd(v128.load(x + o), v128.load(y + o), s0);
  }
  const v = f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3));
  let s = f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
  for (; p < k; p++) s += load<f32>(x + (<usize>p << 2)) * load<f32>(y + (<usize>p << 2));
  return s;
}

/** The four dots of x (k) with rows y, y + ld, y + 2·ld, y + 3·ld (ld in floats), stored to (or added
 * into) d[0..3]. */
@inline function dot4(x: usize, y: usize, ld: i32, k: i32, d: usize, accumulate: i32): void {
  const l = <usize>ld << 2;
  const y0 = y, y1 = y + l, y2 = y + 2 * l, y3 = y + 3 * l;
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
  let p = 0;
  for (; p + 8 <= k; p += 8) {
    const o = <usize>p << 2;
    const xv = v128.load(x + o), xw = v128.load(x + o, 16);
    a0 = madd(xv, v128.load(y0 + o), a0); b0 = madd(xw, v128.load(y0 + o, 16), b0);
    a1 = madd(xv, v128.load(y1 + o), a1); b1 = madd(xw, v128.load(y1 + o, 16), b1);
    a2 = madd(xv, v128.load(y2 + o), a2); b2 = madd(xw, v128.load(y2 + o, 16), b2);
    a3 = madd(xv, v128.load(y3 + o), a3); b3 = madd(xw, v128.load(y3 + o, 16), b3);
  }
  if (p + 4 <= k) {
    const o = <usize>p << 2;
    const xv = v128.load(x + o);
    a0 = madd(xv, v128.load(y0 + o), a0);
    a1 = madd(xv, v128.load(y1 + o), a1);
    a2 = madd(xv, v128.load(y2 + o), a2);
    a3 = madd(xv, v128.load(y3 + o), a3);
    p += 4;
  }
  a0 = f32x4.add(a0, b0); a1 = f32x4.add(a1, b1); a2 = f32x4.add(a2, b2); a3 = f32x4.add(a3, b3);
  // transpose-and-add: lane r of the result is the horizontal sum of a_r
  const s01 = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), v128.shuffle<f32>(a0, a1, 2, 6, 3, 7));
  const s23 = f32x4.add(v128.shuffle<f32>(a2, a3, 0, 4, 1, 5), v128.shuffle<f32>(a2, a3, 2, 6, 3, 7));
  let r = f32x4.add(v128.shuffle<f32>(s01, s23, 0, 1, 4, 5), v128.shuffle<f32>(s01, s23, 2, 3, 6, 7));
  if (p < k) {
    let t0: f32 = 0, t1: f32 = 0, t2: f32 = 0, t3: f32 = 0;
    for (; p < k; p++) {
      const o = <usize>p << 2;
      const xs = load<f32>(x + o);
      t0 += xs * load<f32>(y0 + o); t1 += xs * load<f32>(y1 + o);
      t2 += xs * load<f32>(y2 + o); t3 += xs * load<f32>(y3 + o);
    }
    r = f32x4.add(r, f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(t0), 1, t1), 2, t2), 3, t3));
  }
  v128.store(d, accumulate != 0 ? f32x4.add(v128.load(d), r) : r);
}

/** C (m ≤ 4 rows) without packing: the rows of A are copied to ws (contiguous), then
 * B stored (n, k) [rsB = 1]: C(i, j) = dot(A row i, stored row j), four j at a time;
 * B stored (k, n) [csB = 1]: C row i = Σ_p A(i, p) · B row p (a SIMD axpy per p). */
function gemv(m: i32, n: i32, k: i32, a: usize, rsA: i32, csA: i32, b: usize, rsB: i32, csB: i32,
  c: usize, ldc: i32, accumulate: i32, ws: usize): void {
  for (let i = 0; i < m; i++) {
    const dst = ws + (<usize>(i * k) << 2);
    const src = a + (<usize>(i * rsA) << 2);
    if (csA == 1) memory.copy(dst, src, <usize>k << 2);
    else for (let p = 0; p < k; p++) store<f32>(dst + (<usize>p << 2), load<f32>(src + (<usize>(p * csA) << 2)));
  }
  if (rsB == 1) {
    for (let i = 0; i < m; i++) {
      const ai = ws + (<usize>(i * k) << 2);
      const ci = c + (<usize>(i * ldc) << 2);
      let j = 0;
      // four stored rows at a time: each load of A's row feeds four FMAs (one dot per row would
      // load A once per FMA, and loads are what limits this loop)
      for (; j + 4 <= n; j += 4) dot4(ai, b + (<usize>(j * csB) << 2), csB, k, ci + (<usize>j << 2), accumulate);
      for (; j < n; j++) {
        const s = dot(ai, b + (<usize>(j * csB) << 2), k);
        const d = ci + (<usize>j << 2);
        store<f32>(d, accumulate != 0 ? load<f32>(d) + s : s);
      }
    }
    return;
  }
  // csB == 1: one C row at a time, in column blocks that stay in L1.
  for (let i = 0; i < m; i++) {
    const ai = ws + (<usize>(i * k) << 2);
    const ci = c + (<usize>(i * ldc) << 2);
    for (let j0 = 0; j0 < n; j0 += 2048) {
      const nb = min(2048, n - j0);
      const cb = ci + (<usize>j0 << 2);
      if (accumulate == 0) memory.fill(cb, 0, <usize>nb << 2);
      for (let p = 0; p < k; p++) {
        const av = f32x4.splat(load<f32>(ai + (<usize>p << 2)));
        const bp = b + (<usize>(p * rsB + j0) << 2);
        let j = 0;
        for (; j + 8 <= nb; j += 8) {
          const o = <usize>j << 2;
          v128.store(cb + o, madd(av, v128.load(bp + o), v128.load(cb + o)));
          v128.store(cb + o, madd(av, v128.load(bp + o, 16), v128.load(cb + o, 16)), 16);
        }
        const as = load<f32>(ai + (<usize>p << 2));
        for (; j < nb; j++) {
          const o = <usize>j << 2;
          store<f32>(cb + o, load<f32>(cb + o) + as * load<f32>(bp + o));
        }
      }
    }
  }
}

/** C(m, n) = op(A)·op(B), or += when accumulate != 0; see the file header for strides.
 * Single-threaded; ws is this thread's private workspace of GEMM_WS_BYTES. */
export function sgemm(
  m: i32, n: i32, k: i32,
  a: usize, rsA: i32, csA: i32,
  b: usize, rsB: i32, csB: i32,
  c: usize, ldc: i32, accumulate: i32, ws: usize,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    clearC(m, n, c, ldc, accumulate);
    return;
  }
  // Few rows: packing B would cost more than the product; k·4 ≤ GEMM_WS_BYTES holds A's rows.
  if (m <= GEMV_MAX_ROWS && (rsB == 1 || csB == 1) && <usize>(m * k) << 2 <= GEMM_WS_BYTES) {
    gemv(m, n, k, a, rsA, csA, b, rsB, csB, c, ldc, accumulate, ws);
    return;
  }
  blocked(m, n, k, a, rsA, csA, b, rsB, csB, 0, c, ldc, accumulate, ws);
}

/** Packs all of B (k, n) as sgemm's loops would, block by block: block (jc, pc) (kc × nc, its
 * panels padded to NR columns) at float offset jc·k + pc·ncp, ncp = nc rounded up to NR. For a B
 * that many products share (an RNN's W_hh, once per step): sgemmPrepacked then skips packing. */
export function prepackB(k: i32, n: i32, b: usize, rsB: i32, csB: i32, dst: usize): void {
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    const ncp = (nc + NR - 1) / NR * NR;
    for (let pc = 0; pc < k; pc += KC) {
      packB(min(KC, k - pc), nc, b + (<usize>(pc * rsB + jc * csB) << 2), rsB, csB, dst + (<usize>(jc * k + pc * ncp) << 2));
    }
  }
}

/** sgemm with B packed beforehand by prepackB(k, n, …) at `packed` (no gemv shortcut). */
export function sgemmPrepacked(m: i32, n: i32, k: i32, a: usize, rsA: i32, csA: i32, packed: usize,
  c: usize, ldc: i32, accumulate: i32, ws: usize): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    clearC(m, n, c, ldc, accumulate);
    return;
  }
  blocked(m, n, k, a, rsA, csA, 0, 0, 0, packed, c, ldc, accumulate, ws);
}

function clearC(m: i32, n: i32, c: usize, ldc: i32, accumulate: i32): void {
  if (accumulate != 0) return;
  for (let i = 0; i < m; i++) memory.fill(c + (<usize>(i * ldc) << 2), 0, <usize>n << 2);
}

/** The blocked loops (file header); B is packed here per block, or read from `packed` (≠ 0). */
function blocked(m: i32, n: i32, k: i32, a: usize, rsA: i32, csA: i32, b: usize, rsB: i32, csB: i32, packed: usize,
  c: usize, ldc: i32, accumulate: i32, ws: usize): void {
  const ap = ws;
  const tile = ws + AP_BYTES + BP_BYTES;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    const ncp = (nc + NR - 1) / NR * NR;
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const beta = pc > 0 || accumulate != 0 ? 1 : 0;
      let bp = ws + AP_BYTES;
      if (packed != 0) bp = packed + (<usize>(jc * k + pc * ncp) << 2);
      else packB(kc, nc, b + (<usize>(pc * rsB + jc * csB) << 2), rsB, csB, bp);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA(mc, kc, a + (<usize>(ic * rsA + pc * csA) << 2), rsA, csA, ap);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bpan = bp + (<usize>(jr * kc) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const cp = c + (<usize>((ic + ir) * ldc + jc + jr) << 2);
            if (MR == 6 && mr > 4) micro(kc, ap + (<usize>(ir * kc) << 2), bpan, cp, ldc, mr, nr, beta, tile);
            else micro4(kc, ap + (<usize>(ir * kc) << 2), bpan, cp, ldc, mr, nr, beta, tile);
          }
        }
      }
    }
  }
}
