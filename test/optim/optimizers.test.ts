// Optimizer trajectories on a small quadratic with a coupling term, against PyTorch 1.13 (float64).
// Reference (run with Debian's python3-torch):
//   torch.set_default_dtype(torch.float64)
//   A=[1,3,.5]; C=[.5,-1,2]; B=[2,.25]; D=[-.5,1.5]; w=[1,2,-1]; b=[.3,-.7]
//   loss = 0.5*(A*(w-C)**2).sum() + 0.5*(B*(b-D)**2).sum() + w[0]*b[1]
//   opt = torch.optim.<Optimizer>([w, b], ...)   # or groups [{'params':[w]}, {'params':[b], 'lr':0.05}]
//   5 × (opt.zero_grad(); loss.backward(); opt.step()), recording w.tolist() + b.tolist() after each step
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { backward } from '../../src/autograd/tape.js';
import { tensor, zeros } from '../../src/tensor/creation.js';
import { add, mul, square, sub } from '../../src/ops/elementwise.js';
import { sum } from '../../src/ops/reduce.js';
import { narrow } from '../../src/ops/movement.js';
import { Optimizer, SGD, Adam, AdamW, RMSprop, clipGradNorm, type ParamGroupSpec } from '../../src/optim/index.js';

const EXPECTED: Record<string, number[][]> = {
  sgd: [[1.02, 1.1, -0.85, 0.14, -0.745], [1.0425, 0.47, -0.7075, 0.012, -0.790875], [1.0673375, 0.0289999999999999, -0.572125, -0.0904, -0.837853125], [1.0943890625, -0.2797, -0.44351875, -0.17232, -0.886140546875], [1.1235642109375, -0.49579, -0.3213428125, -0.237856, -0.935925939453125]],
  sgd_wd_momentum_dampening: [[1.019, 1.098, -0.849, 0.1397, -0.7443], [1.0511577, -0.1551486, -0.6127907, -0.09422579, -0.81570374], [1.09788204241, -1.46029252998, -0.30832570201, -0.361501432347, -0.912452336932], [1.16118535376585, -2.53723843089521, 0.0467000237427572, -0.621186258928077, -1.03352118460734], [1.24340901239739, -3.18189360432929, 0.434555986072622, -0.837501696219866, -1.1787060367189]],
  sgd_nesterov_wd: [[1.027, 0.362, -0.721, 0.00929999999999997, -0.7747], [1.071943, -0.959138, -0.370421, -0.2774917, -0.8767862], [1.137413689, -1.701153638, 0.0149898790000001, -0.5030054227, -1.0029912452], [1.225257793115, -1.894862473138, 0.405536060179, -0.6433160386837, -1.1523156469392], [1.33667962021732, -1.72463153116764, 0.778484489840479, -0.700673802519175, -1.32567522092134]],
  sgd_maximize: [[0.97, 2.88, -1.14, 0.457, -0.648], [0.9275, 4.4552, -1.3556, 0.72233, -0.57222], [0.882503, 6.834808, -1.617624, 1.0922377, -0.4876633], [0.84066344, 10.30670632, -1.91334096, 1.584716713, -0.4019495995], [0.80520840965, 15.3316003128, -2.2377330784, 2.23205239497, -0.3185556492425]],
  adam: [[1.099999995, 1.90000000011111, -0.900000000666667, 0.200000000625, -0.799999997777778], [1.1999999900362, 1.80010270730287, -0.800102708422078, 0.100568284120291, -0.900105280678059], [1.30000184194587, 1.70038152328172, -0.700381524971978, 0.00222006754327614, -1.00041733179684], [1.40001079876606, 1.600913530829, -0.600913533096883, -0.0943997748734162, -1.10103952976319], [1.50003703930441, 1.50177945594217, -0.501779458793346, -0.188495715299554, -1.20206989803208]],
  adam_amsgrad_wd: [[1.09999999, 1.9000000001087, -0.900000000625, 0.200000000613497, -0.799999997368421], [1.19955316561992, 1.80011495525455, -0.800130075115389, 0.100640404854077, -0.900151878643651], [1.29833658228234, 1.7004257758777, -0.700482699531199, 0.00251165027365319, -1.00057870324737], [1.39606853673747, 1.60101561691143, -0.60115372733852, -0.0936272543488056, -1.10139312020729], [1.49257245867541, 1.50196912960277, -0.502241657705185, -0.186801426642176, -1.20268771012955]],
  adamw: [[1.089999995, 1.88000000011111, -0.890000000666667, 0.197000000625, -0.792999997777778], [1.17913602569131, 1.76132718820042, -0.781214779180171, 0.095623733776828, -0.885191572630817], [1.26744082212067, 1.64405860502867, -0.673713024304387, -0.00361446835815915, -0.97668102720829], [1.35494798705499, 1.52827453984536, -0.56756580658235, -0.100080474165113, -1.0675719263821], [1.4416927884713, 1.41405835788739, -0.462846383197172, -0.193005259266062, -1.15796023620592]],
  rmsprop: [[1.09999995000003, 1.90000000111111, -0.900000006666666, 0.20000000625, -0.799999977777783], [1.17088805027328, 1.83031744861233, -0.830317456889818, 0.133962273183441, -0.876086920560175], [1.2299003684186, 1.77388856838408, -0.773888578459935, 0.0824439848264552, -0.940417342992586], [1.2818808255239, 1.72530631227313, -0.725306323690384, 0.0394866198573416, -0.997468876709491], [1.32905455159892, 1.68205384062604, -0.682053853112257, 0.00235591465276506, -1.04943784432194]],
  rmsprop_centered_momentum_wd: [[1.03333332222223, 1.96666666678744, -0.966666667361111, 0.26666666734833, -0.733333330409357], [1.07507650214174, 1.92464628725733, -0.924661912662875, 0.225047305213149, -0.776146704205155], [1.11774667190495, 1.88141960060153, -0.881475464085047, 0.182869741038262, -0.821310301008347], [1.1593757897974, 1.83916724339826, -0.839291166404155, 0.142422494941121, -0.86665263268849], [1.19988722930645, 1.79823880285962, -0.798459207923165, 0.104100159559835, -0.911700109460244]],
  sgd_momentum_groups: [[1.02, 1.1, -0.85, 0.22, -0.7225], [1.05825, -0.34, -0.5725, 0.076, -0.76596875], [1.113446875, -1.834, -0.194125, -0.1112, -0.829678515625], [1.1847472265625, -2.9284, 0.25611875, -0.31856, -0.913568666992187], [1.27179968701172, -3.33484, 0.7485321875, -0.523328, -1.01813755621338]],
  adam_groups: [[1.099999995, 1.90000000011111, -0.900000000666667, 0.2500000003125, -0.749999998888889], [1.19825749782743, 1.80010270730287, -0.800102708422078, 0.200110036177915, -0.800034930876509], [1.2927004897792, 1.70038152328172, -0.700381524971978, 0.150414661161899, -0.85016198393953], [1.38047686009908, 1.600913530829, -0.600913533096883, 0.101007613381929, -0.900442426474787], [1.4584164744188, 1.50177945594217, -0.501779458793346, 0.0519923980205726, -0.95093298994657]],
};

