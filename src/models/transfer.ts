import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/grad_mode.js';
import { cat } from '../ops/movement.js';
import { Module, Linear, BatchNorm1d, BatchNorm2d, type Parameter } from '../nn/index.js';
import type { ParamGroupSpec } from '../optim/optimizer.js';
import type { DataLoader } from '../data/dataloader.js';
import { TensorDataset } from '../data/dataset.js';
import { NervaError } from '../errors.js';

// Transfer learning: freeze part of a network, give it a new head, train the head (or everything,
// the backbone with a smaller learning rate), or cache the backbone's features once and train only
// the head on them.

/**
 * Which parameters/modules a pattern selects, by dotted path:
 *  - a plain path ('features', 'layer4', 'layer1.0.bn1') selects that module or parameter and
 *    everything under it;
 *  - a glob: '*' matches within one path segment, '**' across segments, '?' one character
 *    ('layer[12]' a set): 'layer*.0', '**.bn*', 'features.1?' — and everything under a match;
 *  - a RegExp is tested against each full parameter name (/^layer[34]\./, /bn\d\.weight$/).
 */
export type PathPattern = string | RegExp;

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') { re += '.*'; i++; } else re += '[^.]*';
    } else if (c === '?') re += '[^.]';
    else if (c === '[') {
      const end = glob.indexOf(']', i);
      if (end < 0) throw new NervaError(`pattern '${glob}': unclosed '['`);
      re += `[${glob.slice(i + 1, end).replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}(\\..*)?$`); // the match itself or anything under it
}

