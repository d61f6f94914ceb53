// The training loop: a CI-sized LeNet-5 run on real MNIST digits, exact resume after a stop, and
// the stop on a non-finite loss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '../../src/tensor/tensor.js';
import { Generator, manualSeed } from '../../src/tensor/random.js';
import { DataLoader } from '../../src/data/dataloader.js';
import { Subset, TensorDataset, take } from '../../src/data/dataset.js';
import { loadMnist } from '../../src/node/mnist.js';
import { compose, normalize, randomAffine } from '../../src/data/transforms.js';
import { LeNet5 } from '../../src/models/lenet.js';
import { Linear } from '../../src/nn/index.js';
import { Adam, SGD, CosineAnnealingLR } from '../../src/optim/index.js';
import { loadCheckpoint } from '../../src/node/checkpoint.js';
import { fit, restoreRng, type TrainState } from '../../src/node/fit.js';

const mnistTrain = loadMnist({ split: 'train' });
const mnistTest = loadMnist({ split: 'test' });

test('LeNet-5 on 2000 MNIST digits, 1 epoch: the loss falls and test accuracy beats chance by far', async () => {
  manualSeed(1);
  const tf = normalize(0.1307, 0.3081);
  const train = take(mnistTrain.withTransform(tf), 2000);
  const testSet = new Subset(mnistTest.withTransform(tf), Array.from({ length: 500 }, (_, i) => i));
  const model = new LeNet5();
  const optimizer = new Adam(model.parameters(), { lr: 2e-3 });
  const losses: number[] = [];
  const lossFn = (x: Tensor, y: Tensor) => {
    const l = x.logSoftmax(1).gather(1, y.reshape(-1, 1)).neg().mean();
    if (x.requiresGrad) losses.push(l.item()); // training steps only, not evaluation
    return l;
  };
  const result = await fit({ model, optimizer, trainLoader: new DataLoader(train, { batchSize: 32, shuffle: true, generator: new Generator(2) }), valLoader: new DataLoader(testSet, { batchSize: 250 }), epochs: 1, lossFn, silent: true, numClasses: 10 });
  assert.equal(losses.length, Math.ceil(2000 / 32));
  const head = losses.slice(0, 10).reduce((a, b) => a + b) / 10;
  const tail = losses.slice(-10).reduce((a, b) => a + b) / 10;
  assert.ok(head > 2.0, `first losses near ln 10 = 2.30, got ${head}`);
  assert.ok(tail < 0.8, `last losses well below the start, got ${tail}`);
  const acc = result.history[0]!.valAccuracy!;
  assert.ok(acc > 0.8, `test accuracy ${acc} (chance is 0.1)`);
  assert.equal(result.lastEval!.confusion.total, 500);
});

/** A tiny LeNet run with augmentation (global RNG), shuffling (own generator), momentum and a schedule. */
function setup() {
  manualSeed(7);
  const tf = compose(randomAffine({ degrees: 10, translate: [0.1, 0.1] }), normalize(0.1307, 0.3081));
  const data = take(mnistTrain.withTransform(tf), 96);
  const model = new LeNet5();
  const optimizer = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const scheduler = new CosineAnnealingLR(optimizer, 9, { warmupSteps: 2 });
  const trainLoader = new DataLoader(data, { batchSize: 32, shuffle: true, generator: new Generator(8) });
  return { model, optimizer, scheduler, trainLoader };
}

const weights = (m: LeNet5) => m.parameters().map((p) => Array.from(p.toTypedArray()));

test('resume after a stop gives the same weights and history as an uninterrupted run', async () => {
  const a = setup();
  const full = await fit({ ...a, epochs: 3, silent: true });
  assert.equal(full.state.step, 9);
  for (const stopAt of [2, 3]) { // mid-epoch; after the last batch of epoch 1
    const dir = mkdtempSync(join(tmpdir(), 'nerva-resume-'));
    const b = setup();
    let batches = 0;
    const first = await fit({ ...b, epochs: 3, silent: true, outDir: dir, shouldStop: () => ++batches >= stopAt, handleSigint: false });
    assert.equal(first.stopped, true);
    assert.equal(first.state.step, stopAt);
    // A fresh process: everything rebuilt (with other random draws), then restored from the file.
    manualSeed(12345);
    const c = setup();
    const ckpt = loadCheckpoint(join(dir, 'checkpoint.safetensors'));
    ckpt.restore({ model: c.model, optimizer: c.optimizer, scheduler: c.scheduler });
    restoreRng(ckpt.rngState);
    const rest = await fit({ ...c, epochs: 3, silent: true, outDir: dir, resume: ckpt.extra.train as TrainState });
    assert.equal(rest.stopped, false);
    assert.equal(rest.state.step, 9);
    assert.deepEqual(weights(c.model), weights(a.model), `weights after stopping at batch ${stopAt}`);
    assert.deepEqual(rest.history.map((h) => h.trainLoss), full.history.map((h) => h.trainLoss));
    const log = readFileSync(join(dir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    assert.deepEqual(log.map((e) => e.type).filter((t) => t !== 'step'), ['start', 'stopped', 'resume', 'epoch', 'epoch', 'epoch']);
  }
});

test('a diverging run stops with the step and a hint to lower the learning rate, leaving no checkpoint', async () => {
  manualSeed(3);
  const x = new Tensor(Float32Array.from({ length: 64 * 4 }, (_, i) => ((i * 7919) % 13) * 100), [64, 4]);
  const data = new TensorDataset(x, Array.from({ length: 64 }, (_, i) => i % 3));
  const model = new Linear(4, 3);
  const dir = mkdtempSync(join(tmpdir(), 'nerva-nan-'));
  await assert.rejects(
    fit({ model, optimizer: new SGD(model.parameters(), { lr: 1e35 }), trainLoader: new DataLoader(data, { batchSize: 8 }), epochs: 5, silent: true, outDir: dir }),
    (e: Error) => /the loss became (NaN|Infinity) at step \d+ \(epoch 1, batch \d+\): training diverged; try a lower learning rate than 1e\+35 \(--lr\)/.test(e.message),
  );
  assert.equal(existsSync(join(dir, 'checkpoint.safetensors')), false);
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
});
