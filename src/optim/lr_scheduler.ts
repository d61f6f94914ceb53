import type { Optimizer, ParamGroup } from './optimizer.js';
import { NervaError } from '../errors.js';

/** JSON-able scheduler state (stored in a checkpoint's metadata). */
export type SchedulerStateDict = Record<string, unknown>;

/** What every schedule offers; step() is called once per epoch or per batch, as the schedule is meant. */
export interface Scheduler {
  step(metric?: number): void;
  getLastLr(): number[];
  stateDict(): SchedulerStateDict;
  loadStateDict(state: SchedulerStateDict): void;
}

/**
 * A schedule given in closed form: lr of each group at step `lastEpoch`. As in PyTorch, the
 * constructor records each group's `initialLr` and applies step 0 at once, so the usual loop is
 * `optimizer.step(); scheduler.step();`.
 */
export abstract class LRScheduler implements Scheduler {
  lastEpoch = -1;
  readonly baseLrs: number[];
  protected lastLr: number[] = [];

  constructor(readonly optimizer: Optimizer) {
    for (const g of optimizer.paramGroups) if (typeof g.initialLr !== 'number') g.initialLr = g.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
  }

  /** Call at the end of the subclass constructor (after its own fields are set). */
  protected start(): void {
    this.step();
  }

  /** The learning rate of each group at step `epoch`. */
  protected abstract lrAt(epoch: number): number[];

  step(): void {
    this.lastLr = this.lrAt(this.lastEpoch + 1); // may throw (OneCycleLR past its end): then nothing changes
    this.lastEpoch++;
    this.optimizer.paramGroups.forEach((g, i) => { g.lr = this.lastLr[i]!; });
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerStateDict {
    return { name: this.constructor.name, lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs] };
  }

  loadStateDict(state: SchedulerStateDict): void {
    if (state.name !== undefined && state.name !== this.constructor.name) throw new NervaError(`${this.constructor.name}.loadStateDict: the state is from a ${String(state.name)}`);
    if (typeof state.lastEpoch !== 'number') throw new NervaError(`${this.constructor.name}.loadStateDict: lastEpoch missing`);
    const base = state.baseLrs;
    if (!Array.isArray(base) || base.length !== this.baseLrs.length) throw new NervaError(`${this.constructor.name}.loadStateDict: the state has ${Array.isArray(base) ? base.length : 'no'} base rates, the optimizer ${this.baseLrs.length} groups`);
    base.forEach((b, i) => { this.baseLrs[i] = Number(b); });
    this.lastEpoch = state.lastEpoch;
    this.lastLr = this.lrAt(this.lastEpoch);
    this.optimizer.paramGroups.forEach((g, i) => { g.lr = this.lastLr[i]!; });
  }
}

/** lr = base·γ^⌊epoch / stepSize⌋ (torch.optim.lr_scheduler.StepLR). */
export class StepLR extends LRScheduler {
  readonly gamma: number;

  constructor(optimizer: Optimizer, readonly stepSize: number, options: { gamma?: number } = {}) {
    super(optimizer);
    if (!Number.isInteger(stepSize) || stepSize < 1) throw new NervaError(`StepLR: stepSize must be a positive integer, got ${stepSize}`);
    this.gamma = options.gamma ?? 0.1;
    this.start();
  }

  protected lrAt(epoch: number): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(epoch / this.stepSize));
  }
}

export interface CosineOptions {
  /** the floor the rate decays to (PyTorch's eta_min) */
  etaMin?: number;
  /** steps of linear warm-up before the cosine: lr = base·(t + 1)/(warmupSteps + 1) */
  warmupSteps?: number;
}

/**
 * Cosine annealing over `tMax` steps (counted from 0, warm-up included), optionally after a linear
 * warm-up: lr = η_min + (base − η_min)·(1 + cos(π·(t − W)/(tMax − W)))/2, and η_min after tMax.
 * Without warm-up it equals torch's CosineAnnealingLR for t ≤ tMax (PyTorch's closed form climbs
 * back after tMax; this one stays at η_min).
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly etaMin: number;
  readonly warmupSteps: number;

  constructor(optimizer: Optimizer, readonly tMax: number, options: CosineOptions = {}) {
    super(optimizer);
    this.etaMin = options.etaMin ?? 0;
    this.warmupSteps = options.warmupSteps ?? 0;
    if (!Number.isInteger(tMax) || tMax < 1) throw new NervaError(`CosineAnnealingLR: tMax must be a positive integer, got ${tMax}`);
    if (!Number.isInteger(this.warmupSteps) || this.warmupSteps < 0 || this.warmupSteps >= tMax) {
      throw new NervaError(`CosineAnnealingLR: warmupSteps must be an integer in [0, tMax), got ${this.warmupSteps} with tMax ${tMax}`);
    }
    this.start();
  }

  protected lrAt(t: number): number[] {
    const w = this.warmupSteps;
    return this.baseLrs.map((b) => {
      if (t < w) return (b * (t + 1)) / (w + 1);
      if (t >= this.tMax) return this.etaMin;
      const progress = (t - w) / (this.tMax - w);
      return this.etaMin + ((b - this.etaMin) * (1 + Math.cos(Math.PI * progress))) / 2;
    });
  }
}

export interface OneCycleOptions {
  /** fraction of the steps spent increasing the rate (default 0.3) */
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  /** initial lr = maxLr / divFactor (default 25) */
  divFactor?: number;
  /** final lr = initial lr / finalDivFactor (default 1e4) */
  finalDivFactor?: number;
  /** up, back down to the initial rate, then down to the final one (fast.ai's variant) */
  threePhase?: boolean;
  /** cycle SGD's momentum / Adam's β₁ inversely to the rate (default true) */
  cycleMomentum?: boolean;
  baseMomentum?: number;
  maxMomentum?: number;
}

