import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../node/atomic.js';
import { loadCheckpoint, saveCheckpoint } from '../node/checkpoint.js';
import type { LoadedCheckpoint } from '../io/checkpoint.js';
import type { Optimizer } from '../optim/optimizer.js';
import { SeqClassifier, type SeqClassifierConfig } from '../models/seq_classifier.js';
import { Tagger, type TaggerConfig } from '../models/tagger.js';
import { SymbolVocab, type SymbolVocabJSON } from '../seq/symbols.js';
import { LabelSet } from '../seq/labels.js';
import { NaiveBayes, MostFrequentTag } from '../seq/naive_bayes.js';
import { TEXT_LEVELS, type TextLevel } from '../seq/tokens.js';
import { arpaChunks } from '../lm/arpa-write.js';
import { parseArpa } from '../lm/arpa-read.js';
import { FormatError, NervaError } from '../errors.js';

/**
 * A trained classifier or tagger lives in a folder:
 *   meta.json          what the folder holds: task (classify | tag), kind (network | naive-bayes |
 *                      most-frequent), text level, labels, and the vocabulary or baseline tables
 *   model.safetensors  the network's checkpoint (weights under PyTorch-style names, optimizer, RNG,
 *                      epoch), arch `seq-classifier` or `tagger`, config = the model's config
 *   class-<k>.arpa     naive Bayes: class k's n-gram model (readable by KenLM)
 * Every file is written atomically (temp file + fsync + rename), meta.json last: a folder is never
 * read half-written, and an interrupted save leaves the previous files whole.
 */
export const META_FILE = 'meta.json';
export const MODEL_FILE = 'model.safetensors';
const FORMAT = 'nerva.seq-model';

export type SeqTask = 'classify' | 'tag';
export type SeqKind = 'network' | 'naive-bayes' | 'most-frequent';

export interface SeqMeta {
  format: typeof FORMAT;
  task: SeqTask;
  kind: SeqKind;
  /** classify: how text becomes symbols (tag: tokens are given, level 'word') */
  level: TextLevel;
  labels: string[];
  /** the most frequent training label (tagging's "nothing to mark" label, for micro F1) */
  outside: string;
  vocab?: SymbolVocabJSON;
  naiveBayes?: { order: number; smoothing: string; logPrior: number[] };
  mostFrequent?: { byToken: Record<string, string>; fallback: string };
  /** training settings, for --resume and for the record */
  training?: Record<string, unknown>;
}

export type LoadedSeqModel =
  | { meta: SeqMeta; labels: LabelSet; kind: 'network'; net: SeqClassifier | Tagger; vocab: SymbolVocab; checkpoint: LoadedCheckpoint }
  | { meta: SeqMeta; labels: LabelSet; kind: 'naive-bayes'; nb: NaiveBayes }
  | { meta: SeqMeta; labels: LabelSet; kind: 'most-frequent'; mft: MostFrequentTag };

export function writeMeta(dir: string, meta: SeqMeta): void {
  writeFileAtomic(join(dir, META_FILE), JSON.stringify(meta) + '\n');
}

export function saveNetwork(dir: string, net: SeqClassifier | Tagger, o: { optimizer?: Optimizer; epoch: number; step: number; rngState?: readonly number[]; extra?: Record<string, unknown> }): void {
  saveCheckpoint(join(dir, MODEL_FILE), {
    model: net,
    optimizer: o.optimizer,
    epoch: o.epoch,
    step: o.step,
    rngState: o.rngState,
    arch: net instanceof SeqClassifier ? 'seq-classifier' : 'tagger',
    config: { ...net.config },
    extra: o.extra,
  });
}

export function saveNaiveBayes(dir: string, nb: NaiveBayes): void {
  nb.models.forEach((m, k) => writeFileAtomic(join(dir, `class-${k}.arpa`), arpaChunks(m)));
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new FormatError(`${path}: not valid JSON (${(err as Error).message})`);
  }
}

