import { writeFileAtomic } from '../io/atomic.js';
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

/** The ARPA text in chunks of about `chunkChars` characters. */
export function* arpaChunks(model: NgramModel, chunkChars = 1 << 20): Generator<string> {
  const counts = model.counts();
  let out = `${infoComment(model.info)}\n\n\\data\\\n`;
  counts.forEach((c, i) => (out += `ngram ${i + 1}=${c}\n`));
  const words = model.vocab.words;
  const fmt = formatFloat32;
  const N = model.order;
  for (let k = 1; k <= N; k++) {
    out += `\n\\${k}-grams:\n`;
    const { keys, logProb, logBackoff } = model.tables[k - 1]!;
    const rows = logProb.length;
    const top = k === N;
    for (let r = 0; r < rows; r++) {
      let line = fmt(logProb[r]!) + '\t' + words[keys[r * k]!]!;
      for (let j = 1; j < k; j++) line += ' ' + words[keys[r * k + j]!]!;
      out += top ? line + '\n' : line + '\t' + fmt(logBackoff[r]!) + '\n';
      if (out.length >= chunkChars) {
        yield out;
        out = '';
      }
    }
  }
  out += '\n\\end\\\n';
  yield out;
}

/** Writes the model as an ARPA file (KenLM-readable), atomically: never a half-written file. */
export function writeArpa(model: NgramModel, path: string): void {
  writeFileAtomic(path, arpaChunks(model));
}
