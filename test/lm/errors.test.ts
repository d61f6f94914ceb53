// Bad input gives one clear NervaError naming the file, line and what was expected; never a crash
// deep in a parser, never a half-written model file.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { NervaError } from '../../src/errors.js';
import { parseArpa } from '../../src/lm/arpa-read.js';
import { readArpa } from '../../src/node/lm_files.js';
import { countText } from '../../src/lm/count.js';
import { scoreSentences } from '../../src/lm/score.js';
import { scoreFile } from '../../src/node/lm_files.js';
import { trainText } from '../../src/lm/train.js';
import { trainFile } from '../../src/node/lm_files.js';

const dir = mkdtempSync(join(tmpdir(), 'nerva-lm-err-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | Uint8Array): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const nerva = (pattern: RegExp) => (e: unknown): boolean => {
  assert.ok(e instanceof NervaError, `expected a NervaError, got ${String(e)}`);
  assert.match(e.message, pattern);
  return true;
};

const GOOD = `\\data\\
ngram 1=4
ngram 2=2

\\1-grams:
-1.0\t<unk>\t0
0\t<s>\t-0.3
-0.5\t</s>\t0
-0.7\ta\t-0.2

\\2-grams:
-0.2\t<s> a
-0.1\ta </s>

\\end\\
`;

test('a well-formed small ARPA text parses (baseline for the broken ones)', () => {
  const m = parseArpa(GOOD);
  assert.deepEqual(m.counts(), [4, 2]);
  const s = scoreSentences(m, [['a']]);
  assert.ok(Math.abs(s.logProb - (-0.2 + -0.1)) < 1e-6);
});

test('empty corpus and corpus of blank lines: no words', async () => {
  await assert.rejects(trainFile(file('empty.txt', ''), { order: 3 }), nerva(/empty\.txt.*no words/));
  await assert.rejects(trainFile(file('blank.txt', '\n\n  \n\t\n'), { order: 3 }), nerva(/no words/));
  await assert.rejects(trainFile(file('blank2.txt', '\n\n\n'), { order: 2, level: 'whitespace' }), nerva(/no words/));
});

test('order below 1 or above 10', () => {
  for (const order of [0, 11, 2.5, -1]) assert.throws(() => countText('a b', { order }), nerva(/order must be an integer from 1 to 10, got/));
});

test('malformed ARPA: the error names the line and what was expected', () => {
  const broken = (from: string, to: string): string => GOOD.replace(from, to);
  assert.throws(() => parseArpa(broken('-0.7\ta', 'x.7\ta'), 'm.arpa'), nerva(/^m\.arpa:9: expected a log10 probability, got 'x\.7'/));
  assert.throws(() => parseArpa(broken('-0.2\t<s> a', '-0.2\t<s> b'), 'm.arpa'), nerva(/^m\.arpa:12: word 'b' of this 2-gram is not among the unigrams/));
  assert.throws(() => parseArpa(broken('\\2-grams:', '\\3-grams:'), 'm.arpa'), nerva(/^m\.arpa:11: expected '\\2-grams:'/));
  assert.throws(() => parseArpa(broken('ngram 2=2', 'ngram 2=3'), 'm.arpa'), nerva(/^m\.arpa:14: expected 2-gram entry 3 of 3, got a blank line/));
  assert.throws(() => parseArpa(broken('-0.1\ta </s>', '-0.1\ta </s> a x'), 'm.arpa'), nerva(/^m\.arpa:13: expected '<log10 prob> <2 words>'/));
  assert.throws(() => parseArpa('hello\n', 'm.arpa'), nerva(/^m\.arpa:1: expected '\\data\\'/));
  assert.throws(() => parseArpa(broken('-0.5\t</s>', '-0.5\t</s2>'), 'm.arpa'), nerva(/lack '<\/s>'/));
  assert.throws(() => parseArpa(broken('-0.1\ta </s>', '-0.2\t<s> a'), 'm.arpa'), nerva(/m\.arpa:13: duplicate 2-gram '<s> a'/));
});

test('truncated ARPA (plain and gzipped) is refused, naming where it stopped', async () => {
  const cut = GOOD.slice(0, GOOD.indexOf('-0.1\ta </s>'));
  assert.throws(() => parseArpa(cut, 'cut.arpa'), nerva(/^cut\.arpa: file ends after line 12 inside '\\2-grams:': 1 of 2 entries read \(truncated\?\)/));
  assert.throws(() => parseArpa(GOOD.replace('\\end\\\n', ''), 'noend.arpa'), nerva(/expected '\\end\\' \(truncated\?\)/));
  const gz = gzipSync(Buffer.from(GOOD));
  await assert.rejects(readArpa(file('cut.arpa.gz', gz.subarray(0, gz.length - 12))), nerva(/cut\.arpa\.gz.*(gzip|truncated)/));
  assert.deepEqual((await readArpa(file('ok.arpa.gz', gz))).counts(), [4, 2]);
});

test('unknown words under a model without <unk>: error naming the line', async () => {
  const noUnk = parseArpa(GOOD.replace('ngram 1=4', 'ngram 1=3').replace('-1.0\t<unk>\t0\n', ''));
  assert.equal(noUnk.hasUnk, false);
  await assert.rejects(scoreFile(noUnk, file('test.txt', 'a\na zebra\n'), { level: 'whitespace' }), nerva(/test\.txt:2: word 'zebra' is not in the model's vocabulary and the model has no <unk>/));
  // with <unk> it is an OOV, counted as KenLM does
  const s = await scoreFile(parseArpa(GOOD), join(dir, 'test.txt'), { level: 'whitespace' });
  assert.equal(s.oovs, 1);
  assert.equal(s.tokens, 5);
});

test('invalid UTF-8 in a corpus: file and line', async () => {
  const bytes = Buffer.concat([Buffer.from('fine line\nbad '), Buffer.from([0xc3, 0x28]), Buffer.from(' here\n')]);
  await assert.rejects(trainFile(file('latin.txt', bytes), { order: 2 }), nerva(/latin\.txt:2: invalid UTF-8 \(byte 0xc3/));
});

test('reserved words in the corpus are refused with their line', () => {
  assert.throws(() => trainText('a b\nc </s> d\n', { order: 2, level: 'whitespace' }), nerva(/sentence 2: '<\/s>' is a reserved word/));
});

test('nerva ngram train on a bad corpus: one-line error, exit 1, no model file, old model untouched', () => {
  const cli = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.js');
  const out = join(dir, 'model.arpa');
  const run = (args: string[]): { status: number; stderr: string } => {
    try {
      execFileSync(process.execPath, [cli, 'ngram', ...args], { stdio: 'pipe' });
      return { status: 0, stderr: '' };
    } catch (e) {
      const err = e as { status: number; stderr: Buffer };
      return { status: err.status, stderr: err.stderr.toString() };
    }
  };
  const r = run(['train', file('empty2.txt', '\n\n'), '-o', out, '-q']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^nerva: .*no words/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('model.arpa')), []);
  writeFileSync(out, 'old model');
  assert.equal(run(['train', join(dir, 'empty2.txt'), '-n', '12', '-o', out, '-q']).status, 1);
  assert.equal(readFileSync(out, 'utf8'), 'old model');
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('model.arpa')), ['model.arpa']);
});
