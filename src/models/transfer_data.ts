import { Generator } from '../tensor/random.js';
import { checkIndex, type Dataset, type Sample } from '../data/dataset.js';
import { NervaError } from '../errors.js';

// Choosing the data of a transfer experiment: some classes of a dataset, renumbered 0…k−1
// (digits 5–9 as classes 0–4), and a few labelled examples per class.

/** The label of every sample (read from `labels` when the dataset keeps them, else via get). */
export function datasetLabels(ds: Dataset): Int32Array {
  const own = (ds as { labels?: unknown }).labels;
  if (own instanceof Int32Array && own.length === ds.length) return own;
  const out = new Int32Array(ds.length);
  for (let i = 0; i < ds.length; i++) out[i] = ds.get(i).y;
  return out;
}

/** Samples of a dataset at some indices, with labels mapped through `labelMap` (old → new). */
export class RelabeledSubset implements Dataset {
  readonly indices: Int32Array;
  readonly labels: Int32Array;

  constructor(readonly dataset: Dataset, indices: ArrayLike<number>, readonly labelMap: ReadonlyMap<number, number>, readonly classes?: readonly string[]) {
    this.indices = Int32Array.from(indices);
    const all = datasetLabels(dataset);
    this.labels = new Int32Array(this.indices.length);
    this.indices.forEach((i, k) => {
      checkIndex('RelabeledSubset', i, dataset.length);
      const y = labelMap.get(all[i]!);
      if (y === undefined) throw new NervaError(`RelabeledSubset: sample ${i} has label ${all[i]}, which the label map does not cover`);
      this.labels[k] = y;
    });
  }

  get length(): number {
    return this.indices.length;
  }

  get(i: number): Sample {
    checkIndex('RelabeledSubset', i, this.length);
    return { x: this.dataset.get(this.indices[i]!).x, y: this.labels[i]! };
  }
}

/**
 * The samples whose label is one of `classes`, relabelled by position in that list:
 * selectClasses(mnist, [5, 6, 7, 8, 9]) gives digits 5–9 as classes 0–4.
 */
export function selectClasses(ds: Dataset, classes: readonly number[]): RelabeledSubset {
  if (classes.length === 0) throw new NervaError('selectClasses: no classes given');
  const map = new Map<number, number>();
  classes.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 0) throw new NervaError(`selectClasses: class ${c} is not a label index`);
    if (map.has(c)) throw new NervaError(`selectClasses: class ${c} is listed twice`);
    map.set(c, i);
  });
  const labels = datasetLabels(ds);
  const idx: number[] = [];
  labels.forEach((y, i) => { if (map.has(y)) idx.push(i); });
  for (const c of classes) if (!labels.includes(c)) throw new NervaError(`selectClasses: the dataset has no sample of class ${c}`);
  const names = ds.classes ? classes.map((c) => ds.classes![c] ?? String(c)) : classes.map(String);
  return new RelabeledSubset(ds, idx, map, names);
}

/**
 * `perClass` samples of every class, drawn without replacement by a generator seeded with `seed`
 * (the few-label regime: 10 or 100 labelled images per class). Labels keep their values.
 */
export function labelsPerClass(ds: Dataset, perClass: number, seed: number): RelabeledSubset {
  if (!Number.isInteger(perClass) || perClass < 1) throw new NervaError(`labelsPerClass: need a positive number per class, got ${perClass}`);
  const labels = datasetLabels(ds);
  const byClass = new Map<number, number[]>();
  labels.forEach((y, i) => { (byClass.get(y) ?? byClass.set(y, []).get(y)!).push(i); });
  const g = new Generator(seed);
  const picked: number[] = [];
  for (const y of [...byClass.keys()].sort((a, b) => a - b)) {
    const list = byClass.get(y)!;
    if (list.length < perClass) throw new NervaError(`labelsPerClass: class ${y} has only ${list.length} samples, ${perClass} asked`);
    g.shuffle(list);
    picked.push(...list.slice(0, perClass));
  }
  picked.sort((a, b) => a - b);
  const identity = new Map([...byClass.keys()].map((y) => [y, y]));
  return new RelabeledSubset(ds, picked, identity, ds.classes);
}
