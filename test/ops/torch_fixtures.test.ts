import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as nv from '../../src/index.js';
import '../../src/backend/wasm/index.js';
import type { Tensor } from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';

// Golden values from PyTorch (scripts/gen_fixtures.py): each case's output and the gradients of
// sum(output · r) must match to 1e-5 relative (plus 1e-5 absolute for values near zero, where
// float32 rounding of cancelling terms dominates).

interface FixtureTensor { shape: number[]; data: number[]; dtype?: string }
interface FixtureCase {
  name: string;
  op: string;
  params: Record<string, unknown>;
  inputs: Record<string, FixtureTensor>;
  output: FixtureTensor;
  r: FixtureTensor;
  grads: Record<string, FixtureTensor>;
}

const here = dirname(fileURLToPath(import.meta.url));
// Tests run from dist/test/ops; the fixtures stay in the source tree.
const fixtureDir = join(here, '..', '..', '..', 'test', 'fixtures', 'torch');

function load(file: string): FixtureCase[] {
  return (JSON.parse(readFileSync(join(fixtureDir, `${file}.json`), 'utf8')) as { cases: FixtureCase[] }).cases;
}

function toTensor(t: FixtureTensor, dtype: 'float32' | 'float64'): Tensor {
  if (t.dtype === 'int32') return nv.tensor(t.data, t.shape, { dtype: 'int32' });
  // The fixture values are float32 numbers written in short decimal form: read them as float32.
  const values = Float32Array.from(t.data);
  return nv.tensor(dtype === 'float64' ? Float64Array.from(values) : values, t.shape, { dtype });
}

type Params = Record<string, any>;
const ops: Record<string, (x: Record<string, Tensor>, p: Params) => Tensor> = {
  conv2d: (x, p) => nv.conv2d(x.input!, x.weight!, x.bias, p),
  max_pool2d: (x, p) => nv.maxPool2d(x.input!, p.kernelSize, p),
  avg_pool2d: (x, p) => nv.avgPool2d(x.input!, p.kernelSize, p),
  min_pool2d: (x, p) => nv.minPool2d(x.input!, p.kernelSize, p),
  adaptive_avg_pool2d: (x, p) => nv.adaptiveAvgPool2d(x.input!, p.outputSize),
  matmul: (x) => nv.matmul(x.input!, x.other!),
  softmax: (x, p) => nv.softmax(x.input!, p.dim),
  log_softmax: (x, p) => nv.logSoftmax(x.input!, p.dim),
  cross_entropy: (x, p) => nv.crossEntropy(x.input!, x.target!, p),
  nll_loss: (x, p) => nv.nllLoss(x.input!, x.target!, p),
};

const files = ['conv2d', 'max_pool2d', 'avg_pool2d', 'min_pool2d', 'adaptive_avg_pool2d', 'matmul', 'softmax', 'cross_entropy', 'nll_loss'];
// One suite for every backend (float64 runs on the reference kernels only).
const runs = [['ref', 'float32'], ['ref', 'float64'], ['wasm', 'float32']] as const;
for (const file of files) {
  for (const c of load(file)) {
    for (const [backend, dtype] of runs) {
      test(`torch ${c.name} (${backend}, ${dtype})`, () => {
        nv.setBackend(backend);
        const inputs: Record<string, Tensor> = {};
        for (const [k, v] of Object.entries(c.inputs)) {
          inputs[k] = toTensor(v, dtype);
          if (c.grads[k]) inputs[k]!.requiresGrad = true;
        }
        const fn = ops[c.op];
        if (!fn) throw new Error(`no op for fixture op '${c.op}'`);
        const out = fn(inputs, c.params);
        assertClose(out, c.output.data, 1e-5, 1e-5, 'output');
        const r = toTensor(c.r, dtype);
        nv.sum(nv.mul(out, nv.reshape(r, out.shape))).backward();
        for (const [k, g] of Object.entries(c.grads)) {
          const grad = inputs[k]!.grad;
          if (grad === null) throw new Error(`no gradient reached '${k}'`);
          assertClose(grad, g.data, 1e-5, 1e-5, `grad of ${k}`);
        }
      });
    }
  }
}
