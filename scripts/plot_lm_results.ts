// Draws the neural-vs-n-gram comparison of docs/results-lm.md as one PNG: the LSTM's test score after
// each epoch against the wall-clock minutes it had trained, with the n-gram baseline as a flat line.
// Reads the JSON files the two examples write (--out of examples/char_lstm_moby.ts and
// examples/word_lstm_sotu.ts).
//
//   npm run build && node dist/scripts/plot_lm_results.js char_lstm_moby.json word_lstm_sotu.json docs/gallery/lm-vs-ngram.png
import { readFileSync } from 'node:fs';
import { Canvas, lineChart } from '../src/node/plot.js';
import { NervaError } from '../src/errors.js';

interface CharResult { ngram: { order: number; bitsPerChar: number }; lstm: { hidden: number; layers: number; history: { testBpc: number; seconds: number }[] } }
interface WordResult { ngram: { order: number; perplexity: number }; lstm: { hidden: number; layers: number; history: { testPpl: number; seconds: number }[] } }

const [charPath, wordPath, outPath] = process.argv.slice(2);
if (!charPath || !wordPath || !outPath) throw new NervaError('usage: plot_lm_results CHAR.json WORD.json OUT.png');
const read = <T>(p: string): T => JSON.parse(readFileSync(p, 'utf8')) as T;
const char = read<CharResult>(charPath), word = read<WordResult>(wordPath);

/** The values' range plus a top margin where the legend sits clear of the lines. */
const headroom = (vs: number[]): [number, number] => {
  const lo = Math.min(...vs), hi = Math.max(...vs), span = hi - lo || 1;
  return [lo - 0.05 * span, hi + 0.3 * span];
};

const cv = new Canvas(960, 380);
const charPts = char.lstm.history.map((h): [number, number] => [h.seconds / 60, h.testBpc]);
const charEnd = charPts.at(-1)?.[0] ?? 1;
lineChart(cv, { x: 0, y: 0, w: 480, h: 380 }, 'Moby Dick: test bits per character', 'minutes of training', [
  { label: `LSTM ${char.lstm.layers}x${char.lstm.hidden}`, points: charPts },
  { label: `order-${char.ngram.order} Kneser-Ney`, points: [[0, char.ngram.bitsPerChar], [charEnd, char.ngram.bitsPerChar]] },
], { yRange: headroom([...charPts.map(([, v]) => v), char.ngram.bitsPerChar]) });
const wordPts = word.lstm.history.map((h): [number, number] => [h.seconds / 60, h.testPpl]);
const wordEnd = wordPts.at(-1)?.[0] ?? 1;
lineChart(cv, { x: 480, y: 0, w: 480, h: 380 }, 'State of the Union: test perplexity', 'minutes of training', [
  { label: `LSTM ${word.lstm.layers}x${word.lstm.hidden}`, points: wordPts },
  { label: `order-${word.ngram.order} modified KN`, points: [[0, word.ngram.perplexity], [wordEnd, word.ngram.perplexity]] },
], { yRange: headroom([...wordPts.map(([, v]) => v), word.ngram.perplexity]) });
cv.save(outPath);
console.log(`wrote ${outPath}`);
