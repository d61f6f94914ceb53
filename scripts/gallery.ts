// Writes the filter gallery of docs/vision.md: docs/gallery/*.png, from the @stdlib photographs.
// Run: npm run build && node dist/scripts/gallery.js [LENET_CHECKPOINT]   (a few seconds: photos are
// shrunk first). With a trained LeNet-5 checkpoint (nerva train lenet5 --out runs/lenet5-mnist),
// also docs/gallery/lenet/: its filters and feature maps for MNIST test digit 0 (nerva viz).
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { readImageTensor, sampleImagePath, writeImageTensor, type SampleImage } from '../src/node/vision_io.js';
import { downscale } from '../src/vision/image.js';
import { filterPipeline, namedFilter, type PipelineOptions } from '../src/vision/filters.js';
import type { Tensor } from '../src/tensor/tensor.js';
import { run as viz } from '../src/cli/viz.js';

const MAX_SIDE = 256; // longer side of every gallery picture, in pixels
const OUT = fileURLToPath(new URL('../../docs/gallery/', import.meta.url)); // from dist/scripts/

/** One gallery picture: which photo, gray or colour, and the pipeline (filter, pooling). */
const PICTURES: { file: string; photo: SampleImage; gray?: boolean; pipeline?: PipelineOptions }[] = [
  { file: 'acanthus.png', photo: 'acanthus-mollis', gray: true },
  { file: 'acanthus-sobel.png', photo: 'acanthus-mollis', gray: true, pipeline: { filter: namedFilter('sobel'), padding: 'same' } },
  { file: 'acanthus-laplacian.png', photo: 'acanthus-mollis', gray: true, pipeline: { filter: namedFilter('laplacian'), padding: 'same' } },
  { file: 'canyon.png', photo: 'black-canyon' },
  { file: 'canyon-gaussian.png', photo: 'black-canyon', pipeline: { filter: namedFilter('gaussian', { sigma: 2 }), padding: 'reflect' } },
  { file: 'canyon-sharpen.png', photo: 'black-canyon', pipeline: { filter: namedFilter('sharpen'), padding: 'same' } },
  { file: 'boats.png', photo: 'nagasaki-boats' },
  { file: 'boats-sobel-x.png', photo: 'nagasaki-boats', gray: true, pipeline: { filter: namedFilter('sobel-x'), padding: 'same' } },
  { file: 'boats-maxpool.png', photo: 'nagasaki-boats', pipeline: { pool: { kind: 'max', size: 4 } } },
];

const started = Date.now();
mkdirSync(OUT, { recursive: true });
const photos = new Map<string, Tensor>();
for (const p of PICTURES) {
  const key = `${p.photo}:${p.gray ? 'gray' : 'rgb'}`;
  if (!photos.has(key)) photos.set(key, downscale(readImageTensor(sampleImagePath(p.photo), { mode: p.gray ? 'gray' : 'keep' }), MAX_SIDE));
  const x = photos.get(key)!;
  const y = p.pipeline ? filterPipeline(x, p.pipeline) : x;
  writeImageTensor(join(OUT, p.file), y);
  console.log(`docs/gallery/${p.file}  ${y.shape[3]}×${y.shape[2]}`);
}
const checkpoint = process.argv[2];
if (checkpoint !== undefined) await viz([checkpoint, '--index', '0', '-o', join(OUT, 'lenet')]);
console.log(`${PICTURES.length} pictures in ${((Date.now() - started) / 1000).toFixed(1)} s`);
