import { writeFileAtomic } from '../io/atomic.js';
import type { ModelInfo, NgramModel } from './model.js';

/**
 * The shortest decimal that reads back as the same float32 (what KenLM prints); −∞ as −99, the
 * ARPA convention for probability 0.
 */
export function formatFloat32(x: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return x < 0 ? '-99' : 'inf';
  const f = Math.fround(x);
  let p = 7;
  if (Math.fround(Number(f.toPrecision(p))) === f) {
    while (p > 1 && Math.fround(Number(f.toPrecision(p - 1))) === f) p--;
  } else {
    while (p < 9 && Math.fround(Number(f.toPrecision(p))) !== f) p++;
  }
  return String(Number(f.toPrecision(p)));
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
  const cache = new Map<number, string>();
  const fmt = (x: number): string => {
    let s = cache.get(x);
    if (s === undefined) {
      s = formatFloat32(x);
      if (cache.size < 1 << 20) cache.set(x, s);
    }
    return s;
  };
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
