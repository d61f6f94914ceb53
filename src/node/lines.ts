import { createReadStream, closeSync, openSync, readSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { NervaError } from '../errors.js';
export { forEachLine } from '../lm/lines.js';

export interface ReadLinesOptions {
  /** called with the number of file bytes read so far (compressed bytes for .gz) */
  onProgress?: (bytesRead: number) => void;
}

export interface ReadLinesResult {
  lines: number;
  bytes: number;
}

const NEWLINE = 0x0a;

/**
 * Streams a text file line by line (never whole in memory), gzipped or not (detected by its magic
 * bytes). Lines are strictly UTF-8: an invalid byte sequence is refused with the file and line
 * number. A trailing '\r' is dropped; a leading byte-order mark is skipped. `onLine` gets 1-based
 * line numbers; an exception it throws stops the read.
 */
export async function readLines(
  path: string,
  onLine: (line: string, lineNo: number) => void,
  options: ReadLinesOptions = {},
): Promise<ReadLinesResult> {
  const gz = isGzip(path);
  let fileBytes = 0;
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  raw.on('data', (chunk) => {
    fileBytes += chunk.length;
    options.onProgress?.(fileBytes);
  });
  const source = gz ? raw.pipe(createGunzip()) : raw;
  if (gz) raw.on('error', (err) => source.destroy(err));
  try {
    return await readLinesFrom(source, path, onLine);
  } catch (err) {
    raw.destroy();
    if (err instanceof NervaError) throw err;
    const e = err as NodeJS.ErrnoException;
    if (gz && !(e.code === 'ENOENT' || e.code === 'EISDIR' || e.code === 'EACCES')) {
      throw new NervaError(`'${path}' is not a valid gzip file (${e.message}); it may be truncated`);
    }
    throw new NervaError(`cannot read '${path}': ${e.message}`);
  }
}

/** The same over any byte stream (stdin…); `name` labels errors. */
export async function readLinesFrom(
  source: AsyncIterable<Buffer | string>,
  name: string,
  onLine: (line: string, lineNo: number) => void,
): Promise<ReadLinesResult> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let lineNo = 0;
  let carry: Buffer | null = null;
  let total = 0;

  const emitBlock = (block: Buffer): void => {
    let text: string;
    try {
      text = decoder.decode(block);
    } catch {
      throw invalidUtf8(name, block, lineNo);
    }
    let start = lineNo === 0 && text.charCodeAt(0) === 0xfeff ? 1 : 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      // a block ends just before a newline (or at the end of the input): its last segment is a line
      const end = nl < 0 ? text.length : nl;
      let stop = end;
      if (stop > start && text.charCodeAt(stop - 1) === 13) stop--;
      lineNo++;
      onLine(text.slice(start, stop), lineNo);
      if (nl < 0) break;
      start = nl + 1;
    }
  };

  for await (const piece of source) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
    total += chunk.length;
    const buf: Buffer = carry === null ? chunk : Buffer.concat([carry, chunk]);
    const last = buf.lastIndexOf(NEWLINE);
    if (last < 0) {
      carry = buf;
      continue;
    }
    carry = last + 1 < buf.length ? buf.subarray(last + 1) : null;
    emitBlock(buf.subarray(0, last));
  }
  if (carry !== null && carry.length > 0) emitBlock(carry);
  return { lines: lineNo, bytes: total };
}

/** Size of a file in bytes (for progress bars); a clear error if it cannot be read. */
export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch (err) {
    throw new NervaError(`cannot read '${path}': ${(err as Error).message}`);
  }
}

function isGzip(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new NervaError(`cannot read '${path}': ${(err as Error).message}`);
  }
  try {
    const head = Buffer.alloc(2);
    const n = readSync(fd, head, 0, 2, 0);
    return n === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } catch (err) {
    throw new NervaError(`cannot read '${path}': ${(err as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** Finds the line and byte of the first invalid UTF-8 sequence in a block that failed to decode. */
function invalidUtf8(path: string, block: Buffer, linesBefore: number): NervaError {
  const strict = new TextDecoder('utf-8', { fatal: true });
  let line = linesBefore;
  let start = 0;
  while (start <= block.length) {
    let nl = block.indexOf(NEWLINE, start);
    if (nl < 0) nl = block.length;
    line++;
    try {
      strict.decode(block.subarray(start, nl));
    } catch {
      const bad = firstInvalidByte(block.subarray(start, nl));
      const hex = block[start + bad]?.toString(16).padStart(2, '0') ?? '??';
      return new NervaError(`${path}:${line}: invalid UTF-8 (byte 0x${hex} at byte ${bad + 1} of the line); convert the file to UTF-8`);
    }
    start = nl + 1;
  }
  return new NervaError(`${path}: invalid UTF-8 after line ${linesBefore}`);
}

function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (need < 0) return i;
    for (let j = 1; j <= need; j++) {
      const c = bytes[i + j];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return Math.max(0, bytes.length - 1);
}
