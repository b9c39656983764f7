// Full verification of a store, from scratch: every block whole and chained, its roots recomputed
// from its transactions and receipts, the lookups and indexes equal to what the blocks and the state
// imply (nothing missing, nothing extra), and the state root recomputed from every state record.
// Reads everything, so it costs time proportional to the store; open() runs only the cheap checks.
import { equalBytes, toHex } from "../../sdk/bytes.js";
import { merkleRoot } from "../../sdk/merkle.js";
import { decodeTx, type Tx } from "../../sdk/tx.js";
import type { Receipt, ResultCode } from "../../sdk/types.js";
import { nodeCrypto } from "../crypto.js";
import { decodeReceipt } from "../ledger/records.js";
import { decodeCertificateRecord, decodeHeader, decodeTxLocation } from "./blocks.js";
import { rfc6962Root } from "./hash.js";
import { stateKeys } from "./state.js";
import { Bucket, BUCKET_NAMES } from "./buckets.js";
import { plain, prefixRange, type Db } from "./db.js";
import { fromUtf8, readU32, readU64 } from "./encoding.js";
import { corrupted } from "./errors.js";
import { blockIndexKeys, receivableIndexKeys } from "./indexes.js";
import { receivableIndexFields } from "./receivable-fields.js";
import { StateTree, bucketOfKeyHash, hashBucket, sha256, stateKeyHash } from "./state-tree.js";
import { ZERO_HASH, type Store } from "./store.js";

export interface VerifyOptions {
  /** whether a transaction with this receipt code took its hash (node/ledger takesTxHash) */
  takesTxHash: (code: ResultCode) => boolean;
}

export interface VerifyReport {
  height: bigint;
  txs: number;
  /** blocks stored with a commit certificate */
  certificates: number;
  stateRecords: number;
  buckets: number;
  indexEntries: number;
  stateRoot: Uint8Array;
}

const INDEX_BUCKETS = [
  Bucket.idxReceivableHistory,
  Bucket.idxExporter,
  Bucket.idxBankFinancing,
  Bucket.idxStatus,
  Bucket.idxDueDate,
  Bucket.idxOutstandingDueDate,
  Bucket.idxDocument,
  Bucket.idxFingerprint,
  Bucket.idxRejection,
  Bucket.idxRejectionByCode,
  Bucket.idxRejectionBySigner,
];

