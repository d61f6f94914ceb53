/**
 * Deterministic held-out splits by content: an item is held out when a hash of its key falls in
 * the first `fraction` of the 32-bit range. The same key always lands on the same side, whatever
 * the file order or the other items, so duplicates never straddle the split.
 */

/** Plain 32-bit FNV-1a of the key's UTF-16 code units. */
export function fnv1aRaw(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** FNV-1a followed by one round of murmur3's finalizer (FNV's low bits mix poorly for short keys). */
export function fnv1a(key: string): number {
  let h = fnv1aRaw(key);
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

/**
 * Plain FNV-1a as a fraction in [0, 1): the CMUdict G2P benchmark's split (a word is in the test
 * share when this is under 0.1), kept as it was defined so the published split does not move.
 */
export function hashFraction(key: string): number {
  return fnv1aRaw(key) / 2 ** 32;
}
