import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, gradData, type ParamGroup, type ParamGroupSpec } from './optimizer.js';
import { NervaError } from '../errors.js';
import { getBackend } from '../backend/index.js';

export interface SGDOptions {
  lr?: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  /** ascend instead of descend */
  maximize?: boolean;
}

/**
 * Stochastic gradient descent with PyTorch's update order (torch.optim.SGD):
 *   g ← ∇ + wd·θ;  b ← g (first step) or μ·b + (1 − τ)·g;  g ← g + μ·b (Nesterov) or b;  θ ← θ − lr·g.
 */
export class SGD extends Optimizer {
  constructor(params: Iterable<Tensor> | readonly ParamGroupSpec[], options: SGDOptions = {}) {
    super(params, { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...options });
  }

  protected override validate(group: ParamGroup): void {
    super.validate(group);
    const { momentum, dampening, weightDecay, nesterov } = group as ParamGroup & Required<SGDOptions>;
    if (!(momentum >= 0)) throw new NervaError(`SGD: invalid momentum ${momentum}`);
    if (!(weightDecay >= 0)) throw new NervaError(`SGD: invalid weightDecay ${weightDecay}`);
    if (nesterov && (momentum <= 0 || dampening !== 0)) throw new NervaError('SGD: Nesterov momentum needs momentum > 0 and dampening = 0');
  }

  protected updateGroup(group: ParamGroup): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group as ParamGroup & Required<SGDOptions>;
    for (const p of group.params) {
      const grad = gradData(p);
      if (grad === null) continue;
      const theta = p.data;
      const n = theta.length;
      const sign = maximize ? -1 : 1;
      const state = momentum === 0 ? null : this.stateOf(p);
      const first = state !== null && state.momentum_buffer === undefined;
      if (first) state!.momentum_buffer = this.zerosLike(p);
      const buf = state === null ? null : (state.momentum_buffer as Tensor).data;
      // float32 on a backend with a fused step (wasm: SIMD, in place on resident parameter and buffer)
      const fused = getBackend().sgdStep;
      if (fused !== undefined && theta instanceof Float32Array && grad instanceof Float32Array
        && (buf === null || buf instanceof Float32Array)
        && fused(theta, grad, buf, { lr, momentum, dampening, weightDecay, sign, nesterov, first })) continue;
      if (buf === null) {
        for (let i = 0; i < n; i++) theta[i] = theta[i]! - lr * (sign * grad[i]! + weightDecay * theta[i]!);
        continue;
      }
      for (let i = 0; i < n; i++) {
        const g = sign * grad[i]! + weightDecay * theta[i]!; // maximize negates ∇ before the decay term, as PyTorch
        buf[i] = first ? g : momentum * buf[i]! + (1 - dampening) * g;
        const d = nesterov ? g + momentum * buf[i]! : buf[i]!;
        theta[i] = theta[i]! - lr * d;
      }
    }
  }
}
