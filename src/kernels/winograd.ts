// conv2d forward by Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2016): 3×3 kernels, stride 1, no dilation, groups 1, any zero
// padding. Every 2×2 block of outputs ("tile") is computed from a 4×4 block of inputs with 16
// multiplies per (input channel, output channel) pair instead of 36, so the product part — which is
// where a 3×3 convolution spends its time — does 2.25× less arithmetic:
//
//   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d Bᵀᵀ) ] A,   summed over input channels
//
//   Bᵀ = | 1  0 −1  0 |    G = | 1    0    0   |    Aᵀ = | 1  1  1  0 |
//        | 0  1  1  0 |        | ½    ½    ½   |         | 0  1 −1 −1 |
//        | 0 −1  1  0 |        | ½   −½    ½   |
//        | 0  1  0 −1 |        | 0    0    1   |
//
// With U[ξ] = (G g Gᵀ)[ξ] laid out (O, C) and V[ξ] = (Bᵀ d B)[ξ] laid out (C, tiles), the sum over
// channels of element ξ is a GEMM: M[ξ] (O, tiles) = U[ξ] · V[ξ], sixteen of them (ξ = 4·row + col).
// Deep-learning "convolution" is correlation, which is what these matrices compute.
//
// Two jobs: winogradWeightsTask transforms the weights once per call into U (16, O, C); then each
// winogradTask takes a chunk of tiles (tiles are numbered image by image, row by row, so a chunk may
// span images) and in its private workspace transforms their inputs into V (16, C, ldv), runs the
// 16 GEMMs into M (16, O, ldv) and writes the transformed outputs to y. Float32 error: the
// transforms add and halve, so results differ from direct summation by a few ulps of the largest
// partial sums (tested against the reference at 1e-4 relative).

import { sgemm } from './gemm';

const ARG: i32 = 8;

// @ts-ignore: decorator
@inline function arg(job: usize, i: i32): i32 {
  return load<i32>(job + (<usize>(ARG + i) << 2));
}

// @ts-ignore: decorator
@inline function ptr(job: usize, i: i32): usize {
  return <usize>load<u32>(job + (<usize>(ARG + i) << 2));
}

// Weight job args: 0 O 1 C 2 w (O, C, 3, 3) 3 U (16, O, C) 4 output channels per task.
export function winogradWeightsTask(job: usize, t: i32): void {
  const O = arg(job, 0), C = arg(job, 1), w = ptr(job, 2), U = ptr(job, 3), per = arg(job, 4);
  const o0 = t * per, o1 = min(O, o0 + per);
  const xs = <usize>(O * C) << 2; // bytes between U[ξ] and U[ξ + 1]
  for (let o = o0; o < o1; o++) {
    for (let c = 0; c < C; c++) {
      const g = w + (<usize>((o * C + c) * 9) << 2);
      const u = U + (<usize>(o * C + c) << 2);
      // rows of G·g (4 × 3)
      for (let r = 0; r < 4; r++) {
        let a0: f32, a1: f32, a2: f32;
        if (r == 0) { a0 = load<f32>(g); a1 = load<f32>(g, 4); a2 = load<f32>(g, 8); }
        else if (r == 3) { a0 = load<f32>(g, 24); a1 = load<f32>(g, 28); a2 = load<f32>(g, 32); }
        else {
          const s: f32 = r == 1 ? 1 : -1;
          a0 = 0.5 * (load<f32>(g) + s * load<f32>(g, 12) + load<f32>(g, 24));
          a1 = 0.5 * (load<f32>(g, 4) + s * load<f32>(g, 16) + load<f32>(g, 28));
          a2 = 0.5 * (load<f32>(g, 8) + s * load<f32>(g, 20) + load<f32>(g, 32));
        }
        // times Gᵀ: one row of U
        const d = u + <usize>(4 * r) * xs;
        store<f32>(d, a0);
        store<f32>(d + xs, 0.5 * (a0 + a1 + a2));
        store<f32>(d + 2 * xs, 0.5 * (a0 - a1 + a2));
        store<f32>(d + 3 * xs, a2);
      }
    }
  }
}

