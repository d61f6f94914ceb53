import { parseArgs, type ParseArgsConfig } from 'node:util';
import { NervaError } from '../errors.js';

// Option parsing shared by the training commands: node:util parseArgs, with its errors turned into
// one-line NervaErrors, and numeric options checked with messages that name the option.

export function parseCommand<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      const first = (err as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '');
      throw new NervaError(`${command}: ${first} (see nerva ${command} --help)`);
    }
    throw err;
  }
}

/** Parses an integer option ≥ min with a one-line error naming it. */
export function intOption(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new NervaError(`--${name} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

/** Parses a non-negative number option with a one-line error naming it. */
export function numberOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new NervaError(`--${name} must be a non-negative number, got '${value}'`);
  return n;
}
