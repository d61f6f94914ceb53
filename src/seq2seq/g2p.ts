import type { TextPair } from '../seq/tsv.js';
import { hashFraction } from '../seq/split.js';
import { FormatError } from '../errors.js';

/**
 * Grapheme-to-phoneme data from the CMU Pronouncing Dictionary (`WORD  PH1 PH2 …` a line, variant
 * pronunciations as `WORD(1)`, comments after `;;;`). The benchmark set: words of letters only
 * (A–Z and nothing else), their first pronunciation, lowercased letters as the source and the
 * ARPAbet phonemes as the target; a word is held out when a hash of it falls in the test share,
 * so the split never depends on file order and the same word is always on the same side.
 */
export interface G2PEntry {
  word: string;
  phonemes: string[];
}

export function parseCmudict(text: string, file = 'cmudict'): G2PEntry[] {
  const entries: G2PEntry[] = [];
  const seen = new Set<string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith(';;;')) continue;
    const m = /^(\S+)\s+(.*)$/.exec(line);
    if (m === null) throw new FormatError(`${file}:${i + 1}: expected 'WORD  PHONEMES', got '${line.slice(0, 40)}'`);
    const word = m[1]!;
    if (/\(\d+\)$/.test(word)) continue; // a variant: the first pronunciation is kept
    if (!/^[A-Za-z]+$/.test(word)) continue;
    const phonemes = m[2]!.replace(/#.*$/, '').trim().split(/\s+/).filter((p) => p !== '');
    const key = word.toLowerCase();
    if (phonemes.length === 0 || seen.has(key)) continue;
    seen.add(key);
    entries.push({ word: key, phonemes });
  }
  if (entries.length === 0) throw new FormatError(`${file}: no 'WORD  PHONEMES' entries of letters-only words`);
  return entries;
}

/** AH0 → AH: the vowels' stress digits removed. */
export function stripStress(phonemes: readonly string[]): string[] {
  return phonemes.map((p) => p.replace(/[012]$/, ''));
}

export interface G2PSplit {
  train: TextPair[];
  test: TextPair[];
}

/** Train/test pairs (source: letters, target: space-separated phonemes), `testShare` held out by hash. */
export function splitG2P(entries: readonly G2PEntry[], options: { testShare?: number; stress?: boolean } = {}): G2PSplit {
  const share = options.testShare ?? 0.1;
  const out: G2PSplit = { train: [], test: [] };
  entries.forEach((e, i) => {
    const phonemes = options.stress ? e.phonemes : stripStress(e.phonemes);
    const pair: TextPair = { source: e.word, target: phonemes.join(' '), line: i + 1 };
    (hashFraction(e.word) < share ? out.test : out.train).push(pair);
  });
  return out;
}
