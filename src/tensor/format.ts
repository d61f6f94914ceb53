import type { Tensor } from './tensor.js';
import { isFloat } from './dtype.js';

/**
 * PyTorch-style printing: `tensor([[1.0000, 2.5000]])`, integers without decimals, scientific
 * notation when magnitudes span too much, and `...` summaries past 1000 elements.
 */
export function formatTensor(t: Tensor): string {
  const flat = Array.from(t.toTypedArray());
  const summarize = flat.length > 1000;
  const fmt = makeFormatter(flat, isFloat(t.dtype), t.dtype === 'bool');
  const width = Math.max(0, ...flat.map((v) => fmt(v).length));
  const strides: number[] = [];
  let s = 1;
  for (let i = t.ndim - 1; i >= 0; i--) { strides[i] = s; s *= t.shape[i]!; }
  const indent = 'tensor('.length;
  const body = (dim: number, offset: number): string => {
    if (t.ndim === 0) return fmt(flat[0]!);
    const size = t.shape[dim]!;
    const show = summarize && size > 6 ? [0, 1, 2, -1, size - 3, size - 2, size - 1] : Array.from({ length: size }, (_, i) => i);
    if (dim === t.ndim - 1) {
      return '[' + show.map((i) => (i < 0 ? '...' : fmt(flat[offset + i]!).padStart(width))).join(', ') + ']';
    }
    const sep = ',' + '\n'.repeat(t.ndim - dim - 1) + ' '.repeat(indent + dim + 1);
    return '[' + show.map((i) => (i < 0 ? '...' : body(dim + 1, offset + i * strides[dim]!))).join(sep) + ']';
  };
  const extras: string[] = [];
  if (t.dtype !== 'float32' && t.dtype !== 'int32' && t.dtype !== 'bool') extras.push(`dtype=${t.dtype}`);
  if (t.dtype === 'int32' && t.size === 0) extras.push('dtype=int32');
  if (t.size === 0 && t.ndim > 1) extras.push(`size=[${t.shape.join(', ')}]`);
  if (t.gradFn) extras.push(`gradFn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) extras.push('requiresGrad=true');
  return `tensor(${body(0, 0)}${extras.map((e) => ', ' + e).join('')})`;
}

function makeFormatter(values: number[], float: boolean, bool: boolean): (v: number) => string {
  if (bool) return (v) => (v ? 'true' : 'false');
  if (!float) return (v) => String(v);
  const finite = values.filter((v) => Number.isFinite(v));
  const special = (v: number) => (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
  if (finite.length > 0 && finite.every((v) => Number.isInteger(v))) {
    const maxAbs = Math.max(...finite.map(Math.abs));
    if (maxAbs < 1e8) return (v) => (Number.isFinite(v) ? `${v}.` : special(v));
  }
  const nonzero = finite.map(Math.abs).filter((v) => v > 0);
  const maxAbs = nonzero.length ? Math.max(...nonzero) : 0;
  const minAbs = nonzero.length ? Math.min(...nonzero) : 0;
  if (maxAbs >= 1e8 || (minAbs > 0 && minAbs < 1e-4) || (minAbs > 0 && maxAbs / minAbs > 1000)) {
    return (v) => (Number.isFinite(v) ? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2') : special(v));
  }
  return (v) => (Number.isFinite(v) ? v.toFixed(4) : special(v));
}
