import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import type { LoadedCheckpoint } from '../io/checkpoint.js';
import type { Optimizer } from '../optim/optimizer.js';
import { Seq2Seq, type Seq2SeqConfig } from '../models/seq2seq.js';
import { SymbolVocab, type SymbolVocabJSON } from '../seq/symbols.js';
import { FormatError, NervaError } from '../errors.js';

/**
 * A trained sequence-to-sequence model lives in a folder:
 *   model.safetensors  checkpoint: weights under their module names, optimizer state, step, RNG,
 *                      training position; arch `seq2seq`, config = Seq2SeqConfig
 *   vocab.json         { format, source, target: SymbolVocabJSON, lengthRatio }
 * Both are written atomically (temp file + fsync + rename): an interrupted save leaves the old ones.
 */
export const MODEL_FILE = 'model.safetensors';
export const VOCAB_FILE = 'vocab.json';
export const SEQ2SEQ_ARCH = 'seq2seq';
const VOCAB_FORMAT = 'nerva.seq2seq-vocab';

export interface Seq2SeqVocabs {
  source: SymbolVocab;
  target: SymbolVocab;
  /** the longest target per source symbol seen in training: bounds decoding */
  lengthRatio: number;
}

export function saveVocabs(dir: string, v: Seq2SeqVocabs): void {
  const file = { format: VOCAB_FORMAT, source: v.source.toJSON(), target: v.target.toJSON(), lengthRatio: v.lengthRatio };
  writeFileAtomic(join(dir, VOCAB_FILE), JSON.stringify(file) + '\n');
}

function loadVocabs(dir: string): Seq2SeqVocabs {
  const path = join(dir, VOCAB_FILE);
  if (!existsSync(path)) throw new NervaError(`'${dir}' has no ${VOCAB_FILE}: is it a folder written by nerva seq2seq train?`);
  let file: { format?: string; source?: SymbolVocabJSON; target?: SymbolVocabJSON; lengthRatio?: number };
  try {
    file = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new FormatError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  if (file?.format !== VOCAB_FORMAT) throw new FormatError(`${path}: not a nerva seq2seq vocabulary${file?.format ? ` (format '${file.format}')` : ''}`);
  const lengthRatio = Number(file.lengthRatio);
  if (!(lengthRatio > 0)) throw new FormatError(`${path}: lengthRatio must be a positive number`);
  return { source: SymbolVocab.fromJSON(file.source, `${path} (source)`), target: SymbolVocab.fromJSON(file.target, `${path} (target)`), lengthRatio };
}

export interface SaveSeq2SeqOptions {
  optimizer?: Optimizer;
  step: number;
  epoch: number;
  rngState?: readonly number[];
  extra?: Record<string, unknown>;
  /** weights as IEEE half (a model to ship) */
  float16?: boolean;
}

export function saveSeq2Seq(dir: string, model: Seq2Seq, o: SaveSeq2SeqOptions): void {
  saveCheckpoint(join(dir, MODEL_FILE), { model, optimizer: o.optimizer, step: o.step, epoch: o.epoch, rngState: o.rngState, arch: SEQ2SEQ_ARCH, config: { ...model.config }, extra: o.extra, float16: o.float16 });
}

/** Rebuilds the model saved in `dir` and loads its weights and vocabularies; refuses folders of other kinds. */
export function loadSeq2Seq(dir: string): { model: Seq2Seq; checkpoint: LoadedCheckpoint; vocabs: Seq2SeqVocabs } {
  if (!existsSync(dir)) throw new NervaError(`model folder '${dir}' does not exist`);
  if (!statSync(dir).isDirectory()) throw new NervaError(`'${dir}' is a file; expected a folder written by nerva seq2seq train (with ${MODEL_FILE} and ${VOCAB_FILE})`);
  const path = join(dir, MODEL_FILE);
  if (!existsSync(path)) throw new NervaError(`'${dir}' has no ${MODEL_FILE}: is it a folder written by nerva seq2seq train?`);
  const checkpoint = loadCheckpoint(path);
  if (checkpoint.arch !== SEQ2SEQ_ARCH) {
    throw new NervaError(`${path} holds ${checkpoint.arch ? `a '${checkpoint.arch}' model` : 'plain weights'}, not a sequence-to-sequence model (written by nerva seq2seq train)`);
  }
  const vocabs = loadVocabs(dir);
  const config = checkpoint.config as unknown as Seq2SeqConfig;
  if (config.srcVocab !== vocabs.source.size || config.tgtVocab !== vocabs.target.size) {
    throw new FormatError(`${path}: the model has ${config.srcVocab} source and ${config.tgtVocab} target symbols but ${VOCAB_FILE} lists ${vocabs.source.size} and ${vocabs.target.size}`);
  }
  const model = new Seq2Seq(config);
  checkpoint.restore({ model, arch: SEQ2SEQ_ARCH });
  return { model, checkpoint, vocabs };
}
