import type { ModelInfo, NgramModel } from './model.js';

/**
 * The shortest decimal that reads back as the same float32 (what KenLM prints), found by rounding
 * to 1, 2, … significant digits until the value round-trips; −∞ as −99, the ARPA convention for
 * probability 0. Plain integer arithmetic: about 20× faster than toPrecision loops.
 */
export function formatFloat32(x: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x < 0 ? '-99' : 'inf';
  const f = Math.fround(x);
  const a = Math.abs(f);
  const e = Math.floor(Math.log10(a));
  // most log10 values need 7 or 8 digits: start at 7, then walk down or up
  if (roundTrips(a, 7, e)) {
    let p = 7;
    while (p > 1 && roundTrips(a, p - 1, e)) p--;
    return (f < 0 ? '-' : '') + digitsOf(a, p, e);
  }
  for (let p = 8; p <= 9; p++) if (roundTrips(a, p, e)) return (f < 0 ? '-' : '') + digitsOf(a, p, e);
  return String(f);
}

/** a rounded to p significant digits (leading digit at 10^e), as the integer m of m · 10^−s. */
function mantissa(a: number, p: number, e: number): number {
  const s = p - 1 - e;
  return s >= 0 ? Math.round(a * (POW10[s] ?? 10 ** s)) : Math.round(a / (POW10[-s] ?? 10 ** -s));
}

function roundTrips(a: number, p: number, e: number): boolean {
  const s = p - 1 - e;
  const m = mantissa(a, p, e);
  const back = s >= 0 ? m / (POW10[s] ?? 10 ** s) : m * (POW10[-s] ?? 10 ** -s);
  return Math.fround(back) === a;
}

function digitsOf(a: number, p: number, e: number): string {
  return placePoint(mantissa(a, p, e), p - 1 - e);
}

const POW10 = Array.from({ length: 40 }, (_, i) => 10 ** i);
const NEG_POW10 = Array.from({ length: 40 }, (_, i) => 10 ** -i);

/** floor(log10(a)) for 1e-30 <= a < 1e15 by table comparisons (log10 is the slow part otherwise). */
function decimalExponent(a: number): number {
  let e = 0;
  if (a >= 1) {
    while (a >= POW10[e + 1]!) e++;
  } else {
    e = -1;
    while (a < NEG_POW10[-e]!) e--;
  }
  return e;
}

/** The decimal m · 10^−s as text, without trailing zeros. */
function placePoint(m: number, s: number): string {
  let digits = String(m);
  if (s <= 0) return s === 0 ? digits : digits + '0'.repeat(-s);
  if (digits.length <= s) digits = '0'.repeat(s - digits.length + 1) + digits;
  let text = digits.slice(0, digits.length - s) + '.' + digits.slice(digits.length - s);
  let end = text.length;
  while (text.charCodeAt(end - 1) === 48) end--;
  if (text.charCodeAt(end - 1) === 46) end--;
  text = text.slice(0, end);
  return text;
}

/** `# nerva-ngram key=value …`: how the model was made, so scoring can tokenize the same way. */
export function infoComment(info: ModelInfo): string {
  const parts: string[] = [];
  if (info.smoothing !== undefined) parts.push(`smoothing=${info.smoothing}`);
  if (info.level !== undefined) parts.push(`level=${info.level}`);
  if (info.lowercase !== undefined) parts.push(`lowercase=${info.lowercase ? 1 : 0}`);
  if (info.sentences !== undefined) parts.push(`sentences=${info.sentences}`);
  return `# nerva-ngram ${parts.join(' ')}`;
}

/**
 * The ARPA file as UTF-8 byte chunks of about `chunkBytes`: words are encoded once, numbers are
 * written digit by digit straight into the buffer (no per-line strings), which keeps writing a
 * 190 MB model to a few seconds.
 */
