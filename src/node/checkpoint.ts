// Checkpoint files on disk (the format, on bytes, is src/io/checkpoint.ts).
import { checkpointFromSafetensors, encodeCheckpoint, type CheckpointContents, type LoadedCheckpoint } from '../io/checkpoint.js';
import { loadSafetensors } from './safetensors.js';
import { writeFileAtomic } from './atomic.js';

/**
 * Saves model + optimizer + scheduler + counters + RNG state to one safetensors file, atomically:
 * a temporary file in the same folder, fsync, rename. An interruption leaves the previous file whole.
 */
export function saveCheckpoint(path: string, contents: CheckpointContents): void {
  writeFileAtomic(path, encodeCheckpoint(contents));
}

/**
 * Reads a checkpoint written by saveCheckpoint. A plain safetensors file of weights (e.g. exported
 * from PyTorch) loads too, as a checkpoint with only model tensors and arch ''.
 */
export function loadCheckpoint(path: string): LoadedCheckpoint {
  return checkpointFromSafetensors(loadSafetensors(path), path);
}
