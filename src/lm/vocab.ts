import { NervaError } from '../errors.js';

/** Ids of the special words: fixed, as in KenLM, so ids agree with KenLM's ARPA unigram order. */
export const UNK = 0;
export const BOS = 1;
export const EOS = 2;
export const UNK_WORD = '<unk>';
export const BOS_WORD = '<s>';
export const EOS_WORD = '</s>';
/** ARPA files of up to this order are read (training goes up to MAX_ORDER = 10). */
export const MAX_ARPA_ORDER = 16;

/**
 * Word ↔ id. Ids 0, 1, 2 are `<unk>`, `<s>`, `</s>`; other words get ids in order of first
 * appearance (KenLM's numbering, so a trained model lists its unigrams in KenLM's order).
 */
export class Vocabulary {
  readonly words: string[] = [];
  private readonly ids = new Map<string, number>();

  constructor(words: Iterable<string> = [UNK_WORD, BOS_WORD, EOS_WORD]) {
    for (const w of words) this.add(w);
  }

  get size(): number {
    return this.words.length;
  }

  /** The id of `word`, adding it if new. */
  add(word: string): number {
    const id = this.ids.get(word);
    if (id !== undefined) return id;
    const next = this.words.length;
    this.ids.set(word, next);
    this.words.push(word);
    return next;
  }

  /** The id of `word`, or -1. */
  get(word: string): number {
    const id = this.ids.get(word);
    return id === undefined ? -1 : id;
  }

  has(word: string): boolean {
    return this.ids.has(word);
  }

  word(id: number): string {
    const w = this.words[id];
    if (w === undefined) throw new NervaError(`word id ${id} is out of range for a vocabulary of ${this.words.length} words`);
    return w;
  }
}

export interface VocabLimits {
  /** words seen fewer times become `<unk>` (default 1: keep all) */
  minCount?: number;
  /** keep at most this many words besides the specials, the most frequent (ties: first seen) */
  maxSize?: number;
}

/**
 * From word counts (in order of first appearance) to the set of words to keep. Returns null when
 * every word is kept, so callers can skip the mapping.
 */
export function selectWords(counts: Map<string, number>, limits: VocabLimits): Set<string> | null {
  const minCount = limits.minCount ?? 1;
  const maxSize = limits.maxSize ?? Infinity;
  if (!(Number.isInteger(minCount) && minCount >= 1)) throw new NervaError(`minimum count must be an integer >= 1, got ${minCount}`);
  if (!(maxSize === Infinity || (Number.isInteger(maxSize) && maxSize >= 1))) throw new NervaError(`maximum vocabulary size must be an integer >= 1, got ${maxSize}`);
  if (minCount <= 1 && counts.size <= maxSize) return null;
  let entries = [...counts.entries()].filter(([, c]) => c >= minCount);
  if (entries.length > maxSize) {
    const order = entries.map((e, i) => ({ e, i }));
    order.sort((a, b) => b.e[1] - a.e[1] || a.i - b.i);
    entries = order.slice(0, maxSize).map((x) => x.e);
  }
  return new Set(entries.map(([w]) => w));
}
