/**
 * n-gram benchmark: train an order-5 modified Kneser-Ney model on the State of the Union addresses
 * before 2000 and score those from 2000 on; wall time, CPU time, peak RSS, words/s scoring. With
 * KenLM's binaries (--kenlm DIR holding lmplz and query, built from kpu/kenlm outside the repo)
 * it runs lmplz and query on the same files and compares the two models n-gram by n-gram.
 *
 *   npm run build && node dist/bench/ngram.js [--order 5] [--kenlm /tmp/kenlm/build/bin] [--out bench/NGRAM.md]
 *
 * Each phase runs in its own process so its peak RSS is its own.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readArpa } from '../src/node/lm_files.js';
import { hashStep } from '../src/lm/hash.js';
import { writeArpa } from '../src/node/lm_files.js';
import { sotuAddresses } from '../src/node/corpora.js';
import { scoreSentence, Scorer, CorpusScore } from '../src/lm/score.js';
import { Tokenizer } from '../src/lm/tokenize.js';
import { trainFile } from '../src/node/lm_files.js';
import type { NgramModel } from '../src/lm/model.js';

const SELF = fileURLToPath(import.meta.url);

interface PhaseResult {
  wallS: number;
  cpuS: number;
  maxRssMB: number;
  [key: string]: unknown;
}

function finish(start: number, cpu0: NodeJS.CpuUsage, extra: Record<string, unknown>): void {
  const cpu = process.cpuUsage(cpu0);
  const result: PhaseResult = {
    wallS: (performance.now() - start) / 1000,
    cpuS: (cpu.user + cpu.system) / 1e6,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    ...extra,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

/** Phase: count, smooth, write the ARPA file (what `lmplz` does). */
async function phaseTrain(train: string, model: string, order: number): Promise<void> {
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const { model: m, counts } = await trainFile(train, { order, level: 'whitespace' });
  writeArpa(m, model);
  finish(start, cpu0, { counts: m.counts(), tokens: counts.tokens });
}

/** Phase: load the ARPA file, then score the test sentences (repeated to time the scoring alone). */
async function phaseScore(model: string, test: string): Promise<void> {
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const m = await readArpa(model);
  const loadS = (performance.now() - start) / 1000;
  const sentences = new Tokenizer({ level: 'whitespace' }).sentencesOf(readFileSync(test, 'utf8'));
  const once = (): CorpusScore => {
    const scorer = new Scorer(m);
    const total = new CorpusScore();
    for (const s of sentences) total.add(scoreSentence(m, s, scorer, false));
    return total;
  };
  const first = once(); // warm-up, and the perplexity
  let runs = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  while (performance.now() - t0 < 2000 || runs < 3) {
    once();
    runs++;
  }
  const scoreS = (performance.now() - t0) / 1000 / runs;
  const c1 = process.cpuUsage(c0);
  const scoreCpuS = (c1.user + c1.system) / 1e6 / runs;
  finish(start, cpu0, {
    loadS,
    scoreS,
    tokens: first.tokens,
    wordsPerS: first.tokens / scoreS,
    wordsPerCpuS: first.tokens / scoreCpuS,
    perplexity: first.perplexity,
    perplexityExcludingOovs: first.perplexityExcludingOovs,
    oovs: first.oovs,
  });
}

/** Phase: read both ARPA files and compare n-gram by n-gram. */
async function phaseCompare(ours: string, theirs: string): Promise<void> {
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const a = await readArpa(ours);
  const b = await readArpa(theirs);
  let maxProb = 0;
  let maxBackoff = 0;
  let missing = 0;
  const same = JSON.stringify(a.counts()) === JSON.stringify(b.counts());
  b.buildIndex();
  const ids = a.vocab.words.map((w) => b.vocab.get(w));
  for (let k = 1; k <= a.order; k++) {
    const ta = a.tables[k - 1]!;
    const tb = b.tables[k - 1]!;
    const rows = ta.logProb.length;
    const words = new Uint32Array(k);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < k; j++) words[j] = ids[ta.keys[r * k + j]!]!;
      const row = k === 1 ? words[0]! : findRow(b, words);
      if (row < 0) {
        missing++;
        continue;
      }
      maxProb = Math.max(maxProb, Math.abs(ta.logProb[r]! - tb.logProb[row]!));
      maxBackoff = Math.max(maxBackoff, Math.abs(ta.logBackoff[r]! - tb.logBackoff[row]!));
    }
  }
  finish(start, cpu0, { sameCounts: same, missing, maxProb, maxBackoff });
}

