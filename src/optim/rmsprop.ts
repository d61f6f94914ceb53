import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, gradData, type ParamGroup, type ParamGroupSpec } from './optimizer.js';
import { NervaError } from '../errors.js';

export interface RMSpropOptions {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  /** normalize by the estimated variance (E[g²] − E[g]²) instead of E[g²] */
  centered?: boolean;
}

/**
 * RMSprop (torch.optim.RMSprop):
 *   g ← ∇ + wd·θ;  s ← αs + (1−α)g²;  (ḡ ← αḡ + (1−α)g; s̃ = s − ḡ² if centered)
 *   a = √s̃ + ε;  b ← μb + g/a, θ ← θ − lr·b (momentum) or θ ← θ − lr·g/a.
 */
export class RMSprop extends Optimizer {
  constructor(params: Iterable<Tensor> | readonly ParamGroupSpec[], options: RMSpropOptions = {}) {
    super(params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, ...options });
  }

  protected override validate(group: ParamGroup): void {
    super.validate(group);
    const { alpha, eps, momentum, weightDecay } = group as ParamGroup & Required<RMSpropOptions>;
    if (!(alpha >= 0)) throw new NervaError(`RMSprop: invalid alpha ${alpha}`);
    if (!(eps >= 0)) throw new NervaError(`RMSprop: invalid eps ${eps}`);
    if (!(momentum >= 0)) throw new NervaError(`RMSprop: invalid momentum ${momentum}`);
    if (!(weightDecay >= 0)) throw new NervaError(`RMSprop: invalid weightDecay ${weightDecay}`);
  }

  protected updateGroup(group: ParamGroup): void {
    const { lr, alpha, eps, weightDecay, momentum, centered } = group as ParamGroup & Required<RMSpropOptions>;
    for (const p of group.params) {
      const grad = gradData(p);
      if (grad === null) continue;
      const state = this.stateOf(p);
      if (state.step === undefined) {
        state.step = 0;
        state.square_avg = this.zerosLike(p);
      }
      if (momentum > 0 && state.momentum_buffer === undefined) state.momentum_buffer = this.zerosLike(p);
      if (centered && state.grad_avg === undefined) state.grad_avg = this.zerosLike(p);
      state.step = (state.step as number) + 1;
      const theta = p.data;
      const sq = (state.square_avg as Tensor).data;
      const ga = centered ? (state.grad_avg as Tensor).data : null;
      const buf = momentum > 0 ? (state.momentum_buffer as Tensor).data : null;
      for (let i = 0; i < theta.length; i++) {
        const g = grad[i]! + weightDecay * theta[i]!;
        sq[i] = alpha * sq[i]! + (1 - alpha) * g * g;
        let avg: number;
        if (ga !== null) {
          ga[i] = alpha * ga[i]! + (1 - alpha) * g;
          avg = Math.sqrt(sq[i]! - ga[i]! * ga[i]!) + eps;
        } else avg = Math.sqrt(sq[i]!) + eps;
        if (buf !== null) {
          buf[i] = momentum * buf[i]! + g / avg;
          theta[i] = theta[i]! - lr * buf[i]!;
        } else theta[i] = theta[i]! - (lr * g) / avg;
      }
    }
  }
}
