// Verification of what a node proves against a block header: one state record (present or absent)
// against the header's state root, and one transaction or receipt against its txs / receipts root.
// Browser-safe (no node:* imports); the node's store builds its state tree with the constants and
// layout functions below, so prover and verifier share one definition (docs/storage.md).
//
// The state tree ("bucketed state tree", after Hyperledger Fabric's bucket tree):
//   keyHash    = SHA-256(utf8(key))                 key: a ledger state key such as "r/<id>"
//   valueHash  = SHA-256(value)                     value: the record's stored bytes
//   bucket     = the first `depth` bits of keyHash, big-endian (depth is a genesis parameter)
//   entries    = keyHash || valueHash for every key of the bucket, in strictly ascending keyHash
//                order (64 bytes each)
//   bucketHash = SHA-256(0x01 || entries)           an empty bucket hashes SHA-256(0x01)
//   node       = SHA-256(0x02 || child_0 || ... || child_{n-1})
// Above the 2^depth buckets the tree is 16-ary: each level consumes 4 bits of the bucket index,
// starting from the least significant; when depth is not a multiple of 4 the root has
// 2^(depth mod 4) children. The root node is the state root.
// A proof of a key is its bucket's entries plus, level by level from the buckets up, the hashes of
// the sibling nodes (every child of the parent except the one on the path, in child order). A key
// absent from its (complete) bucket is proven absent.
import { concatBytes, equalBytes, fromHex, isHex, toHex, utf8 } from "./bytes.js";
import { sha256 } from "./crypto.js";
import { leafHash, verifyInclusion, type Hash } from "./merkle.js";

export const STATE_BUCKET_TAG = 0x01;
export const STATE_NODE_TAG = 0x02;
export const STATE_ENTRY_BYTES = 64;
export const HASH_BYTES = 32;
/** Bits of the bucket index one 16-ary level consumes. */
export const STATE_TREE_FANOUT_BITS = 4;
export const MIN_STATE_TREE_DEPTH = 1;
export const MAX_STATE_TREE_DEPTH = 32;

export interface StateProof {
  /** bits of keyHash that select the bucket */
  depth: number;
  /** the key's bucket: entries of 64 bytes (keyHash || valueHash), ascending by keyHash */
  entries: Uint8Array;
  /** sibling hashes, 32 bytes each, bottom level first (see stateTreeLevelBits) */
  siblings: Uint8Array;
}

/** JSON form of a StateProof (hex), as served by the RPC. */
export interface StateProofJson {
  depth: number;
  entries: string;
  siblings: string;
}

/**
 * Bits per level, bottom (just above the buckets) first: 4, 4, ..., and the remainder (1-3) last.
 * E.g. depth 18 -> [4, 4, 4, 4, 2]: a node of the bottom level has 16 bucket children, the root 4.
 */
export function stateTreeLevelBits(depth: number): number[] {
  checkDepth(depth);
  const bits: number[] = [];
  let left = depth;
  while (left > 0) {
    const b = Math.min(STATE_TREE_FANOUT_BITS, left);
    bits.push(b);
    left -= b;
  }
  return bits;
}

/** Number of sibling hashes in a proof for a tree of this depth. */
export function stateProofSiblingCount(depth: number): number {
  return stateTreeLevelBits(depth).reduce((n, b) => n + (1 << b) - 1, 0);
}

/** The bucket of a key hash: its first `depth` bits, big-endian. */
export function bucketOfKeyHash(keyHash: Uint8Array, depth: number): number {
  const top = ((keyHash[0]! << 24) | (keyHash[1]! << 16) | (keyHash[2]! << 8) | keyHash[3]!) >>> 0;
  return depth === 32 ? top : top >>> (32 - depth);
}

export function stateKeyHash(key: string, hash: Hash = sha256): Uint8Array {
  return hash(utf8(key));
}

export function bucketHashOf(entries: Uint8Array, hash: Hash = sha256): Uint8Array {
  return hash(concatBytes(Uint8Array.of(STATE_BUCKET_TAG), entries));
}

/**
 * Verifies that `key` has exactly `value` (or, with null, no value) in the state whose root is
 * `root`. Never throws: any malformed input is false.
 */