const f64 = (v: number[]) => tensor(v, { dtype: 'float64' });
const A = f64([1, 3, 0.5]);
const C = f64([0.5, -1, 2]);
const B = f64([2, 0.25]);
const D = f64([-0.5, 1.5]);

function params(): [Tensor, Tensor] {
  return [f64([1, 2, -1]).requiresGrad_(), f64([0.3, -0.7]).requiresGrad_()];
}

function lossOf(w: Tensor, b: Tensor): Tensor {
  const qa = mul(sum(mul(A, square(sub(w, C)))), 0.5);
  const qb = mul(sum(mul(B, square(sub(b, D)))), 0.5);
  return add(add(qa, qb), mul(sum(narrow(w, 0, 0, 1)), sum(narrow(b, 0, 1, 1))));
}

function run(w: Tensor, b: Tensor, opt: Optimizer, steps: number): number[][] {
  const out: number[][] = [];
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    backward(lossOf(w, b));
    opt.step();
    out.push([...w.toTypedArray(), ...b.toTypedArray()]);
  }
  return out;
}

function assertTrajectory(name: string, got: number[][], expected: number[][]): void {
  got.forEach((row, s) => row.forEach((v, i) => {
    const e = expected[s]![i]!;
    assert.ok(Math.abs(v - e) <= 1e-10 * Math.max(1, Math.abs(e)), `${name}: step ${s + 1}, element ${i}: got ${v}, PyTorch ${e}`);
  }));
}

const CASES: [string, (p: Tensor[] | ParamGroupSpec[]) => Optimizer, boolean?][] = [
  ['sgd', (p) => new SGD(p, { lr: 0.1 })],
  ['sgd_wd_momentum_dampening', (p) => new SGD(p, { lr: 0.1, momentum: 0.9, dampening: 0.3, weightDecay: 0.01 })],
  ['sgd_nesterov_wd', (p) => new SGD(p, { lr: 0.1, momentum: 0.8, nesterov: true, weightDecay: 0.05 })],
  ['sgd_maximize', (p) => new SGD(p, { lr: 0.1, momentum: 0.5, weightDecay: 0.1, maximize: true })],
  ['adam', (p) => new Adam(p, { lr: 0.1 })],
  ['adam_amsgrad_wd', (p) => new Adam(p, { lr: 0.1, betas: [0.8, 0.9], weightDecay: 0.1, amsgrad: true })],
  ['adamw', (p) => new AdamW(p, { lr: 0.1, weightDecay: 0.1 })],
  ['rmsprop', (p) => new RMSprop(p, { lr: 0.01 })],
  ['rmsprop_centered_momentum_wd', (p) => new RMSprop(p, { lr: 0.01, alpha: 0.9, momentum: 0.5, centered: true, weightDecay: 0.1 })],
  ['sgd_momentum_groups', (p) => new SGD(p, { lr: 0.1, momentum: 0.9 }), true],
  ['adam_groups', (p) => new Adam(p, { lr: 0.1 }), true],
];

