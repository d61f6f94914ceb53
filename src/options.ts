import { NervaError } from './errors.js';

/**
 * Refuses an options object with a key the function does not use, naming the function, the key,
 * the accepted keys and the nearest one ("did you mean"), so a misspelt option never silently
 * falls back to a default. `undefined` values count as absent.
 */
export function checkOptions(where: string, options: object | undefined, accepted: readonly string[]): void {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object') throw new NervaError(`${where}: options must be an object, got ${typeof options}`);
  for (const key of Object.keys(options)) {
    if (accepted.includes(key)) continue;
    const near = nearest(key, accepted);
    const hint = near !== null ? ` (did you mean '${near}'?)` : '';
    throw new NervaError(`${where}: unknown option '${key}'${hint}; accepted: ${accepted.join(', ') || 'none'}`);
  }
}

function nearest(key: string, accepted: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  const k = key.toLowerCase().replace(/[_-]/g, '');
  for (const a of accepted) {
    const d = levenshtein(k, a.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = a;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : null;
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
