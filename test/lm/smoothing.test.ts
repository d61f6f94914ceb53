// Hand-checkable cases for every smoothing method, and normalization over the vocabulary.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NervaError } from '../../src/errors.js';
import type { NgramModel } from '../../src/lm/model.js';
import { nextWordLogProbs } from '../../src/lm/sample.js';
import { trainSentences, trainText } from '../../src/lm/train.js';
import { BOS } from '../../src/lm/vocab.js';

// Corpus: "a b" twice, "a c" once. Bigram counts: <s> a 3, a b 2, a c 1, b </s> 2, c </s> 1.
// Unigram counts: a 3, b 2, c 1, </s> 3 (N = 9). Vocabulary V = {<unk>, </s>, a, b, c}: |V| = 5.
const CORPUS = [['a', 'b'], ['a', 'b'], ['a', 'c']];

/** p(word | context) with the context oldest first, e.g. p(m, 'b', ['<s>', 'a']). */
function p(model: NgramModel, word: string, context: string[]): number {
  const ids = context.map((w) => model.vocab.get(w));
  return 10 ** nextWordLogProbs(model, ids, true)[model.vocab.get(word)]!;
}

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-6 * Math.max(1, expected), `${what}: ${actual} vs ${expected}`);
}

test('mle: relative frequencies; unseen word probability 0', () => {
  const { model } = trainSentences(CORPUS, { order: 2, smoothing: 'mle' });
  close(p(model, 'b', ['a']), 2 / 3, 'p(b|a)');
  close(p(model, 'c', ['a']), 1 / 3, 'p(c|a)');
  close(p(model, 'a', []), 3 / 9, 'p(a)');
  assert.equal(p(model, '<unk>', []), 0);
  assert.equal(p(model, 'a', ['a']), 0);
});

test('add-k (laplace): (c + 1) / (c(h) + |V|) for seen n-grams; the rest backs off', () => {
  const { model } = trainSentences(CORPUS, { order: 2, smoothing: 'laplace' });
  close(p(model, 'b', ['a']), 3 / 8, 'p(b|a)');
  close(p(model, 'c', ['a']), 2 / 8, 'p(c|a)');
  close(p(model, 'a', []), 4 / 14, 'p(a)');
  close(p(model, '<unk>', []), 1 / 14, 'p(<unk>)');
  // unseen after a: the 3/8 left over, shared in proportion to the unigrams of a, </s>, <unk>
  const rest = 1 - 3 / 8 - 2 / 8;
  const lower = (4 + 4 + 1) / 14;
  close(p(model, 'a', ['a']), (rest * (4 / 14)) / lower, 'p(a|a)');
  const k2 = trainSentences(CORPUS, { order: 2, smoothing: 'add-k', k: 0.5 }).model;
  close(p(k2, 'b', ['a']), 2.5 / 5.5, 'add-0.5 p(b|a)');
});

test('witten-bell: (c + T·p_lower) / (c(h) + T)', () => {
  const { model } = trainSentences(CORPUS, { order: 2, smoothing: 'witten-bell' });
  // unigrams: T = 4 types seen (a b c </s>), interpolated with uniform 1/5
  const pb = (2 + 4 / 5) / (9 + 4);
  close(p(model, 'b', []), pb, 'p(b)');
  close(p(model, '<unk>', []), 4 / 5 / 13, 'p(<unk>)');
  close(p(model, 'b', ['a']), (2 + 2 * pb) / (3 + 2), 'p(b|a)');
});

test('absolute discounting: D = n1 / (n1 + 2 n2) per order, interpolated', () => {
  const { model, discounts } = trainSentences(CORPUS, { order: 2, smoothing: 'absolute' });
  // unigram raw counts 3 2 1 3: n1 = 1, n2 = 1 → D = 1/3; bigram counts 3 2 1 2 1: n1 = 2, n2 = 2 → D = 1/3
  close(discounts![0]![1], 1 / 3, 'D unigram');
  close(discounts![1]![1], 1 / 3, 'D bigram');
  const pb = (2 - 1 / 3) / 9 + ((4 / 3) / 9) * (1 / 5);
  close(p(model, 'b', []), pb, 'p(b)');
  close(p(model, 'b', ['a']), (2 - 1 / 3) / 3 + ((2 / 3) / 3) * pb, 'p(b|a)');
});

