// `nerva lm` end to end on a tiny corpus: train → files → eval → sample (seeded, streamed), resume,
// and the bad-input errors (tiny corpus, a checkpoint of another architecture, unknown prompt characters).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { saveCheckpoint } from '../../src/node/checkpoint.js';
import { Linear } from '../../src/nn/linear.js';

const dir = mkdtempSync(join(tmpdir(), 'nerva-lm-'));
const corpus = join(dir, 'corpus.txt');
writeFileSync(corpus, 'the cat sat on the mat.\nthe dog sat on the log.\n'.repeat(30));

const MAIN = new URL('../../src/cli/main.js', import.meta.url).pathname;

/** Runs `nerva lm …` in a child process; rejects with stderr when it fails. */
async function capture(argv: string[]): Promise<{ out: string; err: string }> {
  const r = spawnSync(process.execPath, [MAIN, 'lm', ...argv], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return { out: r.stdout, err: r.stderr };
}

const small = ['--hidden', '24', '--embed', '8', '--layers', '1', '--seq-len', '16', '--batch-size', '4', '--sample-every', '20', '--backend', 'ref'];

test('lm train / eval / sample on a tiny corpus', async () => {
  const out = join(dir, 'm');
  const t = await capture(['train', corpus, '-o', out, '--epochs', '2', '--valid', corpus, ...small]);
  assert.match(t.err, /RNNLM\(arch=lstm/);
  assert.match(t.err, /sample @ step 20: /);
  assert.match(t.err, /epoch 2: valid \d\.\d{3} bits\/char/);
  assert.ok(existsSync(join(out, 'model.safetensors')) && existsSync(join(out, 'vocab.json')));
  assert.equal(JSON.parse(readFileSync(join(out, 'vocab.json'), 'utf8')).tokenizer.level, 'char');
  const e = await capture(['eval', out, corpus, '--backend', 'ref']);
  assert.match(e.out, /60 sentences, 1440 tokens \(each sentence plus <\/s>\), 0 OOV/);
  assert.match(e.out, /perplexity \d+\.\d+ +bits\/token \d\.\d+ \(bits\/char\)/);
  // the wasm backend with --threads gives the same perplexity (float32 sums in another order)
  const ew = await capture(['eval', out, corpus, '--backend', 'wasm', '--threads', '2']);
  const ppl = (text: string): number => Number(/perplexity (\d+\.\d+)/.exec(text)![1]);
  assert.ok(Math.abs(ppl(ew.out) - ppl(e.out)) <= 1e-3 * ppl(e.out), `wasm ${ppl(ew.out)} vs ref ${ppl(e.out)}`);
  await assert.rejects(capture(['eval', out, corpus, '--threads', '0']), /--threads must be a positive integer, got '0'/);
  await assert.rejects(capture(['sample', out, '--threads', 'x']), /--threads must be a positive integer, got 'x'/);
  const sw = await capture(['sample', out, '--prompt', 'the ', '--length', '20', '--seed', '7', '--threads', '1']);
  assert.ok(sw.out.startsWith('the '));
  const s1 = await capture(['sample', out, '--prompt', 'the ', '--length', '40', '--seed', '7', '--backend', 'ref']);
  const s2 = await capture(['sample', out, '--prompt', 'the ', '--length', '40', '--seed', '7', '--backend', 'ref']);
  assert.equal(s1.out, s2.out);
  assert.ok(s1.out.startsWith('the '));
  await assert.rejects(capture(['sample', out, '--prompt', 'thé', '--backend', 'ref']), /the prompt's character 'é' \(U\+00E9\) is not in the model's vocabulary/);
  await assert.rejects(capture(['train', corpus, '-o', out, '--resume', '--arch', 'gru', '--backend', 'ref']), /holds a language model with --arch lstm, but --arch gru was asked for/);
  const r = await capture(['train', corpus, '-o', out, '--resume', '--epochs', '3', '--sample-every', '0', '--backend', 'ref']);
  assert.match(r.err, /resuming at step \d+/);
  assert.match(r.err, /epoch 3\/3/);
});

test('lm train: bad input gives one clear error and writes nothing', async () => {
  const tiny = join(dir, 'tiny.txt');
  writeFileSync(tiny, 'hi\n');
  await assert.rejects(capture(['train', tiny, '-o', join(dir, 't'), ...small]), /corpus '.*tiny.txt' has 3 characters \(with <\/s>\), fewer than one training sequence \(--seq-len 16 \+ 1\)/);
  assert.equal(existsSync(join(dir, 't')), false);
  await assert.rejects(capture(['train', join(dir, 'missing.txt'), '-o', join(dir, 't')]), /corpus '.*missing.txt' does not exist/);
  await assert.rejects(capture(['train', corpus, '-o', join(dir, 't'), '--level', 'byte']), /--level must be char or word/);
  await assert.rejects(capture(['train', corpus, '-o', join(dir, 't'), '--threads', 'two']), /--threads must be a positive integer, got 'two'/);
  // a checkpoint of another architecture
  const other = join(dir, 'cnn');
  await capture(['train', corpus, '-o', other, '--epochs', '1', ...small]);
  saveCheckpoint(join(other, 'model.safetensors'), { model: new Linear(2, 2), arch: 'lenet5' });
  await assert.rejects(capture(['eval', other, corpus, '--backend', 'ref']), /holds a 'lenet5' model, not a recurrent language model/);
});
