export { mean, variance, std, logSumExp, type VarOptions } from './reduce.js';
export { softmax, logSoftmax } from './activation.js';
export { crossEntropy, nllLoss, mseLoss, l1Loss, binaryCrossEntropyWithLogits, type Reduction, type CrossEntropyOptions, type NllOptions } from './loss.js';
export { minPool2d, adaptiveAvgPool2d } from './pool.js';
export { dropout } from './dropout.js';
export { maskedMean, maskedMax } from './seq_pool.js';
