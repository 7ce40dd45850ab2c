// Deterministic pseudo-randomness derived from ids, so derived data (stock, weights, tracking)
// is the same on every load without storing a seed.

/** FNV-1a 32-bit. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A number in [0, 1) fixed by the string. */
export function hashUnit(s: string): number {
  return hash32(s) / 0x1_0000_0000;
}

export function hashPick<T>(s: string, items: readonly T[]): T {
  return items[hash32(s) % items.length]!;
}
