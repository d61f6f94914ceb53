// Learning-rate schedules against PyTorch 1.13 (torch.optim.lr_scheduler), two groups (lr 1.0 and
// 0.5, SGD momentum 0.9); each row is [group lrs..., (group momenta...)] before the step:
//   for i in range(n): rows.append([g['lr'] for g in opt.param_groups]); opt.step(); sched.step()
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zeros } from '../../src/tensor/creation.js';
import { SGD, Adam, StepLR, CosineAnnealingLR, OneCycleLR, ReduceLROnPlateau, type Scheduler, type Optimizer } from '../../src/optim/index.js';

function opt(): SGD {
  return new SGD([{ params: [zeros([2])] }, { params: [zeros([1])], lr: 0.5 }], { lr: 1.0, momentum: 0.9 });
}

function traj(o: Optimizer, s: Scheduler, n: number, metrics?: number[], momentum = false): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    rows.push([...o.paramGroups.map((g) => g.lr), ...(momentum ? o.paramGroups.map((g) => g.momentum as number) : [])]);
    o.step();
    s.step(metrics?.[i]);
  }
  return rows;
}

function assertRows(got: number[][], expected: number[][], what: string): void {
  assert.equal(got.length, expected.length);
  got.forEach((row, i) => row.forEach((v, j) => {
    assert.ok(Math.abs(v - expected[i]![j]!) <= 1e-12, `${what}: step ${i}, column ${j}: got ${v}, PyTorch ${expected[i]![j]}`);
  }));
}

test('StepLR(3, gamma=0.5) as PyTorch', () => {
  const o = opt();
  // S.StepLR(o, 3, gamma=0.5)
  assertRows(traj(o, new StepLR(o, 3, { gamma: 0.5 }), 8), [[1.0, 0.5], [1.0, 0.5], [1.0, 0.5], [0.5, 0.25], [0.5, 0.25], [0.5, 0.25], [0.25, 0.125], [0.25, 0.125]], 'StepLR');
});

test('CosineAnnealingLR(6, etaMin=0.1) without warm-up as PyTorch, then holds etaMin', () => {
  const o = opt();
  // S.CosineAnnealingLR(o, 6, eta_min=0.1)
  const s = new CosineAnnealingLR(o, 6, { etaMin: 0.1 });
  assertRows(traj(o, s, 7), [[1.0, 0.5], [0.939711431702997, 0.473205080756888], [0.775, 0.4], [0.55, 0.3], [0.325, 0.2], [0.160288568297003, 0.126794919243112], [0.1, 0.1]], 'cosine');
  s.step();
  assert.deepEqual(s.getLastLr(), [0.1, 0.1]);
});

test('CosineAnnealingLR with linear warm-up: base·(t+1)/(W+1), then the cosine from base', () => {
  const o = opt();
  const s = new CosineAnnealingLR(o, 7, { warmupSteps: 3 });
  const rows = traj(o, s, 8).map((r) => r[0]!);
  const expected = [0.25, 0.5, 0.75, 1, (1 + Math.cos(Math.PI / 4)) / 2, 0.5, (1 + Math.cos((3 * Math.PI) / 4)) / 2, 0];
  rows.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-12, `step ${i}: ${v} vs ${expected[i]}`));
  assert.throws(() => new CosineAnnealingLR(opt(), 3, { warmupSteps: 3 }), /warmupSteps must be an integer in \[0, tMax\)/);
});

test('OneCycleLR (cos, two phases) lr and momentum as PyTorch', () => {
  const o = opt();
  // S.OneCycleLR(o, [1.0, 0.2], total_steps=10)
  assertRows(traj(o, new OneCycleLR(o, [1.0, 0.2], 10), 10, undefined, true), [[0.04, 0.008, 0.95, 0.95], [0.52, 0.104, 0.9, 0.9], [1.0, 0.2, 0.85, 0.85], [0.950484632013474, 0.190096926402695, 0.854951556604879, 0.854951556604879], [0.811745653949763, 0.162349130789953, 0.868825509907063, 0.868825509907063], [0.611262021936289, 0.122252404387258, 0.888873953302184, 0.888873953302184], [0.388741978063711, 0.077748395612742, 0.911126046697816, 0.911126046697816], [0.188258346050237, 0.037651669210047, 0.931174490092937, 0.931174490092937], [0.049519367986526, 0.009903873597305, 0.945048443395121, 0.945048443395121], [4e-06, 8e-07, 0.95, 0.95]], 'OneCycle');
});

