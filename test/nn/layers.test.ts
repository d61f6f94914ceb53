// Layer modules: gradcheck (float64) of each forward w.r.t. input and parameters, output shapes,
// PyTorch's parameter counts, default-init bounds and stateDict names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { randn, tensor, zeros } from '../../src/tensor/creation.js';
import { manualSeed } from '../../src/tensor/random.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import * as nn from '../../src/nn/index.js';
import type { Module } from '../../src/nn/module.js';
import { toFloat64, distinct, assertClose } from './helpers.js';

const f64 = (shape: number[]) => randn(shape, { dtype: 'float64' }).requiresGrad_();

/** gradcheck of m.forward(x) w.r.t. x and every parameter of m. */
function checkModule(m: Module, x: Tensor): void {
  toFloat64(m);
  x.requiresGrad = true;
  gradcheck((xx) => m.call(xx), [x, ...m.parameters()]);
}

test('Conv2d x=[2,4,6,5] k=3 s=2 p=1 groups=2 dilation=1: gradcheck input, weight, bias', () => {
  manualSeed(1);
  const conv = new nn.Conv2d(4, 6, 3, { stride: 2, padding: 1, groups: 2 });
  assert.deepEqual(conv.weight.shape, [6, 2, 3, 3]);
  checkModule(conv, f64([2, 4, 6, 5]));
  assert.deepEqual(conv.call(f64([2, 4, 6, 5])).shape, [2, 6, 3, 3]);
});

test("Conv2d k=(2,3) dilation=2 padding='same' no bias: shape kept, gradcheck", () => {
  manualSeed(2);
  const conv = new nn.Conv2d(2, 3, [2, 3], { dilation: 2, padding: 'same', bias: false });
  assert.equal(conv.bias, null);
  assert.deepEqual([...conv.stateDict().keys()], ['weight']);
  const x = f64([1, 2, 5, 6]);
  checkModule(conv, x);
  assert.deepEqual(conv.call(x).shape, [1, 3, 5, 6]);
});

test('Conv2d: parameter counts and default init bounds as PyTorch', () => {
  assert.equal(new nn.Conv2d(3, 64, 7).numParameters(), 9472);
  assert.equal(new nn.Conv2d(3, 64, 7, { bias: false }).numParameters(), 9408);
  assert.equal(new nn.Conv2d(64, 128, 3, { groups: 4 }).numParameters(), 128 * 16 * 9 + 128);
  manualSeed(3);
  const conv = new nn.Conv2d(8, 16, 3);
  const bound = 1 / Math.sqrt(8 * 9); // kaiming-uniform a=√5 gives 1/√fanIn
  const w = conv.weight.toTypedArray();
  const b = conv.bias!.toTypedArray();
  assert.ok(w.every((v) => Math.abs(v) <= bound) && b.every((v) => Math.abs(v) <= bound));
  assert.ok(Math.max(...w) > 0.9 * bound && Math.min(...w) < -0.9 * bound, 'weights fill the range');
  assert.throws(() => new nn.Conv2d(3, 6, 3, { groups: 2 }), /inChannels 3 must be divisible by groups 2/);
  assert.throws(() => conv.call(zeros([1, 3, 8, 8])), /expected input \(N, 8, H, W\), got \[1, 3, 8, 8\]/);
});

test('MaxPool2d / MinPool2d / AvgPool2d / AdaptiveAvgPool2d: shapes and gradcheck', () => {
  const x = distinct([2, 3, 7, 6]).requiresGrad_();
  const cases: [Module, number[]][] = [
    [new nn.MaxPool2d(2), [2, 3, 3, 3]],
    [new nn.MaxPool2d(3, { stride: 2, padding: 1 }), [2, 3, 4, 3]],
    [new nn.MaxPool2d(2, { ceilMode: true }), [2, 3, 4, 3]],
    [new nn.MinPool2d(2, { stride: 1 }), [2, 3, 6, 5]],
    [new nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }), [2, 3, 4, 3]],
    [new nn.AvgPool2d([2, 3]), [2, 3, 3, 2]],
    [new nn.AdaptiveAvgPool2d([3, 4]), [2, 3, 3, 4]],
    [new nn.AdaptiveAvgPool2d(1), [2, 3, 1, 1]],
  ];
  for (const [m, shape] of cases) {
    assert.deepEqual(m.call(x).shape, shape, m.toString());
    gradcheck((xx) => m.call(xx), [x]);
  }
  // min pooling really takes the minimum
  const y = new nn.MinPool2d(2).call(tensor([[[[1, 5], [3, -2]]]]));
  assert.equal(y.item(), -2);
});

