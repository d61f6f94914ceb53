// Nerva's public API: the platform-free core (no Node built-in anywhere in its import graph, so any
// bundler takes it for the browser). Node adds files, datasets and the CLI: `nerva/node`.
export { Tensor, type NestedArray } from './tensor/tensor.js';
export type { DType } from './tensor/dtype.js';
export { tensor, zeros, ones, full, zerosLike, onesLike, fullLike, arange, linspace, eye, rand, randn, uniform, randint, randperm, type CreateOptions } from './tensor/creation.js';
export { Generator, manualSeed, getRngState, setRngState, defaultGenerator } from './tensor/random.js';
export { noGrad, enableGrad, isGradEnabled } from './autograd/grad_mode.js';
export { backward } from './autograd/tape.js';
export { gradcheck } from './autograd/gradcheck.js';
export * from './ops/index.js';
export * from './functional/index.js';
export { getBackend, setBackend, registerBackend, listBackends } from './backend/index.js';
export { NervaError, ShapeError, FormatError } from './errors.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export { encodeSafetensors, decodeSafetensors, type SafetensorsContent, type LoadOptions } from './io/safetensors.js';
export { encodeCheckpoint, decodeCheckpoint, type CheckpointContents, type LoadedCheckpoint, type RestoreTarget } from './io/checkpoint.js';
export * as vision from './vision/index.js';
export * as seq from './seq/index.js';
export * as seq2seq from './seq2seq/index.js';
export { checkOptions } from './options.js';

// The default backend: WebAssembly SIMD kernels on every core where the engine supports them,
// else the plain-TypeScript reference (also chosen with NERVA_BACKEND=ref). The thread pool starts
// on first use (or ready()), never here.
import { wasmAvailable } from './backend/wasm/index.js';
import { setBackend as chooseBackend } from './backend/index.js';
import { platform } from '#nerva/platform';
export { setNumThreads, getNumThreads, ready, setPoolWorker, wasmInfo } from './backend/wasm/index.js';
if (platform.env('NERVA_BACKEND') !== 'ref' && wasmAvailable()) chooseBackend('wasm');
export * as models from './models/index.js';
export * as worker from './worker/index.js';
