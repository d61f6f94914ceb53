// Recurrent language models: data conventions shared with the n-gram tools, truncated BPTT that
// learns, evaluation that scores every token once, and sampling (greedy = temperature → 0, seeded,
// top-k/top-p, prompt errors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { Generator, manualSeed } from '../../src/tensor/random.js';
import { Adam } from '../../src/optim/adam.js';
import { RNNLM, detachState } from '../../src/models/rnn_lm.js';
import { BatchedStream, buildVocabulary, encode, sentencesOf, tokenizerSpec, TokenWriter } from '../../src/lm/neural/data.js';
import { LMTrainer, evaluate, lrAt } from '../../src/lm/neural/train.js';
import { encodePrompt, generate, sampleFromLogits } from '../../src/lm/neural/sample.js';
import { softmaxCrossEntropy } from '../../src/lm/neural/loss.js';
import { crossEntropy } from '../../src/functional/loss.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { randn } from '../../src/tensor/creation.js';

const TEXT = 'the cat sat on the mat.\nthe dog sat on the log.\n\na cat and a dog.\n';

test('data: char tokens follow the n-gram tokenizer, every line ends in </s>, OOVs are <unk>', () => {
  const spec = tokenizerSpec('char');
  assert.deepEqual(spec, { level: 'char', lowercase: false, sentences: 'line' });
  const sents = sentencesOf('ab  c\n\nba\n', spec);
  assert.deepEqual(sents, [['a', 'b', '▁', 'c'], ['b', 'a']]);
  const vocab = buildVocabulary(sents);
  assert.deepEqual(vocab.words, ['<unk>', '<s>', '</s>', 'a', 'b', '▁', 'c']);
  const enc = encode(sentencesOf('ax\n', spec), vocab);
  assert.deepEqual(Array.from(enc.ids), [2, 3, 0, 2]);
  assert.equal(enc.tokens, 3);
  assert.equal(enc.oovs, 1);
  const words = buildVocabulary(sentencesOf(TEXT, tokenizerSpec('word')), { minCount: 2 });
  assert.ok(words.has('the') && words.has('cat') && !words.has('mat'));
});

test('data: BatchedStream targets are the inputs shifted by one, per stream', () => {
  const ids = Int32Array.from({ length: 23 }, (_, i) => i);
  const s = new BatchedStream(ids, 3); // N = 7 steps per stream
  assert.equal(s.steps, 7);
  const { x, y } = s.batch(5, 4);
  assert.deepEqual(x.shape, [2, 3]);
  assert.deepEqual(x.toArray(), [[5, 12, 19], [6, 13, 20]]);
  assert.deepEqual(y.toArray(), [[6, 13, 20], [7, 14, 21]]);
});

test('lrAt: warm-up, cosine to the floor, constant', () => {
  const o = { lr: 1, totalSteps: 100, warmupSteps: 10 };
  assert.equal(lrAt(0, o), 0.1);
  assert.equal(lrAt(10, o), 1);
  assert.ok(Math.abs(lrAt(100, o) - 0.1) < 1e-12);
  assert.equal(lrAt(50, { ...o, schedule: 'constant' }), 1);
});

test('RNNLM: tied weights share one tensor; state keys follow PyTorch', () => {
  const m = new RNNLM({ vocabSize: 11, embed: 8, hidden: 8, layers: 2, tieWeights: true });
  assert.equal(m.decoder.weight, m.encoder.weight);
  assert.deepEqual([...m.stateDict().keys()].slice(0, 3), ['encoder.weight', 'rnn.weight_ih_l0', 'rnn.weight_hh_l0']);
  assert.equal(m.parameters().filter((p) => p === m.encoder.weight).length, 1);
  assert.throws(() => new RNNLM({ vocabSize: 5, embed: 4, hidden: 8, tieWeights: true }), /weight tying needs embed = hidden/);
});

