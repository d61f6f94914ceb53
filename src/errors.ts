/** Errors a user can act on. The CLI prints their message alone, without a stack. */
export class NervaError extends Error {
  override name = 'NervaError';
}

/** A shape that does not fit the op: names the op and the shapes involved. */
export class ShapeError extends NervaError {
  override name = 'ShapeError';
}

/** A file that cannot be read as what it claims to be: names the file and what is wrong. */
export class FormatError extends NervaError {
  override name = 'FormatError';
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
