// Checkpoints: model + optimizer + scheduler + counters + RNG in one safetensors file; restore is
// all-or-nothing with errors naming the file, architecture and keys; interrupted saves leave the
// previous checkpoint whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '../../src/tensor/tensor.js';
import { randn } from '../../src/tensor/creation.js';
import { manualSeed, getRngState, defaultGenerator } from '../../src/tensor/random.js';
import { backward } from '../../src/autograd/tape.js';
import { crossEntropy } from '../../src/functional/loss.js';
import { tensor } from '../../src/tensor/creation.js';
import * as nn from '../../src/nn/index.js';
import { Adam, SGD, StepLR } from '../../src/optim/index.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/node/checkpoint.js';
import { loadSafetensors, saveSafetensors } from '../../src/node/safetensors.js';

const dir = mkdtempSync(join(tmpdir(), 'nerva-ckpt-'));

function makeModel(): nn.Sequential {
  return new nn.Sequential(new nn.Conv2d(1, 3, 3), new nn.BatchNorm2d(3), new nn.ReLU(), new nn.Flatten(), new nn.Linear(3 * 4 * 4, 4));
}

const X = (() => { manualSeed(99); return randn([5, 1, 6, 6]); })();
const Y = tensor([0, 1, 2, 3, 1], { dtype: 'int32' });

function trainSteps(model: nn.Module, opt: Adam | SGD, sched: StepLR, n: number): void {
  for (let i = 0; i < n; i++) {
    opt.zeroGrad();
    backward(crossEntropy(model.call(X), Y));
    opt.step();
    sched.step();
  }
}

const values = (m: nn.Module) => [...m.stateDict()].map(([k, t]) => [k, [...t.toTypedArray()]]);

test('round trip: weights, buffers, optimizer state, schedule, counters, RNG, extra; training continues identically', () => {
  manualSeed(1);
  const model = makeModel();
  const opt = new Adam([{ params: model.getSubmodule('0').parameters() }, { params: [...model.getSubmodule('1').parameters(), ...model.getSubmodule('4').parameters()], lr: 0.01 }], { lr: 0.05 });
  const sched = new StepLR(opt, 2, { gamma: 0.5 });
  trainSteps(model, opt, sched, 3);
  defaultGenerator.normal(); // leaves a cached spare normal: an NaN-free state entry
  const rng = getRngState();
  const path = join(dir, 'ckpt.safetensors');
  saveCheckpoint(path, { model, optimizer: opt, scheduler: sched, epoch: 2, step: 3, rngState: rng, extra: { dataset: 'toy', arch: 'toynet' }, config: { numClasses: 4 } });

  // any safetensors reader sees the weights under PyTorch's names, the optimizer under optimizer.state.*
  const raw = loadSafetensors(path);
  assert.deepEqual([...raw.tensors.keys()].slice(0, 7), ['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked']);
  assert.ok(raw.tensors.has('optimizer.state.0.exp_avg') && raw.tensors.has('optimizer.state.5.exp_avg_sq'));
  assert.equal(raw.metadata.arch, 'toynet');
  assert.deepEqual(JSON.parse(raw.metadata.config!), { numClasses: 4 });

  const ck = loadCheckpoint(path);
  assert.equal(ck.arch, 'toynet');
  assert.equal(ck.epoch, 2);
  assert.equal(ck.step, 3);
  assert.deepEqual(ck.rngState, rng);
  assert.deepEqual(ck.extra, { dataset: 'toy', arch: 'toynet' });
  assert.equal(ck.optimizerName, 'Adam');

  manualSeed(2); // different init
  const model2 = makeModel();
  const opt2 = new Adam([{ params: model2.getSubmodule('0').parameters() }, { params: [...model2.getSubmodule('1').parameters(), ...model2.getSubmodule('4').parameters()], lr: 0.01 }], { lr: 0.05 });
  const sched2 = new StepLR(opt2, 2, { gamma: 0.5 });
  ck.restore({ model: model2, optimizer: opt2, scheduler: sched2, arch: 'toynet' });
  assert.deepEqual(values(model2), values(model));
  assert.equal(model2.stateDict().get('1.num_batches_tracked')!.item(), 3);
  assert.deepEqual(opt2.paramGroups.map((g) => g.lr), opt.paramGroups.map((g) => g.lr));
  assert.equal(sched2.lastEpoch, 3);
  // the next steps are the same computation
  trainSteps(model, opt, sched, 2);
  trainSteps(model2, opt2, sched2, 2);
  assert.deepEqual(values(model2), values(model));
});

