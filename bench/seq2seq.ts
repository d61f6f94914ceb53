/**
 * Decoding speed of an encoder–decoder: words (inputs) per second for greedy search and beam search
 * of width 5, on one thread by default, on the first N sources of a pairs file. With --model DIR it
 * decodes with a trained model (what users run); without, with a randomly initialized G2P-sized
 * model (which rarely emits </s> early, so every decode runs to its length limit: a lower bound).
 * It prints words per wall-clock second and per CPU-second (the second is what a busy, shared host
 * does not distort: wall time there also counts the time spent waiting for a core).
 *
 *   npm run build && node dist/bench/seq2seq.js --model runs/g2p/model --pairs runs/g2p/test.tsv [--words 2000] [--threads 1]
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import '../src/index.js';
import { setNumThreads } from '../src/backend/wasm/index.js';
import { manualSeed } from '../src/tensor/random.js';
import { Seq2Seq } from '../src/models/seq2seq.js';
import { parsePairs } from '../src/seq/tsv.js';
import { SymbolVocab, splitSymbols } from '../src/seq/symbols.js';
import { translateAll } from '../src/seq2seq/translate.js';
import { loadSeq2Seq } from '../src/node/seq2seq_store.js';

const { values: o } = parseArgs({
  options: {
    model: { type: 'string' },
    pairs: { type: 'string' },
    words: { type: 'string', default: '2000' },
    threads: { type: 'string', default: '1' },
    'batch-size': { type: 'string', default: '64' },
  },
});
setNumThreads(Number(o.threads));
const n = Number(o.words);
let sources: string[];
let targets: string[] | null = null;
if (o.pairs) {
  const pairs = parsePairs(readFileSync(o.pairs, 'utf8'), o.pairs).slice(0, n);
  sources = pairs.map((p) => p.source);
  targets = pairs.map((p) => p.target);
} else {
  sources = Array.from({ length: n }, (_, i) => 'abcdefghijklmnopqrstuvwxyz'.slice(i % 7, (i % 7) + 4 + (i % 6)));
}
let model: Seq2Seq;
let vocabs: { source: SymbolVocab; target: SymbolVocab; lengthRatio: number };
if (o.model) ({ model, vocabs } = loadSeq2Seq(o.model));
else {
  manualSeed(0);
  const source = SymbolVocab.build('char', sources.map((s) => splitSymbols(s, 'char')));
  const target = SymbolVocab.build('space', (targets ?? ['AA B K']).map((t) => splitSymbols(t, 'space')));
  vocabs = { source, target, lengthRatio: 1.5 };
  model = new Seq2Seq({ srcVocab: source.size, tgtVocab: target.size, embed: 64, encoderHidden: 128, encoderLayers: 2, decoderHidden: 256, decoderLayers: 2 });
}
console.log(`${model.toString().split('\n')[0]}${o.model ? ` from ${o.model}` : ' (random weights)'}`);
console.log(`${sources.length} inputs, ${o.threads} thread(s), batch ${o['batch-size']}; ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
for (const [name, options] of [['greedy', { method: 'greedy' as const }], ['beam 5', { method: 'beam' as const, beam: 5 }]] as const) {
  translateAll(model, vocabs, sources.slice(0, 64), { ...options }); // warm-up
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const { translations } = translateAll(model, vocabs, sources, { ...options, batchSize: Number(o['batch-size']) });
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const exact = targets === null ? '' : `, exact ${((100 * translations.filter((t, i) => t.hypotheses[0]!.symbols.join(' ') === targets![i]).length) / sources.length).toFixed(2)}%`;
  // Words per CPU-second reads the same on a busy host, where wall time also counts waiting for a core.
  console.log(`${name.padEnd(7)} ${(sources.length / s).toFixed(0).padStart(6)} words/s  ${(sources.length / cpuS).toFixed(0).padStart(6)} words per CPU-second  (${s.toFixed(2)} s wall, ${cpuS.toFixed(2)} s CPU${exact})`);
}
