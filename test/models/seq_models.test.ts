// The sequence classifier and tagger: masked pooling (float64 gradchecks), padding invariance of
// loss and gradients, config checks, and tiny tasks trained to (near) perfect accuracy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randn, tensor } from '../../src/tensor/creation.js';
import { manualSeed, Generator } from '../../src/tensor/random.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { maskedMax, maskedMean } from '../../src/functional/seq_pool.js';
import { SeqClassifier, type SeqPool } from '../../src/models/seq_classifier.js';
import { Tagger } from '../../src/models/tagger.js';
import { SeqTrainer, batchLoss, evaluateSeq, makeBatch, predictClasses, predictTags, type SeqExample } from '../../src/models/seq_train.js';
import { bucketBatches } from '../../src/seq/batching.js';
import { Adam } from '../../src/optim/adam.js';
import { assertClose } from '../helpers/assert.js';

const lengths = [3, 1, 4];

test('maskedMean x=[3,4,2] lengths=[3,1,4]: values and float64 gradcheck', () => {
  manualSeed(1);
  const x = randn([3, 4, 2], { dtype: 'float64' }).requiresGrad_();
  const d = x.toTypedArray();
  const y = maskedMean(x, lengths).toTypedArray();
  for (let b = 0; b < 3; b++) for (let h = 0; h < 2; h++) {
    let s = 0;
    for (let t = 0; t < lengths[b]!; t++) s += d[(b * 4 + t) * 2 + h]!;
    assert.ok(Math.abs(y[b * 2 + h]! - s / lengths[b]!) < 1e-12);
  }
  gradcheck((a) => maskedMean(a, lengths), [x]);
});

test('maskedMax x=[3,4,2] lengths=[3,1,4]: padding never wins, float64 gradcheck', () => {
  manualSeed(2);
  const x = randn([3, 4, 2], { dtype: 'float64' });
  x.data[(1 * 4 + 2) * 2] = 100; // a huge value on sequence 1's padding must be ignored
  x.requiresGrad_();
  const d = x.toTypedArray();
  const y = maskedMax(x, lengths).toTypedArray();
  assert.equal(y[2], d[(1 * 4 + 0) * 2]); // sequence 1 has one step: its max is that step
  gradcheck((a) => maskedMax(a, lengths), [x]);
});

test('masked pooling refuses an empty sequence and a length past T', () => {
  const x = randn([2, 3, 2]);
  assert.throws(() => maskedMean(x, [0, 2]), /length 0 of sequence 0 is not in \[1, 3\].*empty sequence/);
  assert.throws(() => maskedMax(x, [2, 4]), /length 4 of sequence 1/);
  assert.throws(() => maskedMean(x, [2]), /1 lengths for a batch of 2/);
});

const examples: SeqExample[] = [
  { ids: Int32Array.from([4, 5, 6, 7, 8]), label: 1, labels: Int32Array.from([0, 1, 0, 1, 0]) },
  { ids: Int32Array.from([9, 4]), label: 0, labels: Int32Array.from([1, 1]) },
  { ids: Int32Array.from([6, 6, 7]), label: 2, labels: Int32Array.from([0, 0, 1]) },
];

/** Loss and every parameter gradient of one batch padded to at least minLength. */
function lossAndGrads(net: SeqClassifier | Tagger, task: 'classify' | 'tag', minLength: number): { loss: number; grads: Map<string, Float64Array> } {
  net.zeroGrad();
  const { loss } = batchLoss(net, task, makeBatch(examples, task, minLength));
  loss.backward();
  return { loss: loss.item(), grads: new Map(net.namedParameters().map(([n, p]) => [n, Float64Array.from(p.grad!.toTypedArray())])) };
}

const cases: { task: 'classify' | 'tag'; pool?: SeqPool; arch: 'lstm' | 'gru'; bidirectional: boolean; layers: number }[] = [
  { task: 'classify', pool: 'mean', arch: 'lstm', bidirectional: false, layers: 1 },
  { task: 'classify', pool: 'max', arch: 'gru', bidirectional: true, layers: 1 },
  { task: 'classify', pool: 'last', arch: 'lstm', bidirectional: true, layers: 2 },
  { task: 'classify', pool: 'last', arch: 'gru', bidirectional: false, layers: 1 },
  { task: 'tag', arch: 'lstm', bidirectional: true, layers: 1 },
  { task: 'tag', arch: 'gru', bidirectional: false, layers: 2 },
];

for (const c of cases) {
  test(`padding invariance: ${c.task} ${c.arch} ${c.bidirectional ? 'bi' : 'uni'} layers=${c.layers}${c.pool ? ` pool=${c.pool}` : ''}: T=5 vs T=9 give the same loss and gradients`, () => {
    manualSeed(3);
    const cfg = { arch: c.arch, vocabSize: 10, embed: 4, hidden: 3, layers: c.layers, bidirectional: c.bidirectional, dropout: 0 };
    const net = (c.task === 'classify' ? new SeqClassifier({ ...cfg, numClasses: 3, pool: c.pool }) : new Tagger({ ...cfg, numTags: 2 })).to('float64');
    const a = lossAndGrads(net, c.task, 0);
    const b = lossAndGrads(net, c.task, 9);
    assert.ok(Math.abs(a.loss - b.loss) < 1e-12, `loss ${a.loss} vs ${b.loss}`);
    for (const [name, g] of a.grads) assertClose(b.grads.get(name)!, g, 1e-10, 1e-12, `gradient of ${name}`);
    // and the gradient is real: some parameter of the recurrent layer moves the loss
    assert.ok([...a.grads].some(([n, g]) => n.startsWith('rnn.') && g.some((v) => v !== 0)));
  });
}

