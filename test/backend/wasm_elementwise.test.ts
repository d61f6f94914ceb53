// The wasm softmax cross-entropy (forward, backward) and leading-axis sum against the reference
// kernels: rows and classes ≡ 0, 1, 2, 3 (mod 4), zero sizes, ignored rows, logits of magnitude
// 100 and a row of one huge logit, float64 (falls back to ref). Then the word LM's loss on the wasm
// backend against functional crossEntropy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wasmBackend } from '../../src/backend/wasm/index.js';
import * as ref from '../../src/backend/ref/elementwise.js';
import { getBackend, setBackend } from '../../src/backend/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { softmaxCrossEntropy as lmLoss } from '../../src/lm/neural/loss.js';
import { crossEntropy } from '../../src/functional/loss.js';
import '../../src/ops/index.js'; // installs Tensor methods (backward)
import { mulberry32 } from '../helpers/random.js';

const rng = mulberry32;
const rand = rng(77);

/** |got − want| ≤ atol + rtol·|want| elementwise; non-finite values must match exactly. */
function assertNear(got: ArrayLike<number>, want: ArrayLike<number>, what: string, rtol: number, atol: number): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!, w = want[i]!;
    if (!Number.isFinite(w) || !Number.isFinite(g)) {
      assert.ok(Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w)), `${what}: element ${i} is ${g}, expected ${w}`);
      continue;
    }
    assert.ok(Math.abs(g - w) <= atol + rtol * Math.abs(w), `${what}: element ${i} is ${g}, expected ${w}`);
  }
}

type Logits = 'normal' | 'large' | 'spike';
function logits(rows: number, classes: number, kind: Logits): Float32Array {
  const x = new Float32Array(rows * classes);
  for (let i = 0; i < x.length; i++) {
    const u = rand() * 2 - 1;
    x[i] = kind === 'normal' ? 4 * u : kind === 'large' ? 100 * u : -30 + u;
  }
  if (kind === 'spike') for (let r = 0; r < rows; r++) x[r * classes + Math.floor(rand() * classes)] = 3e4;
  return x;
}
function targets(rows: number, classes: number, ignoreEvery: number): Int32Array {
  const t = new Int32Array(rows);
  for (let r = 0; r < rows; r++) t[r] = ignoreEvery > 0 && r % ignoreEvery === 1 ? -1 : Math.floor(rand() * classes);
  return t;
}

const SHAPES: [number, number][] = [
  [37, 61], [33, 62], [10, 203], [7, 5003], [2, 4099], [300, 4], [1, 1025], [1200, 1], [0, 77], [64, 0],
];

for (const kind of ['normal', 'large', 'spike'] as const) {
  test(`softmaxCrossEntropy wasm = ref, forward and backward, logits ${kind}, rows/classes ≡ 0-3 mod 4, ignored rows`, () => {
    for (const [rows, classes] of SHAPES) {
      for (const ignoreEvery of [0, 3]) {
        const what = `x=[${rows},${classes}] ${kind} ignore=${ignoreEvery}`;
        const x = logits(rows, classes, kind);
        const t = targets(rows, classes, classes === 0 ? 0 : ignoreEvery);
        if (classes === 0) t.fill(-1);
        const lossW = new Float32Array(rows).fill(NaN), lossR = new Float32Array(rows);
        const probsW = new Float32Array(rows * classes).fill(NaN), probsR = new Float32Array(rows * classes);
        wasmBackend.softmaxCrossEntropy(x, t, lossW, probsW, rows, classes);
        ref.softmaxCrossEntropy(x, t, lossR, probsR, rows, classes);
        // loss: a 1e-6 relative error, plus an absolute 1e-6 for losses near 0 (the winning row of a spike)
        assertNear(lossW, lossR, `loss ${what}`, 1e-6, 1e-6);
        assertNear(probsW, probsR, `probs ${what}`, 1e-6, 1e-12);
        const gLoss = new Float32Array(rows);
        for (let r = 0; r < rows; r++) gLoss[r] = rand() * 2 - 1;
        const gxW = new Float32Array(rows * classes).fill(NaN), gxR = new Float32Array(rows * classes);
        wasmBackend.softmaxCrossEntropyBackward(probsR, t, gLoss, gxW, rows, classes);
        ref.softmaxCrossEntropyBackward(probsR, t, gLoss, gxR, rows, classes);
        assert.deepEqual(gxW, gxR, `gx ${what} (bitwise)`);
      }
    }
  });
}

test('softmaxCrossEntropy wasm: rows with −Infinity logits give probability 0 there; an all −∞ row gives NaN like ref', () => {
  const rows = 3, classes = 1030;
  const x = logits(rows, classes, 'normal');
  for (let c = 0; c < classes; c += 7) x[c] = -Infinity;
  for (let c = 0; c < classes; c++) x[2 * classes + c] = -Infinity;
  const t = Int32Array.from([1, 5, 0]);
  const lossW = new Float32Array(rows), lossR = new Float32Array(rows);
  const probsW = new Float32Array(rows * classes), probsR = new Float32Array(rows * classes);
  wasmBackend.softmaxCrossEntropy(x, t, lossW, probsW, rows, classes);
  ref.softmaxCrossEntropy(x, t, lossR, probsR, rows, classes);
  assertNear(lossW, lossR, 'loss', 1e-6, 1e-6);
  assertNear(probsW, probsR, 'probs', 1e-6, 1e-12);
  for (let c = 0; c < classes; c += 7) assert.equal(probsW[c], 0);
});

