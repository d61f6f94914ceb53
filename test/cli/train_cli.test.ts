// `nerva train / eval / predict / summary` as a user runs them: a tiny run end to end, Ctrl-C and
// --resume, and each bad input giving one line that names the file or value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pngjs from 'pngjs';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const nerva = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...process.env, NERVA_BACKEND: 'ref' } });

/** The command failed with exactly one line on stderr, matching `pattern`. */
function failsWith(args: string[], pattern: RegExp): void {
  const r = nerva(...args);
  assert.equal(r.status, 1, `exit status of nerva ${args.join(' ')}: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line of error, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^nerva: /);
  assert.match(lines[0]!, pattern);
}

const dir = mkdtempSync(join(tmpdir(), 'nerva-cli-'));
const run1 = join(dir, 'run1');

test('train a tiny run, then eval, predict and summary on its checkpoint', () => {
  const r = nerva('train', 'lenet5', '--limit', '256', '--test-limit', '200', '--epochs', '1', '--batch-size', '32', '--out', run1, '--quiet');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /test accuracy \d+\.\d\d% after 1 epochs/);
  for (const f of ['checkpoint.safetensors', 'log.jsonl', 'curves.png', 'confusion.png']) assert.ok(existsSync(join(run1, f)), f);
  const log = readFileSync(join(run1, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; valAccuracy?: number });
  assert.equal(log[0]!.type, 'start');
  assert.equal(log.filter((e) => e.type === 'epoch').length, 1);

  const ev = nerva('eval', join(run1, 'checkpoint.safetensors'), '--json', '--test-limit', '200');
  assert.equal(ev.status, 0, ev.stderr);
  const res = JSON.parse(ev.stdout) as { accuracy: number; samples: number; confusion: number[][] };
  assert.equal(res.samples, 200);
  assert.equal(res.accuracy, log.find((e) => e.type === 'epoch')!.valAccuracy, 'eval reproduces the accuracy measured during training');
  assert.equal(res.confusion.flat().reduce((a, b) => a + b), 200);

  // a light digit "1" on black, as MNIST has them
  const png = new pngjs.PNG({ width: 28, height: 28 });
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) {
    const v = x >= 13 && x <= 15 && y >= 5 && y <= 23 ? 255 : 0;
    png.data.set([v, v, v, 255], (y * 28 + x) * 4);
  }
  const image = join(dir, 'one.png');
  writeFileSync(image, pngjs.PNG.sync.write(png));
  const pr = nerva('predict', join(run1, 'checkpoint.safetensors'), image, '--json');
  assert.equal(pr.status, 0, pr.stderr);
  const top = (JSON.parse(pr.stdout) as { top: { class: string; probability: number }[] }).top;
  assert.equal(top.length, 5);
  assert.ok(top.every((t, i) => i === 0 || t.probability <= top[i - 1]!.probability));
  assert.ok(top.reduce((a, t) => a + t.probability, 0) <= 1 + 1e-6);

  const sm = nerva('summary', join(run1, 'checkpoint.safetensors'));
  assert.equal(sm.status, 0, sm.stderr);
  assert.match(sm.stdout, /Total params: 61,706/);
  const arch = nerva('summary', 'lenet5-classic');
  assert.match(arch.stdout, /features\.6 \(Conv2d\)\s+\[1, 120, 1, 1\]\s+48,120/);
  assert.match(arch.stdout, /Total params: 61,706/);
});

test('bad inputs: one line naming the value or file', () => {
  failsWith(['train', 'lenet7'], /unknown architecture 'lenet7' \(known: lenet5, lenet5-classic/);
  failsWith(['train', '--epochs', '0'], /--epochs must be an integer ≥ 1, got '0'/);
  failsWith(['train', '--optimizer', 'adagrad'], /--optimizer must be one of sgd, adam, adamw, rmsprop, got 'adagrad'/);
  failsWith(['train', '--lr', 'fast'], /--lr must be a non-negative number, got 'fast'/);
  failsWith(['train', '--bogus'], /Unknown option '--bogus' \(see nerva train --help\)/);
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  failsWith(['train', '--out', join(file, 'sub')], new RegExp(`output folder '${join(file, 'sub')}' is not writable`));
  failsWith(['train', '--dataset', join(dir, 'no-such-folder'), '--out', join(dir, 'o')], /--dataset '.*no-such-folder' is neither 'mnist', 'fashion-mnist' nor an existing folder/);
  const empty = join(dir, 'empty-images');
  mkdirSync(join(empty, 'cats'), { recursive: true });
  failsWith(['train', '--dataset', empty, '--out', join(dir, 'o')], /class folder '.*cats' has no PNG or JPEG images/);
  const idxDir = join(dir, 'idx');
  mkdirSync(idxDir);
  writeFileSync(join(idxDir, 'train-images-idx3-ubyte'), Buffer.from([0, 0, 8, 3, 0, 0, 0, 9, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3]));
  writeFileSync(join(idxDir, 'train-labels-idx1-ubyte'), Buffer.from([0, 0, 8, 1, 0, 0, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  failsWith(['train', '--data-dir', idxDir, '--out', join(dir, 'o')], /IDX file '.*train-images-idx3-ubyte' is truncated: shape \[9, 28, 28\] of uint8 needs 7072 bytes, the file has 19/);
  failsWith(['eval', join(dir, 'missing.safetensors')], /checkpoint '.*missing.safetensors' does not exist/);
  const broken = join(dir, 'broken.safetensors');
  writeFileSync(broken, readFileSync(join(run1, 'checkpoint.safetensors')).subarray(0, 3000));
  failsWith(['eval', broken], /broken\.safetensors/);
  failsWith(['train', 'lenet5-classic', '--out', run1, '--resume'], /holds a lenet5, not a lenet5-classic/);
  failsWith(['eval', join(run1, 'checkpoint.safetensors'), '--arch', 'lenet5-classic'], /holds a lenet5, not a lenet5-classic/);
  failsWith(['train', '--out', join(dir, 'fresh'), '--resume'], /--resume: no checkpoint at '.*fresh\/checkpoint\.safetensors'/);
  failsWith(['predict', join(run1, 'checkpoint.safetensors'), join(dir, 'nope.png')], /image '.*nope\.png' does not exist/);
});

test('Ctrl-C finishes the batch, saves, and --resume completes the run with the same weights as an uninterrupted one', async () => {
  const args = ['train', 'lenet5', '--limit', '400', '--test-limit', '50', '--epochs', '1', '--batch-size', '16', '--quiet'];
  const stopped = join(dir, 'stopped');
  const child = spawn(process.execPath, [MAIN, ...args.filter((a) => a !== '--quiet'), '--out', stopped], { env: { ...process.env, NERVA_BACKEND: 'ref' } });
  let stderr = '';
  // Interrupt once the first epoch's progress shows (the run takes several seconds on ref).
  await new Promise<void>((resolve) => child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (/epoch 1\/1 /.test(stderr)) resolve();
  }));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => child.on('close', r));
  assert.equal(code, 0, stderr);
  assert.match(stderr, /stopped at epoch 1, step \d+; checkpoint saved to .*Continue with: nerva train lenet5 --out .* --resume/);
  const resumed = nerva('train', '--out', stopped, '--resume', '--quiet');
  assert.equal(resumed.status, 0, resumed.stderr);
  const straight = join(dir, 'straight');
  assert.equal(nerva(...args, '--out', straight).status, 0);
  const a = readFileSync(join(stopped, 'checkpoint.safetensors'));
  const b = readFileSync(join(straight, 'checkpoint.safetensors'));
  // the tensors section (weights and optimizer moments) must be byte-identical; the JSON header differs only in timings
  const body = (buf: Buffer) => buf.subarray(8 + Number(buf.readBigUInt64LE(0)));
  assert.ok(body(a).equals(body(b)), 'resumed and uninterrupted runs end with the same tensors');
});

test('--augment-kind: an unknown kind is named; a known one trains and is kept for --resume', () => {
  failsWith(['train', 'lenet5', '--augment-kind', 'mirror', '--limit', '64'], /--augment-kind must be one of affine, flip-crop, got 'mirror'/);
  const out = join(dir, 'flipcrop');
  const r = nerva('train', 'lenet5', '--augment-kind', 'flip-crop', '--limit', '128', '--test-limit', '100', '--epochs', '1', '--batch-size', '32', '--out', out, '--quiet');
  assert.equal(r.status, 0, r.stderr);
  const start = JSON.parse(readFileSync(join(out, 'log.jsonl'), 'utf8').split('\n')[0]!) as { args?: { augment?: unknown } };
  assert.equal(start.args?.augment, 'flip-crop');
});
