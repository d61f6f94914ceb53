// `nerva finetune / export / import` as a user runs them: a tiny fine-tune with a frozen backbone,
// an export → import round trip, and bad inputs (unknown freeze pattern, truncated file, weights of
// another architecture) giving one line that names the pattern or file, and writing nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manualSeed } from '../../src/index.js';
import { LeNet5 } from '../../src/models/lenet.js';
import { saveCheckpoint, loadCheckpoint } from '../../src/node/checkpoint.js';
import { loadSafetensors } from '../../src/node/safetensors.js';

const here = dirname(fileURLToPath(import.meta.url));
const MAIN = join(here, '..', '..', 'src', 'cli', 'main.js');
const zooDir = join(here, '..', '..', '..', 'test', 'fixtures', 'zoo');
const nerva = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...process.env, NERVA_BACKEND: 'ref' } });

function failsWith(args: string[], pattern: RegExp): void {
  const r = nerva(...args);
  assert.equal(r.status, 1, `exit status of nerva ${args.join(' ')}: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line of error, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^nerva: /);
  assert.match(lines[0]!, pattern);
}

const dir = mkdtempSync(join(tmpdir(), 'nerva-transfer-cli-'));
const base = join(dir, 'base.safetensors');
manualSeed(0);
const model = new LeNet5();
const pre = { dataset: 'mnist', classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], inChannels: 1, imageSize: 28, inputSize: 28, mean: [0.1307], std: [0.3081] };
saveCheckpoint(base, { model, arch: 'lenet5', config: { numClasses: 10, inChannels: 1 }, extra: { arch: 'lenet5', pre } });

test('finetune: frozen backbone + new 2-class head on 5 labels per class; the backbone is unchanged', () => {
  const out = join(dir, 'ft');
  const r = nerva('finetune', base, '--freeze', 'backbone', '--new-head', '2', '--classes', '3,7', '--labels-per-class', '5', '--epochs', '2', '--batch-size', '5', '--lr', '0.01', '--out', out, '--quiet');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /test accuracy \d+\.\d\d% after 2 epochs/);
  const ft = loadCheckpoint(join(out, 'checkpoint.safetensors'));
  assert.equal((ft.extra as { arch: string }).arch, 'lenet5');
  assert.deepEqual((ft.extra as { pre: { classes: string[] } }).pre.classes, ['3', '7']);
  assert.deepEqual([...ft.modelState.get('classifier.5.weight')!.shape], [2, 84]);
  const before = model.stateDict();
  for (const [k, t] of ft.modelState) {
    if (k.startsWith('classifier.5.')) continue;
    assert.deepEqual(t.toTypedArray(), before.get(k)!.toTypedArray(), `${k} changed though frozen`);
  }
  const log = readFileSync(join(out, 'log.jsonl'), 'utf8');
  assert.match(log, /"type":"epoch"/);
  // eval knows the class subset: the same test images (digits 3 and 7) and the same accuracy.
  const finalAccuracy = Number(/test accuracy (\d+\.\d\d)% after/.exec(r.stdout)![1]);
  const e = nerva('eval', join(out, 'checkpoint.safetensors'), '--json');
  assert.equal(e.status, 0, e.stderr);
  const evaluated = JSON.parse(e.stdout) as { accuracy: number; confusion: number[][] };
  assert.equal(evaluated.confusion.length, 2);
  assert.equal((100 * evaluated.accuracy).toFixed(2), finalAccuracy.toFixed(2));
});

test('finetune: bad patterns, heads and classes are one-line errors naming the value', () => {
  failsWith(['finetune', base, '--freeze', 'layer9', '--new-head', '2', '--classes', '3,7', '--out', join(dir, 'bad1')], /pattern 'layer9' matches no parameter or module of LeNet5 \(its top-level modules: features, classifier\)/);
  assert.ok(!existsSync(join(dir, 'bad1', 'checkpoint.safetensors')));
  failsWith(['finetune', base, '--freeze', '/[/', '--new-head', '2', '--classes', '3,7'], /--freeze: '\/\[\/' is not a valid regular expression/);
  failsWith(['finetune', base, '--classes', '3,7'], /head 'classifier\.5' .* has 10 outputs but the data has 2 classes; pass --new-head 2/);
  failsWith(['finetune', base, '--classes', '3,x'], /--classes must be label indices/);
  failsWith(['finetune', join(dir, 'nope.safetensors')], /checkpoint '.*nope\.safetensors' does not exist/);
});

test('export → import round trip keeps every tensor; import refuses broken or foreign files without writing', () => {
  const weights = join(dir, 'w.safetensors');
  const r = nerva('export', base, '-o', weights);
  assert.equal(r.status, 0, r.stderr);
  const exported = loadSafetensors(weights);
  assert.deepEqual([...exported.tensors.keys()], [...model.stateDict().keys()]);
  assert.equal(exported.metadata.arch, 'lenet5');
  const back = join(dir, 'back.safetensors');
  const i = nerva('import', weights, '--arch', 'lenet5', '-o', back);
  assert.equal(i.status, 0, i.stderr);
  assert.match(i.stdout, /imported lenet5 \(61,706 parameters, 10 classes, 1 channels\)/);
  const ck = loadCheckpoint(back);
  for (const [k, t] of model.stateDict()) assert.deepEqual(ck.modelState.get(k)!.toTypedArray(), t.toTypedArray(), k);

  const cut = join(dir, 'cut.safetensors');
  const bytes = readFileSync(weights);
  writeFileSync(cut, bytes.subarray(0, bytes.length - 7));
  const out1 = join(dir, 'o1.safetensors');
  failsWith(['import', cut, '--arch', 'lenet5', '-o', out1], /cut\.safetensors/);
  assert.ok(!existsSync(out1));
  const out2 = join(dir, 'o2.safetensors');
  failsWith(['import', weights, '--arch', 'resnet20', '-o', out2], /does not hold resnet20 weights: \d+ missing \(conv1\.weight, .*\); 10 unexpected \(features\.0\.weight/);
  assert.ok(!existsSync(out2));
  // torchvision ResNet-18 weights at width 8 are not the registry's width-64 resnet18
  failsWith(['import', join(zooDir, 'resnet18_w8.safetensors'), '--arch', 'resnet18', '-o', out2], /conv1\.weight is \[8, 3, 7, 7\] in the file, \[64, 3, 7, 7\] in resnet18/);
  failsWith(['import', weights], /--arch/);
  failsWith(['export', base], /-o FILE/);
});
