// `nerva g2p` with the shipped model (models/g2p-cmudict, float16 weights): common words come out
// as CMUdict spells them, n-best lists are ranked, and bad words are refused in one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = new URL('../../src/cli/main.js', import.meta.url).pathname;
const g2p = (...argv: string[]) => spawnSync(process.execPath, [MAIN, 'g2p', ...argv], { encoding: 'utf8' });

test('nerva g2p: the shipped model speaks common words as CMUdict does', () => {
  const r = g2p('cat', 'dog', 'hello', 'pronunciation', '--threads', '1');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'cat\tK AE T\ndog\tD AO G\nhello\tHH EH L OW\npronunciation\tP R AH N AH N S IY EY SH AH N\n');
  const n = g2p('attention', '--n-best', '3');
  const lines = n.stdout.trim().split('\n');
  assert.equal(lines[0], 'attention');
  assert.match(lines[1]!, /^ {2}1\. AH T EH N SH AH N\t\(score -\d\.\d{3}, log p -\d\.\d{3}\)$/);
  assert.equal(lines.length, 4);
});

test('nerva g2p split: the benchmark split of a dictionary file; bad words and files refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nerva-g2p-'));
  const dict = join(dir, 'dict.txt');
  const words = Array.from({ length: 200 }, (_, i) => `W${'ABCDEFGHIJ'[i % 10]}${'KLMNOPQRST'[Math.floor(i / 10) % 10]}${'UVWXY'[Math.floor(i / 100)]}  W AH1 N`);
  writeFileSync(dict, [';;; a comment', ...words, 'WAB(1)  W EY1', "O'NEIL  OW0 N IY1 L", ''].join('\n'));
  const r = g2p('split', '--dict', dict, '-o', dir);
  assert.equal(r.status, 0, r.stderr);
  const train = readFileSync(join(dir, 'train.tsv'), 'utf8').trim().split('\n');
  const test_ = readFileSync(join(dir, 'test.tsv'), 'utf8').trim().split('\n');
  assert.equal(train.length + test_.length, 200, 'letters-only words, first pronunciation only');
  assert.ok(test_.length > 5 && test_.length < 40, `about 10% held out, got ${test_.length}`);
  assert.match(train[0]!, /^w[a-j][k-t][u-y]\tW AH N$/, 'lowercased letters, stress removed');
  const bad = g2p('c4t');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^nerva: g2p: 'c4t' is not a word of letters a–z/);
  const none = g2p('split', '--dict', join(dir, 'missing.txt'), '-o', dir);
  assert.match(none.stderr, /^nerva: --dict '.*missing\.txt' does not exist/);
  writeFileSync(join(dir, 'empty.txt'), ';;; nothing\n');
  assert.match(g2p('split', '--dict', join(dir, 'empty.txt'), '-o', dir).stderr, /no 'WORD {2}PHONEMES' entries of letters-only words/);
});
