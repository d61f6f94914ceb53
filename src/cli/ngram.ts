/** `nerva ngram train|ppl|sample|query`: n-gram language models in ARPA files, as KenLM makes and reads them. */
import { existsSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { NervaError } from '../errors.js';
import { readArpa } from '../node/lm_files.js';
import { formatFloat32 } from '../lm/arpa-write.js';
import { writeArpa } from '../node/lm_files.js';
import { embeddedCorpus } from '../node/corpora.js';
import { readLinesFrom } from '../node/lines.js';
import { beamSearch, sample } from '../lm/sample.js';
import { CorpusScore, modelTokenizer, scoreSentence, Scorer } from '../lm/score.js';
import { scoreFile } from '../node/lm_files.js';
import { SMOOTHINGS } from '../lm/smoothing.js';
import { Tokenizer, detokenize, type Level, type SentenceMode, type TokenizerOptions } from '../lm/tokenize.js';
import { trainFile } from '../node/lm_files.js';
import type { NgramModel } from '../lm/model.js';

const USAGE = `usage: nerva ngram <train|ppl|sample|query> [options]

  nerva ngram train [CORPUS...] [-n 3] [--smoothing mkn] [--level word] [-o model.arpa]
      count n-grams in text files (.gz too) and write an ARPA model; CORPUS may also be
      'moby-dick' or 'sotu' (embedded; the default is moby-dick)
  nerva ngram ppl MODEL TEST       perplexity of a text under a model (as KenLM's query)
  nerva ngram sample MODEL [--prompt "…"] [--words 50] [--temperature 1] [--seed 0]
  nerva ngram query MODEL [FILE]   per-word scores of each line of FILE or stdin

nerva ngram <subcommand> --help for its options`;

const TOKENIZER_HELP = `  -l, --level L          word (default for training) | char | whitespace (already tokenized, KenLM's way)
      --keep-case        do not lowercase (word level lowercases by default)
      --sentences S      split (at . ! ? and blank lines; word default) | line (one per line)`;

const HELP: Record<string, string> = {
  train: `usage: nerva ngram train [CORPUS...] [options]

  CORPUS                 text files (gzipped or not), or 'moby-dick' / 'sotu' (embedded);
                         default: moby-dick
  -n, --order N          n-gram order, 1 to 10 (default 3)
  -s, --smoothing S      ${SMOOTHINGS.join(' | ')} | laplace (default mkn:
                         interpolated modified Kneser-Ney, equal to KenLM's lmplz)
${TOKENIZER_HELP}
      --min-count N      words seen fewer than N times become <unk> (default 1)
      --max-vocab N      keep only the N most frequent words (default all)
  -k, --add K            add-k: the k (default 1)
      --discount-fallback D1,D2,D3   mkn: discounts for orders where the closed form fails
                         (default 0.5,1,1.5 with a warning, as lmplz --discount_fallback)
      --strict-discounts fail instead, as lmplz does without --discount_fallback
      --alpha A          stupid back-off factor (default 0.4)
  -o, --output FILE      the ARPA file to write (default model.arpa)
  -q, --quiet            no progress bar or summary`,
  ppl: `usage: nerva ngram ppl MODEL TEST [options]

  MODEL                  ARPA file (gzipped or not)
  TEST                   text file; tokenized as the model was trained (its '# nerva-ngram' line),
                         else whitespace tokens one sentence per line, as KenLM's query
${TOKENIZER_HELP}`,
  sample: `usage: nerva ngram sample MODEL [options]

  -p, --prompt TEXT      words to continue (default: a new sentence)
  -w, --words N          at most N new words (default 50); stops at </s>
  -t, --temperature T    1 = the model's distribution, → 0 = most likely word (default 1)
  -k, --top-k K          draw among the K most likely words only (default 0: all)
      --seed S           random seed (default 0)
      --greedy           the most likely word at each step
      --beam B           beam search for the most likely continuation, B beams
  -c, --count C          how many samples (default 1; seeds S, S+1, …)
${TOKENIZER_HELP}`,
  query: `usage: nerva ngram query MODEL [FILE] [options]

  Scores each sentence of FILE (or stdin) and prints, as KenLM's query does,
  word=id n-gram-length log10prob for each word, the sentence total and OOV count,
  then the perplexity.
  -s, --summary          print only the perplexity summary
${TOKENIZER_HELP}`,
};

const TOKENIZER_OPTIONS = {
  level: { type: 'string', short: 'l' },
  'keep-case': { type: 'boolean' },
  sentences: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function run(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    console.log(USAGE);
    return;
  }
  switch (sub) {
    case 'train':
      return train(rest);
    case 'ppl':
      return ppl(rest);
    case 'sample':
      return sampleCommand(rest);
    case 'query':
      return query(rest);
    default:
      throw new NervaError(`unknown ngram subcommand '${sub}'\n${USAGE}`);
  }
}

function parse<T extends NonNullable<ParseArgsConfig['options']>>(sub: string, argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options: { ...TOKENIZER_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new NervaError(`ngram ${sub}: ${(err as Error).message}\n${HELP[sub]}`);
  }
}

function intOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new NervaError(`--${name} must be an integer, got '${value}'`);
  return n;
}

function numberOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new NervaError(`--${name} must be a number, got '${value}'`);
  return n;
}

function tokenizerOptions(values: { level?: string; 'keep-case'?: boolean; sentences?: string }, fallback: TokenizerOptions): TokenizerOptions {
  const level = (values.level ?? fallback.level) as Level | undefined;
  const same = values.level === undefined || values.level === fallback.level;
  return {
    level,
    lowercase: values['keep-case'] === true ? false : same ? fallback.lowercase : undefined,
    sentences: (values.sentences ?? (same ? fallback.sentences : undefined)) as SentenceMode | undefined,
  };
}

async function train(argv: string[]): Promise<void> {
  const { values, positionals } = parse('train', argv, {
    order: { type: 'string', short: 'n' },
    smoothing: { type: 'string', short: 's' },
    'min-count': { type: 'string' },
    'max-vocab': { type: 'string' },
    add: { type: 'string', short: 'k' },
    'discount-fallback': { type: 'string' },
    'strict-discounts': { type: 'boolean' },
    alpha: { type: 'string' },
    output: { type: 'string', short: 'o' },
    quiet: { type: 'boolean', short: 'q' },
  });
  if (values.help === true) return void console.log(HELP.train);
  const names = positionals.length > 0 ? positionals : ['moby-dick'];
  const files: string[] = [];
  for (const name of names) {
    const embedded = existsSync(name) ? null : embeddedCorpus(name);
    files.push(...(embedded ?? [name]));
  }
  const output = values.output ?? 'model.arpa';
  const quiet = values.quiet === true;
  let fallback: number[] | null = values['strict-discounts'] === true ? null : [0.5, 1, 1.5];
  if (values['discount-fallback'] !== undefined) {
    fallback = values['discount-fallback'].split(',').map((s) => numberOption('discount-fallback', s, NaN));
    if (fallback.length < 1 || fallback.length > 3) throw new NervaError(`--discount-fallback takes 1 to 3 comma-separated discounts, got '${values['discount-fallback']}'`);
    while (fallback.length < 3) fallback.push(fallback[fallback.length - 1]!);
  }
  const order = intOption('order', values.order, 3);
  const tok = tokenizerOptions(values, { level: 'word' });
  const start = performance.now();
  const result = await trainFile(files, {
    order,
    ...tok,
    smoothing: values.smoothing ?? 'mkn',
    minCount: intOption('min-count', values['min-count'], 1),
    maxSize: values['max-vocab'] === undefined ? undefined : intOption('max-vocab', values['max-vocab'], 0),
    k: numberOption('add', values.add, 1),
    alpha: numberOption('alpha', values.alpha, 0.4),
    discountFallback: fallback,
    onFallback: (message) => console.error(`nerva: warning: ${message}`),
    progress: !quiet,
    label: 'counting',
  });
  writeArpa(result.model, output);
  const seconds = (performance.now() - start) / 1000;
  if (quiet) return;
  const { model, counts, discounts } = result;
  console.log(`${counts.tokens.toLocaleString('en-US')} words, ${counts.sentences.toLocaleString('en-US')} sentences, vocabulary ${model.vocab.size.toLocaleString('en-US')} (with <unk> <s> </s>)`);
  model.counts().forEach((c, i) => {
    const d = discounts?.[i];
    const ds = d === undefined ? '' : discounts!.every((x) => x[1] === x[3]) ? `  D=${d[1]!.toPrecision(6)}` : `  D1=${d[1]!.toPrecision(6)} D2=${d[2]!.toPrecision(6)} D3+=${d[3]!.toPrecision(6)}`;
    console.log(`${i + 1}-grams ${c.toLocaleString('en-US').padStart(12)}${ds}`);
  });
  console.log(`wrote ${output} (order ${order}, ${model.info.smoothing}) in ${seconds.toFixed(2)} s`);
}

