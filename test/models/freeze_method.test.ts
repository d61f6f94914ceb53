import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nv from '../../src/index.js';

test('model.freeze(pattern) / model.unfreeze(pattern) as methods, from the package entry point', () => {
  nv.manualSeed(0);
  const model = nv.models.resnet20({ numClasses: 10 });
  const frozen = model.freeze('layer1');
  assert.ok(frozen.length > 0 && frozen.every((n) => n.startsWith('layer1.')));
  assert.ok(model.namedParameters().filter(([n]) => n.startsWith('layer1.')).every(([, p]) => !p.requiresGrad));
  assert.ok(model.namedParameters().filter(([n]) => !n.startsWith('layer1.')).every(([, p]) => p.requiresGrad));
  model.unfreeze('layer1');
  assert.ok(model.parameters().every((p) => p.requiresGrad));
  assert.throws(() => model.freeze('no_such_layer'), /no_such_layer/);
});
