/**
 * A deterministic held-out split by content: an item goes to the held-out part when the FNV-1a
 * hash of its key falls in the first `fraction` of the 32-bit range. The same key always lands on
 * the same side, whatever the file order or the other items, so duplicates never straddle the split.
 */
export function fnv1a(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // FNV's low bits mix poorly for short keys; one round of murmur3's finalizer spreads them.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  return h >>> 0;
}

/**
 * `salt` makes independent splits of the same keys: a validation split cut from a training part
 * that was itself chosen by hash must use another salt, or it comes out empty (every training key
 * hashes above the first cut).
 */
export function isHeldOut(key: string, fraction: number, salt = ''): boolean {
  return fnv1a(salt === '' ? key : `${salt}\u0000${key}`) < fraction * 2 ** 32;
}
