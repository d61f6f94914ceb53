import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePairs } from '../../src/seq/tsv.js';
import { SymbolVocab, splitSymbols, joinSymbols, UNK, EOS, BOS, PAD } from '../../src/seq/symbols.js';
import { bucketBatches, padBatch, lengthMask, sequentialBatches } from '../../src/seq/batching.js';
import { editDistance, scoreSequences, corpusBleu } from '../../src/seq/metrics.js';
import { Generator } from '../../src/tensor/random.js';
import { FormatError } from '../../src/errors.js';

test('parsePairs: lines, CRLF and blank lines; errors name file and line', () => {
  const pairs = parsePairs('abc\tA B C\r\n\nxy\tX Y\n', 'p.tsv');
  assert.deepEqual(pairs, [{ source: 'abc', target: 'A B C', line: 1 }, { source: 'xy', target: 'X Y', line: 3 }]);
  assert.throws(() => parsePairs('ab\tA\nno tab here\n', 'p.tsv'), (e: Error) => e instanceof FormatError && /p\.tsv:2: no tab/.test(e.message));
  assert.throws(() => parsePairs('a\tb\tc\n', 'p.tsv'), /p\.tsv:1: more than one tab/);
  assert.throws(() => parsePairs('\tb\n', 'p.tsv'), /p\.tsv:1: the source \(before the tab\) is empty/);
  assert.throws(() => parsePairs('a\t \n', 'p.tsv', { columns: ['text', 'label'] }), /p\.tsv:1: the label \(after the tab\) is empty/);
  assert.throws(() => parsePairs('\n\n', 'e.tsv'), /e\.tsv: no 'source<TAB>target' lines \(the file is empty\)/);
});

test('splitSymbols / joinSymbols: char and space levels round-trip', () => {
  assert.deepEqual(splitSymbols('a b', 'char'), ['a', '▁', 'b']);
  assert.deepEqual(splitSymbols(' HH  AH0 L ', 'space'), ['HH', 'AH0', 'L']);
  assert.equal(joinSymbols(splitSymbols('héllo wörld', 'char'), 'char'), 'héllo wörld');
  assert.equal(joinSymbols(['HH', 'AH0'], 'space'), 'HH AH0');
});

test('SymbolVocab: specials fixed, unknown counted, JSON round trip and refusal', () => {
  const v = SymbolVocab.build('char', [['a', 'b'], ['b', 'c']], 1);
  assert.deepEqual(v.symbols, ['<pad>', '<unk>', '<s>', '</s>', 'a', 'b', 'c']);
  const e = v.encode(['a', 'z', 'c', '<s>']);
  assert.deepEqual([...e.ids], [4, UNK, 6, UNK]);
  assert.equal(e.unknown, 2);
  assert.deepEqual(v.decode([BOS, 4, PAD, 5, EOS, 6]), ['a', 'b']);
  const back = SymbolVocab.fromJSON(JSON.parse(JSON.stringify(v)), 'v.json');
  assert.deepEqual(back.symbols, v.symbols);
  assert.equal(back.level, 'char');
  assert.throws(() => SymbolVocab.fromJSON({ level: 'word', symbols: [] }, 'v.json'), /v\.json: not a symbol vocabulary/);
  assert.throws(() => SymbolVocab.fromJSON({ level: 'char', symbols: ['<pad>', '<unk>', '<s>', '</s>', 'a', 'a'] }, 'v.json'), /lists a symbol twice/);
  assert.throws(() => SymbolVocab.build('space', [['<pad>']]), /reserved symbol '<pad>'/);
  const min2 = SymbolVocab.build('char', [['a', 'b'], ['b']], 2);
  assert.deepEqual(min2.symbols.slice(4), ['b']);
});

test('bucketBatches: every index once, batches of similar length, seeded', () => {
  const lengths = Array.from({ length: 103 }, (_, i) => (i * 37) % 20);
  const batches = bucketBatches(lengths, 10, new Generator(1));
  assert.equal(batches.length, 11);
  assert.deepEqual(batches.flat().sort((a, b) => a - b), Array.from({ length: 103 }, (_, i) => i));
  for (const b of batches) {
    const ls = b.map((i) => lengths[i]!);
    assert.ok(Math.max(...ls) - Math.min(...ls) <= 2, `spread of ${ls}`);
  }
  assert.deepEqual(bucketBatches(lengths, 10, new Generator(1)), batches);
  assert.notDeepEqual(bucketBatches(lengths, 10, new Generator(2)), batches);
  assert.deepEqual(sequentialBatches(5, 2), [[0, 1], [2, 3], [4]]);
});

test('padBatch and lengthMask', () => {
  const p = padBatch([Int32Array.of(5, 6), Int32Array.of(7)], { prefix: BOS, suffix: EOS });
  assert.deepEqual(p.ids.shape, [2, 4]);
  assert.deepEqual([...p.ids.toTypedArray()], [BOS, 5, 6, EOS, BOS, 7, EOS, PAD]);
  assert.deepEqual([...p.lengths], [4, 3]);
  assert.deepEqual(padBatch([Int32Array.of(1)], { minLength: 3 }).ids.shape, [1, 3]);
  const m = lengthMask([2, 0, 3], 3);
  assert.equal(m.dtype, 'bool');
  assert.deepEqual([...m.toTypedArray()], [1, 1, 0, 0, 0, 0, 1, 1, 1]);
});

test('editDistance, error rates and BLEU', () => {
  assert.equal(editDistance([...'kitten'], [...'sitting']), 3);
  assert.equal(editDistance([], ['a', 'b']), 2);
  const s = scoreSequences([['a', 'b'], ['a', 'c', 'd']], [['a', 'b'], ['a', 'b', 'd', 'e']]);
  assert.equal(s.exactMatch, 0.5);
  assert.equal(s.wer, 0.5);
  assert.equal(s.ter, 2 / 6);
  const same = [['the', 'cat', 'sat', 'on', 'the', 'mat']];
  assert.equal(corpusBleu(same, same), 1);
  assert.equal(corpusBleu([['a']], [['b', 'c', 'd', 'e']]), 0);
  // Hand-worked: hyp 'the cat sat on mat' vs ref 'the cat sat on the mat': p1 = 5/5, p2 = 3/4, p3 = 2/3,
  // p4 = 1/2, brevity penalty e^(1 − 6/5).
  const bleu = corpusBleu([['the', 'cat', 'sat', 'on', 'mat']], same);
  const expected = Math.exp(1 - 6 / 5) * Math.exp((Math.log(1) + Math.log(3 / 4) + Math.log(2 / 3) + Math.log(1 / 2)) / 4);
  assert.ok(Math.abs(bleu - expected) < 1e-12, `${bleu} vs ${expected}`);
});
