import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { noGrad, NervaError } from '../../src/index.js';
import type { Module } from '../../src/nn/index.js';
import { loadSafetensors } from '../../src/node/safetensors.js';
import { AlexNet } from '../../src/models/alexnet.js';
import { VGG, type VGGConfig } from '../../src/models/vgg.js';
import { resnet18, resnet50 } from '../../src/models/resnet.js';

// Output parity with torchvision: scripts/gen_zoo_fixtures.py builds width-reduced AlexNet, VGG-16,
// VGG-11-BN, ResNet-18 and ResNet-50 from torchvision's classes, gives them random weights and
// random batch-norm statistics, and saves the state_dict (as is, int64 num_batches_tracked
// included) with a fixed input and torch's float64 eval-mode logits. E.g. for ResNet-18:
//   m = ThinResNet(BasicBlock, [2, 2, 2, 2], width=8, num_classes=10); randomize(m); m.eval()
//   logits = m.double()(x.double()).float()
const here = dirname(fileURLToPath(import.meta.url));
const zooDir = join(here, '..', '..', '..', 'test', 'fixtures', 'zoo');
type Entry = { arch: string; options: Record<string, unknown>; input: number[]; numParameters: number };
const manifest = JSON.parse(readFileSync(join(zooDir, 'manifest.json'), 'utf8')) as Record<string, Entry>;

function build(e: Entry): Module {
  const o = { ...e.options, initWeights: false };
  if (e.arch === 'alexnet') return new AlexNet(o);
  if (e.arch.startsWith('vgg')) return new VGG(e.options.config as VGGConfig, o);
  if (e.arch === 'resnet18') return resnet18(o);
  if (e.arch === 'resnet50') return resnet50(o);
  throw new Error(`no builder for ${e.arch}`);
}

/** max |a − b| / max |b|: the relative error of the whole logit vector. */
function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}

for (const [name, e] of Object.entries(manifest)) {
  test(`zoo parity: ${name} (${e.arch}, ${JSON.stringify(e.options)}) loads torchvision's state_dict and matches its eval logits to 1e-4`, () => {
    const model = build(e);
    assert.equal(model.numParameters(), e.numParameters);
    const { tensors } = loadSafetensors(join(zooDir, `${name}.safetensors`));
    model.loadStateDict(tensors); // strict: every key present, no extra, same shapes
    const io = loadSafetensors(join(zooDir, `${name}.io.safetensors`)).tensors;
    const x = io.get('input')!;
    const ref = io.get('logits')!;
    assert.deepEqual([...x.shape], e.input);
    const y = noGrad(() => model.eval().call(x));
    assert.deepEqual([...y.shape], [...ref.shape]);
    const err = relError(y.toTypedArray(), ref.toTypedArray());
    assert.ok(err < 1e-4, `${name}: relative error ${err.toExponential(2)}`);
  });
}

test('zoo parity: weights of another architecture are refused by name and leave the model unchanged', () => {
  const model = build(manifest.resnet18_w8!);
  const before = [...model.stateDict()].map(([k, t]) => [k, t.toTypedArray().slice()] as const);
  const alex = loadSafetensors(join(zooDir, 'alexnet_w8.safetensors')).tensors;
  assert.throws(() => model.loadStateDict(alex), (err: Error) => err instanceof NervaError && /missing keys: conv1\.weight/.test(err.message) && /unexpected keys: features\.0\.weight/.test(err.message));
  // same names, other widths: wrong shapes are listed and nothing is copied
  const wide = resnet18({ numClasses: 10, width: 16, initWeights: false });
  assert.throws(() => wide.loadStateDict(loadSafetensors(join(zooDir, 'resnet18_w8.safetensors')).tensors), /wrong shapes: conv1\.weight: checkpoint \[8, 3, 7, 7\], model \[16, 3, 7, 7\]/);
  for (const [k, v] of before) assert.deepEqual(model.stateDict().get(k)!.toTypedArray(), v, k);
});

test('zoo parity: a truncated weights file is refused naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nerva-zoo-'));
  try {
    const bytes = readFileSync(join(zooDir, 'resnet18_w8.safetensors'));
    const path = join(dir, 'cut.safetensors');
    writeFileSync(path, bytes.subarray(0, bytes.length - 100));
    assert.throws(() => loadSafetensors(path), (err: Error) => err instanceof NervaError && err.message.includes(path));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
