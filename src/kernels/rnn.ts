// The fused LSTM recurrence (PyTorch's equations and gate order i, f, g, o; see
// src/ops/lstm_cell.ts, whose plain-TS loops are the specification). One job runs one time step;
// consecutive jobs are the barrier between steps. A task owns a slice of hidden units [j0, j1) and
// does everything those units need: the four gate columns of h_{s−1}·W_hhᵀ (one GEMM per gate, B
// reading W_hh's rows in place), then the gate math in SIMD. Backward, a task first finishes the
// previous step for its units (dh_{s} = dgh_{s+1}·W_hh, columns j0…j1) and then differentiates the
// gates of step s — so each step is one job there too.
//
// Layouts (float32, byte pointers): gx (T, B, 4H) time-indexed; W (4H, H); bias (4H) or 0;
// hAll, cAll (T + 1, B, H) step-indexed (row s = state before step s); acts (T, B, 4H) activated
// gates, tc (T, B, H) tanh(c), both step-indexed; Y (T, B, H) time-indexed; lens (B) i32 valid steps.
// Step s of sequence b is time t = s (or lens[b] − 1 − s reversed), inactive once s ≥ lens[b].

import { sgemm, sgemmPrepacked, prepackB, GEMM_WS_BYTES, NR } from './gemm';
import { sigmoidv, tanhv, sigmoidf1, tanhf1 } from './math';
import { addInto } from './simd';

const ARG: i32 = 8;

// @ts-ignore: decorator
@inline function arg(job: usize, i: i32): i32 {
  return load<i32>(job + (<usize>(ARG + i) << 2));
}

// @ts-ignore: decorator
@inline function ptr(job: usize, i: i32): usize {
  return <usize>load<u32>(job + (<usize>(ARG + i) << 2));
}

// @ts-ignore: decorator
@inline function timeIndex(s: i32, len: i32, reverse: i32): i32 {
  if (s >= len) return -1;
  return reverse != 0 ? len - 1 - s : s;
}

/** First unit of slice t (slices are multiples of NR units, so each GEMM is full-width). */
// @ts-ignore: decorator
@inline function unitStart(t: i32, H: i32, slices: i32): i32 {
  const per = ((H + slices - 1) / slices + NR - 1) / NR * NR;
  return min(H, t * per);
}

/** Units of the widest slice, rounded up to NR: the stride of the prepacked W_hh blocks. */
// @ts-ignore: decorator
@inline function sliceCap(H: i32, slices: i32): i32 {
  return ((H + slices - 1) / slices + NR - 1) / NR * NR;
}

/** W_hh packed once per sequence for the step GEMMs (with batches above GEMV_MAX_ROWS a step packs
 * all of W_hh, 1 MB for H = 256, for 16 MFLOP; packing it per step was a third of the forward).
 * Args: 0 H 1 slices 2 W 3 dst 4 gates 5 mode. Mode 0 (forward), task t = (slice, gate q): the
 * block B(p, j) = W[(q·H + j0 + j)·H + p] (k = H, n = w) at float offset (slice·gates + q)·H·cap.
 * Mode 1 (backward), task t = slice: B(p, j) = W[p·H + j0 + j] (k = gates·H, n = w) at
 * slice·gates·H·cap. */
export function rnnPackTask(job: usize, t: i32): void {
  const H = arg(job, 0), slices = arg(job, 1), W = ptr(job, 2), dst = ptr(job, 3), gates = arg(job, 4), mode = arg(job, 5);
  const cap = sliceCap(H, slices);
  const slice = mode == 0 ? t / gates : t;
  const j0 = unitStart(slice, H, slices), j1 = unitStart(slice + 1, H, slices);
  if (j0 >= j1) return;
  if (mode == 0) {
    const q = t % gates;
    prepackB(H, j1 - j0, W + (<usize>((q * H + j0) * H) << 2), 1, H, dst + (<usize>((slice * gates + q) * H * cap) << 2));
  } else {
    prepackB(gates * H, j1 - j0, W + (<usize>j0 << 2), H, 1, dst + (<usize>(slice * gates * H * cap) << 2));
  }
}

/** hh (B, gates·w) = h_{s−1} · W_hhᵀ for slice t's units, gate by gate, from W or its prepacked
 * blocks (packed ≠ 0, see rnnPackTask). */
