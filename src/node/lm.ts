// The n-gram language models with their files: `lm` in `nerva/node`.
export * from '../lm/index.js';
export { countFile, trainFile, scoreFile, readArpa, writeArpa } from './lm_files.js';
export { readLines, readLinesFrom } from './lines.js';
export { embeddedCorpus, sotuAddresses, EMBEDDED_CORPORA } from './corpora.js';
