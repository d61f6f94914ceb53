import type { Seq2Seq } from '../models/seq2seq.js';
import { splitSymbols, type SymbolVocab } from '../seq/symbols.js';
import { padBatch, sequentialBatches } from '../seq/batching.js';
import { scoreSequences, type SequenceScores } from '../seq/metrics.js';
import type { TextPair } from '../seq/tsv.js';
import { decode, maxTargetLength, type Hypothesis, type SearchOptions } from './decode.js';
import { NervaError } from '../errors.js';

/** What a trained model needs beside its weights to read and write text. */
export interface Seq2SeqVocabSet {
  source: SymbolVocab;
  target: SymbolVocab;
  lengthRatio: number;
}

export interface TranslateOptions extends SearchOptions {
  /** sources decoded side by side (default 64) */
  batchSize?: number;
  /** called after each batch with the number of sources done */
  onProgress?: (done: number) => void;
}

export interface Translation {
  /** n-best, best first; each with its symbols */
  hypotheses: (Hypothesis & { symbols: string[] })[];
  /** the source's symbols (unknown ones shown as they were) */
  sourceSymbols: string[];
}

/**
 * Decodes source texts in batches of similar length (sorted, then returned in input order).
 * Unseen source symbols are read as <unk> and counted in `unknown` so callers can warn once.
 */
export function translateAll(model: Seq2Seq, vocabs: Seq2SeqVocabSet, sources: readonly string[], options: TranslateOptions = {}): { translations: Translation[]; unknown: number } {
  const { batchSize = 64, onProgress, ...search } = options;
  const symbols = sources.map((s) => splitSymbols(s, vocabs.source.level));
  symbols.forEach((s, i) => {
    if (s.length === 0) throw new NervaError(`translate: input ${i + 1} is empty`);
  });
  let unknown = 0;
  const ids = symbols.map((s) => {
    const e = vocabs.source.encode(s);
    unknown += e.unknown;
    return e.ids;
  });
  const order = ids.map((_, i) => i).sort((a, b) => ids[a]!.length - ids[b]!.length);
  const out: Translation[] = new Array(sources.length);
  let done = 0;
  for (const slot of sequentialBatches(order.length, batchSize)) {
    const batch = slot.map((k) => order[k]!);
    const padded = padBatch(batch.map((i) => ids[i]!));
    const maxLengths = Array.from(padded.lengths, (n) => maxTargetLength(n, vocabs.lengthRatio));
    const nbest = decode(model, { src: padded.ids, srcLengths: padded.lengths, maxLengths }, search);
    batch.forEach((i, k) => {
      out[i] = { sourceSymbols: symbols[i]!, hypotheses: nbest[k]!.map((h) => ({ ...h, symbols: vocabs.target.decode(h.ids) })) };
    });
    done += batch.length;
    onProgress?.(done);
  }
  return { translations: out, unknown };
}

/** 1-best outputs of every pair's source against its target: exact match, WER, token error rate (and BLEU). */
export function evaluatePairs(model: Seq2Seq, vocabs: Seq2SeqVocabSet, pairs: readonly TextPair[], options: TranslateOptions & { bleu?: boolean } = {}): SequenceScores & { unknown: number; hypotheses: string[][] } {
  const { bleu, ...rest } = options;
  const { translations, unknown } = translateAll(model, vocabs, pairs.map((p) => p.source), rest);
  const hyps = translations.map((t) => t.hypotheses[0]?.symbols ?? []);
  const refs = pairs.map((p) => splitSymbols(p.target, vocabs.target.level));
  return { ...scoreSequences(hyps, refs, { bleu }), unknown, hypotheses: hyps };
}