function stepProduct(B: i32, H: i32, gates: i32, t: i32, slices: i32, j0: i32, w: i32, hPrev: usize, W: usize,
  packed: usize, hh: usize, ws: usize): void {
  const cap = sliceCap(H, slices);
  for (let q = 0; q < gates; q++) {
    const dst = hh + (<usize>(q * w) << 2);
    if (packed != 0) {
      sgemmPrepacked(B, w, H, hPrev, H, 1, packed + (<usize>((t * gates + q) * H * cap) << 2), dst, gates * w, 0, ws);
    } else {
      sgemm(B, w, H, hPrev, H, 1, W + (<usize>((q * H + j0) * H) << 2), 1, H, dst, gates * w, 0, ws);
    }
  }
}

/** Bytes of private workspace a task needs: the GEMM's, then a (B, 4·width) scratch (LSTM and GRU). */
export function lstmWorkspaceBytes(B: i32, H: i32, slices: i32): usize {
  const per = min(H, sliceCap(H, slices));
  return GEMM_WS_BYTES + (<usize>(B * 4 * per) << 2);
}

// Forward args: 0 B 1 H 2 T 3 reverse 4 lens 5 slices 6 W 7 hAll 8 cAll 9 acts 10 tc
// 11 s 12 gx 13 bias (0 = none) 14 Y 15 W_hh prepacked by rnnPackTask mode 0 (0 = none)
export function lstmForwardTask(job: usize, t: i32, ws: usize): void {
  const B = arg(job, 0), H = arg(job, 1), reverse = arg(job, 3), slices = arg(job, 5), s = arg(job, 11);
  const lens = ptr(job, 4), W = ptr(job, 6), hAll = ptr(job, 7), cAll = ptr(job, 8), acts = ptr(job, 9), tc = ptr(job, 10);
  const gx = ptr(job, 12), bias = ptr(job, 13), Y = ptr(job, 14);
  const j0 = unitStart(t, H, slices), j1 = unitStart(t + 1, H, slices);
  if (j0 >= j1) return;
  const w = j1 - j0, BH = B * H, G = 4 * H;
  const hh = ws + GEMM_WS_BYTES;
  stepProduct(B, H, 4, t, slices, j0, w, hAll + (<usize>(s * BH) << 2), W, ptr(job, 15), hh, ws);
  const Hb = <usize>H << 2, wb = <usize>w << 2;
  for (let b = 0; b < B; b++) {
    const tt = timeIndex(s, load<i32>(lens + (<usize>b << 2)), reverse);
    const st = <usize>(s * BH + b * H + j0) << 2;
    const hp = hAll + st, hn = hp + (<usize>BH << 2);
    const cp = cAll + st, cn = cp + (<usize>BH << 2);
    if (tt < 0) {
      memory.copy(hn, hp, wb);
      memory.copy(cn, cp, wb);
      continue;
    }
    const x = gx + (<usize>((tt * B + b) * G + j0) << 2);
    const r = hh + (<usize>(b * 4 * w) << 2);
    const a = acts + (<usize>((s * B + b) * G + j0) << 2);
    const tcr = tc + st;
    const y = Y + (<usize>((tt * B + b) * H + j0) << 2);
    const bb = bias + (<usize>j0 << 2);
    let j = 0;
    for (; j + 4 <= w; j += 4) {
      const o = <usize>j << 2;
      let ai = f32x4.add(v128.load(x + o), v128.load(r + o));
      let af = f32x4.add(v128.load(x + Hb + o), v128.load(r + wb + o));
      let ag = f32x4.add(v128.load(x + 2 * Hb + o), v128.load(r + 2 * wb + o));
      let ao = f32x4.add(v128.load(x + 3 * Hb + o), v128.load(r + 3 * wb + o));
      if (bias != 0) {
        ai = f32x4.add(ai, v128.load(bb + o));
        af = f32x4.add(af, v128.load(bb + Hb + o));
        ag = f32x4.add(ag, v128.load(bb + 2 * Hb + o));
        ao = f32x4.add(ao, v128.load(bb + 3 * Hb + o));
      }
      const i = sigmoidv(ai), f = sigmoidv(af), g = tanhv(ag), ou = sigmoidv(ao);
      v128.store(a + o, i);
      v128.store(a + Hb + o, f);
      v128.store(a + 2 * Hb + o, g);
      v128.store(a + 3 * Hb + o, ou);
      const c = f32x4.add(f32x4.mul(f, v128.load(cp + o)), f32x4.mul(i, g));
      v128.store(cn + o, c);
      const tcv = tanhv(c);
      v128.store(tcr + o, tcv);
      const h = f32x4.mul(ou, tcv);
      v128.store(hn + o, h);
      v128.store(y + o, h);
    }
    for (; j < w; j++) {
      const o = <usize>j << 2;
      let ai = load<f32>(x + o) + load<f32>(r + o);
      let af = load<f32>(x + Hb + o) + load<f32>(r + wb + o);
      let ag = load<f32>(x + 2 * Hb + o) + load<f32>(r + 2 * wb + o);
      let ao = load<f32>(x + 3 * Hb + o) + load<f32>(r + 3 * wb + o);
      if (bias != 0) {
        ai += load<f32>(bb + o);
        af += load<f32>(bb + Hb + o);
        ag += load<f32>(bb + 2 * Hb + o);
        ao += load<f32>(bb + 3 * Hb + o);
      }
      const i = sigmoidf1(ai), f = sigmoidf1(af), g = tanhf1(ag), ou = sigmoidf1(ao);
      store<f32>(a + o, i);
      store<f32>(a + Hb + o, f);
      store<f32>(a + 2 * Hb + o, g);
      store<f32>(a + 3 * Hb + o, ou);
      const c = f * load<f32>(cp + o) + i * g;
      store<f32>(cn + o, c);
      const tcv = tanhf1(c);
      store<f32>(tcr + o, tcv);
      store<f32>(hn + o, ou * tcv);
      store<f32>(y + o, ou * tcv);
    }
  }
}

