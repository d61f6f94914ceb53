// The IDX reader on tiny generated files: every type, gzip, and each way a file can be broken.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx, readIdx, parseIdx } from '../../src/node/idx.js';
import { loadMnist } from '../../src/node/mnist.js';
import { FormatError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'nerva-idx-'));

test('idx uint8 images round-trip, plain and gzipped', () => {
  const values = Array.from({ length: 2 * 3 * 4 }, (_, i) => (i * 37) % 256);
  const bytes = encodeIdx('uint8', [2, 3, 4], values);
  // header: 00 00 08 03, then 2, 3, 4 as big-endian uint32
  assert.deepEqual([...bytes.subarray(0, 8)], [0, 0, 8, 3, 0, 0, 0, 2]);
  for (const [name, data] of [['plain', bytes], ['x.gz', gzipSync(bytes)]] as const) {
    const p = join(dir, name);
    writeFileSync(p, data);
    const a = readIdx(p);
    assert.equal(a.type, 'uint8');
    assert.deepEqual(a.shape, [2, 3, 4]);
    assert.deepEqual([...a.data], values);
  }
});

test('idx multi-byte types are big-endian', () => {
  for (const [type, values] of [['int16', [-2, 300]], ['int32', [-70000, 5]], ['float32', [1.5, -0.25]], ['float64', [Math.PI, -1e300]], ['int8', [-3, 7]]] as const) {
    const a = parseIdx(encodeIdx(type, [2], values), type);
    assert.equal(a.type, type);
    assert.deepEqual([...a.data], values);
  }
  // int32 256 is 00 00 01 00 on disk
  const raw = new Uint8Array([0, 0, 0x0c, 1, 0, 0, 0, 1, 0, 0, 1, 0]);
  assert.deepEqual([...parseIdx(raw).data], [256]);
});

test('idx missing file names the path', () => {
  assert.throws(() => readIdx(join(dir, 'nope-idx3-ubyte')), (e: Error) => e instanceof FormatError && e.message.includes('nope-idx3-ubyte') && e.message.includes('does not exist'));
});

test('idx truncated data, truncated header, bad magic, bad type, extra bytes, broken gzip', () => {
  const good = encodeIdx('uint8', [3, 2, 2], new Array(12).fill(1));
  const cases: [string, Uint8Array, RegExp][] = [
    ['short-data', good.subarray(0, good.length - 1), /truncated: shape \[3, 2, 2\] of uint8 needs 28 bytes, the file has 27/],
    ['short-header', good.subarray(0, 9), /truncated: the header needs 16 bytes/],
    ['tiny', good.subarray(0, 2), /too short for the 4-byte header/],
    ['magic', Uint8Array.from([0x50, 0x4b, 8, 1, 0, 0, 0, 0]), /not an IDX file: it starts with bytes 50 4b/],
    ['type', Uint8Array.from([0, 0, 0x07, 1, 0, 0, 0, 0]), /unknown data type code 07/],
    ['extra', Uint8Array.from([...good, 9, 9]), /corrupt: .*2 extra/],
    ['gz', gzipSync(good).subarray(0, 15), /corrupt or truncated gzip/],
  ];
  for (const [name, bytes, pattern] of cases) {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    assert.throws(() => readIdx(p), (e: Error) => e instanceof FormatError && pattern.test(e.message) && e.message.includes(p), name);
  }
});

test('loadMnist from a folder of tiny IDX files; mismatched counts and missing labels are errors', () => {
  const d = mkdtempSync(join(tmpdir(), 'nerva-mnist-'));
  writeFileSync(join(d, 'train-images-idx3-ubyte'), encodeIdx('uint8', [3, 2, 2], [0, 255, 0, 0, 1, 2, 3, 4, 9, 9, 9, 9]));
  writeFileSync(join(d, 'train-labels-idx1-ubyte.gz'), gzipSync(encodeIdx('uint8', [3], [7, 0, 9])));
  const ds = loadMnist({ split: 'train', dataDir: d });
  assert.equal(ds.length, 3);
  const s = ds.get(0);
  assert.deepEqual(s.x.shape, [1, 2, 2]);
  assert.deepEqual([...s.x.toTypedArray()], [0, 1, 0, 0]);
  assert.equal(s.y, 7);
  assert.throws(() => loadMnist({ split: 'test', dataDir: d }), /t10k-images-idx3-ubyte' does not exist/);
  writeFileSync(join(d, 'train-labels-idx1-ubyte.gz'), gzipSync(encodeIdx('uint8', [2], [7, 0])));
  assert.throws(() => loadMnist({ split: 'train', dataDir: d }), /has 3 images, .* has 2 labels/);
});

test('the embedded MNIST test split loads: 10000 digits 28×28, labels 0-9', () => {
  const ds = loadMnist({ split: 'test' });
  assert.equal(ds.length, 10000);
  assert.deepEqual(ds.get(0).x.shape, [1, 28, 28]);
  const counts = new Array(10).fill(0);
  for (const y of ds.labels) counts[y]++;
  assert.ok(counts.every((c) => c > 800), `class counts ${counts}`);
});
