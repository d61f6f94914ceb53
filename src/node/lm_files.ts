// The n-gram language models' file side: corpora streamed from disk, ARPA files read and written
// (the models themselves, on text in memory, are src/lm/).
import { NervaError } from '../errors.js';
import { ProgressBar } from '../train/progress.js';
import { fileSize, readLines } from './lines.js';
import { writeFileAtomic } from './atomic.js';
import { NgramCounter, checkOrder, type CountOptions, type NgramCounts } from '../lm/count.js';
import { selectWords } from '../lm/vocab.js';
import { Tokenizer, type TokenizerOptions } from '../lm/tokenize.js';
import { CorpusScore, Scorer, modelTokenizer, scoreSentence, type SentenceScore } from '../lm/score.js';
import type { NgramModel } from '../lm/model.js';
import { ArpaParser } from '../lm/arpa-read.js';
import { arpaChunks } from '../lm/arpa-write.js';
import { estimate } from '../lm/smoothing.js';
import { tokenizerInfo, type TrainOptions, type TrainResult } from '../lm/train.js';

/**
 * Counts the n-grams of text files, streamed line by line (two passes when the vocabulary is
 * limited). Sentences do not cross files.
 */
export async function countFile(paths: string | readonly string[], options: CountOptions): Promise<NgramCounts> {
  const files = typeof paths === 'string' ? [paths] : paths;
  if (files.length === 0) throw new NervaError('no corpus files given');
  checkOrder(options.order);
  let keep: Set<string> | null = null;
  if ((options.minCount ?? 1) > 1 || options.maxSize !== undefined) {
    const wordCounts = new Map<string, number>();
    await tokenizeFiles(files, options, 'vocabulary', (tokens) => {
      for (const w of tokens) wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);
    });
    keep = selectWords(wordCounts, options);
  }
  // about one word per 5.5 bytes of text; for orders above 2 most n-grams are distinct
  const bytes = files.reduce((sum, f) => sum + fileSize(f), 0);
  const counter = new NgramCounter(options.order, keep, options.order > 2 ? bytes / 5.5 : bytes / 20);
  await tokenizeFiles(files, options, 'counting', (tokens, where) => counter.addSentence(tokens, where));
  try {
    return counter.finish();
  } catch (err) {
    const name = files.length === 1 ? `'${files[0]}'` : `the ${files.length} corpus files`;
    if (err instanceof NervaError) throw new NervaError(`${name}: ${err.message}`);
    throw err;
  }
}

/** Counts text files (streamed) and smooths: `trainFile('corpus.txt', { order: 3 })`. */
export async function trainFile(paths: string | readonly string[], options: TrainOptions): Promise<TrainResult> {
  const counts = await countFile(paths, options);
  return { ...estimate(counts, options, tokenizerInfo(options)), counts };
}

/**
 * Scores a text file, streamed; `tokenizer` defaults to the model's own settings (from its ARPA
 * comment), else whitespace-separated tokens one sentence per line as KenLM's `query` reads them.
 * Errors name the file and line.
 */
export async function scoreFile(
  model: NgramModel,
  path: string,
  tokenizer: TokenizerOptions = modelTokenizer(model),
  onSentence?: (s: SentenceScore, tokens: string[]) => void,
): Promise<CorpusScore> {
  const t = new Tokenizer(tokenizer);
  const scorer = new Scorer(model);
  const total = new CorpusScore();
  let lineNo = 0;
  const emit = (tokens: string[]): void => {
    let s: SentenceScore;
    try {
      s = scoreSentence(model, tokens, scorer, onSentence !== undefined);
    } catch (err) {
      if (err instanceof NervaError) throw new NervaError(`${path}:${lineNo}: ${err.message}`);
      throw err;
    }
    total.add(s);
    onSentence?.(s, tokens);
  };
  await readLines(path, (line, n) => {
    lineNo = n;
    t.push(line, emit);
  });
  t.end(emit);
  return total;
}

/** Reads an ARPA file (gzipped or not). */
export async function readArpa(path: string): Promise<NgramModel> {
  const parser = new ArpaParser(path);
  await readLines(path, (line, n) => parser.line(line, n));
  return parser.finish();
}

/** Writes the model as an ARPA file (KenLM-readable), atomically: never a half-written file. */
export function writeArpa(model: NgramModel, path: string): void {
  writeFileAtomic(path, arpaChunks(model));
}

async function tokenizeFiles(
  files: readonly string[],
  options: CountOptions,
  what: string,
  onSentence: (tokens: string[], where: string) => void,
): Promise<void> {
  const total = files.reduce((s, f) => s + fileSize(f), 0);
  const bar = new ProgressBar(total, { unit: 'B', label: options.label ?? what, silent: !(options.progress ?? false) });
  for (const path of files) {
    const tokenizer = new Tokenizer(options);
    let lineNo = 0;
    let lastBytes = 0;
    const emit = (tokens: string[]): void => onSentence(tokens, `${path}:${lineNo}`);
    await readLines(
      path,
      (line, n) => {
        lineNo = n;
        tokenizer.push(line, emit);
      },
      {
        onProgress: (bytes) => {
          bar.tick(bytes - lastBytes);
          lastBytes = bytes;
        },
      },
    );
    tokenizer.end(emit);
  }
  bar.finish();
}
