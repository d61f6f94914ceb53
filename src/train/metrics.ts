import { Tensor } from '../tensor/tensor.js';
import { NervaError, ShapeError, formatShape } from '../errors.js';

/** Row-wise argmax of logits (N, C) → class indices (N). */
export function predictions(logits: Tensor): Int32Array {
  if (logits.ndim !== 2) throw new ShapeError(`predictions: expected logits (N, C), got ${formatShape(logits.shape)}`);
  const [n, c] = logits.shape as [number, number];
  const d = logits.toTypedArray();
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestV = -Infinity;
    for (let j = 0; j < c; j++) {
      const v = d[i * c + j]!;
      if (v > bestV) { bestV = v; best = j; }
    }
    out[i] = best;
  }
  return out;
}

function labelsOf(t: Tensor | ArrayLike<number>): ArrayLike<number> {
  return t instanceof Tensor ? t.toTypedArray() : t;
}

/** Number of rows whose argmax equals the label. */
export function correctCount(logits: Tensor, labels: Tensor | ArrayLike<number>): number {
  const pred = predictions(logits);
  const y = labelsOf(labels);
  if (y.length !== pred.length) throw new ShapeError(`accuracy: ${pred.length} predictions but ${y.length} labels`);
  let correct = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === y[i]) correct++;
  return correct;
}

/** Fraction of rows whose argmax equals the label, in [0, 1]. */
export function accuracy(logits: Tensor, labels: Tensor | ArrayLike<number>): number {
  const n = logits.shape[0] ?? 0;
  return n === 0 ? 0 : correctCount(logits, labels) / n;
}

/** The k largest entries of a vector, best first: [{ index, value }]. */
export function topK(values: ArrayLike<number>, k: number): { index: number; value: number }[] {
  return Array.from(values, (value, index) => ({ index, value }))
    .sort((a, b) => b.value - a.value || a.index - b.index)
    .slice(0, k);
}

/**
 * Counts (true class, predicted class) pairs: `matrix[t * numClasses + p]`.
 * Rows are true classes, columns predictions, as in scikit-learn.
 */
export class ConfusionMatrix {
  readonly matrix: Int32Array;

  constructor(readonly numClasses: number) {
    if (!Number.isInteger(numClasses) || numClasses < 1) throw new NervaError(`ConfusionMatrix: numClasses must be a positive integer, got ${numClasses}`);
    this.matrix = new Int32Array(numClasses * numClasses);
  }

  /** Adds a batch: logits (N, C) or predicted indices, and true labels. */
  update(predicted: Tensor | ArrayLike<number>, labels: Tensor | ArrayLike<number>): void {
    const pred = predicted instanceof Tensor && predicted.ndim === 2 ? predictions(predicted) : labelsOf(predicted);
    const y = labelsOf(labels);
    if (pred.length !== y.length) throw new ShapeError(`ConfusionMatrix: ${pred.length} predictions but ${y.length} labels`);
    const c = this.numClasses;
    for (let i = 0; i < y.length; i++) {
      const t = y[i]!, p = pred[i]!;
      if (t < 0 || t >= c || p < 0 || p >= c) throw new NervaError(`ConfusionMatrix: class ${t < 0 || t >= c ? t : p} is out of range for ${c} classes`);
      this.matrix[t * c + p]!++;
    }
  }

  get total(): number {
    return this.matrix.reduce((a, b) => a + b, 0);
  }

  accuracy(): number {
    let diag = 0;
    for (let i = 0; i < this.numClasses; i++) diag += this.matrix[i * this.numClasses + i]!;
    const total = this.total;
    return total === 0 ? 0 : diag / total;
  }

  /** Recall per true class (diagonal / row sum); NaN for a class that never occurs. */
  perClassAccuracy(): number[] {
    const c = this.numClasses;
    return Array.from({ length: c }, (_, i) => {
      let row = 0;
      for (let j = 0; j < c; j++) row += this.matrix[i * c + j]!;
      return row === 0 ? NaN : this.matrix[i * c + i]! / row;
    });
  }

  toArray(): number[][] {
    const c = this.numClasses;
    return Array.from({ length: c }, (_, i) => Array.from(this.matrix.subarray(i * c, (i + 1) * c)));
  }

  /** A text table for the terminal, with class names as row and column heads. */
  format(classes?: readonly string[]): string {
    const c = this.numClasses;
    const names = Array.from({ length: c }, (_, i) => (classes?.[i] ?? String(i)).slice(0, 8));
    const width = Math.max(5, ...names.map((n) => n.length), ...Array.from(this.matrix, (v) => String(v).length)) + 1;
    const head = ' '.repeat(width + 2) + names.map((n) => n.padStart(width)).join('');
    const rows = names.map((n, i) => n.padStart(width) + ' |' + Array.from(this.matrix.subarray(i * c, (i + 1) * c), (v) => String(v).padStart(width)).join(''));
    return ['true \\ predicted', head, ...rows].join('\n');
  }
}