/** The path of ∂L/∂h_{sPrev−1} through W_hh for units [j0, j0 + w): dgh_sPrev (B, G) · W_hh (G, H),
 * our columns only, written into dh (or added to it) for the sequences active at step sPrev. */
function whhPathIntoDh(B: i32, H: i32, G: i32, j0: i32, w: i32, sPrev: i32, reverse: i32, lens: usize,
  dgh: usize, W: usize, packed: usize, dh: usize, ws: usize, add: bool): void {
  const scratch = ws + GEMM_WS_BYTES;
  const a = dgh + (<usize>(sPrev * B * G) << 2);
  if (packed != 0) sgemmPrepacked(B, w, G, a, G, 1, packed, scratch, w, 0, ws);
  else sgemm(B, w, G, a, G, 1, W + (<usize>j0 << 2), H, 1, scratch, w, 0, ws);
  for (let b = 0; b < B; b++) {
    if (timeIndex(sPrev, load<i32>(lens + (<usize>b << 2)), reverse) < 0) continue;
    const d = dh + (<usize>(b * H + j0) << 2), src = scratch + (<usize>(b * w) << 2);
    if (add) addInto(d, src, w);
    else memory.copy(d, src, <usize>w << 2);
  }
}

/** Slice t's block of the W_hh prepacked for backward (arg 18), or 0. */
function packedBackward(job: usize, t: i32, H: i32, G: i32, slices: i32): usize {
  const packed = ptr(job, 18);
  return packed == 0 ? 0 : packed + (<usize>(t * G * sliceCap(H, slices)) << 2);
}