interface Phase {
  end: number;
  lr: [keyof GroupRates, keyof GroupRates];
  momentum: [keyof GroupRates, keyof GroupRates];
}

interface GroupRates {
  initial: number;
  max: number;
  min: number;
  baseMomentum: number;
  maxMomentum: number;
}

/**
 * The 1cycle policy (torch.optim.lr_scheduler.OneCycleLR), stepped once per batch for
 * `totalSteps` batches: from maxLr/divFactor up to maxLr over pctStart of the steps, then down to
 * initial/finalDivFactor; momentum moves the opposite way between maxMomentum and baseMomentum.
 */
export class OneCycleLR extends LRScheduler {
  private readonly rates: GroupRates[];
  private readonly phases: Phase[];
  private readonly anneal: (start: number, end: number, pct: number) => number;
  private readonly cycleMomentum: boolean;
  private readonly useBetas: boolean;

  constructor(optimizer: Optimizer, maxLr: number | number[], readonly totalSteps: number, options: OneCycleOptions = {}) {
    super(optimizer);
    const groups = optimizer.paramGroups;
    if (!Number.isInteger(totalSteps) || totalSteps < 1) throw new NervaError(`OneCycleLR: totalSteps must be a positive integer, got ${totalSteps}`);
    const pct = options.pctStart ?? 0.3;
    if (!(pct >= 0 && pct <= 1)) throw new NervaError(`OneCycleLR: pctStart must be in [0, 1], got ${pct}`);
    const maxLrs = Array.isArray(maxLr) ? maxLr : groups.map(() => maxLr);
    if (maxLrs.length !== groups.length) throw new NervaError(`OneCycleLR: ${maxLrs.length} maxLr values for ${groups.length} parameter groups`);
    const div = options.divFactor ?? 25;
    const finalDiv = options.finalDivFactor ?? 1e4;
    this.cycleMomentum = options.cycleMomentum ?? true;
    this.useBetas = groups.every((g) => Array.isArray(g.betas));
    if (this.cycleMomentum && !this.useBetas && !groups.every((g) => typeof g.momentum === 'number')) {
      throw new NervaError('OneCycleLR: the optimizer has neither momentum nor betas; pass cycleMomentum: false');
    }
    this.rates = maxLrs.map((m) => ({
      initial: m / div, max: m, min: m / div / finalDiv,
      baseMomentum: options.baseMomentum ?? 0.85, maxMomentum: options.maxMomentum ?? 0.95,
    }));
    groups.forEach((g, i) => {
      g.initialLr = this.rates[i]!.initial;
      g.maxLr = this.rates[i]!.max;
      g.minLr = this.rates[i]!.min;
      this.baseLrs[i] = this.rates[i]!.initial;
    });
    const p = pct * totalSteps;
    this.phases = options.threePhase
      ? [
        { end: p - 1, lr: ['initial', 'max'], momentum: ['maxMomentum', 'baseMomentum'] },
        { end: 2 * p - 2, lr: ['max', 'initial'], momentum: ['baseMomentum', 'maxMomentum'] },
        { end: totalSteps - 1, lr: ['initial', 'min'], momentum: ['maxMomentum', 'maxMomentum'] },
      ]
      : [
        { end: p - 1, lr: ['initial', 'max'], momentum: ['maxMomentum', 'baseMomentum'] },
        { end: totalSteps - 1, lr: ['max', 'min'], momentum: ['baseMomentum', 'maxMomentum'] },
      ];
    const strategy = options.annealStrategy ?? 'cos';
    if (strategy !== 'cos' && strategy !== 'linear') throw new NervaError(`OneCycleLR: annealStrategy must be 'cos' or 'linear', got '${String(strategy)}'`);
    this.anneal = strategy === 'cos'
      ? (s, e, t) => e + ((s - e) / 2) * (Math.cos(Math.PI * t) + 1)
      : (s, e, t) => (e - s) * t + s;
    this.start();
  }

