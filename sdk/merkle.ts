// Binary Merkle trees after RFC 6962 §2.1: leaf = H(leafTag || data), node = H(nodeTag || left ||
// right), an n-leaf tree splits at the largest power of two below n, and the empty tree's root is
// H(emptyTag). Used for block transaction and receipt roots (tags 0x00/0x01) and, with its own
// tags, for document field trees (docs/hashing.md). Hash function is injected so the node can use
// node:crypto and the SDK noble.
import { concatBytes, equalBytes } from "./bytes.js";

export type Hash = (data: Uint8Array) => Uint8Array;

export interface MerkleTags {
  leaf: Uint8Array;
  node: Uint8Array;
  empty: Uint8Array;
}

/** RFC 6962 tags, used for transaction and receipt roots. */
export const RFC6962_TAGS: MerkleTags = {
  leaf: Uint8Array.of(0x00),
  node: Uint8Array.of(0x01),
  empty: new Uint8Array(0),
};

export function leafHash(hash: Hash, data: Uint8Array, tags: MerkleTags = RFC6962_TAGS): Uint8Array {
  return hash(concatBytes(tags.leaf, data));
}

export function nodeHash(hash: Hash, left: Uint8Array, right: Uint8Array, tags: MerkleTags = RFC6962_TAGS): Uint8Array {
  return hash(concatBytes(tags.node, left, right));
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k << 1 < n) k <<= 1;
  return k;
}

/** Root over already-hashed leaves. */
export function rootOfLeafHashes(hash: Hash, leaves: Uint8Array[], tags: MerkleTags = RFC6962_TAGS): Uint8Array {
  if (leaves.length === 0) return hash(tags.empty);
  // Iterative bottom-up pairing gives the same shape as RFC 6962's recursive split: pairing
  // left to right and carrying an odd last node up unchanged.
  let level = leaves;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(hash, level[i]!, level[i + 1]!, tags));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}

export function merkleRoot(hash: Hash, items: Uint8Array[], tags: MerkleTags = RFC6962_TAGS): Uint8Array {
  return rootOfLeafHashes(
    hash,
    items.map((d) => leafHash(hash, d, tags)),
    tags,
  );
}

/** Audit path (RFC 6962 §2.1.1) for leaf `index`: sibling hashes from the leaf up. */
export function inclusionProof(hash: Hash, leaves: Uint8Array[], index: number, tags: MerkleTags = RFC6962_TAGS): Uint8Array[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) throw new RangeError("leaf index out of range");
  const path: Uint8Array[] = [];
  const walk = (lo: number, hi: number): void => {
    const n = hi - lo;
    if (n <= 1) return;
    const k = largestPowerOfTwoBelow(n);
    if (index < lo + k) {
      walk(lo, lo + k);
      path.push(rootOfLeafHashes(hash, leaves.slice(lo + k, hi), tags));
    } else {
      walk(lo + k, hi);
      path.push(rootOfLeafHashes(hash, leaves.slice(lo, lo + k), tags));
    }
  };
  walk(0, leaves.length);
  return path;
}

/** Verifies an audit path (RFC 9162 §2.1.3.2). Never throws on malformed input. */
export function verifyInclusion(
  hash: Hash,
  leaf: Uint8Array,
  index: number,
  size: number,
  path: Uint8Array[],
  root: Uint8Array,
  tags: MerkleTags = RFC6962_TAGS,
): boolean {
  if (!Number.isInteger(index) || !Number.isInteger(size) || index < 0 || index >= size) return false;
  if (!Array.isArray(path) || path.some((p) => !(p instanceof Uint8Array))) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(hash, p, r, tags);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = nodeHash(hash, r, p, tags);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && equalBytes(r, root);
}
