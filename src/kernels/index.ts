// Entry point of the kernel module: everything exported here is a WebAssembly export.
// Kernels take byte addresses in the shared linear memory; the JS side (src/backend/wasm/) owns
// allocation and copies typed arrays in and out.
export { sgemm, gemmWorkspaceBytes } from './gemm';
export { work, heapBase } from './work';
export { peak } from './peak';
export { lstmWorkspaceBytes } from './rnn';
export { softmaxCrossEntropy_f32, softmaxCrossEntropyBackward_f32, sumLeading_f32, addRows_f32, channelOp_f32, relu_f32, reluBackward_f32, unaryMath_f32, adam_f32, sgd_f32 } from './elementwise';
export { addInto } from './simd';
export { rotateTransposeWeights } from './conv';
