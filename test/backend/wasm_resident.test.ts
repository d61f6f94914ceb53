// Resident parameters: on the wasm backend a layer's parameters live in the shared WebAssembly
// memory (runtime.residentF32) and kernels read them in place. Checked here: layers get resident
// parameters; every kernel that reads a parameter gives bit-identical results whether the operand
// is resident or an ordinary array; residents survive memory growth, dtype round trips, optimizer
// steps and a safetensors round trip; collected residents return their blocks to the heap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wasmBackend } from '../../src/backend/wasm/index.js';
import { getRuntime } from '../../src/backend/wasm/runtime.js';
import { setBackend, getBackend } from '../../src/backend/index.js';
import * as nv from '../../src/index.js';
import { Linear, Conv2d, LSTM, BatchNorm2d, Embedding } from '../../src/nn/index.js';
import { SGD } from '../../src/optim/index.js';
import { saveSafetensors, loadSafetensors } from '../../src/node/safetensors.js';
import { mulberry32 } from '../helpers/random.js';

const rand = mulberry32(5);
const randArray = (n: number): Float32Array => Float32Array.from({ length: n }, () => rand() * 2 - 1);
const rt = getRuntime();

/** A resident copy of `a`. */
function resident(a: Float32Array): Float32Array {
  const r = rt.residentF32(a.length);
  assert.ok(r !== null, 'shared memory gives resident arrays');
  r.set(a);
  return r;
}

function withWasm<T>(f: () => T): T {
  const prev = getBackend().name;
  setBackend('wasm');
  try { return f(); } finally { setBackend(prev); }
}

test('layers made on the wasm backend have resident parameters; ref-backend layers do not', () => {
  withWasm(() => {
    for (const m of [new Linear(5, 3), new Conv2d(2, 4, 3), new LSTM(3, 6), new BatchNorm2d(4), new Embedding(7, 3)]) {
      for (const p of m.parameters()) assert.ok(rt.residentOffset(p.data as Float32Array) >= 0, `${m.constructor.name} parameter ${p.shape}`);
    }
  });
  const prev = getBackend().name;
  setBackend('ref');
  try {
    for (const p of new Linear(5, 3).parameters()) assert.equal(rt.residentOffset(p.data as Float32Array), -1);
  } finally { setBackend(prev); }
});

test('matmul, conv2d (forward, backward input), batch norm, bias adds, LSTM: resident operands give identical results', () => {
  // matmul NN / NT with m = 1 (gemv) and m = 7 (packed), resident B and resident A
  for (const [m, n, k, transB] of [[1, 13, 9, true], [1, 13, 9, false], [7, 5, 11, true], [7, 6, 3, false]] as const) {
    const a = randArray(m * k), b = randArray(n * k);
    const p = { batch: 1, m, n, k, transA: false, transB, aBatchStride: 0, bBatchStride: 0 };
    const want = new Float32Array(m * n), got = new Float32Array(m * n), got2 = new Float32Array(m * n);
    wasmBackend.matmul(a, b, want, p);
    wasmBackend.matmul(a, resident(b), got, p);
    wasmBackend.matmul(resident(a), b, got2, p);
    assert.deepEqual(got, want, `matmul ${m}×${n}×${k} ${transB ? 'NT' : 'NN'} resident B`);
    assert.deepEqual(got2, want, `matmul ${m}×${n}×${k} resident A`);
  }
  const g = { n: 2, c: 3, h: 7, w: 6, o: 5, kh: 3, kw: 3, oh: 7, ow: 6, strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1, groups: 1 };
  const x = randArray(2 * 3 * 7 * 6), w = randArray(5 * 3 * 9), gy = randArray(2 * 5 * 7 * 6);
  const y1 = new Float32Array(gy.length), y2 = new Float32Array(gy.length);
  wasmBackend.conv2d(x, w, y1, g);
  wasmBackend.conv2d(x, resident(w), y2, g);
  assert.deepEqual(y2, y1, 'conv2d with a resident weight');
  const gx1 = new Float32Array(x.length), gx2 = new Float32Array(x.length);
  wasmBackend.conv2dBackwardInput(gy, w, gx1, g);
  wasmBackend.conv2dBackwardInput(gy, resident(w), gx2, g);
  assert.deepEqual(gx2, gx1, 'conv2d backward input with a resident weight');
  // batch norm: weight and bias resident
  const bg = { outer: 3, c: 5, inner: 100 };
  const bx = randArray(1500), bw = randArray(5), bb = randArray(5);
  const run = (wt: Float32Array, bs: Float32Array) => {
    const out = [new Float32Array(1500), new Float32Array(5), new Float32Array(5), new Float32Array(5)] as const;
    wasmBackend.batchNormForward(bx, wt, bs, out[0], out[1], out[2], out[3], 1e-5, bg);
    return out;
  };
  assert.deepEqual(run(resident(bw), resident(bb)), run(bw, bb), 'batch norm with resident weight and bias');
  // a per-channel bias and a row bias, resident
  withWasm(() => {
    const t = nv.tensor(Array.from(randArray(2 * 5 * 16 * 9)), { dtype: 'float32' }).reshape(2, 5, 16, 9);
    const cb = randArray(5), rb = randArray(9);
    const viaPlain = t.add(nv.tensor(Array.from(cb)).reshape(1, 5, 1, 1)).add(nv.tensor(Array.from(rb)));
    const viaResident = t.add(new nv.Tensor(resident(cb), [5]).reshape(1, 5, 1, 1)).add(new nv.Tensor(resident(rb), [9]));
    assert.deepEqual(viaResident.toTypedArray(), viaPlain.toTypedArray(), 'bias adds with resident biases');
  });
  // LSTM forward and backward, resident W_hh
  withWasm(() => {
    const net = new LSTM(4, 8);
    const inp = nv.randn([5, 3, 4]);
    const run1 = () => {
      for (const p of net.parameters()) p.grad = null;
      const out = net.call(inp);
      out.sum().backward();
      return [out.toTypedArray(), ...net.parameters().map((p) => p.grad!.toTypedArray())];
    };
    const a = run1();
    for (const p of net.parameters()) { const plain = Float32Array.from(p.data as Float32Array); p.data = plain; }
    assert.equal(rt.residentOffset(net.parameters()[1]!.data as Float32Array), -1);
    assert.deepEqual(run1(), a, 'LSTM with plain parameters equals LSTM with resident ones');
  });
});