// Tile job args: 0 N 1 C 2 H 3 W 4 O 5 OH 6 OW 7 padH 8 padW 9 th 10 tw 11 P (tiles) 12 Pc (tiles per
// task) 13 x 14 U 15 y 16 V offset 17 M offset 18 line-buffer offset 19 ldv (floats; ≥ Pc + 4)
// 20 line buffer length LW (floats). The GEMM workspace is at the start of ws.
export function winogradTask(job: usize, t: i32, ws: usize): void {
  const C = arg(job, 1), O = arg(job, 4), th = arg(job, 9), tw = arg(job, 10), P = arg(job, 11), Pc = arg(job, 12);
  const ldv = arg(job, 19);
  const V = ws + <usize>arg(job, 16), M = ws + <usize>arg(job, 17);
  const j0 = t * Pc, j1 = min(P, j0 + Pc), pc = j1 - j0;
  if (pc <= 0) return;
  const perImage = th * tw;
  let j = j0;
  while (j < j1) {
    const n = j / perImage, r = j - n * perImage, ty = r / tw, tx0 = r - ty * tw;
    const run = min(tw - tx0, j1 - j);
    inputRun(job, n, ty, tx0, run, V, j - j0, ws);
    j += run;
  }
  const U = ptr(job, 14);
  for (let xi = 0; xi < 16; xi++) {
    sgemm(O, pc, C, U + (<usize>(xi * O * C) << 2), C, 1, V + (<usize>(xi * C * ldv) << 2), ldv, 1,
      M + (<usize>(xi * O * ldv) << 2), ldv, 0, ws);
  }
  j = j0;
  while (j < j1) {
    const n = j / perImage, r = j - n * perImage, ty = r / tw, tx0 = r - ty * tw;
    const run = min(tw - tx0, j1 - j);
    outputRun(job, n, ty, tx0, run, M, j - j0, ws);
    j += run;
  }
}

/** V[ξ][c][jl + q] for the `run` tiles (n, ty, tx0 + q), q < run, of every channel. Four input rows
 * of the tiles are first copied into zero-padded line buffers, so the transform reads no bounds. */
