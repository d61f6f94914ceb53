import pngjs from 'pngjs';
import { writeFileAtomic } from './atomic.js';

/**
 * Training pictures without a plotting library: an RGBA canvas, a 5×7 bitmap font (upper case,
 * digits, a little punctuation), line charts of loss and accuracy per epoch, and a confusion-matrix
 * heat map. Written as PNG through writeFileAtomic.
 */

type RGB = readonly [number, number, number];

// 5×7 glyphs: the character, then 7 rows as two hex digits each (bit 4 = leftmost column).
const GLYPHS = '00e11131519110e 1040c040404040e 20e11010204081f 31e01010e01011e 402060a121f0202 51f101e0101110e 60608101e11110e 71f010204080808 80e11110e11110e 90e11110f01020c A0e11111f111111 B1e11111e11111e C0e11101010110e D1e11111111111e E1f10101e10101f F1f10101e101010 G0e11101711110f H1111111f111111 I0e04040404040e J0702020202120c K11121418141211 L1010101010101f M111b1515111111 N11111915131111 O0e11111111110e P1e11111e101010 Q0e11111115120d R1e11111e141211 S0f10100e01011e T1f040404040404 U1111111111110e V11111111110a04 W1111111515150a X11110a040a1111 Y11110a04040404 Z1f01020408101f .00000000000c0c ,000000000c0408 -0000001f000000 +0004041f040400 %19190204081313 /01010204081010 :000c0c000c0c00 (02040808080402 )08040202020408 _0000000000001f =00001f001f0000 \'04040800000000';
const FONT = new Map<string, number[]>(GLYPHS.split(' ').map((g) => [g[0]!, Array.from({ length: 7 }, (_, r) => parseInt(g.slice(1 + 2 * r, 3 + 2 * r), 16))]));

export class Canvas {
  readonly rgba: Uint8Array;

  constructor(readonly width: number, readonly height: number, background: RGB = [255, 255, 255]) {
    this.rgba = new Uint8Array(width * height * 4);
    this.fillRect(0, 0, width, height, background);
  }

  setPixel(x: number, y: number, c: RGB): void {
    x = Math.round(x); y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const p = (y * this.width + x) * 4;
    this.rgba[p] = c[0]; this.rgba[p + 1] = c[1]; this.rgba[p + 2] = c[2]; this.rgba[p + 3] = 255;
  }

  fillRect(x: number, y: number, w: number, h: number, c: RGB): void {
    for (let yy = Math.round(y); yy < Math.round(y + h); yy++) for (let xx = Math.round(x); xx < Math.round(x + w); xx++) this.setPixel(xx, yy, c);
  }

  /** A straight line `width` pixels thick (square brush along a DDA walk). */
  line(x0: number, y0: number, x1: number, y1: number, c: RGB, width = 1): void {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    const r = (width - 1) / 2;
    for (let i = 0; i <= steps; i++) {
      const x = x0 + ((x1 - x0) * i) / steps, y = y0 + ((y1 - y0) * i) / steps;
      this.fillRect(x - r, y - r, width, width, c);
    }
  }

  /** Text in the built-in font (lower case is drawn as upper case); returns the width drawn. */
  text(s: string, x: number, y: number, c: RGB, scale = 1): number {
    let cx = Math.round(x);
    for (const ch of s.toUpperCase()) {
      const rows = FONT.get(ch);
      if (rows) {
        rows.forEach((bits, r) => {
          for (let col = 0; col < 5; col++) if (bits & (16 >> col)) this.fillRect(cx + col * scale, y + r * scale, scale, scale, c);
        });
      }
      cx += 6 * scale;
    }
    return cx - x;
  }

  /** Text rotated a quarter turn counter-clockwise (for y-axis titles), starting at the bottom. */
  textVertical(s: string, x: number, y: number, c: RGB, scale = 1): void {
    let cy = Math.round(y);
    for (const ch of s.toUpperCase()) {
      const rows = FONT.get(ch);
      if (rows) {
        rows.forEach((bits, r) => {
          for (let col = 0; col < 5; col++) if (bits & (16 >> col)) this.fillRect(x + r * scale, cy - col * scale, scale, scale, c);
        });
      }
      cy -= 6 * scale;
    }
  }