// Backward args: 0 B 1 H 2 T 3 reverse 4 lens 5 slices 6 W 7 hAll 8 cAll 9 acts 10 tc
// 11 s (step whose gates to differentiate, −1 = none) 12 sPrev (step whose W_hh path to finish
// into dh: s + 1, or 0 for the final call; −1 = none) 13 gOut (T + 2, B, H) 14 dh (B, H) 15 dc (B, H)
// 16 dgh (T, B, 4H) step-indexed 17 dgx (T, B, 4H) time-indexed 18 W_hh prepacked by rnnPackTask
// mode 1 (0 = none)
export function lstmBackwardTask(job: usize, t: i32, ws: usize): void {
  const B = arg(job, 0), H = arg(job, 1), reverse = arg(job, 3), slices = arg(job, 5);
  const s = arg(job, 11), sPrev = arg(job, 12);
  const lens = ptr(job, 4), W = ptr(job, 6), cAll = ptr(job, 8), acts = ptr(job, 9), tc = ptr(job, 10);
  const gOut = ptr(job, 13), dh = ptr(job, 14), dc = ptr(job, 15), dgh = ptr(job, 16), dgx = ptr(job, 17);
  const j0 = unitStart(t, H, slices), j1 = unitStart(t + 1, H, slices);
  if (j0 >= j1) return;
  const w = j1 - j0, BH = B * H, G = 4 * H;
  const Hb = <usize>H << 2, wb = <usize>w << 2;
  // ∂L/∂h_{sPrev−1} through W_hh replaces dh (the LSTM's h has no direct path to h')
  if (sPrev >= 0) whhPathIntoDh(B, H, G, j0, w, sPrev, reverse, lens, dgh, W, packedBackward(job, t, H, G, slices), dh, ws, false);
  if (s < 0) return;
  for (let b = 0; b < B; b++) {
    const tt = timeIndex(s, load<i32>(lens + (<usize>b << 2)), reverse);
    const dr = dgh + (<usize>((s * B + b) * G + j0) << 2);
    if (tt < 0) {
      // finished: no gates; dh, dc pass through unchanged
      for (let q = 0; q < 4; q++) memory.fill(dr + <usize>q * Hb, 0, wb);
      continue;
    }
    const xr = dgx + (<usize>((tt * B + b) * G + j0) << 2);
    const gr = gOut + (<usize>((tt * B + b) * H + j0) << 2);
    const a = acts + (<usize>((s * B + b) * G + j0) << 2);
    const st = <usize>(s * BH + b * H + j0) << 2;
    const tcr = tc + st, cpr = cAll + st;
    const dhr = dh + (<usize>(b * H + j0) << 2), dcr = dc + (<usize>(b * H + j0) << 2);
    const one = f32x4.splat(1);
    let j = 0;
    for (; j + 4 <= w; j += 4) {
      const o = <usize>j << 2;
      const dhj = f32x4.add(v128.load(dhr + o), v128.load(gr + o));
      const i = v128.load(a + o), f = v128.load(a + Hb + o), g = v128.load(a + 2 * Hb + o), ou = v128.load(a + 3 * Hb + o);
      const tcv = v128.load(tcr + o);
      // h = o·tanh(c): ∂/∂o = tanh(c), ∂/∂c = o·(1 − tanh²c); c = f·c' + i·g
      const dct = f32x4.add(v128.load(dcr + o), f32x4.mul(f32x4.mul(dhj, ou), f32x4.sub(one, f32x4.mul(tcv, tcv))));
      const dai = f32x4.mul(f32x4.mul(dct, g), f32x4.mul(i, f32x4.sub(one, i)));
      const daf = f32x4.mul(f32x4.mul(dct, v128.load(cpr + o)), f32x4.mul(f, f32x4.sub(one, f)));
      const dag = f32x4.mul(f32x4.mul(dct, i), f32x4.sub(one, f32x4.mul(g, g)));
      const dao = f32x4.mul(f32x4.mul(dhj, tcv), f32x4.mul(ou, f32x4.sub(one, ou)));
      v128.store(dr + o, dai);
      v128.store(dr + Hb + o, daf);
      v128.store(dr + 2 * Hb + o, dag);
      v128.store(dr + 3 * Hb + o, dao);
      v128.store(xr + o, dai);
      v128.store(xr + Hb + o, daf);
      v128.store(xr + 2 * Hb + o, dag);
      v128.store(xr + 3 * Hb + o, dao);
      v128.store(dcr + o, f32x4.mul(dct, f));
    }
    for (; j < w; j++) {
      const o = <usize>j << 2;
      const dhj = load<f32>(dhr + o) + load<f32>(gr + o);
      const i = load<f32>(a + o), f = load<f32>(a + Hb + o), g = load<f32>(a + 2 * Hb + o), ou = load<f32>(a + 3 * Hb + o);
      const tcv = load<f32>(tcr + o);
      const dct = load<f32>(dcr + o) + dhj * ou * (1 - tcv * tcv);
      const dai = dct * g * (i * (1 - i));
      const daf = dct * load<f32>(cpr + o) * (f * (1 - f));
      const dag = dct * i * (1 - g * g);
      const dao = dhj * tcv * (ou * (1 - ou));
      store<f32>(dr + o, dai);
      store<f32>(dr + Hb + o, daf);
      store<f32>(dr + 2 * Hb + o, dag);
      store<f32>(dr + 3 * Hb + o, dao);
      store<f32>(xr + o, dai);
      store<f32>(xr + Hb + o, daf);
      store<f32>(xr + 2 * Hb + o, dag);
      store<f32>(xr + 3 * Hb + o, dao);
      store<f32>(dcr + o, dct * f);
    }
  }
}

