import type { BatchNormBackwardFusion, BatchNormFusion, BatchNormGeometry, BinaryOp, DataArray, FloatArray, ReduceOp, StridedInput, UnaryBackwardOp, UnaryOp } from '../backend.js';

// Reference elementwise, copy and reduction kernels: the definition of each op's math.

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** GELU with the exact erf form (PyTorch's default approximate='none'). */
export function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

/** erf to ~1e-13: its Maclaurin series for |x| < 3 (cancellation costs at most three digits
 * there) and the continued fraction of erfc beyond. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    // Maclaurin series converges fast enough in float64 for |x| < 3.
    let sum = ax;
    let term = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 80; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    const r = (2 / Math.sqrt(Math.PI)) * sum;
    return x < 0 ? -r : r;
  }
  // erfc asymptotic continued fraction for large |x|.
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (ax + f);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  return x < 0 ? erfc - 1 : 1 - erfc;
}

export { SQRT_2_OVER_PI };

function unaryFn(op: UnaryOp, alpha: number): (v: number) => number {
  switch (op) {
    case 'neg': return (v) => -v;
    case 'abs': return Math.abs;
    case 'exp': return Math.exp;
    case 'log': return Math.log;
    case 'sqrt': return Math.sqrt;
    case 'rsqrt': return (v) => 1 / Math.sqrt(v);
    case 'tanh': return Math.tanh;
    case 'sigmoid': return (v) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
    case 'relu': return (v) => (v > 0 ? v : 0);
    case 'leakyRelu': return (v) => (v > 0 ? v : alpha * v);
    case 'gelu': return gelu;
    case 'erf': return erf;
    case 'sin': return Math.sin;
    case 'cos': return Math.cos;
    case 'sign': return (v) => (v > 0 ? 1 : v < 0 ? -1 : 0);
    case 'square': return (v) => v * v;
    case 'reciprocal': return (v) => 1 / v;
    case 'floor': return Math.floor;
    case 'ceil': return Math.ceil;
    case 'round': return roundHalfEven;
  }
}

/** PyTorch rounds half to even. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function unary(op: UnaryOp, x: DataArray, out: DataArray, alpha = 0.01): void {
  const n = x.length;
  switch (op) {
    // The hottest ones get their own loops; the rest share the generic one.
    case 'relu':
      if (x instanceof Float32Array && out instanceof Float32Array) {
        // Branch-free on the bits: a set sign bit clears the word (→ +0). Signs of activations
        // are near random, so a compare-and-branch loop mispredicts half the time (~4x slower).
        const xi = new Int32Array(x.buffer, x.byteOffset, n);
        const oi = new Int32Array(out.buffer, out.byteOffset, n);
        for (let i = 0; i < n; i++) { const b = xi[i]!; oi[i] = b & ~(b >> 31); }
        return;
      }
      // NaN propagates, as in PyTorch (and as the float32 path above does).
      for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v > 0 || v !== v ? v : 0; }
      return;
    case 'neg':
      for (let i = 0; i < n; i++) out[i] = -x[i]!;
      return;
    case 'exp':
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]!);
      return;
    default: {
      const f = unaryFn(op, alpha);
      for (let i = 0; i < n; i++) out[i] = f(x[i]!);
    }
  }
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

export function unaryBackward(op: UnaryBackwardOp, x: FloatArray, y: FloatArray, gy: FloatArray, gx: FloatArray, alpha = 0.01): void {
  const n = gx.length;
  switch (op) {
    // Multiplying by the 0/1 (or alpha/1) factor instead of branching: activation signs are close
    // to random, so a branch mispredicts about half the time (measured 3.5x slower per element).
    // It is also the composed formula's meaning: gy·0 stays NaN when gy is ±∞ or NaN.
    case 'relu': // 1[x > 0]
      for (let i = 0; i < n; i++) gx[i] = gy[i]! * +(x[i]! > 0);
      return;
    case 'leakyRelu': { // 1 for x > 0, alpha otherwise
      const slope = [alpha, 1] as const;
      for (let i = 0; i < n; i++) gx[i] = gy[i]! * slope[+(x[i]! > 0)]!;
      return;
    }
    case 'tanh': // 1 − y²
      for (let i = 0; i < n; i++) { const v = y[i]!; gx[i] = gy[i]! * (1 - v * v); }
      return;
    case 'sigmoid': // y·(1 − y)
      for (let i = 0; i < n; i++) { const v = y[i]!; gx[i] = gy[i]! * (v * (1 - v)); }
      return;
    case 'gelu': // Φ(x) + x·φ(x)
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        const cdf = 0.5 * (1 + erf(v * Math.SQRT1_2));
        const pdf = Math.exp(-0.5 * v * v) * INV_SQRT_2PI;
        gx[i] = gy[i]! * (cdf + v * pdf);
      }
      return;
  }
}

export function softmaxCrossEntropy(x: FloatArray, target: Int32Array, loss: FloatArray, probs: FloatArray, rows: number, classes: number): void {
  for (let i = 0; i < rows; i++) {
    const base = i * classes;
    const t = target[i]!;
    if (t < 0) {
      loss[i] = 0;
      for (let c = 0; c < classes; c++) probs[base + c] = 0;
      continue;
    }
    let mx = -Infinity;
    for (let c = 0; c < classes; c++) { const v = x[base + c]!; if (v > mx) mx = v; }
    if (mx === -Infinity) mx = 0; // an all −∞ row gives NaN below, as the composed formula does
    let s = 0;
    for (let c = 0; c < classes; c++) { const e = Math.exp(x[base + c]! - mx); probs[base + c] = e; s += e; }
    const inv = 1 / s;
    for (let c = 0; c < classes; c++) probs[base + c] = probs[base + c]! * inv;
    loss[i] = mx + Math.log(s) - x[base + t]!;
  }
}

export function softmaxCrossEntropyBackward(probs: FloatArray, target: Int32Array, gLoss: FloatArray, gx: FloatArray, rows: number, classes: number): void {
  for (let i = 0; i < rows; i++) {
    const base = i * classes;
    const t = target[i]!;
    const g = t < 0 ? 0 : gLoss[i]!;
    for (let c = 0; c < classes; c++) gx[base + c] = g * probs[base + c]!;
    if (t >= 0) gx[base + t] = gx[base + t]! - g;
  }
}

export function softmax(x: FloatArray, out: FloatArray, outer: number, size: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let mx = -Infinity;
      for (let k = 0; k < size; k++) { const v = x[base + k * inner]!; if (v > mx || Number.isNaN(v)) mx = v; }
      if (mx === Infinity || mx === -Infinity) mx = 0;
      let s = 0;
      for (let k = 0; k < size; k++) { const e = Math.exp(x[base + k * inner]! - mx); out[base + k * inner] = e; s += e; }
      const inv = 1 / s;
      for (let k = 0; k < size; k++) out[base + k * inner] = out[base + k * inner]! * inv;
    }
  }
}

export function softmaxBackward(y: FloatArray, gy: FloatArray, gx: FloatArray, outer: number, size: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let dot = 0;
      for (let k = 0; k < size; k++) dot += gy[base + k * inner]! * y[base + k * inner]!;
      for (let k = 0; k < size; k++) { const q = base + k * inner; gx[q] = y[q]! * (gy[q]! - dot); }
    }
  }
}

export function batchNormForward(x: FloatArray, weight: FloatArray | null, bias: FloatArray | null, y: FloatArray,
  mean: FloatArray, varOut: FloatArray, invstd: FloatArray, eps: number, g: BatchNormGeometry, fuse?: BatchNormFusion): void {
  batchNormOnly(x, weight, bias, y, mean, varOut, invstd, eps, g);
  // the fusion is, by definition, the separate ops on the stored output
  const r = fuse?.residual ?? null;
  if (r !== null) for (let i = 0; i < y.length; i++) y[i] = y[i]! + r[i]!;
  if (fuse?.relu === true) unary('relu', y, y);
}

function batchNormOnly(x: FloatArray, weight: FloatArray | null, bias: FloatArray | null, y: FloatArray,
  mean: FloatArray, varOut: FloatArray, invstd: FloatArray, eps: number, g: BatchNormGeometry): void {
  const { outer, c, inner } = g;
  const count = outer * inner;
  for (let j = 0; j < c; j++) {
    // Two passes for the statistics (the centered sum of squares does not cancel).
    let s = 0;
    for (let o = 0; o < outer; o++) {
      const base = (o * c + j) * inner;
      for (let i = 0; i < inner; i++) s += x[base + i]!;
    }
    const m = s / count;
    let ss = 0;
    for (let o = 0; o < outer; o++) {
      const base = (o * c + j) * inner;
      for (let i = 0; i < inner; i++) { const d = x[base + i]! - m; ss += d * d; }
    }
    const v = ss / count;
    const is = 1 / Math.sqrt(v + eps);
    mean[j] = m;
    varOut[j] = v;
    invstd[j] = is;
    const scale = weight === null ? is : is * weight[j]!;
    const shift = (bias === null ? 0 : bias[j]!) - m * scale;
    for (let o = 0; o < outer; o++) {
      const base = (o * c + j) * inner;
      for (let i = 0; i < inner; i++) y[base + i] = x[base + i]! * scale + shift;
    }
  }
}

export function batchNormBackward(x: FloatArray, gy: FloatArray, weight: FloatArray | null, mean: FloatArray, invstd: FloatArray,
  gx: FloatArray | null, gWeight: FloatArray, gBias: FloatArray, g: BatchNormGeometry, fuse?: BatchNormBackwardFusion): void {
  let gIn = gy;
  if (fuse !== undefined && fuse.y !== null) {
    gIn = gy instanceof Float32Array ? new Float32Array(gy.length) : new Float64Array(gy.length);
    unaryBackward('relu', fuse.y, fuse.y, gy, gIn);
  }
  fuse?.gResidual?.set(gIn);
  batchNormBackwardOnly(x, gIn, weight, mean, invstd, gx, gWeight, gBias, g);
}

function batchNormBackwardOnly(x: FloatArray, gy: FloatArray, weight: FloatArray | null, mean: FloatArray, invstd: FloatArray,
  gx: FloatArray | null, gWeight: FloatArray, gBias: FloatArray, g: BatchNormGeometry): void {
  const { outer, c, inner } = g;
  const count = outer * inner;
  for (let j = 0; j < c; j++) {
    const m = mean[j]!;
    const is = invstd[j]!;
    // Σgy and Σ gy·(x − mean); then Σ gy·x̂ = invstd · the latter.
    let sg = 0;
    let sgc = 0;
    for (let o = 0; o < outer; o++) {
      const base = (o * c + j) * inner;
      for (let i = 0; i < inner; i++) { const d = gy[base + i]!; sg += d; sgc += d * (x[base + i]! - m); }
    }
    const sgx = sgc * is;
    gWeight[j] = sgx;
    gBias[j] = sg;
    if (gx === null) continue;
    // gx = k·(gy − Σgy/M − x̂·Σ(gy·x̂)/M), k = γ·invstd; x̂ = (x − mean)·invstd.
    const k = weight === null ? is : is * weight[j]!;
    const meanG = sg / count;
    const b = (sgx / count) * is; // multiplies (x − mean)
    for (let o = 0; o < outer; o++) {
      const base = (o * c + j) * inner;
      for (let i = 0; i < inner; i++) gx[base + i] = k * (gy[base + i]! - meanG - (x[base + i]! - m) * b);
    }
  }
}

function binaryFn(op: BinaryOp): (a: number, b: number) => number {
  switch (op) {
    case 'add': return (a, b) => a + b;
    case 'sub': return (a, b) => a - b;
    case 'mul': return (a, b) => a * b;
    case 'div': return (a, b) => a / b;
    case 'pow': return Math.pow;
    // NaN propagates, as in PyTorch.
    case 'maximum': return (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b);
    case 'minimum': return (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b);
    case 'eq': return (a, b) => (a === b ? 1 : 0);
    case 'ne': return (a, b) => (a !== b ? 1 : 0);
    case 'lt': return (a, b) => (a < b ? 1 : 0);
    case 'le': return (a, b) => (a <= b ? 1 : 0);
    case 'gt': return (a, b) => (a > b ? 1 : 0);
    case 'ge': return (a, b) => (a >= b ? 1 : 0);
  }
}

export function binary(op: BinaryOp, a: StridedInput, b: StridedInput, out: DataArray, shape: readonly number[]): void {
  const n = out.length;
  if (n === 0) return;
  const nd = shape.length;
  const ad = a.data;
  const bd = b.data;
  const f = binaryFn(op);
  // Fast path: both inputs dense with the op's shape (the common case in training).
  if (isDense(a, shape) && isDense(b, shape)) {
    const ao = a.offset;
    const bo = b.offset;
    switch (op) {
      case 'add': for (let i = 0; i < n; i++) out[i] = ad[ao + i]! + bd[bo + i]!; return;
      case 'sub': for (let i = 0; i < n; i++) out[i] = ad[ao + i]! - bd[bo + i]!; return;
      case 'mul': for (let i = 0; i < n; i++) out[i] = ad[ao + i]! * bd[bo + i]!; return;
      case 'div': for (let i = 0; i < n; i++) out[i] = ad[ao + i]! / bd[bo + i]!; return;
      default: for (let i = 0; i < n; i++) out[i] = f(ad[ao + i]!, bd[bo + i]!); return;
    }
  }
  // Tensor-with-scalar (x * 2, x > 0, a broadcast 0-d tensor): one tight loop per op.
  if (isDense(a, shape) && isConstant(b)) return binaryScalar(op, ad, a.offset, bd[b.offset]!, out, false, f);
  if (isConstant(a) && isDense(b, shape)) return binaryScalar(op, bd, b.offset, ad[a.offset]!, out, true, f);
  // General path: iterate the last dimension in an inner loop, odometer over the rest.
  const last = nd === 0 ? 1 : shape[nd - 1]!;
  const as = nd === 0 ? 0 : a.strides[nd - 1]!;
  const bs = nd === 0 ? 0 : b.strides[nd - 1]!;
  const idx = new Array<number>(Math.max(nd - 1, 0)).fill(0);
  let pa = a.offset;
  let pb = b.offset;
  for (let o = 0; o < n; o += last) {
    // The four arithmetic ops get closure-free inner loops: they carry bias adds and masks.
    switch (op) {
      case 'add': for (let j = 0, qa = pa, qb = pb; j < last; j++, qa += as, qb += bs) out[o + j] = ad[qa]! + bd[qb]!; break;
      case 'sub': for (let j = 0, qa = pa, qb = pb; j < last; j++, qa += as, qb += bs) out[o + j] = ad[qa]! - bd[qb]!; break;
      case 'mul': for (let j = 0, qa = pa, qb = pb; j < last; j++, qa += as, qb += bs) out[o + j] = ad[qa]! * bd[qb]!; break;
      case 'div': for (let j = 0, qa = pa, qb = pb; j < last; j++, qa += as, qb += bs) out[o + j] = ad[qa]! / bd[qb]!; break;
      default: for (let j = 0, qa = pa, qb = pb; j < last; j++, qa += as, qb += bs) out[o + j] = f(ad[qa]!, bd[qb]!);
    }
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      pa += a.strides[d]!;
      pb += b.strides[d]!;
      if (idx[d]! < shape[d]!) break;
      pa -= a.strides[d]! * shape[d]!;
      pb -= b.strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

function isConstant(x: StridedInput): boolean {
  for (const s of x.strides) if (s !== 0) return false;
  return true;
}

/** out[i] = op(x[i], c), or op(c, x[i]) when `swapped`. */
function binaryScalar(op: BinaryOp, xd: DataArray, xo: number, c: number, out: DataArray, swapped: boolean, f: (a: number, b: number) => number): void {
  const n = out.length;
  switch (swapped ? `r${op}` : op) {
    case 'add': case 'radd': for (let i = 0; i < n; i++) out[i] = xd[xo + i]! + c; return;
    case 'mul': case 'rmul': for (let i = 0; i < n; i++) out[i] = xd[xo + i]! * c; return;
    case 'sub': for (let i = 0; i < n; i++) out[i] = xd[xo + i]! - c; return;
    case 'rsub': for (let i = 0; i < n; i++) out[i] = c - xd[xo + i]!; return;
    case 'div': for (let i = 0; i < n; i++) out[i] = xd[xo + i]! / c; return;
    case 'gt': for (let i = 0; i < n; i++) out[i] = xd[xo + i]! > c ? 1 : 0; return;
    case 'lt': for (let i = 0; i < n; i++) out[i] = xd[xo + i]! < c ? 1 : 0; return;
    default:
      if (swapped) for (let i = 0; i < n; i++) out[i] = f(c, xd[xo + i]!);
      else for (let i = 0; i < n; i++) out[i] = f(xd[xo + i]!, c);
  }
}

/** x read densely in `shape` (size-1 dims may have any stride). */
export function isDense(x: StridedInput, shape: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && x.strides[i] !== expected) return false;
    expected *= shape[i]!;
  }
  return true;
}

