/** Neural language models' data, loss, training steps and sampling (platform-free; saving and
 * loading a model folder is saveLM / loadLM in `nerva/node`). */
export * from './data.js';
export { softmaxCrossEntropy } from './loss.js';
export * from './sample.js';
export * from './train.js';
