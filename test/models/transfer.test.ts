import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, randn, randint, noGrad, NervaError, crossEntropy } from '../../src/index.js';
import { Linear, BatchNorm2d, Conv2d, Module } from '../../src/nn/index.js';
import { SGD } from '../../src/optim/index.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { DataLoader } from '../../src/data/dataloader.js';
import { AlexNet } from '../../src/models/alexnet.js';
import { VGG, SmallVGG } from '../../src/models/vgg.js';
import { resnet18, ResNet } from '../../src/models/resnet.js';
import { resnet20, CifarResNet } from '../../src/models/cifar_resnet.js';
import { LeNet5 } from '../../src/models/lenet.js';
import {
  freeze, unfreeze, replaceHead, headPath, paramGroups, extractFeatures, Truncated, cacheFeatures,
  isFrozenBatchNorm, frozenParameters, pathMatcher,
} from '../../src/models/transfer.js';

const snapshot = (m: Module) => new Map([...m.stateDict()].map(([k, t]) => [k, t.toTypedArray().slice()]));

test('transfer: pathMatcher — prefix, glob (*, **, ?, [..]) and RegExp', () => {
  const names = ['conv1.weight', 'layer1.0.conv1.weight', 'layer1.0.bn1.weight', 'layer10.0.bn1.bias', 'layer2.1.bn2.weight', 'fc.weight'];
  const sel = (p: string | RegExp) => names.filter(pathMatcher(p));
  assert.deepEqual(sel('layer1'), ['layer1.0.conv1.weight', 'layer1.0.bn1.weight']); // not layer10
  assert.deepEqual(sel('layer*.0'), ['layer1.0.conv1.weight', 'layer1.0.bn1.weight', 'layer10.0.bn1.bias']);
  assert.deepEqual(sel('**.bn?.weight'), ['layer1.0.bn1.weight', 'layer2.1.bn2.weight']);
  assert.deepEqual(sel('layer[2].*.bn2'), ['layer2.1.bn2.weight']);
  assert.deepEqual(sel(/^fc\./), ['fc.weight']);
  assert.deepEqual(sel('fc.weight'), ['fc.weight']);
});

test('transfer: freeze by prefix/glob/regex; a pattern that matches nothing names the pattern', () => {
  const m = resnet20({ initWeights: false });
  const frozen = freeze(m, 'layer1');
  assert.ok(frozen.length > 0 && frozen.every((n) => n.startsWith('layer1.')));
  assert.deepEqual(frozenParameters(m), frozen);
  assert.ok(m.namedParameters().filter(([n]) => !n.startsWith('layer1.')).every(([, p]) => p.requiresGrad));
  assert.deepEqual(freeze(m, /^conv1\./), ['conv1.weight']);
  freeze(m, 'layer*.0.bn*');
  assert.equal((m.getSubmodule('layer3.0.bn2') as BatchNorm2d).weight!.requiresGrad, false);
  assert.equal((m.getSubmodule('layer3.1.bn2') as BatchNorm2d).weight!.requiresGrad, true);
  for (const bad of ['layer9', 'layer1.5', 'fc.weights', 'blocks.*']) {
    assert.throws(() => freeze(m, bad), (e: Error) => e instanceof NervaError && e.message.includes(`'${bad}'`) && e.message.includes('conv1, bn1, relu, layer1'), bad);
  }
  assert.throws(() => unfreeze(m, /^head\./), /pattern \/\^head\\\.\/ matches no parameter/);
  unfreeze(m, '**');
  assert.deepEqual(frozenParameters(m), []);
});

