// `nerva seq2seq` end to end on a task it must learn exactly (reversing digit strings): train → files →
// eval (100% exact) → beam n-best → attention picture; then --resume, a folder never overwritten, and
// the bad inputs (no tab, empty side, empty file, a folder of another kind, a checkpoint file, unknown symbols).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { saveCheckpoint } from '../../src/node/checkpoint.js';
import { Linear } from '../../src/nn/linear.js';

const dir = mkdtempSync(join(tmpdir(), 'nerva-seq2seq-'));
const MAIN = new URL('../../src/cli/main.js', import.meta.url).pathname;

function nerva(argv: string[]): { status: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [MAIN, 'seq2seq', ...argv], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}
function ok(argv: string[]): { out: string; err: string } {
  const r = nerva(argv);
  assert.equal(r.status, 0, r.err);
  return r;
}
function fails(argv: string[], message: RegExp): void {
  const r = nerva(argv);
  assert.equal(r.status, 1, `expected failure, got ${r.status}: ${r.out}`);
  assert.match(r.err, message);
  assert.equal(r.err.trim().split('\n').filter((l) => l.startsWith('nerva:')).length, 1, `one line: ${r.err}`);
  assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
}

// 1,500 strings of 1–5 digits and their reversals (a fixed LCG: the same file on every run).
let seed = 7;
const rnd = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
const lines: string[] = [];
for (let i = 0; i < 1500; i++) {
  const w = Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => Math.floor(rnd() * 10)).join('');
  lines.push(`${w}\t${[...w].reverse().join('')}`);
}
const pairs = join(dir, 'reverse.tsv');
writeFileSync(pairs, lines.join('\n') + '\n');
const model = join(dir, 'model');
const small = ['--hidden', '64', '--embed', '16', '--layers', '1', '--lr', '0.01', '--batch-size', '32', '--dropout', '0', '--label-smoothing', '0', '--threads', '1'];

