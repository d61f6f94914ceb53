// safetensors: round trip of every Nerva dtype, hand-built files with the dtypes PyTorch writes
// (F16, BF16, I64, U8…), each corruption refused with the file name and the problem, atomic writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '../../src/tensor/tensor.js';
import { tensor, zeros } from '../../src/tensor/creation.js';
import { transpose } from '../../src/ops/movement.js';
import { encodeSafetensors, decodeSafetensors, floatToHalf, halfToFloat } from '../../src/io/safetensors.js';
import { loadSafetensors, readSafetensorsHeader, saveSafetensors } from '../../src/node/safetensors.js';
import { writeFileAtomic } from '../../src/node/atomic.js';
import { FormatError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'nerva-st-'));

/** A safetensors file from a header object and raw data bytes. */
function build(header: unknown, data: Uint8Array = new Uint8Array(0), headerText?: string): Uint8Array {
  const h = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function write(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

test('round trip: float32, float64, int32, bool, a scalar and a zero-size tensor, metadata, order kept', () => {
  const tensors = new Map<string, Tensor>([
    ['features.0.weight', tensor([[1.5, -2], [3.25, 1e-30]])],
    ['b', tensor([Math.PI, -1e300], { dtype: 'float64' })],
    ['num_batches_tracked', tensor(7, { dtype: 'int32' })],
    ['mask', tensor([true, false, true])],
    ['empty', zeros([0, 3])],
    ['a.view', transpose(tensor([[1, 2, 3], [4, 5, 6]]))], // a strided view is written densely
  ]);
  const path = join(dir, 'round.safetensors');
  saveSafetensors(path, tensors, { arch: 'test', note: 'ünïcode ✓' });
  const bytes = readFileSync(path);
  const headerLen = Number(bytes.readBigUInt64LE(0));
  assert.equal(headerLen % 8, 0, 'header padded to 8 bytes');
  const { tensors: back, metadata } = loadSafetensors(path);
  assert.deepEqual(metadata, { arch: 'test', note: 'ünïcode ✓' });
  assert.deepEqual([...back.keys()], [...tensors.keys()]);
  for (const [k, t] of tensors) {
    const u = back.get(k)!;
    assert.equal(u.dtype, t.dtype, k);
    assert.deepEqual(u.shape, t.shape, k);
    assert.deepEqual([...u.toTypedArray()], [...t.toTypedArray()], k);
  }
  assert.deepEqual(back.get('a.view')!.toArray(), [[1, 4], [2, 5], [3, 6]]);
  // header only
  const h = readSafetensorsHeader(path);
  assert.deepEqual(h.entries.get('features.0.weight'), { dtype: 'F32', shape: [2, 2], dataOffsets: [0, 16] });
  assert.equal(h.entries.get('num_batches_tracked')!.dtype, 'I32');
  // in memory, and a filtered load reads only what is asked
  assert.deepEqual([...decodeSafetensors(bytes).tensors.keys()], [...tensors.keys()]);
  assert.deepEqual([...loadSafetensors(path, { filter: (k) => k.startsWith('features.') }).tensors.keys()], ['features.0.weight']);
});

test('PyTorch dtypes convert on load: F16, BF16 → float32, I64, U8, I8, I16 → int32, BOOL → bool', () => {
  // F16 bits: 1.0=0x3C00, -2=0xC000, 0.5=0x3800, 65504=0x7BFF, 2^-24=0x0001 (subnormal), +inf=0x7C00
  const f16 = new Uint16Array([0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x7c00]);
  // BF16 bits: 1.0=0x3F80, -3.5=0xC060, 0.15625=0x3E20
  const bf16 = new Uint16Array([0x3f80, 0xc060, 0x3e20]);
  const i64 = new BigInt64Array([0n, -5n, 2147483647n]);
  const u8 = new Uint8Array([0, 255]);
  const i8 = new Int8Array([-128, 127]);
  const i16 = new Int16Array([-300, 300]);
  const bool = new Uint8Array([1, 0]);
  const parts: [string, string, number[], ArrayBufferView][] = [
    ['h', 'F16', [2, 3], f16], ['bf', 'BF16', [3], bf16], ['n', 'I64', [3], i64],
    ['u', 'U8', [2], u8], ['i8', 'I8', [2], i8], ['i16', 'I16', [2], i16], ['m', 'BOOL', [2], bool],
  ];
  const header: Record<string, unknown> = {};
  const chunks: Uint8Array[] = [];
  let off = 0;
  for (const [name, dtype, shape, arr] of parts) {
    header[name] = { dtype, shape, data_offsets: [off, off + arr.byteLength] };
    chunks.push(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
    off += arr.byteLength;
  }
  const data = new Uint8Array(off);
  let p = 0;
  for (const c of chunks) { data.set(c, p); p += c.length; }
  const { tensors } = loadSafetensors(write('torch.safetensors', build(header, data)));
  const h = tensors.get('h')!;
  assert.equal(h.dtype, 'float32');
  assert.deepEqual(h.shape, [2, 3]);
  assert.deepEqual([...h.toTypedArray()], [1, -2, 0.5, 65504, Math.fround(2 ** -24), Infinity]);
  assert.deepEqual([...tensors.get('bf')!.toTypedArray()], [1, -3.5, 0.15625]);
  assert.equal(tensors.get('n')!.dtype, 'int32');
  assert.deepEqual([...tensors.get('n')!.toTypedArray()], [0, -5, 2147483647]);
  assert.deepEqual([...tensors.get('u')!.toTypedArray()], [0, 255]);
  assert.deepEqual([...tensors.get('i8')!.toTypedArray()], [-128, 127]);
  assert.deepEqual([...tensors.get('i16')!.toTypedArray()], [-300, 300]);
  assert.equal(tensors.get('m')!.dtype, 'bool');
  // an I64 value beyond int32 is refused by name
  const big = new BigInt64Array([2n ** 40n]);
  const path = write('i64big.safetensors', build({ x: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(big.buffer)));
  assert.throws(() => loadSafetensors(path), /i64big\.safetensors: tensor 'x' \(I64\) holds 1099511627776 at index 0, outside the int32 range/);
});

const F4 = (n: number) => new Uint8Array(4 * n);
const CORRUPT: [string, () => Uint8Array, RegExp][] = [
  ['shorter than 8 bytes', () => new Uint8Array(5), /the file has 5 bytes, fewer than the 8-byte header length/],
  ['header length beyond the file', () => { const b = build({}); new DataView(b.buffer).setBigUint64(0, 1000n, true); return b; }, /the header length 1000 runs beyond the end of the file \(10 bytes\)/],
  ['non-JSON header', () => build(null, F4(1), '{"a": {"dtype": "F32",'), /the header is not JSON/],
  ['header not an object', () => build([1, 2]), /the header is not a JSON object/],
  ['invalid UTF-8', () => { const b = build(null, undefined, '{"x": 1}'); b[10] = 0xff; return b; }, /the header is not JSON/],
  ['unknown dtype', () => build({ w: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)), /tensor 'w' has unsupported dtype 'F8_E4M3'/],
  ['missing dtype', () => build({ w: { shape: [1], data_offsets: [0, 4] } }, F4(1)), /tensor 'w' has no dtype/],
  ['bad shape', () => build({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, F4(1)), /tensor 'w' has an invalid shape \[-1\]/],
  ['bad offsets', () => build({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, F4(1)), /tensor 'w' has invalid data_offsets \[4,0\]/],
  ['shape × dtype ≠ byte span', () => build({ w: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 20] } }, new Uint8Array(20)), /tensor 'w' of shape \[2, 3\] and dtype F32 needs 24 bytes, but its data_offsets span 20/],
  ['offsets beyond the data', () => build({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, F4(2)), /tensor 'w' data_offsets \[0, 16\] run beyond the data section \(8 bytes\)/],
  ['overlapping tensors', () => build({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, F4(3)), /tensor 'b' data_offsets \[4, 12\] overlap tensor 'a'/],
  ['a gap between tensors', () => build({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, F4(3)), /the bytes \[4, 8\) of the data section belong to no tensor \(before 'b'\)/],
  ['trailing bytes', () => build({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, F4(2)), /the tensors cover 4 bytes but the data section has 8/],
  ['metadata not strings', () => build({ __metadata__: { epoch: 3 } }), /__metadata__ value 'epoch' is not a string/],
];

for (const [what, make, message] of CORRUPT) {
  test(`corrupt file refused: ${what}`, () => {
    const path = write(`bad-${what.replace(/\W+/g, '_')}.safetensors`, make());
    assert.throws(() => loadSafetensors(path), (err: Error) => {
      assert.ok(err instanceof FormatError, `a FormatError, got ${err.name}: ${err.message}`);
      assert.ok(err.message.startsWith(`${path}: not a valid safetensors file: `), err.message);
      assert.match(err.message, message);
      assert.ok(!err.message.includes('\n'), 'one line');
      return true;
    });
  });
}

test('a truncated file (cut inside the data) is refused', () => {
  const path = join(dir, 'trunc.safetensors');
  saveSafetensors(path, { w: zeros([10]) });
  const bytes = readFileSync(path);
  const cut = write('trunc-cut.safetensors', bytes.subarray(0, bytes.length - 3));
  assert.throws(() => loadSafetensors(cut), /trunc-cut\.safetensors: not a valid safetensors file: tensor 'w' data_offsets \[0, 40\] run beyond the data section \(37 bytes\)/);
  assert.throws(() => loadSafetensors(join(dir, 'missing.safetensors')), /cannot read '.*missing\.safetensors'/);
});

test('an interrupted write (the chunk iterator throws) leaves the previous file intact and no temp file', () => {
  const sub = join(dir, 'atomic');
  mkdirSync(sub, { recursive: true });
  const path = join(sub, 'w.safetensors');
  saveSafetensors(path, { w: tensor([1, 2, 3]) }, { version: 'old' });
  const before = readFileSync(path);
  function* interrupted(): Generator<Uint8Array> {
    let n = 0;
    for (const chunk of encodeSafetensors({ w: zeros([1000]), v: zeros([1000]) }, { version: 'new' })) {
      if (n++ === 3) throw new Error('SIGINT');
      yield chunk;
    }
  }
  assert.throws(() => writeFileAtomic(path, interrupted()), /SIGINT/);
  assert.deepEqual(readFileSync(path), before);
  assert.deepEqual(readdirSync(sub), ['w.safetensors']);
  assert.equal(loadSafetensors(path).metadata.version, 'old');
});

test('floatToHalf: IEEE half bits, round to nearest even, subnormals, limits; F16 files round-trip', () => {
  const cases: [number, number][] = [
    [0, 0x0000], [-0, 0x8000], [1, 0x3c00], [-2, 0xc000], [0.1, 0x2e66], [65504, 0x7bff], [65520, 0x7c00], [1e6, 0x7c00],
    [-Infinity, 0xfc00], [2 ** -14, 0x0400], [2 ** -24, 0x0001], [2 ** -25, 0x0000], [3 * 2 ** -25, 0x0002], [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02],
  ];
  for (const [v, bits] of cases) assert.equal(floatToHalf(v), bits, `floatToHalf(${v})`);
  assert.ok(Number.isNaN(halfToFloat(floatToHalf(NaN))));
  // every half value survives half → float → half
  for (let h = 0; h < 0x10000; h++) if ((h & 0x7c00) !== 0x7c00 || (h & 0x3ff) === 0) assert.equal(floatToHalf(halfToFloat(h)), h, `half ${h.toString(16)}`);
  const t = new Tensor(Float32Array.of(0.1, -3.5, 1e-6, 1234.5), [2, 2]);
  const bytes = Buffer.concat([...encodeSafetensors({ w: t, ids: tensor([1, 2], { dtype: 'int32' }) }, {}, { float16: true })]);
  const back = decodeSafetensors(bytes);
  assert.deepEqual(back.tensors.get('ids')!.toArray(), [1, 2], 'int tensors keep their dtype');
  const w = back.tensors.get('w')!;
  assert.equal(w.dtype, 'float32');
  [0.1, -3.5, 1e-6, 1234.5].forEach((v, i) => assert.ok(Math.abs(w.toTypedArray()[i]! - v) <= Math.abs(v) * 2 ** -11 + 2 ** -25, `${v} → ${w.toTypedArray()[i]}`));
});
