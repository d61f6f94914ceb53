/**
 * `npm run bench`: Nerva's wasm backend side by side with the peers, float32, medians of ≥ 5 timed
 * runs after warm-up, at 1 thread and at all threads.
 *
 *   npm run bench                                    Nerva only (≈ 1–2 min)
 *   npm run bench -- --peers /tmp/peers              + PyTorch (OpenBLAS), tfjs cpu/wasm, same run
 *   npm run bench -- --only sgemm,conv --threads 1,2 --out /tmp/nerva-bench
 *
 * Workloads: the WebAssembly SIMD peak (12 independent f32x4 multiply-adds, both variants); SGEMM
 * n = 128…1024 (GFLOP/s and fraction of the per-thread peak × threads); conv2d 32×64×56×56 ⋆ 64×3×3
 * pad 1 forward (and backward-input / backward-weight, Nerva only); model workloads from
 * bench/models.ts (LeNet-5, ResNet-18, VGG-16, char-LSTM); then 2 threads ÷ 1 thread with calls
 * alternating for SGEMM 1024 and ResNet-18 training, each pair followed by one of the peak loop
 * itself (bench/host.ts: what the host allowed in those minutes).
 * --peers DIR runs the peer scripts of /work/shared/peers (copied to a writable DIR, `npm ci` done
 * there) for the same workloads and thread counts, and prints every ratio. Rows (JSON lines, the
 * schema of peers/report.mjs) go to --out (default $TMPDIR/nerva-bench).
 */
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, tmpdir, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { bench, waitQuiet } from './harness.js';
import { wasmBackend, setNumThreads, wasmInfo } from '../src/backend/wasm/index.js';
import { compileKernelVariant } from '../src/backend/wasm/module.js';
import { MAX_PAGES } from '../src/backend/wasm/kernels_data.js';
import type { Conv2dGeometry } from '../src/backend/backend.js';
import { modelWorkloads } from './models.js';
import { PeakPairs } from './host.js';

