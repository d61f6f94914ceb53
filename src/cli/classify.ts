/**
 * `nerva classify`: many-to-one sequence classification (text → label).
 *
 *   nerva classify train PAIRS.tsv -o DIR [--level char|word] [--arch lstm|gru] [--bidirectional] [--pool mean|max|last] …
 *   nerva classify train PAIRS.tsv -o DIR --baseline nb [--order N]    naive Bayes over n-gram class models
 *   nerva classify eval DIR TEST.tsv
 *   nerva classify predict DIR "text" [--top K]
 */
import { parseCommand } from './args.js';
import { selectBackend } from './backend_args.js';
import { manualSeed } from '../tensor/random.js';
import { parsePairs } from '../seq/tsv.js';
import { SymbolVocab } from '../seq/symbols.js';
import { LabelSet } from '../seq/labels.js';
import { textSymbols, TEXT_LEVELS, type TextLevel } from '../seq/tokens.js';
import { isHeldOut } from '../seq/split.js';
import { NaiveBayes } from '../seq/naive_bayes.js';
import { classReport, formatClassReport } from '../seq/class_metrics.js';
import { SeqClassifier, SEQ_POOLS, type SeqPool } from '../models/seq_classifier.js';
import { SEQ_ARCHS, type SeqArch } from '../models/seq_common.js';
import { predictClasses, type SeqExample } from '../models/seq_train.js';
import { fitNetwork } from './seq_fit.js';
import { loadSeqModel, saveNaiveBayes, writeMeta, type SeqMeta } from './seq_store.js';
import { given, int, makeOutputFolder, num, oneOf, percent, readText } from './seq_common.js';
import { formatDuration } from '../train/progress.js';
import { FormatError, NervaError } from '../errors.js';

const USAGE = `usage:
  nerva classify train PAIRS.tsv -o DIR [options]   learn text<TAB>label lines (one example a line)
  nerva classify eval DIR TEST.tsv                  accuracy, per-class precision/recall/F1, confusion
  nerva classify predict DIR "text" [--top K]       the likeliest classes with probabilities

train options:
  --level char|word       symbols: characters (default) or lowercased words and punctuation
  --arch lstm|gru         recurrent layer (default lstm)
  --bidirectional         read each sequence both ways
  --pool max|mean|last    sequence vector: max or mean over the steps, or the final state (default max)
  --embed N               embedding width (default 64)
  --hidden N              hidden units per direction (default 128)
  --layers N              recurrent layers (default 1)
  --dropout P             dropout (default 0.2)
  --epochs N              passes over the training lines (default 10)
  --batch-size N          sequences per step, bucketed by length (default 32)
  --lr RATE               Adam learning rate, warm-up then cosine decay (default 0.003)
  --clip NORM             gradient-norm clipping, 0 = off (default 1)
  --min-count N           symbols seen fewer times become <unk> (default 1 for char, 2 for word)
  --valid FILE            held-out pairs scored after every epoch
  --valid-split F         without --valid: hold out this share of lines, by a hash of the text (default 0.1)
  --baseline nb           no network: naive Bayes with one n-gram model per class (writes class-K.arpa)
  --order N               naive Bayes: n-gram order (default 4 for char, 1 for word)
  --smoothing NAME        naive Bayes: n-gram smoothing (default witten-bell)
  --seed N                random seed (default 1)
  --backend wasm|ref      compute backend (default wasm)
  --threads N             worker threads of the wasm backend (default: all cores)
  --resume                continue the run saved in DIR
  --pause-after N         stop after epoch N (the schedule still spans --epochs); continue with --resume
  --quiet                 no progress bar or per-epoch lines
  -o, --out DIR           where meta.json and model.safetensors go (required)
eval and predict also take --backend and --threads.`;

