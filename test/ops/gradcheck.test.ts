import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nv from '../../src/index.js';
import type { Tensor } from '../../src/index.js';

// Central-difference gradient checks in float64 for every differentiable primitive, on shapes
// with size-1 and broadcast dimensions.

nv.manualSeed(7);
const f64 = (shape: number[], opts: { positive?: boolean; awayFromZero?: boolean } = {}): Tensor => {
  let t = nv.randn(shape, { dtype: 'float64' });
  if (opts.positive) t = t.abs().add(0.5);
  if (opts.awayFromZero) t = nv.where(t.ge(0), t.add(0.3), t.sub(0.3));
  return t.detach().requiresGrad_();
};

function check(name: string, fn: (...xs: Tensor[]) => Tensor, inputs: () => Tensor[]): void {
  test(`gradcheck ${name}`, () => {
    const result = nv.gradcheck(fn, inputs());
    assert.ok(result.maxAbsError < 1e-5, `max error ${result.maxAbsError}`);
  });
}

const unary: [string, (x: Tensor) => Tensor, { positive?: boolean; awayFromZero?: boolean }][] = [
  ['neg', nv.neg, {}],
  ['abs', nv.abs, { awayFromZero: true }],
  ['exp', nv.exp, {}],
  ['log', nv.log, { positive: true }],
  ['sqrt', nv.sqrt, { positive: true }],
  ['rsqrt', nv.rsqrt, { positive: true }],
  ['tanh', nv.tanh, {}],
  ['sigmoid', nv.sigmoid, {}],
  ['relu', nv.relu, { awayFromZero: true }],
  ['leakyRelu', (x) => nv.leakyRelu(x, 0.2), { awayFromZero: true }],
  ['gelu', nv.gelu, {}],
  ['erf', nv.erf, {}],
  ['sin', nv.sin, {}],
  ['cos', nv.cos, {}],
  ['square', nv.square, {}],
  ['reciprocal', nv.reciprocal, { awayFromZero: true }],
  ['clamp', (x) => nv.clamp(x, -0.5, 0.7), {}],
];
for (const [name, fn, opts] of unary) check(`${name} x=[3,1,4]`, fn, () => [f64([3, 1, 4], opts)]);

const binary: [string, (a: Tensor, b: Tensor) => Tensor, boolean][] = [
  ['add', nv.add, false],
  ['sub', nv.sub, false],
  ['mul', nv.mul, false],
  ['div', nv.div, true],
  ['pow', nv.pow, true],
  ['maximum', nv.maximum, false],
  ['minimum', nv.minimum, false],
];
for (const [name, fn, positive] of binary) {
  check(`${name} a=[2,3,4] b=[2,3,4]`, fn, () => [f64([2, 3, 4], { positive }), f64([2, 3, 4], { positive })]);
  check(`${name} broadcast a=[2,1,4] b=[3,1]`, fn, () => [f64([2, 1, 4], { positive }), f64([3, 1], { positive })]);
  check(`${name} with scalar tensor b=[]`, fn, () => [f64([2, 3], { positive }), f64([], { positive })]);
}
check('where cond=[2,1] a=[2,3] b=[3]', (a, b) => nv.where(nv.tensor([[1], [0]], { dtype: 'bool' }), a!, b!), () => [f64([2, 3]), f64([3])]);

check('sum all', (x) => nv.sum(x), () => [f64([2, 3, 4])]);
check('sum axes=[0,2] keepDim', (x) => nv.sum(x, [0, 2], true), () => [f64([2, 3, 4])]);
check('sum axis=-1', (x) => nv.sum(x, -1), () => [f64([2, 1, 5])]);
check('max axis=1', (x) => nv.max(x, 1), () => [f64([3, 4, 2])]);
check('min axes=[0,2]', (x) => nv.min(x, [0, 2]), () => [f64([3, 4, 2])]);
check('mean axis=1', (x) => nv.mean(x, 1), () => [f64([3, 4])]);
check('variance axis=0', (x) => nv.variance(x, 0), () => [f64([5, 3])]);
check('std all', (x) => nv.std(x), () => [f64([4, 3])]);
check('logSumExp axis=1', (x) => nv.logSumExp(x, 1), () => [f64([3, 5])]);

