import type { Tensor } from '../tensor/tensor.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { Conv2d, Linear } from '../nn/index.js';
import { fans } from '../nn/init.js';

// Fast weight initialization for the big zoo models.
//
// WHY: VGG-16 has 138 M parameters. Drawing them one by one from `Generator.random()` (two
// xoshiro words per double) and `normal()` (Box–Muller with log, sqrt, sin and cos) took ≈ 10 s
// (wall clock on the loaded 2-core dev VM), part of it spent on the default init of layers that
// torchvision re-initializes anyway. Here each tensor gets its own xoshiro128** stream, seeded with
// four words drawn from the caller's generator (so `manualSeed` still makes construction
// repeatable), run inline in a tight loop, with the ziggurat method for normals (no log or trig
// for 99 % of the values);
// and `withoutDefaultInit` skips the layers' own init (torch.nn.utils.skip_init in spirit).
// VGG-16 builds in ≈ 2.8 s wall clock on the same VM (≈ 1.3 s of CPU time).

/**
 * Builds modules without running Linear's and Conv2d's default initialization (their weights stay
 * zero until the caller initializes them). Synchronous: the default is restored before returning.
 */
export function withoutDefaultInit<T>(build: () => T): T {
  const linear = Linear.prototype.resetParameters;
  const conv = Conv2d.prototype.resetParameters;
  Linear.prototype.resetParameters = function skip(): void {};
  Conv2d.prototype.resetParameters = function skip(): void {};
  try {
    return build();
  } finally {
    Linear.prototype.resetParameters = linear;
    Conv2d.prototype.resetParameters = conv;
  }
}

/**
 * A stream of random numbers for bulk fills: xoshiro128** on int32 words, seeded with four words
 * from `g`, run inline in the fill loops (no call and no heap number per value).
 */
class FastStream {
  private s0: number; private s1: number; private s2: number; private s3: number;

  constructor(g: Generator) {
    this.s0 = g.nextUint32() | 0; this.s1 = g.nextUint32() | 0; this.s2 = g.nextUint32() | 0; this.s3 = g.nextUint32() | 1;
  }

  /** One int32 (the slow paths' draw). */
  int32(): number {
    const s1 = this.s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0; this.s3 ^= this.s1; this.s1 ^= this.s2; this.s0 ^= this.s3; this.s2 ^= t; this.s3 = rotl(this.s3, 11);
    return r;
  }

  /** Uniform in (0, 1). */
  uniform(): number {
    return ((this.int32() >>> 8) + 0.5) * 5.9604644775390625e-8;
  }

  /** out[i] = low + (high − low)·U[0, 1), 24 random bits each. */
  fillUniform(out: Float32Array | Float64Array, low: number, high: number): void {
    let s0 = this.s0, s1 = this.s1, s2 = this.s2, s3 = this.s3;
    const scale = (high - low) * 5.9604644775390625e-8; // / 2^24
    for (let i = 0; i < out.length; i++) {
      const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
      const t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
      out[i] = low + (r >>> 8) * scale;
    }
    this.s0 = s0; this.s1 = s1; this.s2 = s2; this.s3 = s3;
  }

  /**
   * out[i] = mean + std·N(0, 1) by the ziggurat method (Marsaglia & Tsang 2000, 128 layers): one
   * int32, a table look-up and a compare for ≈ 99 % of the values; log/exp only on the rare rest.
   */
  fillNormal(out: Float32Array | Float64Array, mean: number, std: number): void {
    const { kn, wn } = zigguratTables();
    let s0 = this.s0, s1 = this.s1, s2 = this.s2, s3 = this.s3;
    for (let i = 0; i < out.length; i++) {
      const hz = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
      const t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
      const iz = hz & 127;
      let z: number;
      if (Math.abs(hz) < kn[iz]!) {
        z = hz * wn[iz]!;
      } else {
        this.s0 = s0; this.s1 = s1; this.s2 = s2; this.s3 = s3;
        z = this.normalTail(hz, iz);
        s0 = this.s0; s1 = this.s1; s2 = this.s2; s3 = this.s3;
      }
      out[i] = mean + std * z;
    }
    this.s0 = s0; this.s1 = s1; this.s2 = s2; this.s3 = s3;
  }