test('LocalResponseNorm(3, alpha=0.5, beta=0.75, k=2) x=[2,5,2,1]: values as PyTorch, gradcheck', () => {
  // torch 1.13: x = torch.arange(20, dtype=torch.float64).reshape(2,5,2,1)/7 - 1
  //             torch.nn.LocalResponseNorm(3, alpha=0.5, beta=0.75, k=2.0)(x).flatten().tolist()
  const expected = [-0.5440226802013057, -0.4782761533731068, -0.38467199692813653, -0.31736428304532155, -0.24401564815224774,
    -0.16567797166322398, -0.08377073790625046, 0.0, 0.08472731601180308, 0.1690250890510196, 0.2443098201487808,
    0.3188507689154045, 0.3846719969281364, 0.4452810507564094, 0.49890618444306106, 0.5455791711289703,
    0.5855763072611514, 0.6193433096275888, 0.7487465330737063, 0.7856899701487184];
  const x = new Tensor(Float64Array.from({ length: 20 }, (_, i) => i / 7 - 1), [2, 5, 2, 1]);
  const lrn = new nn.LocalResponseNorm(3, { alpha: 0.5, beta: 0.75, k: 2 });
  assertClose(lrn.call(x).toTypedArray(), expected, 1e-12, 'LRN');
  // an even window (size 4: two channels before, one after) and a 3-d input
  const lrn4 = new nn.LocalResponseNorm(4, { alpha: 0.3, k: 1 });
  gradcheck((xx) => lrn4.call(xx), [f64([2, 6, 3, 2])]);
  gradcheck((xx) => lrn.call(xx), [f64([2, 5, 4])]);
});

test('activations: values and gradcheck', () => {
  const x = tensor([-2, -0.5, 0.5, 3], { dtype: 'float64' });
  assertClose(new nn.ReLU().call(x).toTypedArray(), [0, 0, 0.5, 3]);
  assertClose(new nn.LeakyReLU(0.2).call(x).toTypedArray(), [-0.4, -0.1, 0.5, 3]);
  assertClose(new nn.Sigmoid().call(x).toTypedArray(), [-2, -0.5, 0.5, 3].map((v) => 1 / (1 + Math.exp(-v))));
  assertClose(new nn.Tanh().call(x).toTypedArray(), [-2, -0.5, 0.5, 3].map(Math.tanh));
  // torch: F.gelu(x) and F.gelu(x, approximate='tanh') for x = [-2, -0.5, 0.5, 3]
  assertClose(new nn.GELU().call(x).toTypedArray(), [-0.04550026389635842, -0.15426876936299344, 0.34573123063700656, 2.99595030590511], 1e-9);
  assertClose(new nn.GELU({ approximate: 'tanh' }).call(x).toTypedArray(), [-0.04540230591222494, -0.15428599017485606, 0.34571400982514394, 2.996362607918227], 1e-9);
  const sm = new nn.Softmax(1).call(tensor([[1, 2, 3], [0, 0, 0]], { dtype: 'float64' })).toTypedArray();
  const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
  const z = e[0]! + e[1]! + e[2]!;
  assertClose(sm, [e[0]! / z, e[1]! / z, e[2]! / z, 1 / 3, 1 / 3, 1 / 3]);
  const lsm = new nn.LogSoftmax(1).call(tensor([[1, 2, 3]], { dtype: 'float64' })).toTypedArray();
  assertClose(lsm, [1 - Math.log(z), 2 - Math.log(z), 3 - Math.log(z)]);
  for (const m of [new nn.ReLU(), new nn.LeakyReLU(0.1), new nn.Sigmoid(), new nn.Tanh(), new nn.GELU(), new nn.GELU({ approximate: 'tanh' }), new nn.Softmax(0), new nn.LogSoftmax(1)]) {
    gradcheck((xx) => m.call(xx), [f64([3, 4]).add(0.01).detach().requiresGrad_()]);
  }
});

