/**
 * `nerva seq2seq`: train, evaluate and run encoder–decoder models with attention on pairs files.
 *
 *   nerva seq2seq train PAIRS.tsv -o DIR [--src-level char|space] [--tgt-level char|space] …
 *   nerva seq2seq eval DIR TEST.tsv [--beam K]
 *   nerva seq2seq translate DIR "input"… [--beam K] [--n-best N] [--attention out.png]
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../node/atomic.js';
import { parseCommand } from './args.js';
import { InterruptWatch } from './interrupt.js';
import { given as typed, int, makeOutputFolder, num, oneOf, percent, readText } from './seq_common.js';
import { selectBackend } from './backend_args.js';
import { NervaError } from '../errors.js';
import { Generator, defaultGenerator, getRngState, manualSeed, setRngState } from '../tensor/random.js';
import { Adam } from '../optim/adam.js';
import { Seq2Seq, SEQ2SEQ_ARCHS, type Seq2SeqArch } from '../models/seq2seq.js';
import { ATTENTION_SCORES, type AttentionScore } from '../nn/attention.js';
import { parsePairs, type TextPair } from '../seq/tsv.js';
import { SYMBOL_LEVELS, joinSymbols, type SymbolLevel } from '../seq/symbols.js';
import { bucketBatches } from '../seq/batching.js';
import { isHeldOut } from '../seq/split.js';
import { buildVocabs, encodePairs, lengthRatio, makeBatch, type EncodedPairs } from '../seq2seq/data.js';
import { Seq2SeqTrainer, evaluateLoss } from '../seq2seq/train.js';
import { evaluatePairs, translateAll } from '../seq2seq/translate.js';
import { lrAt } from '../lm/neural/train.js';
import { loadSeq2Seq, saveSeq2Seq, saveVocabs, MODEL_FILE, type Seq2SeqVocabs } from '../node/seq2seq_store.js';
import { ProgressBar, formatDuration } from '../train/progress.js';
import { writeAttentionPicture } from './seq2seq_attention.js';

const USAGE = `usage:
  nerva seq2seq train PAIRS.tsv -o DIR [options]   train an encoder–decoder with attention on source<TAB>target lines
  nerva seq2seq eval DIR TEST.tsv [options]        exact match, WER, token error rate (and BLEU) of a model
  nerva seq2seq translate DIR INPUT… [options]     decode inputs (or --file FILE, one a line; '-' = stdin)

train options:
  --src-level char|space  source symbols: characters (default) or space-separated symbols
  --tgt-level char|space  target symbols (default char)
  --valid FILE            held-out pairs scored after every epoch (default: 5% of PAIRS, at most 2,000, by hash)
  --arch lstm|gru         recurrent layers (default lstm)
  --embed N               embedding width (default 64)
  --hidden N              decoder width; the encoder's two directions get N/2 each (default 256)
  --layers N              recurrent layers of the encoder and of the decoder (default 2)
  --unidirectional        a forward-only encoder (its direction gets all N units)
  --attention KIND        dot | general | additive (default general)
  --dropout P             dropout on embeddings, between layers and before the output (default 0.2)
  --batch-size N          pairs per step, bucketed by length (default 64)
  --epochs N              passes over the pairs (default 10)
  --minutes M             stop after M minutes (the learning-rate schedule follows the clock; default: none)
  --lr RATE               Adam learning rate, warm-up then cosine decay to 10% (default 0.002)
  --clip NORM             gradient-norm clipping, 0 = off (default 1)
  --label-smoothing E     ε of label smoothing (default 0.1)
  --sampling-rate P       scheduled sampling: share of decoder inputs taken from the model's own predictions (default 0)
  --save-every N          also save every N steps (default 500)
  --stop-after N          save and stop after N steps of this run (continue later with --resume)
  --seed N                random seed (default 1)
  --force                 replace a model already in DIR (without it, DIR is never overwritten)
  --resume                continue the run saved in DIR with its own settings
  -o, --out DIR           where model.safetensors, vocab.json and log.jsonl go (required)
decoding options (eval, translate):
  --beam K                beam search of width K (default 5 for translate, 1 = greedy for eval)
  --n-best N              translate: print the N best hypotheses with their scores (default 1)
  --length-penalty A      rank by log p / length^A (default 1)
  --sample                translate: draw tokens instead of searching; --temperature T (default 1), --top-k K
  --seed N                translate --sample: random seed
  --batch-size N          inputs decoded side by side (default 64)
  --attention FILE        translate: draw the attention of the best hypothesis (.png or .svg; one input)
  --bleu                  eval: also corpus BLEU-4 (default: on when the target is space-separated words)
all commands take --backend wasm|ref and --threads N.`;

export async function run(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') return void console.log(USAGE);
  if (sub === 'train') return train(rest);
  if (sub === 'eval') return evalCommand(rest);
  if (sub === 'translate') return translateCommand(rest);
  throw new NervaError(`unknown seq2seq command '${sub}' (expected train, eval or translate; see nerva seq2seq --help)`);
}

/** Reads a pairs file (or '-' for stdin) with errors naming the file. */
export function readPairs(path: string, what = 'pairs file'): TextPair[] {
  const text = path === '-' ? readFileSync(0, 'utf8') : readText(path, what);
  return parsePairs(text, path === '-' ? 'stdin' : path);
}

