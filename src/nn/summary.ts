import { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/creation.js';
import type { DType } from '../tensor/dtype.js';
import { noGrad } from '../autograd/grad_mode.js';
import { Module } from './module.js';
import { formatShape } from '../errors.js';

export interface SummaryRow {
  /** dotted path of the module ('' for the model itself when it is a leaf) */
  path: string;
  /** class name */
  type: string;
  outputShape: number[];
  /** parameters held directly by this module (0 on a second call of a shared module) */
  params: number;
  trainable: number;
  /** true when this module already appeared earlier (its parameters are counted once) */
  repeated: boolean;
}

export interface SummaryResult {
  rows: SummaryRow[];
  inputShape: number[];
  outputShape: number[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  /** the printable table */
  table: string;
}

export interface SummaryOptions {
  /** dtype of the zero input (default: the dtype of the model's first parameter, else float32) */
  dtype?: DType;
}

function ownParams(m: Module): { params: number; trainable: number } {
  let params = 0;
  let trainable = 0;
  for (const [name, p] of m.namedParameters()) {
    if (name.includes('.')) continue; // a child's
    params += p.size;
    if (p.requiresGrad) trainable += p.size;
  }
  return { params, trainable };
}

function shapeOf(y: unknown): number[] {
  if (y instanceof Tensor) return [...y.shape];
  if (Array.isArray(y) && y[0] instanceof Tensor) return [...(y[0] as Tensor).shape];
  return [];
}

/**
 * Runs one forward pass on zeros of `inputShape` (batch dim included, e.g. [1, 1, 28, 28]) in eval
 * mode without gradients, recording each leaf module's output shape and parameter count, like
 * torchinfo. The model's training flags are restored afterwards.
 */
export function summarize(model: Module, inputShape: readonly number[], options: SummaryOptions = {}): SummaryResult {
  const rows: SummaryRow[] = [];
  const seen = new Set<Module>();
  const modes = model.modules().map((m) => [m, m.training] as const);
  const wrapped: { m: Module; hadOwn: boolean; own: unknown }[] = [];
  for (const [path, m] of model.namedModules()) {
    const direct = ownParams(m);
    if (m.children().length > 0 && direct.params === 0) continue; // containers: their leaves are rows
    if (wrapped.some((w) => w.m === m)) continue; // a shared module: rows carry its first path
    const hadOwn = Object.prototype.hasOwnProperty.call(m, 'forward');
    const own = (m as unknown as { forward: unknown }).forward;
    const original = m.forward;
    wrapped.push({ m, hadOwn, own });
    m.forward = (...inputs: Tensor[]): Tensor => {
      const y = original.apply(m, inputs);
      const repeated = seen.has(m);
      seen.add(m);
      rows.push({ path, type: m.constructor.name, outputShape: shapeOf(y), params: repeated ? 0 : direct.params, trainable: repeated ? 0 : direct.trainable, repeated });
      return y;
    };
  }
  let out: unknown;
  try {
    model.eval();
    const dtype = options.dtype ?? model.parameters()[0]?.dtype ?? 'float32';
    out = noGrad(() => model.call(zeros(inputShape, { dtype })));
  } finally {
    for (const { m, hadOwn, own } of wrapped) {
      if (hadOwn) (m as unknown as { forward: unknown }).forward = own;
      else delete (m as unknown as { forward?: unknown }).forward;
    }
    for (const [m, mode] of modes) m.training = mode;
  }
  const totalParams = model.numParameters();
  const trainableParams = model.numParameters(true);
  const result: Omit<SummaryResult, 'table'> = {
    rows, inputShape: [...inputShape], outputShape: shapeOf(out), totalParams, trainableParams, nonTrainableParams: totalParams - trainableParams,
  };
  return { ...result, table: formatTable(model, result) };
}

/** The summary table as a string (see summarize). */
export function summary(model: Module, inputShape: readonly number[], options: SummaryOptions = {}): string {
  return summarize(model, inputShape, options).table;
}

const group = (n: number): string => n.toLocaleString('en-US');

function formatTable(model: Module, s: Omit<SummaryResult, 'table'>): string {
  const cells = s.rows.map((r) => [
    `${r.path === '' ? model.constructor.name : r.path} (${r.type})`,
    formatShape(r.outputShape),
    r.repeated ? '(shared)' : group(r.params),
  ]);
  const header = ['Layer (type)', 'Output Shape', 'Param #'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `${c[0]!.padEnd(widths[0]!)}  ${c[1]!.padEnd(widths[1]!)}  ${c[2]!.padStart(widths[2]!)}`;
  const width = widths[0]! + widths[1]! + widths[2]! + 4;
  return [
    `${model.constructor.name} summary, input ${formatShape(s.inputShape)}`,
    '='.repeat(width),
    line(header),
    '='.repeat(width),
    ...cells.map(line),
    '='.repeat(width),
    `Total params: ${group(s.totalParams)}`,
    `Trainable params: ${group(s.trainableParams)}`,
    `Non-trainable params: ${group(s.nonTrainableParams)}`,
    `Output shape: ${formatShape(s.outputShape)}`,
  ].join('\n');
}
