import { NervaError } from '../errors.js';

// The classic image-processing kernels, as plain matrices. filters.ts runs them through conv2d.
// NOTE: conv2d is a cross-correlation (no kernel flip), as in every deep-learning library; the
// matrices below are written for that: sobel-x is positive where brightness grows to the right.

export type Matrix = number[][];

/**
 * How a filter's output becomes 0–255:
 * - 'clip': round(255·v) clipped to 0–255 (kernels whose weights sum to 1: blur, sharpen…)
 * - 'abs': round(255·|v| / max|v|), the maximum taken over the whole output (edge maps, sum 0)
 * - 'rescale': round(255·(v − min) / (max − min)) (signed maps shown with zero as mid-gray)
 */
export type OutputMapping = 'clip' | 'abs' | 'rescale';

/** What to convolve with: one matrix, or two combined as √(gx² + gy²) (gradient magnitude). */
export interface FilterSpec {
  name: string;
  kernels: Matrix[];
  combine: 'single' | 'magnitude';
  mapping: OutputMapping;
}

export interface KernelParams {
  /** side of identity, box, gaussian and unsharp kernels */
  size?: number;
  /** standard deviation of gaussian and unsharp (pixels) */
  sigma?: number;
  /** unsharp-mask strength: (1 + amount)·δ − amount·G */
  amount?: number;
}

const SOBEL_X: Matrix = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]];
const PREWITT_X: Matrix = [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]];
const SCHARR_X: Matrix = [[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]];

interface Entry {
  about: string;
  /** which of size/sigma/amount it takes */
  params: readonly (keyof KernelParams)[];
  make: (p: KernelParams) => Omit<FilterSpec, 'name'>;
}

const single = (m: Matrix, mapping: OutputMapping) => ({ kernels: [m], combine: 'single' as const, mapping });
const magnitude = (mx: Matrix) => ({ kernels: [mx, transpose(mx)], combine: 'magnitude' as const, mapping: 'abs' as const });

const KERNELS: Record<string, Entry> = {
  identity: { about: 'copies the image (1 in the centre)', params: ['size'], make: (p) => single(identity(oddSize('identity', p.size ?? 3)), 'clip') },
  box: { about: 'box blur: the mean of a size×size window', params: ['size'], make: (p) => single(box(sizeOf('box', p.size ?? 3)), 'clip') },
  gaussian: { about: 'Gaussian blur (default sigma 1, size 2·⌈3σ⌉+1)', params: ['size', 'sigma'], make: (p) => single(gaussianFromParams('gaussian', p), 'clip') },
  sharpen: { about: 'sharpen [[0,-1,0],[-1,5,-1],[0,-1,0]]', params: [], make: () => single([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], 'clip') },
  unsharp: { about: 'unsharp mask (1+amount)·δ − amount·gaussian (default amount 1)', params: ['size', 'sigma', 'amount'], make: (p) => single(unsharp(p), 'clip') },
  emboss: { about: 'emboss [[-2,-1,0],[-1,1,1],[0,1,2]]', params: [], make: () => single([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], 'clip') },
  outline: { about: 'outline [[-1,-1,-1],[-1,8,-1],[-1,-1,-1]]', params: [], make: () => single([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], 'abs') },
  laplacian: { about: 'Laplacian [[0,1,0],[1,-4,1],[0,1,0]]', params: [], make: () => single([[0, 1, 0], [1, -4, 1], [0, 1, 0]], 'abs') },
  'sobel-x': { about: 'Sobel x derivative [[-1,0,1],[-2,0,2],[-1,0,1]] (vertical edges)', params: [], make: () => single(SOBEL_X, 'abs') },
  'sobel-y': { about: 'Sobel y derivative (horizontal edges), the transpose of sobel-x', params: [], make: () => single(transpose(SOBEL_X), 'abs') },
  sobel: { about: 'Sobel gradient magnitude √(gx² + gy²)', params: [], make: () => magnitude(SOBEL_X) },
  'prewitt-x': { about: 'Prewitt x derivative [[-1,0,1],[-1,0,1],[-1,0,1]]', params: [], make: () => single(PREWITT_X, 'abs') },
  'prewitt-y': { about: 'Prewitt y derivative, the transpose of prewitt-x', params: [], make: () => single(transpose(PREWITT_X), 'abs') },
  prewitt: { about: 'Prewitt gradient magnitude', params: [], make: () => magnitude(PREWITT_X) },
  'scharr-x': { about: 'Scharr x derivative [[-3,0,3],[-10,0,10],[-3,0,3]]', params: [], make: () => single(SCHARR_X, 'abs') },
  'scharr-y': { about: 'Scharr y derivative, the transpose of scharr-x', params: [], make: () => single(transpose(SCHARR_X), 'abs') },
  scharr: { about: 'Scharr gradient magnitude', params: [], make: () => magnitude(SCHARR_X) },
  'vertical-edge': { about: "the textbook vertical-edge detector [[1,0,-1],[1,0,-1],[1,0,-1]]", params: [], make: () => single([[1, 0, -1], [1, 0, -1], [1, 0, -1]], 'abs') },
  'horizontal-edge': { about: 'the textbook horizontal-edge detector [[1,1,1],[0,0,0],[-1,-1,-1]]', params: [], make: () => single([[1, 1, 1], [0, 0, 0], [-1, -1, -1]], 'abs') },
};

