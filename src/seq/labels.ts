import { FormatError, NervaError } from '../errors.js';

/**
 * Label ↔ id for classifiers and taggers: ids 0…K−1 in sorted order (so a model's output row k
 * means the same label whatever order the training file listed them in). A label unseen at
 * training is an error naming where it came from, never a silent wrong class.
 */
export class LabelSet {
  private readonly ids: Map<string, number>;

  constructor(readonly labels: readonly string[]) {
    if (labels.length === 0) throw new NervaError('a label set needs at least one label');
    this.ids = new Map(labels.map((l, i) => [l, i]));
    if (this.ids.size !== labels.length) throw new NervaError('a label set lists a label twice');
  }

  /** The sorted distinct labels of `labels`. */
  static build(labels: Iterable<string>): LabelSet {
    return new LabelSet([...new Set(labels)].sort());
  }

  static fromJSON(json: unknown, file: string): LabelSet {
    if (!Array.isArray(json) || json.length === 0 || !json.every((l) => typeof l === 'string')) throw new FormatError(`${file}: 'labels' must be a non-empty list of strings`);
    try {
      return new LabelSet(json as string[]);
    } catch (err) {
      throw new FormatError(`${file}: ${(err as Error).message}`);
    }
  }

  get size(): number {
    return this.labels.length;
  }

  /** The id of `label`; `where` (file:line) names the place when the label is unknown. */
  id(label: string, where: string): number {
    const id = this.ids.get(label);
    if (id === undefined) {
      const shown = this.labels.length <= 12 ? this.labels.join(', ') : `${this.labels.slice(0, 12).join(', ')}, … (${this.labels.length})`;
      throw new FormatError(`${where}: label '${label}' was not seen in training (the model knows ${shown})`);
    }
    return id;
  }

  label(id: number): string {
    const l = this.labels[id];
    if (l === undefined) throw new NervaError(`label id ${id} is out of range for ${this.size} labels`);
    return l;
  }

  toJSON(): string[] {
    return [...this.labels];
  }
}
