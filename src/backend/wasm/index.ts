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
 * Environment: NERVA_NUM_THREADS=n (threads), NERVA_WASM_SIMD=plain (skip relaxed-SIMD),
 * NERVA_WASM_SHARED=0 (unshared memory, one thread: what a browser page that is not cross-origin
 * isolated gets).
 */
import type { Backend } from '../backend.js';
import { refBackend } from '../ref/index.js';
import { registerBackend } from '../index.js';
import { getRuntime } from './runtime.js';
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

/** Threads the wasm kernels use from now on (1 = the calling thread only). */
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

/** What the runtime picked: SIMD variant, threads, and WebAssembly memory in use. */
export function wasmInfo(): { variant: string; shared: boolean; threads: number; memoryBytes: number } {
  const rt = getRuntime();
  return { variant: rt.kernels.variant, shared: rt.kernels.shared, threads: rt.getNumThreads(), memoryBytes: rt.memory.buffer.byteLength };
}

registerBackend('wasm', () => wasmBackend);
