// Transfer learning with few labels, measured: a LeNet-5 pre-trained on one task learns a new task
// from 10 or 100 labelled images per class, three ways, over 5 seeds:
//   frozen  — the pre-trained network's features computed once and cached; only a new linear head
//             is trained on them: on the penultimate 84-d layer (classifier.4, i.e. everything but
//             the head frozen) and on the 400-d convolutional features (features);
//   finetune — a new head, then every layer trained (head and backbone at the same lr);
//   scratch — a fresh LeNet-5 trained on the same images.
// Tasks: MNIST digits 0–4 → digits 5–9, and all of MNIST → Fashion-MNIST.
// Every run takes the same number of optimizer steps on the same labelled images (seeded per seed).
//
//   npm run build && node dist/examples/transfer_mnist.js [--quick]
//
// Prints one line per run and a Markdown table (mean ± sample std, and min–max, of test accuracy).
import { manualSeed, Generator, setBackend, crossEntropy, setNumThreads, loadMnist, MNIST_STATS, evaluate, type MnistVariant } from 'nerva/node';
import { Linear, type Module } from 'nerva/nn';
import { Adam } from 'nerva/optim';
import { DataLoader, normalize, type Dataset } from 'nerva/data';
import { LeNet5, replaceHead, paramGroups, cacheFeatures, selectClasses, labelsPerClass } from 'nerva/models';

// ---- configuration ----
const QUICK = process.argv.includes('--quick'); // a smoke run: 1 seed, fewer steps
const SEEDS = QUICK ? [0] : [0, 1, 2, 3, 4];
const LABELS_PER_CLASS = [10, 100];
const PRETRAIN_EPOCHS = QUICK ? 1 : 2; // epochs of pre-training on the source task (Adam 1e-3, batch 64)
const STEPS = QUICK ? 60 : 300; // optimizer steps of every few-label run
const BATCH = (n: number) => Math.min(32, n); // batch size for n training images
const LR = { frozen: 1e-2, finetune: 1e-3, scratch: 1e-3 }; // Adam learning rates (the probe is convex: larger lr)
const FEATURE_LAYERS = { frozen84: 'classifier.4', frozen400: 'features' }; // LeNet-5: the head's input; the conv trunk's output

setBackend('wasm');
setNumThreads(1); // NOTE: one thread: the 2-thread pool gave run-to-run different logits here (reported)

// ---- data ----
function mnist(variant: MnistVariant, split: 'train' | 'test'): Dataset {
  const { mean, std } = MNIST_STATS[variant];
  return loadMnist({ variant, split }).withTransform(normalize(mean, std));
}

/** Plain training loop: `steps` Adam steps over shuffled batches of `data`. */
function train(model: Module, data: Dataset, steps: number, batch: number, lr: number, seed: number, groups?: ReturnType<typeof paramGroups>): void {
  const opt = new Adam(groups ?? model.parameters().filter((p) => p.requiresGrad), { lr });
  const loader = new DataLoader(data, { batchSize: batch, shuffle: true, generator: new Generator(seed) });
  model.train();
  for (let step = 0; step < steps;) {
    for (const { x, y } of loader) {
      const loss = crossEntropy(model.call(x), y); // (B, classes) vs (B)
      loss.backward();
      opt.step();
      opt.zeroGrad();
      if (++step >= steps) break;
    }
  }
}

const accuracy = (model: Module, data: Dataset): number => evaluate(model, new DataLoader(data, { batchSize: 500 }), { silent: true }).accuracy;

/** A linear head on a cached feature dataset, as a Module. */
function probe(features: Dataset, classes: number): Linear {
  return new Linear(features.get(0).x.shape[0]!, classes);
}

interface Task { name: string; source: () => { train: Dataset }; target: () => { train: Dataset; test: Dataset }; classes: number }

const TASKS: Task[] = [
  {
    name: 'MNIST 0–4 → 5–9',
    source: () => ({ train: selectClasses(mnist('mnist', 'train'), [0, 1, 2, 3, 4]) }),
    target: () => ({ train: selectClasses(mnist('mnist', 'train'), [5, 6, 7, 8, 9]), test: selectClasses(mnist('mnist', 'test'), [5, 6, 7, 8, 9]) }),
    classes: 5,
  },
  {
    name: 'MNIST → Fashion-MNIST',
    source: () => ({ train: mnist('mnist', 'train') }),
    target: () => ({ train: mnist('fashion-mnist', 'train'), test: mnist('fashion-mnist', 'test') }),
    classes: 10,
  },
];

