// The state commitment (docs/storage.md "State tree"; layout and proof check in sdk/proofs.ts): a
// fixed-depth bucketed tree. Bucket contents live in LevelDB; the upper tree (every bucket hash
// and every node above) lives here in flat buffers, rebuilt at open from the stored bucket hashes.
// A block rehashes only its touched buckets and the nodes on their paths, so the cost per block
// depends on how many buckets it touches, not on how many records the ledger holds.
import {
  HASH_BYTES,
  STATE_BUCKET_TAG,
  STATE_ENTRY_BYTES,
  STATE_NODE_TAG,
  bucketOfKeyHash,
  forEachMultiproofSibling,
  stateTreeLevelBits,
  type StateMultiproof,
  type StateProof,
} from "../../sdk/proofs.js";
import { sha256 } from "./hash.js";

export const MIN_STORE_TREE_DEPTH = 4;
/** 2^24 buckets already hold 512 MiB of bucket hashes in memory. */
export const MAX_STORE_TREE_DEPTH = 24;

export { sha256 };

const BUCKET_TAG = Uint8Array.of(STATE_BUCKET_TAG);

/** SHA-256(0x01 || entries). */
export function hashBucket(entries: Uint8Array): Uint8Array {
  const buf = Buffer.allocUnsafe(1 + entries.length);
  buf[0] = STATE_BUCKET_TAG;
  buf.set(entries, 1);
  return sha256(buf);
}

export const EMPTY_BUCKET_HASH = sha256(BUCKET_TAG);

export function stateKeyHash(key: string): Uint8Array {
  return sha256(Buffer.from(key, "utf8"));
}

export { bucketOfKeyHash };

/** One change to a bucket: set keyHash's value hash, or remove it (null). */
export interface BucketChange {
  keyHash: Uint8Array;
  valueHash: Uint8Array | null;
}

