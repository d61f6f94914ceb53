// Feature maps and filter pictures of a CNN, and `nerva viz` end to end on a LeNet-5 checkpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tensor } from '../../src/tensor/tensor.js';
import { manualSeed, randn } from '../../src/index.js';
import { conv2d } from '../../src/ops/conv.js';
import { Module, Sequential, Conv2d, ReLU, MaxPool2d, Flatten, Linear } from '../../src/nn/index.js';
import { createModel } from '../../src/models/registry.js';
import { saveCheckpoint } from '../../src/node/checkpoint.js';
import { encodePng } from '../../src/vision/codec.js';
import { readImage } from '../../src/node/vision_io.js';
import { featureMaps, featureMapTiles, filterTiles, tileGrid, topPredictions } from '../../src/vision/featuremaps.js';

class Tiny extends Module {
  readonly body = this.registerModule('body', new Sequential(new Conv2d(1, 3, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2), new Conv2d(3, 2, 3)));
  readonly head = this.registerModule('head', new Sequential(new Flatten(), new Linear(2 * 2 * 2, 4)));
  forward(x: Tensor): Tensor {
    return this.head.call(this.body.call(x));
  }
}

test('featureMaps returns every conv layer output, equal to conv2d run by hand, and unhooks', () => {
  manualSeed(1);
  const model = new Tiny();
  const x = randn([1, 1, 8, 8]);
  const { output, maps } = featureMaps(model, x);
  assert.deepEqual(maps.map((m) => m.name), ['body.0', 'body.3']);
  assert.deepEqual(output.shape, [1, 4]);
  const c1 = model.body.children()[0] as Conv2d;
  const want = conv2d(x, c1.weight, c1.bias, { padding: 1 }).toTypedArray();
  assert.deepEqual([...maps[0]!.output.toTypedArray()], [...want]);
  assert.deepEqual(maps[1]!.output.shape, [1, 2, 2, 2]);
  assert.ok(!Object.prototype.hasOwnProperty.call(c1, 'forward'), 'the hook is removed');
  assert.equal(model.training, true, 'training mode restored');
  assert.equal(maps[0]!.output.requiresGrad, false);
});

test('tileGrid places enlarged tiles in a grid with gaps', () => {
  const tiles = [new Float32Array([0, 1, 1, 0]), new Float32Array([0.5, 0.5, 0.5, 0.5]), new Float32Array([1, 0, 0, 1])];
  const img = tileGrid(tiles, 2, 2, 1, { scale: 3, gap: 2, background: 7 });
  // 2 columns × 2 rows of 6×6 tiles, 2-pixel gaps around: 2 + 6 + 2 + 6 + 2 = 18.
  assert.deepEqual([img.width, img.height, img.channels], [18, 18, 1]);
  const at = (x: number, y: number) => img.data[y * 18 + x]!;
  assert.equal(at(0, 0), 7); // gap
  assert.equal(at(2, 2), 0); // tile 0, pixel (0, 0)
  assert.equal(at(5, 2), 255); // tile 0, pixel (0, 1), enlarged ×3
  assert.equal(at(10, 2), 128); // tile 1
  assert.equal(at(2, 10), 255); // tile 2 starts the second row
  assert.equal(at(12, 12), 7); // no fourth tile
});

test('featureMapTiles scales each map to its own range; filterTiles puts 0 at mid-gray', () => {
  const maps = new Tensor(new Float32Array([1, 2, 3, 5, -4, -4, -4, -4]), [1, 2, 2, 2]);
  const { tiles } = featureMapTiles(maps);
  assert.deepEqual([...tiles[0]!], [0, 0.25, 0.5, 1]);
  assert.deepEqual([...tiles[1]!], [0, 0, 0, 0]);
  const w = new Tensor(new Float32Array([2, -1, 0, 4, 0, 0, 0, 0]), [2, 1, 2, 2]);
  const f = filterTiles(w);
  assert.equal(f.channels, 1);
  assert.deepEqual([...f.tiles[0]!], [0.75, 0.375, 0.5, 1]);
  assert.deepEqual([...f.tiles[1]!], [0.5, 0.5, 0.5, 0.5]);
  assert.equal(filterTiles(randn([4, 3, 5, 5])).channels, 3);
});

