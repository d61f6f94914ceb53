// LeNet-5 on MNIST, the whole loop in one page: data → model → optimizer → schedule → fit.
// It is what `nerva train lenet5` does, written out with the library.
//
//   npm run build && node dist/examples/train_lenet_mnist.js [--classic] [--epochs N] [--limit N]
//
// Writes runs/example-lenet5/{checkpoint.safetensors,log.jsonl,curves.png,confusion.png}.
import { manualSeed, Generator, setBackend, loadMnist, MNIST_STATS, fit } from 'nerva/node';
import { Adam, CosineAnnealingLR } from 'nerva/optim';
import { DataLoader, take, centerPad, compose, normalize } from 'nerva/data';
import { LeNet5, LeNet5Classic } from 'nerva/models';
import { summary } from 'nerva/nn';

// ---- configuration ----
const arg = (name: string, fallback: number) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : fallback; };
const SEED = 0; // one seed drives initialization; the loader has its own generator seeded from it
const CLASSIC = process.argv.includes('--classic'); // LeCun 1998 (tanh, avg-pool, 32×32) instead of ReLU/max-pool
const EPOCHS = arg('--epochs', 5); // passes over the 60,000 training digits
const LIMIT = arg('--limit', 60000); // fewer training images for a quick look
const BATCH_SIZE = 64;
const LR = 1e-3; // Adam's peak learning rate
const WARMUP_STEPS = 100; // linear warm-up, then cosine decay to 0 over the run
const OUT = 'runs/example-lenet5';

manualSeed(SEED);
setBackend('wasm'); // WebAssembly SIMD kernels on every core; 'ref' is the plain-TypeScript reference

// ---- data: bytes → [0, 1] → (for the classic net) pad 28→32 → normalize ----
const { mean, std } = MNIST_STATS.mnist;
const transform = CLASSIC ? compose(centerPad(32), normalize(mean, std)) : normalize(mean, std);
const train = take(loadMnist({ split: 'train', transform }), LIMIT);
const test = loadMnist({ split: 'test', transform });
const trainLoader = new DataLoader(train, { batchSize: BATCH_SIZE, shuffle: true, generator: new Generator(SEED + 1) });
const testLoader = new DataLoader(test, { batchSize: 500 });

// ---- model ----
const model = CLASSIC ? new LeNet5Classic() : new LeNet5();
console.log(summary(model, [1, 1, CLASSIC ? 32 : 28, CLASSIC ? 32 : 28]));

// ---- optimizer and schedule (stepped after every batch) ----
const optimizer = new Adam(model.parameters(), { lr: LR });
const totalSteps = EPOCHS * trainLoader.length;
const scheduler = new CosineAnnealingLR(optimizer, totalSteps, { warmupSteps: Math.min(WARMUP_STEPS, Math.floor(totalSteps / 10)) });

// ---- the loop: forward → cross-entropy → backward → step → zeroGrad, evaluation every epoch ----
const result = await fit({
  model, optimizer, scheduler, trainLoader, valLoader: testLoader, epochs: EPOCHS,
  outDir: OUT, numClasses: 10, meta: { arch: CLASSIC ? 'lenet5-classic' : 'lenet5' },
});

const last = result.history[result.history.length - 1]!;
console.log(`test accuracy ${(100 * last.valAccuracy!).toFixed(2)}% after ${last.epoch} epochs; pictures and checkpoint in ${OUT}/`);
