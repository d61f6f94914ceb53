import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Random } from '../../src/lm/random.js';
import { beamSearch, drawIndex, greedy, nextWordLogProbs, sample } from '../../src/lm/sample.js';
import { trainText } from '../../src/lm/train.js';
import { BOS, EOS, UNK } from '../../src/lm/vocab.js';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'kenlm');
// first 2,000 sentences of the Moby Dick training file: a bigram model with a rich distribution
const text = readFileSync(join(FIXTURES, 'moby_word_train.txt'), 'utf8').split('\n').slice(0, 2000).join('\n');
const { model } = trainText(text, { order: 2, level: 'whitespace' });
const THE = model.vocab.get('the');

function distribution(context: number[]): Float64Array {
  const lps = nextWordLogProbs(model, context);
  const p = new Float64Array(lps.length);
  let sum = 0;
  for (let i = 0; i < lps.length; i++) sum += p[i] = 10 ** lps[i]!;
  for (let i = 0; i < p.length; i++) p[i]! /= sum;
  return p;
}

test('sampling frequencies match the model distribution (chi-square, 20,000 draws, seed 7)', () => {
  const context = [BOS, THE];
  const p = distribution(context);
  const lps = nextWordLogProbs(model, context);
  const rng = new Random(7);
  const draws = 20000;
  const hits = new Float64Array(p.length);
  for (let i = 0; i < draws; i++) hits[drawIndex(lps, rng)]!++;
  // bins: the 25 likeliest words, the rest together
  const order = Array.from(p.keys()).sort((a, b) => p[b]! - p[a]!);
  const bins = order.slice(0, 25).map((w) => [p[w]!, hits[w]!]);
  const restP = order.slice(25).reduce((s, w) => s + p[w]!, 0);
  const restHits = order.slice(25).reduce((s, w) => s + hits[w]!, 0);
  bins.push([restP, restHits]);
  let chi2 = 0;
  for (const [q, h] of bins) chi2 += (h! - draws * q!) ** 2 / (draws * q!);
  // 25 degrees of freedom: P(chi2 > 52.6) = 0.001
  assert.ok(chi2 < 52.6, `chi-square ${chi2.toFixed(1)} with 25 degrees of freedom`);
  assert.equal(hits[BOS], 0, '<s> is never drawn');
  assert.equal(hits[UNK], 0, '<unk> is not drawn by default');
});

test('temperature → 0 gives the argmax; top-k limits the choices', () => {
  const lps = nextWordLogProbs(model, [BOS, THE]);
  let argmax = 0;
  for (let i = 0; i < lps.length; i++) if (lps[i]! > lps[argmax]!) argmax = i;
  const rng = new Random(1);
  assert.equal(drawIndex(lps, rng, 0), argmax);
  for (let i = 0; i < 200; i++) assert.equal(drawIndex(lps, rng, 1e-4), argmax);
  const top3 = Array.from(lps.keys()).sort((a, b) => lps[b]! - lps[a]!).slice(0, 3);
  for (let i = 0; i < 300; i++) assert.ok(top3.includes(drawIndex(lps, rng, 1, 3)));
  assert.equal(drawIndex(lps, rng, 1, 1), argmax);
});

test('sample: same seed same words, prompt respected, stops at </s>', () => {
  const a = sample(model, { prompt: ['call', 'me'], seed: 3, maxWords: 30 });
  const b = sample(model, { prompt: ['call', 'me'], seed: 3, maxWords: 30 });
  const c = sample(model, { prompt: ['call', 'me'], seed: 4, maxWords: 30 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.words, c.words);
  assert.ok(a.words.length <= 30 && !a.words.includes('</s>'));
  const long = sample(model, { seed: 5, maxWords: 40, stopAtEos: false });
  assert.equal(long.words.length, 40);
});

test('greedy follows the argmax; beam search with one beam is greedy; wider beams score no worse', () => {
  const g = greedy(model, { prompt: ['the'], maxWords: 8 });
  const first = model.vocab.word(argmaxOf(nextWordLogProbs(model, [BOS, THE])));
  assert.equal(g.words[0], first === '</s>' ? undefined : first);
  const b1 = beamSearch(model, { prompt: ['the'], maxWords: 8, beamSize: 1 });
  assert.deepEqual(b1.words, g.words);
  const b5 = beamSearch(model, { prompt: ['the'], maxWords: 8, beamSize: 5 });
  if (b5.ended && g.ended) assert.ok(b5.logProb >= g.logProb - 1e-9);
});

function argmaxOf(lps: Float64Array): number {
  let best = 0;
  for (let i = 0; i < lps.length; i++) if (lps[i]! > lps[best]!) best = i;
  return best === EOS ? EOS : best;
}
