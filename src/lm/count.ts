import { NervaError } from '../errors.js';
import { NgramCountTable } from './hash.js';
import { permuteRows, permuteValues, radixPermutation, suffixOrderPositions } from './sort.js';
import { Tokenizer, type TokenizerOptions } from './tokenize.js';
import { BOS, EOS, UNK, Vocabulary, selectWords, type VocabLimits } from './vocab.js';

export const MAX_ORDER = 10;

/**
 * The distinct highest-order n-grams of a corpus with their counts, as KenLM's lmplz counts them:
 * each sentence is `<s> w1 … wm </s>` and its window starts filled with order-1 `<s>`, so the
 * first words appear as `<s> <s> w1` (for order 3). Rows are sorted in suffix order.
 */
export interface NgramCounts {
  order: number;
  vocab: Vocabulary;
  /** `order` word ids per row */
  keys: Uint32Array;
  counts: Uint32Array;
  /** words counted, without `<s>` and `</s>` */
  tokens: number;
  sentences: number;
}

export function checkOrder(order: number): void {
  if (!Number.isInteger(order) || order < 1 || order > MAX_ORDER) {
    throw new NervaError(`n-gram order must be an integer from 1 to ${MAX_ORDER}, got ${order}`);
  }
}

/** Streams sentences into a count table; `finish` sorts and packs them. */
export class NgramCounter {
  readonly vocab: Vocabulary;
  private readonly table: NgramCountTable;
  private readonly gram: Uint32Array;
  private tokens = 0;
  private sentences = 0;

  /**
   * @param keep words to keep (others become `<unk>`), or null to keep all
   * @param expected roughly how many distinct n-grams to expect (sizes the table; it grows anyway)
   */
  constructor(readonly order: number, private readonly keep: Set<string> | null = null, expected = 1 << 17) {
    checkOrder(order);
    this.vocab = new Vocabulary();
    this.table = new NgramCountTable(order, Math.min(1 << 24, Math.max(1 << 16, expected * 1.5)));
    this.gram = new Uint32Array(order);
  }

  /** Counts one sentence; `where` (file:line) names the place in errors. */
  addSentence(tokens: readonly string[], where = 'input'): void {
    this.gram.fill(BOS);
    const vocab = this.vocab;
    for (let t = 0; t < tokens.length; t++) {
      const word = tokens[t]!;
      let id: number;
      if (this.keep !== null && !this.keep.has(word)) id = UNK;
      else {
        id = vocab.add(word);
        if (id <= EOS && id !== UNK) throw new NervaError(`${where}: '${word}' is a reserved word (sentence boundaries are added automatically)`);
      }
      this.push(id);
    }
    this.push(EOS);
    this.tokens += tokens.length;
    this.sentences++;
  }

  finish(): NgramCounts {
    if (this.tokens === 0) throw new NervaError('the corpus has no words (it is empty or only blank lines)');
    const n = this.order;
    const { keys, counts } = this.table.entries();
    const perm = radixPermutation(keys, counts.length, n, suffixOrderPositions(n), this.vocab.size);
    return {
      order: n,
      vocab: this.vocab,
      keys: permuteRows(keys, perm, n),
      counts: permuteValues(counts, perm),
      tokens: this.tokens,
      sentences: this.sentences,
    };
  }

  private push(id: number): void {
    const gram = this.gram;
    const last = this.order - 1;
    gram[last] = id;
    this.table.add(gram);
    gram.copyWithin(0, 1);
  }
}

export interface CountOptions extends TokenizerOptions, VocabLimits {
  order: number;
  /** progress bar on stderr while reading files (default false) */
  progress?: boolean;
  label?: string;
}

/** Counts the n-grams of an in-memory text. */
export function countText(text: string, options: CountOptions): NgramCounts {
  checkOrder(options.order);
  return countSentences(new Tokenizer(options).sentencesOf(text), options);
}

/** Counts already tokenized sentences. */
export function countSentences(sentences: Iterable<readonly string[]>, options: CountOptions): NgramCounts {
  checkOrder(options.order);
  const list = [...sentences];
  let keep: Set<string> | null = null;
  if ((options.minCount ?? 1) > 1 || options.maxSize !== undefined) {
    const wordCounts = new Map<string, number>();
    for (const s of list) for (const w of s) wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);
    keep = selectWords(wordCounts, options);
  }
  const counter = new NgramCounter(options.order, keep);
  list.forEach((s, i) => counter.addSentence(s, `sentence ${i + 1}`));
  return counter.finish();
}
