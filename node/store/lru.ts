// A bounded least-recently-used map (Map keeps insertion order; a hit re-inserts). Bounded by
// entry count and, optionally, by the summed size of its values.
export class Lru<K, V> {
  private readonly map = new Map<K, V>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes = Infinity,
    private readonly sizeOf: (v: V) => number = () => 0,
  ) {}

  get(k: K): V | undefined {
    const v = this.map.get(k);
    if (v === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.map.delete(k);
    this.map.set(k, v);
    return v;
  }

  has(k: K): boolean {
    return this.map.has(k);
  }

  set(k: K, v: V): void {
    const old = this.map.get(k);
    if (old !== undefined) {
      this.bytes -= this.sizeOf(old);
      this.map.delete(k);
    }
    if (this.maxEntries <= 0) return;
    this.map.set(k, v);
    this.bytes += this.sizeOf(v);
    while (this.map.size > this.maxEntries || this.bytes > this.maxBytes) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      this.bytes -= this.sizeOf(this.map.get(oldest.value)!);
      this.map.delete(oldest.value);
    }
  }

  delete(k: K): void {
    const old = this.map.get(k);
    if (old === undefined) return;
    this.bytes -= this.sizeOf(old);
    this.map.delete(k);
  }

  clear(): void {
    this.map.clear();
    this.bytes = 0;
  }

  get size(): number {
    return this.map.size;
  }

  get byteSize(): number {
    return this.bytes;
  }
}
