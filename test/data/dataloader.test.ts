// DataLoader: batching, drop-last, seeded shuffle, and a resumed loader continuing the same order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { Generator } from '../../src/tensor/random.js';
import { DataLoader } from '../../src/data/dataloader.js';
import { Subset, TensorDataset, type Dataset } from '../../src/data/dataset.js';

function ids(n: number): TensorDataset {
  // sample i is the 2-vector [i, -i] with label i % 3
  const x = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) { x[2 * i] = i; x[2 * i + 1] = -i; }
  return new TensorDataset(new Tensor(x, [n, 2]), Array.from({ length: n }, (_, i) => i % 3));
}

const order = (loader: DataLoader) => [...loader].map((b) => [...b.x.toTypedArray()].filter((_, k) => k % 2 === 0));

test('DataLoader batches n=10 batchSize=4 in order; dropLast drops the partial batch', () => {
  const ds = ids(10);
  const loader = new DataLoader(ds, { batchSize: 4 });
  assert.equal(loader.length, 3);
  const batches = [...loader];
  assert.deepEqual(batches.map((b) => b.x.shape), [[4, 2], [4, 2], [2, 2]]);
  assert.deepEqual([...batches[2]!.y.toTypedArray()], [8 % 3, 9 % 3]);
  assert.equal(batches[0]!.y.dtype, 'int32');
  const dl = new DataLoader(ds, { batchSize: 4, dropLast: true });
  assert.equal(dl.length, 2);
  assert.equal([...dl].length, 2);
});

test('DataLoader shuffle: a permutation, new every epoch, equal for equal seeds', () => {
  const ds = ids(50);
  const a = new DataLoader(ds, { batchSize: 8, shuffle: true, generator: new Generator(7) });
  const b = new DataLoader(ds, { batchSize: 8, shuffle: true, generator: new Generator(7) });
  const a1 = order(a).flat(), a2 = order(a).flat();
  assert.deepEqual([...a1].sort((p, q) => p - q), Array.from({ length: 50 }, (_, i) => i));
  assert.notDeepEqual(a1, a2);
  assert.deepEqual(order(b).flat(), a1);
  assert.deepEqual(order(b).flat(), a2);
  const c = new DataLoader(ds, { batchSize: 8, shuffle: true, generator: new Generator(8) });
  assert.notDeepEqual(order(c).flat(), a1);
});

test('DataLoader state taken mid-epoch and loaded into a fresh loader continues the same batches', () => {
  const ds = ids(37);
  const ref = new DataLoader(ds, { batchSize: 5, shuffle: true, generator: new Generator(3) });
  const full = [...order(ref), ...order(ref), ...order(ref)];
  for (const stopAfter of [1, 7, 8]) { // mid-epoch, the last batch of epoch 1 (epoch not closed), first of epoch 2
    const g = new Generator(3);
    const first = new DataLoader(ds, { batchSize: 5, shuffle: true, generator: g });
    const seen: number[][] = [];
    let state = first.stateDict();
    outer: for (let epoch = 0; epoch < 3; epoch++) {
      for (const b of first) {
        seen.push([...b.x.toTypedArray()].filter((_, k) => k % 2 === 0));
        if (seen.length === stopAfter) { state = JSON.parse(JSON.stringify(first.stateDict())); break outer; }
      }
    }
    g.random(); // the generator moves on after the checkpoint; the restored loader must not care
    const second = new DataLoader(ds, { batchSize: 5, shuffle: true, generator: new Generator(999) });
    second.loadStateDict(state);
    const rest: number[][] = [];
    for (let epoch = 0; rest.length + seen.length < full.length; epoch++) rest.push(...order(second));
    assert.deepEqual([...seen, ...rest], full, `stop after ${stopAfter}`);
  }
});

test('DataLoader refuses samples of different shapes, naming both', () => {
  const ds: Dataset = { length: 2, get: (i) => ({ x: new Tensor(new Float32Array(i + 1), [i + 1]), y: 0 }) };
  assert.throws(() => [...new DataLoader(ds, { batchSize: 2 })], /sample 1 has shape \[2\], but sample 0 has \[1\]/);
  assert.throws(() => new DataLoader(ds, { batchSize: 0 }), /batchSize must be a positive integer/);
});

test('Subset and TensorDataset index checks', () => {
  const ds = ids(5);
  const sub = new Subset(ds, [4, 0]);
  assert.equal(sub.get(0).y, 4 % 3);
  assert.throws(() => new Subset(ds, [5]), /index 5 is out of range for 5 samples/);
  assert.throws(() => ds.get(-1), /index -1 is out of range/);
});