function inputRun(job: usize, n: i32, ty: i32, tx0: i32, run: i32, V: usize, jl: i32, ws: usize): void {
  const C = arg(job, 1), H = arg(job, 2), W = arg(job, 3);
  const ldv = arg(job, 19), LW = arg(job, 20);
  const x = ptr(job, 13) + (<usize>(n * C * H * W) << 2);
  const lines = ws + <usize>arg(job, 18);
  const lb = <usize>LW << 2;
  const y0 = 2 * ty - arg(job, 7), xs = 2 * tx0 - arg(job, 8), lw = 2 * run + 2;
  const a = max(0, -xs), b = min(lw, W - xs); // valid part [a, b) of each line
  const xstride = <usize>(C * ldv) << 2; // bytes between V[ξ] and V[ξ + 1]
  for (let c = 0; c < C; c++) {
    const plane = x + (<usize>(c * H * W) << 2);
    for (let r = 0; r < 4; r++) {
      const L = lines + <usize>r * lb;
      const yy = y0 + r;
      if (yy < 0 || yy >= H || b <= a) { memory.fill(L, 0, lb); continue; }
      if (a > 0) memory.fill(L, 0, <usize>a << 2);
      memory.copy(L + (<usize>a << 2), plane + (<usize>(yy * W + xs + a) << 2), <usize>(b - a) << 2);
      memory.fill(L + (<usize>b << 2), 0, <usize>(LW - b) << 2);
    }
    const vb = V + (<usize>(c * ldv + jl) << 2);
    for (let q = 0; q < run; q += 4) {
      const qo = <usize>(2 * q) << 2;
      // row r of d for tiles q..q+3: columns k = 0..3 are input columns 2(q + lane) + k, then
      // w_r = d_r·B (the column transform): [d0 − d2, d1 + d2, d2 − d1, d1 − d3]
      let p = lines + qo;
      let v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32);
      let e0 = v128.shuffle<f32>(v0, v1, 0, 2, 4, 6), o0 = v128.shuffle<f32>(v0, v1, 1, 3, 5, 7);
      let d2 = v128.shuffle<f32>(e0, v128.shuffle<f32>(v1, v2, 0, 2, 4, 6), 1, 2, 3, 6);
      let d3 = v128.shuffle<f32>(o0, v128.shuffle<f32>(v1, v2, 1, 3, 5, 7), 1, 2, 3, 6);
      const w00 = f32x4.sub(e0, d2), w01 = f32x4.add(o0, d2), w02 = f32x4.sub(d2, o0), w03 = f32x4.sub(o0, d3);
      p += lb;
      v0 = v128.load(p); v1 = v128.load(p, 16); v2 = v128.load(p, 32);
      e0 = v128.shuffle<f32>(v0, v1, 0, 2, 4, 6); o0 = v128.shuffle<f32>(v0, v1, 1, 3, 5, 7);
      d2 = v128.shuffle<f32>(e0, v128.shuffle<f32>(v1, v2, 0, 2, 4, 6), 1, 2, 3, 6);
      d3 = v128.shuffle<f32>(o0, v128.shuffle<f32>(v1, v2, 1, 3, 5, 7), 1, 2, 3, 6);
      const w10 = f32x4.sub(e0, d2), w11 = f32x4.add(o0, d2), w12 = f32x4.sub(d2, o0), w13 = f32x4.sub(o0, d3);
      p += lb;
      v0 = v128.load(p); v1 = v128.load(p, 16); v2 = v128.load(p, 32);
      e0 = v128.shuffle<f32>(v0, v1, 0, 2, 4, 6); o0 = v128.shuffle<f32>(v0, v1, 1, 3, 5, 7);
      d2 = v128.shuffle<f32>(e0, v128.shuffle<f32>(v1, v2, 0, 2, 4, 6), 1, 2, 3, 6);
      d3 = v128.shuffle<f32>(o0, v128.shuffle<f32>(v1, v2, 1, 3, 5, 7), 1, 2, 3, 6);
      const w20 = f32x4.sub(e0, d2), w21 = f32x4.add(o0, d2), w22 = f32x4.sub(d2, o0), w23 = f32x4.sub(o0, d3);
      p += lb;
      v0 = v128.load(p); v1 = v128.load(p, 16); v2 = v128.load(p, 32);
      e0 = v128.shuffle<f32>(v0, v1, 0, 2, 4, 6); o0 = v128.shuffle<f32>(v0, v1, 1, 3, 5, 7);
      d2 = v128.shuffle<f32>(e0, v128.shuffle<f32>(v1, v2, 0, 2, 4, 6), 1, 2, 3, 6);
      d3 = v128.shuffle<f32>(o0, v128.shuffle<f32>(v1, v2, 1, 3, 5, 7), 1, 2, 3, 6);
      const w30 = f32x4.sub(e0, d2), w31 = f32x4.add(o0, d2), w32 = f32x4.sub(d2, o0), w33 = f32x4.sub(o0, d3);
      // the row transform Bᵀ·w: V rows [w0 − w2, w1 + w2, w2 − w1, w1 − w3], element ξ = 4·row + col
      let d = vb + (<usize>q << 2);
      v128.store(d, f32x4.sub(w00, w20)); d += xstride;
      v128.store(d, f32x4.sub(w01, w21)); d += xstride;
      v128.store(d, f32x4.sub(w02, w22)); d += xstride;
      v128.store(d, f32x4.sub(w03, w23)); d += xstride;
      v128.store(d, f32x4.add(w10, w20)); d += xstride;
      v128.store(d, f32x4.add(w11, w21)); d += xstride;
      v128.store(d, f32x4.add(w12, w22)); d += xstride;
      v128.store(d, f32x4.add(w13, w23)); d += xstride;
      v128.store(d, f32x4.sub(w20, w10)); d += xstride;
      v128.store(d, f32x4.sub(w21, w11)); d += xstride;
      v128.store(d, f32x4.sub(w22, w12)); d += xstride;
      v128.store(d, f32x4.sub(w23, w13)); d += xstride;
      v128.store(d, f32x4.sub(w10, w30)); d += xstride;
      v128.store(d, f32x4.sub(w11, w31)); d += xstride;
      v128.store(d, f32x4.sub(w12, w32)); d += xstride;
      v128.store(d, f32x4.sub(w13, w33));
    }
  }
}

