import type { Backend } from './backend.js';
import { refBackend } from './ref/index.js';
import { NervaError } from '../errors.js';

export type { Backend } from './backend.js';

const registry = new Map<string, () => Backend>([['ref', () => refBackend]]);
let current: Backend = refBackend;

/** Makes a backend selectable by name (the wasm backend registers itself when loaded). */
export function registerBackend(name: string, factory: () => Backend): void {
  registry.set(name, factory);
}

/** The backend every op runs on. */
export function getBackend(): Backend {
  return current;
}

export function setBackend(name: string): void {
  const factory = registry.get(name);
  if (factory === undefined) throw new NervaError(`unknown backend '${name}'; available: ${[...registry.keys()].join(', ')}`);
  current = factory();
}

export function listBackends(): string[] {
  return [...registry.keys()];
}
