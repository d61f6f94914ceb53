import { FormatError } from '../errors.js';
import { HASH_SEED, WordTable, cursor, parseNumberAt } from './arpa-fast.js';
import { forEachLine } from './lines.js';
import { NgramModel, type ModelInfo, type NgramTable } from './model.js';
import { LEVELS, type Level, type SentenceMode } from './tokenize.js';
import { BOS, BOS_WORD, EOS, EOS_WORD, MAX_ARPA_ORDER, UNK, Vocabulary } from './vocab.js';

type Stage = 'preamble' | 'counts' | 'header' | 'entries' | 'end' | 'done';

/**
 * Reads ARPA text line by line (streamed; gzipped or not). Strict: every deviation is an error
 * naming the file, the line and what was expected. Lines starting with `#` before `\data\` are
 * comments (as in KenLM); a `# nerva-ngram …` comment gives the model's tokenizer settings.
 */
/** Parses ARPA text line by line (parseArpa; readArpa in src/node/lm_files.ts streams a file through it). */
export class ArpaParser {
  private stage: Stage = 'preamble';
  private readonly info: ModelInfo = {};
  private readonly declared: number[] = [];
  private readonly vocab = new Vocabulary();
  private readonly tables: NgramTable[] = [];
  private readonly lines: Uint32Array[] = [];
  private k = 0;
  private row = 0;
  private seen = new Uint8Array(0);
  private lastLine = 0;
  private words: WordTable | null = null;

  constructor(private readonly name: string) {}

  line(text: string, lineNo: number): void {
    this.lastLine = lineNo;
    switch (this.stage) {
      case 'preamble': {
        const t = text.trim();
        if (t === '') return;
        if (t.startsWith('#')) return this.comment(t);
        if (t !== '\\data\\') {
          if (text.charCodeAt(0) === 0x1f) this.fail(lineNo, 'looks like binary data; expected an ARPA text file (\\data\\ first)');
          this.fail(lineNo, `expected '\\data\\', got '${clip(t)}'`);
        }
        this.stage = 'counts';
        return;
      }
      case 'counts': {
        const t = text.trim();
        if (t === '') {
          if (this.declared.length > 0) this.startHeader();
          return;
        }
        const m = /^ngram\s+(\d+)\s*=\s*(\d+)$/.exec(t);
        if (m === null) {
          if (this.declared.length > 0 && t === '\\1-grams:') {
            this.startHeader();
            this.line(text, lineNo);
            return;
          }
          this.fail(lineNo, `expected 'ngram ${this.declared.length + 1}=<count>', got '${clip(t)}'`);
        }
        const order = Number(m[1]);
        const count = Number(m[2]);
        if (order !== this.declared.length + 1) this.fail(lineNo, `expected the count of ${this.declared.length + 1}-grams, got 'ngram ${order}=…'`);
        if (order > MAX_ARPA_ORDER) this.fail(lineNo, `order ${order} is above the supported maximum ${MAX_ARPA_ORDER}`);
        this.declared.push(count);
        return;
      }
      case 'header': {
        const t = text.trim();
        if (t === '') return;
        const expected = `\\${this.k}-grams:`;
        if (t !== expected) this.fail(lineNo, `expected '${expected}' (${this.declared[this.k - 1]} ${this.k}-grams declared), got '${clip(t)}'`);
        this.stage = 'entries';
        if (this.declared[this.k - 1] === 0) this.finishSection(lineNo);
        return;
      }
      case 'entries':
        this.entry(text, lineNo);
        return;
      case 'end': {
        const t = text.trim();
        if (t === '') return;
        if (t !== '\\end\\') this.fail(lineNo, `expected '\\end\\' after the ${this.declared.length}-grams, got '${clip(t)}'`);
        this.stage = 'done';
        return;
      }
      case 'done':
        return;
    }
  }

