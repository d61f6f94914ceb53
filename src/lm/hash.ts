/**
 * Integer hashing of n-grams (arrays of word ids). Murmur3's 32-bit block step and finalizer:
 * cheap, and well mixed in the low bits that index power-of-two tables.
 */
export function hashStep(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

export function hashFinish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * Counts n-grams of one order in an open-addressing table: keys packed in one Uint32Array
 * (`order` ids per slot), counts in another (0 marks an empty slot). No string or object per
 * n-gram, so memory is about 2 × (4·order + 4) bytes per distinct n-gram.
 */
export class NgramCountTable {
  private capacity: number;
  private mask: number;
  private keys: Uint32Array;
  private counts: Uint32Array;
  private used = 0;

  constructor(readonly order: number, initialCapacity = 1 << 16) {
    this.capacity = nextPowerOfTwo(Math.max(16, initialCapacity));
    this.mask = this.capacity - 1;
    this.keys = new Uint32Array(this.capacity * order);
    this.counts = new Uint32Array(this.capacity);
  }

  get size(): number {
    return this.used;
  }

  /** Adds `count` to the n-gram gram[0..order). */
  add(gram: Uint32Array, count = 1): void {
    const n = this.order;
    let h = n;
    for (let i = 0; i < n; i++) h = hashStep(h, gram[i]!);
    let slot = hashFinish(h) & this.mask;
    const keys = this.keys;
    const counts = this.counts;
    for (;;) {
      const c = counts[slot]!;
      if (c === 0) break;
      const base = slot * n;
      let same = true;
      for (let i = 0; i < n; i++) {
        if (keys[base + i] !== gram[i]) {
          same = false;
          break;
        }
      }
      if (same) {
        counts[slot] = c + count;
        return;
      }
      slot = (slot + 1) & this.mask;
    }
    const base = slot * n;
    for (let i = 0; i < n; i++) keys[base + i] = gram[i]!;
    counts[slot] = count;
    this.used++;
    if (this.used * 10 > this.capacity * 7) this.grow();
  }

  /** The distinct n-grams and their counts, packed (table order, i.e. unsorted). */
  entries(): { keys: Uint32Array; counts: Uint32Array } {
    const n = this.order;
    const keys = new Uint32Array(this.used * n);
    const counts = new Uint32Array(this.used);
    let j = 0;
    for (let slot = 0; slot < this.capacity; slot++) {
      const c = this.counts[slot]!;
      if (c === 0) continue;
      for (let i = 0; i < n; i++) keys[j * n + i] = this.keys[slot * n + i]!;
      counts[j++] = c;
    }
    return { keys, counts };
  }

  private grow(): void {
    const n = this.order;
    const oldKeys = this.keys;
    const oldCounts = this.counts;
    const oldCapacity = this.capacity;
    this.capacity *= 2;
    this.mask = this.capacity - 1;
    this.keys = new Uint32Array(this.capacity * n);
    this.counts = new Uint32Array(this.capacity);
    for (let slot = 0; slot < oldCapacity; slot++) {
      const c = oldCounts[slot]!;
      if (c === 0) continue;
      const base = slot * n;
      let h = n;
      for (let i = 0; i < n; i++) h = hashStep(h, oldKeys[base + i]!);
      let s = hashFinish(h) & this.mask;
      while (this.counts[s] !== 0) s = (s + 1) & this.mask;
      for (let i = 0; i < n; i++) this.keys[s * n + i] = oldKeys[base + i]!;
      this.counts[s] = c;
    }
  }
}
