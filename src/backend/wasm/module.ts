/**
 * Loads the compiled kernels (embedded as base64 by scripts/build-kernels.mjs, so Node and browsers
 * load them the same way, with no file path or fetch) and picks the variant the engine supports:
 *
 * - relaxed-SIMD (`f32x4.relaxed_madd`, a fused multiply-add: ~1.5× the GEMM speed) when the
 *   engine validates it. Browsers ship it; Node ≥ 22 has it on by default. Node 20 (V8 11.3) has
 *   it behind `--experimental-wasm-relaxed-simd`: when validation fails in Node we set that flag at
 *   run time with `v8.setFlagsFromString` (it only has to precede compilation, and V8 flags are
 *   process-wide, so worker threads get it too) and validate again. Running
 *   `node --experimental-wasm-relaxed-simd` does the same from the command line.
 * - plain SIMD128 otherwise, or when `NERVA_WASM_SIMD=plain` asks for it.
 */
import { WASM_RELAXED, WASM_SIMD } from './kernels_data.js';

export interface KernelModule {
  module: WebAssembly.Module;
  variant: 'relaxed-simd' | 'simd128';
}

export const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

function decode(b64: string): Uint8Array<ArrayBuffer> {
  if (isNode) return new Uint8Array(Buffer.from(b64, 'base64'));
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

// NOTE: node:v8 is imported dynamically and only in Node, so the module stays loadable in browsers.
const nodeV8: { setFlagsFromString(flags: string): void } | undefined = isNode ? await import('node:v8') : undefined;

function envVariant(): string | undefined {
  return isNode ? process.env.NERVA_WASM_SIMD : undefined;
}

/** Compiles the best variant this engine runs (synchronous; the modules are ~10 KB). */
export function loadKernelModule(): KernelModule {
  const relaxed = decode(WASM_RELAXED);
  const wantPlain = envVariant() === 'plain';
  if (!wantPlain) {
    let ok = WebAssembly.validate(relaxed);
    if (!ok && nodeV8 !== undefined) {
      nodeV8.setFlagsFromString('--experimental-wasm-relaxed-simd');
      ok = WebAssembly.validate(relaxed);
      if (ok) {
        // NOTE: with the feature switched on at run time, V8 11.3's background tier-up never replaces
        // the baseline (Liftoff) code of this thread (GEMM stays at half speed). Compiling this one
        // module eagerly with the optimizing tier avoids it; the flag is restored right after.
        nodeV8.setFlagsFromString('--no-wasm-dynamic-tiering');
        try {
          return { module: new WebAssembly.Module(relaxed), variant: 'relaxed-simd' };
        } finally {
          nodeV8.setFlagsFromString('--wasm-dynamic-tiering');
        }
      }
    }
    if (ok) return { module: new WebAssembly.Module(relaxed), variant: 'relaxed-simd' };
  }
  return { module: new WebAssembly.Module(decode(WASM_SIMD)), variant: 'simd128' };
}
