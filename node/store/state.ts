// Current ledger state: records by state key, their bucket entries and the in-memory upper tree.
// Every record read from LevelDB is checked against the state tree before anything uses it: its
// bucket must hash to the bucket hash the tree holds (the tree was checked against the head
// header's state root at open), and the record must hash to the bucket's entry for its key. So a
// damaged record is a typed error, never an input to the ledger. Verified records and buckets are
// kept in bounded LRU caches across blocks.
import { equalBytes } from "../../sdk/bytes.js";
import { STATE_ENTRY_BYTES, type StateMultiproof, type StateProof } from "../../sdk/proofs.js";
import type { StateReader, WriteSet } from "../ledger/state.js";
import { Bucket } from "./buckets.js";
import { key } from "./encoding.js";
import { corrupted } from "./errors.js";
import { Lru } from "./lru.js";
import { plain, type Db } from "./db.js";
import {
  EMPTY_BUCKET_HASH,
  applyBucketChanges,
  bucketOfKeyHash,
  hashBucket,
  sha256,
  stateKeyHash,
  valueHashIn,
  type BucketChange,
  type StateTree,
} from "./state-tree.js";

export const stateKeys = {
  record: (stateKey: string) => key(Bucket.state).utf8(stateKey).done(),
  bucket: (bucket: number) => key(Bucket.stateTreeBucket).u32(bucket).done(),
  bucketHash: (bucket: number) => key(Bucket.stateTreeBucketHash).u32(bucket).done(),
};

export interface StateCacheOptions {
  /** verified state records kept across blocks, at most this many (default: no count bound, only bytes) */
  recordCacheEntries?: number;
  /** verified state records kept across blocks, in bytes of key, value and overhead (default 32 MiB) */
  recordCacheBytes?: number;
  /** verified bucket contents kept across blocks, in bytes (default 32 MiB) */
  bucketCacheBytes?: number;
}

/** The entries of an empty bucket. */
const NO_ENTRIES = new Uint8Array(0);

export const DEFAULT_RECORD_CACHE_BYTES = 32 * 1024 * 1024;
export const DEFAULT_BUCKET_CACHE_BYTES = 32 * 1024 * 1024;

/**
 * What a cached record holds in the heap, approximately: the key (a one-byte-per-char string), the
 * value bytes with their Uint8Array and backing store, and the cache's slot. Absent records (null)
 * are cached too (most prefetched fingerprints, documents and history chains are new).
 */
export function recordCacheEntryBytes(value: Uint8Array | null, key: string): number {
  return key.length + 64 + (value === null ? 0 : value.length + 160);
}

export interface StateStats {
  /** records loaded from LevelDB by a batched prefetch */
  prefetched: number;
  /** records the ledger asked for that no prefetch had loaded (read synchronously) */
  syncLoads: number;
  recordCacheHits: number;
  bucketsLoaded: number;
  /** records known absent from their bucket's entries (the tree commits to every key), so never read */
  absentByBucket: number;
  /** empty buckets (by the tree), so never read */
  emptyBuckets: number;
}

/** What a block changes in the state and in the state tree; built by prepare(), written by commit. */
export interface PreparedState {
  writes: WriteSet;
  /** new entries per touched bucket (empty: the bucket is now empty) */
  bucketEntries: Map<number, Uint8Array>;
  bucketHashes: Map<number, Uint8Array>;
}

/**
 * The state as one block sees it before it runs: records and buckets loaded (and verified) for it.
 * get() serves prefetched records and falls back to a verified synchronous read, so an incomplete
 * prefetch costs time, never correctness.
 */
export class BlockReads implements StateReader {
  readonly values = new Map<string, Uint8Array | null>();
  readonly buckets = new Map<number, Uint8Array>();
  private readonly keyHashes = new Map<string, Uint8Array>();

  constructor(private readonly repo: StateRepository) {}

  get(stateKey: string): Uint8Array | undefined {
    const v = this.values.get(stateKey);
    if (v !== undefined) return v ?? undefined;
    return this.repo.loadSync(this, stateKey) ?? undefined;
  }

  has(stateKey: string): boolean {
    return this.values.has(stateKey);
  }

  keyHash(stateKey: string): Uint8Array {
    let kh = this.keyHashes.get(stateKey);
    if (!kh) {
      kh = stateKeyHash(stateKey);
      this.keyHashes.set(stateKey, kh);
    }
    return kh;
  }
}

export class StateRepository {
  private readonly records: Lru<string, Uint8Array | null>;
  private readonly bucketCache: Lru<number, Uint8Array>;
  readonly stats: StateStats = { prefetched: 0, syncLoads: 0, recordCacheHits: 0, bucketsLoaded: 0, absentByBucket: 0, emptyBuckets: 0 };

