import { parseArgs, type ParseArgsConfig } from 'node:util';
import { NervaError } from '../errors.js';

// Option parsing shared by the training commands: node:util parseArgs, with its errors turned into
// one-line NervaErrors, and numeric options checked with messages that name the option.

export function parseCommand<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs({ ...config, args: joinNegativeValues(config) } as T);
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

/**
 * `--lr -1` becomes `--lr=-1`: parseArgs refuses a value that starts with '-' as "ambiguous", which
 * would hide the option's own message saying which range is allowed.
 */
function joinNegativeValues(config: ParseArgsConfig): string[] | undefined {
  const args = config.args;
  if (args === undefined) return undefined;
  const options = config.options ?? {};
  const takesValue = (arg: string): boolean => {
    if (arg.startsWith('--')) return options[arg.slice(2)]?.type === 'string';
    if (/^-[A-Za-z]$/.test(arg)) return Object.values(options).some((o) => o.short === arg[1] && o.type === 'string');
    return false;
  };
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = args[i + 1];
    if (next !== undefined && /^-\d|^-\.\d|^-Infinity$/.test(next) && takesValue(a)) {
      out.push(a.startsWith('--') ? `${a}=${next}` : `${a}${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}
