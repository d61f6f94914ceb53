// `nerva classify` and `nerva tag` end to end: train → save → load → eval/predict on tiny
// synthetic tasks, the baselines, --resume, and bad input (file:line messages, nothing written).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator } from '../../src/tensor/random.js';

const CLI = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'nerva-seq-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string): string => join(dir, name);

function nerva(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NERVA_NUM_THREADS: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
function ok(args: string[]): string {
  const r = nerva(args);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}
function fails(args: string[], message: RegExp): void {
  const r = nerva(args);
  assert.equal(r.status, 1, `expected failure: ${r.stdout}`);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

const g = new Generator(11);
const digits = (): string => Array.from({ length: 3 + Math.floor(g.random() * 6) }, () => Math.floor(g.random() * 10)).join('');
const lines = (n: number): string => Array.from({ length: n }, () => {
  const s = digits();
  return `${s}\t${s.includes('7') ? 'seven' : 'none'}\n`;
}).join('');
writeFileSync(at('train.tsv'), lines(400));
writeFileSync(at('test.tsv'), lines(100));
const tagged = (n: number): string => Array.from({ length: n }, () => [...digits()].map((d) => `${d}\t${Number(d) % 2 ? 'odd' : 'even'}`).join('\n') + '\n').join('\n');
writeFileSync(at('train.conll'), tagged(200));
writeFileSync(at('test.conll'), tagged(50));

test('nerva classify train → eval → predict: "contains a 7" to ≥ 97%', () => {
  ok(['classify', 'train', at('train.tsv'), '-o', at('c'), '--pool', 'max', '--epochs', '8', '--lr', '0.01', '--hidden', '32', '--embed', '16']);
  assert.deepEqual(readdirSync(at('c')).sort(), ['meta.json', 'model.safetensors']);
  const out = ok(['classify', 'eval', at('c'), at('test.tsv')]);
  const acc = Number(/accuracy ([\d.]+)% of 100/.exec(out)![1]);
  assert.ok(acc >= 97, out);
  assert.match(out, /label\s+precision\s+recall\s+F1\s+support/);
  assert.match(out, /confusion \(rows: gold, columns: predicted\)/);
  const p = ok(['classify', 'predict', at('c'), '1277', '--top', '2']);
  assert.match(p, /^seven\s+0\.9\d+\nnone\s+0\.0\d+\n$/);
});

test('nerva classify --baseline nb: naive Bayes written as ARPA class models, eval and predict read it', () => {
  const log = nerva(['classify', 'train', at('train.tsv'), '-o', at('nb'), '--baseline', 'nb', '--order', '2']);
  assert.equal(log.status, 0, log.stderr);
  assert.match(log.stderr, /naive Bayes \(order 2, witten-bell\): validation accuracy [\d.]+% of \d+/);
  assert.deepEqual(readdirSync(at('nb')).sort(), ['class-0.arpa', 'class-1.arpa', 'meta.json']);
  assert.match(readFileSync(at('nb/class-0.arpa'), 'utf8'), /\\data\\\nngram 1=\d+\nngram 2=\d+/);
  const out = ok(['classify', 'eval', at('nb'), at('test.tsv')]);
  assert.match(out, /naive Bayes \(order 2\)/);
  assert.ok(Number(/accuracy ([\d.]+)%/.exec(out)![1]) > 90, out);
  assert.match(ok(['classify', 'predict', at('nb'), '777']), /^seven /);
});

test('nerva classify --resume: paused after 2 of 4 epochs and resumed = 4 straight, bit for bit', () => {
  const common = [at('train.tsv'), '--epochs', '4', '--hidden', '8', '--embed', '8', '--quiet'];
  ok(['classify', 'train', ...common, '-o', at('straight')]);
  const paused = nerva(['classify', 'train', ...common, '--pause-after', '2', '-o', at('resumed')]);
  assert.match(paused.stderr, /paused after epoch 2 of 4; continue with nerva classify train .* --resume/);
  ok(['classify', 'train', at('train.tsv'), '--resume', '--quiet', '-o', at('resumed')]);
  assert.ok(readFileSync(at('straight/model.safetensors')).equals(readFileSync(at('resumed/model.safetensors'))));
});

test('nerva tag train → eval → predict: odd/even to 100%, and the most-frequent-tag baseline', () => {
  ok(['tag', 'train', at('train.conll'), '-o', at('t'), '--epochs', '5', '--lr', '0.01', '--hidden', '32', '--embed', '16']);
  const out = ok(['tag', 'eval', at('t'), at('test.conll')]);
  assert.match(out, /token accuracy 100\.00%; micro F1 over labels other than '(odd|even)' 100\.00/);
  assert.match(out, /^odd\s+100\.0\s+100\.0\s+100\.0\s+\d+$/m);
  assert.equal(ok(['tag', 'predict', at('t'), '3 8 5']), '3\todd\n8\teven\n5\todd\n');
  ok(['tag', 'train', at('train.conll'), '-o', at('mft'), '--baseline', 'most-frequent']);
  assert.match(ok(['tag', 'eval', at('mft'), at('test.conll')]), /most-frequent-tag baseline\ntoken accuracy 100\.00%/);
  writeFileSync(at('tokens.txt'), '1\n2\n\n4\n');
  assert.equal(ok(['tag', 'predict', at('mft'), '--file', at('tokens.txt')]), '1\todd\n2\teven\n\n4\teven\n');
});

test('bad input: a clear message naming file and line, and nothing written', () => {
  writeFileSync(at('notab.tsv'), '123\tnone\n456 none\n');
  fails(['classify', 'train', at('notab.tsv'), '-o', at('x1')], /^nerva: .*notab\.tsv:2: no tab; each line must be 'text<TAB>label'/);
  writeFileSync(at('unseen.tsv'), '123\tnone\n777\tmaybe\n');
  fails(['classify', 'train', at('train.tsv'), '--valid', at('unseen.tsv'), '-o', at('x2')], /unseen\.tsv:2: label 'maybe' was not seen in training \(the model knows none, seven\)/);
  fails(['classify', 'eval', at('c'), at('unseen.tsv')], /unseen\.tsv:2: label 'maybe' was not seen in training/);
  writeFileSync(at('empty.tsv'), 'hello world\ta\n— …\tb\n');
  fails(['classify', 'train', at('empty.tsv'), '--level', 'word', '-o', at('x3')], /empty\.tsv:2: the text '— …' has no words: an empty sequence cannot be classified/);
  writeFileSync(at('stray.conll'), '1\todd\n2\teven\tX\n');
  fails(['tag', 'train', at('stray.conll'), '-o', at('x4')], /stray\.conll:2: 3 tab-separated columns, expected 2/);
  writeFileSync(at('notab.conll'), '1\todd\n\n2 even\n');
  fails(['tag', 'train', at('notab.conll'), '-o', at('x5')], /notab\.conll:3: no tab; each line must be 'token<TAB>label'/);
  writeFileSync(at('unseen.conll'), '1\todd\n2\tprime\n');
  fails(['tag', 'eval', at('t'), at('unseen.conll')], /unseen\.conll:2: label 'prime' was not seen in training/);
  fails(['tag', 'train', at('train.conll'), '--valid', at('unseen.conll'), '-o', at('x6')], /unseen\.conll:2: label 'prime'/);
  writeFileSync(at('blank.conll'), '\n\n');
  fails(['tag', 'train', at('blank.conll'), '-o', at('x7')], /blank\.conll: no sequences/);
  for (const d of ['x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7']) assert.ok(!existsSync(at(d)), `${d} must not be created`);
  fails(['tag', 'eval', at('c'), at('test.conll')], /holds a classifier; use nerva classify instead/);
  fails(['classify', 'predict', at('nothing'), 'x'], /has no meta\.json: is it a folder written by nerva classify train\?/);
});
