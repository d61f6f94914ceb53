import { FormatError } from '../errors.js';

/** One `source<TAB>target` line of a pairs file, with its 1-based line number for messages. */
export interface TextPair {
  source: string;
  target: string;
  line: number;
}

export interface ParsePairsOptions {
  /** what the two columns are called in messages (default ['source', 'target']) */
  columns?: readonly [string, string];
}

/**
 * Parses a two-column TSV (`source<TAB>target` a line; blank lines and a trailing `\r` ignored).
 * Every line must have exactly one tab and two non-empty sides; the first line that does not is
 * refused with a FormatError naming `file`, the line and what is wrong, so a malformed file never
 * trains silently on half its lines. Parsing works on text, not files (the core reads no disk).
 */
export function parsePairs(text: string, file: string, options: ParsePairsOptions = {}): TextPair[] {
  const [a, b] = options.columns ?? ['source', 'target'];
  const pairs: TextPair[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') continue;
    const at = `${file}:${i + 1}`;
    const tab = line.indexOf('\t');
    if (tab < 0) throw new FormatError(`${at}: no tab; each line must be '${a}<TAB>${b}' (got '${preview(line)}')`);
    if (line.indexOf('\t', tab + 1) >= 0) throw new FormatError(`${at}: more than one tab; each line must be '${a}<TAB>${b}' (got '${preview(line)}')`);
    const source = line.slice(0, tab).trim();
    const target = line.slice(tab + 1).trim();
    if (source === '') throw new FormatError(`${at}: the ${a} (before the tab) is empty`);
    if (target === '') throw new FormatError(`${at}: the ${b} (after the tab) is empty`);
    pairs.push({ source, target, line: i + 1 });
  }
  if (pairs.length === 0) throw new FormatError(`${file}: no '${a}<TAB>${b}' lines (the file is empty)`);
  return pairs;
}

function preview(line: string): string {
  return line.length > 40 ? `${line.slice(0, 40)}…` : line;
}