export function copyStrided(x: StridedInput, out: DataArray, shape: readonly number[]): void {
  const n = out.length;
  if (n === 0) return;
  const xd = x.data;
  // same array type: contiguous runs are block copies (a memcpy each) instead of element loops
  const blocks = out.constructor === xd.constructor;
  if (isDense(x, shape)) {
    if (blocks) out.set(xd.subarray(x.offset, x.offset + n) as never);
    else for (let i = 0; i < n; i++) out[i] = xd[x.offset + i]!;
    return;
  }
  const nd = shape.length;
  const last = shape[nd - 1]!;
  const ls = x.strides[nd - 1]!;
  const rows = blocks && ls === 1 && last >= 8;
  const idx = new Array<number>(nd - 1).fill(0);
  let p = x.offset;
  for (let o = 0; o < n; o += last) {
    if (rows) out.set(xd.subarray(p, p + last) as never, o);
    else {
      let q = p;
      for (let j = 0; j < last; j++) { out[o + j] = xd[q]!; q += ls; }
    }
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      p += x.strides[d]!;
      if (idx[d]! < shape[d]!) break;
      p -= x.strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

export function reduce(op: ReduceOp, x: DataArray, out: DataArray, outer: number, size: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    const base = o * size * inner;
    for (let i = 0; i < inner; i++) {
      const p0 = base + i;
      switch (op) {
        case 'sum': {
          let s = 0;
          for (let k = 0; k < size; k++) s += x[p0 + k * inner]!;
          out[o * inner + i] = s;
          break;
        }
        case 'max':
        case 'min':
        case 'argmax':
        case 'argmin': {
          const wantMax = op === 'max' || op === 'argmax';
          let best = size > 0 ? x[p0]! : wantMax ? -Infinity : Infinity;
          let bestK = 0;
          for (let k = 1; k < size; k++) {
            const v = x[p0 + k * inner]!;
            // NaN wins (propagates) like in PyTorch; ties keep the first index.
            if (best !== best) break;
            if (v !== v || (wantMax ? v > best : v < best)) { best = v; bestK = k; }
          }
          out[o * inner + i] = op === 'max' || op === 'min' ? best : bestK;
          break;
        }
      }
    }
  }
}

export function scatterStrided(src: DataArray, out: StridedInput, shape: readonly number[]): void {
  const n = src.length;
  if (n === 0) return;
  const od = out.data;
  const nd = shape.length;
  if (nd === 0) { od[out.offset] = src[0]!; return; }
  const last = shape[nd - 1]!;
  const ls = out.strides[nd - 1]!;
  const rows = od.constructor === src.constructor && ls === 1 && last >= 8; // block copies, as copyStrided
  const idx = new Array<number>(nd - 1).fill(0);
  let p = out.offset;
  for (let o = 0; o < n; o += last) {
    if (rows) od.set(src.subarray(o, o + last) as never, p);
    else {
      let q = p;
      for (let j = 0; j < last; j++) { od[q] = src[o + j]!; q += ls; }
    }
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      p += out.strides[d]!;
      if (idx[d]! < shape[d]!) break;
      p -= out.strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

export function where(cond: StridedInput, a: StridedInput, b: StridedInput, out: DataArray, shape: readonly number[]): void {
  const n = out.length;
  if (n === 0) return;
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  let pc = cond.offset;
  let pa = a.offset;
  let pb = b.offset;
  for (let i = 0; i < n; i++) {
    out[i] = cond.data[pc] !== 0 ? a.data[pa]! : b.data[pb]!;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      pc += cond.strides[d]!;
      pa += a.strides[d]!;
      pb += b.strides[d]!;
      if (idx[d]! < shape[d]!) break;
      pc -= cond.strides[d]! * shape[d]!;
      pa -= a.strides[d]! * shape[d]!;
      pb -= b.strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

export function indexSelect(x: DataArray, index: Int32Array, out: DataArray, outer: number, size: number, inner: number): void {
  const m = index.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const src = (o * size + index[j]!) * inner;
      const dst = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] = x[src + i]!;
    }
  }
}

export function indexAdd(src: DataArray, index: Int32Array, out: DataArray, outer: number, size: number, inner: number): void {
  const m = index.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const dst = (o * size + index[j]!) * inner;
      const s = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] += src[s + i]!;
    }
  }
}

export function gather(x: DataArray, index: Int32Array, out: DataArray, outer: number, size: number, m: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const row = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[row + i] = x[(o * size + index[row + i]!) * inner + i]!;
    }
  }
}

export function scatterAdd(src: DataArray, index: Int32Array, out: DataArray, outer: number, size: number, m: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const row = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[(o * size + index[row + i]!) * inner + i] += src[row + i]!;
    }
  }
}
