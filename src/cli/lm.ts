/**
 * `nerva lm`: train, evaluate and sample recurrent (RNN / LSTM / GRU) language models.
 *
 *   nerva lm train [CORPUS] -o DIR [--level char|word] [--arch lstm|gru|rnn] …
 *   nerva lm eval DIR TEST
 *   nerva lm sample DIR [--prompt TEXT] [--temperature T] [--top-k K] [--top-p P] [--length N] [--seed S]
 *
 * Tokens and scores follow the n-gram tools (`nerva ngram`): the same tokenizer, each sentence's
 * tokens plus </s>, unknown tokens as <unk>; so perplexity / bits per character compare.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { makeDirectories } from '../node/atomic.js';
import { parseCommand } from './args.js';
import { InterruptWatch } from './interrupt.js';
import { NervaError } from '../errors.js';
import { getRngState, manualSeed, setRngState } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { selectBackend } from './backend_args.js';
import { Adam } from '../optim/adam.js';
import { RNNLM, ARCHS, type RecurrentArch, type LMState } from '../models/rnn_lm.js';
import { BatchedStream, buildVocabulary, encode, sentencesOf, tokenizerSpec, TokenWriter, type LMTokenizerSpec, type NeuralLevel } from '../lm/neural/data.js';
import { LMTrainer, evaluate, lrAt } from '../lm/neural/train.js';
import { encodePrompt, generate } from '../lm/neural/sample.js';
import { loadLM, saveLM, saveVocab, MODEL_FILE } from '../node/lm_store.js';
import { embeddedCorpus } from '../node/corpora.js';
import { ProgressBar, formatDuration } from '../train/progress.js';
import type { Vocabulary } from '../lm/vocab.js';

const USAGE = `usage:
  nerva lm train [CORPUS] -o DIR [options]   train a recurrent language model (default corpus: Moby Dick)
  nerva lm eval DIR TEST                     perplexity and bits per token of a text file
  nerva lm sample DIR [options]              generate text, streamed as it is drawn

train options:
  --level char|word       tokens: characters (default) or words
  --arch lstm|gru|rnn     recurrent layer (default lstm)
  --layers N              recurrent layers (default 2)
  --hidden N              hidden units per layer (default 256)
  --embed N               embedding width (default 64; = hidden with --tie)
  --tie                   share the embedding and output weights
  --dropout P             dropout (default 0.1)
  --seq-len N             truncated-BPTT window (default 64)
  --batch-size N          parallel streams (default 32)
  --epochs N              passes over the corpus (default 1)
  --lr RATE               Adam learning rate, cosine decay to 10% (default 0.002)
  --clip NORM             gradient-norm clipping, 0 = off (default 1)
  --vocab-size N          word level: keep the N most frequent words, the rest are <unk> (default 10000)
  --valid FILE            held-out text scored after every epoch
  --sample-every N        print a sample every N steps (default 200, 0 = never)
  --save-every N          save a checkpoint every N steps (default 200)
  --seed N                random seed (default 1)
  --backend wasm|ref      compute backend (default wasm)
  --threads N             worker threads of the wasm backend (default: all cores)
  --resume                continue the run saved in DIR
  -o, --out DIR           where model.safetensors and vocab.json go (required)
sample options:
  --prompt TEXT           text to continue (default: start of a line)
  --temperature T         0 = greedy, <1 sharper, >1 more random (default 0.8)
  --top-k K               draw only among the K likeliest tokens (default 0 = all)
  --top-p P               draw only among the likeliest tokens holding probability P (default 1)
  --length N              tokens to generate (default 500 characters or 100 words)
  --seed N                random seed (default: time)
  --burn-in N             tokens drawn and discarded first to warm the state (default 100 chars / 30 words)
eval options:
  --batch-size N          streams scored side by side (default 16)
eval and sample also take --backend wasm|ref and --threads N (as train).`;

export async function run(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    console.log(USAGE);
    return;
  }
  if (sub === 'train') return train(rest);
  if (sub === 'eval') return evalCommand(rest);
  if (sub === 'sample') return sampleCommand(rest);
  throw new NervaError(`unknown lm command '${sub}' (expected train, eval or sample; see nerva lm --help)`);
}

function int(name: string, v: string | undefined, min = 1): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new NervaError(`--${name} must be an integer >= ${min}, got '${v}'`);
  return n;
}

function num(name: string, v: string | undefined, min = 0): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new NervaError(`--${name} must be a number >= ${min}, got '${v}'`);
  return n;
}

async function useBackend(name: string, threads?: string): Promise<void> {
  await selectBackend(name, threads);
}

function readText(path: string, what: string): string {
  if (!existsSync(path)) throw new NervaError(`${what} '${path}' does not exist`);
  if (statSync(path).isDirectory()) throw new NervaError(`${what} '${path}' is a folder, expected a text file`);
  const bytes = readFileSync(path);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new NervaError(`${what} '${path}' is not valid UTF-8 text`);
  }
}

/** A corpus argument: a file, or the name of an embedded corpus (moby-dick, sotu); default Moby Dick. */
function readCorpus(arg: string | undefined): { name: string; text: string } {
  const name = arg ?? 'moby-dick';
  if (!existsSync(name)) {
    const files = embeddedCorpus(name);
    if (files !== null) return { name, text: files.map((f) => readText(f, 'corpus')).join('\n\n') };
  }
  return { name, text: readText(name, 'corpus') };
}