test('NaN in the RNG state survives as null (JSON); a plain weights file loads with arch ""', () => {
  manualSeed(3);
  const model = makeModel();
  const path = join(dir, 'nan.safetensors');
  const rng = getRngState(); // fresh seed: no cached normal, last entry NaN
  assert.ok(Number.isNaN(rng[4]));
  saveCheckpoint(path, { model, rngState: rng });
  const ck = loadCheckpoint(path);
  assert.deepEqual(ck.rngState, [...rng.slice(0, 4), null]);
  assert.equal(ck.arch, 'Sequential', 'the class name when no arch is given');
  const plain = join(dir, 'plain.safetensors');
  saveSafetensors(plain, model.stateDict());
  const p = loadCheckpoint(plain);
  assert.equal(p.arch, '');
  const other = makeModel();
  p.restore({ model: other, arch: 'anything' });
  assert.deepEqual(values(other), values(model));
});

test('a checkpoint of another architecture or with other keys is refused, naming file, arch and keys; nothing changes', () => {
  manualSeed(4);
  const model = makeModel();
  const path = join(dir, 'arch.safetensors');
  saveCheckpoint(path, { model, arch: 'toynet' });
  const ck = loadCheckpoint(path);
  const target = makeModel();
  const before = values(target);
  assert.throws(() => ck.restore({ model: target, arch: 'lenet5' }), new RegExp(`${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: this checkpoint holds a 'toynet', not a 'lenet5'`));
  const different = new nn.Sequential(new nn.Conv2d(1, 3, 5), new nn.BatchNorm2d(3), new nn.ReLU(), new nn.Flatten(), new nn.Linear(12, 4), new nn.Linear(4, 2));
  assert.throws(() => ck.restore({ model: different }), (err: Error) => {
    assert.match(err.message, /arch\.safetensors \(a 'toynet' checkpoint\) does not fit this model/);
    assert.match(err.message, /missing keys: 5\.weight, 5\.bias/);
    assert.match(err.message, /0\.weight: checkpoint \[3, 1, 3, 3\], model \[3, 1, 5, 5\]/);
    return true;
  });
  assert.deepEqual(values(target), before);
});

test('an optimizer state that does not fit leaves the model as it was', () => {
  manualSeed(5);
  const model = makeModel();
  const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const sched = new StepLR(opt, 1);
  trainSteps(model, opt, sched, 1);
  const path = join(dir, 'opt.safetensors');
  saveCheckpoint(path, { model, optimizer: opt });
  const target = makeModel();
  const before = values(target);
  const wrongOpt = new SGD([target.parameters()[0]!], { lr: 0.1 });
  assert.throws(() => loadCheckpoint(path).restore({ model: target, optimizer: wrongOpt }), /group 0 has 6 parameters in the state, 1 here \(the model was left as it was\)/);
  assert.deepEqual(values(target), before);
  assert.throws(() => loadCheckpoint(path).restore({ model: target, optimizer: new Adam(target.parameters()) }), /the optimizer state is from SGD, not Adam/);
  assert.deepEqual(values(target), before);
});

test('Ctrl-C mid-save (a tensor read throws while streaming) leaves the previous checkpoint intact and no temp file', () => {
  manualSeed(6);
  const sub = join(dir, 'interrupt');
  mkdirSync(sub);
  const path = join(sub, 'checkpoint.safetensors');
  const model = makeModel();
  saveCheckpoint(path, { model, epoch: 1, step: 10 });
  const before = readFileSync(path);
  // The header and the first tensors are written, then reading the Linear weight fails.
  const w = model.stateDict().get('4.weight')! as Tensor & { toTypedArray: () => never };
  w.toTypedArray = () => { throw new Error('interrupted'); };
  assert.throws(() => saveCheckpoint(path, { model, epoch: 2, step: 20 }), /interrupted/);
  assert.deepEqual(readFileSync(path), before);
  assert.deepEqual(readdirSync(sub), ['checkpoint.safetensors']);
  assert.equal(loadCheckpoint(path).step, 10);
});
