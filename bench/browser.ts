// Browser ÷ Node: LeNet-5 training speed (samples/s) in headless Chromium (the test page bundled
// with esbuild, served cross-origin isolated, on the page's main thread) against Node in this
// process, at batch 32 and 128 on 1 and 2 threads. Each cell is the median of `rounds` paired runs
// (browser then Node, back to back), so a busy host moves both sides of a pair alike.
//   npm run build && node dist/bench/browser.js [--rounds 3] [--steps 30]
// Not a test: it prints a table. Needs /usr/bin/chromium (apt-get install chromium).
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import * as nv from 'nerva';
import { lenetSpeed } from '../test/browser/scenario.js';
import { CHROMIUM, bundleEsbuild, launch, makeProject, runPage, serve } from '../test/browser/harness.js';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, steps: { type: 'string', default: '30' } } });
const ROUNDS = Number(args.rounds), STEPS = Number(args.steps);
if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is not installed (apt-get install chromium)`);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const project = makeProject();
const server = await serve({ esbuild: await bundleEsbuild(project) });
const browser = await launch();
console.log(`LeNet-5 training, ${STEPS} steps a run, median of ${ROUNDS} paired runs; ${cpus()[0]?.model} ×${cpus().length}, Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}`);
console.log('batch | threads | browser samples/s | Node samples/s | browser ÷ Node');
try {
  for (const batch of [32, 128]) {
    for (const threads of [1, 2]) {
      const b: number[] = [], n: number[] = [], ratio: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const run = await runPage<number>(browser.context, `${server.origin}/iso/esbuild/index.html?threads=${threads}&speedBatch=${batch}&steps=${STEPS}`);
        if (run.result === undefined) throw new Error(`browser run failed: ${run.error} ${run.console.join(' | ')}`);
        const node = await lenetSpeed(nv, threads, batch, STEPS);
        b.push(run.result); n.push(node); ratio.push(run.result / node);
      }
      console.log(`${batch} | ${threads} | ${median(b).toFixed(0)} | ${median(n).toFixed(0)} | ${median(ratio).toFixed(2)}×`);
    }
  }
} finally {
  await browser.close();
  await server.close();
}