  toPng(): Buffer {
    const png = new pngjs.PNG({ width: this.width, height: this.height });
    png.data = Buffer.from(this.rgba.buffer, this.rgba.byteOffset, this.rgba.byteLength);
    return pngjs.PNG.sync.write(png);
  }

  save(path: string): void {
    writeFileAtomic(path, this.toPng());
  }
}

export const textWidth = (s: string, scale = 1): number => s.length * 6 * scale - scale;

const BLACK: RGB = [30, 30, 30];
const GRID: RGB = [225, 225, 225];
const PALETTE: RGB[] = [[31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40]];

export interface Series {
  label: string;
  /** (x, y) points; non-finite y values are skipped */
  points: [number, number][];
}

/** Nice round tick values covering [lo, hi]. */
function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) { hi = lo + 1; }
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function fmtTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000 || a < 0.01) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}

/** Draws one line chart into the rectangle (x, y, w, h) of the canvas. */
export function lineChart(cv: Canvas, box: { x: number; y: number; w: number; h: number }, title: string, xLabel: string, series: Series[], options: { yRange?: [number, number]; legend?: 'top' | 'bottom' } = {}): void {
  const yRange = options.yRange;
  const all = series.flatMap((s) => s.points).filter(([, v]) => Number.isFinite(v));
  const xs = all.map(([x]) => x), ys = all.map(([, v]) => v);
  let [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  if (x1 === x0) { x0 -= 0.5; x1 += 0.5; }
  let [y0, y1] = yRange ?? (ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1]);
  if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
  const pad = (y1 - y0) * 0.05;
  if (!yRange) { y0 -= pad; y1 += pad; }
  const left = box.x + 52, right = box.x + box.w - 10, top = box.y + 28, bottom = box.y + box.h - 34;
  const px = (v: number) => left + ((v - x0) / (x1 - x0)) * (right - left);
  const py = (v: number) => bottom - ((v - y0) / (y1 - y0)) * (bottom - top);
  cv.text(title, box.x + (box.w - textWidth(title, 2)) / 2, box.y + 6, BLACK, 2);
  for (const t of ticks(y0, y1)) {
    if (t < y0 || t > y1) continue;
    cv.line(left, py(t), right, py(t), GRID);
    const s = fmtTick(t);
    cv.text(s, left - 6 - textWidth(s), py(t) - 3, BLACK);
  }
  const xt = ticks(x0, x1).filter((t) => Number.isInteger(t) || x1 - x0 < 5);
  for (const t of xt) {
    if (t < x0 || t > x1) continue;
    cv.line(px(t), bottom, px(t), bottom + 4, BLACK);
    const s = fmtTick(t);
    cv.text(s, px(t) - textWidth(s) / 2, bottom + 8, BLACK);
  }
  cv.line(left, top, left, bottom, BLACK);
  cv.line(left, bottom, right, bottom, BLACK);
  cv.text(xLabel, (left + right - textWidth(xLabel)) / 2, bottom + 20, BLACK);
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const pts = s.points.filter(([, v]) => Number.isFinite(v));
    for (let k = 1; k < pts.length; k++) cv.line(px(pts[k - 1]![0]), py(pts[k - 1]![1]), px(pts[k]![0]), py(pts[k]![1]), color, 2);
    for (const [x, v] of pts) cv.fillRect(px(x) - 2, py(v) - 2, 5, 5, color);
  });
  // legend on a white box in the top or bottom right corner
  const lw = Math.max(...series.map((q) => textWidth(q.label))) + 24;
  const lh = series.length * 12 + 6;
  const lx = right - 8 - lw;
  const ly0 = options.legend === 'bottom' ? bottom - 8 - lh : top + 4;
  cv.fillRect(lx, ly0, lw, lh, [255, 255, 255]);
  series.forEach((s, i) => {
    const ly = ly0 + 4 + i * 12;
    cv.fillRect(lx + 4, ly + 2, 10, 3, PALETTE[i % PALETTE.length]!);
    cv.text(s.label, lx + 18, ly, BLACK);
  });
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss?: number;
  valAccuracy?: number;
}