test('transfer: frozen parameters stay unchanged by an SGD step (momentum, weight decay); BN statistics stay too', () => {
  manualSeed(3);
  const m = resnet20({ inChannels: 1, numClasses: 4 });
  freeze(m, 'conv1');
  freeze(m, 'bn1');
  freeze(m, 'layer1');
  freeze(m, 'layer2');
  const before = snapshot(m);
  m.train();
  const opt = new SGD(m.parameters(), { lr: 0.1, momentum: 0.9, weightDecay: 1e-3 });
  for (let step = 0; step < 2; step++) {
    opt.zeroGrad();
    const loss = crossEntropy(m.call(randn([4, 1, 12, 12])), randint(0, 4, [4]));
    loss.backward();
    opt.step();
  }
  const after = snapshot(m);
  for (const [k, v] of before) {
    const frozen = /^(conv1|bn1|layer1|layer2)\./.test(k);
    if (frozen) assert.deepEqual(after.get(k), v, `${k} changed though frozen`);
  }
  // the trainable part did move, and its BN statistics were updated (training mode)
  assert.notDeepEqual(after.get('layer3.0.conv1.weight'), before.get('layer3.0.conv1.weight'));
  assert.notDeepEqual(after.get('layer3.0.bn1.running_mean'), before.get('layer3.0.bn1.running_mean'));
  assert.notDeepEqual(after.get('fc.weight'), before.get('fc.weight'));
  assert.equal(after.get('layer2.1.bn2.num_batches_tracked')![0], 0);
  // frozen BN reads as eval even though the model is training; the others train
  assert.ok(isFrozenBatchNorm(m.getSubmodule('layer1.0.bn1')));
  assert.equal(m.getSubmodule('layer1.0.bn1').training, false);
  assert.equal(m.getSubmodule('layer3.0.bn1').training, true);
  assert.equal(m.training, true);
});

test('transfer: unfreeze brings BN back to the mode train()/eval() last asked for', () => {
  const m = resnet20({ initWeights: false });
  freeze(m, 'bn1');
  m.train();
  assert.equal(m.getSubmodule('bn1').training, false);
  m.eval();
  m.train();
  unfreeze(m, 'bn1');
  assert.equal(isFrozenBatchNorm(m.getSubmodule('bn1')), false);
  assert.equal(m.getSubmodule('bn1').training, true);
  m.eval();
  assert.equal(m.getSubmodule('bn1').training, false);
  // a frozen BN gives the same output in train and eval mode (running statistics)
  manualSeed(4);
  const bn = new BatchNorm2d(3);
  bn.runningMean!.data.set([0.5, -1, 2]);
  const x = randn([2, 3, 4, 4]);
  const host = new (class extends Module {
    constructor() { super(); this.registerModule('bn', bn); }
    forward(t: typeof x) { return bn.call(t); }
  })();
  const evalOut = noGrad(() => host.eval().call(x)).toTypedArray();
  freeze(host, 'bn');
  assert.deepEqual(noGrad(() => host.train().call(x)).toTypedArray(), evalOut);
  assert.equal(bn.numBatchesTracked!.data[0], 0);
});

test('transfer: replaceHead for every architecture (ResNet fc, AlexNet/VGG classifier.6, SmallVGG classifier.1, LeNet)', () => {
  manualSeed(5);
  const cases: [Module, string, number[]][] = [
    [resnet18({ width: 4 }), 'fc', [1, 3, 32, 32]],
    [resnet20({ inChannels: 1 }), 'fc', [1, 1, 28, 28]],
    [new AlexNet({ widths: [4, 4, 4, 4, 4], hiddenFeatures: 8 }), 'classifier.6', [1, 3, 63, 63]],
    [new VGG([4, 'M', 4, 'M'], { hiddenFeatures: 8 }), 'classifier.6', [1, 3, 8, 8]],
    [new SmallVGG({ config: [4, 'M', 8, 'M'] }), 'classifier.1', [1, 1, 28, 28]],
    [new LeNet5(), 'classifier.5', [1, 1, 28, 28]],
  ];
  for (const [model, path, input] of cases) {
    assert.equal(headPath(model), path, model.constructor.name);
    const oldKeys = [...model.stateDict().keys()];
    freeze(model, '**');
    const { head } = replaceHead(model, 3);
    assert.equal(model.getSubmodule(path), head);
    assert.deepEqual([...model.stateDict().keys()], oldKeys, 'state-dict names unchanged');
    assert.deepEqual(noGrad(() => model.eval().call(randn(input))).shape, [1, 3]);
    assert.deepEqual(model.namedParameters().filter(([, p]) => p.requiresGrad).map(([n]) => n), [`${path}.weight`, `${path}.bias`]);
  }
  // the spelling works for ResNets
  const r = resnet20({ initWeights: false });
  r.fc = new Linear(64, 7);
  assert.equal((r.getSubmodule('fc') as Linear).outFeatures, 7);
  assert.throws(() => replaceHead(r, 3, { path: 'layer1.0.conv1' }), /'layer1\.0\.conv1' of CifarResNet is a Conv2d, not a Linear/);
  assert.throws(() => replaceHead(r, 0), /numClasses must be a positive integer/);
});