export function* arpaChunks(model: NgramModel, chunkBytes = 1 << 20): Generator<Uint8Array> {
  const encoder = new TextEncoder();
  const counts = model.counts();
  let head = `${infoComment(model.info)}\n\n\\data\\\n`;
  counts.forEach((c, i) => (head += `ngram ${i + 1}=${c}\n`));
  const out = new ByteWriter(chunkBytes);
  out.bytes(encoder.encode(head));
  const words = model.vocab.words.map((w) => encoder.encode(w));
  const N = model.order;
  for (let k = 1; k <= N; k++) {
    yield* out.drain();
    out.bytes(encoder.encode(`\n\\${k}-grams:\n`));
    const { keys, logProb, logBackoff } = model.tables[k - 1]!;
    const rows = logProb.length;
    for (let r = 0; r < rows; r++) {
      out.float32(logProb[r]!);
      out.byte(9);
      out.bytes(words[keys[r * k]!]!);
      for (let j = 1; j < k; j++) {
        out.byte(32);
        out.bytes(words[keys[r * k + j]!]!);
      }
      if (k < N) {
        out.byte(9);
        out.float32(logBackoff[r]!);
      }
      out.byte(10);
      if (out.full()) yield* out.drain();
    }
  }
  out.bytes(encoder.encode('\n\\end\\\n'));
  yield* out.drain();
}

/** A growable byte buffer handed out in chunks. */
class ByteWriter {
  private buf: Uint8Array;
  private pos = 0;
  private readonly digits = new Uint8Array(24);

  constructor(private readonly chunkBytes: number) {
    this.buf = new Uint8Array(chunkBytes + 4096);
  }

  full(): boolean {
    return this.pos >= this.chunkBytes;
  }

  *drain(): Generator<Uint8Array> {
    if (this.pos === 0) return;
    yield this.buf.subarray(0, this.pos);
    this.buf = new Uint8Array(this.chunkBytes + 4096);
    this.pos = 0;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  bytes(b: Uint8Array): void {
    const n = b.length;
    this.ensure(n);
    if (n > 32) {
      this.buf.set(b, this.pos);
      this.pos += n;
      return;
    }
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < n; i++) buf[pos++] = b[i]!;
    this.pos = pos;
  }

  /** formatFloat32(x), written as bytes. */
  float32(x: number): void {
    this.ensure(64);
    const buf = this.buf;
    if (x === 0) {
      buf[this.pos++] = 48;
      return;
    }
    if (!Number.isFinite(x) || Math.abs(x) < 1e-30 || Math.abs(x) >= 1e15) {
      const s = formatFloat32(x);
      for (let i = 0; i < s.length; i++) buf[this.pos++] = s.charCodeAt(i);
      return;
    }
    const f = Math.fround(x);
    const a = Math.abs(f);
    const e = decimalExponent(a);
    let p = 7;
    if (roundTrips(a, 7, e)) {
      while (p > 1 && roundTrips(a, p - 1, e)) p--;
    } else {
      p = 8;
      while (p < 9 && !roundTrips(a, p, e)) p++;
    }
    let m = mantissa(a, p, e);
    let s = p - 1 - e;
    while (s > 0 && m % 10 === 0) {
      m /= 10;
      s--;
    }
    // digits of m, least significant first
    const d = this.digits;
    let nd = 0;
    // m < 10^9 fits in int32
    do {
      const q = (m / 10) | 0;
      d[nd++] = 48 + m - q * 10;
      m = q;
    } while (m > 0);
    if (f < 0) buf[this.pos++] = 45;
    if (s <= 0) {
      for (let i = nd - 1; i >= 0; i--) buf[this.pos++] = d[i]!;
      for (let i = 0; i < -s; i++) buf[this.pos++] = 48;
    } else if (nd <= s) {
      buf[this.pos++] = 48;
      buf[this.pos++] = 46;
      for (let i = 0; i < s - nd; i++) buf[this.pos++] = 48;
      for (let i = nd - 1; i >= 0; i--) buf[this.pos++] = d[i]!;
    } else {
      for (let i = nd - 1; i >= s; i--) buf[this.pos++] = d[i]!;
      buf[this.pos++] = 46;
      for (let i = s - 1; i >= 0; i--) buf[this.pos++] = d[i]!;
    }
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
  }
}