test('softmaxCrossEntropy wasm: float64 goes to ref (same bits)', () => {
  const rows = 9, classes = 301;
  const x = Float64Array.from(logits(rows, classes, 'normal'));
  const t = targets(rows, classes, 4);
  const a = [new Float64Array(rows), new Float64Array(rows * classes)] as const;
  const b = [new Float64Array(rows), new Float64Array(rows * classes)] as const;
  wasmBackend.softmaxCrossEntropy(x, t, a[0], a[1], rows, classes);
  ref.softmaxCrossEntropy(x, t, b[0], b[1], rows, classes);
  assert.deepEqual(a, b);
});

test('reduce sum over the leading axis: wasm = ref, sizes ≡ 0-3 mod 4, blocks of 512 columns, zero sizes', () => {
  const cases: [number, number, number][] = [
    [1, 1120, 5003], [1, 1120, 800], [1, 5, 1027], [1, 6, 513], [1, 7, 511], [1, 4099, 2], [1, 3, 3000],
    [1, 0, 2000], [1, 2000, 0], [1, 1, 1500], [2, 600, 3], [3, 1000, 1], // the last two go to ref
  ];
  for (const [outer, size, inner] of cases) {
    const x = new Float32Array(outer * size * inner);
    for (let i = 0; i < x.length; i++) x[i] = (rand() * 2 - 1) * (i % 5 === 0 ? 1e3 : 1);
    const got = new Float32Array(outer * inner).fill(NaN), want = new Float32Array(outer * inner);
    wasmBackend.reduce('sum', x, got, outer, size, inner);
    ref.reduce('sum', x, want, outer, size, inner);
    // f64 sums in a different order, both rounded once to f32
    assertNear(got, want, `sum (${outer}, ${size}, ${inner})`, 1e-6, 1e-9);
  }
  const x = Float32Array.from({ length: 4 * 700 }, () => rand());
  for (const op of ['max', 'argmax'] as const) {
    const got = op === 'max' ? new Float32Array(700) : new Int32Array(700);
    const want = op === 'max' ? new Float32Array(700) : new Int32Array(700);
    wasmBackend.reduce(op, x, got, 1, 4, 700);
    ref.reduce(op, x, want, 1, 4, 700);
    assert.deepEqual(got, want, op);
  }
});

test('word-LM softmaxCrossEntropy on the wasm backend equals functional crossEntropy on ref (values and gradients)', () => {
  const prev = getBackend().name;
  try {
    const N = 70, V = 203;
    const x = logits(N, V, 'normal');
    const t = new Tensor(targets(N, V, 0), [N]);
    for (const reduction of ['mean', 'sum'] as const) {
      const a = new Tensor(x.slice(), [N, V]).requiresGrad_();
      const b = new Tensor(x.slice(), [N, V]).requiresGrad_();
      setBackend('wasm');
      const fused = lmLoss(a, t, reduction);
      fused.backward();
      setBackend('ref');
      const composed = crossEntropy(b, t, { reduction });
      composed.backward();
      assert.ok(Math.abs(fused.item() - composed.item()) <= 1e-6 * Math.abs(composed.item()), `${reduction}: ${fused.item()} vs ${composed.item()}`);
      assertNear(a.grad!.toTypedArray(), b.grad!.toTypedArray(), `grad ${reduction}`, 1e-6, 1e-9);
    }
  } finally {
    setBackend(prev);
  }
});

test('binary add of a dense tensor and a broadcast row (bias add): wasm = ref bitwise, either side, odd sizes', () => {
  const cases: number[][] = [[32, 35, 5003], [1120, 800], [7, 1025], [3, 5, 97], [2000, 1], [1, 1030], [2, 0, 600]];
  for (const shape of cases) {
    const nd = shape.length, cols = shape[nd - 1]!, n = shape.reduce((p, d) => p * d, 1);
    const x = Float32Array.from({ length: n + 3 }, () => rand() * 8 - 4); // offset 3: a view
    const b = Float32Array.from({ length: cols + 1 }, () => rand() * 8 - 4); // offset 1
    const xs = { data: x, offset: 3, strides: shape.map((_, d) => shape.slice(d + 1).reduce((p, v) => p * v, 1)) };
    const bs = { data: b, offset: 1, strides: shape.map((_, d) => (d === nd - 1 ? 1 : 0)) };
    for (const [l, r] of [[xs, bs], [bs, xs]] as const) {
      const got = new Float32Array(n).fill(NaN), want = new Float32Array(n);
      wasmBackend.binary('add', l, r, got, shape);
      ref.binary('add', l, r, want, shape);
      assert.deepEqual(got, want, `add ${JSON.stringify(shape)} bias ${l === bs ? 'left' : 'right'}`);
    }
  }
  // not the bias pattern: goes to ref
  const a = { data: Float32Array.from({ length: 2048 }, () => rand()), offset: 0, strides: [64, 1] };
  const c = { data: Float32Array.from({ length: 32 }, () => rand()), offset: 0, strides: [1, 0] };
  const got = new Float32Array(2048), want = new Float32Array(2048);
  wasmBackend.binary('add', a, c, got, [32, 64]);
  ref.binary('add', a, c, want, [32, 64]);
  assert.deepEqual(got, want, 'column broadcast');
});

