/**
 * `nerva tag`: many-to-many aligned sequence tagging (one label per token), CoNLL-style files.
 *
 *   nerva tag train FILE -o DIR [--arch lstm|gru] [--bidirectional] …     token<TAB>label lines, blank line between sequences
 *   nerva tag train FILE -o DIR --baseline most-frequent                 each token's most frequent training label
 *   nerva tag eval DIR TEST
 *   nerva tag predict DIR "some text"
 */
import { parseCommand } from './args.js';
import { selectBackend } from './backend_args.js';
import { manualSeed } from '../tensor/random.js';
import { parseConll, type TaggedSequence } from '../seq/conll.js';
import { SymbolVocab } from '../seq/symbols.js';
import { LabelSet } from '../seq/labels.js';
import { isHeldOut } from '../seq/split.js';
import { MostFrequentTag } from '../seq/naive_bayes.js';
import { classReport, formatClassReport, microF1 } from '../seq/class_metrics.js';
import { Tagger } from '../models/tagger.js';
import { SEQ_ARCHS, type SeqArch } from '../models/seq_common.js';
import { predictTags, type SeqExample } from '../models/seq_train.js';
import { fitNetwork } from './seq_fit.js';
import { loadSeqModel, writeMeta, type LoadedSeqModel, type SeqMeta } from './seq_store.js';
import { given, int, makeOutputFolder, num, oneOf, percent, readText } from './seq_common.js';
import { formatDuration } from '../train/progress.js';
import { NervaError } from '../errors.js';

const USAGE = `usage:
  nerva tag train FILE -o DIR [options]   learn token<TAB>label lines, a blank line between sequences
  nerva tag eval DIR TEST                 token accuracy, per-label precision/recall/F1, confusion
  nerva tag predict DIR "some text"       one label per whitespace-separated token (or --file TOKENS)

train options:
  --arch lstm|gru         recurrent layer (default lstm)
  --bidirectional         read each sequence both ways (a label may depend on what follows)
  --embed N               embedding width (default 64)
  --hidden N              hidden units per direction (default 128)
  --layers N              recurrent layers (default 1)
  --dropout P             dropout (default 0.2)
  --epochs N              passes over the training sequences (default 10)
  --batch-size N          sequences per step, bucketed by length (default 32)
  --lr RATE               Adam learning rate, warm-up then cosine decay (default 0.003)
  --clip NORM             gradient-norm clipping, 0 = off (default 1)
  --min-count N           tokens seen fewer times become <unk> (so <unk> is learned; default 2)
  --valid FILE            held-out sequences scored after every epoch
  --valid-split F         without --valid: hold out this share of sequences, by hash (default 0.1)
  --baseline most-frequent  no network: each token's most frequent training label
  --seed N                random seed (default 1)
  --backend wasm|ref      compute backend (default wasm)
  --threads N             worker threads of the wasm backend (default: all cores)
  --resume                continue the run saved in DIR
  --pause-after N         stop after epoch N (the schedule still spans --epochs); continue with --resume
  --quiet                 no progress bar or per-epoch lines
  -o, --out DIR           where meta.json and model.safetensors go (required)
predict options:
  --file FILE             tag a file of tokens (one a line, a blank line between sequences)
eval and predict also take --backend and --threads.`;

export async function run(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') return void console.log(USAGE);
  if (sub === 'train') return train(rest);
  if (sub === 'eval') return evalCommand(rest);
  if (sub === 'predict') return predictCommand(rest);
  throw new NervaError(`unknown tag command '${sub}' (expected train, eval or predict; see nerva tag --help)`);
}

function readSequences(path: string): TaggedSequence[] {
  return parseConll(readText(path, 'tagged file'), path);
}

/** Label ids of a sequence; a label unseen at training names the file and the line it is on. */
function labelIds(s: TaggedSequence, labels: LabelSet, path: string): Int32Array {
  return Int32Array.from(s.labels, (l, i) => labels.id(l, `${path}:${s.line + i}`));
}

function encode(seqs: readonly TaggedSequence[], vocab: SymbolVocab, labels: LabelSet, path: string): SeqExample[] {
  return seqs.map((s) => ({ ids: vocab.encode(s.tokens).ids, labels: labelIds(s, labels, path) }));
}