  finish(): NgramModel {
    const at = `after line ${this.lastLine}`;
    switch (this.stage) {
      case 'preamble':
        throw new FormatError(`${this.name}: no '\\data\\' section: not an ARPA file (or empty)`);
      case 'counts':
      case 'header':
        throw new FormatError(`${this.name}: file ends ${at}: expected '\\${Math.max(1, this.k)}-grams:' (truncated?)`);
      case 'entries':
        throw new FormatError(`${this.name}: file ends ${at} inside '\\${this.k}-grams:': ${this.row} of ${this.declared[this.k - 1]} entries read (truncated?)`);
      case 'end':
        throw new FormatError(`${this.name}: file ends ${at}: expected '\\end\\' (truncated?)`);
      case 'done':
        break;
    }
    const model = new NgramModel(this.vocab, this.tables, this.info, this.vocab.words.length > UNK && this.seen[UNK] === 1);
    model.buildIndex((k, row) => `${this.name}:${this.lines[k - 1]![row]}`);
    this.lines.length = 0;
    return model;
  }

  private comment(t: string): void {
    const m = /^#\s*nerva-ngram\b(.*)$/.exec(t);
    if (m === null) return;
    for (const part of m[1]!.trim().split(/\s+/)) {
      const [key, value] = part.split('=');
      if (value === undefined) continue;
      if (key === 'smoothing') this.info.smoothing = value;
      else if (key === 'level' && (LEVELS as readonly string[]).includes(value)) this.info.level = value as Level;
      else if (key === 'lowercase') this.info.lowercase = value === '1' || value === 'true';
      else if (key === 'sentences' && (value === 'line' || value === 'split')) this.info.sentences = value as SentenceMode;
    }
  }

  private startHeader(): void {
    if (this.declared.length === 0) this.fail(this.lastLine, `no 'ngram 1=<count>' line after '\\data\\'`);
    this.k = 1;
    this.stage = 'header';
    this.allocate();
  }

  private allocate(): void {
    const k = this.k;
    const n = this.declared[k - 1]!;
    // unigrams are stored by word id; ids 0-2 are reserved for <unk> <s> </s> even if absent
    const rows = k === 1 ? n + 3 : n;
    this.tables.push({ keys: new Uint32Array(rows * k), logProb: new Float32Array(rows), logBackoff: new Float32Array(rows) });
    this.lines.push(new Uint32Array(rows));
    if (k === 1) this.seen = new Uint8Array(rows);
    this.row = 0;
  }

  /**
   * The common case, a line `prob<TAB>w1 … wk[<TAB>backoff]` of known words, parsed in place.
   * Returns false for anything else (then `entry` parses it the careful way).
   */
  private fastEntry(text: string, lineNo: number): boolean {
    const k = this.k;
    const table = this.tables[k - 1]!;
    const words = this.words!;
    const prob = parseNumberAt(text, 0);
    if (Number.isNaN(prob) || prob > 0) return false;
    let i = cursor.end;
    if (text.charCodeAt(i) !== 9) return false;
    i++;
    const r = this.row;
    const base = r * k;
    const n = text.length;
    for (let j = 0; j < k; j++) {
      const start = i;
      let h = HASH_SEED;
      let c = text.charCodeAt(i);
      while (i < n && c !== 32 && c !== 9) {
        h = Math.imul(h ^ c, 0x01000193);
        c = text.charCodeAt(++i);
      }
      if (i === start) return false;
      const id = words.find(text, start, i, h);
      if (id < 0) return false;
      table.keys[base + j] = id;
      if (j < k - 1) {
        if (c !== 32) return false;
        i++;
      }
    }
    let backoff = 0;
    if (i < n) {
      if (text.charCodeAt(i) !== 9 || k === this.declared.length) return false;
      backoff = parseNumberAt(text, i + 1);
      if (Number.isNaN(backoff) || cursor.end !== n) return false;
    }
    table.logProb[r] = prob;
    table.logBackoff[r] = backoff;
    this.lines[k - 1]![r] = lineNo;
    this.row++;
    if (this.row === this.declared[k - 1]) this.finishSection(lineNo);
    return true;
  }