  constructor(
    private readonly db: Db,
    private readonly tree: () => StateTree,
    opts: StateCacheOptions = {},
  ) {
    this.records = new Lru(opts.recordCacheEntries ?? Infinity, opts.recordCacheBytes ?? DEFAULT_RECORD_CACHE_BYTES, recordCacheEntryBytes);
    this.bucketCache = new Lru(Infinity, opts.bucketCacheBytes ?? DEFAULT_BUCKET_CACHE_BYTES, (b) => b.length + 160);
  }

  begin(): BlockReads {
    return new BlockReads(this);
  }

  /**
   * Loads records (and their buckets) into `reads` with at most two batched LevelDB reads: the
   * buckets first, then only the records their buckets hold. A bucket lists the key hash of every
   * record in it and hashes to the tree, so a key missing from its verified bucket is absent from
   * the committed state without asking LevelDB (most keys a block looks up are new: fingerprints,
   * documents, ids); an empty bucket (by the tree) is not read either. Each lookup saved is a
   * LevelDB search through its levels' table files, which at a million receivables often means
   * reopening a closed table. (A record LevelDB holds but the tree does not commit to can only be
   * damage: `verify` reports it; the state executed against is the committed one either way.)
   */
  async prefetch(reads: BlockReads, keys: Iterable<string>): Promise<void> {
    const wanted: string[] = [];
    const needBuckets = new Set<number>();
    const tree = this.tree();
    const depth = tree.depth;
    for (const k of keys) {
      // Every key's bucket is loaded, even for cached records: prepare() needs the buckets of
      // written keys, and which keys a block writes is known only after it runs.
      const b = bucketOfKeyHash(reads.keyHash(k), depth);
      if (!reads.buckets.has(b) && !needBuckets.has(b)) {
        const entries = this.bucketCache.get(b);
        if (entries) reads.buckets.set(b, entries);
        else if (tree.isEmptyBucket(b)) {
          reads.buckets.set(b, NO_ENTRIES);
          this.stats.emptyBuckets++;
        } else needBuckets.add(b);
      }
      if (reads.has(k)) continue;
      const cached = this.records.get(k);
      if (cached !== undefined) {
        reads.values.set(k, cached);
        this.stats.recordCacheHits++;
        continue;
      }
      wanted.push(k);
    }
    if (needBuckets.size > 0) {
      const bucketList = [...needBuckets];
      const buckets = await this.db.getMany(bucketList.map((b) => stateKeys.bucket(b)));
      // The tree cannot change while a block's reads are in flight: Chain runs one block at a time.
      for (let i = 0; i < bucketList.length; i++) {
        const b = bucketList[i]!;
        if (!reads.buckets.has(b)) reads.buckets.set(b, this.verifiedBucket(b, buckets[i]));
      }
    }
    const needValues: string[] = [];
    for (const k of wanted) {
      if (reads.has(k)) continue;
      if (this.inBucket(reads, k)) needValues.push(k);
      else {
        this.stats.absentByBucket++;
        this.records.set(k, null);
        reads.values.set(k, null);
      }
    }
    if (needValues.length === 0) return;
    const values = await this.db.getMany(needValues.map((k) => stateKeys.record(k)));
    for (let i = 0; i < needValues.length; i++) {
      const k = needValues[i]!;
      if (reads.has(k)) continue;
      const value = this.verifiedRecord(reads, k, values[i]);
      reads.values.set(k, value);
    }
    this.stats.prefetched += needValues.length;
  }

  /** Whether the key's (loaded, verified) bucket lists it: a record the committed state holds. */
  private inBucket(reads: BlockReads, stateKey: string): boolean {
    const kh = reads.keyHash(stateKey);
    const entries = reads.buckets.get(bucketOfKeyHash(kh, this.tree().depth));
    if (!entries) throw new Error(`the bucket of ${stateKey} was not loaded`);
    return valueHashIn(entries, kh) !== undefined;
  }

  /** Verified synchronous read of one record into `reads` (the prefetch missed it). */
  loadSync(reads: BlockReads, stateKey: string): Uint8Array | null {
    this.stats.syncLoads++;
    const cached = this.records.get(stateKey);
    if (cached !== undefined) {
      reads.values.set(stateKey, cached);
      return cached;
    }
    this.bucketSync(reads, bucketOfKeyHash(reads.keyHash(stateKey), this.tree().depth));
    const value = this.inBucket(reads, stateKey) ? this.verifiedRecord(reads, stateKey, this.db.getSync(stateKeys.record(stateKey))) : null;
    reads.values.set(stateKey, value);
    return value;
  }

  /** A verified record, read outside any block (RPC). Call only when the store is idle. */
  readSync(stateKey: string): Uint8Array | undefined {
    const reads = this.begin();
    return this.loadSync(reads, stateKey) ?? undefined;
  }

  /** Record and proof of one key, consistent with the tree's current root. Call only when idle. */
  proveSync(stateKey: string): { value: Uint8Array | undefined; proof: StateProof } {
    const reads = this.begin();
    const value = this.loadSync(reads, stateKey) ?? undefined;
    const tree = this.tree();
    const b = bucketOfKeyHash(reads.keyHash(stateKey), tree.depth);
    this.bucketSync(reads, b);
    const entries = reads.buckets.get(b)!;
    return { value, proof: tree.proof(b, entries) };
  }

