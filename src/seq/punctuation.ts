/**
 * Punctuation and capitalization restoration as tagging: text becomes lowercased words with no
 * marks, each word tagged with its case and the mark that follows it; restoring is the inverse.
 *
 * Tag = case + mark: case `l` (lower), `C` (Capitalized), `U` (UPPER, two letters or more); mark
 * `` (none), `,` (also ; and :), `.` (also !) or `?`. So `l` is a plain word, `C,` a capitalized
 * word followed by a comma. Other characters (quotes, dashes, brackets) are dropped.
 */
export const PUNCT_CASES = ['l', 'C', 'U'] as const;
export const PUNCT_MARKS = ['', ',', '.', '?'] as const;
const MARK_OF: Record<string, string> = { ',': ',', ';': ',', ':': ',', '.': '.', '!': '.', '?': '?' };
const TOKEN = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*|[.,;:!?]/gu;

export function caseOf(word: string): string {
  const letters = word.replace(/[^\p{L}]/gu, '');
  if (letters.length >= 2 && letters === letters.toUpperCase() && letters !== letters.toLowerCase()) return 'U';
  const first = letters[0];
  return first !== undefined && first !== first.toLowerCase() ? 'C' : 'l';
}

/** Words of `text` (lowercased, marks removed) and their tags. */
export function punctuationTags(text: string): { tokens: string[]; labels: string[] } {
  const tokens: string[] = [];
  const cases: string[] = [];
  const marks: string[] = [];
  for (const t of text.match(TOKEN) ?? []) {
    const mark = MARK_OF[t];
    if (mark === undefined) {
      tokens.push(t.toLowerCase().replace(/’/g, "'"));
      cases.push(caseOf(t));
      marks.push('');
    } else if (marks.length > 0 && marks[marks.length - 1] === '') marks[marks.length - 1] = mark; // the first mark after a word counts
  }
  return { tokens, labels: tokens.map((_, i) => cases[i]! + marks[i]!) };
}

/** Applies the tags back: `restore(['call', 'me'], ['C', 'l.'])` → 'Call me.'. */
export function restorePunctuation(tokens: readonly string[], labels: readonly string[]): string {
  return tokens.map((w, i) => {
    const tag = labels[i] ?? 'l';
    const c = tag[0];
    const word = c === 'U' ? w.toUpperCase() : c === 'C' ? w.charAt(0).toUpperCase() + w.slice(1) : w;
    return word + tag.slice(1);
  }).join(' ');
}

/** The mark part of a tag ('' for none) and the case part. */
export const markOf = (tag: string): string => tag.slice(1);
export const caseOfTag = (tag: string): string => tag.charAt(0);
