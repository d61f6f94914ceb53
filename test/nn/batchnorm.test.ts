// BatchNorm1d/2d: train/eval numbers against a hand computation of PyTorch's rules (biased batch
// variance to normalize, unbiased for the running update, momentum or cumulative average), and
// gradcheck in both modes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { randn } from '../../src/tensor/creation.js';
import { manualSeed } from '../../src/tensor/random.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { BatchNorm1d, BatchNorm2d } from '../../src/nn/batchnorm.js';
import { toFloat64, assertClose } from './helpers.js';

// x (N=4, C=2): channel 0 = [1, 2, 3, 6], channel 1 = [-1, 0, 0, 5]
const X = new Tensor(Float64Array.from([1, -1, 2, 0, 3, 0, 6, 5]), [4, 2]);
const ch0 = [1, 2, 3, 6];
const ch1 = [-1, 0, 0, 5];
const meanOf = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const ssd = (v: number[]) => v.reduce((a, b) => a + (b - meanOf(v)) ** 2, 0);

test('BatchNorm1d(2) train: normalizes with the biased batch variance, updates running stats with the unbiased one', () => {
  const bn = toFloat64(new BatchNorm1d(2));
  bn.weight!.data.set([2, 0.5]);
  bn.bias!.data.set([1, -1]);
  const y = bn.call(X).toTypedArray();
  const expected: number[] = [];
  for (let i = 0; i < 4; i++) {
    expected.push(((ch0[i]! - meanOf(ch0)) / Math.sqrt(ssd(ch0) / 4 + 1e-5)) * 2 + 1);
    expected.push(((ch1[i]! - meanOf(ch1)) / Math.sqrt(ssd(ch1) / 4 + 1e-5)) * 0.5 - 1);
  }
  assertClose(y, expected, 1e-12, 'train output');
  // running = 0.9·running + 0.1·batch; var uses n−1
  assertClose(bn.runningMean!.toTypedArray(), [0.1 * meanOf(ch0), 0.1 * meanOf(ch1)], 1e-12, 'running_mean');
  assertClose(bn.runningVar!.toTypedArray(), [0.9 + 0.1 * ssd(ch0) / 3, 0.9 + 0.1 * ssd(ch1) / 3], 1e-12, 'running_var');
  assert.equal(bn.numBatchesTracked!.item(), 1);
  // eval: uses the running statistics, and leaves them alone
  bn.eval();
  const rm = [...bn.runningMean!.toTypedArray()];
  const rv = [...bn.runningVar!.toTypedArray()];
  const ye = bn.call(X).toTypedArray();
  const w = [2, 0.5];
  const b = [1, -1];
  const expectedEval = [...X.toTypedArray()].map((v, i) => ((v - rm[i % 2]!) / Math.sqrt(rv[i % 2]! + 1e-5)) * w[i % 2]! + b[i % 2]!);
  assertClose(ye, expectedEval, 1e-12, 'eval output');
  assertClose(bn.runningMean!.toTypedArray(), rm);
  assert.equal(bn.numBatchesTracked!.item(), 1);
});

test('BatchNorm1d momentum=null: running stats are the cumulative average of batch stats', () => {
  const bn = toFloat64(new BatchNorm1d(2, { momentum: null }));
  const X2 = new Tensor(Float64Array.from([0, 1, 4, 1, 2, 7]), [3, 2]); // ch0 [0,4,2], ch1 [1,1,7]
  bn.call(X);
  bn.call(X2);
  assert.equal(bn.numBatchesTracked!.item(), 2);
  // m = 1/1 on the first batch (replaces the initial 0/1), 1/2 on the second
  assertClose(bn.runningMean!.toTypedArray(), [(meanOf(ch0) + 2) / 2, (meanOf(ch1) + 3) / 2], 1e-12);
  assertClose(bn.runningVar!.toTypedArray(), [(ssd(ch0) / 3 + 4) / 2, (ssd(ch1) / 3 + 12) / 2], 1e-12);
});

test('BatchNorm2d x=[2,3,2,2] momentum=0.3: statistics over N, H, W per channel', () => {
  manualSeed(7);
  const bn = toFloat64(new BatchNorm2d(3, { momentum: 0.3, eps: 1e-3 }));
  const x = randn([2, 3, 2, 2], { dtype: 'float64' });
  const y = bn.call(x);
  const xd = x.toTypedArray();
  const yd = y.toTypedArray();
  for (let c = 0; c < 3; c++) {
    const vals: number[] = [];
    const idx: number[] = [];
    for (let n = 0; n < 2; n++) for (let k = 0; k < 4; k++) { idx.push(n * 12 + c * 4 + k); vals.push(xd[n * 12 + c * 4 + k]!); }
    const m = meanOf(vals);
    const v = ssd(vals) / 8;
    assertClose(idx.map((i) => yd[i]!), vals.map((u) => (u - m) / Math.sqrt(v + 1e-3)), 1e-12, `channel ${c}`);
    assertClose([bn.runningMean!.data[c]!, bn.runningVar!.data[c]!], [0.3 * m, 0.7 + 0.3 * ssd(vals) / 7], 1e-12);
  }
});