test('Flatten / Identity / Dropout', () => {
  const x = randn([2, 3, 4, 5]);
  assert.deepEqual(new nn.Flatten().call(x).shape, [2, 60]);
  assert.deepEqual(new nn.Flatten(0, 1).call(x).shape, [6, 4, 5]);
  assert.deepEqual(new nn.Flatten(2).call(x).shape, [2, 3, 20]);
  assert.equal(new nn.Identity().call(x), x);
  manualSeed(5);
  const d = new nn.Dropout(0.25);
  const ones = zeros([4000]).add(1);
  const y = d.call(ones).toTypedArray();
  const kept = y.filter((v) => v !== 0);
  assert.ok(kept.every((v) => Math.abs(v - 1 / 0.75) < 1e-6), 'kept values scaled by 1/(1-p)');
  assert.ok(Math.abs(kept.length / 4000 - 0.75) < 0.03, `keep rate ${kept.length / 4000}`);
  d.eval();
  assert.deepEqual([...d.call(ones).toTypedArray()], [...ones.toTypedArray()]);
  assert.throws(() => new nn.Dropout(1.5), /probability must be in \[0, 1\], got 1.5/);
});

test('stateDict names and order as PyTorch: Sequential(Conv2d, BatchNorm2d, ReLU, Linear)', () => {
  const model = new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.Flatten(), new nn.Linear(4, 2));
  assert.deepEqual([...model.stateDict().keys()], [
    '0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked', '4.weight', '4.bias',
  ]);
  const nbt = model.stateDict().get('1.num_batches_tracked')!;
  assert.equal(nbt.dtype, 'int32');
  assert.deepEqual(nbt.shape, []);
  // parameters exclude buffers
  assert.deepEqual(model.namedParameters().map(([k]) => k), ['0.weight', '0.bias', '1.weight', '1.bias', '4.weight', '4.bias']);
  assert.equal(model.numParameters(), 4 * 9 + 4 + 4 + 4 + 4 * 2 + 2);
});

test('loadStateDict: error lists missing, unexpected and wrongly-shaped keys and changes nothing', () => {
  const a = new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.BatchNorm2d(4));
  const b = new nn.Sequential(new nn.Conv2d(1, 4, 5), new nn.BatchNorm2d(4));
  const state = new Map(b.stateDict());
  state.delete('1.running_var');
  state.set('2.weight', zeros([3]));
  const before = [...a.stateDict().get('1.weight')!.toTypedArray()];
  (b.stateDict().get('1.weight')!.data as Float32Array).fill(7);
  assert.throws(() => a.loadStateDict(state), (err: Error) => {
    assert.match(err.message, /missing keys: 1\.running_var/);
    assert.match(err.message, /unexpected keys: 2\.weight/);
    assert.match(err.message, /0\.weight: checkpoint \[4, 1, 5, 5\], model \[4, 1, 3, 3\]/);
    return true;
  });
  assert.deepEqual([...a.stateDict().get('1.weight')!.toTypedArray()], before);
  // a full, matching state dict loads, int32 buffer included
  const c = new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.BatchNorm2d(4));
  c.stateDict().get('1.num_batches_tracked')!.data[0] = 9;
  a.loadStateDict(c.stateDict());
  assert.equal(a.stateDict().get('1.num_batches_tracked')!.item(), 9);
  assert.deepEqual([...a.stateDict().get('0.weight')!.toTypedArray()], [...c.stateDict().get('0.weight')!.toTypedArray()]);
});

test('loss modules wrap the functional losses', () => {
  const logits = tensor([[2, 0.5, -1], [0.1, 0.2, 3]], { dtype: 'float64' });
  const target = tensor([0, 2], { dtype: 'int32' });
  const lse = (r: number[]) => Math.log(r.reduce((s, v) => s + Math.exp(v), 0));
  const expected = ((lse([2, 0.5, -1]) - 2) + (lse([0.1, 0.2, 3]) - 3)) / 2;
  assertClose([new nn.CrossEntropyLoss().call(logits, target).item()], [expected], 1e-12);
  assertClose([new nn.CrossEntropyLoss({ reduction: 'sum' }).call(logits, target).item()], [2 * expected], 1e-12);
  const logp = new nn.LogSoftmax(1).call(logits);
  assertClose([new nn.NLLLoss().call(logp, target).item()], [expected], 1e-12);
  assertClose([new nn.MSELoss().call(tensor([1, 2, 3]), tensor([1, 0, 0])).item()], [13 / 3], 1e-6);
  const bce = new nn.BCEWithLogitsLoss().call(tensor([0.5, -1], { dtype: 'float64' }), tensor([1, 0], { dtype: 'float64' })).item();
  assertClose([bce], [(Math.log(1 + Math.exp(-0.5)) + Math.log(1 + Math.exp(-1))) / 2], 1e-12);
});
