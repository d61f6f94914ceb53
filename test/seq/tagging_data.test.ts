// CoNLL files, label sets, the baselines with no network, class metrics, hash splits, option checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConll, formatConll } from '../../src/seq/conll.js';
import { LabelSet } from '../../src/seq/labels.js';
import { NaiveBayes, MostFrequentTag } from '../../src/seq/naive_bayes.js';
import { classReport, microF1 } from '../../src/seq/class_metrics.js';
import { isHeldOut } from '../../src/seq/split.js';
import { textSymbols } from '../../src/seq/tokens.js';
import { checkOptions } from '../../src/options.js';

test('parseConll: sequences split at blank lines, \\r and repeated blank lines ignored', () => {
  const seqs = parseConll('\nthe\tDT\r\ncat\tNN\n\n\n\nsat\tVBD\n', 'f.conll');
  assert.deepEqual(seqs, [{ tokens: ['the', 'cat'], labels: ['DT', 'NN'], line: 2 }, { tokens: ['sat'], labels: ['VBD'], line: 7 }]);
  assert.equal(formatConll(seqs), 'the\tDT\ncat\tNN\n\nsat\tVBD\n');
  assert.deepEqual(parseConll('a\nb\n\nc\n', 'u', { unlabeled: true }).map((s) => s.tokens), [['a', 'b'], ['c']]);
});

test('parseConll: bad lines name file and line', () => {
  assert.throws(() => parseConll('the\tDT\ncat NN\n', 'f.conll'), /^FormatError: f\.conll:2: no tab; each line must be 'token<TAB>label'/);
  assert.throws(() => parseConll('the\tDT\n\ncat\tNN\tB-NP\n', 'f.conll'), /f\.conll:3: 3 tab-separated columns, expected 2 .*stray column/);
  assert.throws(() => parseConll('the\t\n', 'f.conll'), /f\.conll:1: the label \(after the tab\) is empty/);
  assert.throws(() => parseConll('\tDT\n', 'f.conll'), /f\.conll:1: the token \(before the tab\) is empty/);
  assert.throws(() => parseConll('\n\n', 'f.conll'), /f\.conll: no sequences/);
  assert.throws(() => parseConll('a\tX\n', 'u', { unlabeled: true }), /u:1: 2 tab-separated columns; a file to tag has one token a line/);
});

test('LabelSet: sorted ids; an unseen label names the place', () => {
  const l = LabelSet.build(['yes', 'no', 'yes']);
  assert.deepEqual(l.labels, ['no', 'yes']);
  assert.equal(l.id('yes', 'x'), 1);
  assert.throws(() => l.id('maybe', 'test.tsv:7'), /test\.tsv:7: label 'maybe' was not seen in training \(the model knows no, yes\)/);
  assert.throws(() => LabelSet.fromJSON(['a', 'a'], 'meta.json'), /meta\.json: a label set lists a label twice/);
});

test('NaiveBayes (character n-grams): separates two made-up "languages" and gives probabilities', () => {
  const a = ['abab', 'ababab', 'aab', 'abba', 'bab'];
  const b = ['xyzzy', 'zyx', 'xxyz', 'yzyz', 'zzx'];
  const nb = NaiveBayes.train([...a.map((s) => ({ symbols: [...s], label: 0 })), ...b.map((s) => ({ symbols: [...s], label: 1 }))], 2, { order: 2 });
  assert.equal(nb.predict([...'baba']), 0);
  assert.equal(nb.predict([...'zyzx']), 1);
  const p = nb.probabilities([...'abz']);
  assert.ok(Math.abs(p[0]! + p[1]! - 1) < 1e-12);
  assert.ok(Math.abs(nb.logPrior[0]! - Math.log(0.5)) < 1e-12);
  assert.throws(() => NaiveBayes.train([{ symbols: ['a'], label: 0 }], 2), /class 1 has no training example/);
  assert.throws(() => NaiveBayes.train([{ symbols: ['a'], label: 0 }], 1, { ordre: 2 } as never), /NaiveBayes: unknown option 'ordre' \(did you mean 'order'\?\)/);
});

test('MostFrequentTag: the majority label per token, the overall majority for unseen tokens', () => {
  const m = MostFrequentTag.train([{ tokens: ['a', 'b', 'a'], labels: [1, 0, 1] }, { tokens: ['a', 'c'], labels: [0, 0] }], 2);
  assert.deepEqual(m.predict(['a', 'b', 'c', 'zzz']), [1, 0, 0, 0]);
});