test('residents keep their values when the memory grows, and through to(float64)/to(float32)', () => {
  const values = randArray(1000);
  const r = resident(values);
  const before = rt.memory.buffer.byteLength;
  rt.ensureBytes(before + 8 * 65536);
  assert.ok(rt.memory.buffer.byteLength > before);
  assert.deepEqual(Array.from(r), Array.from(values));
  assert.ok(rt.residentOffset(r) >= 0, 'still recognised after growth');
  withWasm(() => {
    const lin = new Linear(6, 4);
    const w0 = Array.from(lin.weight.data);
    lin.to('float64');
    assert.equal(lin.weight.dtype, 'float64');
    lin.to('float32');
    assert.ok(rt.residentOffset(lin.weight.data as Float32Array) >= 0, 'back to float32: resident again');
    assert.deepEqual(Array.from(lin.weight.data), w0);
  });
});

test('an optimizer step and a safetensors round trip work on resident parameters', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nerva-resident-'));
  try {
    withWasm(() => {
      const lin = new Linear(3, 2);
      const x = nv.randn([4, 3]);
      const w0 = Float32Array.from(lin.weight.data as Float32Array);
      const opt = new SGD(lin.parameters(), { lr: 0.1 });
      lin.call(x).sum().backward();
      const gw = Float32Array.from(lin.weight.grad!.data as Float32Array);
      opt.step();
      for (let i = 0; i < w0.length; i++) assert.ok(Math.abs(lin.weight.data[i]! - (w0[i]! - 0.1 * gw[i]!)) < 1e-6);
      const path = join(dir, 'lin.safetensors');
      saveSafetensors(path, lin.stateDict());
      const back = loadSafetensors(path);
      assert.deepEqual(Array.from(back.tensors.get('weight')!.data), Array.from(lin.weight.data));
    });
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('collected residents give their blocks back (the heap does not grow with models made and dropped)', async () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const settle = async () => {
    for (let i = 0; i < 5; i++) { gc(); await new Promise((r) => setTimeout(r, 5)); }
  };
  await settle();
  const start = rt.residentBytes();
  const make = () => { withWasm(() => new Linear(300, 200)); };
  for (let i = 0; i < 20; i++) make();
  await settle();
  const end = rt.residentBytes();
  assert.ok(end.live <= start.live + 300 * 200 * 4 * 2, `live resident bytes ${start.live} → ${end.live}`);
  assert.ok(end.heap <= start.heap + 300 * 200 * 4 * 4, `heap ${start.heap} → ${end.heap} after 20 models of 240 kB made and dropped`);
});
