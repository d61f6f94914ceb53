import { Tensor } from '../tensor/tensor.js';
import type { DataArray, DType } from '../tensor/dtype.js';
import { FormatError, NervaError } from '../errors.js';

// The safetensors format (https://github.com/huggingface/safetensors):
//   [8 bytes: N, little-endian u64] [N bytes: JSON header] [data]
// header = { name: { dtype, shape, data_offsets: [begin, end] }, …, "__metadata__": { str: str } }
// Offsets are relative to the start of the data; the tensors tile the data exactly (no gaps, no
// overlaps). Values are little-endian, row-major.

/** Bytes per element of each dtype we read. */
const ITEM_SIZE: Record<string, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
};

/** The header refuses anything larger (the reference implementation's limit as well). */
const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsEntry {
  /** the file's dtype string (F32, F16, BF16, I64…) */
  dtype: string;
  shape: number[];
  /** [begin, end) in bytes, relative to the start of the data section */
  dataOffsets: [number, number];
}

export interface SafetensorsHeader {
  /** tensors in file order (ascending offsets) */
  entries: Map<string, SafetensorsEntry>;
  metadata: Record<string, string>;
  /** absolute file position where the data section starts (8 + header length) */
  dataStart: number;
  byteLength: number;
}

/** Random-access bytes: an in-memory buffer here, a file in src/node/safetensors.ts. */
export interface SafetensorsSource {
  readonly name: string;
  readonly size: number;
  readInto(target: Uint8Array, position: number): void;
}

function bufferSource(bytes: Uint8Array, name: string): SafetensorsSource {
  return {
    name,
    size: bytes.length,
    readInto(target, position) {
      if (position + target.length > bytes.length) throw new FormatError(`${name}: unexpected end of data at byte ${bytes.length}`);
      target.set(bytes.subarray(position, position + target.length));
    },
  };
}

export function readHeader(src: SafetensorsSource): SafetensorsHeader {
  const bad = (what: string): never => {
    throw new FormatError(`${src.name}: not a valid safetensors file: ${what}`);
  };
  if (src.size < 8) bad(`the file has ${src.size} bytes, fewer than the 8-byte header length`);
  const lenBytes = new Uint8Array(8);
  src.readInto(lenBytes, 0);
  const headerLen = Number(new DataView(lenBytes.buffer).getBigUint64(0, true));
  if (headerLen > src.size - 8) bad(`the header length ${headerLen} runs beyond the end of the file (${src.size} bytes)`);
  if (headerLen > MAX_HEADER_BYTES) bad(`the header length ${headerLen} is larger than the ${MAX_HEADER_BYTES}-byte limit`);
  if (headerLen < 2) bad(`the header length ${headerLen} is too small for a JSON object`);
  const headerBytes = new Uint8Array(headerLen);
  src.readInto(headerBytes, 8);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (err) {
    bad(`the header is not JSON (${(err as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) bad('the header is not a JSON object');
  const dataStart = 8 + headerLen;
  const byteLength = src.size - dataStart;
  const metadata: Record<string, string> = {};
  const list: [string, SafetensorsEntry][] = [];
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) bad('__metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') bad(`__metadata__ value '${k}' is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e === null || typeof e !== 'object') bad(`tensor '${name}' is not an object`);
    if (typeof e.dtype !== 'string') bad(`tensor '${name}' has no dtype`);
    const dtype = e.dtype as string;
    const itemSize = ITEM_SIZE[dtype];
    if (itemSize === undefined) bad(`tensor '${name}' has unsupported dtype '${dtype}' (supported: ${Object.keys(ITEM_SIZE).join(', ')})`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) bad(`tensor '${name}' has an invalid shape ${JSON.stringify(e.shape)}`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0) || off[0] > off[1]) {
      bad(`tensor '${name}' has invalid data_offsets ${JSON.stringify(off)}`);
    }
    const [begin, end] = off as [number, number];
    if (end > byteLength) bad(`tensor '${name}' data_offsets [${begin}, ${end}] run beyond the data section (${byteLength} bytes)`);
    const shape = e.shape as number[];
    const expected = shape.reduce((a, b) => a * b, 1) * itemSize!;
    if (expected !== end - begin) bad(`tensor '${name}' of shape [${shape.join(', ')}] and dtype ${dtype} needs ${expected} bytes, but its data_offsets span ${end - begin}`);
    list.push([name, { dtype, shape, dataOffsets: [begin, end] }]);
  }
  // The tensors must tile [0, byteLength) exactly.
  list.sort((a, b) => a[1].dataOffsets[0] - b[1].dataOffsets[0] || a[1].dataOffsets[1] - b[1].dataOffsets[1]);
  let pos = 0;
  let prev = '';
  for (const [name, e] of list) {
    const [begin, end] = e.dataOffsets;
    if (begin < pos) bad(`tensor '${name}' data_offsets [${begin}, ${end}] overlap tensor '${prev}' (which ends at ${pos})`);
    if (begin > pos) bad(`the bytes [${pos}, ${begin}) of the data section belong to no tensor (before '${name}')`);
    pos = end;
    prev = name;
  }
  if (pos !== byteLength) bad(`the tensors cover ${pos} bytes but the data section has ${byteLength}`);
  return { entries: new Map(list), metadata, dataStart, byteLength };
}