const levelName = (level: NeuralLevel): string => (level === 'char' ? 'bits/char' : 'perplexity');

function describeScore(level: NeuralLevel, r: { perplexity: number; bitsPerToken: number }): string {
  return level === 'char' ? `${r.bitsPerToken.toFixed(3)} bits/char` : `perplexity ${r.perplexity.toFixed(2)}`;
}

function sampleText(model: RNNLM, vocab: Vocabulary, level: NeuralLevel, seed: number): string {
  let out = '';
  const w = new TokenWriter(level, (s) => (out += s));
  generate(model, { length: level === 'char' ? 160 : 40, temperature: 0.8, seed, burnIn: level === 'char' ? 100 : 30, onToken: (id) => w.push(vocab.word(id)) });
  return out.replace(/\n/g, ' ⏎ ');
}

// ------------------------------------------------------------------ train

async function train(argv: string[]): Promise<void> {
  const { values: o, positionals } = parseCommand('lm train', {
    args: argv,
    allowPositionals: true,
    options: {
      level: { type: 'string', default: 'char' },
      arch: { type: 'string' },
      layers: { type: 'string', default: '2' },
      hidden: { type: 'string', default: '256' },
      embed: { type: 'string' },
      tie: { type: 'boolean', default: false },
      dropout: { type: 'string', default: '0.1' },
      'seq-len': { type: 'string', default: '64' },
      'batch-size': { type: 'string', default: '32' },
      epochs: { type: 'string', default: '1' },
      lr: { type: 'string', default: '0.002' },
      clip: { type: 'string', default: '1' },
      'vocab-size': { type: 'string', default: '10000' },
      valid: { type: 'string' },
      'sample-every': { type: 'string', default: '200' },
      'save-every': { type: 'string', default: '200' },
      seed: { type: 'string', default: '1' },
      backend: { type: 'string', default: 'wasm' },
      threads: { type: 'string' },
      resume: { type: 'boolean', default: false },
      out: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (o.help) return void console.log(USAGE);
  if (positionals.length > 1) throw new NervaError(`lm train takes one corpus, got ${positionals.length}: ${positionals.join(', ')}`);
  const dir = o.out;
  if (!dir) throw new NervaError('lm train needs an output folder: -o DIR');
  const level = o.level as NeuralLevel;
  if (level !== 'char' && level !== 'word') throw new NervaError(`--level must be char or word, got '${o.level}'`);
  if (o.arch !== undefined && !ARCHS.includes(o.arch as RecurrentArch)) throw new NervaError(`--arch must be one of ${ARCHS.join(', ')}, got '${o.arch}'`);
  let seqLen = int('seq-len', o['seq-len']);
  let batchSize = int('batch-size', o['batch-size']);
  let epochs = int('epochs', o.epochs);
  let lr = num('lr', o.lr);
  let clip = num('clip', o.clip);
  const given = (name: string): boolean => argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  const sampleEvery = int('sample-every', o['sample-every'], 0);
  const saveEvery = int('save-every', o['save-every'], 1);
  const seed = int('seed', o.seed, 0);
  await useBackend(o.backend!, o.threads);
  manualSeed(seed);

  // ---- model, vocabulary, optimizer: new or resumed ----
  let model: RNNLM;
  let vocab: Vocabulary;
  let spec: LMTokenizerSpec;
  let optimizer: Adam;
  let startStep = 0;
  let startEpoch = 1;
  let carried: LMState | null = null;
  const corpus = readCorpus(positionals[0]);
  if (o.resume) {
    if (!existsSync(`${dir}/${MODEL_FILE}`)) throw new NervaError(`--resume: '${dir}' has no ${MODEL_FILE} to resume from`);
    const loaded = loadLM(dir, o.arch as RecurrentArch | undefined);
    ({ model, vocab, tokenizer: spec } = loaded);
    if (spec.level !== level && given('level')) throw new NervaError(`--resume: '${dir}' holds a ${spec.level}-level model, not ${level}-level`);
    optimizer = new Adam(model.parameters(), { lr });
    loaded.checkpoint.restore({ model, optimizer, arch: loaded.checkpoint.arch });
    startStep = loaded.checkpoint.step;
    startEpoch = loaded.checkpoint.epoch;
    const extra = loaded.checkpoint.extra as { batchSize?: number; seqLen?: number; epochs?: number; lr?: number; clip?: number; carry?: { h: number[]; c?: number[]; shape: number[] } };
    // The run continues with its own settings unless the command line changes them.
    if (extra.epochs !== undefined && !given('epochs')) epochs = extra.epochs;
    if (extra.lr !== undefined && !given('lr')) lr = extra.lr;
    if (extra.clip !== undefined && !given('clip')) clip = extra.clip;
    if (extra.batchSize !== undefined) batchSize = extra.batchSize; // the stream layout must not change mid-run
    if (extra.seqLen !== undefined) seqLen = extra.seqLen;
    if (loaded.checkpoint.rngState) setRngState(loaded.checkpoint.rngState.map((v) => (v === null ? NaN : v)));
    if (extra.carry) {
      const { shape } = extra.carry;
      carried = { h: new Tensor(Float32Array.from(extra.carry.h), shape) };
      if (extra.carry.c) carried.c = new Tensor(Float32Array.from(extra.carry.c), shape);
    }
  } else {
    spec = tokenizerSpec(level);
    const sents = sentencesOf(corpus.text, spec);
    vocab = buildVocabulary(sents, level === 'word' ? { maxSize: int('vocab-size', o['vocab-size']) } : {});
    const hidden = int('hidden', o.hidden);
    const embed = o.tie ? hidden : int('embed', o.embed ?? '64');
    if (o.tie && o.embed !== undefined && Number(o.embed) !== hidden) throw new NervaError(`--tie needs --embed equal to --hidden (${hidden}), got ${o.embed}`);
    model = new RNNLM({ arch: (o.arch ?? 'lstm') as RecurrentArch, vocabSize: vocab.size, embed, hidden, layers: int('layers', o.layers), dropout: num('dropout', o.dropout), tieWeights: o.tie });
    optimizer = new Adam(model.parameters(), { lr });
  }
  const data = encode(sentencesOf(corpus.text, spec), vocab);
  if (data.tokens < seqLen + 1) {
    throw new NervaError(`corpus '${corpus.name}' has ${data.tokens} ${spec.level === 'char' ? 'characters' : 'tokens'} (with </s>), fewer than one training sequence (--seq-len ${seqLen} + 1); use a longer text or a smaller --seq-len`);
  }
  if (data.tokens < batchSize * seqLen) {
    const fit = Math.max(1, Math.floor(data.tokens / seqLen));
    if (o.resume) throw new NervaError(`corpus '${corpus.name}' is too short for the saved batch size ${batchSize}`);
    console.error(`nerva: corpus '${corpus.name}' is short (${data.tokens} tokens): using --batch-size ${fit} instead of ${batchSize} so each stream holds a full sequence`);
    batchSize = fit;
  }
  const valid = o.valid ? encode(sentencesOf(readText(o.valid, '--valid file'), spec), vocab) : null;
  try {
    makeDirectories(dir);
  } catch (err) {
    throw new NervaError(`cannot create the output folder '${dir}': ${(err as Error).message}; choose another with -o`);
  }
  saveVocab(dir, vocab, spec);

  const stream = new BatchedStream(data.ids, batchSize);
  const perEpoch = stream.batches(seqLen);
  const totalSteps = epochs * perEpoch;
  const trainer = new LMTrainer(model, optimizer, clip);
  trainer.step = startStep;
  trainer.state = carried;
  console.error(`${model.toString().split('\n')[0]}: ${model.numParameters().toLocaleString('en-US')} parameters, vocabulary ${vocab.size}`);
  console.error(`corpus '${corpus.name}': ${data.tokens.toLocaleString('en-US')} tokens, ${perEpoch} steps of ${seqLen}×${batchSize} per epoch, ${epochs} epoch(s)${o.resume ? `, resuming at step ${startStep}` : ''}`);

  const save = (epoch: number): void => {
    const st = trainer.state;
    const carry = st ? { shape: [...st.h.shape], h: Array.from(st.h.toTypedArray()), c: st.c ? Array.from(st.c.toTypedArray()) : undefined } : undefined;
    saveLM(dir, model, { optimizer, step: trainer.step, epoch, rngState: getRngState(), extra: { level: spec.level, corpus: corpus.name, batchSize, seqLen, epochs, lr, clip, carry } });
  };
  const interrupt = new InterruptWatch();
  const started = Date.now();
  try {
    for (let epoch = Math.max(1, startEpoch); epoch <= epochs; epoch++) {
      const first = trainer.step - (epoch - 1) * perEpoch; // window index to start from in this epoch
      if (first >= perEpoch) continue;
      if (first === 0) trainer.state = null;
      const bar = new ProgressBar(perEpoch * seqLen * batchSize, { unit: 'tok', label: `epoch ${epoch}/${epochs}` });
      if (first > 0) bar.tick(first * seqLen * batchSize);
      let lossSum = 0, lossCount = 0;
      for (let w = first; w < perEpoch; w++) {
        trainer.setLr(lrAt(trainer.step, { lr, totalSteps, warmupSteps: Math.min(100, Math.floor(totalSteps / 10)) }));
        const { x, y } = stream.batch(w * seqLen, seqLen);
        let r;
        try {
          r = trainer.trainWindow(x, y);
        } catch (err) {
          bar.finish();
          const saved = existsSync(`${dir}/${MODEL_FILE}`) ? ` The last checkpoint in '${dir}' is intact.` : '';
          if (err instanceof NervaError) throw new NervaError(err.message + saved);
          throw err;
        }
        lossSum += r.loss;
        lossCount++;
        const shown: Record<string, number> = spec.level === 'char' ? { 'bits/char': r.loss / Math.LN2 } : { ppl: Math.exp(r.loss) };
        bar.tick(r.tokens, { ...shown, lr: optimizer.paramGroups[0]!.lr });
        if (sampleEvery > 0 && trainer.step % sampleEvery === 0) {
          process.stderr.write(`\n  sample @ step ${trainer.step}: ${sampleText(model, vocab, spec.level, trainer.step)}\n`);
        }
        if (trainer.step % saveEvery === 0) save(epoch);
        await new Promise((resolve) => setImmediate(resolve)); // lets Ctrl-C arrive
        if (interrupt.requested) {
          bar.finish();
          save(epoch);
          console.error(`interrupted: saved step ${trainer.step} to '${dir}'; continue with nerva lm train ${positionals[0] ?? ''} -o ${dir} --resume`.replace('  ', ' '));
          return;
        }
      }
      const avg = lossSum / Math.max(1, lossCount);
      bar.finish({ [`train ${levelName(spec.level)}`]: spec.level === 'char' ? avg / Math.LN2 : Math.exp(avg) });
      save(epoch + 1 > epochs ? epochs : epoch + 1);
      if (valid !== null) {
        const ev = evaluate(model, valid.ids, { batchSize: 16, seqLen: 128 });
        console.error(`epoch ${epoch}: valid ${describeScore(spec.level, ev)} on ${ev.tokens} tokens`);
      }
    }
    console.error(`done in ${formatDuration((Date.now() - started) / 1000)}; model in '${dir}'. Try: nerva lm sample ${dir} --prompt "..."`);
  } finally {
    interrupt.release();
  }
}

// ------------------------------------------------------------------ eval

async function evalCommand(argv: string[]): Promise<void> {
  const { values: o, positionals } = parseCommand('lm eval', {
    args: argv,
    allowPositionals: true,
    options: {
      backend: { type: 'string', default: 'wasm' }, threads: { type: 'string' }, 'batch-size': { type: 'string', default: '16' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (o.help) return void console.log(USAGE);
  if (positionals.length !== 2) throw new NervaError('usage: nerva lm eval DIR TEST');
  await useBackend(o.backend!, o.threads);
  const [dir, testPath] = positionals as [string, string];
  const { model, vocab, tokenizer } = loadLM(dir);
  const enc = encode(sentencesOf(readText(testPath, 'test file'), tokenizer), vocab);
  if (enc.tokens === 0) throw new NervaError(`test file '${testPath}' has no tokens to score`);
  const r = evaluate(model, enc.ids, { batchSize: int('batch-size', o['batch-size']), seqLen: 128 });
  console.log(`${testPath}: ${enc.sentences} sentences, ${r.tokens} tokens (each sentence plus </s>), ${enc.oovs} OOV (<unk>)`);
  console.log(`perplexity ${r.perplexity.toFixed(3)}  bits/token ${r.bitsPerToken.toFixed(4)}${tokenizer.level === 'char' ? ' (bits/char)' : ''}  log10 prob ${(-r.nll / Math.LN10).toFixed(2)}`);
}

// ------------------------------------------------------------------ sample

async function sampleCommand(argv: string[]): Promise<void> {
  const { values: o, positionals } = parseCommand('lm sample', {
    args: argv,
    allowPositionals: true,
    options: {
      prompt: { type: 'string', default: '' },
      temperature: { type: 'string', default: '0.8' },
      'top-k': { type: 'string', default: '0' },
      'top-p': { type: 'string', default: '1' },
      length: { type: 'string' },
      seed: { type: 'string' },
      'burn-in': { type: 'string' },
      backend: { type: 'string', default: 'wasm' },
      threads: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (o.help) return void console.log(USAGE);
  if (positionals.length !== 1) throw new NervaError('usage: nerva lm sample DIR [--prompt TEXT] [--temperature T] [--top-k K] [--top-p P] [--length N] [--seed S]');
  await useBackend(o.backend!, o.threads);
  const { model, vocab, tokenizer } = loadLM(positionals[0]!);
  const prompt = encodePrompt(o.prompt!, vocab, tokenizer);
  const length = o.length === undefined ? (tokenizer.level === 'char' ? 500 : 100) : int('length', o.length, 0);
  const seed = o.seed === undefined ? Date.now() % 2 ** 31 : int('seed', o.seed, 0);
  process.stdout.write(o.prompt!);
  const writer = new TokenWriter(tokenizer.level, (s) => process.stdout.write(s));
  if (o.prompt) writer.continueLine();
  generate(model, {
    length,
    prompt,
    seed,
    temperature: num('temperature', o.temperature),
    topK: int('top-k', o['top-k'], 0),
    topP: num('top-p', o['top-p']),
    burnIn: o['burn-in'] === undefined ? (tokenizer.level === 'char' ? 100 : 30) : int('burn-in', o['burn-in'], 0),
    onToken: (id) => writer.push(vocab.word(id)),
  });
  process.stdout.write('\n');
}
