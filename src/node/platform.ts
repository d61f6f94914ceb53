/**
 * The wasm runtime's platform in Node (see src/backend/wasm/platform.ts): worker_threads for the
 * pool, os for the core count, v8 for the relaxed-SIMD flag that Node 20 keeps behind
 * `--experimental-wasm-relaxed-simd`, and NERVA_* settings from the environment. package.json's
 * `#nerva/platform` import resolves here under the `node` condition.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism, cpus } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import type { Platform } from '../backend/wasm/platform.js';

const workerUrl = new URL('./pool_worker.js', import.meta.url);

export const platform: Platform = {
  name: 'node',
  env: (name) => process.env[name],
  cores: () => availableParallelism?.() ?? cpus().length,
  noThreadsReason: () => undefined,
  mayBlock: true,
  setV8Flags: setFlagsFromString,
  startWorker(data, onError) {
    const w = new Worker(workerUrl, { workerData: data });
    w.unref(); // a worker never keeps the process alive
    w.on('error', (e) => onError(e.message));
    return { terminate: () => void w.terminate() };
  },
  workerOrigin: () => workerUrl.href,
};