// The GRU (gate order r, z, n; PyTorch's n = tanh(x_n + r⊙(h·W_hnᵀ + b_hn))), same job layout as the
// LSTM with G = 3: cAll is unused (0) and `tc` holds hn = h·W_hnᵀ + b_hn per step instead.
// Backward differs in one place: h = (1 − z)⊙n + z⊙h' has a direct path to h', so a task ADDS the
// W_hh path into dh (which holds the direct part dhj⊙z from the later step).
export function gruForwardTask(job: usize, t: i32, ws: usize): void {
  const B = arg(job, 0), H = arg(job, 1), reverse = arg(job, 3), slices = arg(job, 5), s = arg(job, 11);
  const lens = ptr(job, 4), W = ptr(job, 6), hAll = ptr(job, 7), acts = ptr(job, 9), hnAll = ptr(job, 10);
  const gx = ptr(job, 12), bias = ptr(job, 13), Y = ptr(job, 14);
  const j0 = unitStart(t, H, slices), j1 = unitStart(t + 1, H, slices);
  if (j0 >= j1) return;
  const w = j1 - j0, BH = B * H, G = 3 * H;
  const hh = ws + GEMM_WS_BYTES;
  const hPrev = hAll + (<usize>(s * BH) << 2);
  stepProduct(B, H, 3, t, slices, j0, w, hPrev, W, ptr(job, 15), hh, ws);
  const Hb = <usize>H << 2, wb = <usize>w << 2;
  const one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    const tt = timeIndex(s, load<i32>(lens + (<usize>b << 2)), reverse);
    const st = <usize>(s * BH + b * H + j0) << 2;
    const hp = hAll + st, hn = hp + (<usize>BH << 2);
    if (tt < 0) {
      memory.copy(hn, hp, wb);
      continue;
    }
    const x = gx + (<usize>((tt * B + b) * G + j0) << 2);
    const r = hh + (<usize>(b * 3 * w) << 2);
    const a = acts + (<usize>((s * B + b) * G + j0) << 2);
    const hnr = hnAll + st;
    const y = Y + (<usize>((tt * B + b) * H + j0) << 2);
    const bb = bias + (<usize>j0 << 2);
    let j = 0;
    for (; j + 4 <= w; j += 4) {
      const o = <usize>j << 2;
      let hr = v128.load(r + o), hz = v128.load(r + wb + o), hnv = v128.load(r + 2 * wb + o);
      if (bias != 0) {
        hr = f32x4.add(hr, v128.load(bb + o));
        hz = f32x4.add(hz, v128.load(bb + Hb + o));
        hnv = f32x4.add(hnv, v128.load(bb + 2 * Hb + o));
      }
      const rr = sigmoidv(f32x4.add(v128.load(x + o), hr));
      const z = sigmoidv(f32x4.add(v128.load(x + Hb + o), hz));
      const n = tanhv(f32x4.add(v128.load(x + 2 * Hb + o), f32x4.mul(rr, hnv)));
      v128.store(a + o, rr);
      v128.store(a + Hb + o, z);
      v128.store(a + 2 * Hb + o, n);
      v128.store(hnr + o, hnv);
      const h = f32x4.add(f32x4.mul(f32x4.sub(one, z), n), f32x4.mul(z, v128.load(hp + o)));
      v128.store(hn + o, h);
      v128.store(y + o, h);
    }
    for (; j < w; j++) {
      const o = <usize>j << 2;
      let hr = load<f32>(r + o), hz = load<f32>(r + wb + o), hnv = load<f32>(r + 2 * wb + o);
      if (bias != 0) {
        hr += load<f32>(bb + o);
        hz += load<f32>(bb + Hb + o);
        hnv += load<f32>(bb + 2 * Hb + o);
      }
      const rr = sigmoidf1(load<f32>(x + o) + hr);
      const z = sigmoidf1(load<f32>(x + Hb + o) + hz);
      const n = tanhf1(load<f32>(x + 2 * Hb + o) + rr * hnv);
      store<f32>(a + o, rr);
      store<f32>(a + Hb + o, z);
      store<f32>(a + 2 * Hb + o, n);
      store<f32>(hnr + o, hnv);
      const h: f32 = (<f32>1 - z) * n + z * load<f32>(hp + o);
      store<f32>(hn + o, h);
      store<f32>(y + o, h);
    }
  }
}