/** Reads the folder written by `nerva classify train` or `nerva tag train`; `task` refuses the other kind. */
export function loadSeqModel(dir: string, task: SeqTask): LoadedSeqModel {
  const metaPath = join(dir, META_FILE);
  const command = task === 'classify' ? 'nerva classify train' : 'nerva tag train';
  if (!existsSync(metaPath)) throw new NervaError(`'${dir}' has no ${META_FILE}: is it a folder written by ${command}?`);
  const meta = readJson(metaPath) as SeqMeta;
  if (meta?.format !== FORMAT || (meta.task !== 'classify' && meta.task !== 'tag')) throw new FormatError(`${metaPath}: not a nerva classifier or tagger (format '${String(meta?.format)}')`);
  if (meta.task !== task) throw new NervaError(`'${dir}' holds a ${meta.task === 'tag' ? 'tagger' : 'classifier'}; use nerva ${meta.task} instead`);
  if (!TEXT_LEVELS.includes(meta.level)) throw new FormatError(`${metaPath}: unknown level '${String(meta.level)}'`);
  const labels = LabelSet.fromJSON(meta.labels, metaPath);
  if (meta.kind === 'naive-bayes') {
    const nbm = meta.naiveBayes;
    if (!nbm || !Array.isArray(nbm.logPrior) || nbm.logPrior.length !== labels.size) throw new FormatError(`${metaPath}: naive-Bayes priors missing or not one per label`);
    const models = labels.labels.map((_, k) => {
      const path = join(dir, `class-${k}.arpa`);
      if (!existsSync(path)) throw new NervaError(`'${dir}' lacks class-${k}.arpa, the n-gram model of class '${labels.label(k)}'`);
      return parseArpa(readFileSync(path, 'utf8'), path);
    });
    return { meta, labels, kind: 'naive-bayes', nb: new NaiveBayes(models, Float64Array.from(nbm.logPrior)) };
  }
  if (meta.kind === 'most-frequent') {
    const m = meta.mostFrequent;
    if (!m || typeof m.byToken !== 'object') throw new FormatError(`${metaPath}: most-frequent-tag table missing`);
    const byToken = new Map(Object.entries(m.byToken).map(([t, l]) => [t, labels.id(l, metaPath)]));
    return { meta, labels, kind: 'most-frequent', mft: new MostFrequentTag(byToken, labels.id(m.fallback, metaPath)) };
  }
  if (meta.kind !== 'network') throw new FormatError(`${metaPath}: unknown kind '${String(meta.kind)}'`);
  const vocab = SymbolVocab.fromJSON(meta.vocab, metaPath);
  const path = join(dir, MODEL_FILE);
  if (!existsSync(path)) throw new NervaError(`'${dir}' has no ${MODEL_FILE}: training has not saved a model yet`);
  const checkpoint = loadCheckpoint(path);
  const want = task === 'classify' ? 'seq-classifier' : 'tagger';
  if (checkpoint.arch !== want) throw new NervaError(`${path} holds ${checkpoint.arch ? `a '${checkpoint.arch}' model` : 'plain weights'}, not a ${want}`);
  let net: SeqClassifier | Tagger;
  try {
    net = task === 'classify' ? new SeqClassifier(checkpoint.config as unknown as SeqClassifierConfig) : new Tagger(checkpoint.config as unknown as TaggerConfig);
  } catch (err) {
    throw new FormatError(`${path}: its config does not make a model (${(err as Error).message})`);
  }
  const outputs = net instanceof SeqClassifier ? net.config.numClasses : net.config.numTags;
  if (net.config.vocabSize !== vocab.size || outputs !== labels.size) {
    throw new FormatError(`${path}: the model has ${net.config.vocabSize} symbols and ${outputs} labels but ${META_FILE} lists ${vocab.size} and ${labels.size}`);
  }
  checkpoint.restore({ model: net, arch: want });
  return { meta, labels, kind: 'network', net, vocab, checkpoint };
}