export function verifyStateProof(root: Uint8Array, key: string, value: Uint8Array | null, proof: StateProof, hash: Hash = sha256): boolean {
  try {
    if (!(root instanceof Uint8Array) || root.length !== HASH_BYTES) return false;
    if (typeof key !== "string") return false;
    if (value !== null && !(value instanceof Uint8Array)) return false;
    if (!proof || typeof proof !== "object") return false;
    const { depth, entries, siblings } = proof;
    if (!Number.isInteger(depth) || depth < MIN_STATE_TREE_DEPTH || depth > MAX_STATE_TREE_DEPTH) return false;
    if (!(entries instanceof Uint8Array) || entries.length % STATE_ENTRY_BYTES !== 0) return false;
    if (!(siblings instanceof Uint8Array) || siblings.length !== stateProofSiblingCount(depth) * HASH_BYTES) return false;

    const keyHash = stateKeyHash(key, hash);
    const bucket = bucketOfKeyHash(keyHash, depth);
    // The bucket must be well formed: every entry in this bucket, strictly ascending, so the
    // verifier sees all of it and absence is meaningful.
    let found: Uint8Array | undefined;
    const n = entries.length / STATE_ENTRY_BYTES;
    for (let i = 0; i < n; i++) {
      const kh = entries.subarray(i * STATE_ENTRY_BYTES, i * STATE_ENTRY_BYTES + HASH_BYTES);
      if (bucketOfKeyHash(kh, depth) !== bucket) return false;
      if (i > 0 && compare32(entries.subarray((i - 1) * STATE_ENTRY_BYTES, (i - 1) * STATE_ENTRY_BYTES + HASH_BYTES), kh) >= 0) return false;
      if (equalBytes(kh, keyHash)) found = entries.subarray(i * STATE_ENTRY_BYTES + HASH_BYTES, (i + 1) * STATE_ENTRY_BYTES);
    }
    if (value === null) {
      if (found) return false;
    } else if (!found || !equalBytes(found, hash(value))) {
      return false;
    }

    let node = bucketHashOf(entries, hash);
    let index = bucket;
    let offset = 0;
    for (const bits of stateTreeLevelBits(depth)) {
      const arity = 1 << bits;
      const position = index & (arity - 1);
      const parts: Uint8Array[] = [Uint8Array.of(STATE_NODE_TAG)];
      for (let c = 0; c < arity; c++) {
        if (c === position) {
          parts.push(node);
        } else {
          parts.push(siblings.subarray(offset, offset + HASH_BYTES));
          offset += HASH_BYTES;
        }
      }
      node = hash(concatBytes(...parts));
      index >>>= bits;
    }
    return equalBytes(node, root);
  } catch {
    return false;
  }
}

export function stateProofToJson(proof: StateProof): StateProofJson {
  return { depth: proof.depth, entries: toHex(proof.entries), siblings: toHex(proof.siblings) };
}

/** Parses the JSON form; throws TypeError on anything malformed. */
export function stateProofFromJson(json: unknown): StateProof {
  const j = json as StateProofJson;
  if (!j || typeof j !== "object") throw new TypeError("a state proof is an object");
  if (!Number.isInteger(j.depth) || j.depth < MIN_STATE_TREE_DEPTH || j.depth > MAX_STATE_TREE_DEPTH) throw new TypeError("state proof depth out of range");
  if (!isHex(j.entries) || !isHex(j.siblings)) throw new TypeError("state proof entries and siblings are lower-case hex");
  return { depth: j.depth, entries: fromHex(j.entries), siblings: fromHex(j.siblings) };
}

// ---- multiproofs: many keys, one proof -------------------------------------------------------------
//
// A proof of many keys of the state tree at once (for reports that prove hundreds of records): the
// buckets of the keys, each complete, and the sibling hashes needed to recompute the root from them,
// each node given once. Nodes on the path of some key are computed, never sent; a level's siblings are
// the children, not on any path, of the nodes on some path, in order of (parent index, child index),
// bottom level first. So near the root, where the keys' paths share nodes, nothing is repeated: at 1,200
// keys of a depth-20 tree it carries ~36,000 hashes where 1,200 single proofs carry ~90,000.

export interface StateMultiproof {
  depth: number;
  /** the keys' buckets, ascending by index, each with all of its entries (64 bytes each, ascending by keyHash) */
  buckets: { index: number; entries: Uint8Array }[];
  /** the sibling hashes, 32 bytes each, in the order above */
  siblings: Uint8Array;
}

