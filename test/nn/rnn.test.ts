// Recurrent layers: PyTorch fixtures (outputs, final states and every gradient, to 1e-5), float64
// gradchecks of the fused recurrence against composed cells, and a small learning task.
// Fixtures: scripts/gen_rnn_fixtures.py (torch.nn.RNN/LSTM/GRU and their cells, packed sequences
// for the `lengths` cases); each case records the torch constructor that produced it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Tensor } from '../../src/tensor/tensor.js';
import { tensor, randn, zeros } from '../../src/tensor/creation.js';
import { Generator, manualSeed } from '../../src/tensor/random.js';
import { gradcheck } from '../../src/autograd/gradcheck.js';
import { noGrad } from '../../src/autograd/grad_mode.js';
import { add, cat, mul, sum, reshape, argmax } from '../../src/ops/index.js';
import { crossEntropy } from '../../src/functional/loss.js';
import { RNN, LSTM, GRU, RNNBase, RNNCell, LSTMCell, GRUCell, Embedding, Linear, Module, Parameter, cellStep, cellStepReference } from '../../src/nn/index.js';
import { recurrence, unpackRecurrence, type RecurrenceMode } from '../../src/ops/lstm_cell.js';

interface Entry { shape: number[]; data: number[] }
interface Case {
  name: string;
  kind: string;
  config: { inputSize: number; hiddenSize: number; numLayers?: number; bidirectional?: boolean; batchFirst?: boolean; nonlinearity: 'tanh' | 'relu'; bias?: boolean };
  params: Record<string, Entry>;
  input: Entry; output?: Entry; h: Entry; c?: Entry; h0?: Entry; c0?: Entry;
  R?: Entry; Rh: Entry; Rc?: Entry;
  lengths?: number[];
  grads: Record<string, Entry>;
}

const FIXTURES = new URL('../../../test/fixtures/rnn/', import.meta.url);
const load = (kind: string): Case[] => JSON.parse(readFileSync(new URL(`${kind}.json`, FIXTURES), 'utf8')).cases;
const t32 = (e: Entry, requiresGrad = false): Tensor => tensor(e.data, e.shape, { requiresGrad });

function assertClose(got: Tensor | null | undefined, want: Entry, tol: number, what: string): void {
  assert.ok(got, `${what}: missing`);
  assert.deepEqual([...got.shape], want.shape, `${what}: shape`);
  const g = got.toTypedArray();
  for (let i = 0; i < want.data.length; i++) {
    const err = Math.abs(g[i]! - want.data[i]!);
    if (!(err <= tol * (1 + Math.abs(want.data[i]!)))) assert.fail(`${what}[${i}]: got ${g[i]}, PyTorch ${want.data[i]} (error ${err.toExponential(2)})`);
  }
}

function buildLayer(c: Case): RNNBase {
  const o = { numLayers: c.config.numLayers, bidirectional: c.config.bidirectional, batchFirst: c.config.batchFirst, bias: c.config.bias };
  if (c.kind === 'rnn') return new RNN(c.config.inputSize, c.config.hiddenSize, { ...o, nonlinearity: c.config.nonlinearity });
  if (c.kind === 'lstm') return new LSTM(c.config.inputSize, c.config.hiddenSize, o);
  return new GRU(c.config.inputSize, c.config.hiddenSize, o);
}

function loadParams(m: Module, c: Case): void {
  m.loadStateDict(new Map(Object.entries(c.params).map(([k, v]) => [k, t32(v)])));
}

