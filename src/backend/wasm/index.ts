/**
 * The `wasm` backend: WebAssembly SIMD kernels (src/kernels/, AssemblyScript) on a worker-thread
 * pool sharing one WebAssembly.Memory. It overrides the kernels speed needs (matmul, conv2d and
 * its backwards, pooling, the fused LSTM and GRU recurrences, batch norm, softmax cross-entropy, bias adds and
 * their gradient sums) and takes every other kernel from `ref`, which stays the specification.
 * Parameters created while it is the backend live in its memory (residentFloat32), read in place,
 * and SGD/Adam update them there (sgdStep, adamStep) with their optimizer state beside them.
 *
 *   import { wasmBackend, setNumThreads } from './backend/wasm/index.js';
 *   setBackend('wasm');        // registered under this name when this module loads
 *   setNumThreads(1);          // default: NERVA_NUM_THREADS, else every core
 *
 *   await ready();            // resolves with the threads that booted (browsers: before a sync loop)
 *
 * Environment (Node): NERVA_NUM_THREADS=n (threads), NERVA_WASM_SIMD=plain (skip relaxed-SIMD),
 * NERVA_WASM_SHARED=0 (unshared memory, one thread: what a browser page that is not cross-origin
 * isolated gets).
 */
import type { Backend } from '../backend.js';
import { refBackend } from '../ref/index.js';
import { registerBackend } from '../index.js';
import { getRuntime } from './runtime.js';
import { setWebPoolWorker, type PoolWorkerSource } from './platform_web.js';
import { platform } from '#nerva/platform';
import { NervaError } from '../../errors.js';
import * as k from './kernels.js';
import { recurrenceForward, recurrenceBackward } from './rnn.js';
import { batchNormForward, batchNormBackward } from './norm.js';
import * as ew from './elementwise.js';

export const wasmBackend: Backend = {
  ...refBackend,
  name: 'wasm',
  matmul: k.matmul,
  conv2d: k.conv2d,
  conv2dBackwardInput: k.conv2dBackwardInput,
  conv2dBackwardWeight: k.conv2dBackwardWeight,
  conv2dBackward: k.conv2dBackward,
  maxPool2d: k.maxPool2d,
  maxPool2dBackward: k.maxPool2dBackward,
  avgPool2d: k.avgPool2d,
  avgPool2dBackward: k.avgPool2dBackward,
  recurrenceForward,
  recurrenceBackward,
  batchNormForward,
  batchNormBackward,
  softmaxCrossEntropy: ew.softmaxCrossEntropy,
  softmaxCrossEntropyBackward: ew.softmaxCrossEntropyBackward,
  reduce: ew.reduce,
  binary: ew.binary,
  unary: ew.unary,
  unaryBackward: ew.unaryBackward,
  adamStep: ew.adamStep,
  sgdStep: ew.sgdStep,
  residentFloat32: (length) => getRuntime().residentF32(length),
};

/** Threads the wasm kernels use from now on (1 = the calling thread only). The kernels split
 * their work for this many; a worker takes its share once it has booted (see ready). */
export function setNumThreads(n: number): void {
  getRuntime().setNumThreads(n);
}

export function getNumThreads(): number {
  return getRuntime().getNumThreads();
}

/** Whether the wasm kernels can run in this engine (starts the runtime if needed). */
export function wasmAvailable(): boolean {
  try {
    getRuntime();
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts the thread pool for the current setting and resolves with the number of threads that
 * compute (the main thread and every worker that booted) once each worker has booted or failed.
 * In a browser page, await it before a synchronous loop: a page's workers boot only while its
 * thread is idle. A worker that fails to load is named in a one-time warning and the setting
 * drops to the threads that work.
 */
export function ready(): Promise<number> {
  return getRuntime().ready();
}

/**
 * Where a browser's pool workers come from, instead of the inline Blob URL (for a page whose
 * Content-Security-Policy forbids blob: workers): the URL of a served copy of the package's
 * `nerva/pool-worker.js`, or a function returning a started Worker running it. Call it before the
 * pool starts (the first multi-threaded call, or ready()). Node starts its own workers.
 */
export function setPoolWorker(source: PoolWorkerSource): void {
  if (platform.name === 'node') throw new NervaError('setPoolWorker: Node starts its pool workers itself; this setting is for browsers');
  setWebPoolWorker(source);
}

/** What the runtime picked: SIMD variant, shared memory, the thread setting (`threads`), the
 * threads computing now (`workingThreads`: the main thread and the booted workers), the tasks each
 * thread has run (`tasksRun`, main thread first: proof of who computed), why it runs on one thread
 * where it must (`singleThreadReason`), and WebAssembly memory in use. */
export function wasmInfo(): {
  variant: string; shared: boolean; threads: number; workingThreads: number; tasksRun: number[]; singleThreadReason?: string; memoryBytes: number;
} {
  const rt = getRuntime();
  const reason = rt.noThreadsReason;
  return {
    variant: rt.kernels.variant, shared: rt.kernels.shared, threads: rt.getNumThreads(), workingThreads: rt.workingThreads(), tasksRun: rt.tasksRun(),
    ...(reason === undefined ? {} : { singleThreadReason: reason }), memoryBytes: rt.memory.buffer.byteLength,
  };
}

registerBackend('wasm', () => wasmBackend);
