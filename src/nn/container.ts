import { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';
import { BatchNormBase } from './batchnorm.js';
import { ReLU } from './activation.js';
import { NervaError } from '../errors.js';

/** Runs its children in order; children are named '0', '1', … like torch.nn.Sequential. */
export class Sequential extends Module {
  constructor(...layers: Module[]) {
    super();
    layers.forEach((m, i) => this.registerModule(String(i), m));
  }

  get length(): number {
    return this.children().length;
  }

  /** The i-th layer (negative counts from the end). */
  at(i: number): Module {
    const list = this.children();
    const m = list[i < 0 ? i + list.length : i];
    if (m === undefined) throw new NervaError(`Sequential: index ${i} is out of range for ${list.length} layers`);
    return m;
  }

  append(m: Module): this {
    this.registerModule(String(this.children().length), m);
    return this;
  }

  forward(x: Tensor): Tensor {
    let y = x;
    const list = this.children();
    for (let i = 0; i < list.length; i++) {
      const m = list[i]!, next = list[i + 1];
      // a batch norm followed by a plain ReLU runs as one fused op (same values and gradients);
      // callRelu composes instead where the batch norm's forward is replaced, and a ReLU subclass or
      // a watched ReLU (summary, featureMaps) runs as itself
      if (m instanceof BatchNormBase && next instanceof ReLU && next.constructor === ReLU && next.forward === ReLU.prototype.forward) {
        y = m.callRelu(y);
        i++;
      } else {
        y = m.forward(y);
      }
    }
    return y;
  }
}

/** A list of modules registered under '0', '1', … (no forward of its own). */
export class ModuleList extends Module {
  constructor(modules: Module[] = []) {
    super();
    modules.forEach((m) => this.append(m));
  }

  append(m: Module): this {
    this.registerModule(String(this.children().length), m);
    return this;
  }

  get length(): number {
    return this.children().length;
  }

  at(i: number): Module {
    const m = this.children()[i];
    if (m === undefined) throw new NervaError(`ModuleList: index ${i} is out of range for ${this.length} modules`);
    return m;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }

  forward(): Tensor {
    throw new NervaError('ModuleList has no forward(); iterate over its modules instead');
  }
}
