import { Tensor } from '../tensor/tensor.js';
import { numel, sameShape } from '../tensor/shape.js';
import { getBackend } from '../backend/index.js';
import { NervaError, formatShape } from '../errors.js';

/** A trainable tensor: a leaf with requiresGrad set, registered on a Module. */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    const dense = data.isContiguous() && data.offset === 0 && data.data.length === data.size ? data : data.contiguous();
    super(dense.data, dense.shape);
    this.requiresGrad = requiresGrad;
  }
}

/** A float32 array of `length` elements where the current backend's kernels read it in place (wasm
 * memory), or an ordinary one when the backend has no such storage. */
function parameterStorage(length: number): Float32Array {
  return getBackend().residentFloat32?.(length) ?? new Float32Array(length);
}

/**
 * A new float32 parameter filled with `value`. Layers create their parameters with it so that, on
 * the wasm backend, weights live in wasm memory and no call copies them in (see
 * src/backend/wasm/runtime.ts); `new Parameter(t)` instead keeps t's own storage, like PyTorch.
 */
export function newParameter(shape: readonly number[], value = 0): Parameter {
  const data = parameterStorage(numel(shape));
  data.fill(value);
  return new Parameter(new Tensor(data, shape));
}

export type StateDict = Map<string, Tensor>;

/**
 * Base class of every layer and model. Parameters, buffers and submodules are registered under
 * names, and their dotted paths (`features.0.weight`, `layer1.0.bn1.running_mean`) are the same as
 * PyTorch's, so state dicts move between the two unchanged.
 */
export abstract class Module {
  /** training mode (dropout active, batch-norm updating its running statistics) */
  training = true;
  private readonly _parameters = new Map<string, Parameter | null>();
  private readonly _buffers = new Map<string, Tensor | null>();
  private readonly _modules = new Map<string, Module | null>();

  abstract forward(...inputs: Tensor[]): Tensor;

  /** Calls forward; the one entry point a user needs (`model.call(x)`). */
  call(...inputs: Tensor[]): Tensor {
    return this.forward(...inputs);
  }

  registerParameter(name: string, param: Parameter | null): Parameter | null {
    this._parameters.set(name, param);
    return param;
  }

  registerBuffer(name: string, buffer: Tensor | null): Tensor | null {
    this._buffers.set(name, buffer);
    return buffer;
  }

  registerModule<M extends Module | null>(name: string, module: M): M {
    this._modules.set(name, module);
    return module;
  }

  /** Replaces a registered submodule, parameter or buffer (e.g. a new classifier head). */
  setChild(name: string, module: Module): void {
    if (!this._modules.has(name)) throw new NervaError(`${this.constructor.name} has no submodule '${name}' (it has: ${[...this._modules.keys()].join(', ') || 'none'})`);
    this._modules.set(name, module);
  }

  getParameter(name: string): Parameter | null | undefined {
    return this._parameters.get(name);
  }

  getBuffer(name: string): Tensor | null | undefined {
    return this._buffers.get(name);
  }

  /** Updates a buffer in place of the old one (running statistics). */
  setBuffer(name: string, value: Tensor): void {
    if (!this._buffers.has(name)) throw new NervaError(`${this.constructor.name} has no buffer '${name}'`);
    this._buffers.set(name, value);
  }

  children(): Module[] {
    return [...this._modules.values()].filter((m): m is Module => m !== null);
  }

  namedChildren(): [string, Module][] {
    return [...this._modules.entries()].filter((e): e is [string, Module] => e[1] !== null);
  }

  /** This module and every descendant, with dotted paths ('' for this one). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, m] of this.namedChildren()) out.push(...m.namedModules(prefix ? `${prefix}.${name}` : name));
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** The submodule at a dotted path ('' is this module). */
  getSubmodule(path: string): Module {
    if (path === '') return this;
    let m: Module = this;
    for (const part of path.split('.')) {
      const next = m._modules.get(part);
      if (next === undefined || next === null) throw new NervaError(`${this.constructor.name} has no submodule '${path}' ('${part}' not found)`);
      m = next;
    }
    return m;
  }

