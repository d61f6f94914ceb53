export * from './elementwise.js';
export { sum, max, min, argmax, argmin, sumToShape, type Axes } from './reduce.js';
export * from './movement.js';
export * from './gather.js';
export { matmul, linear } from './matmul.js';
export { conv2d, convOutputSize, type Conv2dOptions, type Pair } from './conv.js';
export { maxPool2d, avgPool2d, poolOutputSize, type Pool2dOptions, type AvgPool2dOptions } from './pool.js';
export type { TensorLike } from './util.js';
import './methods.js';