function compareAt(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number): number {
  for (let i = 0; i < HASH_BYTES; i++) {
    const d = a[aOff + i]! - b[bOff + i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Index of keyHash's entry in a bucket, or -(insertion point) - 1. */
export function findEntry(entries: Uint8Array, keyHash: Uint8Array): number {
  let lo = 0;
  let hi = entries.length / STATE_ENTRY_BYTES - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareAt(entries, mid * STATE_ENTRY_BYTES, keyHash, 0);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -lo - 1;
}

/** The value hash a bucket records for keyHash, if any (a view into `entries`). */
export function valueHashIn(entries: Uint8Array, keyHash: Uint8Array): Uint8Array | undefined {
  const i = findEntry(entries, keyHash);
  return i < 0 ? undefined : entries.subarray(i * STATE_ENTRY_BYTES + HASH_BYTES, (i + 1) * STATE_ENTRY_BYTES);
}

/**
 * Applies changes to a bucket's entries and returns the new entries (sorted, unique). Removing an
 * absent key is a no-op; the caller guarantees each keyHash appears once in `changes`.
 */
export function applyBucketChanges(entries: Uint8Array, changes: BucketChange[]): Uint8Array {
  const sorted = changes.slice().sort((a, b) => compareAt(a.keyHash, 0, b.keyHash, 0));
  const n = entries.length / STATE_ENTRY_BYTES;
  const out = new Uint8Array(entries.length + sorted.length * STATE_ENTRY_BYTES);
  let o = 0;
  let i = 0;
  for (const ch of sorted) {
    while (i < n && compareAt(entries, i * STATE_ENTRY_BYTES, ch.keyHash, 0) < 0) {
      out.set(entries.subarray(i * STATE_ENTRY_BYTES, (i + 1) * STATE_ENTRY_BYTES), o);
      o += STATE_ENTRY_BYTES;
      i++;
    }
    if (i < n && compareAt(entries, i * STATE_ENTRY_BYTES, ch.keyHash, 0) === 0) i++; // replaced or removed
    if (ch.valueHash !== null) {
      out.set(ch.keyHash, o);
      out.set(ch.valueHash, o + HASH_BYTES);
      o += STATE_ENTRY_BYTES;
    }
  }
  if (i < n) {
    out.set(entries.subarray(i * STATE_ENTRY_BYTES), o);
    o += (n - i) * STATE_ENTRY_BYTES;
  }
  return out.slice(0, o);
}

/** Checks that bytes are well-formed entries of bucket `bucket` (length, order, membership). */
export function checkBucketEntries(entries: Uint8Array, bucket: number, depth: number): string | undefined {
  if (entries.length % STATE_ENTRY_BYTES !== 0) return `length ${entries.length} is not a multiple of ${STATE_ENTRY_BYTES}`;
  const n = entries.length / STATE_ENTRY_BYTES;
  for (let i = 0; i < n; i++) {
    const kh = entries.subarray(i * STATE_ENTRY_BYTES, i * STATE_ENTRY_BYTES + HASH_BYTES);
    if (bucketOfKeyHash(kh, depth) !== bucket) return `entry ${i} belongs to bucket ${bucketOfKeyHash(kh, depth)}`;
    if (i > 0 && compareAt(entries, (i - 1) * STATE_ENTRY_BYTES, entries, i * STATE_ENTRY_BYTES) >= 0) return `entry ${i} is out of order`;
  }
  return undefined;
}

/**
 * The upper tree in memory. levels[0] holds the 2^depth bucket hashes, levels[i + 1] the nodes
 * whose children are levels[i] (2^levelBits[i] children each), the last level the root.
 * Memory: about 2^depth x 32 x 16/15 bytes (depth 18: 8.5 MiB; depth 20: 34 MiB).
 */
export class StateTree {
  readonly levelBits: number[];
  private readonly levels: Buffer[];
  /** hash of an all-empty subtree at each level */
  private readonly emptyAt: Uint8Array[];
  private readonly scratch: Buffer;

  private constructor(readonly depth: number) {
    if (!Number.isInteger(depth) || depth < MIN_STORE_TREE_DEPTH || depth > MAX_STORE_TREE_DEPTH) {
      throw new RangeError(`state tree depth must be an integer in [${MIN_STORE_TREE_DEPTH}, ${MAX_STORE_TREE_DEPTH}], got ${String(depth)}`);
    }
    this.levelBits = stateTreeLevelBits(depth);
    this.scratch = Buffer.allocUnsafe(1 + 16 * HASH_BYTES);
    this.scratch[0] = STATE_NODE_TAG;
    this.emptyAt = [EMPTY_BUCKET_HASH];
    this.levels = [];
    let size = 2 ** depth;
    this.levels.push(Buffer.alloc(size * HASH_BYTES).fill(EMPTY_BUCKET_HASH));
    for (const bits of this.levelBits) {
      const arity = 1 << bits;
      const child = this.emptyAt[this.emptyAt.length - 1]!;
      const parts: Uint8Array[] = [Uint8Array.of(STATE_NODE_TAG)];
      for (let c = 0; c < arity; c++) parts.push(child);
      const empty = sha256(Buffer.concat(parts));
      this.emptyAt.push(empty);
      size >>>= bits;
      this.levels.push(Buffer.alloc(size * HASH_BYTES).fill(empty));
    }
  }

  /** The tree of an empty state. */
  static empty(depth: number): StateTree {
    return new StateTree(depth);
  }

  /** Builds the tree from the hashes of the non-empty buckets, in any order. */
  static fromBucketHashes(depth: number, buckets: Iterable<[bucket: number, hash: Uint8Array]>): StateTree {
    const loader = StateTree.loader(depth);
    for (const [b, h] of buckets) loader.set(b, h);
    return loader.finish();
  }

  /**
   * Builds the tree from bucket hashes handed over one at a time, in any order, holding nothing but
   * the tree and one u32 per bucket set (the store's open streams a million of them from LevelDB:
   * collecting them first cost hundreds of MiB of short-lived objects at 1M receivables).
   */
  static loader(depth: number): { set(bucket: number, hash: Uint8Array): void; finish(): StateTree } {
    const tree = new StateTree(depth);
    const size = 2 ** depth;
    let touched = new Uint32Array(1024);
    let n = 0;
    return {
      set(b, h) {
        if (!Number.isInteger(b) || b < 0 || b >= size) throw new RangeError(`bucket ${b} outside a tree of depth ${depth}`);
        if (h.length !== HASH_BYTES) throw new RangeError(`bucket ${b} hash is ${h.length} bytes`);
        tree.levels[0]!.set(h, b * HASH_BYTES);
        if (n === touched.length) {
          const grown = new Uint32Array(Math.min(size, n * 2) || 1);
          grown.set(touched);
          touched = grown;
        }
        touched[n++] = b;
      },
      finish() {
        tree.rehash(touched.subarray(0, n));
        return tree;
      },
    };
  }

  /** Bytes held by the tree (its level buffers). */
  get byteLength(): number {
    return this.levels.reduce((a, l) => a + l.length, 0);
  }

  get root(): Uint8Array {
    return Uint8Array.from(this.levels[this.levels.length - 1]!);
  }

  bucketHash(bucket: number): Uint8Array {
    return this.levels[0]!.subarray(bucket * HASH_BYTES, (bucket + 1) * HASH_BYTES);
  }

  isEmptyBucket(bucket: number): boolean {
    return this.levels[0]!.compare(EMPTY_BUCKET_HASH, 0, HASH_BYTES, bucket * HASH_BYTES, (bucket + 1) * HASH_BYTES) === 0;
  }

  /** Sets bucket hashes and recomputes every node above them. Returns the new root. */
  update(bucketHashes: Map<number, Uint8Array>): Uint8Array {
    const level0 = this.levels[0]!;
    for (const [b, h] of bucketHashes) level0.set(h, b * HASH_BYTES);
    this.rehash([...bucketHashes.keys()]);
    return this.root;
  }

  /** What the root would be after `update(bucketHashes)`, leaving the tree unchanged. */
  rootAfter(bucketHashes: Map<number, Uint8Array>): Uint8Array {
    const saved = new Map<number, Uint8Array>();
    for (const b of bucketHashes.keys()) saved.set(b, Uint8Array.from(this.bucketHash(b)));
    const root = this.update(bucketHashes);
    this.update(saved);
    return root;
  }

  /** Sibling hashes from the bucket up (sdk/proofs.ts StateProof.siblings). */
  siblings(bucket: number): Uint8Array {
    const parts: Uint8Array[] = [];
    let index = bucket;
    for (let i = 0; i < this.levelBits.length; i++) {
      const arity = 1 << this.levelBits[i]!;
      const pos = index & (arity - 1);
      const first = index - pos;
      const level = this.levels[i]!;
      for (let c = 0; c < arity; c++) {
        if (c !== pos) parts.push(level.subarray((first + c) * HASH_BYTES, (first + c + 1) * HASH_BYTES));
      }
      index >>>= this.levelBits[i]!;
    }
    return Buffer.concat(parts);
  }

  /** One proof of many buckets (sdk/proofs.ts StateMultiproof): each sibling hash once. `buckets` ascending, unique. */
  multiproof(buckets: readonly { index: number; entries: Uint8Array }[]): StateMultiproof {
    const parts: Uint8Array[] = [];
    forEachMultiproofSibling(
      this.depth,
      buckets.map((b) => b.index),
      (level, index) => parts.push(this.levels[level]!.subarray(index * HASH_BYTES, (index + 1) * HASH_BYTES)),
    );
    return { depth: this.depth, buckets: buckets.map((b) => ({ index: b.index, entries: Uint8Array.from(b.entries) })), siblings: Uint8Array.from(Buffer.concat(parts)) };
  }

  proof(bucket: number, entries: Uint8Array): StateProof {
    return { depth: this.depth, entries: Uint8Array.from(entries), siblings: Uint8Array.from(this.siblings(bucket)) };
  }

  /** Recomputes the parents of the given level-0 indices, level by level. */
  private rehash(indices: ArrayLike<number>): void {
    let dirty = Uint32Array.from(indices).sort();
    for (let i = 0; i < this.levelBits.length; i++) {
      const bits = this.levelBits[i]!;
      const arity = 1 << bits;
      const width = arity * HASH_BYTES;
      const children = this.levels[i]!;
      const parents = this.levels[i + 1]!;
      const next: number[] = [];
      let last = -1;
      for (const idx of dirty) {
        const p = idx >>> bits;
        if (p === last) continue;
        last = p;
        next.push(p);
        children.copy(this.scratch, 1, p * width, (p + 1) * width);
        parents.set(sha256(this.scratch.subarray(0, 1 + width)), p * HASH_BYTES);
      }
      dirty = Uint32Array.from(next);
    }
  }
}
