/** Training helpers that need no files: metrics and the progress bar (the fit loop, which writes
 * checkpoints and logs, is `fit` in `nerva/node`). */
export { predictions, correctCount, accuracy, topK, ConfusionMatrix } from './metrics.js';
export { ProgressBar, formatDuration, type ProgressOptions } from './progress.js';