const pct = percent;

// ------------------------------------------------------------------ train

async function train(argv: string[]): Promise<void> {
  const { values: o, positionals } = parseCommand('seq2seq train', {
    args: argv,
    allowPositionals: true,
    options: {
      'src-level': { type: 'string', default: 'char' },
      'tgt-level': { type: 'string', default: 'char' },
      valid: { type: 'string' },
      arch: { type: 'string', default: 'lstm' },
      embed: { type: 'string', default: '64' },
      hidden: { type: 'string', default: '256' },
      layers: { type: 'string', default: '2' },
      unidirectional: { type: 'boolean', default: false },
      attention: { type: 'string', default: 'general' },
      dropout: { type: 'string', default: '0.2' },
      'batch-size': { type: 'string', default: '64' },
      epochs: { type: 'string', default: '10' },
      minutes: { type: 'string' },
      lr: { type: 'string', default: '0.002' },
      clip: { type: 'string', default: '1' },
      'label-smoothing': { type: 'string', default: '0.1' },
      'sampling-rate': { type: 'string', default: '0' },
      'save-every': { type: 'string', default: '500' },
      'stop-after': { type: 'string' },
      seed: { type: 'string', default: '1' },
      force: { type: 'boolean', default: false },
      resume: { type: 'boolean', default: false },
      backend: { type: 'string' },
      threads: { type: 'string' },
      out: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (o.help) return void console.log(USAGE);
  if (positionals.length !== 1) throw new NervaError(`seq2seq train takes one pairs file (source<TAB>target lines), got ${positionals.length}${positionals.length ? ': ' + positionals.join(', ') : ''}`);
  const dir = o.out;
  if (!dir) throw new NervaError('seq2seq train needs an output folder: -o DIR');
  const given = (name: string): boolean => typed(argv, name);
  const modelPath = join(dir, MODEL_FILE);
  if (o.resume && o.force) throw new NervaError('--resume and --force contradict each other: --resume continues the model in DIR, --force replaces it');
  if (!o.resume && existsSync(modelPath) && !o.force) throw new NervaError(`'${dir}' already holds a trained model: continue it with --resume, replace it with --force, or choose another -o`);

  // The run's settings: from the command line, or on --resume from the saved run (changing them is refused).
  const settingNames = ['src-level', 'tgt-level', 'valid', 'arch', 'embed', 'hidden', 'layers', 'unidirectional', 'attention', 'dropout', 'batch-size', 'epochs', 'minutes', 'lr', 'clip', 'label-smoothing', 'sampling-rate', 'seed'] as const;
  type Settings = Record<(typeof settingNames)[number], string | boolean | undefined>;
  let settings: Settings = Object.fromEntries(settingNames.map((k) => [k, o[k]])) as Settings;
  let resumed: ReturnType<typeof loadSeq2Seq> | null = null;
  await selectBackend(o.backend, o.threads);
  if (o.resume) {
    if (!existsSync(modelPath)) throw new NervaError(`--resume: '${dir}' has no ${MODEL_FILE} to resume from`);
    resumed = loadSeq2Seq(dir);
    const saved = (resumed.checkpoint.extra as { settings?: Settings }).settings;
    if (saved === undefined) throw new NervaError(`--resume: '${modelPath}' has no saved training settings`);
    const changed = settingNames.filter((k) => given(k) && String(o[k]) !== String(saved[k]));
    if (changed.length > 0) throw new NervaError(`--resume continues the saved run with its own settings; drop ${changed.map((k) => `--${k}`).join(', ')} (saved: ${changed.map((k) => `${k} ${saved[k]}`).join(', ')})`);
    settings = saved;
  }
  const s = settings;
  const srcLevel = oneOf<SymbolLevel>('src-level', s['src-level'] as string, SYMBOL_LEVELS);
  const tgtLevel = oneOf<SymbolLevel>('tgt-level', s['tgt-level'] as string, SYMBOL_LEVELS);
  const arch = oneOf<Seq2SeqArch>('arch', s.arch as string, SEQ2SEQ_ARCHS);
  const attention = oneOf<AttentionScore>('attention', s.attention as string, ATTENTION_SCORES);
  const hidden = int('hidden', s.hidden as string);
  const bidirectional = s.unidirectional !== true;
  if (bidirectional && hidden % 2 !== 0) throw new NervaError(`--hidden must be even with a bidirectional encoder (its two directions get half each), got ${hidden}`);
  const batchSize = int('batch-size', s['batch-size'] as string);
  const epochs = int('epochs', s.epochs as string);
  const minutes = s.minutes === undefined ? Infinity : num('minutes', s.minutes as string, 0.01);
  const lr = num('lr', s.lr as string, 1e-8, 10);
  const clip = num('clip', s.clip as string);
  const labelSmoothing = num('label-smoothing', s['label-smoothing'] as string, 0, 0.99);
  const samplingRate = num('sampling-rate', s['sampling-rate'] as string, 0, 1);
  const seed = int('seed', s.seed as string, 0);
  const dropoutP = num('dropout', s.dropout as string, 0, 0.99);
  const saveEvery = int('save-every', o['save-every']);
  const stopAfter = o['stop-after'] === undefined ? Infinity : int('stop-after', o['stop-after']);

  // ---- data ----
  const file = positionals[0]!;
  let pairs = readPairs(file);
  let validPairs: TextPair[];
  let validName: string;
  if (s.valid !== undefined) {
    validPairs = readPairs(s.valid as string, '--valid file');
    validName = s.valid as string;
  } else {
    // Held out by a hash of the source (seeded), so the same pairs are held out on --resume.
    const share = Math.min(0.05, 2000 / pairs.length);
    const held = (p: TextPair): boolean => pairs.length >= 20 && isHeldOut(p.source, share, String(seed));
    validPairs = pairs.filter(held);
    pairs = pairs.filter((p) => !held(p));
    validName = `${validPairs.length} pairs held out of ${file}`;
  }
  let vocabs: Seq2SeqVocabs;
  if (resumed !== null) vocabs = resumed.vocabs;
  else {
    const built = buildVocabs(pairs, srcLevel, tgtLevel);
    vocabs = { source: built.src, target: built.tgt, lengthRatio: 1 };
  }
  const data = encodePairs(pairs, vocabs.source, vocabs.target, file);
  if (resumed === null) vocabs.lengthRatio = Math.max(1, lengthRatio(data)) * 1.5;
  const warnUnknown = (d: EncodedPairs, name: string): void => {
    if (d.unknownSource + d.unknownTarget > 0) console.error(`nerva: warning: ${name}: ${d.unknownSource} source and ${d.unknownTarget} target symbols are not in the model's vocabularies; they are read as <unk>`);
  };
  warnUnknown(data, file);
  const valid = validPairs.length > 0 ? encodePairs(validPairs, vocabs.source, vocabs.target, validName) : null;
  if (valid) warnUnknown(valid, validName);
  const lengths = Array.from({ length: data.size }, (_, i) => data.sourceLength(i) + data.targetLength(i));
  pairs = []; // only the encoded ids are kept while training (cheap for the garbage collector)

  // ---- model and optimizer ----
  manualSeed(seed);
  const model = resumed?.model ?? new Seq2Seq({
    arch, srcVocab: vocabs.source.size, tgtVocab: vocabs.target.size, embed: int('embed', s.embed as string),
    encoderHidden: bidirectional ? hidden / 2 : hidden, encoderLayers: int('layers', s.layers as string), bidirectional,
    decoderHidden: hidden, decoderLayers: int('layers', s.layers as string), attention, dropout: dropoutP,
  });
  const optimizer = new Adam(model.parameters(), { lr });
  // Scheduled sampling draws from the global generator, whose state the checkpoint keeps (--resume is exact).
  const trainer = new Seq2SeqTrainer(model, optimizer, { clip, labelSmoothing, samplingRate, generator: defaultGenerator });
  let startEpoch = 1;
  let startBatch = 0;
  let elapsedBefore = 0;
  if (resumed !== null) {
    resumed.checkpoint.restore({ model, optimizer, arch: resumed.checkpoint.arch });
    trainer.step = resumed.checkpoint.step;
    const pos = (resumed.checkpoint.extra as { position?: { epoch: number; batch: number; elapsed: number } }).position;
    if (pos) ({ epoch: startEpoch, batch: startBatch, elapsed: elapsedBefore } = pos);
    if (resumed.checkpoint.rngState) setRngState(resumed.checkpoint.rngState.map((v) => (v === null ? NaN : v)));
  }
  makeOutputFolder(dir);
  if (resumed === null) {
    if (o.force) rmSync(join(dir, 'log.jsonl'), { force: true });
    saveVocabs(dir, vocabs);
  }
  const perEpoch = Math.ceil(data.size / batchSize);
  const totalSteps = epochs * perEpoch;
  const budget = minutes * 60;
  console.error(`${model.toString().split('\n')[0]}: ${model.numParameters().toLocaleString('en-US')} parameters; vocabularies ${vocabs.source.size} source, ${vocabs.target.size} target symbols`);
  console.error(`'${file}': ${data.size.toLocaleString('en-US')} pairs, ${perEpoch} steps of ${batchSize} per epoch, ${epochs} epoch(s)${Number.isFinite(minutes) ? ` or ${minutes} minutes` : ''}; validation: ${valid ? validName : 'none'}${resumed ? `; resuming at epoch ${startEpoch}, step ${trainer.step}` : ''}`);

  const save = (epoch: number, batch: number, elapsed: number): void => {
    saveSeq2Seq(dir, model, { optimizer, step: trainer.step, epoch, rngState: getRngState(), extra: { settings, position: { epoch, batch, elapsed } } });
  };
  const log = (record: Record<string, unknown>): void => {
    const path = join(dir, 'log.jsonl');
    const old = existsSync(path) ? readFileSync(path, 'utf8') : '';
    writeFileAtomic(path, old + JSON.stringify(record) + '\n');
  };
  const interrupt = new InterruptWatch();
  const started = Date.now();
  const firstStep = trainer.step;
  const elapsed = (): number => elapsedBefore + (Date.now() - started) / 1000;
  const warmupSteps = Math.min(200, Math.floor(totalSteps / 20));
  try {
    for (let epoch = startEpoch; epoch <= epochs; epoch++) {
      const batches = bucketBatches(lengths, batchSize, new Generator(seed * 100_003 + epoch));
      const first = epoch === startEpoch ? startBatch : 0;
      const bar = new ProgressBar(data.size, { unit: 'pairs', label: `epoch ${epoch}/${epochs}` });
      for (let k = 0; k < first; k++) bar.tick(batches[k]!.length);
      let lossSum = 0;
      let lossTokens = 0;
      for (let k = first; k < batches.length; k++) {
        const progress = Math.max(trainer.step / totalSteps, elapsed() / budget);
        trainer.setLr(lrAt(Math.min(1, progress) * totalSteps, { lr, totalSteps, warmupSteps }));
        let r;
        try {
          r = trainer.trainBatch(makeBatch(data, batches[k]!));
        } catch (err) {
          bar.finish();
          const kept = existsSync(modelPath) ? ` The last checkpoint in '${dir}' is intact.` : '';
          if (err instanceof NervaError) throw new NervaError(err.message + kept);
          throw err;
        }
        lossSum += r.loss * r.tokens;
        lossTokens += r.tokens;
        bar.tick(batches[k]!.length, { loss: r.loss, lr: optimizer.paramGroups[0]!.lr, ...(Number.isFinite(budget) ? { left: formatDuration(budget - elapsed()) } : {}) });
        if (trainer.step % saveEvery === 0) save(epoch, k + 1, elapsed());
        await new Promise((resolve) => setImmediate(resolve)); // lets Ctrl-C arrive
        const outOfTime = elapsed() >= budget;
        const stopped = trainer.step - firstStep >= stopAfter && k + 1 < batches.length;
        if (interrupt.requested || outOfTime || stopped) {
          bar.finish();
          save(epoch, k + 1, elapsed());
          if (interrupt.requested || stopped) {
            console.error(`${interrupt.requested ? 'interrupted' : `stopped after ${stopAfter} steps`}: saved step ${trainer.step} to '${dir}'; continue with nerva seq2seq train ${file} -o ${dir} --resume`);
            if (interrupt.requested) process.exitCode = 130;
            return;
          }
          console.error(`time budget of ${minutes} minutes reached in epoch ${epoch} (step ${trainer.step}); saved to '${dir}'`);
          if (valid) reportValidation(model, vocabs, validPairs, valid, epoch, lossSum / Math.max(1, lossTokens), elapsed(), log);
          return;
        }
      }
      bar.finish({ 'train loss': lossSum / Math.max(1, lossTokens) });
      save(epoch + 1, 0, elapsed());
      if (valid) reportValidation(model, vocabs, validPairs, valid, epoch, lossSum / Math.max(1, lossTokens), elapsed(), log);
      else log({ epoch, step: trainer.step, trainLoss: lossSum / Math.max(1, lossTokens), seconds: Math.round(elapsed()) });
      if (trainer.step - firstStep >= stopAfter && epoch < epochs) {
        console.error(`stopped after ${stopAfter} steps: saved step ${trainer.step} to '${dir}'; continue with nerva seq2seq train ${file} -o ${dir} --resume`);
        return;
      }
    }
    console.error(`done in ${formatDuration(elapsed())}: '${dir}' (try: nerva seq2seq translate ${dir} "…")`);
  } finally {
    interrupt.release();
  }
}

/** Validation after an epoch: teacher-forced loss and greedy exact match / token error rate on up to 1,000 pairs. */
function reportValidation(model: Seq2Seq, vocabs: Seq2SeqVocabs, pairs: TextPair[], data: EncodedPairs, epoch: number, trainLoss: number, seconds: number, log: (r: Record<string, unknown>) => void): void {
  const { loss } = evaluateLoss(model, data);
  const sample = pairs.slice(0, 1000);
  const scores = evaluatePairs(model, vocabs, sample, { method: 'greedy' });
  console.error(`epoch ${epoch}: train loss ${trainLoss.toFixed(4)}, valid loss ${loss.toFixed(4)}; greedy on ${sample.length} valid pairs: exact ${pct(scores.exactMatch)}, token error rate ${pct(scores.ter)}`);
  log({ epoch, trainLoss, validLoss: loss, validExact: scores.exactMatch, validTer: scores.ter, seconds: Math.round(seconds) });
}

// ------------------------------------------------------------------ eval

async function evalCommand(argv: string[]): Promise<void> {
  const { values: o, positionals } = parseCommand('seq2seq eval', {
    args: argv,
    allowPositionals: true,
    options: {
      beam: { type: 'string', default: '1' },
      'length-penalty': { type: 'string', default: '1' },
      'batch-size': { type: 'string', default: '64' },
      bleu: { type: 'boolean' },
      errors: { type: 'string', default: '0' },
      backend: { type: 'string' },
      threads: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (o.help) return void console.log(USAGE);
  if (positionals.length !== 2) throw new NervaError('usage: nerva seq2seq eval DIR TEST.tsv');
  await selectBackend(o.backend, o.threads);
  const { model, vocabs } = loadSeq2Seq(positionals[0]!);
  const pairs = readPairs(positionals[1]!, 'test file');
  const beam = int('beam', o.beam);
  const bleu = o.bleu ?? (vocabs.target.level === 'space' && vocabs.target.size > 200);
  const bar = new ProgressBar(pairs.length, { unit: 'pairs', label: beam > 1 ? `beam ${beam}` : 'greedy' });
  let last = 0;
  const started = Date.now();
  const r = evaluatePairs(model, vocabs, pairs, {
    method: beam > 1 ? 'beam' : 'greedy', beam, lengthPenalty: num('length-penalty', o['length-penalty']), batchSize: int('batch-size', o['batch-size']), bleu,
    onProgress: (done) => { bar.tick(done - last); last = done; },
  });
  bar.finish();
  const seconds = (Date.now() - started) / 1000;
  if (r.unknown > 0) console.error(`nerva: warning: ${r.unknown} source symbols of '${positionals[1]}' are not in the model's vocabulary; they are read as <unk>`);
  const showErrors = int('errors', o.errors, 0);
  if (showErrors > 0) {
    let shown = 0;
    for (let i = 0; i < pairs.length && shown < showErrors; i++) {
      const hyp = joinSymbols(r.hypotheses[i]!, vocabs.target.level);
      if (hyp !== pairs[i]!.target) {
        console.log(`${pairs[i]!.source}\t${hyp}\t(reference: ${pairs[i]!.target})`);
        shown++;
      }
    }
  }
  console.log(`${pairs.length} pairs (${beam > 1 ? `beam ${beam}` : 'greedy'}, ${(pairs.length / seconds).toFixed(0)} pairs/s): exact match ${pct(r.exactMatch)}, WER ${pct(r.wer)}, token error rate ${pct(r.ter)}${r.bleu !== undefined ? `, BLEU ${(100 * r.bleu).toFixed(2)}` : ''}`);
}

// ------------------------------------------------------------------ translate

async function translateCommand(argv: string[]): Promise<void> {
  const { values: o, positionals } = parseCommand('seq2seq translate', {
    args: argv,
    allowPositionals: true,
    options: {
      beam: { type: 'string', default: '5' },
      'n-best': { type: 'string', default: '1' },
      'length-penalty': { type: 'string', default: '1' },
      sample: { type: 'boolean', default: false },
      temperature: { type: 'string', default: '1' },
      'top-k': { type: 'string', default: '0' },
      seed: { type: 'string' },
      'batch-size': { type: 'string', default: '64' },
      file: { type: 'string' },
      attention: { type: 'string' },
      backend: { type: 'string' },
      threads: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (o.help) return void console.log(USAGE);
  const [dir, ...inputs] = positionals;
  if (dir === undefined) throw new NervaError('usage: nerva seq2seq translate DIR INPUT… (or --file FILE)');
  await translateInputs(dir, inputs, o);
}

export interface TranslateFlags {
  beam?: string;
  'n-best'?: string;
  'length-penalty'?: string;
  sample?: boolean;
  temperature?: string;
  'top-k'?: string;
  seed?: string;
  'batch-size'?: string;
  file?: string;
  attention?: string;
  backend?: string;
  threads?: string;
}

/** Decodes inputs with a model folder and prints them; shared by `seq2seq translate` and `g2p`. */
export async function translateInputs(dir: string, inputs: string[], o: TranslateFlags): Promise<void> {
  if (o.file !== undefined) {
    if (inputs.length > 0) throw new NervaError('give inputs on the command line or with --file, not both');
    const path = o.file;
    if (path !== '-' && !existsSync(path)) throw new NervaError(`--file '${path}' does not exist`);
    inputs = readFileSync(path === '-' ? 0 : path, 'utf8').split('\n').map((l) => l.replace(/\r$/, '').trim()).filter((l) => l !== '');
  }
  if (inputs.length === 0) throw new NervaError('nothing to translate: give inputs after the model folder, or --file FILE');
  await selectBackend(o.backend, o.threads);
  const { model, vocabs } = loadSeq2Seq(dir);
  const beam = int('beam', o.beam ?? '5');
  const nBest = int('n-best', o['n-best'] ?? '1');
  if (o.sample && nBest > 1) throw new NervaError('--n-best needs beam search; drop --sample');
  if (!o.sample && nBest > beam) throw new NervaError(`--n-best ${nBest} needs a beam at least as wide (--beam ${beam})`);
  if (o.attention !== undefined && inputs.length !== 1) throw new NervaError(`--attention draws one input's attention; got ${inputs.length} inputs`);
  const method = o.sample ? 'sample' : beam > 1 ? 'beam' : 'greedy';
  const { translations, unknown } = translateAll(model, vocabs, inputs, {
    method, beam, nBest, lengthPenalty: num('length-penalty', o['length-penalty'] ?? '1'),
    temperature: num('temperature', o.temperature ?? '1'), topK: int('top-k', o['top-k'] ?? '0', 0),
    generator: new Generator(o.seed !== undefined ? int('seed', o.seed, 0) : Date.now()),
    batchSize: int('batch-size', o['batch-size'] ?? '64'), attention: o.attention !== undefined,
  });
  if (unknown > 0) console.error(`nerva: warning: ${unknown} input symbols are not in the model's vocabulary; they are read as <unk>`);
  translations.forEach((t, i) => {
    const best = t.hypotheses[0]!;
    const text = (h: typeof best): string => joinSymbols(h.symbols, vocabs.target.level) + (h.truncated ? '  (stopped at the length limit)' : '');
    if (nBest === 1) console.log(inputs.length > 1 ? `${inputs[i]}\t${text(best)}` : text(best));
    else {
      console.log(inputs[i]);
      t.hypotheses.forEach((h, k) => console.log(`  ${k + 1}. ${text(h)}\t(score ${h.score.toFixed(3)}, log p ${h.logProb.toFixed(3)})`));
    }
  });
  if (o.attention !== undefined) {
    const t = translations[0]!;
    writeAttentionPicture(o.attention, t.sourceSymbols, t.hypotheses[0]!.symbols, t.hypotheses[0]!.attention ?? []);
    console.error(`attention: ${o.attention}`);
  }
}