const denseStrides = (shape: readonly number[]): number[] => shape.map((_, d) => shape.slice(d + 1).reduce((p, v) => p * v, 1));

test('binary add/mul: per-channel vector (either side, any middle axis) and same-shape operands, wasm = ref bitwise', () => {
  const cases: [number[], number][] = [[[64, 6, 28, 28], 1], [[3, 5, 7, 11], 1], [[2, 3, 4, 5, 6], 2], [[9, 130, 3], 1], [[1, 7, 1, 333], 1], [[4, 0, 5, 6], 1]];
  for (const [shape, axis] of cases) {
    const n = shape.reduce((p, d) => p * d, 1), C = shape[axis]!;
    const x = Float32Array.from({ length: n + 2 }, () => rand() * 8 - 4);
    const b = Float32Array.from({ length: C + 1 }, () => rand() * 8 - 4);
    const xs = { data: x, offset: 2, strides: denseStrides(shape) };
    const bs = { data: b, offset: 1, strides: shape.map((_, d) => (d === axis ? 1 : 0)) };
    const ys = { data: Float32Array.from({ length: n }, () => rand() * 8 - 4), offset: 0, strides: denseStrides(shape) };
    for (const op of ['add', 'mul'] as const) {
      for (const [l, r, what] of [[xs, bs, 'channel right'], [bs, xs, 'channel left'], [xs, ys, 'same shape']] as const) {
        const got = new Float32Array(n).fill(NaN), want = new Float32Array(n);
        wasmBackend.binary(op, l, r, got, shape);
        ref.binary(op, l, r, want, shape);
        assert.deepEqual(got, want, `${op} ${JSON.stringify(shape)} ${what}`);
      }
    }
  }
});

test('relu and its backward: wasm = ref bitwise on odd lengths with ±0, ±∞ and NaN inputs and gradients', () => {
  for (const n of [1024, 1025, 1026, 1027, 5000, 3]) {
    const x = Float32Array.from({ length: n }, () => rand() * 4 - 2);
    const gy = Float32Array.from({ length: n }, () => rand() * 4 - 2);
    const specials = [0, -0, Infinity, -Infinity, NaN, 1e-40, -1e-40];
    for (let i = 0; i < n; i += 17) { x[i] = specials[(i / 17) % specials.length]!; gy[(i + 5) % n] = specials[(i / 17 + 2) % specials.length]!; }
    const got = new Float32Array(n).fill(7), want = new Float32Array(n);
    wasmBackend.unary('relu', x, got);
    ref.unary('relu', x, want);
    assert.deepEqual(got, want, `relu n=${n}`);
    const g1 = new Float32Array(n).fill(7), g0 = new Float32Array(n);
    wasmBackend.unaryBackward('relu', x, want, gy, g1);
    ref.unaryBackward('relu', x, want, gy, g0);
    assert.deepEqual(g1, g0, `relu backward n=${n}`);
    const inPlace = gy.slice(); // gx may alias gy
    wasmBackend.unaryBackward('relu', x, want, inPlace, inPlace);
    assert.deepEqual(inPlace, g0, `relu backward in place n=${n}`);
  }
});

test('tanh, sigmoid, exp: wasm SIMD within 2 ulp of ref on lengths ≡ 0-3 mod 4, with saturation, ±0, ±∞ and NaN', () => {
  for (const op of ['tanh', 'sigmoid', 'exp'] as const) {
    for (const n of [1024, 1025, 1026, 1027, 4099]) {
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = (rand() * 2 - 1) * (i % 3 === 0 ? 0.5 : i % 3 === 1 ? 8 : 80);
      x.set([0, -0, Infinity, -Infinity, NaN, 1e-30, -1e-30, 88, -87], 0);
      const want = new Float32Array(n), got = new Float32Array(n);
      ref.unary(op, x, want);
      wasmBackend.unary(op, x, got);
      for (let i = 0; i < n; i++) {
        const w = want[i]!, g = got[i]!;
        if (!Number.isFinite(w)) {
          assert.ok(Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w)), `${op}(${x[i]}) = ${g}, ref ${w}`);
          continue;
        }
        // 2 ulp of float32 at w (and of the smallest normal near 0)
        const ulp = Math.max(Math.abs(w), 2 ** -126) * 2 ** -23;
        assert.ok(Math.abs(g - w) <= 2 * ulp, `${op}(${x[i]}) = ${g}, ref ${w} (n = ${n}, element ${i})`);
      }
      assert.ok(Object.is(got[1], op === 'tanh' ? -0 : got[1]), 'tanh(−0) = −0');
    }
  }
});
