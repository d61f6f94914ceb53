import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const CLI = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.js');
const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'kenlm');
const dir = mkdtempSync(join(tmpdir(), 'nerva-ngram-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const nerva = (args: string[], input?: string): string =>
  execFileSync(process.execPath, [CLI, 'ngram', ...args], { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });

test('nerva ngram train | ppl | sample | query on the KenLM fixture', () => {
  const model = join(dir, 'moby.arpa');
  const out = nerva(['train', join(FIXTURES, 'moby_word_train.txt'), '-n', '3', '--level', 'whitespace', '-o', model]);
  assert.match(out, /218,486 words, 8,725 sentences/);
  assert.match(out, /3-grams\s+176,222\s+D1=0\.892130 D2=1\.18511 D3\+=1\.48277/);
  assert.match(readFileSync(model, 'utf8').slice(0, 200), /^# nerva-ngram smoothing=mkn level=whitespace lowercase=0 sentences=line\n\n\\data\\\nngram 1=16546\n/);
  const ppl = nerva(['ppl', model, join(FIXTURES, 'moby_word_test.txt')]);
  assert.match(ppl, /Perplexity including OOVs:\t251\.999/);
  assert.match(ppl, /OOVs:\t830\nTokens:\t28884/);
  const a = nerva(['sample', model, '--prompt', 'call me', '--seed', '5', '--words', '12']);
  assert.equal(a, nerva(['sample', model, '--prompt', 'call me', '--seed', '5', '--words', '12']));
  assert.match(a, /^call me/);
  const q = nerva(['query', model], 'call me ishmael .\n');
  assert.match(q, /^call=\d+ \d -[\d.]+\tme=\d+ 3 -[\d.]+\t.*<\/s>=2 \d -[\d.e-]+\tTotal: -[\d.]+ OOV: 0\n/);
  assert.match(q, /Tokens:\t5\n$/);
});
