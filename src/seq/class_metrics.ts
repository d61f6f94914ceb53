import { NervaError } from '../errors.js';

/** Per-class precision, recall and F1 of a set of predictions. */
export interface ClassScore {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** how many gold items have this label */
  support: number;
}

export interface ClassReport {
  count: number;
  accuracy: number;
  /** unweighted mean of the per-class F1 over classes that occur (gold or predicted) */
  macroF1: number;
  perClass: ClassScore[];
  /** confusion[gold][predicted] */
  confusion: number[][];
  labels: readonly string[];
}

/**
 * Accuracy, per-class precision/recall/F1 and the confusion matrix of predicted against gold ids
 * (0…K−1, named by `labels`). A class with nothing predicted has precision 0, with no gold items
 * recall 0 (its F1 is then 0, and it is left out of the macro mean if it also has no predictions).
 */
export function classReport(gold: ArrayLike<number>, predicted: ArrayLike<number>, labels: readonly string[]): ClassReport {
  if (gold.length !== predicted.length) throw new NervaError(`classReport: ${gold.length} gold labels for ${predicted.length} predictions`);
  const K = labels.length;
  const confusion = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  let right = 0;
  for (let i = 0; i < gold.length; i++) {
    const g = gold[i]!;
    const p = predicted[i]!;
    if (!(g >= 0 && g < K && p >= 0 && p < K)) throw new NervaError(`classReport: label id out of range at item ${i} (gold ${g}, predicted ${p}, ${K} labels)`);
    confusion[g]![p]!++;
    if (g === p) right++;
  }
  const perClass: ClassScore[] = [];
  let f1Sum = 0;
  let present = 0;
  for (let k = 0; k < K; k++) {
    const tp = confusion[k]![k]!;
    const support = confusion[k]!.reduce((a, b) => a + b, 0);
    let predictedK = 0;
    for (let g = 0; g < K; g++) predictedK += confusion[g]![k]!;
    const precision = predictedK === 0 ? 0 : tp / predictedK;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    perClass.push({ label: labels[k]!, precision, recall, f1, support });
    if (support > 0 || predictedK > 0) {
      f1Sum += f1;
      present++;
    }
  }
  return { count: gold.length, accuracy: gold.length === 0 ? 0 : right / gold.length, macroF1: present === 0 ? 0 : f1Sum / present, perClass, confusion, labels };
}

/**
 * Micro-averaged precision/recall/F1 over every class except `outside` (the "nothing to mark"
 * label of a tagging task, as in NER scoring): a true positive is a non-outside gold label
 * predicted exactly.
 */
export function microF1(gold: ArrayLike<number>, predicted: ArrayLike<number>, outside: number): { precision: number; recall: number; f1: number } {
  let tp = 0, goldN = 0, predN = 0;
  for (let i = 0; i < gold.length; i++) {
    const g = gold[i]!;
    const p = predicted[i]!;
    if (g !== outside) goldN++;
    if (p !== outside) predN++;
    if (g !== outside && g === p) tp++;
  }
  const precision = predN === 0 ? 0 : tp / predN;
  const recall = goldN === 0 ? 0 : tp / goldN;
  return { precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) };
}

const pct = (v: number): string => (100 * v).toFixed(1).padStart(6);

/** The report as text: a per-class table, then the confusion matrix (rows gold, columns predicted). */
export function formatClassReport(r: ClassReport, options: { confusion?: boolean; maxClasses?: number } = {}): string {
  const width = Math.max(5, ...r.labels.map((l) => l.length));
  const rows = [`${'label'.padEnd(width)}  precision  recall      F1  support`];
  const shown = [...r.perClass].sort((a, b) => b.support - a.support).slice(0, options.maxClasses ?? Infinity);
  for (const c of shown) rows.push(`${c.label.padEnd(width)}     ${pct(c.precision)}  ${pct(c.recall)}  ${pct(c.f1)}  ${String(c.support).padStart(7)}`);
  if (shown.length < r.perClass.length) rows.push(`(${r.perClass.length - shown.length} rarer labels not shown)`);
  rows.push(`accuracy ${(100 * r.accuracy).toFixed(2)}% of ${r.count}; macro F1 ${(100 * r.macroF1).toFixed(2)}`);
  if ((options.confusion ?? true) && r.labels.length <= 20) {
    const cell = Math.max(6, width, ...r.confusion.flat().map((v) => String(v).length + 1));
    rows.push('', `confusion (rows: gold, columns: predicted)`, ' '.repeat(width) + r.labels.map((l) => l.padStart(cell)).join(''));
    r.confusion.forEach((row, g) => rows.push(r.labels[g]!.padEnd(width) + row.map((v) => String(v).padStart(cell)).join('')));
  }
  return rows.join('\n');
}