for (const kind of ['rnn', 'lstm', 'gru']) {
  for (const c of load(kind)) {
    test(`fixture ${c.name} — ${c.kind}`, () => {
      const x = t32(c.input, true);
      const h0 = c.h0 ? t32(c.h0, true) : undefined;
      const c0 = c.c0 ? t32(c.c0, true) : undefined;
      let m: Module;
      let loss: Tensor;
      let h: Tensor;
      let cn: Tensor | undefined;
      if (c.kind.endsWith('_cell')) {
        const cfg = c.config;
        if (c.kind === 'rnn_cell') m = new RNNCell(cfg.inputSize, cfg.hiddenSize, { nonlinearity: cfg.nonlinearity });
        else if (c.kind === 'lstm_cell') m = new LSTMCell(cfg.inputSize, cfg.hiddenSize);
        else m = new GRUCell(cfg.inputSize, cfg.hiddenSize);
        loadParams(m, c);
        if (m instanceof LSTMCell) ({ h, c: cn } = m.run(x, { h: h0, c: c0 }));
        else h = (m as RNNCell).forward(x, h0);
        loss = sum(mul(h, t32(c.Rh)));
      } else {
        const layer = buildLayer(c);
        m = layer;
        loadParams(m, c);
        const r = layer.run(x, { h0, c0, lengths: c.lengths });
        assertClose(r.output, c.output!, 1e-5, 'output');
        h = r.h;
        cn = r.c;
        loss = add(sum(mul(r.output, t32(c.R!))), sum(mul(h, t32(c.Rh))));
      }
      assertClose(h, c.h, 1e-5, 'h');
      if (c.c) {
        assertClose(cn, c.c, 1e-5, 'c');
        loss = add(loss, sum(mul(cn!, t32(c.Rc!))));
      }
      loss.backward();
      assertClose(x.grad, c.grads.input!, 1e-5, 'grad input');
      if (h0) assertClose(h0.grad, c.grads.h0!, 1e-5, 'grad h0');
      if (c0) assertClose(c0.grad, c.grads.c0!, 1e-5, 'grad c0');
      for (const [name, p] of m.namedParameters()) assertClose(p.grad, c.grads[name]!, 1e-5, `grad ${name}`);
    });
  }
}

// ---------- float64 gradchecks of the fused primitive ----------

const f64 = (shape: number[], g: Generator, scale = 1): Tensor => {
  const t = randn(shape, { dtype: 'float64', generator: g });
  for (let i = 0; i < t.data.length; i++) t.data[i]! *= scale;
  return t.requiresGrad_();
};

for (const mode of ['rnn_tanh', 'rnn_relu', 'lstm', 'gru'] as RecurrenceMode[]) {
  const G = mode === 'lstm' ? 4 : mode === 'gru' ? 3 : 1;
  test(`cell ${mode}: fused step equals the composed reference and passes gradcheck (float64)`, () => {
    const g = new Generator(7);
    const [B, I, H] = [3, 4, 5];
    const x = f64([B, I], g), h = f64([B, H], g, 0.5), c = f64([B, H], g, 0.5);
    const w = { wIh: f64([G * H, I], g, 0.4), wHh: f64([G * H, H], g, 0.4), bIh: f64([G * H], g, 0.3), bHh: f64([G * H], g, 0.3) };
    const cc = mode === 'lstm' ? c : null;
    const fused = cellStep(mode, x, h, cc, w);
    const ref = cellStepReference(mode, x, h, cc, w);
    const a = fused.h.toTypedArray(), b = ref.h.toTypedArray();
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 1e-12, `h[${i}] ${a[i]} vs ${b[i]}`);
    if (cc) {
      const a2 = fused.c!.toTypedArray(), b2 = ref.c!.toTypedArray();
      for (let i = 0; i < a2.length; i++) assert.ok(Math.abs(a2[i]! - b2[i]!) < 1e-12);
    }
    const inputs = [x, h, c, w.wIh, w.wHh, w.bIh, w.bHh];
    const f = (xx: Tensor, hh: Tensor, c2: Tensor, wIh: Tensor, wHh: Tensor, bIh: Tensor, bHh: Tensor): Tensor => {
      const r = cellStep(mode, xx, hh, mode === 'lstm' ? c2 : null, { wIh, wHh, bIh, bHh });
      return r.c ? cat([r.h, r.c], 1) : r.h;
    };
    if (mode !== 'lstm') c.requiresGrad = false;
    gradcheck(f as (...t: Tensor[]) => Tensor, inputs);
  });

  test(`recurrence ${mode}: reverse + lengths sequences pass gradcheck (float64)`, () => {
    const g = new Generator(11);
    const [T, B, H] = [4, 3, 3];
    const gx = f64([T, B, G * H], g), wHh = f64([G * H, H], g, 0.5), bHh = f64([G * H], g, 0.3);
    const h0 = f64([B, H], g, 0.5), c0 = f64([B, H], g, 0.5);
    if (mode !== 'lstm') c0.requiresGrad = false;
    for (const reverse of [false, true]) {
      const f = (a: Tensor, w: Tensor, b: Tensor, h: Tensor, c: Tensor): Tensor =>
        recurrence(mode, a, w, b, h, mode === 'lstm' ? c : null, { reverse, lengths: [4, 2, 0] });
      gradcheck(f as (...t: Tensor[]) => Tensor, [gx, wHh, bHh, h0, c0]);
    }
  });
}

