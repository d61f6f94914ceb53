import { existsSync, statSync, readFileSync } from 'node:fs';
import { makeDirectories } from '../node/atomic.js';
import { NervaError } from '../errors.js';

// Helpers shared by `nerva classify` and `nerva tag`.

export function readText(path: string, what: string): string {
  if (!existsSync(path)) throw new NervaError(`${what} '${path}' does not exist`);
  if (statSync(path).isDirectory()) throw new NervaError(`${what} '${path}' is a folder, expected a text file`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(path));
  } catch {
    throw new NervaError(`${what} '${path}' is not valid UTF-8 text`);
  }
}

export function int(name: string, v: string | undefined, min = 1): number {
  const n = Number(v);
  if (v === undefined || !Number.isInteger(n) || n < min) throw new NervaError(`--${name} must be an integer >= ${min}, got '${v}'`);
  return n;
}

export function num(name: string, v: string | undefined, min = 0, max = Infinity): number {
  const n = Number(v);
  if (v === undefined || !Number.isFinite(n) || n < min || n > max) throw new NervaError(`--${name} must be a number in [${min}, ${max}], got '${v}'`);
  return n;
}

export function oneOf<T extends string>(name: string, v: string | undefined, allowed: readonly T[]): T {
  if (!allowed.includes(v as T)) throw new NervaError(`--${name} must be one of ${allowed.join(', ')}, got '${v}'`);
  return v as T;
}

/** Whether the option was typed on the command line (not just defaulted). */
export function given(argv: readonly string[], name: string): boolean {
  return argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`));
}

export function makeOutputFolder(dir: string): void {
  try {
    makeDirectories(dir);
  } catch (err) {
    throw new NervaError(`cannot create the output folder '${dir}': ${(err as Error).message}; choose another with -o`);
  }
}

export function percent(v: number): string {
  return `${(100 * v).toFixed(2)}%`;
}