  private entry(text: string, lineNo: number): void {
    const k = this.k;
    if (k > 1 && this.fastEntry(text, lineNo)) return;
    const N = this.declared.length;
    const expected = this.declared[k - 1]!;
    let probText: string;
    let words: string[];
    let backoffText: string | undefined;
    const parts = text.split('\t');
    if ((parts.length === 2 || parts.length === 3) && (words = parts[1]!.split(' ')).length === k && !words.includes('')) {
      probText = parts[0]!;
      backoffText = parts[2];
    } else {
      const t = text.trim();
      if (t === '' ) this.fail(lineNo, `expected ${k}-gram entry ${this.row + 1} of ${expected}, got a blank line`);
      if (t.startsWith('\\')) this.fail(lineNo, `expected ${k}-gram entry ${this.row + 1} of ${expected}, got '${clip(t)}' (fewer entries than declared)`);
      const tokens = t.split(/[ \t]+/);
      if (tokens.length < k + 1 || tokens.length > k + 2) {
        this.fail(lineNo, `expected '<log10 prob> <${k} word${k > 1 ? 's' : ''}>${k < N ? ' [<log10 backoff>]' : ''}', got '${clip(t)}'`);
      }
      probText = tokens[0]!;
      words = tokens.slice(1, k + 1);
      backoffText = tokens[k + 1];
    }
    const prob = parseLog(probText);
    if (Number.isNaN(prob)) this.fail(lineNo, `expected a log10 probability, got '${clip(probText)}'`);
    if (prob > 0) this.fail(lineNo, `log10 probability ${probText} is positive`);
    let backoff = 0;
    if (backoffText !== undefined && backoffText !== '') {
      backoff = parseLog(backoffText);
      if (Number.isNaN(backoff)) this.fail(lineNo, `expected a log10 back-off weight, got '${clip(backoffText)}'`);
      if (k === N && backoff !== 0) this.fail(lineNo, `highest-order ${k}-gram has a back-off weight ${backoffText}`);
    }
    const table = this.tables[k - 1]!;
    let r: number;
    if (k === 1) {
      const w = words[0]!;
      const id = this.vocab.add(w);
      if (this.seen[id] === 1) this.fail(lineNo, `duplicate unigram '${clip(w)}'`);
      this.seen[id] = 1;
      r = id;
      table.keys[r] = id;
    } else {
      r = this.row;
      for (let j = 0; j < k; j++) {
        const w = words[j]!;
        const id = this.vocab.get(w);
        if (id < 0 || this.seen[id] !== 1) this.fail(lineNo, `word '${clip(w)}' of this ${k}-gram is not among the unigrams`);
        table.keys[r * k + j] = id;
      }
    }
    table.logProb[r] = prob;
    table.logBackoff[r] = backoff;
    this.lines[k - 1]![r] = lineNo;
    this.row++;
    if (this.row === expected) this.finishSection(lineNo);
  }

  private finishSection(lineNo: number): void {
    const k = this.k;
    if (k === 1) {
      for (const [id, w] of [[BOS, BOS_WORD], [EOS, EOS_WORD]] as const) {
        if (this.seen[id] !== 1) this.fail(lineNo, `the unigrams lack '${w}'`);
      }
      if (this.seen[UNK] !== 1) this.tables[0]!.logProb[UNK] = -Infinity;
      const V = this.vocab.size;
      const t = this.tables[0]!;
      this.tables[0] = { keys: t.keys.slice(0, V), logProb: t.logProb.slice(0, V), logBackoff: t.logBackoff.slice(0, V) };
      this.lines[0] = this.lines[0]!.slice(0, V);
      this.words = new WordTable(this.vocab);
    }
    if (k === this.declared.length) {
      this.stage = 'end';
      return;
    }
    this.k++;
    this.stage = 'header';
    this.allocate();
  }

  private fail(lineNo: number, what: string): never {
    throw new FormatError(`${this.name}:${lineNo}: ${what}`);
  }
}

/** Parses a log10 value: a number, or -inf / -infinity (probability 0). NaN if malformed. */
function parseLog(s: string): number {
  if (s === '') return NaN;
  const x = Number(s);
  if (!Number.isNaN(x)) return x;
  const l = s.toLowerCase();
  if (l === '-inf' || l === '-infinity') return -Infinity;
  return NaN;
}

function clip(s: string): string {
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

/** Parses ARPA text held in memory; `name` labels errors. */
export function parseArpa(text: string, name = 'ARPA text'): NgramModel {
  const parser = new ArpaParser(name);
  forEachLine(text, (line, n) => parser.line(line, n));
  return parser.finish();
}
