import { Canvas, textWidth } from '../node/plot.js';
import { writeFileAtomic } from '../node/atomic.js';
import { NervaError } from '../errors.js';

/**
 * The attention of one decoded output as a heat map: one row per output symbol, one column per
 * source symbol, darker = more weight; source symbols along the top, outputs down the left.
 * `.svg` writes real text (any script); `.png` uses the built-in bitmap font (upper case).
 */
export function writeAttentionPicture(path: string, source: readonly string[], output: readonly string[], rows: readonly Float32Array[]): void {
  const lower = path.toLowerCase();
  if (!lower.endsWith('.png') && !lower.endsWith('.svg')) throw new NervaError(`--attention '${path}': the picture must be a .png or .svg file`);
  if (rows.length === 0) throw new NervaError('--attention: the output is empty, there is no attention to draw');
  const outs = output.length === rows.length ? [...output] : [...output, lower.endsWith('.svg') ? '</s>' : 'END'].slice(0, rows.length);
  const S = source.length;
  const weight = (t: number, s: number): number => rows[t]![s] ?? 0;
  if (lower.endsWith('.svg')) {
    const cell = 28;
    const left = 12 + Math.max(...outs.map((o) => o.length)) * 9;
    const top = 12 + Math.max(...source.map((o) => o.length)) * 9;
    const esc = (x: string): string => x.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${left + S * cell + 10}" height="${top + outs.length * cell + 10}" font-family="monospace" font-size="14">`, '<rect width="100%" height="100%" fill="white"/>'];
    source.forEach((s, j) => parts.push(`<text x="${left + j * cell + cell / 2}" y="${top - 6}" transform="rotate(-90 ${left + j * cell + cell / 2} ${top - 6})" dominant-baseline="middle">${esc(s)}</text>`));
    outs.forEach((o, t) => {
      parts.push(`<text x="${left - 6}" y="${top + t * cell + cell / 2}" text-anchor="end" dominant-baseline="middle">${esc(o)}</text>`);
      for (let j = 0; j < S; j++) {
        const v = Math.round(255 * (1 - weight(t, j)));
        parts.push(`<rect x="${left + j * cell}" y="${top + t * cell}" width="${cell - 1}" height="${cell - 1}" fill="rgb(${v},${v},${Math.min(255, v + 40)})"><title>${esc(o)} ← ${esc(source[j]!)}: ${weight(t, j).toFixed(3)}</title></rect>`);
      }
    });
    parts.push('</svg>');
    writeFileAtomic(path, parts.join('\n') + '\n');
    return;
  }
  const cell = 24;
  const left = 10 + Math.max(...outs.map((o) => textWidth(o))) + 6;
  const top = 10 + Math.max(...source.map((o) => textWidth(o))) + 6;
  const cv = new Canvas(left + S * cell + 10, top + outs.length * cell + 10);
  source.forEach((s, j) => cv.textVertical(s, left + j * cell + (cell - 7) / 2, top - 6, [30, 30, 30]));
  outs.forEach((o, t) => {
    cv.text(o, left - 6 - textWidth(o), top + t * cell + (cell - 7) / 2, [30, 30, 30]);
    for (let j = 0; j < S; j++) {
      const v = Math.round(255 * (1 - weight(t, j)));
      cv.fillRect(left + j * cell, top + t * cell, cell - 1, cell - 1, [v, v, Math.min(255, v + 40)]);
    }
  });
  cv.save(path);
}
