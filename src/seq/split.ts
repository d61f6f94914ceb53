/**
 * Held-out splits by hash: a key (a word, a source line) is held out when the FNV-1a hash of it,
 * as a fraction in [0, 1), falls under the held-out share. The split never depends on file order
 * or on a random stream, and the same key is always on the same side.
 */
export function hashFraction(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 2 ** 32;
}
