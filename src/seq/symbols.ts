import { FormatError, NervaError } from '../errors.js';

/**
 * Symbols and their ids for sequence models (seq2seq, tagging, classification).
 *
 * A side of a pair is split into symbols either as characters (`char`: code points; spaces kept
 * as the symbol `▁`) or as space-separated symbols (`space`: "HH AH0 L OW1" → HH, AH0, L, OW1).
 */
export type SymbolLevel = 'char' | 'space';
export const SYMBOL_LEVELS: readonly SymbolLevel[] = ['char', 'space'];
export const SPACE_SYMBOL = '▁';

export function splitSymbols(text: string, level: SymbolLevel): string[] {
  if (level === 'space') return text.split(/\s+/).filter((s) => s !== '');
  return Array.from(text.trim(), (c) => (/\s/.test(c) ? SPACE_SYMBOL : c));
}

export function joinSymbols(symbols: readonly string[], level: SymbolLevel): string {
  return level === 'space' ? symbols.join(' ') : symbols.map((s) => (s === SPACE_SYMBOL ? ' ' : s)).join('');
}

export const PAD = 0;
export const UNK = 1;
export const BOS = 2;
export const EOS = 3;
export const SPECIALS = ['<pad>', '<unk>', '<s>', '</s>'] as const;

/** What `SymbolVocab.toJSON` writes; saved beside a model so ids mean the same at load time. */
export interface SymbolVocabJSON {
  level: SymbolLevel;
  symbols: string[];
}

/**
 * Symbol ↔ id with fixed special ids: 0 `<pad>`, 1 `<unk>`, 2 `<s>`, 3 `</s>`; other symbols in
 * order of first appearance. Encoding maps an unseen symbol to `<unk>` and counts it, so callers
 * can warn once with the total instead of failing or dropping it silently.
 */
export class SymbolVocab {
  readonly symbols: string[] = [...SPECIALS];
  private readonly ids = new Map<string, number>(SPECIALS.map((s, i) => [s, i]));

  constructor(readonly level: SymbolLevel) {}

  /** From training sequences: every symbol seen at least `minCount` times (default 1) gets an id. */
  static build(level: SymbolLevel, sequences: Iterable<readonly string[]>, minCount = 1): SymbolVocab {
    const counts = new Map<string, number>();
    for (const seq of sequences) {
      for (const s of seq) {
        if ((SPECIALS as readonly string[]).includes(s)) throw new NervaError(`the data contains the reserved symbol '${s}'`);
        counts.set(s, (counts.get(s) ?? 0) + 1);
      }
    }
    const vocab = new SymbolVocab(level);
    for (const [s, c] of counts) if (c >= minCount) vocab.add(s);
    return vocab;
  }

  static fromJSON(json: unknown, file: string): SymbolVocab {
    const j = json as Partial<SymbolVocabJSON> | null;
    if (j === null || typeof j !== 'object' || !SYMBOL_LEVELS.includes(j.level as SymbolLevel) || !Array.isArray(j.symbols)) {
      throw new FormatError(`${file}: not a symbol vocabulary (expected { level: 'char'|'space', symbols: [...] })`);
    }
    if (SPECIALS.some((s, i) => j.symbols![i] !== s)) throw new FormatError(`${file}: the vocabulary must start with ${SPECIALS.join(', ')}`);
    const vocab = new SymbolVocab(j.level as SymbolLevel);
    for (const s of j.symbols.slice(SPECIALS.length)) vocab.add(String(s));
    if (vocab.size !== j.symbols.length) throw new FormatError(`${file}: the vocabulary lists a symbol twice`);
    return vocab;
  }

  get size(): number {
    return this.symbols.length;
  }

  add(symbol: string): number {
    const id = this.ids.get(symbol);
    if (id !== undefined) return id;
    this.ids.set(symbol, this.symbols.length);
    this.symbols.push(symbol);
    return this.symbols.length - 1;
  }

  /** The id of `symbol`, or -1. */
  get(symbol: string): number {
    return this.ids.get(symbol) ?? -1;
  }

  symbol(id: number): string {
    const s = this.symbols[id];
    if (s === undefined) throw new NervaError(`symbol id ${id} is out of range for a vocabulary of ${this.size}`);
    return s;
  }

  /** Symbols → ids; unseen symbols become UNK and are counted in `unknown`. */
  encode(symbols: readonly string[]): { ids: Int32Array; unknown: number } {
    const ids = new Int32Array(symbols.length);
    let unknown = 0;
    symbols.forEach((s, i) => {
      const id = this.ids.get(s);
      if (id === undefined || id < SPECIALS.length) unknown++;
      ids[i] = id === undefined || id < SPECIALS.length ? UNK : id;
    });
    return { ids, unknown };
  }

  /** Ids → symbols, stopping at EOS and skipping PAD and BOS. */
  decode(ids: ArrayLike<number>): string[] {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id === EOS) break;
      if (id === PAD || id === BOS) continue;
      out.push(this.symbol(id));
    }
    return out;
  }

  toJSON(): SymbolVocabJSON {
    return { level: this.level, symbols: [...this.symbols] };
  }
}
