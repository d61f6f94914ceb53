import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { FormatError } from '../errors.js';

/**
 * The IDX file format (LeCun's MNIST format): two zero bytes, a type byte, the number of
 * dimensions, then each dimension as a big-endian uint32, then the values in row-major order
 * (big-endian for multi-byte types). Files may be gzipped (detected by the 1f 8b magic).
 */
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  type: IdxType;
  shape: number[];
  data: IdxData;
}

const TYPES: Record<number, { type: IdxType; bytes: number }> = {
  0x08: { type: 'uint8', bytes: 1 },
  0x09: { type: 'int8', bytes: 1 },
  0x0b: { type: 'int16', bytes: 2 },
  0x0c: { type: 'int32', bytes: 4 },
  0x0d: { type: 'float32', bytes: 4 },
  0x0e: { type: 'float64', bytes: 8 },
};

/** Reads an IDX file (gzipped or not). Throws FormatError naming the file for a missing,
 * truncated or corrupt one. */
export function readIdx(path: string): IdxArray {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FormatError(code === 'ENOENT' ? `IDX file '${path}' does not exist` : `cannot read IDX file '${path}': ${(err as Error).message}`);
  }
  return parseIdx(raw, path);
}

/** Parses IDX bytes; `name` is used in error messages. */
export function parseIdx(raw: Uint8Array, name = '<bytes>'): IdxArray {
  let bytes = raw;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw new FormatError(`IDX file '${name}' is a corrupt or truncated gzip stream: ${(err as Error).message}`);
    }
  }
  if (bytes.length < 4) throw new FormatError(`IDX file '${name}' is truncated: ${bytes.length} bytes, too short for the 4-byte header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new FormatError(`'${name}' is not an IDX file: it starts with bytes ${hex(bytes[0]!)} ${hex(bytes[1]!)}, expected 00 00`);
  }
  const info = TYPES[bytes[2]!];
  if (info === undefined) throw new FormatError(`IDX file '${name}' has unknown data type code ${hex(bytes[2]!)} (expected 08, 09, 0b, 0c, 0d or 0e)`);
  const ndim = bytes[3]!;
  if (ndim === 0) throw new FormatError(`IDX file '${name}' declares 0 dimensions`);
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes) throw new FormatError(`IDX file '${name}' is truncated: the header needs ${headerBytes} bytes for ${ndim} dimensions, the file has ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let d = 0; d < ndim; d++) shape.push(view.getUint32(4 + 4 * d, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * info.bytes;
  if (bytes.length < expected) {
    throw new FormatError(`IDX file '${name}' is truncated: shape [${shape.join(', ')}] of ${info.type} needs ${expected} bytes, the file has ${bytes.length}`);
  }
  if (bytes.length > expected) {
    throw new FormatError(`IDX file '${name}' is corrupt: shape [${shape.join(', ')}] of ${info.type} needs ${expected} bytes, the file has ${bytes.length} (${bytes.length - expected} extra)`);
  }
  return { type: info.type, shape, data: decode(view, headerBytes, count, info.type) };
}

function decode(view: DataView, start: number, n: number, type: IdxType): IdxData {
  switch (type) {
    case 'uint8': return new Uint8Array(view.buffer.slice(view.byteOffset + start, view.byteOffset + start + n));
    case 'int8': return new Int8Array(view.buffer.slice(view.byteOffset + start, view.byteOffset + start + n));
    case 'int16': { const a = new Int16Array(n); for (let i = 0; i < n; i++) a[i] = view.getInt16(start + 2 * i, false); return a; }
    case 'int32': { const a = new Int32Array(n); for (let i = 0; i < n; i++) a[i] = view.getInt32(start + 4 * i, false); return a; }
    case 'float32': { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = view.getFloat32(start + 4 * i, false); return a; }
    case 'float64': { const a = new Float64Array(n); for (let i = 0; i < n; i++) a[i] = view.getFloat64(start + 8 * i, false); return a; }
  }
}

/** Encodes an array as IDX bytes (used by tests and to export datasets). */
export function encodeIdx(type: IdxType, shape: readonly number[], values: ArrayLike<number>): Uint8Array {
  const code = Number(Object.entries(TYPES).find(([, t]) => t.type === type)![0]);
  const bytesPer = TYPES[code]!.bytes;
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + values.length * bytesPer);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < values.length; i++) {
    const p = header + i * bytesPer;
    const v = values[i]!;
    switch (type) {
      case 'uint8': view.setUint8(p, v); break;
      case 'int8': view.setInt8(p, v); break;
      case 'int16': view.setInt16(p, v, false); break;
      case 'int32': view.setInt32(p, v, false); break;
      case 'float32': view.setFloat32(p, v, false); break;
      case 'float64': view.setFloat64(p, v, false); break;
    }
  }
  return out;
}

function hex(b: number): string {
  return b.toString(16).padStart(2, '0');
}
