// Types of the module scripts/build-kernels.mjs generates at dist/src/backend/wasm/kernels_data.js
// (the compiled kernels, embedded as base64). It exists only after `npm run build`.
/** The kernels compiled with SIMD128 + relaxed-SIMD, base64. */
export declare const WASM_RELAXED: string;
/** The kernels compiled with plain SIMD128, base64. */
export declare const WASM_SIMD: string;
/** Maximum pages of the shared memory the modules import (fixed at compile time). */
export declare const MAX_PAGES: number;
/** The pool worker as a classic script (generated from pool_worker.ts), for a Blob URL. */
export declare const POOL_WORKER_SOURCE: string;
