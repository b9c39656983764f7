// Full verification of a store, from scratch: every block whole and chained, its roots recomputed
// from its transactions and receipts, the lookups and indexes equal to what the blocks and the state
// imply (nothing missing, nothing extra), the state root recomputed from every state record, the
// conservation of the digital warrants and their credit lines (DESIGN.md §7) and the lot invariant of
// the title documents (§8) over the state records.
// Reads everything, so it costs time proportional to the store; open() runs only the cheap checks.
import { equalBytes, fromUtf8 as utf8Text, toHex } from "../../sdk/bytes.js";
import { decode } from "../../sdk/codec.js";
import { merkleRoot } from "../../sdk/merkle.js";
import { decodeTx, type Tx } from "../../sdk/tx.js";
import { isLiveLeaf } from "../../sdk/domain.js";
import type { CreditLine, Lot, Party, Piece, Receipt, ResultCode, Role, Title, Warrant } from "../../sdk/types.js";
import { nodeCrypto } from "../crypto.js";
import { aggregatesOf } from "../ledger/aggregates.js";
import type { Receivable } from "../../sdk/types.js";
import { decodeCreditLine, decodeLot, decodePiece, decodeReceipt, decodeReceivable, decodeTitle, decodeWarrant } from "../ledger/records.js";
import { decodeCertificateRecord, decodeHeader, decodeTxLocation } from "./blocks.js";
import { rfc6962Root } from "./hash.js";
import { stateKeys } from "./state.js";
import { Bucket, BUCKET_NAMES } from "./buckets.js";
import { plain, prefixRange, type Db } from "./db.js";
import { fromUtf8, readU32, readU64 } from "./encoding.js";
import { corrupted } from "./errors.js";
import {
  blockIndexKeys,
  lotIndexKeys,
  pieceIndexKeys,
  receivableIndexKeys,
  titleBlockIndexKeys,
  titleRecordIndexKeys,
  TITLE_INDEX_BUCKETS,
  ALERT_INDEX_BUCKETS,
  alertBlockIndexKeys,
  warrantBlockIndexKeys,
  WARRANT_INDEX_BUCKETS,
} from "./indexes.js";
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
  /** credit lines, warrants and warrant pieces whose conservation was checked */
  creditLines: number;
  warrants: number;
  pieces: number;
  /** lots and titles whose invariant was checked */
  lots: number;
  titles: number;
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
  ...WARRANT_INDEX_BUCKETS,
  ...TITLE_INDEX_BUCKETS,
  ...ALERT_INDEX_BUCKETS,
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
    for (const k of warrantBlockIndexKeys(h, txs, receipts)) expectedIndex.add(toHex(k));
    for (const k of titleBlockIndexKeys(h, txs, receipts)) expectedIndex.add(toHex(k));
    for (const k of alertBlockIndexKeys(h, receipts)) expectedIndex.add(toHex(k));
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
  const warrantRecords = new WarrantRecords();
  const titleRecords = new TitleRecords();
  let stateRecords = 0;
  // The running aggregates of node/ledger/aggregates.ts (banks' books, exporters' credit facts: what
  // the CONCENTRATION and LARGE_EXPOSURE rules, the reports and the indicators read) against the
  // receivables they sum.
  const receivables: Receivable[] = [];
  const storedAggregates = new Map<string, Uint8Array>();
  for await (const [k, v] of db.iterator(prefixRange(Uint8Array.of(Bucket.state)))) {
    const stateKey = fromUtf8(k.subarray(1));
    const kh = stateKeyHash(stateKey);
    const b = bucketOfKeyHash(kh, depth);
    let list = byBucket.get(b);
    if (!list) byBucket.set(b, (list = []));
    list.push(Buffer.concat([kh, sha256(v)]));
    stateRecords++;
    if (isAggregateKey(stateKey)) storedAggregates.set(stateKey, plain(v));
    if (stateKey.startsWith("r/")) {
      receivables.push(decodeReceivable(plain(v)));
      for (const ik of receivableIndexKeys(stateKey.slice(2), receivableIndexFields(plain(v), stateKey))) expectedIndex.add(toHex(ik));
    } else if (stateKey.startsWith("q/")) {
      warrantRecords.add(stateKey, plain(v));
      const piece = warrantRecords.pieces.get(stateKey.slice(2))!;
      for (const ik of pieceIndexKeys(piece.id, piece)) expectedIndex.add(toHex(ik));
    } else if (stateKey.startsWith("t/")) {
      const title = titleRecords.add(stateKey, plain(v)) as Title;
      for (const ik of titleRecordIndexKeys(title.id, title)) expectedIndex.add(toHex(ik));
    } else if (stateKey.startsWith("o/")) {
      const lot = titleRecords.add(stateKey, plain(v)) as Lot;
      for (const ik of lotIndexKeys(lot.id, lot)) expectedIndex.add(toHex(ik));
    } else {
      warrantRecords.add(stateKey, plain(v));
      titleRecords.add(stateKey, plain(v));
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
  // The records hash to the root, so what is left to catch is a record the ledger would never have
  // written: a tool, a migration or a buggy rule writing around the rules.
  verifyWarrants(warrantRecords);
  // (after the warrant trees: a broken tree says more than the book sums it throws off)
  const expectedAggregates = aggregatesOf(receivables, warrantRecords.pieces.values());
  for (const [k, v] of expectedAggregates) {
    const stored = storedAggregates.get(k);
    if (!stored || !equalBytes(stored, v)) throw corrupted(`the aggregate record ${k} disagrees with the receivables and pieces it sums (${stored ? "differs" : "missing"})`);
  }
  for (const k of storedAggregates.keys()) if (!expectedAggregates.has(k)) throw corrupted(`the aggregate record ${k} sums no receivable or piece`);
  verifyTitles(titleRecords);

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
  return {
    height: head,
    txs: txCount,
    certificates,
    stateRecords,
    creditLines: warrantRecords.lines.size,
    warrants: warrantRecords.warrants.size,
    pieces: warrantRecords.pieces.size,
    lots: titleRecords.lots.size,
    titles: titleRecords.titles.size,
    buckets: byBucket.size,
    indexEntries,
    stateRoot: root,
  };
}

/** The credit-line (l/), warrant (w/) and piece (q/) records of the state (node/ledger/state.ts KEY), decoded. */
export class WarrantRecords {
  readonly lines = new Map<string, CreditLine>();
  readonly warrants = new Map<string, Warrant>();
  readonly pieces = new Map<string, Piece>();

  /** Takes the record if it is one of the three kinds; others are ignored. */
  add(stateKey: string, value: Uint8Array): void {
    const kind = stateKey.slice(0, 2);
    if (kind !== "l/" && kind !== "w/" && kind !== "q/") return;
    const id = stateKey.slice(2);
    let record: CreditLine | Warrant | Piece;
    try {
      record = kind === "l/" ? decodeCreditLine(value) : kind === "w/" ? decodeWarrant(value) : decodePiece(value);
    } catch (err) {
      throw corrupted(`state record ${stateKey} does not decode`, { key: stateKey }, err);
    }
    if (record.id !== id) throw corrupted(`state record ${stateKey} holds ${record.id}`, { key: stateKey });
    if (kind === "l/") this.lines.set(id, record as CreditLine);
    else if (kind === "w/") this.warrants.set(id, record as Warrant);
    else this.pieces.set(id, record as Piece);
  }
}

/**
 * The conservation of DESIGN.md §7 over the records: each warrant's pieces form one tree from its
 * first piece (parent and child links agree, no piece in two places, none outside a tree), every
 * spent piece's children sum to it, the live leaves (HELD, OFFERED, FINANCED, SETTLED) sum to the
 * face value and the SETTLED ones to `settled`, the warrant is SETTLED exactly when fully paid; each
 * credit line's outstanding is what its warrants still owe, never above its limit. Throws
 * STORE_CORRUPTED naming the first disagreement.
 */
export function verifyWarrants(records: WarrantRecords): void {
  const { lines, warrants, pieces } = records;
  const reached = new Set<string>();
  const owed = new Map<string, { outstanding: bigint; warrants: number }>();
  for (const [id, w] of warrants) {
    const where = { warrant: id };
    const root = pieces.get(id);
    if (!root) throw corrupted(`warrant ${id} has no first piece`, where);
    if (root.parentId !== "" || root.depth !== 0) throw corrupted(`the first piece of warrant ${id} has a parent`, where);
    let live = 0n;
    let settled = 0n;
    let writtenOff = 0n;
    // iterative walk: trees may be deep and wide
    const stack: Piece[] = [root];
    while (stack.length > 0) {
      const p = stack.pop()!;
      const at = { ...where, piece: p.id };
      if (reached.has(p.id)) throw corrupted(`piece ${p.id} is reached twice in the tree of warrant ${id}`, at);
      reached.add(p.id);
      if (p.warrantId !== id) throw corrupted(`piece ${p.id} in the tree of warrant ${id} names warrant ${p.warrantId}`, at);
      if (p.amount <= 0n) throw corrupted(`piece ${p.id} has amount ${p.amount}`, at);
      if (p.status !== "SPENT") {
        if (!isLiveLeaf(p.status)) throw corrupted(`piece ${p.id} has status ${String(p.status)}`, at);
        if (p.children.length > 0) throw corrupted(`${p.status} piece ${p.id} has children`, at);
        live += p.amount;
        if (p.status === "SETTLED") settled += p.amount;
        if (p.status === "DEFAULTED") {
          if (p.writtenOff !== p.amount) throw corrupted(`DEFAULTED piece ${p.id} of ${p.amount} has ${p.writtenOff} written off`, at);
          writtenOff += p.amount;
        } else if (p.writtenOff !== 0n) throw corrupted(`${p.status} piece ${p.id} has ${p.writtenOff} written off`, at);
        continue;
      }
      if (p.children.length === 0) throw corrupted(`spent piece ${p.id} has no children`, at);
      let sum = 0n;
      for (const childId of p.children) {
        const c = pieces.get(childId);
        if (!c) throw corrupted(`piece ${p.id} names missing child ${childId}`, at);
        if (c.parentId !== p.id || c.depth !== p.depth + 1) throw corrupted(`piece ${childId} is a child of ${p.id} but names parent ${c.parentId} at depth ${c.depth}`, at);
        sum += c.amount;
        stack.push(c);
      }
      if (sum !== p.amount) throw corrupted(`spent piece ${p.id} of ${p.amount} has children summing to ${sum}`, at);
    }
    if (live !== w.amount) throw corrupted(`warrant ${id}: its live pieces sum to ${live}, its face value is ${w.amount}`, where);
    if (settled !== w.settled) throw corrupted(`warrant ${id}: settled ${w.settled}, its paid pieces sum to ${settled}`, where);
    if (writtenOff !== w.writtenOff) throw corrupted(`warrant ${id}: written off ${w.writtenOff}, its DEFAULTED pieces sum to ${writtenOff}`, where);
    const status = w.writtenOff > 0n ? "DEFAULTED" : w.settled === w.amount ? "SETTLED" : "ISSUED";
    if (w.status !== status) throw corrupted(`warrant ${id} is ${w.status} with ${w.settled} of ${w.amount} paid and ${w.writtenOff} written off`, where);
    if (!lines.has(w.lineId)) throw corrupted(`warrant ${id} names missing credit line ${w.lineId}`, where);
    const o = owed.get(w.lineId) ?? { outstanding: 0n, warrants: 0 };
    owed.set(w.lineId, { outstanding: o.outstanding + w.amount - w.settled, warrants: o.warrants + 1 });
  }
  if (reached.size !== pieces.size) {
    const stray = [...pieces.keys()].find((id) => !reached.has(id))!;
    throw corrupted(`piece ${stray} is in no warrant's tree`, { piece: stray });
  }
  for (const [id, line] of lines) {
    const o = owed.get(id) ?? { outstanding: 0n, warrants: 0 };
    const where = { creditLine: id };
    if (line.outstanding > line.limit) throw corrupted(`credit line ${id}: outstanding ${line.outstanding} above its limit ${line.limit}`, where);
    if (line.outstanding !== o.outstanding) throw corrupted(`credit line ${id}: outstanding ${line.outstanding}, its warrants still owe ${o.outstanding}`, where);
    if (line.warrants !== o.warrants) throw corrupted(`credit line ${id} counts ${line.warrants} warrants, ${o.warrants} name it`, where);
  }
}

/**
 * The lot (o/), title (t/), live-title fingerprint (u/) and party (p/) records of the state
 * (node/ledger/state.ts KEY), decoded: what the lot invariant of DESIGN.md §8 is checked over.
 */
export class TitleRecords {
  readonly lots = new Map<string, Lot>();
  readonly titles = new Map<string, Title>();
  /** fingerprint hex -> the title id its u/ entry names */
  readonly liveFingerprints = new Map<string, string>();
  /** party id -> role */
  readonly roles = new Map<string, Role>();

  /** Takes the record if it is one of the four kinds and returns it decoded; others are ignored. */
  add(stateKey: string, value: Uint8Array): Lot | Title | string | Party | undefined {
    const kind = stateKey.slice(0, 2);
    const id = stateKey.slice(2);
    const decodeAs = <T>(f: (b: Uint8Array) => T): T => {
      try {
        return f(value);
      } catch (err) {
        throw corrupted(`state record ${stateKey} does not decode`, { key: stateKey }, err);
      }
    };
    switch (kind) {
      case "o/": {
        const lot = decodeAs(decodeLot);
        if (lot.id !== id) throw corrupted(`state record ${stateKey} holds ${lot.id}`, { key: stateKey });
        this.lots.set(id, lot);
        return lot;
      }
      case "t/": {
        const title = decodeAs(decodeTitle);
        if (title.id !== id) throw corrupted(`state record ${stateKey} holds ${title.id}`, { key: stateKey });
        this.titles.set(id, title);
        return title;
      }
      case "u/": {
        const titleId = decodeAs(utf8Text);
        this.liveFingerprints.set(id, titleId);
        return titleId;
      }
      case "p/": {
        const party = decodeAs((b) => decode<Party>("Party", b));
        this.roles.set(party.id, party.role);
        return party;
      }
    }
    return undefined;
  }
}

/**
 * The lot invariant of DESIGN.md §8 (docs/titles.md) over the records: every title's lot exists and
 * is its custodian's; for every lot, Σ quantity of its live (not SURRENDERED) titles = lot.titled ≤
 * lot.quantity, and it counts every title issued on it; a title's status agrees with its pledge
 * (none while HELD or SURRENDERED; offered — not accepted — while PLEDGE_OFFERED; accepted while
 * PLEDGED) and a pledge names a registered BANK; the live-title fingerprint entries (u/) name exactly
 * the live titles, each under its own fingerprint. Throws STORE_CORRUPTED naming the first disagreement.
 */
export function verifyTitles(records: TitleRecords): void {
  const { lots, titles, liveFingerprints, roles } = records;
  const live = new Map<string, bigint>();
  const issued = new Map<string, number>();
  const holding = new Map<string, string>();
  for (const [id, t] of titles) {
    const where = { title: id, lot: t.lotId };
    const lot = lots.get(t.lotId);
    if (!lot) throw corrupted(`title ${id} names missing lot ${t.lotId}`, where);
    if (lot.custodianId !== t.custodianId) throw corrupted(`title ${id} was issued by ${t.custodianId}, its lot ${t.lotId} is ${lot.custodianId}'s`, where);
    if (t.quantity <= 0n) throw corrupted(`title ${id} has quantity ${t.quantity}`, where);
    issued.set(t.lotId, (issued.get(t.lotId) ?? 0) + 1);
    const p = t.pledge;
    switch (t.status) {
      case "HELD":
      case "SURRENDERED":
        if (p) throw corrupted(`${t.status} title ${id} has a pledge to ${p.bankId}`, where);
        break;
      case "PLEDGE_OFFERED":
      case "PLEDGED":
        if (!p) throw corrupted(`${t.status} title ${id} has no pledge`, where);
        if ((t.status === "PLEDGED") !== p.acceptedAt > 0n) throw corrupted(`${t.status} title ${id} has a pledge ${p.acceptedAt > 0n ? "accepted" : "not accepted"}`, where);
        if (roles.get(p.bankId) !== "BANK") throw corrupted(`title ${id} is ${t.status} to ${p.bankId}, which is not a registered BANK`, where);
        break;
      default:
        throw corrupted(`title ${id} has status ${String(t.status)}`, where);
    }
    if (t.status === "SURRENDERED") continue;
    live.set(t.lotId, (live.get(t.lotId) ?? 0n) + t.quantity);
    const fp = toHex(t.fingerprint);
    const other = holding.get(fp);
    if (other !== undefined) throw corrupted(`live titles ${other} and ${id} carry one fingerprint ${fp}`, where);
    holding.set(fp, id);
    if (liveFingerprints.get(fp) !== id) throw corrupted(`live title ${id} does not hold its fingerprint ${fp} (u/ names ${liveFingerprints.get(fp) ?? "nothing"})`, where);
  }
  for (const [fp, id] of liveFingerprints) {
    if (holding.get(fp) !== id) throw corrupted(`fingerprint entry u/${fp} names ${id}, which is not a live title carrying it`, { fingerprint: fp, title: id });
  }
  for (const [id, lot] of lots) {
    const where = { lot: id };
    const sum = live.get(id) ?? 0n;
    if (sum !== lot.titled) throw corrupted(`lot ${id}: its live titles sum to ${sum}, it records ${lot.titled} titled`, where);
    if (lot.titled > lot.quantity) throw corrupted(`lot ${id}: ${lot.titled} under live titles, above the ${lot.quantity} attested`, where);
    const n = issued.get(id) ?? 0;
    if (lot.titles !== n) throw corrupted(`lot ${id} counts ${lot.titles} titles, ${n} name it`, where);
  }
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

/** State keys of node/ledger/aggregates.ts: books (g/, gb/, ge/, go/, gd/) and credit facts (i/). */
function isAggregateKey(key: string): boolean {
  return /^(?:g|gb|ge|go|gd|i)\//.test(key);
}