check('reshape [2,3,4]→[4,6]', (x) => nv.reshape(x, [4, 6]).mul(nv.arange(24, undefined, 1, { dtype: 'float64' }).reshape(4, 6)), () => [f64([2, 3, 4])]);
check('permute [2,3,4]→[2,0,1]', (x) => nv.permute(x, [2, 0, 1]).contiguous(), () => [f64([2, 3, 4])]);
check('transpose then reshape (copy)', (x) => nv.reshape(nv.transpose(x, 0, 1), [-1]), () => [f64([3, 4])]);
const weights234 = nv.randn([2, 3, 4], { dtype: 'float64' });
check('expand [3,1]→[2,3,4]', (x) => nv.expand(x, [2, 3, 4]).mul(weights234), () => [f64([3, 1])]);
check('slice dim=1 1:5:2', (x) => nv.slice(x, 1, 1, 5, 2), () => [f64([2, 6])]);
check('narrow dim=0', (x) => nv.narrow(x, 0, 1, 2), () => [f64([4, 3])]);
check('pad [1,2,0,1] value=0.5', (x) => nv.pad(x, [1, 2, 0, 1], 0.5), () => [f64([2, 3, 3])]);
check('pad negative (crop)', (x) => nv.pad(x, [-1, 1]), () => [f64([2, 4])]);
check('cat dim=1', (a, b) => nv.cat([a!, b!], 1), () => [f64([2, 3]), f64([2, 2])]);
check('stack dim=0', (a, b) => nv.stack([a!, b!], 0), () => [f64([2, 3]), f64([2, 3])]);
check('split + mul', (x) => { const [a, b] = nv.split(x, [1, 2], 1); return nv.mul(a!, nv.sum(b!, 1, true)); }, () => [f64([2, 3])]);
check('gather dim=1', (x) => nv.gather(x, 1, nv.tensor([[0, 2, 2], [1, 0, 1]], { dtype: 'int32' })), () => [f64([2, 4])]);
check('indexSelect dim=0 repeated rows', (x) => nv.indexSelect(x, 0, nv.tensor([2, 0, 2], { dtype: 'int32' })), () => [f64([3, 4])]);
test('gradcheck toType float64→float32→float64 (float32 precision)', () => {
  nv.gradcheck((x) => nv.toType(nv.toType(x, 'float32'), 'float64').mul(3), [f64([3])], { eps: 1e-2, atol: 1e-3, rtol: 1e-3 });
});

check('matmul [3,4]·[4,5]', nv.matmul, () => [f64([3, 4]), f64([4, 5])]);
check('matmul batched broadcast [2,1,3,4]·[3,4,2]', nv.matmul, () => [f64([2, 1, 3, 4]), f64([3, 4, 2])]);
check('matmul vector·matrix [4]·[4,3]', nv.matmul, () => [f64([4]), f64([4, 3])]);
check('matmul matrix·vector [3,4]·[4]', nv.matmul, () => [f64([3, 4]), f64([4])]);
check('matmul dot [5]·[5]', nv.matmul, () => [f64([5]), f64([5])]);
check('matmul shared weight [2,3,4]·[4,5] (one GEMM for ∂B)', nv.matmul, () => [f64([2, 3, 4]), f64([4, 5])]);
check('matmul shared weight, permuted input [3,2,4]ᵀ·[4,5]', (a, b) => nv.matmul(nv.transpose(a!, 0, 1), b!), () => [f64([3, 2, 4]), f64([4, 5])]);
check('linear [3,4]·[5,4]ᵀ + [5]', nv.linear, () => [f64([3, 4]), f64([5, 4]), f64([5])]);
check('linear batched [2,3,4], no bias', (x, w) => nv.linear(x!, w!), () => [f64([2, 3, 4]), f64([5, 4])]);
check('linear transposed input view [4,2,3]ᵀ', (x, w, b) => nv.linear(nv.transpose(x!, 0, 2), w!, b!), () => [f64([4, 2, 3]), f64([2, 4]), f64([2])]);
check('linear vector [4]', nv.linear, () => [f64([4]), f64([3, 4]), f64([3])]);
check('matmul transposed views', (a, b) => nv.matmul(nv.transpose(a!), nv.transpose(b!)), () => [f64([4, 3]), f64([2, 4])]);

