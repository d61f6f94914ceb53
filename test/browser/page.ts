// The browser test page: runs the scenario on the page's main thread or in a Web Worker (?in=),
// on ?threads= threads, shows the outcome (for the screenshot) and leaves it in window.nervaResult.
import * as nv from 'nerva';
import { lenetSpeed, scenario, type ScenarioResult } from './scenario.js';

// NOTE: `node --test dist/test/` also loads this file (it runs every .js under test/); a browser
// bundles it. Everything below needs the page, so the module body runs only there.
const inPage = typeof document !== 'undefined';
const params = new URLSearchParams(inPage ? location.search : '');
const threads = Number(params.get('threads') ?? '1');
const where = params.get('in') ?? 'page';
const poolWorker = params.get('poolWorker');
const out = inPage ? document.getElementById('out')! : { textContent: '' };
const state = globalThis as unknown as { nervaResult?: ScenarioResult; nervaError?: string };

function show(r: ScenarioResult): void {
  out.textContent = [
    `Nerva in ${where}: isolated=${crossOriginIsolated}, threads asked ${r.asked}, working ${r.working} (${r.variant})`,
    `tasks by thread: ${r.tasks.join(', ')}`,
    `LeNet-5 losses: ${r.losses.map((l) => l.toFixed(4)).join(' ')}`,
    `bad checkpoint: ${r.badCheckpoint}`,
  ].join('\n');
  state.nervaResult = r;
}

async function main(): Promise<void> {
  if (poolWorker !== null) nv.setPoolWorker(poolWorker);
  const batch = params.get('speedBatch');
  if (batch !== null) { // bench/browser.ts: training speed, samples/s
    const speed = await lenetSpeed(nv, threads, Number(batch), Number(params.get('steps') ?? '20'));
    out.textContent = `LeNet-5 training, batch ${batch}, ${threads} thread(s): ${speed.toFixed(0)} samples/s`;
    (state as { nervaResult?: unknown }).nervaResult = speed;
    return;
  }
  if (where === 'worker') {
    const w = nv.worker.connect(new Worker(new URL('./train.worker.js', import.meta.url), { type: 'module' }));
    show(await w.call<ScenarioResult>('scenario', { threads }, (p) => { out.textContent = String(p); }));
  } else {
    show(await scenario(nv, threads));
  }
}

if (inPage) main().catch((e: Error) => {
  out.textContent = `error: ${e.message}`;
  state.nervaError = e.message;
});
