import { setBackend } from '../backend/index.js';
import { NervaError } from '../errors.js';

/**
 * Picks the kernel backend for a command: 'wasm' (default: WebAssembly SIMD on worker threads) or
 * 'ref' (plain TypeScript). When wasm was not asked for by name and cannot start, falls back to ref
 * with a note. Returns the name of the backend in use.
 */
export async function selectBackend(name: string | undefined, threads?: string): Promise<string> {
  const wanted = name ?? process.env.NERVA_BACKEND ?? 'wasm';
  if (wanted !== 'wasm' && wanted !== 'ref') throw new NervaError(`--backend must be 'wasm' or 'ref', got '${wanted}'`);
  if (wanted === 'ref') {
    setBackend('ref');
    return 'ref';
  }
  try {
    const wasm = await import('../backend/wasm/index.js');
    setBackend('wasm');
    if (threads !== undefined) {
      const n = Number(threads);
      if (!Number.isInteger(n) || n < 1) throw new NervaError(`--threads must be a positive integer, got '${threads}'`);
      wasm.setNumThreads(n);
    }
    return 'wasm';
  } catch (err) {
    if (err instanceof NervaError || name === 'wasm') throw err;
    process.stderr.write(`note: the wasm backend could not start (${(err as Error).message}); using the slower ref backend\n`);
    setBackend('ref');
    return 'ref';
  }
}