test('OneCycleLR (three-phase, linear, pctStart 0.25) as PyTorch; Adam β₁ cycles; too many steps is an error', () => {
  const o = opt();
  // S.OneCycleLR(o, 2.0, total_steps=10, three_phase=True, anneal_strategy='linear', pct_start=0.25)
  const s = new OneCycleLR(o, 2.0, 10, { threePhase: true, annealStrategy: 'linear', pctStart: 0.25 });
  assertRows(traj(o, s, 10, undefined, true), [[0.08, 0.08, 0.95, 0.95], [1.36, 1.36, 0.883333333333333, 0.883333333333333], [1.36, 1.36, 0.883333333333333, 0.883333333333333], [0.08, 0.08, 0.95, 0.95], [0.066668, 0.066668, 0.95, 0.95], [0.053336, 0.053336, 0.95, 0.95], [0.040004, 0.040004, 0.95, 0.95], [0.026672, 0.026672, 0.95, 0.95], [0.01334, 0.01334, 0.95, 0.95], [8e-06, 8e-06, 0.95, 0.95]], 'OneCycle three-phase');
  assert.throws(() => s.step(), /stepped 11 times, more than totalSteps = 10/);
  const adam = new Adam([zeros([1])], { lr: 1 });
  new OneCycleLR(adam, 1, 10);
  assert.deepEqual(adam.paramGroups[0]!.betas, [0.95, 0.999]);
});

test('ReduceLROnPlateau (min, rel, patience 1, cooldown 1, per-group minLr) as PyTorch', () => {
  const o = opt();
  // S.ReduceLROnPlateau(o, patience=1, factor=0.5, cooldown=1, min_lr=[0, 0.2])
  const m = [5, 4, 4.5, 4.2, 4.1, 4.3, 3.0, 3.5, 3.6, 3.7, 3.8, 3.9];
  assertRows(traj(o, new ReduceLROnPlateau(o, { patience: 1, factor: 0.5, cooldown: 1, minLr: [0, 0.2] }), 12, m), [[1.0, 0.5], [1.0, 0.5], [1.0, 0.5], [1.0, 0.5], [0.5, 0.25], [0.5, 0.25], [0.5, 0.25], [0.5, 0.25], [0.5, 0.25], [0.25, 0.2], [0.25, 0.2], [0.25, 0.2]], 'plateau');
});

test('ReduceLROnPlateau (max, abs threshold 0.1, patience 0) as PyTorch; needs a metric', () => {
  const o = opt();
  // S.ReduceLROnPlateau(o, mode='max', patience=0, threshold=0.1, threshold_mode='abs')
  const s = new ReduceLROnPlateau(o, { mode: 'max', patience: 0, threshold: 0.1, thresholdMode: 'abs' });
  assertRows(traj(o, s, 6, [0.5, 0.55, 0.7, 0.75, 0.9, 0.95]), [[1.0, 0.5], [1.0, 0.5], [0.1, 0.05], [0.1, 0.05], [0.01, 0.005], [0.01, 0.005]], 'plateau max');
  assert.throws(() => s.step(), /needs the metric/);
});

test('scheduler stateDict round trip through JSON resumes the same rates', () => {
  const make: [string, (o: SGD) => Scheduler, number[]?][] = [
    ['StepLR', (o) => new StepLR(o, 2, { gamma: 0.3 })],
    ['Cosine', (o) => new CosineAnnealingLR(o, 9, { warmupSteps: 2, etaMin: 0.01 })],
    ['OneCycle', (o) => new OneCycleLR(o, 1, 12)],
    ['Plateau', (o) => new ReduceLROnPlateau(o, { patience: 1 }), [3, 3, 3, 3, 2, 3, 3, 3, 3, 3, 3]],
  ];
  for (const [name, mk, metrics] of make) {
    const o1 = opt();
    const s1 = mk(o1);
    const full = traj(o1, s1, 10, metrics, true);
    const o2 = opt();
    const s2 = mk(o2);
    traj(o2, s2, 4, metrics, true);
    const saved = JSON.parse(JSON.stringify(s2.stateDict()));
    const oSaved = JSON.parse(JSON.stringify(o2.stateDict().paramGroups));
    const o3 = opt();
    const s3 = mk(o3);
    o3.loadStateDict({ state: {}, paramGroups: oSaved });
    s3.loadStateDict(saved);
    assertRows(traj(o3, s3, 6, metrics?.slice(4), true), full.slice(4), `${name} resumed`);
  }
  assert.throws(() => new StepLR(opt(), 2).loadStateDict(new CosineAnnealingLR(opt(), 5).stateDict()), /state is from a CosineAnnealingLR/);
});