test('transfer: paramGroups gives the backbone and the head their own learning rates, frozen left out', () => {
  manualSeed(6);
  const m = resnet20({ inChannels: 1, numClasses: 3 });
  freeze(m, 'layer1');
  const groups = paramGroups(m, { headLr: 0.1, backboneLr: 0.01 });
  assert.equal(groups.length, 2);
  assert.equal(groups[0]!.lr, 0.01);
  assert.equal(groups[1]!.lr, 0.1);
  const head = [...groups[1]!.params];
  assert.deepEqual(head, [(m.getSubmodule('fc') as Linear).weight, (m.getSubmodule('fc') as Linear).bias]);
  const backbone = [...groups[0]!.params];
  assert.equal(backbone.length, m.parameters().filter((p) => p.requiresGrad).length - 2);
  // an SGD step moves each group by its own lr: Δθ = −lr·g (no momentum)
  const opt = new SGD(groups, { lr: 1 });
  assert.deepEqual(opt.paramGroups.map((g) => g.lr), [0.01, 0.1]);
  const conv = m.getSubmodule('layer3.0.conv1') as Conv2d;
  const fc = m.getSubmodule('fc') as Linear;
  const w0 = conv.weight.toTypedArray().slice();
  const b0 = fc.bias!.toTypedArray().slice();
  crossEntropy(m.call(randn([2, 1, 8, 8])), randint(0, 3, [2])).backward();
  const gw = conv.weight.grad!.toTypedArray().slice();
  const gb = fc.bias!.grad!.toTypedArray().slice();
  opt.step();
  assert.ok(Math.abs(conv.weight.data[0]! - (w0[0]! - 0.01 * gw[0]!)) < 1e-7);
  assert.ok(Math.abs(fc.bias!.data[1]! - (b0[1]! - 0.1 * gb[1]!)) < 1e-7);
  freeze(m, '**');
  assert.throws(() => paramGroups(m, { headLr: 0.1 }), /every parameter of CifarResNet is frozen/);
});

test('transfer: extractFeatures / Truncated stop at a named layer; cacheFeatures builds a dataset of features', () => {
  manualSeed(7);
  const m = resnet20({ inChannels: 1, numClasses: 3 }).eval();
  const x = randn([2, 1, 16, 16]);
  const pooled = noGrad(() => extractFeatures(m, x, 'avgpool'));
  assert.deepEqual(pooled.shape, [2, 64, 1, 1]);
  assert.deepEqual(pooled.toTypedArray(), noGrad(() => m.forwardFeatures(x)).toTypedArray());
  assert.deepEqual(noGrad(() => extractFeatures(m, x, 'layer2')).shape, [2, 32, 8, 8]);
  assert.deepEqual(noGrad(() => extractFeatures(m, x, 'layer2.0.bn1')).shape, [2, 32, 8, 8]);
  // the layer's forward is restored: the full model still runs
  assert.deepEqual(noGrad(() => m.call(x)).shape, [2, 3]);
  assert.equal(Object.prototype.hasOwnProperty.call(m.getSubmodule('avgpool'), 'forward'), false);
  assert.throws(() => extractFeatures(m, x, 'layer7'), /no submodule 'layer7'/);
  const v = new VGG([4, 'M', 4, 'M'], { hiddenFeatures: 8 }).eval();
  assert.deepEqual(noGrad(() => new Truncated(v, 'classifier.4').call(randn([3, 3, 8, 8]))).shape, [3, 8]);
  // cache once, then train a head on the cached features
  const ds = new TensorDataset(randn([5, 1, 16, 16]), [0, 1, 2, 0, 1]);
  m.train();
  const feats = cacheFeatures(m, new DataLoader(ds, { batchSize: 2 }), 'avgpool');
  assert.equal(feats.length, 5);
  assert.deepEqual(feats.get(4).x.shape, [64]);
  assert.equal(feats.get(4).y, 1);
  assert.equal(m.training, true, 'training mode restored');
  assert.equal((m.getSubmodule('layer1.0.bn1') as BatchNorm2d).numBatchesTracked!.data[0], 0, 'no statistics updated while caching');
});

test('transfer: a ResNet restricted to its head trains only the head (gradients only there)', () => {
  manualSeed(8);
  const m: ResNet | CifarResNet = resnet20({ inChannels: 1, numClasses: 2 });
  freeze(m, '**');
  replaceHead(m, 2);
  crossEntropy(m.call(randn([2, 1, 8, 8])), randint(0, 2, [2])).backward();
  for (const [n, p] of m.namedParameters()) assert.equal(p.grad !== null, n.startsWith('fc.'), n);
});
