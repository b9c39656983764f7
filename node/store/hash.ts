// SHA-256 on node:crypto's one-shot hash (no Hash object per call), and the RFC 6962 root of the
// block's transaction hashes and receipts computed with one scratch buffer instead of an
// allocation per node. Equal to sdk/merkle.ts merkleRoot by construction; a test checks it.
import { hash as oneShot } from "node:crypto";

export function sha256(data: Uint8Array): Uint8Array {
  return oneShot("sha256", data, "buffer");
}

let scratch = Buffer.allocUnsafe(1024);

function tagged(tag: number, a: Uint8Array, b?: Uint8Array): Uint8Array {
  const n = 1 + a.length + (b ? b.length : 0);
  if (scratch.length < n) scratch = Buffer.allocUnsafe(Math.max(n, scratch.length * 2));
  scratch[0] = tag;
  scratch.set(a, 1);
  if (b) scratch.set(b, 1 + a.length);
  return sha256(scratch.subarray(0, n));
}

/** RFC 6962 §2.1 Merkle tree hash over `items` (leaf = H(0x00 || item), node = H(0x01 || l || r)). */
export function rfc6962Root(items: readonly Uint8Array[]): Uint8Array {
  if (items.length === 0) return sha256(new Uint8Array(0));
  let level = items.map((d) => tagged(0x00, d));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(tagged(0x01, level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}
