/**
 * The wasm runtime's platform in browsers and every host but Node (see platform.ts): pool workers
 * are Web Workers whose code comes from `POOL_WORKER_SOURCE` (generated at build time from
 * pool_worker.ts) through a Blob URL, so no file has to be emitted, copied or served whatever the
 * bundler; `setPoolWorker(url | factory)` replaces that where a page's Content-Security-Policy
 * forbids blob: workers. Threads need shared memory, which browsers give only to cross-origin
 * isolated pages (COOP: same-origin + COEP: require-corp).
 */
import { POOL_WORKER_SOURCE } from './kernels_data.js';
import type { Platform } from './platform.js';

/** Where pool workers come from: a script URL (our pool-worker.js, served by the page) or a factory. */
export type PoolWorkerSource = string | URL | (() => Worker);

let source: PoolWorkerSource | undefined;
let blobUrl: string | undefined;

/** Used by setPoolWorker (backend/wasm/index.ts) before the pool starts. */
export function setWebPoolWorker(s: PoolWorkerSource | undefined): void {
  source = s;
}

function describe(s: PoolWorkerSource | undefined): string {
  if (s === undefined) return 'the inline pool worker (a Blob URL of its embedded source)';
  return typeof s === 'function' ? 'the worker factory given to setPoolWorker' : String(s);
}

export const platform: Platform = {
  name: 'web',
  env: () => undefined,
  cores: () => globalThis.navigator?.hardwareConcurrency ?? 1,
  noThreadsReason() {
    if (typeof SharedArrayBuffer !== 'function' || globalThis.crossOriginIsolated !== true) {
      return 'the page is not cross-origin isolated, so it has no SharedArrayBuffer ' +
        '(serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
    }
    if (typeof Worker !== 'function') return 'this context cannot start Web Workers';
    return undefined;
  },
  // A window's main thread may not block in Atomics.wait; a worker (or a non-browser host) may.
  mayBlock: typeof document === 'undefined',
  startWorker(data, onError) {
    let w: Worker;
    if (typeof source === 'function') {
      w = source();
    } else if (source !== undefined) {
      w = new Worker(source, { type: 'module' });
    } else {
      blobUrl ??= URL.createObjectURL(new Blob([POOL_WORKER_SOURCE], { type: 'text/javascript' }));
      w = new Worker(blobUrl);
    }
    w.addEventListener('error', (e) => {
      e.preventDefault();
      onError((e as ErrorEvent).message || 'the script did not load (not found, or refused by the page\'s policy)');
    });
    w.addEventListener('messageerror', () => onError('it could not receive the shared memory'));
    w.postMessage(data);
    return { terminate: () => w.terminate() };
  },
  workerOrigin: () => describe(source),
};
