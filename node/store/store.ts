// The node's LevelDB store: typed repositories over numbered buckets (buckets.ts), one atomic
// chained batch per block, and integrity checks at open. docs/storage.md describes the layout.
//
// Atomicity: a block's header, transactions, receipts, transaction lookups, state changes, state
// tree changes, index changes and the meta record go into one LevelDB write batch. LevelDB applies
// a batch all-or-nothing (one log record), so after any crash the store holds every block up to
// the meta record's height wholly, and nothing of any later block.
import { chmodSync, existsSync, mkdirSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { Level } from "level";
import { equalBytes, toHex } from "../../sdk/bytes.js";
import type { Tx } from "../../sdk/tx.js";
import type { BlockHeader, Receipt } from "../../sdk/types.js";
import type { WriteSet } from "../ledger/state.js";
import type { CheckpointCertificate } from "../../sdk/certified.js";
import type { EpochLink } from "../../sdk/epochs.js";
import { BlockRepository, blockKeys, decodeHeader, encodeCheckpointRecord, encodeEpochLinkRecord, encodeTxLocation } from "./blocks.js";
import { Bucket } from "./buckets.js";
import { ConsensusRecords } from "./consensus.js";
import { EMPTY, plain, prefixRange, type ClassicExtras, type Db } from "./db.js";
import { key, readU32, u64be } from "./encoding.js";
import { StoreError, corrupted, storeOpenError } from "./errors.js";
import { IndexRepository, indexOps } from "./indexes.js";
import { CommittedTxFilter } from "./tx-filter.js";
import { STORE_FORMAT_VERSION, decodeMeta, encodeMeta, type StoreMeta } from "./meta.js";
import { BlockReads, DEFAULT_BUCKET_CACHE_BYTES, DEFAULT_RECORD_CACHE_BYTES, StateRepository, stateKeys, type StateCacheOptions } from "./state.js";
import { MAX_STORE_TREE_DEPTH, MIN_STORE_TREE_DEPTH, StateTree, bucketOfKeyHash, hashBucket, sha256, stateKeyHash } from "./state-tree.js";

export const META_KEY = key(Bucket.meta).bytes(Buffer.from("meta")).done();
/** Present while a snapshot is being loaded (beginSnapshotLoad .. commitSnapshot / abandonSnapshot). */
export const SNAPSHOT_LOADING_KEY = key(Bucket.meta).bytes(Buffer.from("snapshot-loading")).done();
export const ZERO_HASH = new Uint8Array(32);

export interface StoreOptions extends StateCacheOptions {
  /** fsync every block batch before commitBlock resolves (default true: a committed block survives power loss) */
  sync?: boolean;
  /** LevelDB block cache in bytes (default 16 MiB: verified records and buckets have caches of their own) */
  cacheBytes?: number;
  /** LevelDB memtable size in bytes (default 16 MiB; up to two are held while one is flushed) */
  writeBufferBytes?: number;
  /**
   * LevelDB table files kept open (default 74, LevelDB's floor: 64 tables and 10 other files).
   * LevelDB reads an open table through mmap, and every page of it read since (lookups,
   * compactions) counts in the process's RSS until the table is closed: with the 1,000 of LevelDB's
   * default that is the whole database (1.1 GiB at 1M receivables). At ~2 MiB per table file, 74
   * bounds it to about 135 MiB.
   */
  maxOpenFiles?: number;
  /** headers checked back from the head at open (default 16) */
  checkHeaders?: number;
  /**
   * keep a LevelDB snapshot of the store after every block whose height is a multiple of this
   * (0 or absent: none), so that peers restored from scratch can copy a certified state
   * (state transfer of a checkpoint snapshot, docs/consensus.md §4.5). The node passes a multiple
   * of the checkpoint interval, so each kept height gets a checkpoint certificate.
   */
  snapshotEvery?: number;
}

/** The store's memory defaults (docs/performance.md "Memory at scale"). */
export const DEFAULT_STORE_OPTIONS = {
  cacheBytes: 16 * 1024 * 1024,
  writeBufferBytes: 16 * 1024 * 1024,
  maxOpenFiles: 74,
  recordCacheBytes: DEFAULT_RECORD_CACHE_BYTES,
  bucketCacheBytes: DEFAULT_BUCKET_CACHE_BYTES,
} as const;

/** What the store holds in memory (Store.memory), bytes. */
export interface StoreMemory {
  /** the upper state tree (every bucket hash and node above): 2^depth x 32 bytes and a little more */
  treeBytes: number;
  /** the committed-transaction Bloom filter */
  txFilterBytes: number;
  recordCacheBytes: number;
  recordCacheEntries: number;
  bucketCacheBytes: number;
  /** LevelDB's own estimate of its memtables and block cache (leveldb.approximate-memory-usage) */
  leveldbBytes: number;
  /** LevelDB table files (each is opened, and mapped, when read) */
  tableFiles: number;
}

/**
 * The buckets a snapshot copies: blocks, their lookups and commit certificates, state, the state
 * tree and the indexes. Not the meta record (the receiver writes its own once everything is
 * verified), not checkpoint certificates (the receiver keeps the one it verified), not epoch links
 * (each proves itself, but none is part of the state the snapshot's certificate covers), and never
 * the consensus driver's write-ahead records (what this node signed is its own).
 */
export const SNAPSHOT_BUCKETS: ReadonlySet<number> = new Set(
  Object.values(Bucket).filter((b): b is Bucket => typeof b === "number" && b !== Bucket.meta && b !== Bucket.checkpointCertificate && b !== Bucket.epochLink && b !== Bucket.consensus),
);
/** How many snapshots a store keeps (the newest), besides older ones a peer is still copying. */
const KEPT_SNAPSHOTS = 3;
/** An older snapshot is kept while a peer read a page of it within this long (ms), up to MAX_SNAPSHOTS in all. */
const SNAPSHOT_IDLE_MS = 30_000;
const MAX_SNAPSHOTS = 6;

interface KeptSnapshot {
  height: bigint;
  snapshot: ReturnType<Db["snapshot"]>;
  readers: number;
  /** performance.now() of the last page read (0: never read) */
  lastRead: number;
}

export interface SnapshotPage {
  /** key/value pairs of SNAPSHOT_BUCKETS in key order, after the cursor */
  entries: [Uint8Array, Uint8Array][];
  done: boolean;
}

export interface GenesisInit {
  chainId: string;
  treeDepth: number;
  /** identifies the genesis (chain.ts genesisHash); compared on every later open */
  genesisHash: Uint8Array;
  writes: WriteSet;
}

export interface BlockCommitInput {
  height: bigint;
  /** the state the block ran against (prefetched and verified) */
  reads: BlockReads;
  /** the block's net state changes */
  writes: WriteSet;
  txs: readonly Tx[];
  receipts: readonly Receipt[];
  receiptBytes: readonly Uint8Array[];
  /** per transaction: whether it takes its hash for replay protection (ledger takesTxHash) */
  takesHash: readonly boolean[];
  /** the encoded commit certificate (CommitCertificateMsg), stored with the block when given */
  certificate?: Uint8Array;
  /**
   * false: not fsync'd before this resolves (block sync writes a run of certified blocks and
   * fsyncs the last: LevelDB's log keeps them in order, so a power loss leaves a prefix of them).
   * Default: the store's `sync` option.
   */
  durable?: boolean;
  /** builds the header once the state root is known; its bytes are stored and hashed as given */
  buildHeader(stateRoot: Uint8Array): { header: BlockHeader; headerBytes: Uint8Array };
}

export interface BlockCommitResult {
  header: BlockHeader;
  headerBytes: Uint8Array;
  hash: Uint8Array;
  stateRoot: Uint8Array;
  /** time spent computing the state root (bucket entries, bucket hashes, upper tree), ms */
  stateRootMs: number;
  /** time spent deriving index entries, ms */
  indexMs: number;
  /** time spent in the LevelDB write, ms */
  writeMs: number;
}

export class Store {
  readonly blocks: BlockRepository;
  readonly state: StateRepository;
  readonly indexes: IndexRepository;
  readonly consensus: ConsensusRecords;
  private metaValue: StoreMeta | undefined;
  private treeValue: StateTree | undefined;
  private pending: Promise<void> | undefined;
  private failure: unknown;
  private closed = false;
  private readonly sync: boolean;
  /** committed tx hashes, in memory (tx-filter.ts): most "was it committed?" questions skip LevelDB */
  readonly committedTxs = new CommittedTxFilter();
  private filterScan: Promise<void> | undefined;
  private readonly snapshotEvery: bigint;
  private readonly kept: KeptSnapshot[] = [];
  /** a snapshot is being loaded into this store (beginSnapshotLoad .. commitSnapshot/abandonSnapshot) */
  private loading: { genesisMeta: StoreMeta; adopted?: { meta: StoreMeta; tree: StateTree } } | undefined;

  private constructor(
    readonly path: string,
    private readonly db: Db,
    opts: StoreOptions,
  ) {
    this.sync = opts.sync ?? true;
    this.snapshotEvery = BigInt(opts.snapshotEvery ?? 0);
    this.blocks = new BlockRepository(db, this.committedTxs);
    this.state = new StateRepository(db, () => this.tree, opts);
    this.indexes = new IndexRepository(db);
    this.consensus = new ConsensusRecords(
      db,
      () => this.assertUsable(),
      (err) => this.fail(err),
    );
  }

  /**
   * Opens (creating if missing) and checks the store: LevelDB's table files against its manifest,
   * the meta record, the head block and the few before it, and the state tree against the head's
   * state root. Throws StoreError (STORE_CORRUPTED, STORE_FORMAT, STORE_LOCKED) if anything is off,
   * STORE_NOT_WRITABLE (read-only mount, permissions) or STORE_IO (disk) if the directory cannot be
   * used: those leave the data as it was. The directory is created 0700 (privateDirectory).
   */
  static async open(path: string, opts: StoreOptions = {}): Promise<Store> {
    privateDirectory(path, { probeWrite: true });
    const db: Db = new Level<Uint8Array, Uint8Array>(path, {
      keyEncoding: "view",
      valueEncoding: "view",
      cacheSize: opts.cacheBytes ?? DEFAULT_STORE_OPTIONS.cacheBytes,
      writeBufferSize: opts.writeBufferBytes ?? DEFAULT_STORE_OPTIONS.writeBufferBytes,
      maxOpenFiles: opts.maxOpenFiles ?? DEFAULT_STORE_OPTIONS.maxOpenFiles,
    } as ConstructorParameters<typeof Level<Uint8Array, Uint8Array>>[1]);
    try {
      await db.open({ createIfMissing: true });
    } catch (err) {
      throw storeOpenError(path, err);
    }
    const store = new Store(path, db, opts);
    try {
      await store.dropInterruptedSnapshot();
      await store.check(opts.checkHeaders ?? 16);
    } catch (err) {
      await db.close().catch(() => undefined);
      if (err instanceof StoreError) throw err;
      throw storeOpenError(path, err);
    }
    store.filterScan = store.scanCommittedTxs();
    return store;
  }

  /**
   * Fills the committed-transaction filter from the txByHash bucket in the background (blocks
   * committed meanwhile add their own hashes); until it is done every question goes to LevelDB.
   */
  private async scanCommittedTxs(): Promise<void> {
    const it = this.db.keys(prefixRange(Uint8Array.of(Bucket.txByHash)));
    try {
      for (;;) {
        if (this.closed) return;
        const keys = await it.nextv(4096);
        if (keys.length === 0) break;
        for (const k of keys) this.committedTxs.add(k.subarray(1));
      }
      this.committedTxs.markReady();
    } catch {
      // closed meanwhile, or unreadable: the filter stays not ready and LevelDB answers everything
    } finally {
      await it.close().catch(() => undefined);
    }
  }

  /**
   * Keeps a checkpoint certificate (2f+1 CHECKPOINT signatures over block `seq`'s hash) that
   * consensus verified: it certifies that block's header and, through prev_hash, those below it
   * (sdk/certified.ts). Not fsync'd: a lost one is signed again (the next checkpoint certifies the
   * same blocks), and it changes no state. Then wakes whoever waits for a certificate.
   */
  async putCheckpointCertificate(c: CheckpointCertificate): Promise<void> {
    this.assertUsable();
    await this.db.put(blockKeys.checkpoint(c.seq), encodeCheckpointRecord(c));
    for (const listener of [...this.checkpointListeners]) listener(c.seq);
  }

  /**
   * Keeps the proof that validator-set epoch `link.epoch` began (sdk/epochs.ts, built by
   * node/epochs.ts at the switch), synced to disk: it holds a state proof at the switch seq, which
   * this store cannot rebuild once its state has moved on.
   */
  async putEpochLink(link: EpochLink): Promise<void> {
    this.assertUsable();
    await this.db.put(blockKeys.epochLink(link.epoch), encodeEpochLinkRecord(link), { sync: true });
  }

  /** Called with the seq of every checkpoint certificate stored from now on; returns an unsubscribe. */
  onCheckpointCertificate(listener: (seq: bigint) => void): () => void {
    this.checkpointListeners.add(listener);
    return () => this.checkpointListeners.delete(listener);
  }

  private readonly checkpointListeners = new Set<(seq: bigint) => void>();

  /** The meta record, or undefined for a new store that has no genesis yet. */
  get meta(): StoreMeta | undefined {
    return this.metaValue;
  }

  get tree(): StateTree {
    if (!this.treeValue) throw new StoreError("STORE_CLOSED", "the store has no state yet (no genesis)");
    return this.treeValue;
  }

  get height(): bigint {
    return this.metaValue?.height ?? 0n;
  }

  /** Writes the genesis state (height 0) into a new store. */
  async initialize(genesis: GenesisInit): Promise<StoreMeta> {
    this.assertUsable();
    if (this.metaValue) throw new StoreError("STORE_GENESIS_MISMATCH", "the store already holds a chain");
    if (!Number.isInteger(genesis.treeDepth) || genesis.treeDepth < MIN_STORE_TREE_DEPTH || genesis.treeDepth > MAX_STORE_TREE_DEPTH) {
      throw new StoreError("STORE_BAD_REQUEST", `state tree depth must be in [${MIN_STORE_TREE_DEPTH}, ${MAX_STORE_TREE_DEPTH}]`);
    }
    this.treeValue = StateTree.empty(genesis.treeDepth);
    const reads = this.state.begin();
    const prepared = this.state.prepare(reads, genesis.writes);
    const root = this.tree.update(prepared.bucketHashes);
    const meta: StoreMeta = {
      format: STORE_FORMAT_VERSION,
      chainId: genesis.chainId,
      treeDepth: genesis.treeDepth,
      genesisHash: genesis.genesisHash,
      genesisStateRoot: root,
      height: 0n,
      lastHash: ZERO_HASH,
      stateRoot: root,
    };
    const batch = this.db.batch();
    this.putState(batch, prepared);
    batch.put(META_KEY, encodeMeta(meta));
    try {
      await batch.write({ sync: true });
    } catch (err) {
      this.fail(err);
    }
    this.metaValue = meta;
    this.state.committed(prepared);
    return meta;
  }

  /**
   * Commits the next block in one atomic batch: computes the state tree changes and root, lets the
   * caller build the header, then writes header, transactions, receipts, lookups, state, tree,
   * indexes and meta together. Throws HEIGHT_GAP unless height = head + 1. If the write fails the
   * store refuses everything afterwards (reopen it): memory may be ahead of disk.
   */
  async commitBlock(input: BlockCommitInput): Promise<BlockCommitResult> {
    this.assertUsable();
    const meta = this.metaValue;
    if (!meta) throw new StoreError("STORE_CLOSED", "the store has no genesis yet");
    if (this.pending) throw new StoreError("STORE_BAD_REQUEST", "a block is already being committed");
    if (this.loading) throw new StoreError("STORE_BAD_REQUEST", "a snapshot is being loaded");
    if (input.height !== meta.height + 1n) {
      throw new StoreError("HEIGHT_GAP", `block ${input.height} does not follow the head ${meta.height}`, { height: input.height.toString(), head: meta.height.toString() });
    }
    const n = input.txs.length;
    if (input.receipts.length !== n || input.receiptBytes.length !== n || input.takesHash.length !== n) {
      throw new StoreError("STORE_BAD_REQUEST", "one receipt and one takesHash flag per transaction");
    }
    const t0 = performance.now();
    const prepared = this.state.prepare(input.reads, input.writes);
    const t1 = performance.now();
    const index = indexOps({ height: input.height, txs: input.txs, receipts: input.receipts, before: input.reads, writes: input.writes });
    const indexMs = performance.now() - t1;

    // Stage the tree; from here until the batch settles, readers of state wait (whenIdle).
    const saved = new Map<number, Uint8Array>();
    for (const b of prepared.bucketHashes.keys()) saved.set(b, Uint8Array.from(this.tree.bucketHash(b)));
    let release!: () => void;
    this.pending = new Promise<void>((resolve) => (release = resolve));
    let header: BlockHeader;
    let headerBytes: Uint8Array;
    let hash: Uint8Array;
    let stateRoot: Uint8Array;
    let batch: ReturnType<Db["batch"]> | undefined;
    let newMeta: StoreMeta;
    let stateRootMs: number;
    try {
      const t2 = performance.now();
      stateRoot = this.tree.update(prepared.bucketHashes);
      stateRootMs = t1 - t0 + (performance.now() - t2);
      ({ header, headerBytes } = input.buildHeader(stateRoot));
      if (header.height !== input.height || !equalBytes(header.stateRoot, stateRoot)) {
        throw new StoreError("STORE_BAD_REQUEST", "the built header must carry the block's height and state root");
      }
      hash = sha256(headerBytes);
      newMeta = { ...meta, height: input.height, lastHash: hash, stateRoot };
      batch = this.db.batch();
      const h = input.height;
      batch.put(blockKeys.header(h), headerBytes);
      batch.put(blockKeys.byHash(hash), u64be(h));
      if (input.certificate) batch.put(blockKeys.certificate(h), input.certificate);
      for (let i = 0; i < n; i++) {
        const tx = input.txs[i]!;
        batch.put(blockKeys.tx(h, i), tx.bytes);
        batch.put(blockKeys.receipt(h, i), input.receiptBytes[i]!);
        if (input.takesHash[i]) batch.put(blockKeys.txByHash(tx.hash), encodeTxLocation(h, i));
        else batch.put(blockKeys.txAttempt(tx.hash, h, i), EMPTY);
      }
      this.putState(batch, prepared);
      for (const k of index.dels) batch.del(k);
      for (const k of index.puts) batch.put(k, EMPTY);
      batch.put(META_KEY, encodeMeta(newMeta));
    } catch (err) {
      this.tree.update(saved);
      this.pending = undefined;
      release();
      await batch?.close().catch(() => undefined);
      throw err;
    }
    const w0 = performance.now();
    try {
      await batch.write({ sync: this.sync && input.durable !== false });
    } catch (err) {
      this.pending = undefined;
      release();
      this.fail(err);
    }
    const writeMs = performance.now() - w0;
    for (let i = 0; i < n; i++) if (input.takesHash[i]) this.committedTxs.add(input.txs[i]!.hash);
    // Taken before any other write: the snapshot holds exactly blocks 1..height and their state.
    if (this.snapshotEvery > 0n && input.height % this.snapshotEvery === 0n) this.keepSnapshot(input.height);
    this.metaValue = newMeta;
    this.state.committed(prepared);
    this.pending = undefined;
    release();
    return { header, headerBytes, hash, stateRoot, stateRootMs, indexMs, writeMs };
  }

  /** What the store holds in memory now (bench:memory, /metrics). */
  memory(): StoreMemory {
    const extras = this.db as unknown as ClassicExtras;
    const caches = this.state.cacheSizes;
    let leveldbBytes = NaN;
    let tableFiles = NaN;
    if (!this.closed) {
      leveldbBytes = Number(extras.getProperty("leveldb.approximate-memory-usage"));
      tableFiles = extras.getProperty("leveldb.sstables").split("\n").filter((l) => /^\s*\d+:\d+\[/.test(l)).length;
    }
    return {
      treeBytes: this.treeValue?.byteLength ?? 0,
      txFilterBytes: this.committedTxs.byteLength,
      recordCacheBytes: caches.recordBytes,
      recordCacheEntries: caches.records,
      bucketCacheBytes: caches.bucketBytes,
      leveldbBytes,
      tableFiles,
    };
  }

  /** Resolves when no block commit is in flight; state reads after it (same tick) are consistent. */
  async whenIdle(): Promise<void> {
    while (this.pending) await this.pending;
    this.assertUsable();
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  /**
   * Bulk-loads new state records before the first block, for tools that need a large ledger fast
   * (bench --preload). Records are written in batches; then every touched bucket is written once
   * (a counting sort of the entries by bucket) and the tree is rebuilt from the stored bucket
   * hashes. The loaded records become part of the genesis state (the meta's genesis state root
   * moves with them). Keys must be new. Never used by a node. Returns the new state root.
   */
  async loadState(records: Iterable<[string, Uint8Array]>, opts: { batchRecords?: number } = {}): Promise<Uint8Array> {
    this.assertUsable();
    if (this.pending) throw new StoreError("STORE_BAD_REQUEST", "a block is being committed");
    if (!this.metaValue || this.metaValue.height !== 0n) throw new StoreError("STORE_BAD_REQUEST", "state can be loaded directly only before the first block");
    const depth = this.tree.depth;
    const perBatch = opts.batchRecords ?? 50_000;
    let entries = Buffer.allocUnsafe(64 * 1024);
    let bucketOf = new Uint32Array(1024);
    let n = 0;
    let batch = this.db.batch();
    let inBatch = 0;
    // One batch in flight while the next is filled: record generation overlaps LevelDB's writes.
    let inFlight: Promise<void> = Promise.resolve();
    const flush = async () => {
      const full = batch;
      await inFlight;
      inFlight = full.write({ sync: false }).catch((err: unknown) => this.fail(err));
      batch = this.db.batch();
      inBatch = 0;
    };
    // An interrupted load leaves records the tree does not commit to: reading one is refused as
    // corrupted and verify() names them. Bulk loads are for throwaway bench stores only.
    for (const [k, v] of records) {
      if (n === bucketOf.length) {
        const grown = new Uint32Array(n * 2);
        grown.set(bucketOf);
        bucketOf = grown;
        const more = Buffer.allocUnsafe(entries.length * 2);
        entries.copy(more);
        entries = more;
      }
      const kh = stateKeyHash(k);
      entries.set(kh, n * 64);
      entries.set(sha256(v), n * 64 + 32);
      bucketOf[n] = bucketOfKeyHash(kh, depth);
      n++;
      batch.put(stateKeys.record(k), v);
      if (++inBatch >= perBatch) await flush();
    }
    // Counting sort by bucket, then one write per touched bucket, merged with what it held.
    const counts = new Uint32Array(2 ** depth + 1);
    for (let i = 0; i < n; i++) counts[bucketOf[i]! + 1]!++;
    for (let b = 1; b < counts.length; b++) counts[b]! += counts[b - 1]!;
    const order = new Uint32Array(n);
    const fill = counts.slice(0, 2 ** depth);
    for (let i = 0; i < n; i++) order[fill[bucketOf[i]!]!++] = i;
    const touched: number[] = [];
    for (let b = 0; b < 2 ** depth; b++) if (counts[b + 1]! > counts[b]!) touched.push(b);
    const existing = await this.db.getMany(touched.map((b) => stateKeys.bucket(b)));
    for (let t = 0; t < touched.length; t++) {
      const b = touched[t]!;
      const list: Uint8Array[] = [];
      const old = existing[t];
      if (old) for (let o = 0; o < old.length; o += 64) list.push(old.subarray(o, o + 64));
      for (let j = counts[b]!; j < counts[b + 1]!; j++) list.push(entries.subarray(order[j]! * 64, order[j]! * 64 + 64));
      list.sort((x, y) => Buffer.compare(x.subarray(0, 32), y.subarray(0, 32)));
      for (let j = 1; j < list.length; j++) {
        if (Buffer.compare(list[j - 1]!.subarray(0, 32), list[j]!.subarray(0, 32)) === 0) throw new StoreError("STORE_BAD_REQUEST", `bulk load repeats a key or loads one that exists (bucket ${b})`);
      }
      const bytes = Buffer.concat(list);
      batch.put(stateKeys.bucket(b), bytes);
      batch.put(stateKeys.bucketHash(b), hashBucket(bytes));
      if (++inBatch >= perBatch) await flush();
    }
    await flush();
    await inFlight;
    const tree = await this.loadTree(depth);
    const root = tree.root;
    const meta = { ...this.metaValue, stateRoot: root, genesisStateRoot: root };
    batch.put(META_KEY, encodeMeta(meta));
    await flush();
    await inFlight;
    this.treeValue = tree;
    this.metaValue = meta;
    this.state.clearCaches();
    return root;
  }

  /** True if open() found a snapshot load that never finished and emptied the store (the node logs it). */
  droppedInterruptedSnapshot = false;

  /**
   * A snapshot load interrupted by a crash (its marker is still there) left copied data under a
   * height-0 meta record. The store held no block before the load began, so nothing of value is
   * lost by emptying it: every copied bucket, the checkpoint certificates and the meta record
   * go, the consensus write-ahead records stay, and the chain writes the genesis again.
   */
  private async dropInterruptedSnapshot(): Promise<void> {
    if ((await this.db.get(SNAPSHOT_LOADING_KEY)) === undefined) return;
    for (const b of [...SNAPSHOT_BUCKETS, Bucket.checkpointCertificate]) await this.db.clear({ gte: Uint8Array.of(b), lt: Uint8Array.of(b + 1) });
    await this.db.batch().del(META_KEY).del(SNAPSHOT_LOADING_KEY).write({ sync: true });
    this.droppedInterruptedSnapshot = true;
  }

  // ---- snapshots (state transfer to a peer restored from scratch, docs/consensus.md §4.5) -------

  private keepSnapshot(height: bigint): void {
    this.kept.push({ height, snapshot: this.db.snapshot(), readers: 0, lastRead: 0 });
    this.pruneSnapshots();
  }

  /**
   * Keeps the newest KEPT_SNAPSHOTS, and older ones that a peer is copying (read within
   * SNAPSHOT_IDLE_MS; at most MAX_SNAPSHOTS in all, the oldest go first): a copy takes many pages,
   * and each page must come from the same snapshot.
   */
  private pruneSnapshots(): void {
    const now = performance.now();
    let i = 0;
    while (i < this.kept.length - KEPT_SNAPSHOTS) {
      const k = this.kept[i]!;
      const copying = k.lastRead > 0 && now - k.lastRead < SNAPSHOT_IDLE_MS;
      // a page being read is never closed under its reader: it goes at the next prune
      if (k.readers > 0 || (copying && this.kept.length <= MAX_SNAPSHOTS)) {
        i++;
        continue;
      }
      this.kept.splice(i, 1);
      void k.snapshot.close().catch(() => undefined);
    }
  }

  /** Heights of the snapshots kept, oldest first. */
  get snapshotHeights(): bigint[] {
    return this.kept.map((k) => k.height);
  }

  /**
   * Up to `maxBytes` (counting 6 bytes per entry for its lengths) of the snapshot at `height` (one
   * of snapshotHeights): the entries of SNAPSHOT_BUCKETS after `after` (a key; absent: from the
   * start). Undefined if that snapshot is no longer kept (start again from a newer one).
   */
  async snapshotPage(height: bigint, after: Uint8Array | undefined, maxBytes: number): Promise<SnapshotPage | undefined> {
    this.assertUsable();
    const k = this.kept.find((s) => s.height === height);
    if (!k) return undefined;
    k.readers++;
    k.lastRead = performance.now();
    const entries: [Uint8Array, Uint8Array][] = [];
    let bytes = 0;
    let done = true;
    const it = this.db.iterator({ ...(after ? { gt: after } : { gte: Uint8Array.of(0) }), lt: Uint8Array.of(0xff), snapshot: k.snapshot });
    try {
      outer: for (;;) {
        const batch = await it.nextv(1024);
        if (batch.length === 0) break;
        for (const [key, value] of batch) {
          if (!SNAPSHOT_BUCKETS.has(key[0]!)) continue;
          // 6 bytes per entry: its lengths in a page frame (node/net/snapshot.ts)
          if (bytes > 0 && bytes + key.length + value.length + 6 > maxBytes) {
            done = false;
            break outer;
          }
          entries.push([plain(key), plain(value)]);
          bytes += key.length + value.length + 6;
        }
      }
    } finally {
      await it.close().catch(() => undefined);
      k.readers--;
      k.lastRead = performance.now();
      this.pruneSnapshots();
    }
    return { entries, done };
  }

  /**
   * Starts loading a snapshot into this store, which must hold no block (height 0): writes the
   * loading marker (fsync'd), then clears every bucket a snapshot copies (the genesis state
   * included). Until commitSnapshot no block can be committed. After a crash before
   * commitSnapshot, open() finds the marker and empties the store (dropInterruptedSnapshot).
   */
  async beginSnapshotLoad(): Promise<void> {
    this.assertUsable();
    const meta = this.metaValue;
    if (!meta) throw new StoreError("STORE_CLOSED", "the store has no genesis yet");
    if (this.pending || this.loading) throw new StoreError("STORE_BAD_REQUEST", "the store is busy");
    if (meta.height !== 0n) throw new StoreError("STORE_BAD_REQUEST", `a snapshot is loaded only into a store without blocks (this one is at ${meta.height})`);
    this.loading = { genesisMeta: meta };
    try {
      await this.db.put(SNAPSHOT_LOADING_KEY, EMPTY, { sync: true });
    } catch (err) {
      this.fail(err);
    }
    await this.clearSnapshotBuckets();
  }

  /** Writes entries of a snapshot being loaded (keys must be in SNAPSHOT_BUCKETS; not fsync'd). */
  async loadSnapshotEntries(entries: readonly [Uint8Array, Uint8Array][]): Promise<void> {
    this.assertUsable();
    if (!this.loading) throw new StoreError("STORE_BAD_REQUEST", "no snapshot is being loaded");
    const batch = this.db.batch();
    for (const [k, v] of entries) {
      if (!SNAPSHOT_BUCKETS.has(k[0]!)) {
        await batch.close().catch(() => undefined);
        throw new StoreError("STORE_BAD_REQUEST", `bucket ${k[0]} is not part of a snapshot`);
      }
      batch.put(k, v);
    }
    try {
      await batch.write({ sync: false });
    } catch (err) {
      this.fail(err);
    }
  }

  /**
   * Prepares the loaded snapshot's head, once its head block is the one a checkpoint certificate
   * named (`blockHash` at `height`): the state tree is rebuilt from the loaded bucket hashes and
   * must give that header's state root. The store's head does not move yet: the caller verifies
   * the whole store against the returned head (verify.ts VerifyOptions.head), then calls
   * commitSnapshot, or abandonSnapshot.
   */
  async adoptSnapshot(height: bigint, blockHash: Uint8Array): Promise<{ header: BlockHeader; meta: StoreMeta; treeRoot: Uint8Array }> {
    this.assertUsable();
    const meta = this.metaValue;
    if (!this.loading || !meta) throw new StoreError("STORE_BAD_REQUEST", "no snapshot is being loaded");
    const headerBytes = await this.blocks.headerBytes(height);
    if (!headerBytes) throw corrupted(`the snapshot has no block ${height}`, { height: height.toString() });
    if (!equalBytes(sha256(headerBytes), blockHash)) throw corrupted(`the snapshot's block ${height} is not the certified one`, { height: height.toString() });
    const header = decodeHeader(headerBytes, height);
    const tree = await this.loadTree(meta.treeDepth);
    if (!equalBytes(tree.root, header.stateRoot)) throw corrupted(`the snapshot's state does not give block ${height}'s state root`, { height: height.toString() });
    const adopted = { meta: { ...meta, height, lastHash: blockHash, stateRoot: header.stateRoot }, tree };
    this.loading.adopted = adopted;
    return { header, meta: adopted.meta, treeRoot: tree.root };
  }

  /**
   * Makes the adopted, verified snapshot the head: writes its meta record (fsync'd), then fills the
   * committed-transaction filter (before any block can execute on it: replay protection).
   */
  async commitSnapshot(): Promise<void> {
    this.assertUsable();
    const adopted = this.loading?.adopted;
    if (!adopted) throw new StoreError("STORE_BAD_REQUEST", "no snapshot was adopted");
    try {
      await this.db.batch().put(META_KEY, encodeMeta(adopted.meta)).del(SNAPSHOT_LOADING_KEY).write({ sync: true });
    } catch (err) {
      this.fail(err);
    }
    await this.scanCommittedTxs();
    this.treeValue = adopted.tree;
    this.metaValue = adopted.meta;
    this.state.clearCaches();
    this.loading = undefined;
  }

  /** Drops a snapshot being loaded and puts the genesis state back (the store is as it was at height 0). */
  async abandonSnapshot(genesisWrites: WriteSet): Promise<void> {
    this.assertUsable();
    const loading = this.loading;
    if (!loading) return;
    await this.clearSnapshotBuckets();
    this.metaValue = loading.genesisMeta;
    this.treeValue = StateTree.empty(loading.genesisMeta.treeDepth);
    this.state.clearCaches();
    const prepared = this.state.prepare(this.state.begin(), genesisWrites);
    const root = this.tree.update(prepared.bucketHashes);
    if (!equalBytes(root, loading.genesisMeta.stateRoot)) throw new StoreError("STORE_BAD_REQUEST", "these are not the genesis writes of this store");
    const batch = this.db.batch();
    this.putState(batch, prepared);
    batch.put(META_KEY, encodeMeta(loading.genesisMeta));
    batch.del(SNAPSHOT_LOADING_KEY);
    try {
      await batch.write({ sync: true });
    } catch (err) {
      this.fail(err);
    }
    this.state.committed(prepared);
    this.loading = undefined;
  }

  private async clearSnapshotBuckets(): Promise<void> {
    for (const b of SNAPSHOT_BUCKETS) {
      try {
        await this.db.clear({ gte: Uint8Array.of(b), lt: Uint8Array.of(b + 1) });
      } catch (err) {
        this.fail(err);
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    while (this.pending) await this.pending.catch(() => undefined);
    this.closed = true;
    await this.filterScan;
    await this.db.close();
  }

  get isOpen(): boolean {
    return !this.closed && this.failure === undefined;
  }

  /** The raw LevelDB handle, for verify.ts and tests. */
  get level(): Db {
    return this.db;
  }

  assertUsable(): void {
    if (this.failure !== undefined) throw new StoreError("STORE_WRITE_FAILED", "a write to the store failed; reopen it", {}, { cause: this.failure });
    if (this.closed) throw new StoreError("STORE_CLOSED", "the store is closed");
  }

  private fail(err: unknown): never {
    this.failure = err;
    throw new StoreError("STORE_WRITE_FAILED", `write to the store failed: ${(err as Error)?.message ?? String(err)}`, {}, { cause: err });
  }

  private putState(batch: ReturnType<Db["batch"]>, prepared: ReturnType<StateRepository["prepare"]>): void {
    for (const [k, v] of prepared.writes) {
      if (v === null) batch.del(stateKeys.record(k));
      else batch.put(stateKeys.record(k), v);
    }
    for (const [b, entries] of prepared.bucketEntries) {
      if (entries.length === 0) {
        batch.del(stateKeys.bucket(b));
        batch.del(stateKeys.bucketHash(b));
      } else {
        batch.put(stateKeys.bucket(b), entries);
        batch.put(stateKeys.bucketHash(b), prepared.bucketHashes.get(b)!);
      }
    }
  }

  // ---- checks at open -----------------------------------------------------------------------

  private async check(headersBack: number): Promise<void> {
    this.checkTableFiles();
    const metaBytes = await this.db.get(META_KEY);
    if (!metaBytes) {
      // The consensus driver may keep its records before the chain has a genesis; anything else
      // without a meta record is the remains of something that is not a store we wrote.
      for (const range of [{ lt: Uint8Array.of(Bucket.consensus) }, { gte: Uint8Array.of(Bucket.consensus + 1) }]) {
        for await (const k of this.db.keys({ ...range, limit: 1 })) {
          throw corrupted("the store holds data but no meta record", { firstKey: toHex(k) });
        }
      }
      return; // a new, empty store
    }
    const meta = decodeMeta(plain(metaBytes));
    if (meta.treeDepth < MIN_STORE_TREE_DEPTH || meta.treeDepth > MAX_STORE_TREE_DEPTH) throw corrupted(`meta record names state tree depth ${meta.treeDepth}`);
    await this.checkHead(meta, headersBack);
    const tree = await this.loadTree(meta.treeDepth);
    if (!equalBytes(tree.root, meta.stateRoot)) {
      throw corrupted("the state tree does not hash to the head's state root", { height: meta.height.toString(), expected: toHex(meta.stateRoot), found: toHex(tree.root) });
    }
    this.metaValue = meta;
    this.treeValue = tree;
  }

  /** LevelDB opens table files lazily; a truncated or missing one is caught here instead. */
  private checkTableFiles(): void {
    const listing = (this.db as unknown as ClassicExtras).getProperty("leveldb.sstables");
    for (const line of listing.split("\n")) {
      const m = /^\s*(\d+):(\d+)\[/.exec(line);
      if (!m) continue;
      const number = m[1]!.padStart(6, "0");
      const expected = Number(m[2]);
      let size: number | undefined;
      for (const ext of [".ldb", ".sst"]) {
        try {
          size = statSync(join(this.path, number + ext)).size;
          break;
        } catch {
          // try the other extension
        }
      }
      if (size === undefined) throw corrupted(`LevelDB table ${number} is missing`, { file: number });
      if (size !== expected) throw corrupted(`LevelDB table ${number} is ${size} bytes, its manifest says ${expected}`, { file: number, size, expected });
    }
  }

  private async checkHead(meta: StoreMeta, headersBack: number): Promise<void> {
    const h = meta.height;
    for await (const k of this.db.keys({ gt: blockKeys.header(h), ...lt(Bucket.blockHeader), limit: 1 })) {
      throw corrupted(`a block header exists above the head ${h}`, { height: h.toString(), key: toHex(k) });
    }
    if (h === 0n) {
      if (!equalBytes(meta.lastHash, ZERO_HASH) || !equalBytes(meta.stateRoot, meta.genesisStateRoot)) throw corrupted("meta record at height 0 is inconsistent");
      for await (const _ of this.db.keys({ ...prefixRange(Uint8Array.of(Bucket.blockHeader)), limit: 1 })) {
        throw corrupted("block headers exist but the meta record says height 0");
      }
      return;
    }
    let expectHash = meta.lastHash;
    for (let height = h; height >= 1n && height > h - BigInt(headersBack); height--) {
      const bytes = await this.blocks.headerBytes(height);
      if (!bytes) throw corrupted(`block ${height} is missing (head ${h})`, { height: height.toString() });
      if (!equalBytes(sha256(bytes), expectHash)) throw corrupted(`block ${height} does not hash to what block ${height + 1n} or the meta record names`, { height: height.toString() });
      const header = decodeHeader(bytes, height);
      if (header.chainId !== meta.chainId) throw corrupted(`block ${height} belongs to chain ${header.chainId}`, { height: height.toString() });
      if (height === h) {
        if (!equalBytes(header.stateRoot, meta.stateRoot)) throw corrupted("the head block's state root differs from the meta record's");
        const txs = await this.countKeys(blockKeys.txsOf(h).done());
        const receipts = await this.countKeys(blockKeys.receiptsOf(h).done());
        if (txs !== header.txCount || receipts !== header.txCount) {
          throw corrupted(`head block ${h} has ${txs} transactions and ${receipts} receipts, its header says ${header.txCount}`, { height: h.toString() });
        }
      }
      expectHash = header.prevHash;
      if (height === 1n && !equalBytes(header.prevHash, ZERO_HASH)) throw corrupted("block 1 does not start from the zero hash");
    }
  }

  private async countKeys(prefix: Uint8Array): Promise<number> {
    let n = 0;
    for await (const _ of this.db.keys(prefixRange(prefix))) n++;
    return n;
  }

  private async loadTree(depth: number): Promise<StateTree> {
    const loader = StateTree.loader(depth);
    const size = 2 ** depth;
    // nextv reads thousands of entries per call: a million bucket hashes load in about a second.
    // Each hash goes straight into the tree (nothing is collected: at 1M receivables a list of the
    // entries was hundreds of MiB of heap, kept by the process long after open).
    const it = this.db.iterator(prefixRange(Uint8Array.of(Bucket.stateTreeBucketHash)));
    try {
      for (;;) {
        const chunk = await it.nextv(8192);
        if (chunk.length === 0) break;
        for (const [k, v] of chunk) {
          if (k.length !== 5 || v.length !== 32) throw corrupted("malformed state tree bucket hash record", { key: toHex(k) });
          const b = readU32(k, 1);
          if (b >= size) throw corrupted(`state tree bucket ${b} is outside a tree of depth ${depth}`);
          loader.set(b, v);
        }
      }
    } finally {
      await it.close();
    }
    return loader.finish();
  }
}

function lt(bucket: Bucket): { lt: Uint8Array } {
  return { lt: Uint8Array.of(bucket + 1) };
}

/**
 * Creates `dir` (and missing parents) readable by this user only (0700), or tightens an existing
 * one that group or others could read: a node's data directory holds every party's book. With
 * `probeWrite` it also writes and removes a probe file, so a read-only mount or a directory we may
 * not write is reported as STORE_NOT_WRITABLE with its path, before LevelDB turns it into an
 * unreadable message. Throws StoreError (STORE_NOT_WRITABLE, STORE_IO).
 */
export function privateDirectory(dir: string, opts: { probeWrite?: boolean } = {}): void {
  try {
    makeDirs(dir);
    const st = statSync(dir);
    if (!st.isDirectory()) throw Object.assign(new Error(`${dir} is not a directory`), { code: "ENOTDIR" });
    if ((st.mode & 0o077) !== 0) chmodSync(dir, st.mode & 0o700);
    if (opts.probeWrite) {
      const probe = join(dir, `.write-probe-${process.pid}`);
      writeFileSync(probe, "", { mode: 0o600 });
      unlinkSync(probe);
    }
  } catch (err) {
    throw storeOpenError(dir, err);
  }
}

/**
 * mkdir -p with mode 0700, one level at a time: a recursive mkdir on a read-only mount reports
 * ENOENT, which hides the cause; creating each missing level ourselves surfaces EROFS or EACCES.
 */
function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d, { mode: 0o700 });
    } catch (err) {
      if ((err as { code?: string }).code !== "EEXIST") throw err;
    }
  }
}
