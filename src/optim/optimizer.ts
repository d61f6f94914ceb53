import { Tensor } from '../tensor/tensor.js';
import { allocate } from '../tensor/dtype.js';
import { getBackend } from '../backend/index.js';
import { NervaError, formatShape } from '../errors.js';

/** One parameter group: its tensors and its own hyper-parameters (lr, momentum, betas…). */
export interface ParamGroup {
  params: Tensor[];
  lr: number;
  [option: string]: unknown;
}

/** What a caller passes for a group: the tensors plus any options that differ from the defaults. */
export interface ParamGroupSpec {
  params: Iterable<Tensor>;
  lr?: number;
  [option: string]: unknown;
}

/** Per-parameter state: buffers (momentum, moments) as tensors shaped like the parameter, counters as numbers. */
export type ParamState = Record<string, Tensor | number>;

/**
 * An optimizer's state as PyTorch lays it out: `state` keyed by the parameter's index over all groups
 * in order, `paramGroups` with the hyper-parameters and those indices. Numbers and groups are
 * JSON-able; the tensors go to a checkpoint's tensor section (see io/checkpoint.ts).
 */
export interface OptimizerStateDict {
  state: Record<string, ParamState>;
  paramGroups: (Omit<ParamGroup, 'params'> & { params: number[] })[];
}

/**
 * Base of the optimizers: parameter groups with their own options over shared defaults,
 * `zeroGrad()`, `stateDict()`/`loadStateDict()`. Subclasses implement `updateGroup`, which writes
 * each parameter's storage in place (an optimizer step is never part of any gradient history).
 */
export abstract class Optimizer {
  readonly paramGroups: ParamGroup[] = [];
  readonly state = new Map<Tensor, ParamState>();

  constructor(params: Iterable<Tensor> | readonly ParamGroupSpec[], readonly defaults: { lr: number; [option: string]: unknown }) {
    const list = [...(params as Iterable<Tensor | ParamGroupSpec>)];
    if (list.length === 0) throw new NervaError(`${this.constructor.name}: got an empty parameter list`);
    const specs: ParamGroupSpec[] = list.every((p) => p instanceof Tensor) ? [{ params: list as Tensor[] }] : (list as ParamGroupSpec[]);
    for (const spec of specs) this.addParamGroup(spec);
  }

  /** Adds a group (e.g. a new head with its own lr); options not given take the defaults. */
  addParamGroup(spec: ParamGroupSpec): void {
    if (spec instanceof Tensor || !spec || typeof spec !== 'object' || !('params' in spec)) {
      throw new NervaError(`${this.constructor.name}: a parameter group must be { params, ...options }, or pass a plain list of tensors`);
    }
    const params = [...spec.params];
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    for (const [i, p] of params.entries()) {
      if (!(p instanceof Tensor)) throw new NervaError(`${this.constructor.name}: parameter ${i} of group ${this.paramGroups.length} is not a tensor`);
      if (p.dtype !== 'float32' && p.dtype !== 'float64') throw new NervaError(`${this.constructor.name}: can only optimize floating-point tensors, got ${p.dtype} ${formatShape(p.shape)}`);
      if (!p.isContiguous() || p.offset !== 0 || p.data.length !== p.size) throw new NervaError(`${this.constructor.name}: parameter ${formatShape(p.shape)} is a view; optimize the tensor it views instead`);
      if (seen.has(p)) throw new NervaError(`${this.constructor.name}: a parameter appears in more than one group (shape ${formatShape(p.shape)})`);
      seen.add(p);
    }
    const group = { ...this.defaults, ...spec, params } as ParamGroup;
    for (const key of Object.keys(this.defaults)) {
      if (group[key] === undefined) group[key] = this.defaults[key];
    }
    this.validate(group);
    this.paramGroups.push(group);
  }

  /** Checks a group's options; throws a NervaError naming the bad one. */
  protected validate(group: ParamGroup): void {
    if (!(typeof group.lr === 'number' && group.lr >= 0)) throw new NervaError(`${this.constructor.name}: invalid learning rate ${String(group.lr)}`);
  }

