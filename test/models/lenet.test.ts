// LeNet-5 in both forms: parameter counts (as in the paper's count of the common variant and
// torchvision-style layers), shapes, registry names and the error for a wrong input size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zeros } from '../../src/tensor/creation.js';
import { summarize } from '../../src/nn/summary.js';
import { LeNet5, LeNet5Classic } from '../../src/models/lenet.js';
import { createModel, listModels, modelInputShape, registerModel } from '../../src/models/registry.js';

test('LeNet-5 modern: 61,706 parameters, (N, 1, 28, 28) → (N, 10), PyTorch-style names', () => {
  const m = new LeNet5();
  const s = summarize(m, [2, 1, 28, 28]);
  assert.equal(s.totalParams, 61706); // 156 + 2416 + 48120 + 10164 + 850
  assert.deepEqual(s.outputShape, [2, 10]);
  assert.deepEqual(s.rows.filter((r) => r.params > 0).map((r) => [r.path, r.params]), [
    ['features.0', 156], ['features.3', 2416], ['classifier.1', 48120], ['classifier.3', 10164], ['classifier.5', 850],
  ]);
  assert.deepEqual([...m.stateDict().keys()].slice(0, 2), ['features.0.weight', 'features.0.bias']);
});

test('LeNet-5 classic: C5 is a 5×5 convolution onto 1×1 maps, 32×32 input, 61,706 parameters', () => {
  const m = new LeNet5Classic({ numClasses: 7, inChannels: 3 });
  const s = summarize(m, [1, 3, 32, 32]);
  assert.deepEqual(s.rows.find((r) => r.path === 'features.6')!.outputShape, [1, 120, 1, 1]);
  assert.deepEqual(s.outputShape, [1, 7]);
  assert.equal(s.totalParams, 456 + 2416 + 48120 + 10164 + 595);
  assert.throws(() => new LeNet5Classic().call(zeros([1, 1, 28, 28])), /LeNet5Classic: expected input \(N, C, 32, 32\), got \[1, 1, 28, 28\] \(pad 28×28 digits by 2\)/);
  assert.throws(() => new LeNet5().call(zeros([1, 1, 32, 32])), /LeNet5: expected input \(N, C, 28, 28\)/);
});

test('registry: names, input shapes, one-line registration, unknown names listed', () => {
  assert.deepEqual(listModels().slice(0, 2).map((m) => m.name), ['lenet5', 'lenet5-classic']);
  assert.deepEqual(modelInputShape('lenet5-classic'), [1, 32, 32]);
  assert.ok(createModel('lenet5', { numClasses: 3 }) instanceof LeNet5);
  registerModel('tiny-test', { about: 'test', inputSize: 28, inChannels: 1, create: (o) => new LeNet5(o) });
  assert.ok(listModels().some((m) => m.name === 'tiny-test'));
  assert.throws(() => createModel('lenet6'), /unknown architecture 'lenet6' \(known: lenet5, lenet5-classic/);
});
