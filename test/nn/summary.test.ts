import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../src/nn/index.js';

test('summary: LeNet-style model rows, shapes, parameter totals; training mode restored, forward unwrapped', () => {
  const model = new nn.Sequential(
    new nn.Conv2d(1, 6, 5), new nn.Tanh(), new nn.AvgPool2d(2),
    new nn.Conv2d(6, 16, 5), new nn.BatchNorm2d(16), new nn.Tanh(), new nn.AvgPool2d(2),
    new nn.Flatten(), new nn.Linear(400, 120), new nn.Dropout(0.5), new nn.Linear(120, 10),
  );
  model.getSubmodule('0').requiresGrad_(false);
  const s = nn.summarize(model, [2, 1, 32, 32]);
  assert.deepEqual(s.rows.map((r) => r.path), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
  assert.deepEqual(s.rows[0]!.outputShape, [2, 6, 28, 28]);
  assert.deepEqual(s.rows[6]!.outputShape, [2, 16, 5, 5]);
  assert.deepEqual(s.rows[7]!.outputShape, [2, 400]);
  assert.deepEqual(s.outputShape, [2, 10]);
  assert.equal(s.rows[3]!.params, 6 * 16 * 25 + 16);
  const total = 156 + 2416 + 32 + 48120 + 1210;
  assert.equal(s.totalParams, total);
  assert.equal(s.nonTrainableParams, 156);
  assert.equal(s.trainableParams, total - 156);
  assert.match(s.table, /Total params: 51,934/);
  assert.match(s.table, /Non-trainable params: 156/);
  assert.match(s.table, /3 \(Conv2d\)\s+\[2, 16, 10, 10\]\s+2,416/);
  assert.equal(s.rows.reduce((a, r) => a + r.params, 0), total);
  // the model is still in training mode, BatchNorm stats untouched (eval pass), forwards unwrapped
  assert.ok(model.modules().every((m) => m.training));
  assert.equal(model.stateDict().get('4.num_batches_tracked')!.item(), 0);
  assert.ok(model.modules().every((m) => !Object.prototype.hasOwnProperty.call(m, 'forward')));
  assert.equal(nn.summary(model, [1, 1, 32, 32]).split('\n').length, s.table.split('\n').length);
});

test('summary: a shared module is counted once and marked', () => {
  const shared = new nn.Linear(4, 4);
  const model = new nn.Sequential(shared, new nn.ReLU(), shared);
  const s = nn.summarize(model, [3, 4]);
  assert.equal(s.rows.length, 3);
  assert.equal(s.rows[2]!.repeated, true);
  assert.equal(s.totalParams, 20);
  assert.match(s.table, /\(shared\)/);
});

test('summary: a shape error from the model propagates and the model is restored', () => {
  const model = new nn.Sequential(new nn.Conv2d(3, 4, 3));
  model.train();
  assert.throws(() => nn.summary(model, [1, 1, 8, 8]), /expected input \(N, 3, H, W\)/);
  assert.ok(model.training);
  assert.ok(!Object.prototype.hasOwnProperty.call(model.at(0), 'forward'));
});
