// The encoder–decoder: padding changes nothing (loss and every gradient), float64 gradchecks of the
// whole model, state-dict names, decoding (greedy = beam 1, n-best order, always ends), options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { manualSeed, Generator } from '../../src/tensor/random.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import '../../src/index.js';
import { Seq2Seq } from '../../src/models/seq2seq.js';
import { EncodedPairs, makeBatch } from '../../src/seq2seq/data.js';
import { seq2seqLoss, Seq2SeqTrainer } from '../../src/seq2seq/train.js';
import { decode } from '../../src/seq2seq/decode.js';
import { Adam } from '../../src/optim/adam.js';
import { BOS } from '../../src/seq/symbols.js';


const pairs = new EncodedPairs(
  [Int32Array.of(4, 5, 6), Int32Array.of(7), Int32Array.of(5, 5, 8, 9)],
  [Int32Array.of(6, 5), Int32Array.of(4, 4, 7), Int32Array.of(9)],
);

for (const arch of ['lstm', 'gru'] as const) {
  for (const attention of ['dot', 'general', 'additive'] as const) {
    test(`seq2seq ${arch}/${attention}: more padding gives the same loss and the same gradients`, () => {
      manualSeed(1);
      const model = new Seq2Seq({ arch, srcVocab: 10, tgtVocab: 10, embed: 5, encoderHidden: 4, encoderLayers: 2, bidirectional: true, decoderHidden: attention === 'dot' ? 8 : 6, decoderLayers: 2, attention, dropout: 0 });
      const grads = (extra: number): { loss: number; g: Float32Array[] } => {
        for (const p of model.parameters()) p.grad = null;
        const loss = seq2seqLoss(model, makeBatch(pairs, [0, 1, 2], extra), { labelSmoothing: 0.1 });
        loss.backward();
        return { loss: loss.item(), g: model.parameters().map((p) => Float32Array.from(p.grad!.toTypedArray())) };
      };
      const a = grads(0);
      const b = grads(3);
      assert.ok(Math.abs(a.loss - b.loss) < 1e-6, `loss ${a.loss} vs ${b.loss}`);
      a.g.forEach((g, i) => g.forEach((v, j) => assert.ok(Math.abs(v - b.g[i]![j]!) < 1e-6, `parameter ${model.namedParameters()[i]![0]}[${j}]: ${v} vs ${b.g[i]![j]}`)));
    });
  }
}

test('seq2seq: float64 gradcheck of the whole model (bidirectional LSTM, additive attention, bridge)', () => {
  manualSeed(2);
  const model = new Seq2Seq({ srcVocab: 10, tgtVocab: 10, embed: 3, encoderHidden: 2, encoderLayers: 1, bidirectional: true, decoderHidden: 3, decoderLayers: 2, attention: 'additive', dropout: 0 }).to('float64');
  const batch = makeBatch(pairs, [0, 1, 2], 1);
  const params = model.parameters().filter((p) => !p.shape.includes(10) || p.ndim === 1); // skip the embedding tables (sparse rows) for time
  gradcheck(() => model.run(batch.src, batch.srcLengths, batch.tgtIn).logits, params);
});

test('seq2seq: PyTorch-style state-dict names', () => {
  const model = new Seq2Seq({ srcVocab: 10, tgtVocab: 12, encoderLayers: 1, decoderLayers: 1, attention: 'general' });
  const names = model.namedParameters().map(([n]) => n);
  for (const n of ['encoder.embedding.weight', 'encoder.rnn.weight_ih_l0', 'encoder.rnn.weight_hh_l0_reverse', 'bridge_h.weight', 'bridge_c.bias', 'decoder.embedding.weight', 'decoder.rnn.bias_hh_l0', 'decoder.attention.linear_in.weight', 'decoder.concat.weight', 'decoder.out.weight', 'decoder.out.bias']) {
    assert.ok(names.includes(n), `missing ${n} in ${names.join(', ')}`);
  }
  assert.throws(() => new Seq2Seq({ srcVocab: 10, tgtVocab: 10, hiden: 3 } as never), /Seq2Seq: unknown option 'hiden'.*accepted: arch, srcVocab/);
  assert.throws(() => new Seq2Seq({ srcVocab: 10, tgtVocab: 10, attention: 'dot', encoderHidden: 4, decoderHidden: 6 }), /dot attention needs equal query and key widths, got 6 and 8/);
});

