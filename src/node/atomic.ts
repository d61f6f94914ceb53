import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { NervaError } from '../errors.js';

/**
 * Writes a file so that readers see either the old content or the whole new content, never a
 * part: write a temporary file in the same folder, fsync it, then rename it over the target.
 * The chunks are written in order; an exception (or a signal handled as one) removes the temp file.
 */
export function writeFileAtomic(path: string, chunks: Uint8Array | string | Iterable<Uint8Array | string>): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, 'w');
  } catch (err) {
    throw new NervaError(`cannot write '${path}': ${(err as Error).message}`);
  }
  try {
    const list = typeof chunks === 'string' || chunks instanceof Uint8Array ? [chunks] : chunks;
    for (const chunk of list) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    }
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (err) {
    try { closeSync(fd); } catch { /* already closed */ }
    rmSync(tmp, { force: true });
    if (err instanceof NervaError) throw err;
    throw new NervaError(`cannot write '${path}': ${(err as Error).message}`);
  }
}

/**
 * mkdir -p, one level at a time. NOTE: Node 20's mkdirSync(…, { recursive: true }) spins forever on
 * some paths it cannot create (seen with /proc/x); creating each missing level on its own fails
 * at once with that level's error instead.
 */
export function makeDirectories(dir: string): void {
  const missing: string[] = [];
  let d = resolve(dir);
  while (!existsSync(d)) {
    missing.push(d);
    const parent = dirname(d);
    if (parent === d) break;
    d = parent;
  }
  for (const m of missing.reverse()) mkdirSync(m);
}