/** y for the `run` tiles (n, ty, tx0 + q) from M[ξ][o][jl + q]: Y = Aᵀ·m·A per tile, clipped to
 * (OH, OW). Tiles are taken four at a time (one per lane); the two output columns of a tile are
 * interleaved into one 8-float row segment. */
function outputRun(job: usize, n: i32, ty: i32, tx0: i32, run: i32, M: usize, jl: i32, ws: usize): void {
  const O = arg(job, 4), OH = arg(job, 5), OW = arg(job, 6), ldv = arg(job, 19);
  const y = ptr(job, 15);
  const scratch = ws + <usize>arg(job, 18); // 16 floats (the line buffers are free by now)
  const ms = <usize>(O * ldv) << 2; // bytes between M[ξ] and M[ξ + 1]
  const oy = 2 * ty;
  const row2 = oy + 1 < OH;
  for (let o = 0; o < O; o++) {
    const mb = M + (<usize>(o * ldv + jl) << 2);
    const yr = y + (<usize>(((n * O + o) * OH + oy) * OW) << 2);
    for (let q = 0; q < run; q += 4) {
      const p = mb + (<usize>q << 2);
      const m00 = v128.load(p), m01 = v128.load(p + ms), m02 = v128.load(p + 2 * ms), m03 = v128.load(p + 3 * ms);
      const m10 = v128.load(p + 4 * ms), m11 = v128.load(p + 5 * ms), m12 = v128.load(p + 6 * ms), m13 = v128.load(p + 7 * ms);
      const m20 = v128.load(p + 8 * ms), m21 = v128.load(p + 9 * ms), m22 = v128.load(p + 10 * ms), m23 = v128.load(p + 11 * ms);
      const m30 = v128.load(p + 12 * ms), m31 = v128.load(p + 13 * ms), m32 = v128.load(p + 14 * ms), m33 = v128.load(p + 15 * ms);
      // Aᵀ·m: rows [m0 + m1 + m2, m1 − m2 − m3]; then ·A on the columns the same way
      const s00 = f32x4.add(f32x4.add(m00, m10), m20), s01 = f32x4.add(f32x4.add(m01, m11), m21);
      const s02 = f32x4.add(f32x4.add(m02, m12), m22), s03 = f32x4.add(f32x4.add(m03, m13), m23);
      const s10 = f32x4.sub(f32x4.sub(m10, m20), m30), s11 = f32x4.sub(f32x4.sub(m11, m21), m31);
      const s12 = f32x4.sub(f32x4.sub(m12, m22), m32), s13 = f32x4.sub(f32x4.sub(m13, m23), m33);
      const y00 = f32x4.add(f32x4.add(s00, s01), s02), y01 = f32x4.sub(f32x4.sub(s01, s02), s03);
      const y10 = f32x4.add(f32x4.add(s10, s11), s12), y11 = f32x4.sub(f32x4.sub(s11, s12), s13);
      const ox = 2 * (tx0 + q);
      const r0a = v128.shuffle<f32>(y00, y01, 0, 4, 1, 5), r0b = v128.shuffle<f32>(y00, y01, 2, 6, 3, 7);
      const r1a = v128.shuffle<f32>(y10, y11, 0, 4, 1, 5), r1b = v128.shuffle<f32>(y10, y11, 2, 6, 3, 7);
      const d = yr + (<usize>ox << 2);
      if (q + 4 <= run && ox + 8 <= OW) {
        v128.store(d, r0a); v128.store(d, r0b, 16);
        if (row2) { v128.store(d + (<usize>OW << 2), r1a); v128.store(d + (<usize>OW << 2), r1b, 16); }
      } else {
        v128.store(scratch, r0a); v128.store(scratch, r0b, 16); v128.store(scratch, r1a, 32); v128.store(scratch, r1b, 48);
        const cols = min(2 * min(4, run - q), OW - ox);
        for (let k = 0; k < cols; k++) {
          store<f32>(d + (<usize>k << 2), load<f32>(scratch + (<usize>k << 2)));
          if (row2) store<f32>(d + (<usize>(OW + k) << 2), load<f32>(scratch + (<usize>(8 + k) << 2)));
        }
      }
    }
  }
}