/** A model trained for a few steps to copy its input, so decodes are non-trivial. */
function copier(): { model: Seq2Seq; data: EncodedPairs } {
  manualSeed(5);
  const model = new Seq2Seq({ srcVocab: 12, tgtVocab: 12, embed: 16, encoderHidden: 16, encoderLayers: 1, decoderHidden: 32, decoderLayers: 1, dropout: 0 });
  const gen = new Generator(9);
  const src: Int32Array[] = [];
  for (let i = 0; i < 64; i++) src.push(Int32Array.from({ length: 1 + (i % 4) }, () => 4 + Math.floor(gen.random() * 8)));
  const data = new EncodedPairs(src, src);
  const trainer = new Seq2SeqTrainer(model, new Adam(model.parameters(), { lr: 0.01 }), { labelSmoothing: 0 });
  for (let s = 0; s < 200; s++) trainer.trainBatch(makeBatch(data, Array.from({ length: 16 }, (_, k) => (s * 16 + k) % 64)));
  return { model, data };
}

test('decode: greedy equals beam 1; beam n-best sorted by score; every decode ends within its limit', () => {
  const { model, data } = copier();
  const batch = makeBatch(data, [2, 1]); // two training sources, of 3 and 2 symbols
  const input = { src: batch.src, srcLengths: batch.srcLengths, maxLengths: [8, 8] };
  const greedy = decode(model, input);
  const beam1 = decode(model, input, { method: 'beam', beam: 1, lengthPenalty: 0 });
  assert.deepEqual(greedy.map((h) => h[0]!.ids), beam1.map((h) => h[0]!.ids));
  greedy.forEach((h, b) => assert.ok(Math.abs(h[0]!.logProb - beam1[b]![0]!.logProb) < 1e-4));
  const nbest = decode(model, input, { method: 'beam', beam: 4, nBest: 4, attention: true });
  for (const list of nbest) {
    assert.equal(list.length, 4);
    for (let i = 1; i < list.length; i++) assert.ok(list[i - 1]!.score >= list[i]!.score);
    const ids = list.map((h) => h.ids.join(','));
    assert.equal(new Set(ids).size, ids.length, 'n-best hypotheses are distinct');
    for (const h of list) {
      assert.equal(h.attention!.length, h.ids.length + (h.truncated ? 0 : 1), 'one attention row per output step');
      for (const row of h.attention!) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    }
  }
  assert.ok(nbest[0]![0]!.score >= decode(model, input, { method: 'beam', beam: 1 })[0]![0]!.score - 1e-6, 'a wider beam never finds a worse best');
  // the copier copies what it was trained on
  assert.deepEqual(nbest[0]![0]!.ids, [...data.source(2)]);
  assert.deepEqual(greedy[1]![0]!.ids, [...data.source(1)]);
  // limits: every method stops at maxLengths, marking the hypothesis truncated
  for (const method of ['greedy', 'sample', 'beam'] as const) {
    const r = decode(model, { ...input, maxLengths: [1, 2] }, { method, generator: new Generator(1) });
    assert.ok(r[0]![0]!.ids.length <= 1 && r[1]![0]!.ids.length <= 2, `${method} respects the limits`);
  }
  const sampled = decode(model, input, { method: 'sample', temperature: 0.5, generator: new Generator(3) });
  assert.deepEqual(sampled, decode(model, input, { method: 'sample', temperature: 0.5, generator: new Generator(3) }), 'sampling is seeded');
  assert.throws(() => decode(model, input, { beams: 3 } as never), /decode: unknown option 'beams' \(did you mean 'beam'\?\)/);
  assert.throws(() => decode(model, input, { method: 'beam', beam: 2, nBest: 3 }), /nBest must be an integer in \[1, beam = 2\]/);
  assert.throws(() => decode(model, { ...input, maxLengths: [0, 3] }), /maximum length 0 of input 0/);
  void BOS;
});

test('scheduled sampling: rate 1 feeds the model its own predictions, and training still runs', () => {
  manualSeed(4);
  const model = new Seq2Seq({ srcVocab: 10, tgtVocab: 10, embed: 4, encoderHidden: 4, encoderLayers: 1, decoderHidden: 4, decoderLayers: 1 });
  const trainer = new Seq2SeqTrainer(model, new Adam(model.parameters(), { lr: 0.01 }), { samplingRate: 1, generator: new Generator(1) });
  const r = trainer.trainBatch(makeBatch(pairs, [0, 1, 2]));
  assert.ok(Number.isFinite(r.loss) && r.tokens === 2 + 3 + 1 + 3);
  assert.throws(() => new Seq2SeqTrainer(model, new Adam(model.parameters()), { samplingRate: 0.5 }), /samplingRate needs a generator/);
  assert.throws(() => new Seq2SeqTrainer(model, new Adam(model.parameters()), { labelSmothing: 0.1 } as never), /unknown option 'labelSmothing' \(did you mean 'labelSmoothing'\?\)/);
});