for (const [name, make, groups] of CASES) {
  test(`${name}: 5 steps equal PyTorch's trajectory`, () => {
    const [w, b] = params();
    const opt = make(groups ? [{ params: [w] }, { params: [b], lr: 0.05 }] : [w, b]);
    assertTrajectory(name, run(w, b, opt, 5), EXPECTED[name]!);
  });

  test(`${name}: stateDict after 3 steps, loaded into a fresh optimizer, continues the same trajectory`, () => {
    const [w, b] = params();
    const opt = make(groups ? [{ params: [w] }, { params: [b], lr: 0.05 }] : [w, b]);
    run(w, b, opt, 3);
    const sd = opt.stateDict();
    // JSON-able apart from the tensors
    const json = JSON.parse(JSON.stringify(sd.paramGroups));
    const w2 = f64([...w.toTypedArray()]).requiresGrad_();
    const b2 = f64([...b.toTypedArray()]).requiresGrad_();
    const opt2 = make(groups ? [{ params: [w2] }, { params: [b2], lr: 123 }] : [w2, b2]);
    opt2.loadStateDict({ state: sd.state, paramGroups: json });
    assertTrajectory(name, run(w2, b2, opt2, 2), EXPECTED[name]!.slice(3));
  });
}

test('Optimizer: groups take defaults, own options win; bad input is refused with a reason', () => {
  const [w, b] = params();
  const opt = new SGD([{ params: [w] }, { params: [b], lr: 0.5, momentum: 0.1 }], { lr: 0.1, momentum: 0.9 });
  assert.equal(opt.paramGroups[0]!.lr, 0.1);
  assert.equal(opt.paramGroups[0]!.momentum, 0.9);
  assert.equal(opt.paramGroups[1]!.lr, 0.5);
  assert.equal(opt.paramGroups[1]!.momentum, 0.1);
  assert.throws(() => new SGD([], { lr: 0.1 }), /SGD: got an empty parameter list/);
  assert.throws(() => new SGD([w, w]), /more than one group/);
  assert.throws(() => new SGD([w], { lr: -1 }), /invalid learning rate -1/);
  assert.throws(() => new SGD([w], { nesterov: true }), /Nesterov momentum needs momentum > 0/);
  assert.throws(() => new Adam([w], { betas: [0.9, 1.5] }), /betas must be two numbers in \[0, 1\)/);
  assert.throws(() => new SGD([zeros([2], { dtype: 'int32' })]), /floating-point/);
  const sd = new Adam([w, b]).stateDict();
  assert.throws(() => new Adam([w]).loadStateDict(sd), /group 0 has 2 parameters in the state, 1 here/);
  // a parameter without a gradient is skipped; zeroGrad clears gradients
  const sgd = new SGD([w, b], { lr: 1 });
  backward(lossOf(w, b));
  b.grad = null;
  const before = [...b.toTypedArray()];
  sgd.step();
  assert.deepEqual([...b.toTypedArray()], before);
  sgd.zeroGrad();
  assert.equal(w.grad, null);
});

test('clipGradNorm: returns the total 2-norm, scales only when above maxNorm; inf norm', () => {
  const [w, b] = params();
  w.grad = f64([3, 0, 0]);
  b.grad = f64([0, 4]);
  assert.equal(clipGradNorm([w, b], 10), 5);
  assert.deepEqual([...w.grad.toTypedArray()], [3, 0, 0]);
  const shared = f64([0, 4]);
  w.grad = f64([3, 0, 0]);
  b.grad = shared;
  const total = clipGradNorm([w, b], 1);
  assert.equal(total, 5);
  const coef = 1 / (5 + 1e-6);
  assert.ok(Math.abs(w.grad.toTypedArray()[0]! - 3 * coef) < 1e-12);
  assert.ok(Math.abs(b.grad.toTypedArray()[1]! - 4 * coef) < 1e-12);
  assert.deepEqual([...shared.toTypedArray()], [0, 4], 'the original gradient tensor is not scaled in place');
  w.grad = f64([3, -7, 0]);
  b.grad = f64([0, 4]);
  assert.equal(clipGradNorm([w, b], 100, Infinity), 7);
  w.grad = f64([NaN, 0, 0]);
  assert.ok(Number.isNaN(clipGradNorm([w, b], 1)));
});