  /** The ziggurat's slow path (Marsaglia & Tsang's nfix). */
  private normalTail(hz0: number, iz0: number): number {
    const { kn, wn, fn } = zigguratTables();
    const r = ZIG_R;
    let hz = hz0;
    let iz = iz0;
    for (;;) {
      const x = hz * wn[iz]!;
      if (iz === 0) {
        let xt: number;
        let y: number;
        do {
          xt = -Math.log(this.uniform()) / r;
          y = -Math.log(this.uniform());
        } while (y + y < xt * xt);
        return hz > 0 ? r + xt : -r - xt;
      }
      if (fn[iz]! + this.uniform() * (fn[iz - 1]! - fn[iz]!) < Math.exp(-0.5 * x * x)) return x;
      hz = this.int32();
      iz = hz & 127;
      if (Math.abs(hz) < kn[iz]!) return hz * wn[iz]!;
    }
  }
}

const ZIG_R = 3.442619855899;
let zig: { kn: Float64Array; wn: Float64Array; fn: Float64Array } | null = null;

/** Marsaglia & Tsang's 128-layer tables for int32 draws (r = 3.4426…, v = 9.9126e−3). */
function zigguratTables(): { kn: Float64Array; wn: Float64Array; fn: Float64Array } {
  if (zig !== null) return zig;
  const kn = new Float64Array(128);
  const wn = new Float64Array(128);
  const fn = new Float64Array(128);
  const m1 = 2147483648;
  const vn = 9.91256303526217e-3;
  let dn = ZIG_R;
  let tn = dn;
  const q = vn / Math.exp(-0.5 * dn * dn);
  kn[0] = (dn / q) * m1;
  kn[1] = 0;
  wn[0] = q / m1;
  wn[127] = dn / m1;
  fn[0] = 1;
  fn[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(vn / dn + Math.exp(-0.5 * dn * dn)));
    kn[i + 1] = (dn / tn) * m1;
    tn = dn;
    fn[i] = Math.exp(-0.5 * dn * dn);
    wn[i] = dn / m1;
  }
  zig = { kn, wn, fn };
  return zig;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** In place: U(low, high). */
export function uniformFast_(t: Tensor, low: number, high: number, g: Generator = defaultGenerator): Tensor {
  new FastStream(g).fillUniform(t.data as Float32Array | Float64Array, low, high);
  return t;
}

/** In place: N(mean, std²). */
export function normalFast_(t: Tensor, mean = 0, std = 1, g: Generator = defaultGenerator): Tensor {
  new FastStream(g).fillNormal(t.data as Float32Array | Float64Array, mean, std);
  return t;
}

/** PyTorch's default for Linear and Conv2d weights: kaiming-uniform with a = √5 = U(±1/√fanIn). */
export function defaultWeightInit_(t: Tensor, g?: Generator): Tensor {
  const bound = 1 / Math.sqrt(Math.max(fans(t).fanIn, 1));
  return uniformFast_(t, -bound, bound, g);
}

/** PyTorch's default bias: U(±1/√fanIn) with fanIn of the layer's weight. */
export function defaultBiasInit_(bias: Tensor, weight: Tensor, g?: Generator): Tensor {
  const fanIn = fans(weight).fanIn;
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return uniformFast_(bias, -bound, bound, g);
}

/** torchvision's conv init: kaiming-normal, mode fan_out, ReLU gain: N(0, 2 / fanOut). */
export function kaimingNormalFanOut_(t: Tensor, g?: Generator): Tensor {
  return normalFast_(t, 0, Math.SQRT2 / Math.sqrt(Math.max(fans(t).fanOut, 1)), g);
}

/** PyTorch's default initialization of one Linear or Conv2d layer (as its resetParameters). */
export function defaultInit_(layer: Linear | Conv2d, g?: Generator): void {
  defaultWeightInit_(layer.weight, g);
  if (layer.bias) defaultBiasInit_(layer.bias, layer.weight, g);
}