test('classReport: accuracy, precision/recall/F1 and confusion worked by hand', () => {
  // gold  0 0 0 1 1 2 ; predicted 0 0 1 1 2 2
  const r = classReport([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2], ['a', 'b', 'c']);
  assert.equal(r.accuracy, 4 / 6);
  assert.deepEqual(r.confusion, [[2, 1, 0], [0, 1, 1], [0, 0, 1]]);
  const [a, b, c] = r.perClass;
  assert.deepEqual([a!.precision, a!.recall, a!.support], [1, 2 / 3, 3]);
  assert.deepEqual([b!.precision, b!.recall], [0.5, 0.5]);
  assert.deepEqual([c!.precision, c!.recall], [0.5, 1]);
  assert.ok(Math.abs(r.macroF1 - (0.8 + 0.5 + 2 / 3) / 3) < 1e-12);
  const m = microF1([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2], 0); // outside = 0: tp 2 (b, c), gold 3, predicted 4
  assert.deepEqual([m.precision, m.recall], [0.5, 2 / 3]);
});

test('isHeldOut: deterministic, about the asked share, and independent under another salt', () => {
  const keys = Array.from({ length: 4000 }, (_, i) => `name${i}`);
  const held = keys.filter((k) => isHeldOut(k, 0.2));
  assert.ok(held.length > 700 && held.length < 900, `${held.length}`);
  assert.deepEqual(keys.filter((k) => isHeldOut(k, 0.2)), held);
  const rest = keys.filter((k) => !isHeldOut(k, 0.2));
  const inner = rest.filter((k) => isHeldOut(k, 0.1, 'valid')).length;
  assert.ok(inner > 0.07 * rest.length && inner < 0.13 * rest.length, `${inner} of ${rest.length}`);
  assert.equal(rest.filter((k) => isHeldOut(k, 0.1)).length, 0); // the same salt is correlated: why salts exist
});

test('textSymbols: char keeps case and marks spaces; word lowercases and keeps . , ! ? ; :', () => {
  assert.deepEqual(textSymbols(' Ann Lee ', 'char'), ['A', 'n', 'n', '▁', 'L', 'e', 'e']);
  assert.deepEqual(textSymbols('Hello, World — again!', 'word'), ['hello', ',', 'world', 'again', '!']);
});

test('checkOptions: unknown keys are refused with a suggestion and the accepted list', () => {
  assert.doesNotThrow(() => checkOptions('f', { a: 1 }, ['a', 'b']));
  assert.throws(() => checkOptions('f', { stride: 1, strides: 2 }, ['stride', 'padding']), /^NervaError: f: unknown option 'strides' \(did you mean 'stride'\?\); accepted: stride, padding$/);
  assert.throws(() => checkOptions('f', { zzz: 1 }, ['stride']), /^NervaError: f: unknown option 'zzz'; accepted: stride$/);
});

test('punctuationTags / restorePunctuation: case and following mark per word, and back', async () => {
  const { punctuationTags, restorePunctuation } = await import('../../src/seq/punctuation.js');
  const r = punctuationTags('Call me Ishmael. Some years ago—never mind how long; the USA? “Don’t!” he said:');
  assert.deepEqual(r.tokens, ['call', 'me', 'ishmael', 'some', 'years', 'ago', 'never', 'mind', 'how', 'long', 'the', 'usa', "don't", 'he', 'said']);
  assert.deepEqual(r.labels, ['C', 'l', 'C.', 'C', 'l', 'l', 'l', 'l', 'l', 'l,', 'l', 'U?', 'C.', 'l', 'l,']);
  assert.equal(restorePunctuation(r.tokens, r.labels), "Call me Ishmael. Some years ago never mind how long, the USA? Don't. he said,");
  assert.deepEqual(punctuationTags('A I.').labels, ['C', 'C.']); // one capital letter is 'C', not 'U'
});

test("NaiveBayes: a small class's <unk> does not win on words it never saw", async () => {
  const { NaiveBayes } = await import('../../src/seq/naive_bayes.js');
  // class 0: many passages over a large vocabulary; class 1: one passage of two words.
  const big = Array.from({ length: 40 }, (_, i) => ({ symbols: [`w${i % 20}`, `v${i % 13}`, `u${i}`], label: 0 }));
  const nb = NaiveBayes.train([...big, { symbols: ['x', 'y'], label: 1 }], 2, { order: 1 });
  assert.equal(nb.predict(['w3', 'v5', 'w7']), 0); // words of class 0 only
  assert.equal(nb.predict(['x', 'y', 'x']), 1);
});
