/**
 * `nerva/node`: the core (everything `nerva` exports) plus what needs Node: files (safetensors,
 * checkpoints, atomic writes, images), datasets on disk (MNIST, image folders, IDX), the fit loop
 * with its checkpoints, logs and plots, and the language models with their corpora and files.
 * (The thread pool and relaxed-SIMD work in Node whichever entry is imported: package.json's
 * `#nerva/platform` resolves to ./platform.ts under the `node` condition.)
 */
export * from '../index.js';
export { loadSafetensors, saveSafetensors, readSafetensorsHeader } from './safetensors.js';
export { saveCheckpoint, loadCheckpoint } from './checkpoint.js';
export { writeFileAtomic, makeDirectories } from './atomic.js';
export { fit, evaluate, restoreRng, type FitOptions, type FitResult, type TrainState, type EvalResult, type LossFn } from './fit.js';
export { plotCurves, plotConfusion, type EpochRecord } from './plot.js';
export { loadMnist, defaultMnistDir, MNIST_CLASSES, FASHION_MNIST_CLASSES, MNIST_STATS, type MnistOptions, type MnistVariant } from './mnist.js';
export { loadImageFolder, type ImageFolderOptions } from './imagefolder.js';
export { readIdx, parseIdx, encodeIdx, type IdxArray, type IdxType } from './idx.js';
export { readImage, readImageTensor, writeImage, writeImageTensor, sampleImagePath, SAMPLE_IMAGES, type SampleImage } from './vision_io.js';
export * as data from '../data/index.js';
export * as train from '../train/index.js';
export * as lm from './lm.js';
export * as lmNeural from '../lm/neural/index.js';
export { saveLM, loadLM, saveVocab, loadVocab } from './lm_store.js';
export { saveSeq2Seq, loadSeq2Seq, saveVocabs as saveSeq2SeqVocabs, type Seq2SeqVocabs } from './seq2seq_store.js';
