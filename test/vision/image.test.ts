// Image I/O: PNG round trips keep every byte, the @stdlib JPEG photo decodes, tensor conversions
// and bilinear resizing (golden values from PyTorch), and corrupt files are refused in one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '../../src/tensor/tensor.js';
import { decodeImage, decodePng, encodeJpeg, encodePng, sniffFormat } from '../../src/vision/codec.js';
import { downscale, drawToCanvas, fromCanvas, fromImageData, imageToTensor, resizeBilinear, tensorToImage, toGray, toImageData, type Image } from '../../src/vision/image.js';
import { readImage, sampleImagePath, writeImage } from '../../src/node/vision_io.js';
import { FormatError, NervaError } from '../../src/errors.js';

function randomImage(width: number, height: number, channels: 1 | 3 | 4, seed: number): Image {
  let s = seed;
  const data = new Uint8Array(width * height * channels).map(() => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s >>> 24;
  });
  return { width, height, channels, data };
}

const tmp = mkdtempSync(join(tmpdir(), 'nerva-vision-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

test('PNG round trip keeps every pixel exactly: gray, RGB, RGBA, odd sizes', () => {
  for (const [w, h, c] of [[13, 7, 1], [5, 9, 3], [1, 1, 3], [8, 3, 4], [31, 17, 1]] as const) {
    const img = randomImage(w, h, c, w * 100 + h);
    if (c === 4) img.data[3] = 10; // some pixel not opaque, so alpha is kept
    const bytes = encodePng(img);
    assert.equal(sniffFormat(bytes), 'png');
    const back = decodePng(bytes);
    assert.deepEqual({ ...back, data: [...back.data] }, { ...img, data: [...img.data] }, `${w}×${h}×${c}`);
  }
});

test('PNG files: writeImage/readImage round trip, atomically (no temp files left)', () => {
  for (const c of [1, 3] as const) {
    const img = randomImage(11, 6, c, c);
    const path = join(tmp, `round-${c}.png`);
    writeImage(path, img);
    const back = readImage(path);
    assert.equal(back.channels, c);
    assert.deepEqual([...back.data], [...img.data]);
  }
  assert.deepEqual(readdirSync(tmp).filter((f) => f.endsWith('.tmp')), []);
});

test('a colour PNG whose pixels are all gray stays RGB; a gray PNG is 1 channel', () => {
  const gray = randomImage(4, 4, 1, 3);
  const asRgb: Image = { width: 4, height: 4, channels: 3, data: new Uint8Array(48).map((_, i) => gray.data[Math.floor(i / 3)]!) };
  assert.equal(decodePng(encodePng(asRgb)).channels, 3);
  assert.equal(decodePng(encodePng(gray)).channels, 1);
});

test('JPEG: the @stdlib acanthus-mollis photo decodes (790×1024 RGB), and encode/decode is close', () => {
  const photo = readImage(sampleImagePath('acanthus-mollis'));
  assert.equal(photo.width, 790);
  assert.equal(photo.height, 1024);
  assert.equal(photo.channels, 3);
  let mean = 0;
  for (const v of photo.data) mean += v;
  mean /= photo.data.length;
  assert.ok(mean > 10 && mean < 200, `mean pixel ${mean}`); // a real picture: neither black nor white
  // Lossy, but close: a smooth gradient through JPEG at quality 95.
  const smooth: Image = { width: 32, height: 16, channels: 3, data: new Uint8Array(32 * 16 * 3).map((_, i) => ((i % 96) * 2 + Math.floor(i / 96) * 4) % 256) };
  const back = decodeImage(encodeJpeg(smooth, 95));
  assert.equal(back.width, 32);
  let err = 0;
  for (let i = 0; i < smooth.data.length; i++) err += Math.abs(back.data[i]! - smooth.data[i]!);
  assert.ok(err / smooth.data.length < 4, `mean abs error ${err / smooth.data.length}`);
});

test('unreadable, truncated and non-image files are one-line errors naming the file', () => {
  const png = encodePng(randomImage(20, 20, 3, 1));
  const jpg = readFileSync(sampleImagePath('acanthus-mollis'));
  const cases: [string, Uint8Array | null, RegExp][] = [
    ['missing.png', null, /cannot read image '.*missing\.png': no such file/],
    ['cut.png', png.subarray(0, png.length - 30), /'.*cut\.png': truncated or corrupt PNG/],
    ['cut.jpg', jpg.subarray(0, Math.floor(jpg.length / 2)), /'.*cut\.jpg': truncated or corrupt JPEG/],
    ['head.jpg', jpg.subarray(0, 100), /'.*head\.jpg': truncated or corrupt JPEG/],
    ['text.png', Buffer.from('hello, world'), /'.*text\.png' is not a PNG or JPEG image \(it starts with bytes 68 65 6c 6c\)/],
    ['empty.jpg', new Uint8Array(0), /'.*empty\.jpg' is not a PNG or JPEG image \(the file is empty\)/],
  ];
  for (const [name, bytes, pattern] of cases) {
    const path = join(tmp, name);
    if (bytes) writeFileSync(path, bytes);
    assert.throws(() => readImage(path), (err: Error) => {
      assert.ok(err instanceof NervaError, `${name}: ${err.name}: ${err.message}`);
      assert.match(err.message, pattern);
      assert.ok(!err.message.includes('\n'), `${name}: one line`);
      return true;
    });
  }
  assert.throws(() => readImage(tmp), /it is a directory/);
  assert.throws(() => writeImage(join(tmp, 'out.gif'), randomImage(2, 2, 1, 1)), /use a \.png, \.jpg or \.jpeg name/);
  assert.throws(() => decodeImage(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), 'x.png'), FormatError);
});

test('imageToTensor / tensorToImage: every byte value survives, channels are NCHW, normalization', () => {
  const img: Image = { width: 256, height: 1, channels: 3, data: new Uint8Array(768).map((_, i) => (i % 3 === 0 ? Math.floor(i / 3) : i % 3 === 1 ? 255 - Math.floor(i / 3) : 7)) };
  const t = imageToTensor(img);
  assert.deepEqual(t.shape, [1, 3, 1, 256]);
  assert.equal(t.dtype, 'float32');
  assert.equal(t.at(0, 0, 0, 200), Math.fround(200 / 255));
  assert.equal(t.at(0, 1, 0, 200), Math.fround(55 / 255));
  assert.equal(t.at(0, 2, 0, 9), Math.fround(7 / 255));
  assert.deepEqual([...tensorToImage(t).data], [...img.data]);
  // (v/255 − mean)/std and back.
  const norm = imageToTensor(img, { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
  assert.ok(Math.abs(norm.at(0, 0, 0, 255) - (1 - 0.485) / 0.229) < 1e-6);
  assert.deepEqual([...tensorToImage(norm, { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }).data], [...img.data]);
  // Gray by luma; out-of-range values clip.
  assert.deepEqual([...toGray({ width: 2, height: 1, channels: 3, data: new Uint8Array([255, 0, 0, 10, 200, 30]) }).data], [76, 124]);
  const gray = imageToTensor(img, { mode: 'gray' });
  assert.deepEqual(gray.shape, [1, 1, 1, 256]);
  assert.deepEqual([...tensorToImage(new Tensor(new Float32Array([-1, 0.5, 2, NaN]), [2, 2])).data], [0, 128, 255, 0]);
  assert.throws(() => tensorToImage(new Tensor(new Float32Array(8), [1, 2, 2, 2])), /1, 3 or 4 channels, got 2/);
  assert.throws(() => imageToTensor(img, { std: [1, 0, 1] }), /std must be non-zero/);
});

test('alpha: dropped by default, composited over a background on request; ImageData both ways', () => {
  const rgba: Image = { width: 2, height: 1, channels: 4, data: new Uint8Array([200, 100, 0, 255, 200, 100, 0, 0]) };
  assert.deepEqual([...tensorToImage(imageToTensor(rgba)).data], [200, 100, 0, 200, 100, 0]);
  assert.deepEqual([...tensorToImage(imageToTensor(rgba, { background: 255 })).data], [200, 100, 0, 255, 255, 255]);
  const id = toImageData({ width: 2, height: 1, channels: 1, data: new Uint8Array([9, 250]) });
  assert.ok(id.data instanceof Uint8ClampedArray);
  assert.deepEqual([...id.data], [9, 9, 9, 255, 250, 250, 250, 255]);
  assert.deepEqual(fromImageData(id), { width: 2, height: 1, channels: 1, data: new Uint8Array([9, 250]) });
  assert.equal(fromImageData({ width: 1, height: 1, data: new Uint8ClampedArray([1, 2, 3, 255]) }).channels, 3);
  assert.equal(fromImageData({ width: 1, height: 1, data: new Uint8ClampedArray([1, 2, 3, 4]) }).channels, 4);
});

test('canvas helpers read and draw through a 2-D context (a stand-in for the browser canvas)', () => {
  let stored: { data: Uint8ClampedArray; width: number; height: number } | null = null;
  const canvas = {
    width: 0, height: 0,
    getContext: (type: '2d') => (type === '2d' ? {
      getImageData: (_x: number, _y: number, w: number, h: number) => ({ width: w, height: h, data: stored!.data }),
      putImageData: (d: { data: Uint8ClampedArray; width: number; height: number }) => { stored = d; },
    } : null),
  };
  const img: Image = { width: 2, height: 2, channels: 3, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) };
  drawToCanvas(canvas, img, (data, width, height) => ({ data, width, height }));
  assert.deepEqual([canvas.width, canvas.height], [2, 2]);
  assert.deepEqual(fromCanvas(canvas), img);
  assert.throws(() => drawToCanvas(canvas, img), /no ImageData constructor here/);
  assert.throws(() => fromCanvas({ width: 1, height: 1, getContext: () => null }), /no 2-D context/);
});

test('resizeBilinear equals PyTorch F.interpolate(mode="bilinear", align_corners=False)', () => {
  // x = torch.arange(12, dtype=torch.float64).reshape(1, 1, 3, 4) ** 1.5
  // F.interpolate(x, size=s, mode='bilinear', align_corners=False)   (torch 1.13)
  const x = new Tensor(Float64Array.from({ length: 12 }, (_, i) => i ** 1.5), [1, 1, 3, 4]);
  const golden: [[number, number], number[]][] = [
    [[5, 7], [0.0, 0.3571428571, 0.9285714286, 1.9142135624, 2.9975503603, 4.3505362449, 5.1961524227, 3.2, 3.8686199839, 4.9384119582, 6.3239838063, 7.7865433337, 9.4722367435, 10.5257951246, 8.0, 9.1358356741, 10.9531727527, 12.9386391721, 14.9700327939, 17.1547874915, 18.5202591775, 16.7764501988, 18.1677665403, 20.3938726867, 22.7622886493, 25.1699689111, 27.7101894503, 29.2978272873, 22.627416998, 24.1890537844, 26.6876726427, 29.3113883008, 31.9699263226, 34.7471240895, 36.4828726939]],
    [[2, 3], [2.257514162, 4.6703199648, 8.0719084191, 19.6496497857, 25.2182010187, 31.2254022732]],
    [[3, 4], Array.from({ length: 12 }, (_, i) => i ** 1.5)],
    [[1, 1], [12.9386391721]],
  ];
  for (const [size, want] of golden) {
    const y = resizeBilinear(x, size);
    assert.deepEqual(y.shape, [1, 1, ...size]);
    const got = y.toTypedArray();
    want.forEach((v, i) => assert.ok(Math.abs(got[i]! - v) < 1e-8, `size ${size}: element ${i} is ${got[i]}, torch gives ${v}`));
  }
});

test('downscale: longer side to maxSide, aspect kept, area-averaged', () => {
  const x = new Tensor(new Float32Array(3 * 100 * 60).fill(0.25), [1, 3, 100, 60]);
  const y = downscale(x, 32);
  assert.deepEqual(y.shape, [1, 3, 32, 19]);
  assert.ok(y.toTypedArray().every((v) => Math.abs(v - 0.25) < 1e-6));
  assert.equal(downscale(x, 100), x);
  // A 4×4 checkerboard of 2×2 blocks halves to its block values exactly (pooling, no blur).
  const cb = new Tensor(Float32Array.from({ length: 16 }, (_, i) => (Math.floor(i / 8) + Math.floor((i % 4) / 2)) % 2), [1, 1, 4, 4]);
  assert.deepEqual([...downscale(cb, 2).toTypedArray()], [0, 1, 1, 0]);
});
