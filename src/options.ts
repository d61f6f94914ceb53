import { NervaError } from './errors.js';

/**
 * Refuses an options object with a key the function does not declare, naming the closest accepted
 * key: `SeqClassifier: unknown option 'hiden' (did you mean 'hidden'?); accepted: arch, hidden, …`.
 * Options are checked, never dropped (a misspelt option silently falling back to its default is
 * the worst kind of bug in a training run).
 */
export function checkOptions(where: string, options: object | undefined | null, accepted: readonly string[]): void {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object' || Array.isArray(options)) throw new NervaError(`${where}: options must be an object, got ${Array.isArray(options) ? 'an array' : typeof options}`);
  for (const key of Object.keys(options)) {
    if (accepted.includes(key)) continue;
    const near = closest(key, accepted);
    throw new NervaError(`${where}: unknown option '${key}'${near ? ` (did you mean '${near}'?)` : ''}; accepted: ${accepted.join(', ')}`);
  }
}

function closest(key: string, names: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const n of names) {
    const d = distance(key.toLowerCase(), n.toLowerCase());
    if (d < bestD) [best, bestD] = [n, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