  /**
   * Records of many keys and one multiproof of all of them (sdk/proofs.ts StateMultiproof), consistent
   * with the tree's current root. Call only when idle.
   */
  proveManySync(keys: readonly string[]): { values: (Uint8Array | undefined)[]; proof: StateMultiproof } {
    const reads = this.begin();
    const tree = this.tree();
    const buckets = new Set<number>();
    const values = keys.map((k) => {
      const value = this.loadSync(reads, k) ?? undefined;
      const b = bucketOfKeyHash(reads.keyHash(k), tree.depth);
      this.bucketSync(reads, b);
      buckets.add(b);
      return value;
    });
    const sorted = [...buckets].sort((a, b) => a - b);
    return { values, proof: tree.multiproof(sorted.map((index) => ({ index, entries: reads.buckets.get(index)! }))) };
  }

  /**
   * Computes the block's new bucket entries and bucket hashes from its net writes. Every written
   * key was read by the ledger before it wrote it (executeBlock nets writes against the base), so
   * its bucket is normally loaded already; if not it is read here.
   */
  prepare(reads: BlockReads, writes: WriteSet): PreparedState {
    const depth = this.tree().depth;
    const changes = new Map<number, BucketChange[]>();
    for (const [k, value] of writes) {
      const kh = reads.keyHash(k);
      const b = bucketOfKeyHash(kh, depth);
      let list = changes.get(b);
      if (!list) {
        list = [];
        changes.set(b, list);
        this.bucketSync(reads, b);
      }
      list.push({ keyHash: kh, valueHash: value === null ? null : sha256(value) });
    }
    const bucketEntries = new Map<number, Uint8Array>();
    const bucketHashes = new Map<number, Uint8Array>();
    for (const [b, list] of changes) {
      const entries = applyBucketChanges(reads.buckets.get(b)!, list);
      bucketEntries.set(b, entries);
      bucketHashes.set(b, entries.length === 0 ? EMPTY_BUCKET_HASH : hashBucket(entries));
    }
    return { writes, bucketEntries, bucketHashes };
  }

  /** After a block's batch is durable: its values and buckets become the cached truth. */
  committed(prepared: PreparedState): void {
    for (const [k, v] of prepared.writes) this.records.set(k, v);
    for (const [b, entries] of prepared.bucketEntries) this.bucketCache.set(b, entries);
  }

  /** Drops every cached record and bucket (e.g. after an external change in tests). */
  clearCaches(): void {
    this.records.clear();
    this.bucketCache.clear();
  }

  get cacheSizes(): { records: number; recordBytes: number; buckets: number; bucketBytes: number } {
    return { records: this.records.size, recordBytes: this.records.byteSize, buckets: this.bucketCache.size, bucketBytes: this.bucketCache.byteSize };
  }

  private bucketSync(reads: BlockReads, b: number): void {
    if (reads.buckets.has(b)) return;
    const cached = this.bucketCache.get(b);
    if (cached) {
      reads.buckets.set(b, cached);
      return;
    }
    if (this.tree().isEmptyBucket(b)) {
      reads.buckets.set(b, NO_ENTRIES);
      this.stats.emptyBuckets++;
      return;
    }
    reads.buckets.set(b, this.verifiedBucket(b, this.db.getSync(stateKeys.bucket(b))));
  }

  private verifiedBucket(b: number, stored: Uint8Array | undefined): Uint8Array {
    this.stats.bucketsLoaded++;
    const tree = this.tree();
    const entries = stored ? plain(stored) : new Uint8Array(0);
    if (entries.length % STATE_ENTRY_BYTES !== 0) throw corrupted(`state tree bucket ${b} has a torn length`, { bucket: b, bytes: entries.length });
    const h = entries.length === 0 ? EMPTY_BUCKET_HASH : hashBucket(entries);
    if (!equalBytes(h, tree.bucketHash(b))) {
      throw corrupted(`state tree bucket ${b} does not match the state root`, { bucket: b });
    }
    this.bucketCache.set(b, entries);
    return entries;
  }

  private verifiedRecord(reads: BlockReads, stateKey: string, stored: Uint8Array | undefined): Uint8Array | null {
    const kh = reads.keyHash(stateKey);
    const b = bucketOfKeyHash(kh, this.tree().depth);
    const entries = reads.buckets.get(b);
    if (!entries) throw new Error(`bucket ${b} of ${stateKey} was not loaded`);
    const expected = valueHashIn(entries, kh);
    const value = stored ? plain(stored) : null;
    if (value === null ? expected !== undefined : expected === undefined || !equalBytes(sha256(value), expected)) {
      throw corrupted(`state record ${JSON.stringify(stateKey)} does not match the state root`, { key: stateKey, present: value !== null });
    }
    this.records.set(stateKey, value);
    return value;
  }
}
