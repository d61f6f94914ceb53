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
import { platform } from '#nerva/platform';

export interface KernelModule {
  module: WebAssembly.Module;
  variant: 'relaxed-simd' | 'simd128';
  /** whether the module imports a shared memory (threads possible) */
  shared: boolean;
}

function decode(b64: string): Uint8Array<ArrayBuffer> {
  const buffer = (globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } }).Buffer;
  if (buffer !== undefined) return new Uint8Array(buffer.from(b64, 'base64'));
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** V8 flags can be set at run time only in Node (the platform says so). */
const setV8Flags = platform.setV8Flags;

/** Shared memory needs SharedArrayBuffer: always in Node, only cross-origin isolated pages in
 * browsers. NERVA_WASM_SHARED=0 forces the unshared, single-thread mode (for testing it in Node). */
export function sharedMemoryAvailable(): boolean {
  if (platform.env('NERVA_WASM_SHARED') === '0') return false;
  return typeof SharedArrayBuffer === 'function' && (platform.name === 'node' || globalThis.crossOriginIsolated === true);
}

function readLeb(b: Uint8Array, at: number): [number, number] {
  let v = 0, shift = 0, i = at;
  for (;;) {
    const byte = b[i++];
    v += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return [v, i];
  }
}

/** Turns the module's shared memory import (limits flag 0x03) into an unshared one (0x01), in
 * place. The kernels' atomics are valid on unshared memory; only atomic waits would trap, and a
 * single thread never waits. */
function unshareMemoryImport(b: Uint8Array): void {
  let i = 8; // magic + version
  while (i < b.length) {
    const id = b[i];
    const [size, body] = readLeb(b, i + 1);
    if (id === 2) {
      let [count, j] = readLeb(b, body);
      while (count-- > 0) {
        for (let s = 0; s < 2; s++) { const [len, k] = readLeb(b, j); j = k + len; } // module, field names
        const kind = b[j++];
        if (kind === 0x02) {
          if (b[j] === 0x03) b[j] = 0x01;
          return;
        }
        // Skip other import kinds: function (type index), table (reftype + limits), global (type + mut).
        if (kind === 0x00) j = readLeb(b, j)[1];
        else if (kind === 0x01) { j++; const flags = b[j++]; j = readLeb(b, j)[1]; if (flags & 1) j = readLeb(b, j)[1]; }
        else if (kind === 0x03) j += 2;
        else return;
      }
      return;
    }
    i = body + size;
  }
}

/** Compiles bytes with the optimizing tier straight away where we can set V8 flags (Node).
 * NOTE: with relaxed-SIMD switched on at run time, V8 11.3's dynamic tiering never replaces the
 * baseline (Liftoff) code of the main thread (GEMM stays at half speed); eager optimization avoids
 * that and makes the first call as fast as the rest. The modules are ~10 KB, so it costs ~1 ms. */
function compileEager(bytes: Uint8Array<ArrayBuffer>): WebAssembly.Module {
  if (setV8Flags === undefined) return new WebAssembly.Module(bytes);
  setV8Flags('--no-wasm-dynamic-tiering');
  try {
    return new WebAssembly.Module(bytes);
  } finally {
    setV8Flags('--wasm-dynamic-tiering');
  }
}

/** Whether the engine runs relaxed-SIMD, enabling it in Node 20 if needed (see the header). */
function relaxedSupported(bytes: Uint8Array<ArrayBuffer>): boolean {
  if (WebAssembly.validate(bytes)) return true;
  if (setV8Flags === undefined) return false;
  setV8Flags('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(bytes);
}

/** Compiles one variant, or returns undefined when the engine cannot run it. */
export function compileKernelVariant(variant: KernelModule['variant'], shared = true): WebAssembly.Module | undefined {
  const bytes = decode(variant === 'simd128' ? WASM_SIMD : WASM_RELAXED);
  if (!shared) unshareMemoryImport(bytes);
  if (variant === 'simd128') return compileEager(bytes);
  return relaxedSupported(bytes) ? compileEager(bytes) : undefined;
}

/** Compiles the best variant this engine runs (synchronous; the modules are ~10 KB). */
export function loadKernelModule(): KernelModule {
  const shared = sharedMemoryAvailable();
  if (platform.env('NERVA_WASM_SIMD') !== 'plain') {
    const module = compileKernelVariant('relaxed-simd', shared);
    if (module !== undefined) return { module, variant: 'relaxed-simd', shared };
  }
  return { module: compileKernelVariant('simd128', shared)!, variant: 'simd128', shared };
}