export interface StateMultiproofJson {
  depth: number;
  buckets: { index: number; entries: string }[];
  siblings: string;
}

/**
 * The siblings a multiproof of these buckets carries, in proof order (the layout both the prover,
 * node/store/state-tree.ts, and verifyStateMultiproof follow): `visit(level, index)` for each, level 0
 * being the buckets; per level, for each node on some path in ascending order, its parent's other
 * children that are on no path, by child index.
 */
export function forEachMultiproofSibling(depth: number, buckets: readonly number[], visit: (level: number, index: number) => void): void {
  let known = [...new Set(buckets)].sort((a, b) => a - b);
  const bits = stateTreeLevelBits(depth);
  for (let level = 0; level < bits.length; level++) {
    const arity = 1 << bits[level]!;
    const parents: number[] = [];
    let i = 0;
    while (i < known.length) {
      const parent = Math.floor(known[i]! / arity);
      for (let c = 0; c < arity; c++) {
        const child = parent * arity + c;
        if (i < known.length && known[i] === child) i++;
        else visit(level, child);
      }
      parents.push(parent);
    }
    known = parents;
  }
}

/**
 * Verifies that each item's key has exactly its value (or, with null, no value) in the state whose
 * root is `root`, by one multiproof. The proof's buckets must be exactly the items' buckets (none
 * missing, none extra), each well formed; every sibling must be used. Never throws: malformed is false.
 */
export function verifyStateMultiproof(root: Uint8Array, items: readonly { key: string; value: Uint8Array | null }[], proof: StateMultiproof, hash: Hash = sha256): boolean {
  try {
    if (!(root instanceof Uint8Array) || root.length !== HASH_BYTES) return false;
    if (!Array.isArray(items) || items.length === 0 || !proof || typeof proof !== "object") return false;
    const { depth, buckets, siblings } = proof;
    if (!Number.isInteger(depth) || depth < MIN_STATE_TREE_DEPTH || depth > MAX_STATE_TREE_DEPTH) return false;
    if (!Array.isArray(buckets) || !(siblings instanceof Uint8Array) || siblings.length % HASH_BYTES !== 0) return false;
    // the buckets: strictly ascending, in range, each well formed
    const size = 2 ** depth;
    const byIndex = new Map<number, Uint8Array>();
    let last = -1;
    for (const b of buckets) {
      if (!b || !Number.isInteger(b.index) || b.index <= last || b.index >= size) return false;
      if (!(b.entries instanceof Uint8Array) || b.entries.length % STATE_ENTRY_BYTES !== 0) return false;
      if (!wellFormedBucket(b.entries, b.index, depth)) return false;
      byIndex.set(b.index, b.entries);
      last = b.index;
    }
    // every item against its bucket; every bucket holds some item
    const used = new Set<number>();
    for (const { key, value } of items) {
      if (typeof key !== "string") return false;
      if (value !== null && !(value instanceof Uint8Array)) return false;
      const keyHash = stateKeyHash(key, hash);
      const bucket = bucketOfKeyHash(keyHash, depth);
      const entries = byIndex.get(bucket);
      if (!entries) return false;
      used.add(bucket);
      const found = valueHashOf(entries, keyHash);
      if (value === null ? found !== undefined : !found || !equalBytes(found, hash(value))) return false;
    }
    if (used.size !== byIndex.size) return false;
    // up the tree: known nodes from the buckets, siblings consumed in proof order
    let level = new Map<number, Uint8Array>([...byIndex].map(([i, e]) => [i, bucketHashOf(e, hash)]));
    let offset = 0;
    for (const bits of stateTreeLevelBits(depth)) {
      const arity = 1 << bits;
      const next = new Map<number, Uint8Array>();
      for (const index of [...level.keys()].sort((a, b) => a - b)) {
        const parent = Math.floor(index / arity);
        if (next.has(parent)) continue;
        const parts: Uint8Array[] = [Uint8Array.of(STATE_NODE_TAG)];
        for (let c = 0; c < arity; c++) {
          const child = level.get(parent * arity + c);
          if (child) parts.push(child);
          else {
            if (offset + HASH_BYTES > siblings.length) return false;
            parts.push(siblings.subarray(offset, offset + HASH_BYTES));
            offset += HASH_BYTES;
          }
        }
        next.set(parent, hash(concatBytes(...parts)));
      }
      level = next;
    }
    return offset === siblings.length && level.size === 1 && equalBytes(level.get(0)!, root);
  } catch {
    return false;
  }
}