test('BatchNorm affine=false, trackRunningStats=false: no parameters or buffers, batch stats in eval too', () => {
  const bn = new BatchNorm1d(2, { affine: false, trackRunningStats: false });
  assert.equal(bn.numParameters(), 0);
  assert.deepEqual([...bn.stateDict().keys()], []);
  bn.eval();
  const y = bn.call(X).toTypedArray();
  assertClose([y[0]!, y[6]!], [(1 - 3) / Math.sqrt(ssd(ch0) / 4 + 1e-5), (6 - 3) / Math.sqrt(ssd(ch0) / 4 + 1e-5)], 1e-6);
  assert.deepEqual([...new BatchNorm2d(5).stateDict().keys()], ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
});

test('BatchNorm errors name the layer and shapes', () => {
  assert.throws(() => new BatchNorm2d(3).call(randn([2, 4, 2, 2])), /BatchNorm2d\(3\): input \[2, 4, 2, 2\] has 4 channels, expected 3/);
  assert.throws(() => new BatchNorm2d(3).call(randn([2, 3])), /BatchNorm2d\(3\): expected input \(N, C, H, W\), got \[2, 3\]/);
  assert.throws(() => new BatchNorm1d(3).call(randn([1, 3])), /more than 1 value per channel/);
});

test('BatchNorm gradcheck: train mode (x=[4,3] and [2,3,2,2]) and eval mode, input and affine params', () => {
  manualSeed(11);
  for (const [bn, shape] of [[new BatchNorm1d(3), [4, 3]], [new BatchNorm1d(3), [3, 3, 2]], [new BatchNorm2d(3), [2, 3, 2, 2]]] as const) {
    toFloat64(bn);
    bn.weight!.data.set([1.5, -0.5, 2]);
    bn.bias!.data.set([0.1, 0.2, -0.3]);
    const x = randn([...shape], { dtype: 'float64' }).requiresGrad_();
    gradcheck((xx) => bn.call(xx), [x, bn.weight!, bn.bias!]);
    bn.eval();
    gradcheck((xx) => bn.call(xx), [x, bn.weight!, bn.bias!]);
  }
});

test('BatchNorm2d.callRelu equals relu(bn(x) + residual) in train and eval mode; Sequential fuses BatchNorm → ReLU', async () => {
  const { Sequential, ReLU, Conv2d } = await import('../../src/nn/index.js');
  const { relu, add } = await import('../../src/ops/elementwise.js');
  manualSeed(12);
  const bnA = new BatchNorm2d(3), bnB = new BatchNorm2d(3);
  bnA.weight!.data.set([1.5, -0.5, 2]); bnB.weight!.data.set([1.5, -0.5, 2]);
  bnA.bias!.data.set([0.1, 0.2, -0.3]); bnB.bias!.data.set([0.1, 0.2, -0.3]);
  const x = randn([2, 3, 4, 5]), r = randn([2, 3, 4, 5]);
  for (const mode of ['train', 'eval'] as const) {
    bnA[mode](); bnB[mode]();
    const a = bnA.callRelu(x, r), b = relu(add(bnB.call(x), r));
    assert.deepEqual(a.toTypedArray(), b.toTypedArray(), mode);
    assert.deepEqual(bnA.runningMean!.toTypedArray(), bnB.runningMean!.toTypedArray(), `${mode}: running mean`);
    assert.deepEqual(bnA.callRelu(x).toTypedArray(), relu(bnB.call(x)).toTypedArray(), `${mode}: no residual`);
  }
  assert.throws(() => bnA.callRelu(x, randn([2, 3, 4, 1])), /BatchNorm2d\(3\)\.callRelu: residual \[2, 3, 4, 1\] must have the input's shape \[2, 3, 4, 5\]/);
  // Sequential: the fused pair gives the same output and gradients as running them one by one
  manualSeed(13);
  const net = new Sequential(new Conv2d(3, 4, 3, { padding: 1 }), new BatchNorm2d(4), new ReLU(), new Conv2d(4, 2, 1));
  const xi = randn([2, 3, 6, 6]);
  const fused = net.call(xi);
  fused.sum().backward();
  const gFused = net.parameters().map((p) => p.grad!.toTypedArray());
  for (const p of net.parameters()) p.grad = null;
  let y = xi;
  for (const m of net.children()) y = m.forward(y);
  y.sum().backward();
  assert.deepEqual(fused.toTypedArray(), y.toTypedArray());
  net.parameters().forEach((p, i) => assert.deepEqual(p.grad!.toTypedArray(), gFused[i], `grad ${i}`));
  // a batch-norm subclass with its own forward is not bypassed
  class Doubled extends BatchNorm2d { override forward(t: Tensor): Tensor { return super.forward(t).mul(2); } }
  const seq = new Sequential(new Doubled(3), new ReLU());
  assert.deepEqual(seq.call(x).toTypedArray(), relu(new Doubled(3).call(x)).toTypedArray());
});

test('BatchNorm2d.callRelu on a subclass with its own forward, or a watched instance, composes after that forward', () => {
  manualSeed(14);
  const x = randn([2, 3, 4, 4]);
  class Shifted extends BatchNorm2d { override forward(t: Tensor): Tensor { return super.forward(t).sub(0.5); } }
  const a = new Shifted(3), b = new Shifted(3);
  assert.deepEqual(a.callRelu(x).toTypedArray(), b.call(x).relu().toTypedArray());
  const watched = new BatchNorm2d(3);
  let seen: Tensor | null = null;
  const own = watched.forward.bind(watched);
  watched.forward = (t: Tensor): Tensor => (seen = own(t));
  const y = watched.callRelu(x);
  assert.ok(seen !== null, 'the replaced forward ran');
  assert.deepEqual(y.toTypedArray(), (seen as Tensor).relu().toTypedArray());
});
