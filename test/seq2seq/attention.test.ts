// Attention layers: PyTorch fixtures (context, weights and every gradient; scripts/gen_attention_fixtures.py
// writes Luong's dot/general and Bahdanau's additive scores out in PyTorch, masked with masked_fill(-inf)),
// on both backends; float64 gradchecks; masks; shape errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Tensor } from '../../src/tensor/tensor.js';
import { randn } from '../../src/tensor/creation.js';
import { manualSeed } from '../../src/tensor/random.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { mul, sum, add } from '../../src/ops/index.js';
import { getBackend, setBackend } from '../../src/backend/index.js';
import '../../src/index.js';
import { createAttention, DotAttention, GeneralAttention, AdditiveAttention, type AttentionScore } from '../../src/nn/attention.js';
import { lengthMask } from '../../src/seq/batching.js';
import { assertClose } from '../helpers/assert.js';
import { toFloat64 } from '../nn/helpers.js';

interface Entry { shape: number[]; data: number[] }
interface Case {
  name: string;
  kind: AttentionScore;
  dims: { B: number; Tq: number; S: number; Dq: number; Dk: number; Dv: number; A: number };
  lengths: number[] | null;
  query: Entry; keys: Entry; values: Entry; R: Entry; Rw: Entry; context: Entry; weights: Entry;
  params: Record<string, Entry>;
  grads: Record<string, Entry>;
}
const fixtures = JSON.parse(readFileSync(new URL('../../../test/fixtures/seq2seq/attention.json', import.meta.url), 'utf8')) as { cases: Case[] };
const t32 = (e: Entry): Tensor => new Tensor(Float32Array.from(e.data), e.shape);

function build(c: Case) {
  const m = c.kind === 'additive' ? new AdditiveAttention(c.dims.Dq, c.dims.Dk, c.dims.A) : createAttention(c.kind, c.dims.Dq, c.dims.Dk);
  const params = new Map(m.namedParameters());
  for (const [name, e] of Object.entries(c.params)) params.get(name)!.data.set(Float32Array.from(e.data));
  assert.deepEqual([...params.keys()].sort(), Object.keys(c.params).sort(), `${c.name}: parameter names`);
  return m;
}

const original = getBackend().name;
for (const backend of ['ref', 'wasm']) {
  for (const c of fixtures.cases) {
    test(`attention ${c.name} matches PyTorch (values and gradients) on ${backend}`, () => {
      setBackend(backend);
      try {
        const m = build(c);
        const q = t32(c.query).requiresGrad_();
        const k = t32(c.keys).requiresGrad_();
        const v = t32(c.values).requiresGrad_();
        const mask = c.lengths === null ? null : lengthMask(c.lengths, c.dims.S);
        const r = m.attend(q, k, v, mask);
        assertClose(r.context, c.context.data, 1e-5, 1e-5, 'context');
        assertClose(r.weights, c.weights.data, 1e-5, 1e-6, 'weights');
        add(sum(mul(r.context, t32(c.R))), sum(mul(r.weights, t32(c.Rw)))).backward();
        assertClose(q.grad!, c.grads.query!.data, 1e-4, 1e-5, 'd query');
        assertClose(k.grad!, c.grads.keys!.data, 1e-4, 1e-5, 'd keys');
        assertClose(v.grad!, c.grads.values!.data, 1e-4, 1e-5, 'd values');
        for (const [name, p] of m.namedParameters()) assertClose(p.grad!, c.grads[name]!.data, 1e-4, 1e-5, `d ${name}`);
        if (mask !== null) {
          // masked positions get exactly zero weight
          const w = r.weights.toTypedArray();
          const { B, Tq, S } = c.dims;
          for (let b = 0; b < B; b++) for (let t = 0; t < Tq; t++) for (let s = c.lengths![b]!; s < S; s++) assert.equal(w[(b * Tq + t) * S + s], 0);
        }
      } finally {
        setBackend(original);
      }
    });
  }
}

for (const kind of ['dot', 'general', 'additive'] as const) {
  test(`attention ${kind}: float64 gradcheck with a mask, every input and parameter`, () => {
    manualSeed(3);
    const m = toFloat64(createAttention(kind, 3, kind === 'dot' ? 3 : 4));
    const f64 = (shape: number[]): Tensor => new Tensor(Float64Array.from(randn(shape).toTypedArray()), shape).requiresGrad_();
    const q = f64([2, 2, 3]);
    const k = f64([2, 4, kind === 'dot' ? 3 : 4]);
    const v = f64([2, 4, 2]);
    const mask = lengthMask([4, 2], 4);
    gradcheck((qq, kk, vv) => m.attend(qq, kk, vv, mask).context, [q, k, v, ...m.parameters()]);
    gradcheck((qq, kk) => m.attend(qq, kk, v, mask).weights, [q, k, ...m.parameters()]);
  });
}

test('attention: shape and mask errors name the layer and both shapes', () => {
  const m = new GeneralAttention(4, 6);
  const q = randn([2, 3, 4]);
  const k = randn([2, 5, 6]);
  assert.throws(() => m.attend(randn([2, 3, 5]), k), /GeneralAttention: query \[2, 3, 5\] has 5 features, expected queryDim 4/);
  assert.throws(() => m.attend(q, randn([2, 5, 4])), /keys \[2, 5, 4\] have 4 features, expected keyDim 6/);
  assert.throws(() => m.attend(q, k, randn([2, 4, 3])), /must agree on batch and on S/);
  assert.throws(() => m.attend(q, k, k, lengthMask([5, 5, 5], 5)), /mask must be a bool tensor of shape \[2, 5\]/);
  assert.throws(() => createAttention('dot', 4, 6), /dot attention needs equal query and key widths, got 4 and 6/);
  assert.throws(() => createAttention('bilinear' as AttentionScore, 4, 6), /unknown attention 'bilinear'/);
  assert.equal(new DotAttention(4).numParameters(), 0);
});