const ALIASES: Record<string, string> = {
  blur: 'box', 'box-blur': 'box', mean: 'box',
  'gaussian-blur': 'gaussian', gauss: 'gaussian',
  'unsharp-mask': 'unsharp',
  edges: 'outline',
  'sobel-magnitude': 'sobel', 'prewitt-magnitude': 'prewitt', 'scharr-magnitude': 'scharr',
  vertical: 'vertical-edge', horizontal: 'horizontal-edge',
};

/** Every named kernel with a one-line description. */
export function listKernels(): { name: string; about: string; params: readonly string[] }[] {
  return Object.entries(KERNELS).map(([name, e]) => ({ name, about: e.about, params: e.params }));
}

export const KERNEL_NAMES: readonly string[] = Object.keys(KERNELS);

/** A named kernel ('sobel-x', 'gaussian'…; case, '_' and ' ' are forgiven) with its parameters. */
export function namedFilter(name: string, params: KernelParams = {}): FilterSpec {
  const key = name.trim().toLowerCase().replace(/[_\s]+/g, '-');
  const canonical = KERNELS[key] !== undefined ? key : ALIASES[key];
  if (canonical === undefined) {
    throw new NervaError(`unknown kernel '${name}'; named kernels: ${KERNEL_NAMES.join(', ')} (or a matrix such as "[[0,-1,0],[-1,5,-1],[0,-1,0]]")`);
  }
  const entry = KERNELS[canonical]!;
  for (const p of ['size', 'sigma', 'amount'] as const) {
    if (params[p] !== undefined && !entry.params.includes(p)) {
      throw new NervaError(`kernel '${canonical}' takes no ${p} (${entry.params.length === 0 ? 'it is a fixed 3×3 matrix' : `it takes ${entry.params.join(', ')}`})`);
    }
  }
  return { name: canonical, ...entry.make(params) };
}

/**
 * A kernel given as text: a named kernel, or a matrix "[[a,b,…],[…],…]" of numbers (fractions
 * such as 1/9 allowed). A matrix whose weights sum to 0 is an edge map ('abs' mapping), any other
 * is shown clipped.
 */
