import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manualSeed, randn, noGrad, NervaError } from '../../src/index.js';
import type { Module } from '../../src/nn/index.js';
import { Conv2d, Linear, BatchNorm2d } from '../../src/nn/index.js';
import { AlexNet } from '../../src/models/alexnet.js';
import { VGG, VGG_CONFIGS, SmallVGG, vgg16 } from '../../src/models/vgg.js';
import { resnet18, resnet34, resnet50, resnet101, resnet152, ResNet } from '../../src/models/resnet.js';
import { CifarResNet, ShortcutA, resnet20, resnet32, resnet56 } from '../../src/models/cifar_resnet.js';
import { createModel, listModels } from '../../src/models/registry.js';

// torchvision's state-dict names, shapes and parameter counts, listed by scripts/gen_zoo_fixtures.py
// (torch 1.13, torchvision 0.14) into test/fixtures/zoo/keys.json.
const here = dirname(fileURLToPath(import.meta.url));
const zooDir = join(here, '..', '..', '..', 'test', 'fixtures', 'zoo');
const keys = JSON.parse(readFileSync(join(zooDir, 'keys.json'), 'utf8')) as { models: Record<string, { numParameters: number; stateDict: [string, number[], string][] }> };

/** Full-size models without initialization: the weights stay zero pages, so even VGG-19 is cheap. */
const FULL: Record<string, () => Module> = {
  alexnet: () => new AlexNet({ initWeights: false }),
  ...Object.fromEntries((['vgg11', 'vgg13', 'vgg16', 'vgg19'] as const).flatMap((n) => [
    [n, () => new VGG(VGG_CONFIGS[n], { initWeights: false })],
    [`${n}_bn`, () => new VGG(VGG_CONFIGS[n], { batchNorm: true, initWeights: false })],
  ])),
  resnet18: () => resnet18({ initWeights: false }),
  resnet34: () => resnet34({ initWeights: false }),
  resnet50: () => resnet50({ initWeights: false }),
  resnet101: () => resnet101({ initWeights: false }),
  resnet152: () => resnet152({ initWeights: false }),
};

test('zoo: every torchvision architecture in keys.json has a Nerva builder', () => {
  assert.deepEqual(Object.keys(keys.models).sort(), Object.keys(FULL).sort());
});

for (const [arch, ref] of Object.entries(keys.models)) {
  test(`zoo: ${arch} state-dict names, order and shapes equal torchvision's; ${ref.numParameters.toLocaleString('en-US')} parameters`, () => {
    const model = FULL[arch]!();
    const mine = [...model.stateDict()].map(([k, t]) => [k, [...t.shape]]);
    assert.deepEqual(mine, ref.stateDict.map(([k, shape]) => [k, shape]));
    assert.equal(model.numParameters(), ref.numParameters);
  });
}

test('zoo: parameter counts of the issue (AlexNet, VGG-16, ResNet-18, ResNet-50)', () => {
  assert.equal(new AlexNet({ initWeights: false }).numParameters(), 61_100_840);
  assert.equal(new VGG(VGG_CONFIGS.vgg16, { initWeights: false }).numParameters(), 138_357_544);
  assert.equal(resnet18({ initWeights: false }).numParameters(), 11_689_512);
  assert.equal(resnet50({ initWeights: false }).numParameters(), 25_557_032);
});

test('zoo: VGG-16 with initialization as torchvision (conv N(0, 2/fanOut), linear N(0, 0.01²), biases 0)', () => {
  manualSeed(0);
  const model = vgg16();
  const conv = model.getSubmodule('features.0') as Conv2d; // 64×3×3×3, fanOut = 64·9
  const fc = model.getSubmodule('classifier.0') as Linear; // 4096×25088
  const std = (a: ArrayLike<number>) => {
    let s = 0, s2 = 0;
    for (let i = 0; i < a.length; i++) { s += a[i]!; s2 += a[i]! * a[i]!; }
    const m = s / a.length;
    return { mean: m, std: Math.sqrt(s2 / a.length - m * m) };
  };
  const c = std(conv.weight.data);
  assert.ok(Math.abs(c.std / Math.sqrt(2 / (64 * 9)) - 1) < 0.1, `conv std ${c.std}`);
  const f = std(fc.weight.data);
  assert.ok(Math.abs(f.std / 0.01 - 1) < 0.001 && Math.abs(f.mean) < 1e-5, `linear mean ${f.mean} std ${f.std}`);
  assert.ok(fc.bias!.data.every((v) => v === 0));
  // distinct layers get distinct streams
  const conv2 = model.getSubmodule('features.2') as Conv2d;
  assert.notEqual(conv2.weight.data[0], conv.weight.data[0]);
});

