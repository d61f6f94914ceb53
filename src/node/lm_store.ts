import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.js';
import { type LoadedCheckpoint } from '../io/checkpoint.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import type { Optimizer } from '../optim/optimizer.js';
import { RNNLM, ARCHS, type RNNLMConfig, type RecurrentArch } from '../models/rnn_lm.js';
import { Vocabulary } from '../lm/vocab.js';
import type { LMTokenizerSpec } from '../lm/neural/data.js';
import { FormatError, NervaError } from '../errors.js';

/**
 * A trained language model lives in a folder:
 *   model.safetensors  checkpoint (weights under PyTorch-style names, optimizer state, step, RNG,
 *                      training position), arch `rnnlm-<lstm|gru|rnn>`, config = RNNLMConfig
 *   vocab.json         { tokenizer: LMTokenizerSpec, words: [...] } (id = index)
 * Both are written atomically (temp file + fsync + rename): an interrupted save leaves the old ones.
 */
export const MODEL_FILE = 'model.safetensors';
export const VOCAB_FILE = 'vocab.json';

export const archName = (arch: RecurrentArch): string => `rnnlm-${arch}`;

export interface VocabFile {
  format: 'nerva.lm-vocab';
  tokenizer: LMTokenizerSpec;
  words: string[];
}

export function saveVocab(dir: string, vocab: Vocabulary, tokenizer: LMTokenizerSpec): void {
  const file: VocabFile = { format: 'nerva.lm-vocab', tokenizer, words: vocab.words };
  writeFileAtomic(join(dir, VOCAB_FILE), JSON.stringify(file) + '\n');
}

export function loadVocab(dir: string): { vocab: Vocabulary; tokenizer: LMTokenizerSpec } {
  const path = join(dir, VOCAB_FILE);
  if (!existsSync(path)) throw new NervaError(`'${dir}' has no ${VOCAB_FILE}: is it a folder written by nerva lm train?`);
  let file: VocabFile;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as VocabFile;
  } catch (err) {
    throw new FormatError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  if (file?.format !== 'nerva.lm-vocab' || !Array.isArray(file.words) || !file.tokenizer) throw new FormatError(`${path}: not a nerva language-model vocabulary`);
  const vocab = new Vocabulary([]);
  for (const w of file.words) vocab.add(String(w));
  if (vocab.size !== file.words.length) throw new FormatError(`${path}: the vocabulary lists a word twice`);
  return { vocab, tokenizer: file.tokenizer };
}

export interface SaveLMOptions {
  optimizer?: Optimizer;
  step: number;
  epoch: number;
  rngState?: readonly number[];
  extra?: Record<string, unknown>;
}

export function saveLM(dir: string, model: RNNLM, o: SaveLMOptions): void {
  saveCheckpoint(join(dir, MODEL_FILE), {
    model,
    optimizer: o.optimizer,
    step: o.step,
    epoch: o.epoch,
    rngState: o.rngState,
    arch: archName(model.config.arch),
    config: { ...model.config },
    extra: o.extra,
  });
}

/**
 * Rebuilds the model saved in `dir` (its architecture and sizes come from the checkpoint) and loads
 * its weights; `expectArch` refuses a checkpoint of another architecture. Nothing is changed on error.
 */
export function loadLM(dir: string, expectArch?: RecurrentArch): { model: RNNLM; checkpoint: LoadedCheckpoint; vocab: Vocabulary; tokenizer: LMTokenizerSpec } {
  const path = join(dir, MODEL_FILE);
  if (!existsSync(path)) throw new NervaError(`'${dir}' has no ${MODEL_FILE}: is it a folder written by nerva lm train?`);
  const checkpoint = loadCheckpoint(path);
  const arch = checkpoint.arch.startsWith('rnnlm-') ? (checkpoint.arch.slice(6) as RecurrentArch) : null;
  if (arch === null || !ARCHS.includes(arch)) {
    throw new NervaError(`${path} holds ${checkpoint.arch ? `a '${checkpoint.arch}' model` : 'plain weights'}, not a recurrent language model (rnnlm-lstm, rnnlm-gru or rnnlm-rnn)`);
  }
  if (expectArch !== undefined && arch !== expectArch) {
    throw new NervaError(`${path} holds a language model with --arch ${arch}, but --arch ${expectArch} was asked for (drop --arch to keep ${arch})`);
  }
  const { vocab, tokenizer } = loadVocab(dir);
  const config = checkpoint.config as unknown as RNNLMConfig;
  if (config.vocabSize !== vocab.size) throw new FormatError(`${path}: the model has ${config.vocabSize} output classes but ${VOCAB_FILE} lists ${vocab.size} tokens`);
  const model = new RNNLM({ ...config, arch });
  checkpoint.restore({ model, arch: archName(arch) });
  return { model, checkpoint, vocab, tokenizer };
}