/** Throws StoreError STORE_CORRUPTED naming the first disagreement found. */
export async function verifyStore(store: Store, opts: VerifyOptions): Promise<VerifyReport> {
  await store.whenIdle();
  const meta = store.meta;
  if (!meta) throw corrupted("the store has no meta record");
  const db = store.level;
  const head = meta.height;

  // ---- blocks ----
  const expectedIndex = new Set<string>();
  const taken = new Map<string, string>();
  const attempts = new Set<string>();
  let prevHash: Uint8Array = ZERO_HASH;
  let prevTime = -1n;
  let txCount = 0;
  let lastHeaderStateRoot = meta.genesisStateRoot;
  for (let h = 1n; h <= head; h++) {
    const headerBytes = await store.blocks.headerBytes(h);
    if (!headerBytes) throw corrupted(`block ${h} is missing`, { height: h.toString() });
    const header = decodeHeader(headerBytes, h);
    const hash = sha256(headerBytes);
    const where = { height: h.toString() };
    if (header.chainId !== meta.chainId) throw corrupted(`block ${h} has chain id ${header.chainId}`, where);
    if (!equalBytes(header.prevHash, prevHash)) throw corrupted(`block ${h} does not link to block ${h - 1n}`, where);
    if (header.time < prevTime) throw corrupted(`block ${h} goes back in time`, where);
    if ((await store.blocks.heightOf(hash)) !== h) throw corrupted(`block ${h} is not found by its hash`, where);
    const txBytes = await store.blocks.txsOf(h);
    const receiptBytes = await store.blocks.receiptsOf(h);
    if (txBytes.length !== header.txCount || receiptBytes.length !== header.txCount) {
      throw corrupted(`block ${h} has ${txBytes.length} transactions and ${receiptBytes.length} receipts, its header says ${header.txCount}`, where);
    }
    const txs: Tx[] = [];
    const receipts: Receipt[] = [];
    for (let i = 0; i < txBytes.length; i++) {
      let tx: Tx;
      let receipt: Receipt;
      try {
        tx = decodeTx(nodeCrypto, txBytes[i]!);
        receipt = decodeReceipt(receiptBytes[i]!);
      } catch (err) {
        throw corrupted(`block ${h} transaction ${i} or its receipt does not decode`, { ...where, index: i }, err);
      }
      if (!equalBytes(receipt.txHash, tx.hash)) throw corrupted(`block ${h} receipt ${i} is for another transaction`, { ...where, index: i });
      const location = `${h}/${i}`;
      if (opts.takesTxHash(receipt.code)) {
        if (taken.has(tx.hashHex)) throw corrupted(`transaction ${tx.hashHex} took its hash twice`, { ...where, index: i });
        taken.set(tx.hashHex, location);
      } else {
        attempts.add(`${tx.hashHex}/${location}`);
      }
      txs.push(tx);
      receipts.push(receipt);
    }
    if (!equalBytes(rfc6962Root(txs.map((t) => t.hash)), header.txsRoot)) throw corrupted(`block ${h} transactions do not match its txs root`, where);
    // The receipts root through the SDK's own Merkle code, as a cross-check of node/store/hash.ts.
    if (!equalBytes(merkleRoot(sha256, receiptBytes), header.receiptsRoot)) throw corrupted(`block ${h} receipts do not match its receipts root`, where);
    for (const k of blockIndexKeys(h, txs, receipts)) expectedIndex.add(toHex(k));
    txCount += txs.length;
    prevHash = hash;
    prevTime = header.time;
    lastHeaderStateRoot = header.stateRoot;
  }
  if (!equalBytes(prevHash, meta.lastHash)) throw corrupted("the meta record's head hash is not the last block's");
  if (!equalBytes(lastHeaderStateRoot, meta.stateRoot)) throw corrupted("the meta record's state root is not the head block's");
  let certificates = 0;
  for await (const [k, v] of db.iterator(prefixRange(Uint8Array.of(Bucket.blockCertificate)))) {
    const h = readU64(k, 1);
    if (h < 1n || h > head) throw corrupted(`a commit certificate is stored for block ${h}, outside 1..${head}`);
    const c = decodeCertificateRecord(plain(v), h);
    if (c.chainId !== meta.chainId) throw corrupted(`the commit certificate of block ${h} is for another chain`, { height: h.toString() });
    certificates++;
  }
  await expectNoneAbove(db, Bucket.blockHeader, head);
  await expectNoneAbove(db, Bucket.blockTx, head);
  await expectNoneAbove(db, Bucket.blockReceipt, head);

  // ---- transaction lookups ----
  let seenTaken = 0;
  for await (const [k, v] of db.iterator(prefixRange(Uint8Array.of(Bucket.txByHash)))) {
    const hashHex = toHex(k.subarray(1));
    const loc = decodeTxLocation(plain(v));
    if (taken.get(hashHex) !== `${loc.height}/${loc.index}`) throw corrupted(`transaction lookup ${hashHex} points at ${loc.height}/${loc.index}`, { hash: hashHex });
    seenTaken++;
  }
  if (seenTaken !== taken.size) throw corrupted(`${taken.size - seenTaken} committed transactions have no lookup entry`);
  let seenAttempts = 0;
  for await (const k of db.keys(prefixRange(Uint8Array.of(Bucket.txAttempt)))) {
    const id = `${toHex(k.subarray(1, 33))}/${readU64(k, 33)}/${readU32(k, 41)}`;
    if (!attempts.has(id)) throw corrupted(`transaction attempt entry ${id} matches no block`);
    seenAttempts++;
  }
  if (seenAttempts !== attempts.size) throw corrupted(`${attempts.size - seenAttempts} transaction attempts have no entry`);

  // ---- state, recomputed from every record ----
  const depth = meta.treeDepth;
  const byBucket = new Map<number, Uint8Array[]>();
  let stateRecords = 0;
  for await (const [k, v] of db.iterator(prefixRange(Uint8Array.of(Bucket.state)))) {
    const stateKey = fromUtf8(k.subarray(1));
    const kh = stateKeyHash(stateKey);
    const b = bucketOfKeyHash(kh, depth);
    let list = byBucket.get(b);
    if (!list) byBucket.set(b, (list = []));
    list.push(Buffer.concat([kh, sha256(v)]));
    stateRecords++;
    if (stateKey.startsWith("r/")) {
      for (const ik of receivableIndexKeys(stateKey.slice(2), receivableIndexFields(plain(v), stateKey))) expectedIndex.add(toHex(ik));
    }
  }
  const bucketHashes = new Map<number, Uint8Array>();
  for (const [b, list] of byBucket) {
    list.sort(Buffer.compare);
    const entries = Buffer.concat(list);
    const stored = await db.get(stateKeys.bucket(b));
    if (!stored || !equalBytes(plain(stored), entries)) throw corrupted(`state tree bucket ${b} does not match the state records`, { bucket: b });
    const h = hashBucket(entries);
    const storedHash = await db.get(stateKeys.bucketHash(b));
    if (!storedHash || !equalBytes(plain(storedHash), h)) throw corrupted(`state tree bucket hash ${b} is wrong`, { bucket: b });
    bucketHashes.set(b, h);
  }
  for (const bucket of [Bucket.stateTreeBucket, Bucket.stateTreeBucketHash]) {
    for await (const k of db.keys(prefixRange(Uint8Array.of(bucket)))) {
      const b = readU32(k, 1);
      if (!byBucket.has(b)) throw corrupted(`state tree ${BUCKET_NAMES[bucket]} ${b} has no state records`, { bucket: b });
    }
  }
  const root = StateTree.fromBucketHashes(depth, bucketHashes).root;
  if (!equalBytes(root, meta.stateRoot)) {
    throw corrupted("the state root recomputed from the state records differs from the head's", { expected: toHex(meta.stateRoot), found: toHex(root) });
  }
  if (!equalBytes(store.tree.root, root)) throw corrupted("the in-memory state tree differs from the stored state");

  // ---- indexes ----
  let indexEntries = 0;
  for (const bucket of INDEX_BUCKETS) {
    for await (const k of db.keys(prefixRange(Uint8Array.of(bucket)))) {
      const hex = toHex(k);
      if (!expectedIndex.delete(hex)) throw corrupted(`index entry in ${BUCKET_NAMES[bucket]} matches no block or record`, { key: hex });
      indexEntries++;
    }
  }
  if (expectedIndex.size > 0) {
    const first = expectedIndex.values().next().value as string;
    throw corrupted(`${expectedIndex.size} index entries are missing (first in ${BUCKET_NAMES[parseInt(first.slice(0, 2), 16)]})`, { key: first });
  }
  return { height: head, txs: txCount, certificates, stateRecords, buckets: byBucket.size, indexEntries, stateRoot: root };
}

async function expectNoneAbove(db: Db, bucket: Bucket, head: bigint): Promise<void> {
  const from = Uint8Array.from([bucket, ...u64(head + 1n)]);
  for await (const k of db.keys({ gte: from, lt: Uint8Array.of(bucket + 1), limit: 1 })) {
    throw corrupted(`${BUCKET_NAMES[bucket]} holds data above the head ${head}`, { key: toHex(k) });
  }
}

function u64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v);
  return b;
}
