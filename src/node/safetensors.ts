// safetensors files on disk (the format itself, on bytes, is src/io/safetensors.ts).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { loadFromSource, readHeader, encodeSafetensors, type LoadOptions, type SafetensorsContent, type SafetensorsHeader, type SafetensorsSource } from '../io/safetensors.js';
import type { Tensor } from '../tensor/tensor.js';
import { writeFileAtomic } from './atomic.js';
import { FormatError, NervaError } from '../errors.js';

function fileSource(path: string, fd: number): SafetensorsSource {
  return {
    name: path,
    size: fstatSync(fd).size,
    readInto(target, position) {
      let done = 0;
      while (done < target.length) {
        const n = readSync(fd, target, done, target.length - done, position + done);
        if (n === 0) throw new FormatError(`${path}: unexpected end of file at byte ${position + done}`);
        done += n;
      }
    },
  };
}

function withFile<T>(path: string, fn: (src: SafetensorsSource) => T): T {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new NervaError(`cannot read '${path}': ${(err as Error).message}`);
  }
  try {
    return fn(fileSource(path, fd));
  } finally {
    closeSync(fd);
  }
}

/** Reads only the header of a safetensors file: names, dtypes, shapes, offsets and metadata. */
export function readSafetensorsHeader(path: string): SafetensorsHeader {
  return withFile(path, readHeader);
}

/**
 * Loads a safetensors file after validating its whole header. Memory-lean: the header is read
 * first, then each tensor's byte range straight into its own typed array (never the whole file).
 */
export function loadSafetensors(path: string, options: LoadOptions = {}): SafetensorsContent {
  return withFile(path, (src) => loadFromSource(src, options));
}

/** Writes tensors (and string metadata) as a safetensors file, atomically (temp file, fsync, rename). */
export function saveSafetensors(path: string, tensors: Map<string, Tensor> | Record<string, Tensor>, metadata: Record<string, string> = {}): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}