test('topPredictions: softmax probabilities, best first, with class names', () => {
  const preds = topPredictions(new Tensor(new Float32Array([0, 2, 1]), [1, 3]), 2, ['cat', 'dog', 'fox']);
  assert.deepEqual(preds.map((p) => p.label), ['dog', 'fox']);
  const z = Math.exp(0) + Math.exp(2) + Math.exp(1);
  assert.ok(Math.abs(preds[0]!.probability - Math.exp(2) / z) < 1e-6);
});

test('nerva viz on a LeNet-5 checkpoint: feature maps, filters, predictions; --curves; bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nerva-viz-'));
  try {
    manualSeed(0);
    const model = createModel('lenet5');
    const pre = { dataset: 'mnist', classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], inChannels: 1, imageSize: 28, inputSize: 28, mean: [0.1307], std: [0.3081] };
    const ckpt = join(dir, 'checkpoint.safetensors');
    saveCheckpoint(ckpt, { model, arch: 'lenet5', extra: { arch: 'lenet5', pre } });
    const digit = { width: 40, height: 40, channels: 1 as const, data: new Uint8Array(1600).map((_, i) => (Math.abs((i % 40) - 20) < 3 ? 255 : 0)) };
    writeFileSync(join(dir, 'digit.png'), encodePng(digit));
    const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
    const nerva = (...args: string[]) => spawnSync(process.execPath, [main, 'viz', ...args], { cwd: dir, encoding: 'utf8' });

    let r = nerva(ckpt, 'digit.png', '-o', 'out', '--top', '3');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /lenet5 on digit\.png \(40×40\)/);
    for (const f of ['input.png', 'filters.png', 'features-1-features.0.png', 'features-2-features.3.png', 'predictions.txt']) assert.ok(existsSync(join(dir, 'out', f)), f);
    // 6 first-layer maps of 28×28 → 3×2 tiles; 16 second-layer maps of 10×10 → 4×4 tiles.
    const f1 = readImage(join(dir, 'out', 'features-1-features.0.png'));
    assert.deepEqual([f1.width, f1.height], [3 * 84 + 4 * 2, 2 * 84 + 3 * 2]);
    const f2 = readImage(join(dir, 'out', 'features-2-features.3.png'));
    assert.deepEqual([f2.width, f2.height], [4 * 70 + 5 * 2, 4 * 70 + 5 * 2]);
    const preds = readFileSync(join(dir, 'out', 'predictions.txt'), 'utf8').trim().split('\n');
    assert.equal(preds.length, 4);
    const total = preds.slice(1).reduce((s, l) => s + Number(/([\d.]+)%/.exec(l)![1]), 0);
    assert.ok(total > 0 && total <= 100.01);

    r = nerva(ckpt, '--index', '1');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /mnist test image 1 \(label 2\)/);
    assert.ok(existsSync(join(dir, 'viz', 'filters.png')));

    writeFileSync(join(dir, 'log.jsonl'), [
      { type: 'start', arch: 'lenet5', pre },
      { type: 'epoch', epoch: 1, trainLoss: 0.5, trainAccuracy: 0.8, valLoss: 0.3, valAccuracy: 0.9 },
      { type: 'epoch', epoch: 2, trainLoss: 0.2, trainAccuracy: 0.93, valLoss: 0.15, valAccuracy: 0.95 },
    ].map((e) => JSON.stringify(e)).join('\n') + '\n');
    r = nerva('--curves', '.', '-o', 'curves');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readImage(join(dir, 'curves', 'curves.png')).width, 960);

    for (const [args, pattern] of [
      [['missing.safetensors'], /no checkpoint at 'missing\.safetensors'/],
      [[ckpt, '--index', '10000'], /--index 10000 is out of range: the mnist test set has 10000 images/],
      [[ckpt, 'nope.png'], /cannot read image 'nope\.png': no such file/],
      [['log.jsonl'], /log\.jsonl.*safetensors/],
      [['--curves', 'nowhere'], /cannot read 'nowhere\/log\.jsonl'/],
    ] as [string[], RegExp][]) {
      r = nerva(...args);
      assert.equal(r.status, 1, args.join(' '));
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, pattern);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