const { values: opt } = parseArgs({
  options: {
    threads: { type: 'string', default: `1,${availableParallelism()}` },
    only: { type: 'string', default: 'peak,sgemm,conv,models' },
    peers: { type: 'string' },
    out: { type: 'string', default: join(tmpdir(), 'nerva-bench') },
    iters: { type: 'string', default: '5' },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  console.log('usage: npm run bench -- [--threads 1,2] [--only peak,sgemm,conv,models] [--peers DIR] [--out DIR] [--iters 5]');
  process.exit(0);
}
const THREADS = [...new Set(opt.threads!.split(',').map(Number).filter((t) => t >= 1))];
const ONLY = new Set(opt.only!.split(','));
const ITERS = Math.max(5, Number(opt.iters));
mkdirSync(opt.out!, { recursive: true });
const rowsFile = join(opt.out!, 'nerva.jsonl');
writeFileSync(rowsFile, '');

interface Row {
  peer: string; threads: number; workload: string; size?: number; metric: string; value: number | null;
  n?: number; bg?: number; note?: string; isa?: string; gflops?: number;
  /** 1-thread Nerva rows: the same figure per CPU-second of this process (robust to other load) */
  per_cpu_s?: number;
}
const rows: Row[] = [];
function emit(r: Row): void {
  rows.push(r);
  writeFileSync(rowsFile, JSON.stringify(r) + '\n', { flag: 'a' });
}
const PEER = 'Nerva (wasm)';
const log = (s: string): void => { process.stderr.write(s + '\n'); };

function rand(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1;
  return a;
}

// ---------------------------------------------------------------- machine and peak
const info = { cpu: (cpus()[0]?.model ?? '?').trim(), logical_cpus: cpus().length, node: process.version, v8: process.versions.v8,
  variant: wasmInfo().variant, date: new Date().toISOString(), command: process.argv.slice(1).join(' ') };
log(`machine: ${info.cpu}, ${info.logical_cpus} logical CPUs; Node ${info.node} (V8 ${info.v8}); kernels: ${info.variant}`);

const peaks: Record<string, number> = {};
const peaksCpu: Record<string, number> = {};
if (ONLY.has('peak') || ONLY.has('sgemm')) {
  for (const variant of ['simd128', 'relaxed-simd'] as const) {
    const module = compileKernelVariant(variant);
    if (module === undefined) continue;
    const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    const peak = new WebAssembly.Instance(module, { env: { memory } }).exports.peak as (iters: number) => number;
    const iters = 20_000_000;
    peak(1_000_000);
    await waitQuiet();
    let best = 0, bestCpu = 0;
    for (let r = 0; r < 5; r++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      peak(iters);
      const c1 = process.cpuUsage(c0);
      best = Math.max(best, (96 * iters) / ((performance.now() - t0) / 1e3) / 1e9);
      bestCpu = Math.max(bestCpu, (96 * iters) / ((c1.user + c1.system) / 1e6) / 1e9);
    }
    peaks[variant] = best;
    peaksCpu[variant] = bestCpu;
    emit({ peer: PEER, threads: 1, workload: 'peak', metric: 'GFLOP/s', value: +best.toFixed(1), isa: `wasm ${variant} (12 acc.)`,
      gflops: +best.toFixed(1), per_cpu_s: +bestCpu.toFixed(1) });
    log(`peak ${variant}: ${best.toFixed(1)} GFLOP/s per thread (${bestCpu.toFixed(1)} per CPU-second)`);
  }
}
const peakPerThread = peaks[info.variant] ?? 0;

// ---------------------------------------------------------------- SGEMM and conv2d
for (const T of THREADS) {
  setNumThreads(T);
  if (ONLY.has('sgemm')) {
    for (const n of [128, 256, 512, 1024]) {
      const a = rand(n * n), b = rand(n * n), c = new Float32Array(n * n);
      const p = { batch: 1, m: n, n, k: n, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
      const flops = 2 * n * n * n;
      const inner = Math.max(1, Math.round(2e8 / flops));
      const r = await bench(() => wasmBackend.matmul(a, b, c, p), { iters: Math.max(ITERS, 7), inner, threads: T });
      const g = flops / r.t / 1e9;
      const frac = peakPerThread ? g / (peakPerThread * T) : NaN;
      const gc = T === 1 ? flops / r.cpu / 1e9 : undefined;
      emit({ peer: PEER, threads: T, workload: 'sgemm', size: n, metric: 'GFLOP/s', value: +g.toPrecision(4), n: r.n, bg: r.bg,
        per_cpu_s: gc === undefined ? undefined : +gc.toPrecision(4),
        note: Number.isNaN(frac) ? undefined : `${(100 * frac).toFixed(0)}% of ${T}×${peakPerThread.toFixed(1)} GFLOP/s peak` });
      log(`T=${T} sgemm n=${n}: ${g.toFixed(1)} GFLOP/s (${(100 * frac).toFixed(0)}% of peak)${gc ? `, ${gc.toFixed(1)} per CPU-s` : ''} bg=${r.bg}`);
    }
  }
  if (ONLY.has('conv')) {
    const g: Conv2dGeometry = { n: 32, c: 64, h: 56, w: 56, o: 64, kh: 3, kw: 3, oh: 56, ow: 56, strideH: 1, strideW: 1,
      padH: 1, padW: 1, dilationH: 1, dilationW: 1, groups: 1 };
    const x = rand(32 * 64 * 56 * 56), wt = rand(64 * 64 * 9), y = new Float32Array(32 * 64 * 56 * 56);
    const gx = new Float32Array(x.length), gw = new Float32Array(wt.length);
    const flops = 2 * 32 * 64 * 56 * 56 * 64 * 9;
    const cases: [string, () => void][] = [
      ['conv2d_fwd', () => wasmBackend.conv2d(x, wt, y, g)],
      ['conv2d_bwd_input', () => wasmBackend.conv2dBackwardInput(y, wt, gx, g)],
      ['conv2d_bwd_weight', () => wasmBackend.conv2dBackwardWeight(x, y, gw, g)],
    ];
    for (const [name, fn] of cases) {
      const r = await bench(fn, { iters: ITERS, warmup: 1, threads: T });
      const v = flops / r.t / 1e9;
      const vc = T === 1 ? flops / r.cpu / 1e9 : undefined;
      emit({ peer: PEER, threads: T, workload: name, metric: 'GFLOP/s', value: +v.toPrecision(4), n: r.n, bg: r.bg,
        per_cpu_s: vc === undefined ? undefined : +vc.toPrecision(4) });
      log(`T=${T} ${name}: ${v.toFixed(1)} GFLOP/s${vc ? `, ${vc.toFixed(1)} per CPU-s` : ''} bg=${r.bg}`);
    }
  }
  if (ONLY.has('models')) {
    for (const w of modelWorkloads()) {
      try {
        const fn = w.setup();
        const r = await bench(fn, { iters: Math.max(ITERS, w.iters ?? 0), warmup: w.warmup ?? 2, threads: T, budgetS: 60 });
        const v = w.metric === 'ms' ? r.t * 1e3 : w.perCall / r.t;
        const vc = T === 1 ? (w.metric === 'ms' ? r.cpu * 1e3 : w.perCall / r.cpu) : undefined;
        emit({ peer: PEER, threads: T, workload: w.workload, metric: w.metric, value: +v.toPrecision(4), n: r.n, bg: r.bg,
          per_cpu_s: vc === undefined ? undefined : +vc.toPrecision(4) });
        log(`T=${T} ${w.workload}: ${v.toFixed(1)} ${w.metric} bg=${r.bg}`);
      } catch (e) {
        emit({ peer: PEER, threads: T, workload: w.workload, metric: w.metric, value: null, note: `FAILS: ${(e as Error).message}` });
        log(`T=${T} ${w.workload}: FAILS ${(e as Error).message}`);
      }
    }
  }
}

// ---------------------------------------------------------------- scaling, interleaved
// The thread-count loop above times 1 thread and T threads minutes apart; on a shared VM whose
// speed drifts that biases their ratio either way. Here one call at 1 thread and one at T threads
// alternate, and the figure is the median of the pairs' ratios.
const TMAX = THREADS[THREADS.length - 1]!;
if (THREADS.includes(1) && TMAX > 1) {
  type Pairs = { ratio: number; lo: number; hi: number; n: number };
  const summary = (xs: number[]): Pairs => {
    const s = [...xs].sort((a, b) => a - b);
    return { ratio: s[s.length >> 1]!, lo: s[0]!, hi: s[s.length - 1]!, n: s.length };
  };
  // The host's ceiling in the same minutes: one pair of the SIMD peak loop after each pair of calls
  // (bench/host.ts).
  const peakModule = ONLY.has('peak') ? compileKernelVariant(info.variant as 'simd128' | 'relaxed-simd') : undefined;
  const peak = peakModule === undefined ? undefined : new PeakPairs(peakModule, TMAX);
  await peak?.start();
  const pairs = async (fn: () => void, n: number, inner: number, warmup: number): Promise<{ calls: Pairs; peak: Pairs | null }> => {
    const time = (T: number): number => {
      setNumThreads(T);
      const t0 = performance.now();
      for (let j = 0; j < inner; j++) fn();
      return performance.now() - t0;
    };
    await waitQuiet();
    for (let i = 0; i < warmup; i++) { time(1); time(TMAX); }
    const ratios: number[] = [], peaks: number[] = [];
    for (let i = 0; i < n; i++) {
      const t1 = time(1), tT = time(TMAX);
      ratios.push(t1 / tT);
      if (peak !== undefined) peaks.push(peak.pair());
    }
    return { calls: summary(ratios), peak: peaks.length ? summary(peaks) : null };
  };
  const scalingRow = (workload: string, r: Pairs, what: string): void => {
    emit({ peer: PEER, threads: TMAX, workload, metric: 'ratio', value: +r.ratio.toFixed(3), n: r.n,
      note: `${TMAX} threads ÷ 1 thread, ${what}; pairs ${r.lo.toFixed(2)}–${r.hi.toFixed(2)}` });
    log(`scaling ${workload}: ${r.ratio.toFixed(2)}× (pairs ${r.lo.toFixed(2)}–${r.hi.toFixed(2)})`);
  };
  const rows = (name: string, r: { calls: Pairs; peak: Pairs | null }): void => {
    scalingRow(`scaling_${name}`, r.calls, 'calls alternating');
    if (r.peak !== null) scalingRow(`scaling_peak_${name}`, r.peak, `the SIMD peak loop, one pair after each pair of ${name}: the host's ceiling in those minutes`);
  };
  if (ONLY.has('sgemm')) {
    const n = 1024, a = rand(n * n), b = rand(n * n), c = new Float32Array(n * n);
    const p = { batch: 1, m: n, n, k: n, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
    rows('sgemm_1024', await pairs(() => wasmBackend.matmul(a, b, c, p), 15, 3, 2));
  }
  if (ONLY.has('models')) {
    const w = modelWorkloads().find((m) => m.workload === 'resnet18_train')!;
    rows('resnet18_train', await pairs(w.setup(), 7, 1, 1));
  }
  await peak?.stop();
}
setNumThreads(TMAX);

// ---------------------------------------------------------------- peers, same run
if (opt.peers !== undefined) {
  const dir = opt.peers;
  if (!existsSync(join(dir, 'node_modules/@tensorflow/tfjs'))) {
    log(`--peers ${dir}: run \`npm ci\` there first (copy of /work/shared/peers)`);
  } else {
    const parts = [ONLY.has('sgemm') ? 'a' : '', ONLY.has('conv') ? 'f' : '',
      ONLY.has('models') ? 'b,c,d,e' : ''].filter(Boolean).join(',');
    const ob = '/usr/lib/x86_64-linux-gnu/openblas-openmp';
    const run = (label: string, cmd: string, args: string[], env: Record<string, string> = {}): void => {
      log(`peers: ${label}`);
      const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
      const file = join(opt.out!, `peer_${label.replace(/\W+/g, '_')}.jsonl`);
      writeFileSync(file, r.stdout ?? '');
      if (r.status !== 0) log(`peers: ${label} exited ${r.status}: ${(r.stderr ?? '').split('\n').slice(-3).join(' | ')}`);
    };
    for (const T of THREADS) {
      if (existsSync('/usr/bin/python3')) {
        run(`torch ${T}T`, '/usr/bin/python3', ['torch_bench.py', '--threads', String(T), '--peer', 'PyTorch (OpenBLAS)', '--only', parts],
          { OMP_NUM_THREADS: String(T), OPENBLAS_NUM_THREADS: String(T), LD_LIBRARY_PATH: ob });
      }
      run(`tfjs-wasm ${T}T`, process.execPath, ['tfjs_bench.mjs', '--backend', 'wasm', '--threads', String(T), '--only', parts]);
    }
    run('tfjs-cpu 1T', process.execPath, ['tfjs_bench.mjs', '--backend', 'cpu', '--slow', '--iters', '3', '--only', parts.replace(/,?c|,?d/g, '')]);
  }
  for (const f of readdirSync(opt.out!).filter((f) => f.startsWith('peer_'))) {
    for (const line of readFileSync(join(opt.out!, f), 'utf8').split('\n')) {
      if (!line.trim().startsWith('{')) continue;
      try {
        const o = JSON.parse(line) as Row;
        if (o.workload && o.workload !== 'info') rows.push(o);
      } catch { /* not a row */ }
    }
  }
}

// ---------------------------------------------------------------- report
const fmt = (v: number | null | undefined): string => v == null ? '—' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toPrecision(3);
const cellOf = (peer: string, T: number, wl: string, size?: number): Row | undefined =>
  rows.find((r) => r.peer === peer && r.threads === T && r.workload === wl && (size === undefined || r.size === size));
const peersSeen = [...new Set(rows.filter((r) => r.workload !== 'peak').map((r) => `${r.peer}\u0000${r.threads}`))]
  .map((k) => { const [peer, t] = k.split('\u0000'); return { peer, threads: Number(t) }; });
const columns: { wl: string; size?: number; head: string }[] = [
  ...[128, 256, 512, 1024].map((n) => ({ wl: 'sgemm', size: n, head: `sgemm ${n}` })),
  { wl: 'conv2d_fwd', head: 'conv fwd' },
  { wl: 'lenet_train', head: 'LeNet train' }, { wl: 'lenet_infer', head: 'LeNet infer' },
  { wl: 'resnet18_train', head: 'ResNet train' }, { wl: 'resnet18_infer', head: 'ResNet infer' },
  { wl: 'vgg16_infer', head: 'VGG ms' }, { wl: 'lstm_train', head: 'LSTM train' }, { wl: 'lstm_sample', head: 'LSTM sample' },
].filter((c) => rows.some((r) => r.workload === c.wl));
const out: string[] = [];
out.push(`Machine: ${info.cpu}, ${info.logical_cpus} logical CPUs; Node ${info.node} (V8 ${info.v8}); Nerva kernels ${info.variant}; ${info.date}`);
out.push(`Command: ${info.command}`);
out.push(`Peak (1 thread): ${Object.entries(peaks).map(([k, v]) => `${k} ${v.toFixed(1)} GFLOP/s (${peaksCpu[k]!.toFixed(1)} per CPU-s)`).join(', ')}`);
out.push('');
out.push(`| Peer | Threads | ${columns.map((c) => c.head).join(' | ')} |`);
out.push(`|---|---:|${columns.map(() => '---:').join('|')}|`);
for (const p of peersSeen) {
  const cells = columns.map((c) => {
    const r = cellOf(p.peer, p.threads, c.wl, c.size);
    if (r === undefined) return '';
    if (r.value == null) return 'fails';
    return fmt(r.value) + (r.bg !== undefined && r.bg + p.threads > 2.3 ? ' (contended)' : '');
  });
  out.push(`| ${p.peer} | ${p.threads} | ${cells.join(' | ')} |`);
}
const oneT = columns.map((c) => cellOf(PEER, 1, c.wl, c.size)?.per_cpu_s);
if (oneT.some((v) => v !== undefined)) {
  out.push(`| Nerva 1 thread per CPU-second | 1 | ${oneT.map((v) => fmt(v)).join(' | ')} |`);
}
out.push('');
out.push('Ratios (Nerva ÷ peer at the same thread count; VGG: peer ms ÷ Nerva ms):');
for (const p of peersSeen.filter((q) => q.peer !== PEER)) {
  const cells = columns.map((c) => {
    const a = cellOf(PEER, p.threads, c.wl, c.size)?.value, b = cellOf(p.peer, p.threads, c.wl, c.size)?.value;
    if (a == null || b == null) return '';
    return `${(c.wl === 'vgg16_infer' ? b / a : a / b).toFixed(2)}×`;
  });
  out.push(`| vs ${p.peer} | ${p.threads} | ${cells.join(' | ')} |`);
}
const sg = (T: number): number | null | undefined => cellOf(PEER, T, 'sgemm', 1024)?.value;
if (THREADS.length > 1 && sg(1) && sg(TMAX)) {
  out.push('', `Scaling sgemm n=1024: ${TMAX} threads ÷ 1 thread = ${(sg(TMAX)! / sg(1)!).toFixed(2)}× (the tables' separate runs)`);
}
for (const r of rows.filter((q) => q.peer === PEER && q.workload.startsWith('scaling_'))) {
  out.push(`Scaling ${r.workload.slice(8)}, interleaved: ${fmt(r.value)}× (${r.note})`);
}
console.log(out.join('\n'));
writeFileSync(join(opt.out!, 'table.md'), out.join('\n') + '\n');
log(`rows: ${rowsFile}`);