async function ppl(argv: string[]): Promise<void> {
  const { values, positionals } = parse('ppl', argv, {});
  if (values.help === true) return void console.log(HELP.ppl);
  if (positionals.length !== 2) throw new NervaError(`ngram ppl needs MODEL and TEST\n${HELP.ppl}`);
  const [modelPath, testPath] = positionals as [string, string];
  const t0 = performance.now();
  const model = await readArpa(modelPath);
  const t1 = performance.now();
  const score = await scoreFile(model, testPath, tokenizerOptions(values, modelTokenizer(model)));
  const t2 = performance.now();
  printSummary(score);
  console.error(`loaded ${modelPath} in ${((t1 - t0) / 1000).toFixed(2)} s; scored ${score.tokens.toLocaleString('en-US')} tokens in ${((t2 - t1) / 1000).toFixed(2)} s`);
}

function printSummary(score: CorpusScore): void {
  console.log(`Perplexity including OOVs:\t${score.perplexity}`);
  console.log(`Perplexity excluding OOVs:\t${score.perplexityExcludingOovs}`);
  console.log(`OOVs:\t${score.oovs}`);
  console.log(`Tokens:\t${score.tokens}`);
}

async function sampleCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse('sample', argv, {
    prompt: { type: 'string', short: 'p' },
    words: { type: 'string', short: 'w' },
    temperature: { type: 'string', short: 't' },
    'top-k': { type: 'string', short: 'k' },
    seed: { type: 'string' },
    greedy: { type: 'boolean' },
    beam: { type: 'string' },
    count: { type: 'string', short: 'c' },
  });
  if (values.help === true) return void console.log(HELP.sample);
  if (positionals.length !== 1) throw new NervaError(`ngram sample needs one MODEL\n${HELP.sample}`);
  const model = await readArpa(positionals[0]!);
  const tok = tokenizerOptions(values, modelTokenizer(model));
  const level = tok.level ?? 'whitespace';
  const prompt = values.prompt === undefined ? [] : new Tokenizer({ ...tok, sentences: 'line' }).sentencesOf(values.prompt).flat();
  const maxWords = intOption('words', values.words, 50);
  const count = intOption('count', values.count, 1);
  const seed = intOption('seed', values.seed, 0);
  for (let i = 0; i < count; i++) {
    const out = values.beam !== undefined
      ? beamSearch(model, { prompt, maxWords, beamSize: intOption('beam', values.beam, 5) })
      : sample(model, {
          prompt,
          maxWords,
          seed: seed + i,
          temperature: values.greedy === true ? 0 : numberOption('temperature', values.temperature, 1),
          topK: intOption('top-k', values['top-k'], 0),
        });
    console.log(detokenize([...prompt, ...out.words], level));
  }
}

async function query(argv: string[]): Promise<void> {
  const { values, positionals } = parse('query', argv, { summary: { type: 'boolean', short: 's' } });
  if (values.help === true) return void console.log(HELP.query);
  if (positionals.length < 1 || positionals.length > 2) throw new NervaError(`ngram query needs MODEL and optionally FILE\n${HELP.query}`);
  const model = await readArpa(positionals[0]!);
  const tok = tokenizerOptions(values, modelTokenizer(model));
  const summaryOnly = values.summary === true;
  const write = (s: string): void => void process.stdout.write(s);
  const onSentence = (s: ReturnType<typeof scoreSentence>): void => {
    if (summaryOnly) return;
    let line = '';
    for (const w of s.words) line += `${w.word}=${w.oov ? 0 : w.id} ${w.length} ${formatFloat32(w.logProb)}\t`;
    write(`${line}Total: ${formatFloat32(s.logProb)} OOV: ${s.oovs}\n`);
  };
  let score: CorpusScore;
  if (positionals[1] !== undefined) {
    score = await scoreFile(model, positionals[1], tok, onSentence);
  } else {
    score = await scoreStream(model, tok, onSentence);
  }
  printSummary(score);
}

async function scoreStream(model: NgramModel, tok: TokenizerOptions, onSentence: (s: ReturnType<typeof scoreSentence>) => void): Promise<CorpusScore> {
  const tokenizer = new Tokenizer(tok);
  const scorer = new Scorer(model);
  const total = new CorpusScore();
  let lineNo = 0;
  const emit = (tokens: string[]): void => {
    try {
      const s = scoreSentence(model, tokens, scorer);
      total.add(s);
      onSentence(s);
    } catch (err) {
      if (err instanceof NervaError) throw new NervaError(`stdin:${lineNo}: ${err.message}`);
      throw err;
    }
  };
  await readLinesFrom(process.stdin, 'stdin', (line, n) => {
    lineNo = n;
    tokenizer.push(line, emit);
  });
  tokenizer.end(emit);
  return total;
}