test('kneser-ney: continuation counts for lower orders, one discount per order', () => {
  const { model, discounts } = trainSentences(CORPUS, { order: 2, smoothing: 'kn' });
  // continuation counts: a {<s>} 1, b {a} 1, c {a} 1, </s> {b, c} 2 → n1 = 3, n2 = 1, D = 3/5
  close(discounts![0]![1], 0.6, 'D unigram');
  const pb = (1 - 0.6) / 5 + (0.6 * 4) / 5 / 5;
  close(p(model, 'b', []), pb, 'p(b)');
  close(p(model, 'b', ['a']), (2 - 1 / 3) / 3 + ((2 / 3) / 3) * pb, 'p(b|a)');
});

test('modified kneser-ney: D1 D2 D3+ by count class; too little data asks for fallback discounts', () => {
  assert.throws(() => trainSentences(CORPUS, { order: 2 }), (e: unknown) => e instanceof NervaError && /discount fallback/.test(e.message));
  const { model } = trainSentences(CORPUS, { order: 2, discountFallback: [0.5, 1, 1.5] });
  // unigrams: adjusted counts a 1, b 1, c 1, </s> 2 → γ = (0.5·3 + 1·1) / 5 = 0.5
  const pb = (1 - 0.5) / 5 + 0.5 / 5;
  close(p(model, 'b', []), pb, 'p(b)');
  // bigrams keep the closed form: n1 = 2, n2 = 2, n3 = 1, n4 = 0 → Y = 1/3, D1 = 1/3, D2 = 1.5, D3+ = 3
  // after a: b 2 (D2), c 1 (D1) → γ(a) = (1.5 + 1/3) / 3
  const gamma = (1.5 + 1 / 3) / 3;
  close(p(model, 'b', ['a']), (2 - 1.5) / 3 + gamma * pb, 'p(b|a)');
  close(p(model, 'c', ['a']), (1 - 1 / 3) / 3 + gamma * p(model, 'c', []), 'p(c|a)');
});

test('stupid back-off: relative frequency, else 0.4 × the shorter context', () => {
  const { model } = trainSentences(CORPUS, { order: 2, smoothing: 'stupid-backoff' });
  close(p(model, 'b', ['a']), 2 / 3, 'S(b|a)');
  close(p(model, 'a', ['b']), 0.4 * (3 / 9), 'S(a|b)');
});

const TEXT = `The cat sat on the mat. The dog sat on the log!
A cat and a dog met on a mat; the cat ran.

Did the dog see the cat? The dog did, and the mat was red.`;

for (const smoothing of ['mle', 'laplace', 'witten-bell', 'absolute', 'kn', 'mkn']) {
  test(`${smoothing}: probabilities sum to 1 over the vocabulary for every context seen (order 3)`, () => {
    const { model } = trainText(TEXT, { order: 3, smoothing, discountFallback: [0.5, 1, 1.5] });
    const contexts: number[][] = [[BOS]];
    for (let k = 2; k <= 3; k++) {
      const { keys, logProb } = model.tables[k - 1]!;
      for (let r = 0; r < logProb.length; r++) contexts.push(Array.from(keys.subarray(r * k, r * k + k - 1)));
    }
    contexts.push([]);
    for (const ctx of contexts) {
      const lps = nextWordLogProbs(model, ctx, true);
      let sum = 0;
      for (let w = 0; w < lps.length; w++) if (w !== BOS) sum += 10 ** lps[w]!;
      assert.ok(Math.abs(sum - 1) < 1e-5, `context '${ctx.map((id) => model.vocab.words[id]).join(' ')}' sums to ${sum}`);
    }
  });
}
