// A two-layer network learns the "two moons" data set with plain gradient descent, written
// directly with Nerva's ops (no nn, no optimizer): the smallest complete training loop.
// Run: npm run build && node dist/examples/two_moons.js
import * as nv from 'nerva';

// ---- config ----
const seed = 0; // everything random below follows this seed
const samples = 200; // points per moon
const hidden = 16; // width of the hidden layer
const lr = 0.5; // gradient-descent step size
const steps = 500; // full-batch updates

nv.manualSeed(seed);

/** Two interleaving half circles with Gaussian noise; label 0 for the upper, 1 for the lower. */
function twoMoons(n: number, noise = 0.1): { x: nv.Tensor; y: nv.Tensor } {
  const t = nv.mul(nv.rand([n]), Math.PI);
  const upper = nv.stack([nv.cos(t), nv.sin(t)], 1);
  const lower = nv.stack([nv.sub(1, nv.cos(t)), nv.sub(0.5, nv.sin(t))], 1);
  const x = nv.add(nv.cat([upper, lower], 0), nv.mul(nv.randn([2 * n, 2]), noise));
  const y = nv.cat([nv.zeros([n, 1]), nv.ones([n, 1])], 0);
  return { x, y };
}

const { x, y } = twoMoons(samples);

// Parameters of a 2 → hidden → 1 network, tanh in between.
const w1 = nv.mul(nv.randn([2, hidden]), 1).requiresGrad_();
const b1 = nv.zeros([hidden], { requiresGrad: true });
const w2 = nv.mul(nv.randn([hidden, 1]), 1 / Math.sqrt(hidden)).requiresGrad_();
const b2 = nv.zeros([1], { requiresGrad: true });
const params = [w1, b1, w2, b2];

for (let step = 0; step <= steps; step++) {
  const h = nv.tanh(nv.add(nv.matmul(x, w1), b1)); // (2n, hidden)
  const logits = nv.add(nv.matmul(h, w2), b2); // (2n, 1)
  const loss = nv.binaryCrossEntropyWithLogits(logits, y);
  for (const p of params) p.grad = null;
  loss.backward();
  // p ← p − lr·∂L/∂p, in place and outside the graph
  nv.noGrad(() => {
    for (const p of params) {
      const g = p.grad!.toTypedArray();
      for (let i = 0; i < p.data.length; i++) p.data[i]! -= lr * g[i]!;
    }
  });
  if (step % 100 === 0) {
    const accuracy = nv.mean(nv.eq(nv.gt(logits, 0), nv.gt(y, 0.5)).float()).item();
    console.log(`step ${String(step).padStart(3)}  loss ${loss.item().toFixed(4)}  accuracy ${(accuracy * 100).toFixed(1)}%`);
  }
}