/** IEEE half bits → number (exact). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // subnormal
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** number → IEEE half bits, rounding to nearest even; beyond ±65504 → ±∞, NaN stays NaN. */
export function floatToHalf(v: number): number {
  const f = FLOAT_BITS.f;
  f[0] = v;
  const x = FLOAT_BITS.u[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp8 = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp8 === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const exp = exp8 - 127 + 15;
  if (exp >= 31) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign; // below half the smallest subnormal: ±0
    const m = mant | 0x800000; // the implicit 1, then shifted into a subnormal
    const shift = 14 - exp;
    const rest = m & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    let h = m >>> shift;
    if (rest > halfway || (rest === halfway && h & 1)) h++;
    return sign | h;
  }
  let h = (exp << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++; // a carry into the exponent is still right
  return sign | h;
}
const FLOAT_BITS = (() => {
  const f = new Float32Array(1);
  return { f, u: new Uint32Array(f.buffer) };
})();

/** Reads one tensor's bytes into its own typed array, converting to a Nerva dtype. */
function readTensor(src: SafetensorsSource, header: SafetensorsHeader, name: string, e: SafetensorsEntry): Tensor {
  const [begin, end] = e.dataOffsets;
  const bytes = end - begin;
  const position = header.dataStart + begin;
  const n = bytes / ITEM_SIZE[e.dtype]!;
  const raw = (C: new (buf: ArrayBuffer) => DataArray | BigInt64Array | Int16Array | Int8Array | Uint16Array): ArrayBufferView => {
    const buf = new ArrayBuffer(bytes);
    src.readInto(new Uint8Array(buf), position);
    return new C(buf);
  };
  let data: DataArray;
  switch (e.dtype) {
    case 'F32': data = raw(Float32Array) as Float32Array; break;
    case 'F64': data = raw(Float64Array) as Float64Array; break;
    case 'I32': data = raw(Int32Array) as Int32Array; break;
    case 'BOOL': data = raw(Uint8Array) as Uint8Array; break;
    case 'U8': data = Int32Array.from(raw(Uint8Array) as Uint8Array); break;
    case 'I8': data = Int32Array.from(raw(Int8Array) as Int8Array); break;
    case 'I16': data = Int32Array.from(raw(Int16Array) as Int16Array); break;
    case 'F16': {
      const h = raw(Uint16Array) as Uint16Array;
      data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = halfToFloat(h[i]!);
      break;
    }
    case 'BF16': {
      const h = raw(Uint16Array) as Uint16Array;
      const bits = new Uint32Array(n);
      for (let i = 0; i < n; i++) bits[i] = h[i]! << 16; // bfloat16 is the top half of a float32
      data = new Float32Array(bits.buffer);
      break;
    }
    case 'I64': {
      const big = raw(BigInt64Array) as BigInt64Array;
      data = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = big[i]!;
        if (v > 2147483647n || v < -2147483648n) throw new FormatError(`${src.name}: tensor '${name}' (I64) holds ${v} at index ${i}, outside the int32 range Nerva loads I64 into`);
        data[i] = Number(v);
      }
      break;
    }
    default:
      throw new FormatError(`${src.name}: tensor '${name}' has unsupported dtype '${e.dtype}'`);
  }
  return new Tensor(data, e.shape);
}

export interface LoadOptions {
  /** load only the tensors whose name passes (the others are never read) */
  filter?: (name: string) => boolean;
}

export interface SafetensorsContent {
  /** tensors in file order; F32/F64/I32/BOOL keep their type, F16/BF16 → float32, I64/I32/I16/I8/U8 → int32 */
  tensors: Map<string, Tensor>;
  metadata: Record<string, string>;
}

/** Reads the header, then each tensor (that passes the filter) into its own typed array. */
export function loadFromSource(src: SafetensorsSource, options: LoadOptions): SafetensorsContent {
  const header = readHeader(src);
  const tensors = new Map<string, Tensor>();
  for (const [name, e] of header.entries) {
    if (options.filter && !options.filter(name)) continue;
    tensors.set(name, readTensor(src, header, name, e));
  }
  return { tensors, metadata: header.metadata };
}

/** Decodes safetensors bytes already in memory (fetched in a browser, read from a file…), after
 * validating the whole header. */
export function decodeSafetensors(bytes: Uint8Array, name = '<safetensors bytes>', options: LoadOptions = {}): SafetensorsContent {
  return loadFromSource(bufferSource(bytes, name), options);
}

const DTYPE_OUT: Record<DType, [string, number]> = { float32: ['F32', 4], float64: ['F64', 8], int32: ['I32', 4], bool: ['BOOL', 1] };

/**
 * The file's bytes as a lazy sequence of chunks: the length and header first, then each tensor's
 * data, read from the tensor only when its chunk is due (so a writer can stream it).
 * The header is padded with spaces to a multiple of 8 bytes, as the reference writer does.
 */
export interface EncodeOptions {
  /** write float tensors as F16 (half the bytes; they load back as float32, rounded to half precision) */
  float16?: boolean;
}

export function* encodeSafetensors(tensors: Map<string, Tensor> | Record<string, Tensor>, metadata: Record<string, string> = {}, options: EncodeOptions = {}): Generator<Uint8Array> {
  const half = (t: Tensor): boolean => options.float16 === true && (t.dtype === 'float32' || t.dtype === 'float64');
  const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') throw new NervaError(`safetensors metadata '${k}' must be a string, got ${typeof v}`);
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new NervaError("safetensors: '__metadata__' cannot be a tensor name");
    const [dtype, size] = half(t) ? ['F16', 2] : DTYPE_OUT[t.dtype];
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + t.size * size] };
    offset += t.size * size;
  }
  let json = JSON.stringify(header);
  const raw = new TextEncoder().encode(json);
  json += ' '.repeat((8 - (raw.length % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  yield prefix;
  yield headerBytes;
  for (const [, t] of entries) {
    const d = t.toTypedArray();
    if (half(t)) yield new Uint8Array(Uint16Array.from(d as Float32Array, floatToHalf).buffer);
    else yield new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  }
}