export async function run(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') return void console.log(USAGE);
  if (sub === 'train') return train(rest);
  if (sub === 'eval') return evalCommand(rest);
  if (sub === 'predict') return predictCommand(rest);
  throw new NervaError(`unknown classify command '${sub}' (expected train, eval or predict; see nerva classify --help)`);
}

interface Item {
  symbols: string[];
  label: string;
  /** file:line */
  where: string;
  text: string;
}

/** Reads text<TAB>label lines; a line whose text has no symbols at this level is an error naming it. */
export function readItems(path: string, level: TextLevel): Item[] {
  return parsePairs(readText(path, 'pairs file'), path, { columns: ['text', 'label'] }).map((p) => {
    const symbols = textSymbols(p.source, level);
    if (symbols.length === 0) throw new FormatError(`${path}:${p.line}: the text '${p.source}' has no ${level === 'word' ? 'words' : 'characters'}: an empty sequence cannot be classified`);
    return { symbols, label: p.target, where: `${path}:${p.line}`, text: p.source };
  });
}

function encodeItems(items: readonly Item[], vocab: SymbolVocab, labels: LabelSet): SeqExample[] {
  return items.map((it) => ({ ids: vocab.encode(it.symbols).ids, label: labels.id(it.label, it.where) }));
}

// ------------------------------------------------------------------ train