export function resolveFilter(text: string, params: KernelParams = {}): FilterSpec {
  if (!text.trim().startsWith('[')) return namedFilter(text, params);
  if (params.size !== undefined || params.sigma !== undefined || params.amount !== undefined) {
    throw new NervaError('size, sigma and amount apply to named kernels, not to a kernel matrix');
  }
  const m = parseKernelMatrix(text);
  const sum = m.flat().reduce((a, b) => a + b, 0);
  const scale = m.flat().reduce((a, b) => a + Math.abs(b), 0);
  return { name: 'matrix', kernels: [m], combine: 'single', mapping: Math.abs(sum) <= 1e-9 * scale ? 'abs' : 'clip' };
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?(?:\/[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)?$/i;
export const MAX_KERNEL_SIDE = 255;

/** Parses "[[1,0,-1],[2,0,-2],[1,0,-1]]" into rows of numbers; refuses anything else with a one-line reason. */
export function parseKernelMatrix(text: string): Matrix {
  const src = text.trim();
  const shown = src.length > 60 ? `${src.slice(0, 57)}...` : src;
  const fail = (why: string): never => { throw new NervaError(`kernel matrix '${shown}': ${why}`); };
  if (!src.startsWith('[') || !src.endsWith(']')) fail('expected the form [[a,b,c],[d,e,f],...]');
  const inner = src.slice(1, -1).trim();
  if (inner === '') fail('the matrix is empty');
  if (!inner.startsWith('[') || !inner.endsWith(']')) fail('expected a list of rows, each in [ ] (the form [[a,b,c],[d,e,f],...])');
  const rowTexts = inner.slice(1, -1).split(/\]\s*,\s*\[/);
  const rows: Matrix = rowTexts.map((rowText, r) => {
    if (/[[\]]/.test(rowText)) fail(`row ${r + 1} is malformed: brackets must enclose rows of numbers, as [[a,b],[c,d]]`);
    const cells = rowText.split(',').map((c) => c.trim());
    return cells.map((cell, c) => {
      if (cell === '') fail(`row ${r + 1}, column ${c + 1} is empty`);
      if (!NUMBER.test(cell)) fail(`'${cell}' in row ${r + 1}, column ${c + 1} is not a number`);
      const [num, den] = cell.split('/');
      const v = den === undefined ? Number(num) : Number(num) / Number(den);
      if (!Number.isFinite(v)) fail(`'${cell}' in row ${r + 1}, column ${c + 1} is not a finite number`);
      return v;
    });
  });
  const width = rows[0]!.length;
  rows.forEach((row, r) => {
    if (row.length !== width) fail(`row ${r + 1} has ${row.length} number${row.length === 1 ? '' : 's'} but row 1 has ${width}: the matrix must be rectangular`);
  });
  if (rows.length > MAX_KERNEL_SIDE || width > MAX_KERNEL_SIDE) fail(`${rows.length}×${width} is larger than ${MAX_KERNEL_SIDE}×${MAX_KERNEL_SIDE}`);
  return rows;
}

export function transpose(m: Matrix): Matrix {
  return m[0]!.map((_, j) => m.map((row) => row[j]!));
}

function sizeOf(name: string, size: number): number {
  if (!Number.isInteger(size) || size < 1 || size > MAX_KERNEL_SIDE) throw new NervaError(`kernel '${name}': size must be an integer from 1 to ${MAX_KERNEL_SIDE}, got ${size}`);
  return size;
}

function oddSize(name: string, size: number): number {
  sizeOf(name, size);
  if (size % 2 === 0) throw new NervaError(`kernel '${name}': size must be odd (it has a centre), got ${size}`);
  return size;
}

export function identity(size: number): Matrix {
  const m = box(size).map((row) => row.map(() => 0));
  const c = (size - 1) / 2;
  m[c]![c] = 1;
  return m;
}

export function box(size: number): Matrix {
  return Array.from({ length: size }, () => new Array<number>(size).fill(1 / (size * size)));
}

/** size×size samples of exp(−r²/2σ²) around the centre (size − 1)/2, normalized to sum 1. */
export function gaussian(size: number, sigma: number): Matrix {
  const c = (size - 1) / 2;
  const g = Array.from({ length: size }, (_, i) => Math.exp(-((i - c) ** 2) / (2 * sigma * sigma)));
  const s = g.reduce((a, b) => a + b, 0);
  const g1 = g.map((v) => v / s);
  return g1.map((a) => g1.map((b) => a * b));
}

function gaussianFromParams(name: string, p: KernelParams): Matrix {
  const sigma = p.sigma ?? 1;
  if (!Number.isFinite(sigma) || sigma <= 0) throw new NervaError(`kernel '${name}': sigma must be a positive number, got ${sigma}`);
  const size = sizeOf(name, p.size ?? Math.min(2 * Math.ceil(3 * sigma) + 1, MAX_KERNEL_SIDE));
  return gaussian(size, sigma);
}

function unsharp(p: KernelParams): Matrix {
  const amount = p.amount ?? 1;
  if (!Number.isFinite(amount)) throw new NervaError(`kernel 'unsharp': amount must be a number, got ${amount}`);
  const g = gaussianFromParams('unsharp', p);
  oddSize('unsharp', g.length);
  const c = (g.length - 1) / 2;
  return g.map((row, i) => row.map((v, j) => (i === c && j === c ? 1 + amount : 0) - amount * v));
}