for (const arch of ['lstm', 'gru', 'rnn'] as const) {
  test(`${arch} LM: truncated BPTT learns a small text; evaluation scores every token once`, () => {
    manualSeed(3);
    const spec = tokenizerSpec('char');
    const sents = sentencesOf(TEXT.repeat(4), spec);
    const vocab = buildVocabulary(sents);
    const enc = encode(sents, vocab);
    const model = new RNNLM({ arch, vocabSize: vocab.size, embed: 16, hidden: 32, layers: 1, dropout: 0 });
    const before = evaluate(model, enc.ids, { batchSize: 3, seqLen: 16 });
    assert.equal(before.tokens, enc.tokens);
    const trainer = new LMTrainer(model, new Adam(model.parameters(), { lr: 0.02 }), 1);
    const stream = new BatchedStream(enc.ids, 4);
    for (let epoch = 0; epoch < 8; epoch++) {
      trainer.state = null;
      for (let s = 0; s < stream.steps; s += 20) trainer.trainWindow(stream.batch(s, 20).x, stream.batch(s, 20).y);
    }
    assert.ok(trainer.state !== null && !trainer.state.h.requiresGrad, 'the carried state is detached');
    const after = evaluate(model, enc.ids, { batchSize: 3, seqLen: 16 });
    assert.equal(after.tokens, enc.tokens);
    assert.ok(after.bitsPerToken < 0.6 * before.bitsPerToken, `bits/char ${before.bitsPerToken.toFixed(2)} → ${after.bitsPerToken.toFixed(2)}`);
  });
}

test('evaluate: the result does not depend on the batch size beyond stream starts (same token count)', () => {
  manualSeed(4);
  const model = new RNNLM({ vocabSize: 7, embed: 4, hidden: 6, layers: 1 });
  const ids = Int32Array.from({ length: 50 }, (_, i) => (i * 3) % 7);
  const a = evaluate(model, ids, { batchSize: 1, seqLen: 7 });
  const b = evaluate(model, ids, { batchSize: 4, seqLen: 5 });
  assert.equal(a.tokens, 49);
  assert.equal(b.tokens, 49);
  assert.ok(Math.abs(a.nll - b.nll) / a.nll < 0.05);
});

test('LMTrainer: a non-finite loss stops before the update and keeps the weights', () => {
  manualSeed(5);
  const model = new RNNLM({ vocabSize: 7, embed: 4, hidden: 6, layers: 1, dropout: 0 });
  const trainer = new LMTrainer(model, new Adam(model.parameters(), { lr: 0.01 }), 0.5);
  model.decoder.bias!.data[0] = NaN;
  const before = Array.from(model.rnn.parameters()[0]!.data);
  const x = new Tensor(Int32Array.from([1, 2, 3, 4]), [2, 2]);
  assert.throws(() => trainer.trainWindow(x, x), /diverged at step 1: the loss became NaN; lower the learning rate .* or clip harder/);
  assert.deepEqual(Array.from(model.rnn.parameters()[0]!.data), before);
});

test('sampling: temperature → 0 equals greedy decoding; seeded runs repeat; top-k 1 is greedy', () => {
  manualSeed(6);
  const model = new RNNLM({ vocabSize: 12, embed: 8, hidden: 16, layers: 2 });
  const greedy = generate(model, { length: 30, temperature: 0, seed: 1 });
  // greedy by hand: read </s>, then repeatedly take the argmax (never <s>, id 1) and feed it back
  model.eval();
  const byHand: number[] = [];
  let r = model.run(new Tensor(Int32Array.of(2), [1, 1]));
  for (let i = 0; i < 30; i++) {
    const logits = r.logits.toTypedArray();
    let best = 0;
    for (let v = 2; v < logits.length; v++) if (logits[v]! > logits[best]!) best = v;
    byHand.push(best);
    r = model.run(new Tensor(Int32Array.of(best), [1, 1]), detachState(r.state));
  }
  model.train();
  assert.deepEqual(greedy, byHand);
  assert.deepEqual(generate(model, { length: 30, temperature: 1e-4, seed: 9 }), greedy);
  assert.deepEqual(generate(model, { length: 30, topK: 1, seed: 9 }), greedy);
  const a = generate(model, { length: 40, temperature: 1.5, seed: 42 });
  assert.deepEqual(generate(model, { length: 40, temperature: 1.5, seed: 42 }), a);
  assert.notDeepEqual(generate(model, { length: 40, temperature: 1.5, seed: 43 }), a);
  const warmed = generate(model, { length: 20, temperature: 0.9, seed: 5, burnIn: 15 });
  assert.deepEqual(generate(model, { length: 20, temperature: 0.9, seed: 5, burnIn: 15 }), warmed);
  assert.throws(() => generate(model, { length: 5, burnIn: -1 }), /burnIn must be an integer >= 0/);
  const streamed: number[] = [];
  generate(model, { length: 10, seed: 2, onToken: (id) => streamed.push(id) });
  assert.deepEqual(streamed, generate(model, { length: 10, seed: 2 }));
});

