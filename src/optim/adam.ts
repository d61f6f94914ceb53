import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, gradData, type ParamGroup, type ParamGroupSpec } from './optimizer.js';
import { NervaError } from '../errors.js';
import { getBackend } from '../backend/index.js';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
}

type AdamGroup = ParamGroup & Required<AdamOptions>;

/**
 * Adam (torch.optim.Adam), with an L2 term added to the gradient when weightDecay > 0:
 *   g ← ∇ + wd·θ;  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  (v̂max ← max(v̂max, v) with amsgrad)
 *   θ ← θ − lr/(1−β₁ᵗ) · m / (√v / √(1−β₂ᵗ) + ε).
 */
export class Adam extends Optimizer {
  /** AdamW decays the weights directly (θ ← θ·(1 − lr·wd)) instead of through the gradient. */
  protected readonly decoupled: boolean = false;

  constructor(params: Iterable<Tensor> | readonly ParamGroupSpec[], options: AdamOptions = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, ...options });
  }

  protected override validate(group: ParamGroup): void {
    super.validate(group);
    const { betas, eps, weightDecay } = group as AdamGroup;
    const name = this.constructor.name;
    if (!Array.isArray(betas) || betas.length !== 2 || !betas.every((b) => b >= 0 && b < 1)) throw new NervaError(`${name}: betas must be two numbers in [0, 1), got ${JSON.stringify(betas)}`);
    if (!(eps >= 0)) throw new NervaError(`${name}: invalid eps ${eps}`);
    if (!(weightDecay >= 0)) throw new NervaError(`${name}: invalid weightDecay ${weightDecay}`);
  }

  protected updateGroup(group: ParamGroup): void {
    const { lr, betas, eps, weightDecay, amsgrad, maximize } = group as AdamGroup;
    const [beta1, beta2] = betas;
    for (const p of group.params) {
      const grad = gradData(p);
      if (grad === null) continue;
      const state = this.stateOf(p);
      if (state.step === undefined) {
        state.step = 0;
        state.exp_avg = this.zerosLike(p);
        state.exp_avg_sq = this.zerosLike(p);
        if (amsgrad) state.max_exp_avg_sq = this.zerosLike(p);
      }
      if (amsgrad && state.max_exp_avg_sq === undefined) state.max_exp_avg_sq = this.zerosLike(p);
      const step = (state.step as number) + 1;
      state.step = step;
      const theta = p.data;
      const m = (state.exp_avg as Tensor).data;
      const v = (state.exp_avg_sq as Tensor).data;
      const vmax = amsgrad ? (state.max_exp_avg_sq as Tensor).data : null;
      const stepSize = lr / (1 - beta1 ** step);
      const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
      const sign = maximize ? -1 : 1;
      const n = theta.length;
      const l2 = this.decoupled ? 0 : weightDecay;
      // float32 on a backend with a fused step (wasm: SIMD, in place on resident state)
      const fused = getBackend().adamStep;
      if (fused !== undefined && !amsgrad && theta instanceof Float32Array && grad instanceof Float32Array
        && m instanceof Float32Array && v instanceof Float32Array
        && fused(theta, grad, m, v, { beta1, beta2, stepSize, bc2Sqrt, eps, l2, sign, decay: this.decoupled ? 1 - lr * weightDecay : 1 })) continue;
      if (this.decoupled) for (let i = 0; i < n; i++) theta[i] = theta[i]! * (1 - lr * weightDecay);
      for (let i = 0; i < n; i++) {
        const g = sign * grad[i]! + l2 * theta[i]!;
        m[i] = beta1 * m[i]! + (1 - beta1) * g;
        v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
        let second = v[i]!;
        if (vmax !== null) {
          if (vmax[i]! < second) vmax[i] = second;
          second = vmax[i]!;
        }
        theta[i] = theta[i]! - (stepSize * m[i]!) / (Math.sqrt(second) / bc2Sqrt + eps);
      }
    }
  }
}

/**
 * AdamW (torch.optim.AdamW): Adam with decoupled weight decay, θ ← θ·(1 − lr·wd) before the Adam
 * step; weightDecay defaults to 0.01.
 */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;

  constructor(params: Iterable<Tensor> | readonly ParamGroupSpec[], options: AdamOptions = {}) {
    super(params, { weightDecay: 1e-2, ...options });
  }
}