  /** lr and momentum of group i at step t, PyTorch's phase walk. */
  private at(i: number, t: number): { lr: number; momentum: number } {
    if (t > this.totalSteps) throw new NervaError(`OneCycleLR: stepped ${t} times, more than totalSteps = ${this.totalSteps}`);
    const r = this.rates[i]!;
    let start = 0;
    for (const [k, ph] of this.phases.entries()) {
      if (t <= ph.end || k === this.phases.length - 1) {
        const pct = (t - start) / (ph.end - start);
        return { lr: this.anneal(r[ph.lr[0]], r[ph.lr[1]], pct), momentum: this.anneal(r[ph.momentum[0]], r[ph.momentum[1]], pct) };
      }
      start = ph.end;
    }
    throw new Error('unreachable');
  }

  protected lrAt(t: number): number[] {
    return this.rates.map((_, i) => this.at(i, t).lr);
  }

  override step(): void {
    super.step();
    if (this.cycleMomentum) this.setMomentum();
  }

  private setMomentum(): void {
    this.optimizer.paramGroups.forEach((g: ParamGroup, i) => {
      const m = this.at(i, this.lastEpoch).momentum;
      if (this.useBetas) g.betas = [m, (g.betas as number[])[1]!];
      else g.momentum = m;
    });
  }

  override loadStateDict(state: SchedulerStateDict): void {
    super.loadStateDict(state);
    if (this.cycleMomentum) this.setMomentum();
  }
}

export interface PlateauOptions {
  /** 'min': lower metric is better (a loss); 'max': higher is better (an accuracy) */
  mode?: 'min' | 'max';
  factor?: number;
  /** epochs without improvement to wait before reducing */
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  /** epochs to wait after a reduction before counting again */
  cooldown?: number;
  minLr?: number | number[];
  /** reductions smaller than this are skipped */
  eps?: number;
}

/** Multiplies the rates by `factor` when a metric stops improving (torch's ReduceLROnPlateau). */
export class ReduceLROnPlateau implements Scheduler {
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;

  constructor(readonly optimizer: Optimizer, options: PlateauOptions = {}) {
    this.mode = options.mode ?? 'min';
    this.factor = options.factor ?? 0.1;
    this.patience = options.patience ?? 10;
    this.threshold = options.threshold ?? 1e-4;
    this.thresholdMode = options.thresholdMode ?? 'rel';
    this.cooldown = options.cooldown ?? 0;
    this.eps = options.eps ?? 1e-8;
    if (!(this.factor < 1 && this.factor >= 0)) throw new NervaError(`ReduceLROnPlateau: factor must be in [0, 1), got ${this.factor}`);
    if (this.mode !== 'min' && this.mode !== 'max') throw new NervaError(`ReduceLROnPlateau: mode must be 'min' or 'max', got '${String(this.mode)}'`);
    const n = optimizer.paramGroups.length;
    const minLr = options.minLr ?? 0;
    this.minLrs = Array.isArray(minLr) ? [...minLr] : new Array<number>(n).fill(minLr);
    if (this.minLrs.length !== n) throw new NervaError(`ReduceLROnPlateau: ${this.minLrs.length} minLr values for ${n} parameter groups`);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  private isBetter(a: number): boolean {
    const { best, threshold } = this;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - threshold) : a < best - threshold;
    return this.thresholdMode === 'rel' ? a > best * (threshold + 1) : a > best + threshold;
  }

  /** Reports the epoch's metric (e.g. validation loss). */
  step(metric?: number): void {
    if (typeof metric !== 'number') throw new NervaError('ReduceLROnPlateau.step needs the metric, e.g. scheduler.step(valLoss)');
    this.lastEpoch++;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else this.numBadEpochs++;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const lr = Math.max(g.lr * this.factor, this.minLrs[i]!);
        if (g.lr - lr > this.eps) g.lr = lr;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
  }

  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  stateDict(): SchedulerStateDict {
    // ±∞ is not JSON: a best of ±∞ (no metric yet) is stored as null.
    return { name: 'ReduceLROnPlateau', best: Number.isFinite(this.best) ? this.best : null, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter, lastEpoch: this.lastEpoch };
  }

  loadStateDict(state: SchedulerStateDict): void {
    if (state.name !== undefined && state.name !== 'ReduceLROnPlateau') throw new NervaError(`ReduceLROnPlateau.loadStateDict: the state is from a ${String(state.name)}`);
    this.best = typeof state.best === 'number' ? state.best : this.mode === 'min' ? Infinity : -Infinity;
    this.numBadEpochs = Number(state.numBadEpochs ?? 0);
    this.cooldownCounter = Number(state.cooldownCounter ?? 0);
    this.lastEpoch = Number(state.lastEpoch ?? 0);
  }
}