test('recurrence: masked steps give zero output and keep the last valid state', () => {
  const g = new Generator(3);
  const [T, B, H] = [4, 2, 2];
  const gx = f64([T, B, 4 * H], g), w = f64([4 * H, H], g), h0 = f64([B, H], g), c0 = f64([B, H], g);
  const full = unpackRecurrence(recurrence('lstm', gx, w, null, h0, c0), 'lstm');
  const masked = unpackRecurrence(recurrence('lstm', gx, w, null, h0, c0, { lengths: [4, 2] }), 'lstm');
  const o = masked.output.toArray() as number[][][];
  const of = full.output.toArray() as number[][][];
  assert.deepEqual(o[2]![1], [0, 0]);
  assert.deepEqual(o[3]![1], [0, 0]);
  assert.deepEqual(o[1]![1], of[1]![1]);
  assert.deepEqual((masked.h.toArray() as number[][])[1], of[1]![1]);
  assert.deepEqual((masked.h.toArray() as number[][])[0], (full.h.toArray() as number[][])[0]);
});

test('layers: shape errors name the layer and both shapes', () => {
  const lstm = new LSTM(3, 4, { numLayers: 2 });
  assert.throws(() => lstm.run(zeros([5, 2, 7])), /LSTM: input \[5, 2, 7\] has 7 features, expected inputSize 3/);
  assert.throws(() => lstm.run(zeros([5, 2, 3]), { h0: zeros([1, 2, 4]) }), /h0 must be \[2, 2, 4\]/);
  assert.throws(() => new GRU(3, 4).run(zeros([5, 2, 3]), { lengths: [6, 1] }), /length 6 of sequence 0/);
  assert.deepEqual([...lstm.stateDict().keys()], ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1']);
  assert.equal(new LSTM(10, 20, { bidirectional: true }).numParameters(), 2 * (4 * 20 * (10 + 20) + 8 * 20));
});

test('layers: unbatched input (T, I) gives the same numbers as a batch of one', () => {
  manualSeed(5);
  const gru = new GRU(3, 4, { numLayers: 2 });
  const x = randn([6, 3]);
  const a = gru.run(x);
  const b = gru.run(reshape(x, [6, 1, 3]));
  assert.deepEqual([...a.output.shape], [6, 4]);
  assert.deepEqual([...a.h.shape], [2, 4]);
  assert.deepEqual(Array.from(a.output.toTypedArray()), Array.from(b.output.toTypedArray()));
});

test('Embedding: lookup, padding row gets no gradient', () => {
  manualSeed(1);
  const emb = new Embedding(5, 3, { paddingIdx: 0 });
  assert.deepEqual(Array.from(emb.weight.toTypedArray().subarray(0, 3)), [0, 0, 0]);
  const ids = tensor([[0, 2, 2], [4, 0, 1]], { dtype: 'int32' });
  const y = emb.forward(ids);
  assert.deepEqual([...y.shape], [2, 3, 3]);
  assert.deepEqual(Array.from(y.toTypedArray().subarray(3, 6)), Array.from(emb.weight.toTypedArray().subarray(6, 9)));
  sum(y).backward();
  const gw = emb.weight.grad!.toArray() as number[][];
  assert.deepEqual(gw[0], [0, 0, 0]);
  assert.deepEqual(gw[2], [2, 2, 2]);
  assert.deepEqual(gw[3], [0, 0, 0]);
  assert.deepEqual(gw[1], [1, 1, 1]);
  assert.throws(() => emb.forward(tensor([5], { dtype: 'int32' })), /index 5 is out of range/);
});

// ---------- learning: an LSTM reverses short sequences ----------

test('LSTM learns to reverse a sequence of 4 symbols (CI-sized)', () => {
  // Input: a1 a2 a3 a4 SEP _ _ _ _ ; the outputs at the last 4 steps must be a4 a3 a2 a1.
  manualSeed(42);
  const V = 4, N = 4, SEP = V, BLANK = V + 1, T = 2 * N + 1, B = 32;
  const gen = new Generator(123);
  class Reverser extends Module {
    emb = this.registerModule('emb', new Embedding(V + 2, 16));
    lstm = this.registerModule('lstm', new LSTM(16, 48));
    head = this.registerModule('head', new Linear(48, V));
    forward(ids: Tensor): Tensor {
      const out = this.lstm.run(this.emb.forward(ids)).output; // (T, B, H)
      return this.head.forward(out.narrow(0, N + 1, N)); // (N, B, V)
    }
  }
  const model = new Reverser();
  const batch = (): { x: Tensor; y: Tensor } => {
    const x = new Int32Array(T * B), y = new Int32Array(N * B);
    for (let b = 0; b < B; b++) {
      const seq = Array.from({ length: N }, () => gen.int(0, V));
      for (let t = 0; t < N; t++) { x[t * B + b] = seq[t]!; y[t * B + b] = seq[N - 1 - t]!; }
      x[N * B + b] = SEP;
      for (let t = N + 1; t < T; t++) x[t * B + b] = BLANK;
    }
    return { x: new Tensor(x, [T, B]), y: new Tensor(y, [N, B]) };
  };
  // Adam, inline (the library's optimizers live in src/optim).
  const params = model.parameters();
  const m1 = params.map((p) => new Float32Array(p.size)), m2 = params.map((p) => new Float32Array(p.size));
  const lr = 0.01, b1 = 0.9, b2 = 0.999;
  let acc = 0;
  for (let step = 1; step <= 400; step++) {
    const { x, y } = batch();
    const logits = model.forward(x);
    const loss = crossEntropy(reshape(logits, [N * B, V]), reshape(y, [N * B]));
    model.zeroGrad();
    loss.backward();
    params.forEach((p: Parameter, i) => {
      const gr = p.grad!.toTypedArray();
      for (let j = 0; j < p.size; j++) {
        m1[i]![j] = b1 * m1[i]![j]! + (1 - b1) * gr[j]!;
        m2[i]![j] = b2 * m2[i]![j]! + (1 - b2) * gr[j]! * gr[j]!;
        p.data[j]! -= (lr * (m1[i]![j]! / (1 - b1 ** step))) / (Math.sqrt(m2[i]![j]! / (1 - b2 ** step)) + 1e-8);
      }
    });
    if (step % 50 === 0) {
      const test = batch();
      const pred = noGrad(() => argmax(model.forward(test.x), -1)).toTypedArray();
      const want = test.y.toTypedArray();
      let ok = 0;
      for (let i = 0; i < want.length; i++) if (pred[i] === want[i]) ok++;
      acc = ok / want.length;
      if (acc >= 0.98) break;
    }
  }
  assert.ok(acc >= 0.98, `accuracy ${acc}`);
});