const METHODS = ['frozen84', 'frozen400', 'finetune', 'scratch'] as const;
type Method = (typeof METHODS)[number];
const results: { task: string; labels: number; method: string; acc: number[] }[] = [];
const t0 = performance.now();

for (const task of TASKS) {
  // ---- pre-train on the source task ----
  manualSeed(1234);
  const source = task.source();
  const sourceClasses = task.name.startsWith('MNIST 0') ? 5 : 10;
  const pretrained = new LeNet5({ numClasses: sourceClasses });
  const pre = performance.now();
  train(pretrained, source.train, Math.ceil((PRETRAIN_EPOCHS * source.train.length) / 64), 64, 1e-3, 1234);
  console.log(`${task.name}: pre-trained LeNet-5 on ${source.train.length} images, ${PRETRAIN_EPOCHS} epochs (${((performance.now() - pre) / 1000).toFixed(0)} s)`);
  const weights = pretrained.stateDict();

  const target = task.target();
  for (const perClass of LABELS_PER_CLASS) {
    const acc: Record<Method, number[]> = { frozen84: [], frozen400: [], finetune: [], scratch: [] };
    for (const seed of SEEDS) {
      const labelled = labelsPerClass(target.train, perClass, seed); // perClass images of each class
      const batch = BATCH(labelled.length);

      // frozen features + new head: the backbone runs once over the labelled and the test images
      manualSeed(seed);
      const backbone = new LeNet5({ numClasses: sourceClasses });
      backbone.loadStateDict(weights);
      for (const m of ['frozen84', 'frozen400'] as const) {
        const trainFeats = cacheFeatures(backbone, new DataLoader(labelled, { batchSize: 500 }), FEATURE_LAYERS[m]); // (N, D)
        const testFeats = cacheFeatures(backbone, new DataLoader(target.test, { batchSize: 500 }), FEATURE_LAYERS[m]);
        const head = probe(trainFeats, task.classes);
        train(head, trainFeats, STEPS, batch, LR.frozen, seed);
        acc[m].push(accuracy(head, testFeats));
      }

      // full fine-tuning: new head, every layer trains
      manualSeed(seed);
      const tuned = new LeNet5({ numClasses: sourceClasses });
      tuned.loadStateDict(weights);
      replaceHead(tuned, task.classes);
      train(tuned, labelled, STEPS, batch, LR.finetune, seed, paramGroups(tuned, { headLr: LR.finetune, backboneLr: LR.finetune }));
      acc.finetune.push(accuracy(tuned, target.test));

      // from scratch
      manualSeed(seed);
      const fresh = new LeNet5({ numClasses: task.classes });
      train(fresh, labelled, STEPS, batch, LR.scratch, seed);
      acc.scratch.push(accuracy(fresh, target.test));

      const pct = (m: keyof typeof acc) => `${(100 * acc[m][acc[m].length - 1]!).toFixed(2)}%`;
      console.log(`  ${perClass} labels/class, seed ${seed}: frozen-84 ${pct('frozen84')}  frozen-400 ${pct('frozen400')}  finetune ${pct('finetune')}  scratch ${pct('scratch')}  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    }
    for (const method of METHODS) results.push({ task: task.name, labels: perClass, method, acc: acc[method] });
  }
}

// ---- report ----
const stats = (a: number[]) => {
  const m = a.reduce((s, v) => s + v, 0) / a.length;
  const sd = a.length > 1 ? Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / (a.length - 1)) : 0;
  return { m, sd, lo: Math.min(...a), hi: Math.max(...a) };
};
console.log(`\n| task | labels/class | frozen 84-d + new head | frozen conv 400-d + new head | full fine-tuning | from scratch |`);
console.log('|---|---:|---:|---:|---:|---:|');
for (const task of TASKS) {
  for (const perClass of LABELS_PER_CLASS) {
    const cell = (method: string) => {
      const r = results.find((x) => x.task === task.name && x.labels === perClass && x.method === method)!;
      const s = stats(r.acc);
      return `${(100 * s.m).toFixed(1)} ± ${(100 * s.sd).toFixed(1)} (${(100 * s.lo).toFixed(1)}–${(100 * s.hi).toFixed(1)})`;
    };
    console.log(`| ${task.name} | ${perClass} | ${METHODS.map(cell).join(' | ')} |`);
  }
}
console.log(`\n${SEEDS.length} seeds, ${STEPS} Adam steps per run, test accuracy in % (mean ± sample std, min–max); ${((performance.now() - t0) / 1000).toFixed(0)} s in all`);

