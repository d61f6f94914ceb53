// Image folders: classes from sub-folders, PNG and JPEG, and the errors for empty folders and mixed sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pngjs from 'pngjs';
import jpeg from 'jpeg-js';
import { loadImageFolder } from '../../src/node/imagefolder.js';
import { readImageTensor } from '../../src/node/image.js';

function png(w: number, h: number, rgb: (x: number, y: number) => [number, number, number]): Buffer {
  const p = new pngjs.PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const [r, g, b] = rgb(x, y);
    p.data.set([r, g, b, 255], (y * w + x) * 4);
  }
  return pngjs.PNG.sync.write(p);
}

function jpg(w: number, h: number, v: number): Buffer {
  const data = Buffer.alloc(w * h * 4, v);
  return jpeg.encode({ width: w, height: h, data }, 95).data;
}

test('image folder: sorted class names, labels, gray images become 1 channel', () => {
  const root = mkdtempSync(join(tmpdir(), 'nerva-if-'));
  for (const cls of ['zebra', 'ant']) mkdirSync(join(root, cls));
  writeFileSync(join(root, 'ant', 'a.png'), png(4, 3, () => [255, 255, 255]));
  writeFileSync(join(root, 'ant', 'b.PNG'), png(4, 3, (x) => [x * 60, x * 60, x * 60]));
  writeFileSync(join(root, 'zebra', 'z.jpg'), jpg(4, 3, 0));
  writeFileSync(join(root, 'zebra', 'notes.txt'), 'ignored');
  const ds = loadImageFolder(root);
  assert.deepEqual(ds.classes, ['ant', 'zebra']);
  assert.equal(ds.length, 3);
  assert.deepEqual([...ds.labels], [0, 0, 1]);
  const s = ds.get(1);
  assert.deepEqual(s.x.shape, [1, 3, 4]);
  assert.deepEqual([...s.x.toTypedArray()].slice(0, 4).map((v) => Math.round(v * 255)), [0, 60, 120, 180]);
  assert.ok(Math.abs(ds.get(2).x.toTypedArray()[0]!) < 0.05);
});

test('image folder: color images give 3 channels in RGB order', () => {
  const root = mkdtempSync(join(tmpdir(), 'nerva-if-'));
  mkdirSync(join(root, 'red'));
  writeFileSync(join(root, 'red', 'r.png'), png(2, 2, () => [200, 10, 0]));
  const ds = loadImageFolder(root);
  assert.deepEqual(ds.get(0).x.shape, [3, 2, 2]);
  assert.deepEqual([...ds.get(0).x.toTypedArray()].map((v) => Math.round(v * 255)), [200, 200, 200, 200, 10, 10, 10, 10, 0, 0, 0, 0]);
  const t = readImageTensor(join(root, 'red', 'r.png'), { channels: 1, size: 4 });
  assert.deepEqual(t.shape, [1, 4, 4]);
});

test('image folder errors: no classes, an empty class, mixed sizes, a corrupt file — each names the path', () => {
  const root = mkdtempSync(join(tmpdir(), 'nerva-if-'));
  assert.throws(() => loadImageFolder(root), (e: Error) => e.message.includes('has no class sub-folders') && e.message.includes(root));
  mkdirSync(join(root, 'a'));
  mkdirSync(join(root, 'b'));
  writeFileSync(join(root, 'a', '1.png'), png(4, 4, () => [0, 0, 0]));
  assert.throws(() => loadImageFolder(root), (e: Error) => e.message.includes(join(root, 'b')) && e.message.includes('has no PNG or JPEG images'));
  writeFileSync(join(root, 'b', '2.png'), png(5, 4, () => [0, 0, 0]));
  assert.throws(() => loadImageFolder(root), (e: Error) => e.message.includes('mixes image sizes') && e.message.includes('2.png') && e.message.includes('5×4'));
  writeFileSync(join(root, 'b', '2.png'), Buffer.from('\x89PNG\r\n\x1a\n garbage', 'latin1'));
  assert.throws(() => loadImageFolder(root), (e: Error) => e.message.includes('2.png') && /corrupt or truncated/.test(e.message));
  assert.throws(() => loadImageFolder(join(root, 'missing')), /image folder '.*missing' cannot be read/);
});
