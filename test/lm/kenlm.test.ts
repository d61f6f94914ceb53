// Nerva's modified Kneser-Ney against what KenLM (lmplz -o 3, default flags) made of the same
// Moby Dick training file: test/fixtures/kenlm/README.md tells how the fixtures were made.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readArpa } from '../../src/node/lm_files.js';
import { writeArpa } from '../../src/node/lm_files.js';
import type { NgramModel } from '../../src/lm/model.js';
import { scoreFile } from '../../src/node/lm_files.js';
import { trainFile } from '../../src/node/lm_files.js';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'kenlm');
const TRAIN = join(FIXTURES, 'moby_word_train.txt');
const TEST = join(FIXTURES, 'moby_word_test.txt');

/** n-gram text → [log10 prob, log10 backoff] for every n-gram of the model. */
function entries(model: NgramModel): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  model.tables.forEach((t, i) => {
    const k = i + 1;
    for (let r = 0; r < t.logProb.length; r++) {
      const words = Array.from(t.keys.subarray(r * k, r * k + k), (id) => model.vocab.words[id]).join(' ');
      out.set(words, [t.logProb[r]!, t.logBackoff[r]!]);
    }
  });
  return out;
}

function assertSameModel(ours: NgramModel, ref: NgramModel, tol: number): void {
  assert.deepEqual(ours.counts(), ref.counts());
  const a = entries(ours);
  const b = entries(ref);
  let worstProb = 0;
  let worstBackoff = 0;
  for (const [words, [p, bo]] of b) {
    const mine = a.get(words);
    assert.ok(mine !== undefined, `KenLM's n-gram '${words}' is missing`);
    worstProb = Math.max(worstProb, Math.abs(mine[0] - p));
    worstBackoff = Math.max(worstBackoff, Math.abs(mine[1] - bo));
  }
  assert.ok(worstProb <= tol, `largest log10 probability difference ${worstProb}`);
  assert.ok(worstBackoff <= tol, `largest log10 back-off difference ${worstBackoff}`);
}

const reference = readArpa(join(FIXTURES, 'moby_word_o3.arpa.gz'));
const trained = trainFile(TRAIN, { order: 3, level: 'whitespace' });

test('mkn order 3 on moby_word_train: same n-grams, probabilities and back-offs as lmplz (1e-5)', async () => {
  const { model } = await trained;
  assertSameModel(model, await reference, 1e-5);
});

test('mkn discounts D1 D2 D3+ per order equal those in lmplz log', async () => {
  const { discounts } = await trained;
  const log = readFileSync(join(FIXTURES, 'moby_word_o3.lmplz.log'), 'utf8');
  for (let k = 1; k <= 3; k++) {
    const m = new RegExp(`^${k} \\d+ D1=(\\S+) D2=(\\S+) D3\\+=(\\S+)$`, 'm').exec(log);
    assert.ok(m !== null, `order ${k} line in the log`);
    for (let j = 1; j <= 3; j++) assert.ok(Math.abs(discounts![k - 1]![j]! - Number(m[j])) < 1e-5, `D${j} of order ${k}: ${discounts![k - 1]![j]} vs ${m[j]}`);
  }
});

test('perplexity of moby_word_test equals KenLM query (1e-5 relative), for our model and for KenLM\'s ARPA', async () => {
  const q = readFileSync(join(FIXTURES, 'moby_word_o3.query.txt'), 'utf8');
  const want = (label: string): number => Number(new RegExp(`^${label}:\\s+(\\S+)`, 'm').exec(q)![1]);
  for (const model of [(await trained).model, await reference]) {
    const s = await scoreFile(model, TEST, { level: 'whitespace' });
    assert.equal(s.oovs, want('OOVs'));
    assert.equal(s.tokens, want('Tokens'));
    const rel = (x: number, y: number): number => Math.abs(x - y) / y;
    assert.ok(rel(s.perplexity, want('Perplexity including OOVs')) < 1e-5, `ppl incl ${s.perplexity}`);
    assert.ok(rel(s.perplexityExcludingOovs, want('Perplexity excluding OOVs')) < 1e-5, `ppl excl ${s.perplexityExcludingOovs}`);
  }
});

test('our ARPA file reads back exactly (float32 values round-trip)', async () => {
  const { model } = await trained;
  const dir = mkdtempSync(join(tmpdir(), 'nerva-lm-'));
  try {
    const path = join(dir, 'moby3.arpa');
    writeArpa(model, path);
    assertSameModel(await readArpa(path), model, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