test("pool 'last' bidirectional = [forward state at the last valid step, backward state at step 0]", () => {
  manualSeed(4);
  const net = new SeqClassifier({ vocabSize: 10, numClasses: 2, embed: 4, hidden: 3, bidirectional: true, pool: 'last', dropout: 0 }).to('float64');
  const { ids, lengths: lens } = makeBatch(examples, 'classify', 7);
  const out = net.rnn.run(net.embedding.forward(ids), { lengths: lens }).output.toTypedArray(); // (B, T, 2H)
  const T = ids.shape[1]!;
  const pooled: number[] = [];
  for (let b = 0; b < 3; b++) {
    const fwd = (b * T + lens[b]! - 1) * 6;
    const bwd = b * T * 6 + 3;
    pooled.push(...out.slice(fwd, fwd + 3), ...out.slice(bwd, bwd + 3));
  }
  const w = net.fc.weight.toTypedArray();
  const bias = net.fc.bias!.toTypedArray();
  const logits = net.run(ids, lens).toTypedArray();
  for (let b = 0; b < 3; b++) for (let k = 0; k < 2; k++) {
    let s = bias[k]!;
    for (let j = 0; j < 6; j++) s += w[k * 6 + j]! * pooled[b * 6 + j]!;
    assert.ok(Math.abs(s - logits[b * 2 + k]!) < 1e-12);
  }
});

test('SeqClassifier and Tagger check their options', () => {
  assert.throws(() => new SeqClassifier({ vocabSize: 5, numClasses: 2, hiden: 3 } as never), /SeqClassifier: unknown option 'hiden' \(did you mean 'hidden'\?\); accepted: /);
  assert.throws(() => new SeqClassifier({ vocabSize: 5, numClasses: 2, pool: 'sum' as never }), /pool must be one of mean, max, last, got 'sum'/);
  assert.throws(() => new Tagger({ vocabSize: 5, numTags: 0 }), /Tagger: numTags must be a positive integer, got 0/);
  assert.throws(() => new Tagger({ vocabSize: 5, numTags: 2, arch: 'rnn' as never }), /arch must be one of lstm, gru/);
  assert.throws(() => new Tagger({ vocabSize: 5, numTags: 2, dropout: 1 }), /dropout must be in \[0, 1\)/);
});

/** Digit strings of length 3–10 (ids 4–13 = digits 0–9). */
function digitStrings(n: number, seed: number): Int32Array[] {
  const g = new Generator(seed);
  return Array.from({ length: n }, () => Int32Array.from({ length: 3 + Math.floor(g.random() * 8) }, () => 4 + Math.floor(g.random() * 10)));
}

function train(net: SeqClassifier | Tagger, task: 'classify' | 'tag', data: SeqExample[], epochs: number): void {
  const trainer = new SeqTrainer(net, task, new Adam(net.parameters(), { lr: 0.01 }), 1);
  for (let e = 0; e < epochs; e++) for (const idx of bucketBatches(data.map((d) => d.ids.length), 32, new Generator(e))) trainer.trainBatch(idx.map((i) => data[i]!));
}

test("classifier learns 'contains a 7' to ≥ 98% on held-out strings", () => {
  manualSeed(5);
  const has7 = (s: Int32Array): number => (s.includes(4 + 7) ? 1 : 0);
  const data = digitStrings(400, 1).map((ids) => ({ ids, label: has7(ids) }));
  const held = digitStrings(200, 2).map((ids) => ({ ids, label: has7(ids) }));
  const net = new SeqClassifier({ vocabSize: 14, numClasses: 2, embed: 16, hidden: 24, pool: 'max', dropout: 0 });
  train(net, 'classify', data, 8);
  const r = evaluateSeq(net, 'classify', held);
  assert.ok(r.correct / r.count >= 0.98, `accuracy ${r.correct}/${r.count}`);
  const probs = predictClasses(net, held.map((h) => h.ids));
  probs.forEach((p) => assert.ok(Math.abs(p[0]! + p[1]! - 1) < 1e-5));
});

test('bidirectional tagger learns "is the next digit larger?", which a left-to-right tagger cannot see', () => {
  manualSeed(6);
  // label t = 1 if digit t+1 > digit t (the last digit: 0); the answer lies to the right.
  const tagOf = (s: Int32Array): Int32Array => Int32Array.from(s, (d, t) => (t + 1 < s.length && s[t + 1]! > d ? 1 : 0));
  const data = digitStrings(400, 3).map((ids) => ({ ids, labels: tagOf(ids) }));
  const held = digitStrings(150, 4).map((ids) => ({ ids, labels: tagOf(ids) }));
  const acc = (bidirectional: boolean): number => {
    const net = new Tagger({ vocabSize: 14, numTags: 2, embed: 16, hidden: 24, bidirectional, dropout: 0 });
    train(net, 'tag', data, 10);
    const r = evaluateSeq(net, 'tag', held);
    const tags = predictTags(net, held.map((h) => h.ids));
    assert.deepEqual(tags.map((t) => t.length), held.map((h) => h.ids.length));
    return r.correct / r.count;
  };
  const bi = acc(true);
  const uni = acc(false);
  assert.ok(bi >= 0.97, `bidirectional token accuracy ${bi}`);
  assert.ok(uni < 0.85, `unidirectional token accuracy ${uni} (it cannot see the next digit)`);
});

test('makeBatch refuses an empty sequence', () => {
  assert.throws(() => makeBatch([{ ids: new Int32Array(0), label: 0 }], 'classify'), /empty sequence/);
  void tensor;
});
