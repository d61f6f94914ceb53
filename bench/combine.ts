/**
 * Combines several side-by-side benchmark runs (the --out folders of `npm run bench -- --peers …`)
 * into one table of ratios: for every workload and thread count, Nerva ÷ peer in each run (both
 * measured in that run), then the median over runs and the range. On a shared VM one run's cell can
 * move by 2× (the host takes a vCPU away for a while); a median of ratios, each taken within one
 * run, is what the speed claims rest on.
 *
 *   node dist/bench/combine.js /tmp/run1 /tmp/run2 /tmp/run3
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

interface Row { peer: string; threads: number; workload: string; size?: number; metric: string; value: number }

const NERVA = 'Nerva (wasm)';
const COLUMNS: [string, string][] = [
  ['sgemm/1024', 'sgemm 1024'], ['conv2d_fwd', 'conv fwd'], ['lenet_train', 'LeNet train'], ['lenet_infer', 'LeNet infer'],
  ['resnet18_train', 'ResNet train'], ['resnet18_infer', 'ResNet infer'], ['vgg16_infer', 'VGG'],
  ['lstm_train', 'LSTM train'], ['lstm_sample', 'LSTM sample'],
];

function readRun(dir: string): Row[] {
  const rows: Row[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const r = JSON.parse(line) as Row;
      if (typeof r.value === 'number' && Number.isFinite(r.value)) rows.push(r);
    }
  }
  return rows;
}

const key = (r: Row): string => (r.workload === 'sgemm' ? `sgemm/${r.size}` : r.workload);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error('usage: node dist/bench/combine.js RUN_DIR [RUN_DIR …]   (the --out folders of npm run bench)');
  process.exit(2);
}
const runs = dirs.map(readRun);
const peers = [...new Set(runs.flat().map((r) => r.peer))].filter((p) => p !== NERVA);
console.log(`${runs.length} runs: ${dirs.join(', ')}`);
console.log('Median over runs of (Nerva ÷ peer in the same run); VGG: peer ms ÷ Nerva ms. [min–max] when runs differ.\n');
console.log(`| vs | Threads | ${COLUMNS.map(([, h]) => h).join(' | ')} |`);
console.log(`|---|---:|${COLUMNS.map(() => '---:').join('|')}|`);
for (const peer of peers) {
  for (const threads of [1, 2]) {
    const cells = COLUMNS.map(([k]) => {
      const ratios: number[] = [];
      for (const rows of runs) {
        const n = rows.find((r) => r.peer === NERVA && r.threads === threads && key(r) === k);
        const p = rows.find((r) => r.peer === peer && r.threads === threads && key(r) === k);
        if (n === undefined || p === undefined) continue;
        ratios.push(n.metric === 'ms' ? p.value / n.value : n.value / p.value);
      }
      if (ratios.length === 0) return '';
      const lo = Math.min(...ratios), hi = Math.max(...ratios);
      const f = (v: number) => `${v.toFixed(2)}×`;
      return ratios.length > 1 && hi / lo > 1.005 ? `${f(median(ratios))} [${lo.toFixed(2)}–${hi.toFixed(2)}]` : f(median(ratios));
    });
    if (cells.some((c) => c !== '')) console.log(`| ${peer} | ${threads} | ${cells.join(' | ')} |`);
  }
}
// Nerva's own figures: median over runs
console.log(`\n| Nerva (median of runs) | Threads | ${COLUMNS.map(([, h]) => h).join(' | ')} |`);
console.log(`|---|---:|${COLUMNS.map(() => '---:').join('|')}|`);
for (const threads of [1, 2]) {
  const cells = COLUMNS.map(([k]) => {
    const v = runs.map((rows) => rows.find((r) => r.peer === NERVA && r.threads === threads && key(r) === k)?.value).filter((x): x is number => x !== undefined);
    return v.length ? `${+median(v).toPrecision(3)}` : '';
  });
  console.log(`| Nerva (wasm) | ${threads} | ${cells.join(' | ')} |`);
}
const scale = (k: string): string => {
  const s = runs.map((rows) => {
    const a = rows.find((r) => r.peer === NERVA && r.threads === 1 && key(r) === k)?.value;
    const b = rows.find((r) => r.peer === NERVA && r.threads === 2 && key(r) === k)?.value;
    return a !== undefined && b !== undefined ? b / a : undefined;
  }).filter((x): x is number => x !== undefined);
  return s.length ? `${median(s).toFixed(2)}× [${Math.min(...s).toFixed(2)}–${Math.max(...s).toFixed(2)}]` : 'n/a';
};
console.log(`\n2 threads ÷ 1 thread (median [range]): SGEMM 1024 ${scale('sgemm/1024')}, ResNet-18 training ${scale('resnet18_train')}`);
// the interleaved measurement (bench/run.ts "scaling"): one ratio per run
const interleaved = (w: string): string => {
  const s = runs.map((rows) => rows.find((r) => r.peer === NERVA && r.workload === w)?.value).filter((x): x is number => typeof x === 'number');
  return s.length ? `${median(s).toFixed(2)}× [${Math.min(...s).toFixed(2)}–${Math.max(...s).toFixed(2)}]` : 'n/a';
};
console.log(`2 threads ÷ 1 thread, calls alternating (median [range]): SGEMM 1024 ${interleaved('scaling_sgemm_1024')}, ResNet-18 training ${interleaved('scaling_resnet18_train')}`);
console.log(`The host's ceiling in the same minutes (the SIMD peak loop on 2 threads at once ÷ 1, a pair after each pair above): during SGEMM ${interleaved('scaling_peak_sgemm_1024')}, during ResNet-18 ${interleaved('scaling_peak_resnet18_train')}`);
const peaks = runs.map((rows) => rows.find((r) => r.peer === NERVA && r.workload === 'peak' && /relaxed/.test(String((r as unknown as { isa?: string }).isa)))?.value);
const g1024 = runs.map((rows) => rows.find((r) => r.peer === NERVA && r.threads === 1 && key(r) === 'sgemm/1024')?.value);
const frac = peaks.map((p, i) => (p && g1024[i] ? g1024[i]! / p : undefined)).filter((x): x is number => x !== undefined);
if (frac.length) console.log(`SGEMM 1024 on 1 thread as a fraction of that run's SIMD peak: ${frac.map((f) => `${(100 * f).toFixed(0)}%`).join(', ')}`);
