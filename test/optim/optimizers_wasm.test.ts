// The wasm backend's fused Adam/AdamW and SGD steps (SIMD, in place on resident parameters and
// state) against the reference loops of src/optim/ on the ref backend: float32 parameters of odd
// sizes, 40 steps of random gradients, L2 and decoupled weight decay, momentum with dampening,
// Nesterov, maximize, parameters that are not resident (copied in and out), and amsgrad (which
// stays on the loop).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { getBackend, setBackend } from '../../src/backend/index.js';
import '../../src/backend/wasm/index.js';
import { getRuntime } from '../../src/backend/wasm/runtime.js';
import { Parameter, newParameter } from '../../src/nn/module.js';
import { Adam, AdamW, SGD, type AdamOptions, type SGDOptions } from '../../src/optim/index.js';
import { mulberry32 } from '../helpers/random.js';

const SIZES = [1, 3, 4, 7, 130];

type Ctor = new (params: Parameter[], options: AdamOptions & SGDOptions) => { step(): void };

function run(backend: 'ref' | 'wasm', Opt: Ctor, options: AdamOptions & SGDOptions, resident: boolean): Float32Array[] {
  const prev = getBackend().name;
  setBackend(backend);
  try {
    const rand = mulberry32(99);
    const params = SIZES.map((n) => {
      const p = resident ? newParameter([n]) : new Parameter(new Tensor(new Float32Array(n), [n]));
      for (let i = 0; i < n; i++) p.data[i] = rand() * 2 - 1;
      return p;
    });
    if (backend === 'wasm') {
      for (const p of params) assert.equal(getRuntime().residentOffset(p.data as Float32Array) >= 0, resident);
    }
    const opt = new Opt(params, options);
    for (let s = 0; s < 40; s++) {
      for (const p of params) p.grad = new Tensor(Float32Array.from({ length: p.size }, () => (rand() * 2 - 1) * (s % 7 === 3 ? 100 : 1)), p.shape);
      opt.step();
    }
    return params.map((p) => Float32Array.from(p.data as Float32Array));
  } finally {
    setBackend(prev);
  }
}

const cases: [string, Ctor, AdamOptions & SGDOptions][] = [
  ['SGD', SGD, { lr: 0.05 }],
  ['SGD momentum, dampening, weight decay', SGD, { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 1e-3 }],
  ['SGD Nesterov, maximize', SGD, { lr: 0.02, momentum: 0.8, nesterov: true, maximize: true }],
  ['Adam', Adam, { lr: 1e-2 }],
  ['Adam, L2 weight decay, maximize', Adam, { lr: 3e-3, weightDecay: 0.1, maximize: true, betas: [0.8, 0.99] }],
  ['AdamW', AdamW, { lr: 1e-2, weightDecay: 0.05 }],
  ['Adam amsgrad (the reference loop on both)', Adam, { lr: 1e-2, amsgrad: true }],
];

for (const [name, Opt, options] of cases) {
  for (const resident of [true, false]) {
    test(`${name}${resident ? '' : ', parameters not resident'}: wasm equals the reference loop over 40 steps`, () => {
      const want = run('ref', Opt, options, resident && false);
      const got = run('wasm', Opt, options, resident);
      for (let k = 0; k < SIZES.length; k++) {
        for (let i = 0; i < SIZES[k]!; i++) {
          const a = got[k]![i]!, b = want[k]![i]!;
          assert.ok(Math.abs(a - b) <= 2e-5 * Math.max(1, Math.abs(b)), `${name}: parameter ${k} element ${i}: wasm ${a}, reference ${b}`);
        }
      }
    });
  }
}