test('sampleFromLogits: top-k and top-p keep only the best candidates', () => {
  const logits = [0, 3, 2.9, -5, 1];
  const gen = new Generator(1);
  const seen = new Set<number>();
  for (let i = 0; i < 300; i++) seen.add(sampleFromLogits(logits, { topK: 2 }, gen));
  assert.deepEqual([...seen].sort(), [1, 2]);
  seen.clear();
  for (let i = 0; i < 300; i++) seen.add(sampleFromLogits(logits, { topP: 0.4 }, gen));
  assert.deepEqual([...seen], [1]);
  assert.throws(() => sampleFromLogits(logits, { topP: 0 }, gen), /top-p must be in \(0, 1\]/);
  assert.throws(() => sampleFromLogits(logits, { temperature: -1 }, gen), /temperature must be/);
});

test('prompts: characters outside the vocabulary give a clear error; words map to <unk>', () => {
  const spec = tokenizerSpec('char');
  const vocab = buildVocabulary(sentencesOf('hello world', spec));
  assert.deepEqual(encodePrompt('he lo ', vocab, spec).map((i) => vocab.word(i)), ['h', 'e', '▁', 'l', 'o', '▁']);
  assert.throws(() => encodePrompt('hey', vocab, spec), /the prompt's character 'y' \(U\+0079\) is not in the model's vocabulary of 11 tokens/);
  const wspec = tokenizerSpec('word');
  const wv = buildVocabulary(sentencesOf('the cat sat', wspec));
  assert.deepEqual(encodePrompt('The dog', wv, wspec), [wv.get('the'), 0]);
});

test('TokenWriter streams characters and words as text', () => {
  let out = '';
  const w = new TokenWriter('word', (s) => (out += s));
  for (const t of ['the', 'cat', ',', 'sat', '.', '</s>', 'a']) w.push(t);
  assert.equal(out, 'the cat, sat.\na');
  out = '';
  const c = new TokenWriter('char', (s) => (out += s));
  for (const t of ['h', 'i', '▁', 'x', '</s>']) c.push(t);
  assert.equal(out, 'hi x\n');
});

test('softmaxCrossEntropy equals the composed crossEntropy (values and gradients) and passes gradcheck', () => {
  const g = new Generator(8);
  const targets = new Tensor(Int32Array.from([0, 4, 2, 2, 1]), [5]);
  for (const reduction of ['mean', 'sum'] as const) {
    const a = randn([5, 6], { generator: g }).mul(3).detach().requiresGrad_();
    const b = a.detach().requiresGrad_();
    const fused = softmaxCrossEntropy(a, targets, reduction);
    const composed = crossEntropy(b, targets, { reduction });
    assert.ok(Math.abs(fused.item() - composed.item()) < 1e-5);
    fused.backward();
    composed.backward();
    const ga = a.grad!.toTypedArray(), gb = b.grad!.toTypedArray();
    for (let i = 0; i < ga.length; i++) assert.ok(Math.abs(ga[i]! - gb[i]!) < 1e-6, `grad[${i}] ${ga[i]} vs ${gb[i]}`);
    const x64 = randn([5, 6], { dtype: 'float64', generator: g, requiresGrad: true });
    gradcheck((x) => softmaxCrossEntropy(x, targets, reduction), [x64]);
  }
  assert.throws(() => softmaxCrossEntropy(randn([2, 3]), new Tensor(Int32Array.from([0, 3]), [2])), /target 3 is out of range for 3 classes/);
});