export function stateMultiproofToJson(proof: StateMultiproof): StateMultiproofJson {
  return { depth: proof.depth, buckets: proof.buckets.map((b) => ({ index: b.index, entries: toHex(b.entries) })), siblings: toHex(proof.siblings) };
}

/** Parses the JSON form; throws TypeError on anything malformed. */
export function stateMultiproofFromJson(json: unknown): StateMultiproof {
  const j = json as StateMultiproofJson;
  if (!j || typeof j !== "object") throw new TypeError("a state multiproof is an object");
  if (!Number.isInteger(j.depth) || j.depth < MIN_STATE_TREE_DEPTH || j.depth > MAX_STATE_TREE_DEPTH) throw new TypeError("multiproof depth out of range");
  if (!Array.isArray(j.buckets) || !isHex(j.siblings)) throw new TypeError("multiproof buckets are an array, siblings lower-case hex");
  return {
    depth: j.depth,
    buckets: j.buckets.map((b) => {
      if (!b || !Number.isInteger(b.index) || !isHex(b.entries)) throw new TypeError("a multiproof bucket is { index, entries (hex) }");
      return { index: b.index, entries: fromHex(b.entries) };
    }),
    siblings: fromHex(j.siblings),
  };
}

/** Every entry belongs to `bucket` and the entries ascend strictly by keyHash. */
function wellFormedBucket(entries: Uint8Array, bucket: number, depth: number): boolean {
  const n = entries.length / STATE_ENTRY_BYTES;
  for (let i = 0; i < n; i++) {
    const kh = entries.subarray(i * STATE_ENTRY_BYTES, i * STATE_ENTRY_BYTES + HASH_BYTES);
    if (bucketOfKeyHash(kh, depth) !== bucket) return false;
    if (i > 0 && compare32(entries.subarray((i - 1) * STATE_ENTRY_BYTES, (i - 1) * STATE_ENTRY_BYTES + HASH_BYTES), kh) >= 0) return false;
  }
  return true;
}

/** The value hash a (well-formed) bucket records for keyHash, if any. */
function valueHashOf(entries: Uint8Array, keyHash: Uint8Array): Uint8Array | undefined {
  for (let i = 0; i < entries.length; i += STATE_ENTRY_BYTES) {
    if (equalBytes(entries.subarray(i, i + HASH_BYTES), keyHash)) return entries.subarray(i + HASH_BYTES, i + STATE_ENTRY_BYTES);
  }
  return undefined;
}

// ---- block contents ---------------------------------------------------------------------------

/**
 * Verifies that the transaction with body hash `txHash` is leaf `index` of `count` under a
 * header's txs_root (RFC 6962 root over the block's transaction hashes). Never throws.
 */
export function verifyTxInclusion(txsRoot: Uint8Array, txHash: Uint8Array, index: number, count: number, path: Uint8Array[], hash: Hash = sha256): boolean {
  try {
    if (!(txHash instanceof Uint8Array) || txHash.length !== HASH_BYTES) return false;
    return verifyInclusion(hash, leafHash(hash, txHash), index, count, path, txsRoot);
  } catch {
    return false;
  }
}

/**
 * Verifies that `receiptBytes` (an encoded Receipt) is leaf `index` of `count` under a header's
 * receipts_root (RFC 6962 root over the block's encoded receipts). Never throws.
 */
export function verifyReceiptInclusion(receiptsRoot: Uint8Array, receiptBytes: Uint8Array, index: number, count: number, path: Uint8Array[], hash: Hash = sha256): boolean {
  try {
    if (!(receiptBytes instanceof Uint8Array)) return false;
    return verifyInclusion(hash, leafHash(hash, receiptBytes), index, count, path, receiptsRoot);
  } catch {
    return false;
  }
}

// ---- helpers ------------------------------------------------------------------------------------

function checkDepth(depth: number): void {
  if (!Number.isInteger(depth) || depth < MIN_STATE_TREE_DEPTH || depth > MAX_STATE_TREE_DEPTH) {
    throw new RangeError(`state tree depth must be an integer in [${MIN_STATE_TREE_DEPTH}, ${MAX_STATE_TREE_DEPTH}], got ${String(depth)}`);
  }
}

function compare32(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < HASH_BYTES; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