  /** One update of every parameter that has a gradient. */
  step(): void {
    for (const group of this.paramGroups) this.updateGroup(group);
  }

  protected abstract updateGroup(group: ParamGroup): void;

  /** Drops the gradients (set to null, as PyTorch's default set_to_none=True). */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.grad = null;
  }

  /** The per-parameter state, created on first use. */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (s === undefined) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  /** A zero buffer shaped and typed like p. */
  /** Optimizer state shaped like p: for float32, where the backend's kernels read it in place when
   * the backend has such storage (wasm memory, beside the parameter), so an update copies nothing
   * but the gradient. */
  protected zerosLike(p: Tensor): Tensor {
    const resident = p.dtype === 'float32' ? getBackend().residentFloat32?.(p.size) ?? null : null;
    if (resident !== null) resident.fill(0);
    return new Tensor(resident ?? allocate(p.dtype, p.size), p.shape);
  }

  stateDict(): OptimizerStateDict {
    const state: Record<string, ParamState> = {};
    const paramGroups: OptimizerStateDict['paramGroups'] = [];
    let index = 0;
    for (const group of this.paramGroups) {
      const ids: number[] = [];
      for (const p of group.params) {
        const s = this.state.get(p);
        if (s !== undefined) state[String(index)] = { ...s };
        ids.push(index++);
      }
      const { params: _params, ...options } = group;
      paramGroups.push({ ...structuredClone(options), params: ids } as OptimizerStateDict['paramGroups'][number]);
    }
    return { state, paramGroups };
  }

  /**
   * Restores a state from stateDict(): the groups must hold the same numbers of parameters and each
   * state tensor the shape of its parameter. All-or-nothing: nothing changes when a check fails.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const name = this.constructor.name;
    if (!sd || !Array.isArray(sd.paramGroups) || typeof sd.state !== 'object') throw new NervaError(`${name}.loadStateDict: expected { state, paramGroups }`);
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new NervaError(`${name}.loadStateDict: the state has ${sd.paramGroups.length} parameter groups, this optimizer ${this.paramGroups.length}`);
    }
    const byIndex = new Map<number, Tensor>();
    sd.paramGroups.forEach((g, i) => {
      const own = this.paramGroups[i]!;
      if (!Array.isArray(g.params) || g.params.length !== own.params.length) {
        throw new NervaError(`${name}.loadStateDict: group ${i} has ${g.params?.length} parameters in the state, ${own.params.length} here`);
      }
      g.params.forEach((id, j) => byIndex.set(id, own.params[j]!));
    });
    const newState = new Map<Tensor, ParamState>();
    for (const [key, s] of Object.entries(sd.state)) {
      const p = byIndex.get(Number(key));
      if (p === undefined) throw new NervaError(`${name}.loadStateDict: state for parameter ${key}, which no group lists`);
      const copy: ParamState = {};
      for (const [k, v] of Object.entries(s)) {
        if (typeof v === 'number') copy[k] = v;
        else if (v instanceof Tensor) {
          if (v.size !== p.size) throw new NervaError(`${name}.loadStateDict: state '${key}.${k}' has shape ${formatShape(v.shape)}, parameter ${formatShape(p.shape)}`);
          const t = this.zerosLike(p);
          t.data.set(v.toTypedArray());
          copy[k] = t;
        } else throw new NervaError(`${name}.loadStateDict: state '${key}.${k}' is neither a number nor a tensor`);
      }
      newState.set(p, copy);
    }
    this.state.clear();
    for (const [p, s] of newState) this.state.set(p, s);
    sd.paramGroups.forEach((g, i) => {
      const own = this.paramGroups[i]!;
      const { params: _ids, ...options } = g;
      Object.assign(own, structuredClone(options));
    });
  }
}

/** The gradient of p as a dense array, or null when p has none. */
export function gradData(p: Tensor): ArrayLike<number> | null {
  if (p.grad === null) return null;
  if (p.grad.size !== p.size) throw new NervaError(`optimizer: gradient ${formatShape(p.grad.shape)} does not match parameter ${formatShape(p.shape)}`);
  return p.grad.toTypedArray();
}