export function gruBackwardTask(job: usize, t: i32, ws: usize): void {
  const B = arg(job, 0), H = arg(job, 1), reverse = arg(job, 3), slices = arg(job, 5);
  const s = arg(job, 11), sPrev = arg(job, 12);
  const lens = ptr(job, 4), W = ptr(job, 6), hAll = ptr(job, 7), acts = ptr(job, 9), hnAll = ptr(job, 10);
  const gOut = ptr(job, 13), dh = ptr(job, 14), dgh = ptr(job, 16), dgx = ptr(job, 17);
  const j0 = unitStart(t, H, slices), j1 = unitStart(t + 1, H, slices);
  if (j0 >= j1) return;
  const w = j1 - j0, BH = B * H, G = 3 * H;
  const Hb = <usize>H << 2, wb = <usize>w << 2;
  // the W_hh path adds to dh, which holds the direct path z⊙dhj
  if (sPrev >= 0) whhPathIntoDh(B, H, G, j0, w, sPrev, reverse, lens, dgh, W, packedBackward(job, t, H, G, slices), dh, ws, true);
  if (s < 0) return;
  const one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    const tt = timeIndex(s, load<i32>(lens + (<usize>b << 2)), reverse);
    const dr = dgh + (<usize>((s * B + b) * G + j0) << 2);
    if (tt < 0) {
      for (let q = 0; q < 3; q++) memory.fill(dr + <usize>q * Hb, 0, wb);
      continue;
    }
    const xr = dgx + (<usize>((tt * B + b) * G + j0) << 2);
    const gr = gOut + (<usize>((tt * B + b) * H + j0) << 2);
    const a = acts + (<usize>((s * B + b) * G + j0) << 2);
    const st = <usize>(s * BH + b * H + j0) << 2;
    const hnr = hnAll + st, hp = hAll + st;
    const dhr = dh + (<usize>(b * H + j0) << 2);
    let j = 0;
    for (; j + 4 <= w; j += 4) {
      const o = <usize>j << 2;
      const dhj = f32x4.add(v128.load(dhr + o), v128.load(gr + o));
      const rr = v128.load(a + o), z = v128.load(a + Hb + o), n = v128.load(a + 2 * Hb + o);
      // h = (1 − z)·n + z·h': ∂/∂n = 1 − z, ∂/∂z = h' − n; n = tanh(x_n + r·hn)
      const dan = f32x4.mul(f32x4.mul(dhj, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(n, n)));
      const daz = f32x4.mul(f32x4.mul(dhj, f32x4.sub(v128.load(hp + o), n)), f32x4.mul(z, f32x4.sub(one, z)));
      const dar = f32x4.mul(f32x4.mul(dan, v128.load(hnr + o)), f32x4.mul(rr, f32x4.sub(one, rr)));
      v128.store(xr + o, dar);
      v128.store(xr + Hb + o, daz);
      v128.store(xr + 2 * Hb + o, dan);
      v128.store(dr + o, dar);
      v128.store(dr + Hb + o, daz);
      v128.store(dr + 2 * Hb + o, f32x4.mul(dan, rr));
      v128.store(dhr + o, f32x4.mul(dhj, z));
    }
    for (; j < w; j++) {
      const o = <usize>j << 2;
      const dhj = load<f32>(dhr + o) + load<f32>(gr + o);
      const rr = load<f32>(a + o), z = load<f32>(a + Hb + o), n = load<f32>(a + 2 * Hb + o);
      const dan = dhj * (1 - z) * (1 - n * n);
      const daz = dhj * (load<f32>(hp + o) - n) * (z * (1 - z));
      const dar = dan * load<f32>(hnr + o) * (rr * (1 - rr));
      store<f32>(xr + o, dar);
      store<f32>(xr + Hb + o, daz);
      store<f32>(xr + 2 * Hb + o, dan);
      store<f32>(dr + o, dar);
      store<f32>(dr + Hb + o, daz);
      store<f32>(dr + 2 * Hb + o, dan * rr);
      store<f32>(dhr + o, dhj * z);
    }
  }
}
