import { FormatError } from '../errors.js';

/** One sequence of a CoNLL-style file: its tokens, their labels, and the line it starts on. */
export interface TaggedSequence {
  tokens: string[];
  labels: string[];
  /** 1-based line of the first token (for messages) */
  line: number;
}

export interface ParseConllOptions {
  /** files to predict from carry no labels: `token` alone a line (default false: `token<TAB>label`) */
  unlabeled?: boolean;
}

/**
 * Parses the CoNLL habit: `token<TAB>label` a line, a blank line between sequences (a trailing `\r`
 * and leading/trailing blank lines ignored; several blank lines count as one). A line without a
 * tab, with a stray third column, or with an empty token or label is refused with a FormatError
 * naming `file:line`; so is a file with no sequence. (A missing blank line cannot be detected: it
 * joins two sequences into one.) Works on text, not files: the core reads no disk.
 */
export function parseConll(text: string, file: string, options: ParseConllOptions = {}): TaggedSequence[] {
  const unlabeled = options.unlabeled ?? false;
  const out: TaggedSequence[] = [];
  let cur: TaggedSequence | null = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') {
      cur = null;
      continue;
    }
    const at = `${file}:${i + 1}`;
    const cols = line.split('\t');
    let token: string;
    let label = '';
    if (unlabeled) {
      if (cols.length !== 1) throw new FormatError(`${at}: ${cols.length} tab-separated columns; a file to tag has one token a line (got '${preview(line)}')`);
      token = cols[0]!.trim();
    } else {
      if (cols.length === 1) throw new FormatError(`${at}: no tab; each line must be 'token<TAB>label', with a blank line between sequences (got '${preview(line)}')`);
      if (cols.length > 2) throw new FormatError(`${at}: ${cols.length} tab-separated columns, expected 2 ('token<TAB>label'); a stray column? (got '${preview(line)}')`);
      token = cols[0]!.trim();
      label = cols[1]!.trim();
      if (label === '') throw new FormatError(`${at}: the label (after the tab) is empty`);
    }
    if (token === '') throw new FormatError(`${at}: the token (before the tab) is empty`);
    if (/\s/.test(token)) throw new FormatError(`${at}: the token '${preview(token)}' contains a space; one token a line`);
    if (cur === null) {
      cur = { tokens: [], labels: [], line: i + 1 };
      out.push(cur);
    }
    cur.tokens.push(token);
    if (!unlabeled) cur.labels.push(label);
  }
  if (out.length === 0) throw new FormatError(`${file}: no sequences (the file is empty or only blank lines)`);
  return out;
}

/** Writes sequences back in the same form (labels omitted when `labels` is empty). */
export function formatConll(seqs: readonly { tokens: readonly string[]; labels?: readonly string[] }[]): string {
  return seqs.map((s) => s.tokens.map((t, i) => (s.labels && s.labels.length > 0 ? `${t}\t${s.labels[i]}` : t)).join('\n') + '\n').join('\n');
}

function preview(line: string): string {
  return line.length > 40 ? `${line.slice(0, 40)}…` : line;
}
