/**
 * What the wasm runtime needs from its host, behind one interface so that the core imports no Node
 * built-in. The runtime takes its platform from the package's `#nerva/platform` import, which
 * package.json maps by export condition: `node` → src/node/platform.ts (worker_threads, os, v8),
 * anything else (browsers, bundlers) → platform_web.ts (Web Workers from a Blob URL). Node code thus
 * gets threads and relaxed-SIMD whichever entry it imports, and a bundler never sees a `node:` module.
 */

/** What a pool worker receives (src/backend/wasm/pool_worker.ts). */
export interface PoolWorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  tid: number;
  /** byte offset of the control words (GEN, THREADS, BOOTED) */
  ctrl: number;
  /** byte offset of the job descriptor */
  job: number;
}

export interface PoolWorker {
  terminate(): void;
}

export interface Platform {
  name: 'node' | 'web';
  /** A NERVA_* setting from the environment (undefined where there is none, as in browsers). */
  env(name: string): string | undefined;
  /** Logical cores (the default thread count). */
  cores(): number;
  /** Why pool workers cannot run here (a sentence), or undefined when they can. */
  noThreadsReason(): string | undefined;
  /** Whether this thread may block in Atomics.wait (not a browser page's main thread). */
  mayBlock: boolean;
  /** Sets V8 flags before a module is compiled, where the host allows it (Node). */
  setV8Flags?: (flags: string) => void;
  /** Starts pool worker `data.tid`; `onError` gets a one-line reason if it fails to load or dies. */
  startWorker(data: PoolWorkerData, onError: (reason: string) => void): PoolWorker;
  /** Where the workers' code comes from, for messages (a URL, or 'an inline Blob URL'). */
  workerOrigin(): string;
}
