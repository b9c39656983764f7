// What a batch payload means to this node, as pure functions: decoding it into transactions, the
// digest consensus signs (docs/consensus.md §1: batchDigest over chain, height, time and the
// RFC 6962 root of the transaction hashes), and the check a backup runs before it prepares a
// batch. Validation reads a snapshot of party keys and a signature check; no store, no await.
import { batchDigest } from "../../sdk/commit.js";
import { CodecError } from "../../sdk/codec.js";
import type { Tx } from "../../sdk/tx.js";
import { rfc6962Root } from "../store/hash.js";
import { decodeBatch } from "../net/wire.js";

export interface BatchLimits {
  chainId: string;
  maxBatchTxs: number;
  maxBatchBytes: number;
}

/** The transactions of a payload, or why it does not decode (too large, malformed, too many). */
export function decodeBatchTxs(payload: Uint8Array, limits: BatchLimits, decodeTx: (bytes: Uint8Array) => Tx): Tx[] | Error {
  try {
    if (payload.length > limits.maxBatchBytes) throw new CodecError("range", `batch of ${payload.length} bytes exceeds ${limits.maxBatchBytes}`, "Batch");
    const raw = decodeBatch(payload);
    if (raw.length > limits.maxBatchTxs) throw new CodecError("range", `batch of ${raw.length} transactions exceeds ${limits.maxBatchTxs}`, "Batch");
    return raw.map(decodeTx);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** The digest of a batch at (seq, timestamp). An undecodable payload gets one no valid batch can have. */
export function digestOfBatch(sha256: (data: Uint8Array) => Uint8Array, chainId: string, seq: bigint, timestamp: bigint, payload: Uint8Array, txs: Tx[] | Error): Uint8Array {
  if (txs instanceof Error) return batchDigest(sha256, { chainId: `${chainId}/undecodable`, height: seq, time: timestamp, txsRoot: sha256(payload) });
  return batchDigest(sha256, { chainId, height: seq, time: timestamp, txsRoot: rfc6962Root(txs.map((t) => t.hash)) });
}

/** A snapshot of the party keys of committed state, current then retired (PartyKeys.knownKeys: a map lookup). */
export type PartyKeyLookup = (partyId: string) => readonly Uint8Array[];

/**
 * Whether a backup may prepare this batch: decodable, no transaction twice, every transaction for
 * this chain, and every signer known in committed state has signed. A signer registered by a batch
 * still in flight is not in the snapshot; the ledger checks it at execution. An empty batch is
 * valid: a new view fills gaps in its O set with null requests (PBFT §4.4).
 */
export function validateBatchTxs(txs: Tx[] | Error, chainId: string, partyKey: PartyKeyLookup, verify: (tx: Tx, publicKey: Uint8Array) => boolean): true | string {
  if (txs instanceof Error) return `undecodable batch: ${txs.message}`;
  const seen = new Set<string>();
  for (const tx of txs) {
    if (seen.has(tx.hashHex)) return `transaction ${tx.hashHex} twice in one batch`;
    seen.add(tx.hashHex);
    if (tx.body.chainId !== chainId) return `transaction ${tx.hashHex} is for chain ${tx.body.chainId}`;
    // A primary proposing forgeries is faulty. A signature under a key the party retired is no
    // forgery: its holder signed it, the ledger orders it and answers KEY_RETIRED (evidence).
    const keys = partyKey(tx.body.signer);
    if (keys.length > 0 && !keys.some((key) => verify(tx, key))) return `transaction ${tx.hashHex} has a forged signature`;
  }
  return true;
}