/** A predicate on dotted names for a pattern (see PathPattern). */
export function pathMatcher(pattern: PathPattern): (name: string) => boolean {
  if (pattern instanceof RegExp) {
    const re = new RegExp(pattern.source, pattern.flags.replace('g', '')); // no lastIndex state
    return (name) => re.test(name);
  }
  if (typeof pattern !== 'string' || pattern === '') throw new NervaError(`pattern must be a non-empty module path, glob or RegExp, got ${JSON.stringify(pattern)}`);
  if (/[*?[]/.test(pattern)) {
    const re = globToRegExp(pattern);
    return (name) => re.test(name);
  }
  return (name) => name === pattern || name.startsWith(`${pattern}.`);
}

function describe(pattern: PathPattern): string {
  return pattern instanceof RegExp ? String(pattern) : `'${pattern}'`;
}

/** The parameters and modules a pattern selects; an error naming the pattern when it selects nothing. */
function select(model: Module, pattern: PathPattern, verb: string): { params: [string, Parameter][]; modules: [string, Module][] } {
  const match = pathMatcher(pattern);
  const params = model.namedParameters().filter(([n]) => match(n));
  const modules = model.namedModules().filter(([n]) => n !== '' && match(n));
  if (params.length === 0 && modules.length === 0) {
    const top = model.namedChildren().map(([n]) => n).join(', ');
    throw new NervaError(`${verb}: pattern ${describe(pattern)} matches no parameter or module of ${model.constructor.name} (its top-level modules: ${top || 'none'})`);
  }
  return { params, modules };
}

/**
 * Stops training the selected parameters (requiresGrad = false, gradients dropped) and puts the
 * batch-norm layers whose parameters are all frozen into frozen mode: they normalize with their
 * running statistics and leave them unchanged, even while the model is in training mode.
 * Returns the names of the parameters frozen.
 */
export function freeze(model: Module, pattern: PathPattern): string[] {
  const { params, modules } = select(model, pattern, 'freeze');
  for (const [, p] of params) {
    p.requiresGrad = false;
    p.grad = null;
  }
  syncFrozenBatchNorm(model, new Set(modules.map(([, m]) => m)));
  return params.map(([n]) => n);
}

/** Trains the selected parameters again (and lets their batch-norm layers update statistics). */
export function unfreeze(model: Module, pattern: PathPattern): string[] {
  const { params, modules } = select(model, pattern, 'unfreeze');
  for (const [, p] of params) p.requiresGrad = true;
  for (const [, m] of modules) if (isBatchNorm(m) && m.parameters().length === 0) setFrozenBatchNorm(m, false);
  syncFrozenBatchNorm(model, new Set());
  return params.map(([n]) => n);
}

function isBatchNorm(m: Module): m is BatchNorm1d | BatchNorm2d {
  return m instanceof BatchNorm2d || m instanceof BatchNorm1d;
}

/** A BN layer is frozen when it has parameters and none trains, or (no parameters) it was selected. */
function syncFrozenBatchNorm(model: Module, selected: Set<Module>): void {
  for (const m of model.modules()) {
    if (!isBatchNorm(m)) continue;
    const ps = m.parameters();
    if (ps.length > 0) setFrozenBatchNorm(m, ps.every((p) => !p.requiresGrad));
    else if (selected.has(m)) setFrozenBatchNorm(m, true);
  }
}

/** What train()/eval() last asked of each frozen BN layer, restored when it is unfrozen. */
const frozenBatchNorms = new WeakMap<Module, { requested: boolean }>();

/**
 * NOTE: a frozen BN layer's `training` flag reads false whatever train()/eval() set (the request is
 * remembered and comes back on unfreeze). BatchNorm checks `this.training` to choose between batch
 * and running statistics, so this is all it takes, without a flag inside every layer.
 */
export function setFrozenBatchNorm(bn: Module, frozen: boolean): void {
  const state = frozenBatchNorms.get(bn);
  if (frozen && state === undefined) {
    const s = { requested: bn.training };
    frozenBatchNorms.set(bn, s);
    Object.defineProperty(bn, 'training', {
      configurable: true,
      enumerable: true,
      get: () => false,
      set: (v: boolean) => { s.requested = v; },
    });
  } else if (!frozen && state !== undefined) {
    frozenBatchNorms.delete(bn);
    Object.defineProperty(bn, 'training', { configurable: true, enumerable: true, writable: true, value: state.requested });
  }
}

export function isFrozenBatchNorm(m: Module): boolean {
  return frozenBatchNorms.has(m);
}

/** Names of the parameters that do not train. */
export function frozenParameters(model: Module): string[] {
  return model.namedParameters().filter(([, p]) => !p.requiresGrad).map(([n]) => n);
}

/**
 * The classification head's dotted path: `fc` (ResNets), the last layer of `classifier`
 * (AlexNet/VGG `classifier.6`, SmallVGG `classifier.1`, LeNet), else the last Linear registered.
 */
export function headPath(model: Module): string {
  const linears = model.namedModules().filter(([, m]) => m instanceof Linear);
  const last = linears[linears.length - 1];
  if (last === undefined) throw new NervaError(`${model.constructor.name} has no Linear layer to use as its head`);
  return last[0];
}

/**
 * Replaces the head with a fresh Linear(inFeatures, numClasses) (PyTorch's default init, trainable),
 * as `model.fc = new Linear(512, k)` does for a ResNet. Returns the path and the new layer.
 */
export function replaceHead(model: Module, numClasses: number, options: { path?: string } = {}): { path: string; head: Linear } {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new NervaError(`replaceHead: numClasses must be a positive integer, got ${numClasses}`);
  const path = options.path ?? headPath(model);
  const old = model.getSubmodule(path);
  if (!(old instanceof Linear)) throw new NervaError(`replaceHead: '${path}' of ${model.constructor.name} is a ${old.constructor.name}, not a Linear`);
  const head = new Linear(old.inFeatures, numClasses, { bias: old.bias !== null });
  const dot = path.lastIndexOf('.');
  const parent = dot < 0 ? model : model.getSubmodule(path.slice(0, dot));
  parent.setChild(path.slice(dot + 1), head);
  return { path, head };
}

export interface ParamGroupOptions {
  /** learning rate of the head (default: the base lr) */
  headLr: number;
  /** learning rate of the rest (default headLr / 10) */
  backboneLr?: number;
  /** what counts as the head (default: headPath(model)) */
  head?: PathPattern;
}

/**
 * Two optimizer parameter groups, backbone first: `new SGD(paramGroups(model, { headLr: 0.01 }),
 * { momentum: 0.9 })` trains the head at 0.01 and the backbone at 0.001. Frozen parameters are left
 * out; an empty group is dropped.
 */
export function paramGroups(model: Module, options: ParamGroupOptions): ParamGroupSpec[] {
  const isHead = pathMatcher(options.head ?? headPath(model));
  const head: Parameter[] = [];
  const backbone: Parameter[] = [];
  for (const [name, p] of model.namedParameters()) {
    if (!p.requiresGrad) continue;
    (isHead(name) ? head : backbone).push(p);
  }
  if (head.length === 0 && backbone.length === 0) throw new NervaError(`paramGroups: every parameter of ${model.constructor.name} is frozen; nothing to train`);
  const groups: ParamGroupSpec[] = [];
  if (backbone.length > 0) groups.push({ params: backbone, lr: options.backboneLr ?? options.headLr / 10 });
  if (head.length > 0) groups.push({ params: head, lr: options.headLr });
  return groups;
}

const STOP = Symbol('extractFeatures: stop');

/**
 * Runs `model` on x up to the module at `layerPath` and returns that module's output (the rest of
 * the network is not computed). Examples: ResNet 'avgpool' → (N, 512, 1, 1), 'layer3' → feature maps;
 * VGG 'features' → (N, 512, 7·, 7·), 'classifier.4' → (N, 4096). Works with any forward: the
 * layer's output is caught on its way out.
 */
export function extractFeatures(model: Module, x: Tensor, layerPath: string): Tensor {
  const layer = model.getSubmodule(layerPath);
  if (layer === model) return model.call(x);
  const own = Object.getOwnPropertyDescriptor(layer, 'forward');
  const forward = layer.forward;
  let out: Tensor | null = null;
  layer.forward = (...inputs: Tensor[]): Tensor => {
    out = forward.apply(layer, inputs);
    throw STOP;
  };
  try {
    model.call(x);
  } catch (err) {
    if (err !== STOP) throw err;
  } finally {
    if (own) Object.defineProperty(layer, 'forward', own);
    else delete (layer as { forward?: unknown }).forward;
  }
  if (out === null) throw new NervaError(`extractFeatures: ${model.constructor.name}.forward never reached '${layerPath}'`);
  return out;
}

/**
 * A network cut after a named layer: forward(x) = extractFeatures(model, x, layerPath). It shares
 * (and registers) the model's modules, so freezing or loading weights works on either.
 */
export class Truncated extends Module {
  constructor(readonly model: Module, readonly layerPath: string) {
    super();
    model.getSubmodule(layerPath); // fails early, naming the path, if there is no such layer
    this.registerModule('model', model);
  }

  forward(x: Tensor): Tensor {
    return extractFeatures(this.model, x, this.layerPath);
  }

  override extraRepr(): string {
    return `at '${this.layerPath}'`;
  }
}

/**
 * Computes the features of every sample once (eval mode, no gradients), flattened to (N, D), with
 * their labels, as a dataset to train a head on: the expensive backbone runs once instead of once
 * per epoch. The model's training flags are restored afterwards.
 */
export function cacheFeatures(model: Module, loader: DataLoader, layerPath: string): TensorDataset {
  const modes = model.modules().map((m) => m.training);
  model.eval();
  const parts: Tensor[] = [];
  const labels: number[] = [];
  try {
    noGrad(() => {
      for (const { x, y } of loader) {
        const f = extractFeatures(model, x, layerPath);
        parts.push(f.reshape(f.shape[0]!, -1)); // (B, …) -> (B, D)
        for (const v of y.toTypedArray()) labels.push(v);
      }
    });
  } finally {
    model.modules().forEach((m, i) => { m.training = modes[i]!; });
  }
  if (parts.length === 0) throw new NervaError('cacheFeatures: the loader gave no batches');
  return new TensorDataset(cat(parts, 0), labels);
}

// The method form the issue asks for: model.freeze('features'), model.unfreeze('layer4').
declare module '../nn/module.js' {
  interface Module {
    /** Freezes the parameters whose dotted names match (see freeze()); returns their names. */
    freeze(pattern: PathPattern): string[];
    /** Unfreezes the parameters whose dotted names match (see unfreeze()); returns their names. */
    unfreeze(pattern: PathPattern): string[];
  }
}
Module.prototype.freeze = function (this: Module, pattern: PathPattern) { return freeze(this, pattern); };
Module.prototype.unfreeze = function (this: Module, pattern: PathPattern) { return unfreeze(this, pattern); };