test('zoo: construction is repeatable under manualSeed', () => {
  manualSeed(7);
  const a = resnet20();
  manualSeed(7);
  const b = resnet20();
  manualSeed(8);
  const c = resnet20();
  const wa = (a.getSubmodule('layer2.0.conv1') as Conv2d).weight.toTypedArray();
  assert.deepEqual(wa, (b.getSubmodule('layer2.0.conv1') as Conv2d).weight.toTypedArray());
  assert.notDeepEqual(wa, (c.getSubmodule('layer2.0.conv1') as Conv2d).weight.toTypedArray());
});

test('zoo: CIFAR ResNet-20/32/56 (option A) have the paper\'s 0.27M/0.46M/0.85M parameters; option B adds projections', () => {
  assert.equal(resnet20({ initWeights: false }).numParameters(), 269_722);
  assert.equal(resnet32({ initWeights: false }).numParameters(), 464_154);
  assert.equal(resnet56({ initWeights: false }).numParameters(), 853_018);
  // option B: two 1×1 projections + BN (16→32, 32→64): 512 + 64 + 2048 + 128
  assert.equal(resnet20({ shortcut: 'B', initWeights: false }).numParameters(), 269_722 + 512 + 64 + 2048 + 128);
  const a = resnet20();
  assert.ok(a.getSubmodule('layer2.0.downsample') instanceof ShortcutA);
  assert.deepEqual([...a.stateDict().keys()].filter((k) => k.includes('downsample')), []);
  assert.throws(() => new CifarResNet(21), /depth must be 6n \+ 2/);
});

test('zoo: CIFAR ResNet-20 on 28×28 and 32×32 inputs; option-A shortcut pads channels with zeros', () => {
  manualSeed(1);
  const model = resnet20({ inChannels: 1, numClasses: 7 }).eval();
  noGrad(() => {
    assert.deepEqual(model.call(randn([2, 1, 28, 28])).shape, [2, 7]);
    assert.deepEqual(model.call(randn([1, 1, 32, 32])).shape, [1, 7]);
  });
  const sc = new ShortcutA(2, 4, 2);
  const x = randn([1, 2, 3, 3]);
  const y = sc.call(x);
  assert.deepEqual(y.shape, [1, 4, 2, 2]);
  const xv = x.toArray() as number[][][][];
  const yv = y.toArray() as number[][][][];
  assert.deepEqual(yv[0]![0], [[0, 0], [0, 0]]);
  assert.deepEqual(yv[0]![1], [[xv[0]![0]![0]![0], xv[0]![0]![0]![2]], [xv[0]![0]![2]![0], xv[0]![0]![2]![2]]]);
  assert.deepEqual(yv[0]![3], [[0, 0], [0, 0]]);
});

test('zoo: SmallVGG on 28×28 and 32×32; numClasses and inChannels are configurable everywhere', () => {
  manualSeed(2);
  const small = new SmallVGG({ inChannels: 3, numClasses: 5 }).eval();
  noGrad(() => {
    assert.deepEqual(small.call(randn([2, 3, 32, 32])).shape, [2, 5]);
  });
  assert.equal(new SmallVGG().numParameters(), 4_508_298);
  const r = resnet18({ inChannels: 1, numClasses: 3, initWeights: false });
  assert.deepEqual([...(r.getSubmodule('conv1') as Conv2d).weight.shape], [64, 1, 7, 7]);
  assert.deepEqual([...(r.getSubmodule('fc') as Linear).weight.shape], [3, 512]);
  const v = new VGG(VGG_CONFIGS.vgg11, { batchNorm: true, inChannels: 1, numClasses: 2, initWeights: false });
  assert.ok(v.getSubmodule('features.1') instanceof BatchNorm2d);
  assert.deepEqual([...(v.getSubmodule('classifier.6') as Linear).weight.shape], [2, 4096]);
});

test('zoo: too-small or wrongly shaped inputs are refused naming the model and the shape', () => {
  const r = resnet18({ width: 4, numClasses: 2 });
  assert.throws(() => r.call(randn([1, 3, 16, 16])), (e: Error) => e instanceof NervaError && /ResNet: input \[1, 3, 16, 16\] is too small/.test(e.message));
  const a = new AlexNet({ widths: [4, 4, 4, 4, 4], hiddenFeatures: 8 });
  assert.throws(() => a.call(randn([3, 64, 64])), /AlexNet: expected input \(N, C, H, W\), got \[3, 64, 64\]/);
  assert.throws(() => new ResNet(resnet18({ initWeights: false }).block, [2, 2, 0, 2]), /blocks per layer must be a positive integer/);
});

test('zoo: the registry builds every zoo model by name', () => {
  const names = listModels().map((m) => m.name);
  for (const n of ['alexnet', 'vgg11', 'vgg16_bn', 'vgg19', 'vgg-small', 'resnet18', 'resnet50', 'resnet152', 'resnet20', 'resnet32', 'resnet56']) assert.ok(names.includes(n), n);
  const m = createModel('resnet20', { numClasses: 4 }) as CifarResNet;
  assert.equal((m.getSubmodule('fc') as Linear).outFeatures, 4);
  assert.equal((m.getSubmodule('conv1') as Conv2d).inChannels, 1);
});
