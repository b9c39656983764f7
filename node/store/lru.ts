// A bounded least-recently-used map, bounded by entry count and, optionally, by the summed size of
// its values: the store's record and bucket caches. The eviction itself is lru-cache's (O(1) on
// preallocated arrays, no Map re-insertion per hit); this adapter adds what the store needs around
// it: `null` as a cacheable value (a record known to be absent), hit/miss counts, and a cache that
// is off when given no room.
import { LRUCache } from "lru-cache";

/** lru-cache refuses null and undefined as values; a known-absent record is stored as this. */
const ABSENT: object = Object.freeze({});

export class Lru<K extends {}, V> {
  private readonly cache: LRUCache<K, {}> | null;
  hits = 0;
  misses = 0;

  /** sizeOf: the bytes an entry holds (key and value with their overhead), for the byte bound */
  constructor(maxEntries: number, maxBytes = Infinity, sizeOf: (v: V, k: K) => number = () => 0) {
    const byCount = Number.isFinite(maxEntries);
    const bySize = Number.isFinite(maxBytes);
    if ((byCount && maxEntries <= 0) || (bySize && maxBytes <= 0) || (!byCount && !bySize)) {
      if (!byCount && !bySize) throw new RangeError("Lru: bound it by entries or by bytes");
      this.cache = null; // no room: caching is off
      return;
    }
    const sizeCalculation = (v: {}, k: K) => Math.max(1, Math.ceil(sizeOf((v === ABSENT ? null : v) as V, k)));
    if (byCount && bySize) this.cache = new LRUCache<K, {}>({ max: Math.floor(maxEntries), maxSize: Math.floor(maxBytes), sizeCalculation });
    else if (byCount) this.cache = new LRUCache<K, {}>({ max: Math.floor(maxEntries) });
    else this.cache = new LRUCache<K, {}>({ maxSize: Math.floor(maxBytes), sizeCalculation });
  }

  get(k: K): V | undefined {
    const v = this.cache?.get(k);
    if (v === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    return (v === ABSENT ? null : v) as V;
  }

  has(k: K): boolean {
    return this.cache?.has(k) ?? false;
  }

  set(k: K, v: V): void {
    if (!this.cache) return;
    if (v === undefined) this.cache.delete(k);
    else this.cache.set(k, v === null ? ABSENT : (v as {}));
  }

  delete(k: K): void {
    this.cache?.delete(k);
  }

  clear(): void {
    this.cache?.clear();
  }

  get size(): number {
    return this.cache?.size ?? 0;
  }

  get byteSize(): number {
    return this.cache?.calculatedSize ?? 0;
  }
}