/** Loss and accuracy per epoch, side by side, as a PNG file. */
export function plotCurves(path: string, history: readonly EpochRecord[], title = ''): void {
  const cv = new Canvas(960, 380);
  if (title) cv.text(title, (960 - textWidth(title)) / 2, 4, BLACK);
  const pts = (f: (r: EpochRecord) => number | undefined): [number, number][] => history.map((r) => [r.epoch, f(r) ?? NaN]);
  const hasVal = history.some((r) => r.valLoss !== undefined);
  lineChart(cv, { x: 0, y: 12, w: 480, h: 368 }, 'Loss', 'epoch', [
    { label: 'train', points: pts((r) => r.trainLoss) },
    ...(hasVal ? [{ label: 'test', points: pts((r) => r.valLoss) }] : []),
  ]);
  lineChart(cv, { x: 480, y: 12, w: 480, h: 368 }, 'Accuracy %', 'epoch', [
    { label: 'train', points: pts((r) => 100 * r.trainAccuracy) },
    ...(hasVal ? [{ label: 'test', points: pts((r) => (r.valAccuracy === undefined ? undefined : 100 * r.valAccuracy)) }] : []),
  ], { legend: 'bottom' });
  cv.save(path);
}

/** A heat map of a confusion matrix (rows: true class, columns: predicted), counts in the cells. */
export function plotConfusion(path: string, matrix: readonly (readonly number[])[], classes?: readonly string[], title = 'Confusion matrix'): void {
  const n = matrix.length;
  const names = Array.from({ length: n }, (_, i) => (classes?.[i] ?? String(i)).slice(0, 11));
  const cell = Math.max(16, Math.min(48, Math.floor(560 / n)));
  const labelW = Math.max(...names.map((s) => textWidth(s))) + 10;
  const left = labelW + 24, top = 44;
  const width = left + n * cell + 20, height = top + n * cell + labelW + 30;
  const cv = new Canvas(width, height);
  cv.text(title, (width - textWidth(title, 2)) / 2, 8, BLACK, 2);
  for (let t = 0; t < n; t++) {
    const rowSum = matrix[t]!.reduce((a, b) => a + b, 0) || 1;
    for (let p = 0; p < n; p++) {
      const v = matrix[t]![p]!;
      const f = Math.sqrt(v / rowSum); // √ so that small confusions stay visible
      const color: RGB = t === p ? [Math.round(255 - 225 * f), Math.round(255 - 115 * f), Math.round(255 - 200 * f)] : [Math.round(255 - 40 * f), Math.round(255 - 200 * f), Math.round(255 - 200 * f)];
      cv.fillRect(left + p * cell, top + t * cell, cell - 1, cell - 1, color);
      const s = String(v);
      if (textWidth(s) <= cell - 2 && v > 0) cv.text(s, left + p * cell + (cell - 1 - textWidth(s)) / 2, top + t * cell + (cell - 8) / 2, f > 0.6 ? [255, 255, 255] : BLACK);
    }
    cv.text(names[t]!, left - 6 - textWidth(names[t]!), top + t * cell + (cell - 8) / 2, BLACK);
    cv.textVertical(names[t]!, left + t * cell + (cell - 8) / 2, top + n * cell + 6 + textWidth(names[t]!), BLACK);
  }
  cv.textVertical('true', 4, top + (n * cell + textWidth('true')) / 2, BLACK);
  cv.text('predicted', left + (n * cell - textWidth('predicted')) / 2, height - 14, BLACK);
  cv.save(path);
}