async function train(argv: string[]): Promise<void> {
  const { values: o, positionals } = parseCommand('classify train', {
    args: argv,
    allowPositionals: true,
    options: {
      level: { type: 'string', default: 'char' },
      arch: { type: 'string', default: 'lstm' },
      bidirectional: { type: 'boolean', default: false },
      pool: { type: 'string', default: 'max' },
      embed: { type: 'string', default: '64' },
      hidden: { type: 'string', default: '128' },
      layers: { type: 'string', default: '1' },
      dropout: { type: 'string', default: '0.2' },
      epochs: { type: 'string', default: '10' },
      'batch-size': { type: 'string', default: '32' },
      lr: { type: 'string', default: '0.003' },
      clip: { type: 'string', default: '1' },
      'min-count': { type: 'string' },
      valid: { type: 'string' },
      'valid-split': { type: 'string', default: '0.1' },
      baseline: { type: 'string' },
      order: { type: 'string' },
      smoothing: { type: 'string', default: 'witten-bell' },
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
  if (positionals.length !== 1) throw new NervaError(`classify train takes one pairs file (text<TAB>label lines), got ${positionals.length}${positionals.length ? ': ' + positionals.join(', ') : ''}`);
  const dir = o.out;
  if (!dir) throw new NervaError('classify train needs an output folder: -o DIR');
  const file = positionals[0]!;
  let level = oneOf('level', o.level, TEXT_LEVELS);
  if (o.baseline !== undefined && o.baseline !== 'nb') throw new NervaError(`--baseline must be nb (naive Bayes), got '${o.baseline}'`);
  const seed = int('seed', o.seed, 0);
  const validSplit = num('valid-split', o['valid-split'], 0, 0.9);

  let resumed: ReturnType<typeof loadSeqModel> | null = null;
  if (o.resume) {
    resumed = loadSeqModel(dir, 'classify');
    if (resumed.kind !== 'network') throw new NervaError(`--resume: '${dir}' holds a ${resumed.kind} baseline, which trains in one pass; train it again instead`);
    if (given(argv, 'level') && resumed.meta.level !== level) throw new NervaError(`--resume: '${dir}' holds a ${resumed.meta.level}-level model, not ${level}-level`);
    level = resumed.meta.level;
  }

  // ---- data: everything is read and checked before anything is written ----
  const all = readItems(file, level);
  let trainItems = all;
  let validItems: Item[] = [];
  if (o.valid !== undefined) validItems = readItems(o.valid, level);
  else if (validSplit > 0) {
    trainItems = all.filter((it) => !isHeldOut(it.text, validSplit, 'valid'));
    validItems = all.filter((it) => isHeldOut(it.text, validSplit, 'valid'));
    if (trainItems.length === 0) throw new NervaError(`${file}: every line fell in the validation split; use --valid-split 0 or more lines`);
  }
  const labels = resumed ? resumed.labels : LabelSet.build(trainItems.map((it) => it.label));
  if (labels.size < 2) throw new NervaError(`${file}: every training line has the label '${labels.label(0)}'; a classifier needs at least two classes`);
  for (const it of validItems) labels.id(it.label, it.where); // unseen labels are refused now, not after training
  console.error(`${file}: ${trainItems.length} training lines, ${validItems.length} validation lines${o.valid ? ` (${o.valid})` : validSplit > 0 ? ` (held out by hash, ${percent(validSplit)})` : ''}, ${labels.size} classes`);

  if (o.baseline === 'nb') {
    const order = o.order === undefined ? (level === 'char' ? 4 : 1) : int('order', o.order);
    const started = Date.now();
    const nb = NaiveBayes.train(trainItems.map((it) => ({ symbols: it.symbols, label: labels.id(it.label, it.where) })), labels.size, { order, smoothing: o.smoothing! });
    makeOutputFolder(dir);
    saveNaiveBayes(dir, nb);
    writeMeta(dir, { format: 'nerva.seq-model', task: 'classify', kind: 'naive-bayes', level, labels: labels.toJSON(), outside: mostFrequent(trainItems.map((it) => it.label)), naiveBayes: { order, smoothing: o.smoothing!, logPrior: Array.from(nb.logPrior) } });
    const secs = (Date.now() - started) / 1000;
    if (validItems.length > 0) {
      const right = validItems.filter((it) => nb.predict(it.symbols) === labels.id(it.label, it.where)).length;
      console.error(`naive Bayes (order ${order}, ${o.smoothing}): validation accuracy ${percent(right / validItems.length)} of ${validItems.length}`);
    }
    console.error(`done in ${formatDuration(secs)}; model in '${dir}'. Try: nerva classify eval ${dir} TEST.tsv`);
    return;
  }

  await selectBackend(o.backend, o.threads);
  manualSeed(seed);
  let vocab: SymbolVocab;
  let net: SeqClassifier;
  let meta: SeqMeta;
  if (resumed && resumed.kind === 'network') {
    vocab = resumed.vocab;
    net = resumed.net as SeqClassifier;
    meta = resumed.meta;
  } else {
    const minCount = o['min-count'] === undefined ? (level === 'char' ? 1 : 2) : int('min-count', o['min-count']);
    vocab = SymbolVocab.build(level === 'char' ? 'char' : 'space', trainItems.map((it) => it.symbols), minCount);
    net = new SeqClassifier({
      arch: oneOf<SeqArch>('arch', o.arch, SEQ_ARCHS), vocabSize: vocab.size, numClasses: labels.size,
      embed: int('embed', o.embed), hidden: int('hidden', o.hidden), layers: int('layers', o.layers),
      bidirectional: o.bidirectional!, pool: oneOf<SeqPool>('pool', o.pool, SEQ_POOLS), dropout: num('dropout', o.dropout, 0, 0.95),
    });
    meta = { format: 'nerva.seq-model', task: 'classify', kind: 'network', level, labels: labels.toJSON(), outside: mostFrequent(trainItems.map((it) => it.label)), vocab: vocab.toJSON() };
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
  const trainSet = encodeItems(trainItems, vocab, labels);
  const validSet = encodeItems(validItems, vocab, labels);
  makeOutputFolder(dir);
  writeMeta(dir, meta);
  console.error(`${net.describe()}: ${net.numParameters().toLocaleString('en-US')} parameters, ${vocab.size} symbols`);
  const r = await fitNetwork({
    dir, net, task: 'classify', train: trainSet, valid: validSet, settings, resume: resumed?.kind === 'network' ? resumed.checkpoint : null,
    resumeCommand: `nerva classify train ${file} -o ${dir}`, unit: 'seq', quiet: o.quiet, pauseAfter: o['pause-after'] === undefined ? undefined : int('pause-after', o['pause-after']),
  });
  console.error(`done in ${formatDuration(r.seconds)}; model in '${dir}'. Try: nerva classify predict ${dir} "some text"`);
}

function mostFrequent(labels: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
}

// ------------------------------------------------------------------ eval / predict

/** Class probabilities of each symbol sequence, whichever kind of model the folder holds. */
export function classProbabilities(model: ReturnType<typeof loadSeqModel>, seqs: readonly string[][]): Float32Array[] {
  if (model.kind === 'naive-bayes') return seqs.map((s) => Float32Array.from(model.nb.probabilities(s)));
  if (model.kind !== 'network') throw new NervaError('not a classifier');
  return predictClasses(model.net as SeqClassifier, seqs.map((s) => model.vocab.encode(s).ids));
}

const argmax = (p: ArrayLike<number>): number => {
  let best = 0;
  for (let k = 1; k < p.length; k++) if (p[k]! > p[best]!) best = k;
  return best;
};

async function evalCommand(argv: string[]): Promise<void> {
  const { values: o, positionals } = parseCommand('classify eval', {
    args: argv, allowPositionals: true,
    options: { backend: { type: 'string', default: 'wasm' }, threads: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (o.help) return void console.log(USAGE);
  if (positionals.length !== 2) throw new NervaError('usage: nerva classify eval DIR TEST.tsv');
  const [dir, testPath] = positionals as [string, string];
  const model = loadSeqModel(dir, 'classify');
  if (model.kind === 'network') await selectBackend(o.backend, o.threads);
  const items = readItems(testPath, model.meta.level);
  const gold = items.map((it) => model.labels.id(it.label, it.where));
  const probs = classProbabilities(model, items.map((it) => it.symbols));
  const report = classReport(gold, probs.map(argmax), model.labels.labels);
  console.log(`${testPath}: ${items.length} lines, ${model.kind === 'network' ? (model.net as SeqClassifier).describe() : `naive Bayes (order ${model.meta.naiveBayes!.order})`}`);
  console.log(formatClassReport(report));
}

async function predictCommand(argv: string[]): Promise<void> {
  const { values: o, positionals } = parseCommand('classify predict', {
    args: argv, allowPositionals: true,
    options: { top: { type: 'string', default: '5' }, backend: { type: 'string', default: 'wasm' }, threads: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (o.help) return void console.log(USAGE);
  if (positionals.length < 2) throw new NervaError('usage: nerva classify predict DIR "text" ["more text" …] [--top K]');
  const [dir, ...texts] = positionals as [string, ...string[]];
  const top = int('top', o.top);
  const model = loadSeqModel(dir, 'classify');
  if (model.kind === 'network') await selectBackend(o.backend, o.threads);
  const seqs = texts.map((t, i) => {
    const s = textSymbols(t, model.meta.level);
    if (s.length === 0) throw new NervaError(`text ${i + 1} ('${t}') has no ${model.meta.level === 'word' ? 'words' : 'characters'} to classify`);
    return s;
  });
  const unknown = model.kind === 'network' ? seqs.reduce((n, s) => n + model.vocab.encode(s).unknown, 0) : 0;
  if (unknown > 0) console.error(`note: ${unknown} symbol(s) never seen in training read as <unk>`);
  const probs = classProbabilities(model, seqs);
  texts.forEach((t, i) => {
    const p = probs[i]!;
    const order = Array.from(p.keys()).sort((a, b) => p[b]! - p[a]!).slice(0, top);
    console.log(texts.length > 1 ? `${t}\t${order.map((k) => `${model.labels.label(k)} ${p[k]!.toFixed(3)}`).join('\t')}` : order.map((k) => `${model.labels.label(k).padEnd(12)} ${p[k]!.toFixed(4)}`).join('\n'));
  });
}