check('conv2d x=[2,3,6,5] w=[4,3,3,3] s=1 p=1 bias', (x, w, b) => nv.conv2d(x!, w!, b!, { padding: 1 }), () => [f64([2, 3, 6, 5]), f64([4, 3, 3, 3]), f64([4])]);
check('conv2d x=[1,4,7,7] w=[2,2,3,2] s=2 d=2 groups=2', (x, w) => nv.conv2d(x!, w!, null, { stride: 2, dilation: [2, 1], groups: 2 }), () => [f64([1, 4, 7, 7]), f64([2, 2, 3, 2])]);
check("conv2d padding='same' even kernel", (x, w) => nv.conv2d(x!, w!, null, { padding: 'same' }), () => [f64([1, 2, 5, 5]), f64([3, 2, 2, 4])]);
check('maxPool2d k=2 s=2', (x) => nv.maxPool2d(x, 2), () => [f64([2, 2, 4, 6])]);
check('maxPool2d k=3 s=2 p=1 ceil', (x) => nv.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }), () => [f64([1, 2, 7, 6])]);
check('avgPool2d k=3 s=2 p=1 countIncludePad=false', (x) => nv.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }), () => [f64([1, 2, 7, 6])]);
check('minPool2d k=2', (x) => nv.minPool2d(x, 2), () => [f64([1, 2, 4, 4])]);
check('adaptiveAvgPool2d 5x7→3x2', (x) => nv.adaptiveAvgPool2d(x, [3, 2]), () => [f64([1, 2, 5, 7])]);

check('softmax dim=1', (x) => nv.softmax(x, 1), () => [f64([3, 5])]);
check('softmax middle dim of [2,4,3]', (x) => nv.softmax(x, 1), () => [f64([2, 4, 3])]);
check('softmax dim=0 of [5,1,2]', (x) => nv.softmax(x, 0), () => [f64([5, 1, 2])]);
check('logSoftmax dim=0', (x) => nv.logSoftmax(x, 0), () => [f64([3, 5])]);
check('crossEntropy ignoreIndex + labelSmoothing', (x) => nv.crossEntropy(x, nv.tensor([1, -100, 3, 0], { dtype: 'int32' }), { labelSmoothing: 0.1 }), () => [f64([4, 5])]);
check('crossEntropy spatial (N, C, d)', (x) => nv.crossEntropy(x, nv.tensor([[0, 2, 1], [2, 2, 0]], { dtype: 'int32' })), () => [f64([2, 3, 3])]);
const probTargets = nv.softmax(nv.randn([3, 4], { dtype: 'float64' }), 1);
check('crossEntropy probability targets', (x) => nv.crossEntropy(x, probTargets), () => [f64([3, 4])]);
check('nllLoss sum', (x) => nv.nllLoss(nv.logSoftmax(x, 1), nv.tensor([1, 0, 2], { dtype: 'int32' }), { reduction: 'sum' }), () => [f64([3, 3])]);
check('mseLoss', (a, b) => nv.mseLoss(a!, b!), () => [f64([3, 4]), f64([3, 4])]);
check('l1Loss', (a, b) => nv.l1Loss(a!, b!), () => [f64([3, 4], { awayFromZero: true }), nv.zeros([3, 4], { dtype: 'float64' })]);
check('binaryCrossEntropyWithLogits', (x) => nv.binaryCrossEntropyWithLogits(x, nv.tensor([[1, 0, 1], [0, 0.5, 1]], { dtype: 'float64' })), () => [f64([2, 3])]);
check('dropout (fixed seed) is mask·x/(1−p)', (x) => { nv.manualSeed(3); return nv.dropout(x, 0.4); }, () => [f64([4, 5])]);
