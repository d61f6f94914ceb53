import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { adjustCounts } from '../../src/lm/adjust.js';
import { countSentences } from '../../src/lm/count.js';
import { countFile } from '../../src/node/lm_files.js';
import { trainSentences } from '../../src/lm/train.js';

const dir = mkdtempSync(join(tmpdir(), 'nerva-lm-count-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** n-gram text → count, from packed rows. */
function table(keys: Uint32Array, counts: Uint32Array, k: number, words: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (let r = 0; r < counts.length; r++) out.set(Array.from(keys.subarray(r * k, r * k + k), (id) => words[id]).join(' '), counts[r]!);
  return out;
}

test('trigram counts pad the sentence start with <s> as lmplz does; lower orders get KN adjusted counts', () => {
  const c = countSentences([['a', 'b'], ['a', 'b'], ['b']], { order: 3 });
  assert.equal(c.tokens, 5);
  assert.equal(c.sentences, 3);
  assert.deepEqual(Object.fromEntries(table(c.keys, c.counts, 3, c.vocab.words)), {
    // suffix order: by last word, then the one before
    '<s> b </s>': 1, 'a b </s>': 2, '<s> <s> a': 2, '<s> <s> b': 1, '<s> a b': 2,
  });
  const adj = adjustCounts(c);
  const bigrams = table(adj.orders[1]!.keys, adj.orders[1]!.adjusted, 2, c.vocab.words);
  assert.deepEqual(Object.fromEntries(bigrams), { 'b </s>': 2, '<s> a': 2, '<s> b': 1, 'a b': 1 });
  const unigrams = table(adj.orders[0]!.keys, adj.orders[0]!.adjusted, 1, c.vocab.words);
  // b follows <s> and a: 2; </s> follows b only: 1; a follows <s>: 1
  assert.deepEqual(Object.fromEntries(unigrams), { '<unk>': 0, '<s>': 0, '</s>': 1, a: 1, b: 2 });
  const raw = table(adj.orders[0]!.keys, adj.orders[0]!.raw, 1, c.vocab.words);
  assert.deepEqual(Object.fromEntries(raw), { '<unk>': 0, '<s>': 0, '</s>': 3, a: 2, b: 3 });
  assert.deepEqual(adj.orders[2]!.raw.length, 3, 'the padding rows <s> <s> x are not trigrams of the model');
});

test('minimum count and maximum vocabulary map rare words to <unk>', () => {
  const sentences = [['a', 'b', 'c'], ['a', 'b'], ['a', 'd']];
  const { model } = trainSentences(sentences, { order: 2, smoothing: 'witten-bell', minCount: 2 });
  assert.deepEqual(model.vocab.words, ['<unk>', '<s>', '</s>', 'a', 'b']);
  const unk = model.tables[0]!.logProb[0]!;
  assert.ok(unk > Math.log10(2 / 10), `<unk> now has a real count (log10 p = ${unk})`);
  const top1 = trainSentences(sentences, { order: 2, smoothing: 'witten-bell', maxSize: 1 }).model;
  assert.deepEqual(top1.vocab.words, ['<unk>', '<s>', '</s>', 'a']);
});

test('files are streamed line by line, gzipped or not, several files in a row; counts per order', async () => {
  const text = 'the cat sat\nthe cat ran\n\nthe dog sat\n';
  writeFileSync(join(dir, 'a.txt'), text);
  writeFileSync(join(dir, 'b.txt.gz'), gzipSync(Buffer.from(text)));
  const one = await countFile(join(dir, 'a.txt'), { order: 2, level: 'whitespace' });
  const two = await countFile([join(dir, 'a.txt'), join(dir, 'b.txt.gz')], { order: 2, level: 'whitespace' });
  assert.equal(one.sentences, 4, 'a blank line is an empty sentence at whitespace level, as in KenLM');
  assert.equal(two.sentences, 8);
  assert.equal(two.tokens, 2 * one.tokens);
  assert.deepEqual(Array.from(two.counts), Array.from(one.counts, (c) => 2 * c));
});