function findRow(model: NgramModel, words: Uint32Array): number {
  const k = words.length;
  // context most recent first, as findRow wants it
  const ctx = new Uint32Array(k - 1);
  for (let i = 0; i < k - 1; i++) ctx[i] = words[k - 2 - i]!;
  let h = hashStep(0, words[k - 1]!);
  for (let i = 0; i < k - 1; i++) h = hashStep(h, ctx[i]!);
  return model.findRow(k, h, words[k - 1]!, ctx);
}

function child(args: string[]): PhaseResult {
  const out = execFileSync(process.execPath, [SELF, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as PhaseResult;
}

/** Runs a KenLM binary; its last stderr line reports real time and RSSMax. */
function kenlm(bin: string, args: string[], stdin?: string): { wallS: number; cpuS: number; maxRssMB: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(bin, args, { input: stdin === undefined ? undefined : readFileSync(stdin), maxBuffer: 1 << 28 });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${bin} failed: ${r.stderr.toString().slice(-2000)}`);
  const err = r.stderr.toString();
  const rss = /RSSMax:(\d+) kB/.exec(err);
  const user = /user:([\d.]+)/.exec(err);
  const sys = /sys:([\d.]+)/.exec(err);
  return {
    wallS: wall,
    cpuS: user && sys ? Number(user[1]) + Number(sys[1]) : NaN,
    maxRssMB: rss ? Number(rss[1]) / 1024 : NaN,
    stdout: r.stdout.toString(),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      phase: { type: 'string' },
      train: { type: 'string' },
      test: { type: 'string' },
      model: { type: 'string' },
      other: { type: 'string' },
      order: { type: 'string', default: '5' },
      kenlm: { type: 'string' },
      out: { type: 'string', default: 'bench/NGRAM.md' },
    },
  });
  const order = Number(values.order);
  if (values.phase === 'train') return phaseTrain(values.train!, values.model!, order);
  if (values.phase === 'score') return phaseScore(values.model!, values.test!);
  if (values.phase === 'compare') return phaseCompare(values.model!, values.other!);

  const dir = mkdtempSync(join(tmpdir(), 'nerva-ngram-bench-'));
  try {
    // the corpus: State of the Union addresses, tokenized (lowercase words and . , ! ? ; :), one sentence per line
    const files = { train: join(dir, 'sotu_before_2000.txt'), test: join(dir, 'sotu_from_2000.txt') };
    for (const [name, from, to] of [['train', 0, 1999], ['test', 2000, 9999]] as const) {
      const lines: string[] = [];
      for (const a of sotuAddresses(from, to)) {
        for (const s of new Tokenizer({ level: 'word' }).sentencesOf(readFileSync(a.path, 'utf8'))) lines.push(s.join(' '));
      }
      writeFileSync(files[name], lines.join('\n') + '\n');
    }
    const load = loadavg()[0]!;
    const ours = join(dir, 'nerva.arpa');
    console.error('nerva: training…');
    const train = child(['--phase', 'train', '--train', files.train, '--model', ours, '--order', String(order)]);
    console.error('nerva: scoring…');
    const score = child(['--phase', 'score', '--model', ours, '--test', files.test]);
    let ken: { train: ReturnType<typeof kenlm>; query: ReturnType<typeof kenlm>; score: PhaseResult; compare: PhaseResult; ppl: string } | null = null;
    const kenDir = values.kenlm;
    if (kenDir !== undefined && existsSync(join(kenDir, 'lmplz'))) {
      const theirs = join(dir, 'kenlm.arpa');
      console.error('kenlm: lmplz…');
      const t = kenlm(join(kenDir, 'lmplz'), ['-o', String(order), '--text', files.train, '--arpa', theirs, '-T', dir]);
      console.error('kenlm: query…');
      const q = kenlm(join(kenDir, 'query'), ['-v', 'summary', theirs], files.test);
      console.error('nerva: scoring the KenLM model, comparing…');
      const s = child(['--phase', 'score', '--model', theirs, '--test', files.test]);
      const c = child(['--phase', 'compare', '--model', ours, '--other', theirs]);
      ken = { train: t, query: q, score: s, compare: c, ppl: q.stdout.trim() };
    }
    const md = report({ order, files, train, score, ken, load, arpaMB: statSync(ours).size / 1e6 });
    writeFileSync(values.out!, md);
    console.log(md);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(r: {
  order: number;
  files: { train: string; test: string };
  train: PhaseResult;
  score: PhaseResult;
  ken: { train: ReturnType<typeof kenlm>; query: ReturnType<typeof kenlm>; score: PhaseResult; compare: PhaseResult; ppl: string } | null;
  load: number;
  arpaMB: number;
}): string {
  const f = (x: unknown, d = 2): string => (typeof x === 'number' ? x.toFixed(d) : String(x));
  const int = (x: unknown): string => (typeof x === 'number' ? Math.round(x).toLocaleString('en-US') : String(x));
  const words = (p: string): number => readFileSync(p, 'utf8').split(/\s+/).filter(Boolean).length;
  const lines = [
    '# n-gram benchmark',
    '',
    `Order-${r.order} interpolated modified Kneser-Ney on the State of the Union addresses before 2000`,
    `(${int(words(r.files.train))} tokens, lowercased words and punctuation, one sentence per line), scored on`,
    `the addresses from 2000 on (${int(r.score.tokens)} scored tokens, \`</s>\` included).`,
    '',
    '```',
    'npm run build && node dist/bench/ngram.js --kenlm /tmp/kenlm/build/bin',
    '```',
    '',
    `Machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version};`,
    `1-minute load average at the start: ${r.load.toFixed(1)} (a shared machine: wall times`,
    'stretch with the load, so CPU times are given too, and both tools ran in the same minutes).',
    '',
    '| | Nerva | KenLM |',
    '|---|---:|---:|',
    `| train (count, smooth, write ARPA): wall s | ${f(r.train.wallS)} | ${r.ken ? f(r.ken.train.wallS) : '—'} |`,
    `| train: CPU s (user + sys) | ${f(r.train.cpuS)} | ${r.ken ? f(r.ken.train.cpuS) : '—'} |`,
    `| train: peak RSS MB | ${int(r.train.maxRssMB)} | ${r.ken ? int(r.ken.train.maxRssMB) : '—'} |`,
    `| n-grams per order | ${(r.train.counts as number[]).join(' / ')} | ${r.ken ? (r.ken.compare.sameCounts ? 'same' : 'DIFFERENT') : '—'} |`,
    `| ARPA size MB | ${f(r.arpaMB, 0)} | |`,
    `| load ARPA + score test: wall s | ${f(r.score.loadS)} + ${f(r.score.scoreS, 3)} | ${r.ken ? f(r.ken.query.wallS) + ' (both)' : '—'} |`,
    `| scoring speed, model loaded: words/s (per CPU s) | ${int(r.score.wordsPerS)} (${int(r.score.wordsPerCpuS)}) | |`,
    `| score: peak RSS MB | ${int(r.score.maxRssMB)} | ${r.ken ? int(r.ken.query.maxRssMB) : '—'} |`,
    `| perplexity incl. / excl. OOVs | ${f(r.score.perplexity, 5)} / ${f(r.score.perplexityExcludingOovs, 5)} | ${r.ken ? kenPpl(r.ken.ppl) : '—'} |`,
    '',
  ];
  if (r.ken) {
    const c = r.ken.compare;
    lines.push(
      `Nerva's model against lmplz's, n-gram by n-gram: ${c.sameCounts ? 'the same n-grams' : 'different n-gram counts'}` +
        ` (${c.missing} missing), largest |Δ log10 p| = ${Number(c.maxProb).toExponential(2)},` +
        ` largest |Δ log10 back-off| = ${Number(c.maxBackoff).toExponential(2)}. Nerva scoring KenLM's ARPA file:` +
        ` perplexity ${f(r.ken.score.perplexity, 5)} (KenLM's query: ${kenPpl(r.ken.ppl).split(' / ')[0]}).`,
      '',
      'KenLM built from kpu/kenlm with cmake and Debian Boost outside the repository; lmplz ran with its',
      'default memory setting (`-S 80%`), which is why its peak RSS is large.',
      '',
    );
  }
  return lines.join('\n');
}

function kenPpl(out: string): string {
  const inc = /including OOVs:\s+(\S+)/.exec(out)?.[1];
  const exc = /excluding OOVs:\s+(\S+)/.exec(out)?.[1];
  return `${Number(inc).toFixed(5)} / ${Number(exc).toFixed(5)}`;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