test('seq2seq train → eval → translate: reversal learned exactly, beam n-best, attention picture', () => {
  const t = ok(['train', pairs, '-o', model, '--epochs', '10', ...small]);
  assert.match(t.err, /Seq2Seq\(arch=lstm, src=14, tgt=14/);
  assert.match(t.err, /validation: \d+ pairs held out of/);
  assert.match(t.err, /epoch 10: train loss \d\.\d+, valid loss \d\.\d+; greedy on \d+ valid pairs: exact 100\.00%/);
  for (const f of ['model.safetensors', 'vocab.json', 'log.jsonl']) assert.ok(existsSync(join(model, f)), f);
  assert.equal(readFileSync(join(model, 'log.jsonl'), 'utf8').trim().split('\n').length, 10);
  assert.deepEqual(readdirSync(model).filter((f) => f.endsWith('.tmp')), [], 'no temporary files left');
  const e = ok(['eval', model, pairs, '--beam', '4']);
  assert.match(e.out, /1500 pairs \(beam 4, \d+ pairs\/s\): exact match 100\.00%, WER 0\.00%, token error rate 0\.00%/);
  assert.equal(ok(['translate', model, '90210']).out, '01209\n');
  const n = ok(['translate', model, '4711', '--beam', '4', '--n-best', '3', '--attention', join(dir, 'att.png')]);
  const rows = n.out.trim().split('\n');
  assert.equal(rows[0], '4711');
  assert.match(rows[1]!, /^ {2}1\. 1174\t\(score -\d\.\d{3}, log p -\d\.\d{3}\)$/);
  assert.equal(rows.length, 4);
  assert.deepEqual([...readFileSync(join(dir, 'att.png')).subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
  ok(['translate', model, '4711', '--attention', join(dir, 'att.svg')]);
  assert.match(readFileSync(join(dir, 'att.svg'), 'utf8'), /<svg[^]*<text[^>]*>1<\/text>[^]*<title>1 ← 1: 0\.\d{3}<\/title>/);
  // an input longer than any seen in training still ends (at its length limit at the latest)
  const long = ok(['translate', model, '123456789012345', '--beam', '3']);
  assert.match(long.out, /^\d+( {2}\(stopped at the length limit\))?\n$/);
  // unseen symbols are read as <unk>, with one warning that counts them
  const u = ok(['translate', model, '12x4y']);
  assert.match(u.err, /warning: 2 input symbols are not in the model's vocabulary; they are read as <unk>/);
});

test('seq2seq train: --resume continues with the saved settings; a finished folder is never overwritten', () => {
  const m = join(dir, 'resumed');
  ok(['train', pairs, '-o', m, '--epochs', '2', ...small]);
  fails(['train', pairs, '-o', m, ...small], /already holds a trained model: continue it with --resume, replace it with --force/);
  fails(['train', pairs, '-o', m, '--resume', '--lr', '0.5'], /--resume continues the saved run with its own settings; drop --lr \(saved: lr 0\.01\)/);
  const r = ok(['train', pairs, '-o', m, '--resume']);
  assert.match(r.err, /done in/); // the 2 saved epochs were done: nothing left to train
  // stopped mid-epoch and resumed = trained straight through, bit for bit (scheduled sampling included)
  const straight = join(dir, 'straight');
  const parts = join(dir, 'parts');
  const run = ['--epochs', '2', '--sampling-rate', '0.3', ...small];
  ok(['train', pairs, '-o', straight, ...run]);
  assert.match(ok(['train', pairs, '-o', parts, ...run, '--stop-after', '30']).err, /stopped after 30 steps: saved step 30/);
  assert.match(ok(['train', pairs, '-o', parts, '--resume', '--stop-after', '40']).err, /resuming at epoch 1, step 30[^]*stopped after 40 steps: saved step 70/);
  ok(['train', pairs, '-o', parts, '--resume']);
  const weights = (d: string): Buffer => {
    const bytes = readFileSync(join(d, 'model.safetensors'));
    const headerLength = Number(bytes.readBigUInt64LE(0));
    return bytes.subarray(8 + headerLength);
  };
  assert.ok(weights(straight).equals(weights(parts)), 'resumed run ends with the same bytes');
  ok(['train', pairs, '-o', m, '--force', '--epochs', '1', ...small]);
  assert.equal(readFileSync(join(m, 'log.jsonl'), 'utf8').trim().split('\n').length, 1, '--force starts a new log');
});

test('seq2seq: bad input gives one line naming the file and line', () => {
  const bad = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const o = join(dir, 'bad-out');
  fails(['train', bad('notab.tsv', '12\t21\n345 543\n'), '-o', o], /notab\.tsv:2: no tab; each line must be 'source<TAB>target' \(got '345 543'\)/);
  fails(['train', bad('empty-side.tsv', '12\t21\n34\t\n'), '-o', o], /empty-side\.tsv:2: the target \(after the tab\) is empty/);
  fails(['train', bad('empty.tsv', ''), '-o', o], /empty\.tsv: no 'source<TAB>target' lines \(the file is empty\)/);
  fails(['train', join(dir, 'missing.tsv'), '-o', o], /pairs file '.*missing\.tsv' does not exist/);
  fails(['train', pairs], /needs an output folder: -o DIR/);
  fails(['train', pairs, '-o', o, '--hidden', '63'], /--hidden must be even with a bidirectional encoder/);
  fails(['train', pairs, '-o', o, '--attention', 'cosine'], /--attention must be one of dot, general, additive, got 'cosine'/);
  fails(['train', pairs, '-o', o, '--epochs', '-1'], /--epochs must be an integer >= 1, got '-1'/);
  assert.ok(!existsSync(join(o, 'model.safetensors')), 'nothing written');
  // a folder of another kind, and a checkpoint file given as the folder
  const lm = join(dir, 'lm');
  mkdirSync(lm);
  saveCheckpoint(join(lm, 'model.safetensors'), { model: new Linear(2, 2), arch: 'rnnlm-lstm' });
  fails(['translate', lm, '12'], /holds a 'rnnlm-lstm' model, not a sequence-to-sequence model/);
  fails(['translate', join(lm, 'model.safetensors'), '12'], /is a file; expected a folder written by nerva seq2seq train/);
  fails(['eval', join(dir, 'nowhere'), pairs], /model folder '.*nowhere' does not exist/);
  fails(['translate', model], /nothing to translate/);
  fails(['translate', model, '12', '34', '--attention', join(dir, 'a.png')], /--attention draws one input's attention; got 2 inputs/);
  fails(['translate', model, '12', '--attention', join(dir, 'a.jpg')], /must be a \.png or \.svg file/);
  fails(['translate', model, '12', '--n-best', '9', '--beam', '3'], /--n-best 9 needs a beam at least as wide \(--beam 3\)/);
  fails(['translate', model, '12', '--beams', '3'], /seq2seq translate: Unknown option '--beams'/);
});
