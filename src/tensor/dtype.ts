import type { DataArray, DType } from '../backend/backend.js';
import { NervaError } from '../errors.js';

export type { DType, DataArray };

/** Allocates a zeroed array for `n` elements of `dtype`. */
export function allocate(dtype: DType, n: number): DataArray {
  switch (dtype) {
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
    case 'int32': return new Int32Array(n);
    case 'bool': return new Uint8Array(n);
  }
}

export function dtypeOfArray(a: DataArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  return 'bool';
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

const rank: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** The dtype of a binary op's result, like PyTorch's type promotion (bool < int32 < float32 < float64). */
export function promote(a: DType, b: DType): DType {
  return rank[a] >= rank[b] ? a : b;
}

export function checkDType(op: string, dtype: DType, allowed: readonly DType[]): void {
  if (!allowed.includes(dtype)) {
    throw new NervaError(`${op}: expected a tensor of dtype ${allowed.join(' or ')}, got ${dtype}`);
  }
}