  namedParameters(prefix = ''): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Parameter>();
    for (const [path, m] of this.namedModules(prefix)) {
      for (const [name, p] of m._parameters) {
        if (p === null || seen.has(p)) continue; // shared (tied) weights appear once
        seen.add(p);
        out.push([path ? `${path}.${name}` : name, p]);
      }
    }
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [path, m] of this.namedModules()) {
      for (const [name, b] of m._buffers) if (b !== null) out.push([path ? `${path}.${name}` : name, b]);
    }
    return out;
  }

  /** Number of parameter elements (trainable only, if asked). */
  numParameters(trainableOnly = false): number {
    return this.parameters().filter((p) => !trainableOnly || p.requiresGrad).reduce((n, p) => n + p.size, 0);
  }

  /** Sets training mode here and below. Returns this. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Turns gradient tracking of every parameter on or off (freezing). Returns this. */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad = requiresGrad;
    return this;
  }

  /**
   * Converts every floating-point parameter and buffer to `dtype` in place (float64 for gradient
   * checks, back to float32 for speed). Integer buffers such as num_batches_tracked stay as they
   * are. Create optimizers after converting. Returns this.
   */
  to(dtype: 'float32' | 'float64'): this {
    const convert = (t: Tensor) => {
      if (t.dtype === dtype || (t.dtype !== 'float32' && t.dtype !== 'float64')) return;
      if (dtype === 'float64') t.data = Float64Array.from(t.data);
      else {
        const a = t instanceof Parameter ? parameterStorage(t.data.length) : new Float32Array(t.data.length);
        a.set(t.data);
        t.data = a;
      }
      t.grad = null;
    };
    for (const p of this.parameters()) convert(p);
    for (const [, b] of this.namedBuffers()) convert(b);
    return this;
  }

  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Parameters and buffers by dotted name, PyTorch order (a module's own first, then children). */
  stateDict(): StateDict {
    const out: StateDict = new Map();
    for (const [path, m] of this.namedModules()) {
      const key = (name: string) => (path ? `${path}.${name}` : name);
      for (const [name, p] of m._parameters) if (p !== null) out.set(key(name), p);
      for (const [name, b] of m._buffers) if (b !== null) out.set(key(name), b);
    }
    return out;
  }

  /**
   * Copies tensors into this module's parameters and buffers. Strict (the default) refuses the whole
   * load, before changing anything, when keys are missing or unexpected or shapes differ, and lists
   * each. Non-strict loads what matches and returns the rest.
   */
  loadStateDict(state: StateDict | Record<string, Tensor>, strict = true): { missing: string[]; unexpected: string[] } {
    const incoming = state instanceof Map ? state : new Map(Object.entries(state));
    const own = this.stateDict();
    const missing = [...own.keys()].filter((k) => !incoming.has(k));
    const unexpected = [...incoming.keys()].filter((k) => !own.has(k));
    const wrongShape: string[] = [];
    for (const [k, t] of own) {
      const src = incoming.get(k);
      if (src !== undefined && !sameShape(src.shape, t.shape)) wrongShape.push(`${k}: checkpoint ${formatShape(src.shape)}, model ${formatShape(t.shape)}`);
    }
    if (wrongShape.length > 0 || (strict && (missing.length > 0 || unexpected.length > 0))) {
      const parts: string[] = [];
      if (missing.length) parts.push(`missing keys: ${missing.join(', ')}`);
      if (unexpected.length) parts.push(`unexpected keys: ${unexpected.join(', ')}`);
      if (wrongShape.length) parts.push(`wrong shapes: ${wrongShape.join('; ')}`);
      throw new NervaError(`loadStateDict into ${this.constructor.name} failed (nothing was changed): ${parts.join(' | ')}`);
    }
    for (const [k, t] of own) {
      const src = incoming.get(k);
      if (src === undefined) continue;
      const values = src.toTypedArray();
      const dst = t.data;
      for (let i = 0; i < dst.length; i++) dst[i] = values[i]!;
    }
    return { missing, unexpected };
  }

  /** A short description of this module's configuration, shown by toString (e.g. `3, 64, kernelSize=7`). */
  extraRepr(): string {
    return '';
  }

  toString(): string {
    const children = this.namedChildren();
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (children.length === 0) return head + ')';
    const lines = children.map(([name, m]) => `  (${name}): ${m.toString().split('\n').join('\n  ')}`);
    return `${head}\n${lines.join('\n')}\n)`;
  }
}
