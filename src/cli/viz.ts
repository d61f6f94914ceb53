import { parseCommand } from './args.js';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Tensor } from '../tensor/tensor.js';
import { loadCheckpoint } from '../node/checkpoint.js';
import { createModel, modelSpec } from '../models/registry.js';
import { loadMnist } from '../node/mnist.js';
import { inputTransform, isBuiltin, prepareOutDir, type Preprocess } from './data_args.js';
import { readImage, writeImage } from '../node/vision_io.js';
import { downscale, imageToTensor, resizeBilinear } from '../vision/image.js';
import { featureMaps, featureMapTiles, filterTiles, tileGrid, topPredictions } from '../vision/featuremaps.js';
import { plotCurves, type EpochRecord } from '../node/plot.js';
import { writeFileAtomic } from '../node/atomic.js';
import { NervaError } from '../errors.js';

const USAGE = `usage: nerva viz CHECKPOINT [IMAGE] [options]
       nerva viz --curves RUN_DIR [-o DIR]

Looks inside a trained convolutional network: for one input picture it writes
  DIR/input.png              the input as the network sees it (resized, padded)
  DIR/filters.png            the first convolution layer's learned kernels (gray 0, white +, black -)
  DIR/features-N-LAYER.png   every convolution layer's feature maps (each map scaled to its own range)
  DIR/predictions.txt        the top predictions (also printed)
IMAGE is a PNG or JPEG file; without it, test image --index of the checkpoint's dataset (MNIST…).

options:
  -o, --output DIR     (or --out) output folder (default: viz/ next to the checkpoint; with --curves: RUN_DIR)
      --index N        test-set image to use when IMAGE is omitted (default 0)
      --invert         invert the picture first (dark digit on light paper → MNIST's white on black)
      --top K          predictions to show (default 5)
      --curves RUN_DIR redraw RUN_DIR/log.jsonl's loss and accuracy curves as DIR/curves.png
  -h, --help           this help`;

