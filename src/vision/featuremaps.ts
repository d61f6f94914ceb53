import { Tensor, denseData } from '../tensor/tensor.js';
import { noGrad } from '../autograd/grad_mode.js';
import { Module } from '../nn/module.js';
import { Conv2d } from '../nn/conv.js';
import { softmax } from '../functional/activation.js';
import type { Image } from './image.js';
import { NervaError, ShapeError, formatShape } from '../errors.js';

// Seeing inside a convolutional network: the output of every Conv2d layer for one input, and the
// learned kernels of the first layer, laid out as picture grids.

export interface LayerMaps {
  /** the layer's dotted name in the model ('features.0') */
  name: string;
  layer: Conv2d;
  /** the layer's output for the input, (1, C_out, H, W) */
  output: Tensor;
}

/** The Conv2d layers of a model with their dotted names, in registration (= forward) order. */
export function convLayers(model: Module): [string, Conv2d][] {
  const seen = new Set<Module>(); // a shared layer is listed once
  return model.namedModules().filter((e): e is [string, Conv2d] => e[1] instanceof Conv2d && !seen.has(e[1]) && seen.add(e[1]) !== undefined);
}

/**
 * Runs the model (eval mode, no gradient) on one input (1, C, H, W) and returns its output with
 * the output of every Conv2d layer, caught as each layer runs.
 */
export function featureMaps(model: Module, x: Tensor): { output: Tensor; maps: LayerMaps[] } {
  if (x.ndim !== 4 || x.shape[0] !== 1) throw new ShapeError(`featureMaps: expected one input of shape (1, C, H, W), got ${formatShape(x.shape)}`);
  const layers = convLayers(model);
  if (layers.length === 0) throw new NervaError(`featureMaps: the model (${model.constructor.name}) has no Conv2d layer`);
  const maps: LayerMaps[] = [];
  const wasTraining = model.training;
  model.eval();
  // NOTE: an instance property shadows the prototype's forward for the duration of this call.
  const hooked = layers.map(([name, layer]) => {
    const forward = layer.forward;
    (layer as { forward: (x: Tensor) => Tensor }).forward = (input: Tensor) => {
      const y = forward.call(layer, input);
      maps.push({ name, layer, output: y });
      return y;
    };
    return layer;
  });
  try {
    const output = noGrad(() => model.call(x));
    return { output, maps };
  } finally {
    for (const layer of hooked) delete (layer as { forward?: unknown }).forward;
    model.train(wasTraining);
  }
}

/** The k most probable classes of a (1, classes) logit vector, best first. */
export function topPredictions(logits: Tensor, k = 5, classes?: readonly string[]): { index: number; label: string; probability: number }[] {
  const p = denseData(softmax(logits.reshape([1, -1]), -1));
  const order = Array.from(p.keys()).sort((a, b) => p[b]! - p[a]!);
  return order.slice(0, k).map((index) => ({ index, label: classes?.[index] ?? String(index), probability: p[index]! }));
}

export interface GridOptions {
  /** tiles per row (default ⌈√n⌉) */
  columns?: number;
  /** each tile is enlarged by this whole factor, nearest neighbour (default: to about minTile pixels) */
  scale?: number;
  /** smallest tile side when the scale is chosen automatically (default 48) */
  minTile?: number;
  /** pixels between tiles (default 2), filled with `background` (default 64, dark gray) */
  gap?: number;
  background?: number;
}

/**
 * n tiles of h×w values in [0, 1] (each `channels` planes: 1 gray or 3 RGB) as one picture: a
 * grid with gaps, every tile enlarged by nearest neighbour.
 */
export function tileGrid(tiles: readonly Float32Array[], h: number, w: number, channels: 1 | 3, options: GridOptions = {}): Image {
  const n = tiles.length;
  if (n === 0) throw new NervaError('tileGrid: no tiles');
  const cols = Math.min(n, options.columns ?? Math.ceil(Math.sqrt(n)));
  const rows = Math.ceil(n / cols);
  const scale = options.scale ?? Math.max(1, Math.ceil((options.minTile ?? 48) / Math.max(h, w)));
  const gap = options.gap ?? 2;
  const th = h * scale, tw = w * scale;
  const width = cols * tw + (cols + 1) * gap;
  const height = rows * th + (rows + 1) * gap;
  const data = new Uint8Array(width * height * channels).fill(options.background ?? 64);
  tiles.forEach((tile, t) => {
    if (tile.length !== channels * h * w) throw new ShapeError(`tileGrid: tile ${t} has ${tile.length} values, expected ${channels}×${h}×${w}`);
    const x0 = gap + (t % cols) * (tw + gap);
    const y0 = gap + Math.floor(t / cols) * (th + gap);
    for (let y = 0; y < th; y++) {
      const sy = Math.floor(y / scale);
      for (let x = 0; x < tw; x++) {
        const sx = Math.floor(x / scale);
        for (let c = 0; c < channels; c++) {
          const v = tile[(c * h + sy) * w + sx]!;
          data[((y0 + y) * width + x0 + x) * channels + c] = Math.round(255 * Math.min(Math.max(v, 0), 1));
        }
      }
    }
  });
  return { width, height, channels, data };
}

/** Each channel of a (1, C, H, W) activation, min–max scaled on its own to [0, 1] (a constant map is black). */
export function featureMapTiles(maps: Tensor): { tiles: Float32Array[]; h: number; w: number } {
  if (maps.ndim !== 4 || maps.shape[0] !== 1) throw new ShapeError(`featureMapTiles: expected (1, C, H, W), got ${formatShape(maps.shape)}`);
  const [, c, h, w] = maps.shape as [number, number, number, number];
  const src = denseData(maps);
  const tiles: Float32Array[] = [];
  for (let k = 0; k < c; k++) {
    const plane = src.subarray(k * h * w, (k + 1) * h * w);
    let lo = Infinity, hi = -Infinity;
    for (const v of plane) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    tiles.push(Float32Array.from(plane, (v) => (hi > lo ? (v - lo) / (hi - lo) : 0)));
  }
  return { tiles, h, w };
}

/**
 * The kernels of a conv weight (O, I, kH, kW) as tiles: RGB when I = 3, else gray (the mean over
 * the input channels). Each kernel is scaled on its own so that 0 is mid-gray and its largest
 * |weight| reaches black or white: 0.5 + v / (2·max|v|).
 */
export function filterTiles(weight: Tensor): { tiles: Float32Array[]; h: number; w: number; channels: 1 | 3 } {
  if (weight.ndim !== 4) throw new ShapeError(`filterTiles: expected a conv weight (O, I, kH, kW), got ${formatShape(weight.shape)}`);
  const [o, i, h, w] = weight.shape as [number, number, number, number];
  const src = denseData(weight);
  const channels = i === 3 ? 3 : 1;
  const tiles: Float32Array[] = [];
  for (let k = 0; k < o; k++) {
    const kernel = src.subarray(k * i * h * w, (k + 1) * i * h * w);
    let tile: Float32Array;
    if (channels === 3) tile = Float32Array.from(kernel);
    else {
      tile = new Float32Array(h * w);
      for (let c = 0; c < i; c++) for (let p = 0; p < h * w; p++) tile[p]! += kernel[c * h * w + p]! / i;
    }
    let m = 0;
    for (const v of tile) m = Math.max(m, Math.abs(v));
    tiles.push(tile.map((v) => (m > 0 ? 0.5 + v / (2 * m) : 0.5)));
  }
  return { tiles, h, w, channels };
}