function mostFrequent(seqs: readonly TaggedSequence[]): string {
  const counts = new Map<string, number>();
  for (const s of seqs) for (const l of s.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
}

// ------------------------------------------------------------------ train

async function train(argv: string[]): Promise<void> {
  const { values: o, positionals } = parseCommand('tag train', {
    args: argv,
    allowPositionals: true,
    options: {
      arch: { type: 'string', default: 'lstm' },
      bidirectional: { type: 'boolean', default: false },
      embed: { type: 'string', default: '64' },
      hidden: { type: 'string', default: '128' },
      layers: { type: 'string', default: '1' },
      dropout: { type: 'string', default: '0.2' },
      epochs: { type: 'string', default: '10' },
      'batch-size': { type: 'string', default: '32' },
      lr: { type: 'string', default: '0.003' },
      clip: { type: 'string', default: '1' },
      'min-count': { type: 'string', default: '2' },
      valid: { type: 'string' },
      'valid-split': { type: 'string', default: '0.1' },
      baseline: { type: 'string' },
      seed: { type: 'string', default: '1' },
      backend: { type: 'string', default: 'wasm' },
      threads: { type: 'string' },
      resume: { type: 'boolean', default: false },
      'pause-after': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      out: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (o.help) return void console.log(USAGE);
  if (positionals.length !== 1) throw new NervaError(`tag train takes one tagged file (token<TAB>label lines), got ${positionals.length}${positionals.length ? ': ' + positionals.join(', ') : ''}`);
  const dir = o.out;
  if (!dir) throw new NervaError('tag train needs an output folder: -o DIR');
  const file = positionals[0]!;
  if (o.baseline !== undefined && o.baseline !== 'most-frequent') throw new NervaError(`--baseline must be most-frequent, got '${o.baseline}'`);
  const seed = int('seed', o.seed, 0);
  const validSplit = num('valid-split', o['valid-split'], 0, 0.9);
  let resumed: LoadedSeqModel | null = null;
  if (o.resume) {
    resumed = loadSeqModel(dir, 'tag');
    if (resumed.kind !== 'network') throw new NervaError(`--resume: '${dir}' holds a ${resumed.kind} baseline, which trains in one pass; train it again instead`);
  }

  // ---- data: everything is read and checked before anything is written ----
  const all = readSequences(file);
  let trainSeqs = all;
  let validSeqs: TaggedSequence[] = [];
  let validPath = file;
  if (o.valid !== undefined) {
    validSeqs = readSequences(o.valid);
    validPath = o.valid;
  } else if (validSplit > 0) {
    const key = (s: TaggedSequence): string => s.tokens.join(' ');
    trainSeqs = all.filter((s) => !isHeldOut(key(s), validSplit, 'valid'));
    validSeqs = all.filter((s) => isHeldOut(key(s), validSplit, 'valid'));
    if (trainSeqs.length === 0) throw new NervaError(`${file}: every sequence fell in the validation split; use --valid-split 0 or more sequences`);
  }
  const labels = resumed ? resumed.labels : LabelSet.build(trainSeqs.flatMap((s) => s.labels));
  for (const s of validSeqs) labelIds(s, labels, validPath); // unseen labels are refused now, not after training
  const tokens = (seqs: readonly TaggedSequence[]): number => seqs.reduce((n, s) => n + s.tokens.length, 0);
  console.error(`${file}: ${trainSeqs.length} training sequences (${tokens(trainSeqs)} tokens), ${validSeqs.length} validation (${tokens(validSeqs)} tokens), ${labels.size} labels`);
  const outside = resumed ? resumed.meta.outside : mostFrequent(trainSeqs);

  if (o.baseline === 'most-frequent') {
    const mft = MostFrequentTag.train(trainSeqs.map((s) => ({ tokens: s.tokens, labels: labelIds(s, labels, file) })), labels.size);
    makeOutputFolder(dir);
    const byToken = Object.fromEntries([...mft.byToken].map(([t, l]) => [t, labels.label(l)]));
    writeMeta(dir, { format: 'nerva.seq-model', task: 'tag', kind: 'most-frequent', level: 'word', labels: labels.toJSON(), outside, mostFrequent: { byToken, fallback: labels.label(mft.fallback) } });
    if (validSeqs.length > 0) {
      const gold = validSeqs.flatMap((s) => Array.from(labelIds(s, labels, validPath)));
      const pred = validSeqs.flatMap((s) => mft.predict(s.tokens));
      console.error(`most-frequent tag: validation token accuracy ${percent(classReport(gold, pred, labels.labels).accuracy)} of ${gold.length}`);
    }
    console.error(`model in '${dir}'. Try: nerva tag eval ${dir} TEST`);
    return;
  }

  await selectBackend(o.backend, o.threads);
  manualSeed(seed);
  let vocab: SymbolVocab;
  let net: Tagger;
  let meta: SeqMeta;
  if (resumed && resumed.kind === 'network') {
    vocab = resumed.vocab;
    net = resumed.net as Tagger;
    meta = resumed.meta;
  } else {
    vocab = SymbolVocab.build('space', trainSeqs.map((s) => s.tokens), int('min-count', o['min-count']));
    net = new Tagger({
      arch: oneOf<SeqArch>('arch', o.arch, SEQ_ARCHS), vocabSize: vocab.size, numTags: labels.size,
      embed: int('embed', o.embed), hidden: int('hidden', o.hidden), layers: int('layers', o.layers),
      bidirectional: o.bidirectional!, dropout: num('dropout', o.dropout, 0, 0.95),
    });
    meta = { format: 'nerva.seq-model', task: 'tag', kind: 'network', level: 'word', labels: labels.toJSON(), outside, vocab: vocab.toJSON() };
  }
  const saved = (resumed?.kind === 'network' ? resumed.checkpoint.extra : {}) as Record<string, number>;
  const setting = (name: string, key: string, value: () => number): number => (resumed && !given(argv, name) && typeof saved[key] === 'number' ? saved[key]! : value());
  const settings = {
    epochs: setting('epochs', 'epochs', () => int('epochs', o.epochs)),
    batchSize: setting('batch-size', 'batchSize', () => int('batch-size', o['batch-size'])),
    lr: setting('lr', 'lr', () => num('lr', o.lr)),
    clip: setting('clip', 'clip', () => num('clip', o.clip)),
    seed: setting('seed', 'seed', () => seed),
  };
  const trainSet = encode(trainSeqs, vocab, labels, file);
  const validSet = encode(validSeqs, vocab, labels, validPath);
  makeOutputFolder(dir);
  writeMeta(dir, meta);
  console.error(`${net.describe()}: ${net.numParameters().toLocaleString('en-US')} parameters, ${vocab.size} tokens in the vocabulary`);
  const r = await fitNetwork({
    dir, net, task: 'tag', train: trainSet, valid: validSet, settings, resume: resumed?.kind === 'network' ? resumed.checkpoint : null,
    resumeCommand: `nerva tag train ${file} -o ${dir}`, unit: 'tok', quiet: o.quiet, pauseAfter: o['pause-after'] === undefined ? undefined : int('pause-after', o['pause-after']),
  });
  console.error(`done in ${formatDuration(r.seconds)}; model in '${dir}'. Try: nerva tag predict ${dir} "some text"`);
}

// ------------------------------------------------------------------ eval / predict

/** The predicted label ids of each token sequence, whichever kind of model the folder holds. */
export function tagSequences(model: LoadedSeqModel, seqs: readonly (readonly string[])[]): Int32Array[] {
  if (model.kind === 'most-frequent') return seqs.map((s) => Int32Array.from(model.mft.predict(s)));
  if (model.kind !== 'network') throw new NervaError('not a tagger');
  return predictTags(model.net as Tagger, seqs.map((s) => model.vocab.encode(s).ids));
}

async function evalCommand(argv: string[]): Promise<void> {
  const { values: o, positionals } = parseCommand('tag eval', {
    args: argv, allowPositionals: true,
    options: { backend: { type: 'string', default: 'wasm' }, threads: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (o.help) return void console.log(USAGE);
  if (positionals.length !== 2) throw new NervaError('usage: nerva tag eval DIR TEST');
  const [dir, testPath] = positionals as [string, string];
  const model = loadSeqModel(dir, 'tag');
  if (model.kind === 'network') await selectBackend(o.backend, o.threads);
  const seqs = readSequences(testPath);
  const gold = seqs.flatMap((s) => Array.from(labelIds(s, model.labels, testPath)));
  const pred = tagSequences(model, seqs.map((s) => s.tokens)).flatMap((t) => Array.from(t));
  const report = classReport(gold, pred, model.labels.labels);
  const outside = model.labels.labels.indexOf(model.meta.outside);
  const m = microF1(gold, pred, outside);
  console.log(`${testPath}: ${seqs.length} sequences, ${gold.length} tokens, ${model.kind === 'network' ? (model.net as Tagger).describe() : 'most-frequent-tag baseline'}`);
  console.log(`token accuracy ${percent(report.accuracy)}; micro F1 over labels other than '${model.meta.outside}' ${(100 * m.f1).toFixed(2)} (precision ${(100 * m.precision).toFixed(2)}, recall ${(100 * m.recall).toFixed(2)})`);
  console.log(formatClassReport(report, { maxClasses: 30 }));
}

async function predictCommand(argv: string[]): Promise<void> {
  const { values: o, positionals } = parseCommand('tag predict', {
    args: argv, allowPositionals: true,
    options: { file: { type: 'string' }, backend: { type: 'string', default: 'wasm' }, threads: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (o.help) return void console.log(USAGE);
  const [dir, ...texts] = positionals;
  if (dir === undefined || (texts.length === 0) === (o.file === undefined)) throw new NervaError('usage: nerva tag predict DIR "some text" (or DIR --file TOKENS)');
  const model = loadSeqModel(dir, 'tag');
  if (model.kind === 'network') await selectBackend(o.backend, o.threads);
  const seqs = o.file !== undefined
    ? parseConll(readText(o.file, 'tokens file'), o.file, { unlabeled: true }).map((s) => s.tokens)
    : texts.map((t, i) => {
        const s = t.split(/\s+/).filter((w) => w !== '');
        if (s.length === 0) throw new NervaError(`text ${i + 1} is empty: nothing to tag`);
        return s;
      });
  if (model.kind === 'network') {
    const unknown = seqs.reduce((n, s) => n + model.vocab.encode(s).unknown, 0);
    if (unknown > 0) console.error(`note: ${unknown} token(s) never seen in training read as <unk>`);
  }
  const tags = tagSequences(model, seqs);
  console.log(seqs.map((s, i) => s.map((t, k) => `${t}\t${model.labels.label(tags[i]![k]!)}`).join('\n')).join('\n\n'));
}
