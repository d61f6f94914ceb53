import { Tensor } from '../tensor/tensor.js';
import { NervaError } from '../errors.js';

/**
 * Scales the gradients of `params` so that their joint norm is at most maxNorm
 * (torch.nn.utils.clip_grad_norm_): coef = maxNorm / (‖g‖ + 1e-6), applied when below 1.
 * Returns the total norm before clipping (NaN/∞ when a gradient is not finite, so the caller can
 * stop). normType 2 (default) or Infinity. Each clipped gradient is replaced by a scaled copy, so a
 * gradient tensor shared by two parameters is never scaled twice.
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, normType = 2): number {
  if (!(maxNorm >= 0)) throw new NervaError(`clipGradNorm: maxNorm must be a non-negative number, got ${maxNorm}`);
  if (!(normType > 0)) throw new NervaError(`clipGradNorm: normType must be positive, got ${normType}`);
  const withGrad = [...params].filter((p) => p.grad !== null);
  let total = 0;
  for (const p of withGrad) {
    const g = p.grad!.toTypedArray();
    for (let i = 0; i < g.length; i++) {
      const a = Math.abs(g[i]!);
      if (normType === Infinity) total = a > total || Number.isNaN(a) ? a : total;
      else total += a ** normType;
    }
  }
  if (normType !== Infinity) total = total ** (1 / normType);
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) {
    for (const p of withGrad) {
      const g = p.grad!;
      const src = g.toTypedArray();
      const out = new (src.constructor as new (n: number) => typeof src)(src.length);
      for (let i = 0; i < src.length; i++) out[i] = src[i]! * coef;
      p.grad = new Tensor(out, g.shape);
    }
  }
  return total;
}