export async function run(argv: string[]): Promise<void> {
  const parsed = parseCommand('viz', {
      args: argv,
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' },
        out: { type: 'string' },
        index: { type: 'string' },
        invert: { type: 'boolean' },
        top: { type: 'string' },
        curves: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
  });
  const { values: o, positionals } = parsed;
  if (o.help) {
    console.log(USAGE);
    return;
  }
  if (o.curves !== undefined) {
    if (positionals.length > 0) throw new NervaError(`viz --curves takes a run folder only, got also ${positionals.join(' ')}`);
    redrawCurves(o.curves, o.output ?? o.out ?? o.curves);
    return;
  }
  const [checkpointPath, imagePath, ...rest] = positionals;
  if (checkpointPath === undefined) throw new NervaError('viz: expected a CHECKPOINT (e.g. runs/lenet5-mnist/checkpoint.safetensors) (nerva viz --help)');
  if (rest.length > 0) throw new NervaError(`viz: expected CHECKPOINT [IMAGE], got also ${rest.join(' ')}`);
  const index = intArg('index', o.index, 0, 0);
  const top = intArg('top', o.top, 5, 1);
  if (imagePath !== undefined && o.index !== undefined) throw new NervaError('viz: --index picks a test image when no IMAGE is given; give one or the other');

  // The network, rebuilt from the architecture name and preprocessing saved in the checkpoint.
  if (!existsSync(checkpointPath)) throw new NervaError(`viz: no checkpoint at '${checkpointPath}'`);
  const ckpt = loadCheckpoint(checkpointPath);
  const extra = ckpt.extra as { arch?: string; pre?: Preprocess };
  const arch = ckpt.arch || extra.arch;
  if (!arch) throw new NervaError(`viz: '${checkpointPath}' does not say which architecture it holds (no 'arch' metadata); write it with nerva train`);
  const spec = modelSpec(arch);
  const pre: Preprocess = extra.pre ?? {
    dataset: 'mnist', classes: Array.from({ length: Number(ckpt.config.numClasses ?? 10) }, (_, i) => String(i)),
    inChannels: spec.inChannels, imageSize: spec.inputSize, inputSize: spec.inputSize, mean: new Array(spec.inChannels).fill(0), std: new Array(spec.inChannels).fill(1),
  };
  const model = createModel(arch, { numClasses: pre.classes.length, inChannels: pre.inChannels });
  ckpt.restore({ model });

  // The input: (C, imageSize, imageSize) in [0, 1], then the checkpoint's own transform (pad, normalize).
  let raw: Tensor; // (1, C, S, S) in [0, 1]
  let source: string;
  if (imagePath !== undefined) {
    const img = readImage(imagePath);
    const x = imageToTensor(img, { mode: pre.inChannels === 1 ? 'gray' : 'rgb' });
    raw = resizeBilinear(downscale(x, Math.max(pre.imageSize, 1) * 2), [pre.imageSize, pre.imageSize]);
    source = `${basename(imagePath)} (${img.width}×${img.height})`;
  } else {
    if (!isBuiltin(pre.dataset)) throw new NervaError(`viz: give an IMAGE (the checkpoint was trained on '${pre.dataset}', not a built-in dataset to pick a test image from)`);
    const test = loadMnist({ variant: pre.dataset, split: 'test', dataDir: pre.dataDir });
    if (index >= test.length) throw new NervaError(`viz: --index ${index} is out of range: the ${pre.dataset} test set has ${test.length} images`);
    const sample = test.get(index);
    raw = sample.x.reshape([1, ...sample.x.shape]);
    source = `${pre.dataset} test image ${index} (label ${pre.classes[sample.y as number] ?? sample.y})`;
  }
  if (o.invert) raw = new Tensor(Float32Array.from(raw.toTypedArray(), (v) => 1 - v), raw.shape);
  const x = inputTransform(pre)(raw.reshape(raw.shape.slice(1)));
  const input = x.reshape([1, ...x.shape]); // (1, C, inputSize, inputSize)

  const { output, maps } = featureMaps(model, input);
  const outDir = o.output ?? o.out ?? join(dirname(checkpointPath), 'viz');
  prepareOutDir(outDir);
  const written: string[] = [];
  const save = (name: string, img: Parameters<typeof writeImage>[1]) => {
    writeImage(join(outDir, name), img);
    written.push(`${name} ${img.width}×${img.height}`);
  };
  // What the network sees, shown on the [0, 1] scale (before normalization), enlarged.
  const seen = inputTransform({ ...pre, mean: pre.mean.map(() => 0), std: pre.std.map(() => 1) })(raw.reshape(raw.shape.slice(1)));
  save('input.png', tileGrid([Float32Array.from(seen.toTypedArray())], pre.inputSize, pre.inputSize, pre.inChannels === 3 ? 3 : 1, { minTile: 224, gap: 0 }));
  const first = filterTiles(maps[0]!.layer.weight);
  save('filters.png', tileGrid(first.tiles, first.h, first.w, first.channels, { minTile: 64 }));
  maps.forEach((m, i) => {
    const t = featureMapTiles(m.output);
    save(`features-${i + 1}-${m.name.replace(/[^A-Za-z0-9_.-]/g, '_')}.png`, tileGrid(t.tiles, t.h, t.w, 1, { minTile: 64 }));
  });
  const preds = topPredictions(output, top, pre.classes);
  const lines = preds.map((p, i) => `${String(i + 1).padStart(2)}. ${p.label.padEnd(14)} ${(100 * p.probability).toFixed(2).padStart(6)}%`);
  writeFileAtomic(join(outDir, 'predictions.txt'), `${arch} on ${source}\n${lines.join('\n')}\n`);
  console.log(`${arch} on ${source}:`);
  for (const line of lines) console.log(`  ${line}`);
  console.log(`wrote ${outDir}/: ${written.join(', ')}, predictions.txt`);
}

function intArg(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  if (!/^\s*\d+\s*$/.test(text) || Number(text) < min) throw new NervaError(`viz: --${name} must be an integer ≥ ${min}, got '${text}'`);
  return Number(text);
}

/** Redraws a run's curves from its log.jsonl (the last record of each epoch wins, as after a resume). */
function redrawCurves(runDir: string, outDir: string): void {
  const logPath = join(runDir, 'log.jsonl');
  let text: string;
  try {
    text = readFileSync(logPath, 'utf8');
  } catch {
    throw new NervaError(`viz --curves: cannot read '${logPath}' (is '${runDir}' the --out folder of a nerva train run?)`);
  }
  const byEpoch = new Map<number, EpochRecord>();
  let title = '';
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new NervaError(`viz --curves: '${logPath}' line ${i + 1} is not JSON`);
    }
    if (entry.type === 'start' && typeof entry.arch === 'string') title = `${entry.arch}${typeof (entry.pre as Preprocess | undefined)?.dataset === 'string' ? ` on ${(entry.pre as Preprocess).dataset}` : ''}`;
    if (entry.type !== 'epoch') return;
    if (typeof entry.epoch !== 'number' || typeof entry.trainLoss !== 'number' || typeof entry.trainAccuracy !== 'number') {
      throw new NervaError(`viz --curves: '${logPath}' line ${i + 1} is an epoch record without epoch, trainLoss and trainAccuracy numbers`);
    }
    byEpoch.set(entry.epoch, entry as unknown as EpochRecord);
  });
  const history = [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
  if (history.length === 0) throw new NervaError(`viz --curves: '${logPath}' has no finished epoch yet`);
  prepareOutDir(outDir);
  const out = join(outDir, 'curves.png');
  plotCurves(out, history, title);
  console.log(`wrote ${out} (${history.length} epoch${history.length === 1 ? '' : 's'})`);
}
