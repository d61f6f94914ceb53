import type { Backend } from '../backend.js';
import { batchNormBackward, batchNormForward, binary, copyStrided, softmax, softmaxBackward, softmaxCrossEntropy, softmaxCrossEntropyBackward, gather, indexAdd, indexSelect, reduce, scatterAdd, scatterStrided, unary, unaryBackward, where } from './elementwise.js';
import { matmul } from './matmul.js';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from './conv.js';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward } from './pool.js';

/** Plain TypeScript kernels: obvious, slow, and the definition of correct. */
export const refBackend: Backend = {
  name: 'ref',
  unary,
  unaryBackward,
  batchNormForward,
  softmax,
  softmaxBackward,
  softmaxCrossEntropy,
  softmaxCrossEntropyBackward,
  batchNormBackward,
  binary,
  copyStrided,
  scatterStrided,
  where,
  indexSelect,
  indexAdd,
  gather,
  scatterAdd,
  reduce,
  matmul,
  conv2d,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  maxPool2d,
  maxPool2dBackward,
  avgPool2d,
  avgPool2dBackward,
};
