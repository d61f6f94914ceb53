// Entry point of the kernel module: everything exported here is a WebAssembly export.
// Kernels take byte addresses in the shared linear memory; the JS side (src/backend/wasm/) owns
// allocation and copies typed arrays in and out.
export { sgemm, gemmWorkspaceBytes } from './gemm';
export { work, heapBase } from './work';
export { peak } from './peak';
export { lstmWorkspaceBytes } from './rnn';
