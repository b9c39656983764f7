// The read indexes of DESIGN.md §2. Each is a bucket of keys whose values are empty: an entry
// names a position in a block (height, tx index, event index) or a receivable id, and readers
// resolve it against the block or the state, so an index can never disagree with the data it
// points at about anything but membership. Entries are derived in one place (indexOps), from
// the block's transactions, receipts and net state changes, and written in the block's batch.
import { fromHex, isHex, toHex } from "../../sdk/bytes.js";
import type { Tx } from "../../sdk/tx.js";
import type { Lot, Piece, Receipt, ReceivableStatus, ResultCode, Title } from "../../sdk/types.js";
import type { StateReader, WriteSet } from "../ledger/state.js";
import { MAX_PAGE_LIMIT, WARRANT_OBJECT_KINDS, type DateRange, type ObjectKind, type Page, type PageRequest } from "../query/types.js";
import { decodeLot, decodePiece, decodeTitle } from "../ledger/records.js";
import { Bucket } from "./buckets.js";
import { KeyReader, key, prefixEnd, type KeyWriter } from "./encoding.js";
import { StoreError, corrupted } from "./errors.js";
import type { Db } from "./db.js";
import { receivableIndexFields, type ReceivableIndexFields } from "./receivable-fields.js";
import { formatOf } from "../../sdk/transactions/index.js";
import { historyEntriesOfTx, REJECTED_ATTEMPT, type HistoryKind } from "../../sdk/history-chain.js";

/** Event index of a history entry that records a rejected attempt rather than an event (sdk/history-chain.ts). */
export { REJECTED_ATTEMPT };
export const DEFAULT_PAGE_LIMIT = 50;
export { MAX_PAGE_LIMIT };

/** Receipt codes given before the signature is checked: the claimed signer is not authenticated. */
const UNAUTHENTICATED: ReadonlySet<ResultCode> = new Set(["WRONG_CHAIN", "UNKNOWN_SIGNER", "BAD_SIGNATURE", "KEY_RETIRED"]);
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const indexKeys = {
  history: (id: string) => key(Bucket.idxReceivableHistory).str(id),
  exporter: (id: string) => key(Bucket.idxExporter).str(id),
  bank: (id: string) => key(Bucket.idxBankFinancing).str(id),
  status: (status: string) => key(Bucket.idxStatus).str(status),
  dueDate: () => key(Bucket.idxDueDate),
  outstandingDueDate: () => key(Bucket.idxOutstandingDueDate),
  document: (hash: Uint8Array) => key(Bucket.idxDocument).bytes(hash),
  fingerprint: (fp: Uint8Array) => key(Bucket.idxFingerprint).bytes(fp),
  rejection: () => key(Bucket.idxRejection),
  rejectionByCode: (code: string) => key(Bucket.idxRejectionByCode).str(code),
  rejectionBySigner: (signer: string) => key(Bucket.idxRejectionBySigner).str(signer),
  financials: (partyId: string) => key(Bucket.idxFinancials).str(partyId),
};

/** The digital-warrant indexes (DESIGN.md §7; layouts in buckets.ts). */
export const warrantIndexKeys = {
  history: (kind: ObjectKind, id: string) => key(HISTORY_BUCKET[kind]).str(id),
  pieceHolder: (holderId: string) => key(Bucket.idxPieceHolder).str(holderId),
  warrantObligor: (obligorId: string) => key(Bucket.idxWarrantObligor).str(obligorId),
  warrantLine: (lineId: string) => key(Bucket.idxWarrantLine).str(lineId),
  lineBank: (bankId: string) => key(Bucket.idxLineBank).str(bankId),
  lineObligor: (obligorId: string) => key(Bucket.idxLineObligor).str(obligorId),
  pieceBank: (bankId: string) => key(Bucket.idxPieceBank).str(bankId),
};

const HISTORY_BUCKET: { readonly [K in ObjectKind]: Bucket } = {
  piece: Bucket.idxPieceHistory,
  warrant: Bucket.idxWarrantHistory,
  line: Bucket.idxLineHistory,
  title: Bucket.idxTitleHistory,
  lot: Bucket.idxLotHistory,
};

/** The supervision alert indexes (DESIGN.md §11; layouts in buckets.ts). */
export const alertIndexKeys = {
  all: () => key(Bucket.idxAlert),
  byRule: (ruleId: string) => key(Bucket.idxAlertByRule).str(ruleId),
  byParty: (partyId: string) => key(Bucket.idxAlertByParty).str(partyId),
};

/** The buckets alertBlockIndexKeys fills (for the integrity check: a block's entries are alertBlockIndexKeys of it). */
export const ALERT_INDEX_BUCKETS: readonly Bucket[] = [Bucket.idxAlert, Bucket.idxAlertByRule, Bucket.idxAlertByParty];

/**
 * The append-only alert entries a block adds: every alert in its receipts (on accepted and rejected
 * transactions alike), by position, by rule and by each party it names.
 */
export function alertBlockIndexKeys(h: bigint, receipts: readonly Receipt[]): Uint8Array[] {
  const puts: Uint8Array[] = [];
  for (let i = 0; i < receipts.length; i++) {
    const alerts = receipts[i]!.alerts;
    if (!alerts) continue;
    for (let a = 0; a < alerts.length; a++) {
      const alert = alerts[a]!;
      puts.push(alertIndexKeys.all().u64(h).u32(i).u16(a).done());
      puts.push(alertIndexKeys.byRule(alert.ruleId).u64(h).u32(i).u16(a).done());
      for (const p of new Set(alert.parties)) puts.push(alertIndexKeys.byParty(p).u64(h).u32(i).u16(a).done());
    }
  }
  return puts;
}

/** The title-document indexes (DESIGN.md §8; layouts in buckets.ts). */
export const titleIndexKeys = {
  history: (kind: "title" | "lot", id: string) => key(HISTORY_BUCKET[kind]).str(id),
  titleHolder: (holderId: string) => key(Bucket.idxTitleHolder).str(holderId),
  lotTitle: (lotId: string) => key(Bucket.idxLotTitle).str(lotId),
  lotCustodian: (custodianId: string) => key(Bucket.idxLotCustodian).str(custodianId),
  titleBank: (bankId: string) => key(Bucket.idxTitleBank).str(bankId),
};

/**
 * The buckets titleBlockIndexKeys, titleRecordIndexKeys and lotIndexKeys fill (for an integrity
 * check: a block's entries are titleBlockIndexKeys of it, a title's titleRecordIndexKeys, a lot's
 * lotIndexKeys).
 */
export const TITLE_INDEX_BUCKETS: readonly Bucket[] = [Bucket.idxTitleHistory, Bucket.idxLotHistory, Bucket.idxTitleHolder, Bucket.idxLotTitle, Bucket.idxLotCustodian, Bucket.idxTitleBank];

/**
 * The buckets warrantBlockIndexKeys and pieceIndexKeys fill (for an integrity check: the entries
 * of a block are warrantBlockIndexKeys of it, those of a piece record pieceIndexKeys of it).
 */
export const WARRANT_INDEX_BUCKETS: readonly Bucket[] = [
  Bucket.idxPieceHistory,
  Bucket.idxWarrantHistory,
  Bucket.idxLineHistory,
  Bucket.idxPieceHolder,
  Bucket.idxWarrantObligor,
  Bucket.idxWarrantLine,
  Bucket.idxLineBank,
  Bucket.idxLineObligor,
  Bucket.idxPieceBank,
];

export interface IndexOps {
  puts: Uint8Array[];
  dels: Uint8Array[];
}

export interface IndexInput {
  height: bigint;
  txs: readonly Tx[];
  receipts: readonly Receipt[];
  /** state before the block */
  before: StateReader;
  /** the block's net state changes */
  writes: WriteSet;
}

/** Every index entry a block adds or removes. Pure: replaying a block yields the same ops. */
export function indexOps(input: IndexInput): IndexOps {
  const puts = blockIndexKeys(input.height, input.txs, input.receipts);
  puts.push(...warrantBlockIndexKeys(input.height, input.txs, input.receipts));
  puts.push(...titleBlockIndexKeys(input.height, input.txs, input.receipts));
  puts.push(...alertBlockIndexKeys(input.height, input.receipts));
  const dels: Uint8Array[] = [];
  // Current-state indexes, from the receivables, warrant pieces, titles and lots the block changed.
  for (const [k, value] of input.writes) {
    const entries = STATE_ENTRIES[k.slice(0, 2)];
    if (!entries) continue;
    const id = k.slice(2);
    const beforeBytes = input.before.get(k);
    const was = beforeBytes ? entries(id, beforeBytes, k) : [];
    const is = value ? entries(id, value, k) : [];
    for (const w of was) if (!is.some((x) => Buffer.compare(x, w) === 0)) dels.push(w);
    for (const x of is) if (!was.some((w) => Buffer.compare(x, w) === 0)) puts.push(x);
  }
  return { puts, dels };
}

/** One entry of one object's history that a block adds: an event naming it, or a rejected attempt aimed at it. */
export interface HistoryEntryRef {
  kind: HistoryKind;
  id: string;
  index: number;
  /** the event's index in its receipt, or REJECTED_ATTEMPT */
  event: number;
}

/**
 * Every history entry a block adds, in chain order (tx index, then event index), by the one rule for
 * which object's history an event or a rejected attempt belongs to (sdk/history-chain.ts
 * historyEntriesOfTx, which the SDK's verifiers check entries with). The history indexes below and
 * the history chains in the state (node/chain/chain.ts) are both built from it, so a history read
 * from the indexes is exactly what the certified chain counts.
 */
export function historyEntriesOfBlock(txs: readonly Tx[], receipts: readonly Receipt[]): HistoryEntryRef[] {
  const out: HistoryEntryRef[] = [];
  for (let i = 0; i < txs.length; i++) for (const e of historyEntriesOfTx(txs[i]!.body.payload, receipts[i]!)) out.push({ ...e, index: i });
  return out;
}

/** The append-only entries a block's transactions and receipts add (history, parties, documents, rejections). */
export function blockIndexKeys(h: bigint, txs: readonly Tx[], receipts: readonly Receipt[]): Uint8Array[] {
  const puts: Uint8Array[] = [];
  for (let i = 0; i < txs.length; i++) {
    const tx = txs[i]!;
    const r = receipts[i]!;
    const p = tx.body.payload;
    if (r.code === "OK") {
      for (let e = 0; e < r.events.length; e++) {
        const ev = r.events[e]!;
        if (ev.type === "receivableRegistered") puts.push(indexKeys.exporter(ev.exporterId).u64(h).u32(i).done());
        if (ev.type === "receivableFinanced") puts.push(indexKeys.bank(ev.bankId).u64(h).u32(i).done());
        if (ev.type === "financialsAttested") puts.push(indexKeys.financials(ev.partyId).u64(h).u32(i).done());
      }
    } else {
      puts.push(indexKeys.rejection().u64(h).u32(i).done());
      puts.push(indexKeys.rejectionByCode(r.code).u64(h).u32(i).done());
      puts.push(indexKeys.rejectionBySigner(tx.body.signer).u64(h).u32(i).done());
    }
    // Documents and fingerprints: every authenticated transaction that carried one, whatever its
    // outcome (a rejected duplicate is the evidence an auditor looks for).
    if (p && !UNAUTHENTICATED.has(r.code)) {
      const carried = carriedBy(p);
      for (const fp of carried.fingerprints) if (fp instanceof Uint8Array && fp.length === 32) puts.push(indexKeys.fingerprint(fp).u64(h).u32(i).done());
      for (const doc of carried.documents) if (doc instanceof Uint8Array && doc.length === 32) puts.push(indexKeys.document(doc).u64(h).u32(i).done());
    }
  }
  for (const e of historyEntriesOfBlock(txs, receipts)) if (e.kind === "receivable") puts.push(indexKeys.history(e.id).u64(h).u32(e.index).u16(e.event).done());
  return puts;
}

const receivableEntries = (id: string, bytes: Uint8Array, k: string) => receivableIndexKeys(id, receivableIndexFields(bytes, k));
const pieceEntries = (id: string, bytes: Uint8Array, k: string) => pieceIndexKeys(id, decodeOrCorrupted(decodePiece, bytes, k, "Piece"));
const titleEntries = (id: string, bytes: Uint8Array, k: string) => titleRecordIndexKeys(id, decodeOrCorrupted(decodeTitle, bytes, k, "Title"));
const lotEntries = (id: string, bytes: Uint8Array, k: string) => lotIndexKeys(id, decodeOrCorrupted(decodeLot, bytes, k, "Lot"));

/** The current-state index entries of a state record, by its key prefix (node/ledger/state.ts KEY). */
const STATE_ENTRIES: Readonly<Record<string, (id: string, bytes: Uint8Array, k: string) => Uint8Array[]>> = {
  "r/": receivableEntries,
  "q/": pieceEntries,
  "t/": titleEntries,
  "o/": lotEntries,
};

function decodeOrCorrupted<T>(decode: (b: Uint8Array) => T, bytes: Uint8Array, k: string, what: string): T {
  try {
    return decode(bytes);
  } catch (err) {
    throw corrupted(`${k} is not a well-formed ${what}`, {}, err);
  }
}

/**
 * The append-only warrant entries a block adds: the history of every piece, warrant and credit line
 * an event names (its pieceId, warrantId, lineId), and of those a rejected transaction aimed at
 * (its receipt target and the ids its payload names); warrants by obligor and by line, credit lines
 * by bank and by obligor.
 */
export function warrantBlockIndexKeys(h: bigint, txs: readonly Tx[], receipts: readonly Receipt[]): Uint8Array[] {
  const puts: Uint8Array[] = [];
  const k = warrantIndexKeys;
  for (let i = 0; i < txs.length; i++) {
    const r = receipts[i]!;
    if (r.code === "OK") {
      for (let e = 0; e < r.events.length; e++) {
        const ev = r.events[e]!;
        if (ev.type === "warrantIssued") {
          puts.push(k.warrantObligor(ev.obligorId).u64(h).u32(i).str(ev.warrantId).done());
          puts.push(k.warrantLine(ev.lineId).u64(h).u32(i).str(ev.warrantId).done());
        } else if (ev.type === "creditLineGranted") {
          puts.push(k.lineBank(ev.bankId).u64(h).u32(i).str(ev.lineId).done());
          puts.push(k.lineObligor(ev.obligorId).u64(h).u32(i).str(ev.lineId).done());
        }
      }
    }
  }
  for (const e of historyEntriesOfBlock(txs, receipts)) {
    if (e.kind !== "receivable" && WARRANT_OBJECT_KINDS.has(e.kind)) puts.push(k.history(e.kind, e.id).u64(h).u32(e.index).u16(e.event).done());
  }
  return puts;
}

/**
 * The append-only title entries a block adds: the history of every title and lot an event names
 * (its titleId, lotId: an issue or a surrender is in both histories), and of those a rejected
 * transaction aimed at (its receipt target — a DUPLICATE_TITLE attempt is filed under the live title
 * it collided with — and the titleId / lotId its payload names); titles by lot, in issue order.
 */
export function titleBlockIndexKeys(h: bigint, txs: readonly Tx[], receipts: readonly Receipt[]): Uint8Array[] {
  const puts: Uint8Array[] = [];
  const k = titleIndexKeys;
  for (let i = 0; i < txs.length; i++) {
    const r = receipts[i]!;
    if (r.code === "OK") {
      for (let e = 0; e < r.events.length; e++) {
        const ev = r.events[e]!;
        if (ev.type === "titleIssued") puts.push(k.lotTitle(ev.lotId).u64(h).u32(i).str(ev.titleId).done());
      }
    }
  }
  for (const e of historyEntriesOfBlock(txs, receipts)) if (e.kind === "title" || e.kind === "lot") puts.push(k.history(e.kind, e.id).u64(h).u32(e.index).u16(e.event).done());
  return puts;
}

/**
 * The current-state entries of one title: its holder while it is live (not SURRENDERED), and the
 * bank its current pledge names (offered or accepted).
 */
export function titleRecordIndexKeys(id: string, t: Pick<Title, "holderId" | "lotId" | "status" | "pledge">): Uint8Array[] {
  const keys: Uint8Array[] = [];
  if (t.status !== "SURRENDERED") keys.push(titleIndexKeys.titleHolder(t.holderId).str(t.lotId).str(id).done());
  if (t.pledge) keys.push(titleIndexKeys.titleBank(t.pledge.bankId).str(t.lotId).str(id).done());
  return keys;
}

/** The current-state entry of one lot: its custodian. */
export function lotIndexKeys(id: string, lot: Pick<Lot, "custodianId">): Uint8Array[] {
  return [titleIndexKeys.lotCustodian(lot.custodianId).str(id).done()];
}

/** The current-state entries of one warrant piece: its holder while it is a live leaf, and the bank that financed it. */
export function pieceIndexKeys(id: string, p: Pick<Piece, "holderId" | "warrantId" | "status" | "financedBy">): Uint8Array[] {
  const keys: Uint8Array[] = [];
  if (p.status !== "SPENT") keys.push(warrantIndexKeys.pieceHolder(p.holderId).str(p.warrantId).str(id).done());
  if (p.financedBy) keys.push(warrantIndexKeys.pieceBank(p.financedBy).str(id).done());
  return keys;
}

/** The current-state entries of one receivable: its status, its due date, and (if financing is outstanding) the overdue watch. */
export function receivableIndexKeys(id: string, r: ReceivableIndexFields): Uint8Array[] {
  const keys = [indexKeys.status(r.status).u64(r.registeredAt).str(id).done(), indexKeys.dueDate().str(r.dueDate).str(id).done()];
  if (r.outstanding) keys.push(indexKeys.outstandingDueDate().str(r.dueDate).str(id).done());
  return keys;
}

/** Document hashes and fingerprints a transaction carries (its type's format says which); none for a payload too broken to say. */
function carriedBy(p: Tx["body"]["payload"]): { documents: readonly unknown[]; fingerprints: readonly unknown[] } {
  try {
    return formatOf(p.type)?.carries(p) ?? { documents: [], fingerprints: [] };
  } catch {
    return { documents: [], fingerprints: [] };
  }
}

// ---- queries (paging types are the query model's, node/query/types.ts) ----------------------------

/** A transaction's position in the chain. */
export interface TxRef {
  height: bigint;
  index: number;
}

/** A history entry's position: an event of an accepted transaction, or a rejected attempt. */
export interface HistoryRef extends TxRef {
  /** the event's index in the receipt; null for a rejected attempt */
  event: number | null;
}

export interface ReceivableRef {
  receivableId: string;
}

export interface StatusRef extends ReceivableRef {
  registeredAt: bigint;
}

export interface DueRef extends ReceivableRef {
  dueDate: string;
}

/** An alert's position: the transaction whose receipt holds it, and its index there. */
export interface AlertRef extends TxRef {
  alert: number;
}

export interface PieceRef {
  warrantId: string;
  pieceId: string;
}

export interface TitleRef {
  lotId: string;
  titleId: string;
}

/** An object created at a position in the chain (a warrant, a credit line). */
export interface IdRef extends TxRef {
  id: string;
}

export class IndexRepository {
  constructor(private readonly db: Db) {}

  history(receivableId: string, page: PageRequest = {}): Promise<Page<HistoryRef>> {
    return this.scan(indexKeys.history(receivableId), page, (r) => {
      const height = r.u64();
      const index = r.u32();
      const e = r.u16();
      return { height, index, event: e === REJECTED_ATTEMPT ? null : e };
    });
  }

  /** Registrations by an exporter, oldest first. */
  exporterReceivables(exporterId: string, page: PageRequest = {}): Promise<Page<TxRef>> {
    return this.scan(indexKeys.exporter(exporterId), page, txRef);
  }

  /** Finance transactions of a bank, oldest first. */
  bankFinancings(bankId: string, page: PageRequest = {}): Promise<Page<TxRef>> {
    return this.scan(indexKeys.bank(bankId), page, txRef);
  }

  /** Receivables in a status, by registration time. */
  byStatus(status: ReceivableStatus, page: PageRequest = {}): Promise<Page<StatusRef>> {
    return this.scan(indexKeys.status(status), page, (r) => {
      const registeredAt = r.u64();
      return { registeredAt, receivableId: r.str() };
    });
  }

  /** Every receivable whose due date is in range, by due date. */
  byDueDate(range: DateRange, page: PageRequest = {}): Promise<Page<DueRef>> {
    return this.scanDates(Bucket.idxDueDate, range, page);
  }

  /**
   * Receivables with financing outstanding whose due date is in range. Overdue at day D:
   * `{ before: D }` (the ledger refuses financing after the due date: node/ledger/records.ts).
   */
  outstandingByDueDate(range: DateRange, page: PageRequest = {}): Promise<Page<DueRef>> {
    return this.scanDates(Bucket.idxOutstandingDueDate, range, page);
  }

  /** Transactions that carried a document hash (registrations, attestations, anchors). */
  byDocument(documentHash: Uint8Array, page: PageRequest = {}): Promise<Page<TxRef>> {
    return this.scan(indexKeys.document(checkHash(documentHash)), page, txRef);
  }

  /** Registrations that carried an invoice fingerprint, accepted or rejected. */
  byFingerprint(fingerprint: Uint8Array, page: PageRequest = {}): Promise<Page<TxRef>> {
    return this.scan(indexKeys.fingerprint(checkHash(fingerprint)), page, txRef);
  }

  /** Rejected transactions, optionally of one code or one (claimed) signer, oldest first. */
  rejections(filter: { code?: ResultCode; signer?: string } = {}, page: PageRequest = {}): Promise<Page<TxRef>> {
    if (filter.code && filter.signer) throw new StoreError("STORE_BAD_REQUEST", "filter rejections by code or by signer, not both");
    const prefix = filter.code ? indexKeys.rejectionByCode(filter.code) : filter.signer ? indexKeys.rejectionBySigner(filter.signer) : indexKeys.rejection();
    return this.scan(prefix, page, txRef);
  }

  // ---- supervision ----

  /**
   * Alerts, oldest first: all, of one rule, or naming one party (one of rule and party), optionally
   * within heights [fromHeight, toHeight].
   */
  alerts(filter: { ruleId?: string; partyId?: string; fromHeight?: bigint; toHeight?: bigint } = {}, page: PageRequest = {}): Promise<Page<AlertRef>> {
    if (filter.ruleId !== undefined && filter.partyId !== undefined) throw new StoreError("STORE_BAD_REQUEST", "filter alerts by rule or by party, not both");
    const prefix = () => (filter.ruleId !== undefined ? alertIndexKeys.byRule(filter.ruleId) : filter.partyId !== undefined ? alertIndexKeys.byParty(filter.partyId) : alertIndexKeys.all());
    const lower = filter.fromHeight !== undefined ? prefix().u64(filter.fromHeight).done() : undefined;
    const upper = filter.toHeight !== undefined && filter.toHeight < (1n << 64n) - 1n ? prefix().u64(filter.toHeight + 1n).done() : undefined;
    return this.scan(
      prefix(),
      page,
      (r) => {
        const height = r.u64();
        const index = r.u32();
        return { height, index, alert: r.u16() };
      },
      lower,
      upper,
    );
  }

  // ---- before, during and after lending ----

  /** Attestations of a party's financials, oldest first. */
  financials(partyId: string, page: PageRequest = {}): Promise<Page<TxRef>> {
    return this.scan(indexKeys.financials(partyId), page, txRef);
  }

  /** How many transactions signed by `signer` the ledger rejected (a count of its rejection index entries). */
  async rejectionCount(signer: string): Promise<number> {
    const prefix = indexKeys.rejectionBySigner(signer).done();
    const end = prefixEnd(prefix);
    let n = 0;
    for await (const _ of this.db.keys(end ? { gte: prefix, lt: end } : { gte: prefix })) n++;
    return n;
  }

  // ---- digital warrants ----

  /** Every event naming a piece, warrant or credit line, and every rejected attempt aimed at it, oldest first. */
  objectHistory(kind: ObjectKind, id: string, page: PageRequest = {}): Promise<Page<HistoryRef>> {
    return this.scan(warrantIndexKeys.history(kind, id), page, (r) => {
      const height = r.u64();
      const index = r.u32();
      const e = r.u16();
      return { height, index, event: e === REJECTED_ATTEMPT ? null : e };
    });
  }

  /** Live leaves (not SPENT) a party holds now, by warrant id then piece id; optionally of one warrant only. */
  piecesByHolder(holderId: string, page: PageRequest = {}, warrantId?: string): Promise<Page<PieceRef>> {
    const prefix = warrantIndexKeys.pieceHolder(holderId);
    if (warrantId !== undefined) prefix.str(warrantId);
    return this.scan(prefix, page, (r) => {
      if (warrantId !== undefined) return { warrantId, pieceId: r.str() };
      const w = r.str();
      return { warrantId: w, pieceId: r.str() };
    });
  }

  /** Pieces a bank financed (or bought from another bank), by piece id. */
  piecesByBank(bankId: string, page: PageRequest = {}): Promise<Page<{ pieceId: string }>> {
    return this.scan(warrantIndexKeys.pieceBank(bankId), page, (r) => ({ pieceId: r.str() }));
  }

  /** Warrants an obligor issued, oldest first. */
  warrantsByObligor(obligorId: string, page: PageRequest = {}): Promise<Page<IdRef>> {
    return this.scan(warrantIndexKeys.warrantObligor(obligorId), page, idRef);
  }

  /** Warrants issued on a credit line, oldest first. */
  warrantsByLine(lineId: string, page: PageRequest = {}): Promise<Page<IdRef>> {
    return this.scan(warrantIndexKeys.warrantLine(lineId), page, idRef);
  }

  /** Credit lines a bank granted, oldest first. */
  linesByBank(bankId: string, page: PageRequest = {}): Promise<Page<IdRef>> {
    return this.scan(warrantIndexKeys.lineBank(bankId), page, idRef);
  }

  /** Credit lines granted to an obligor, oldest first. */
  linesByObligor(obligorId: string, page: PageRequest = {}): Promise<Page<IdRef>> {
    return this.scan(warrantIndexKeys.lineObligor(obligorId), page, idRef);
  }

  // ---- title documents and pledges ----

  /** Live titles a party holds now, by lot id then title id; optionally on one lot only. */
  titlesByHolder(holderId: string, page: PageRequest = {}, lotId?: string): Promise<Page<TitleRef>> {
    return this.scanTitles(titleIndexKeys.titleHolder(holderId), page, lotId);
  }

  /** Titles offered or pledged to a bank now, by lot id then title id; optionally on one lot only. */
  titlesByBank(bankId: string, page: PageRequest = {}, lotId?: string): Promise<Page<TitleRef>> {
    return this.scanTitles(titleIndexKeys.titleBank(bankId), page, lotId);
  }

  /** Titles issued on a lot, in issue order (the id is the title's). */
  titlesOfLot(lotId: string, page: PageRequest = {}): Promise<Page<IdRef>> {
    return this.scan(titleIndexKeys.lotTitle(lotId), page, idRef);
  }

  /** Lots a custodian attests, by lot id. */
  lotsByCustodian(custodianId: string, page: PageRequest = {}): Promise<Page<{ lotId: string }>> {
    return this.scan(titleIndexKeys.lotCustodian(custodianId), page, (r) => ({ lotId: r.str() }));
  }

  private scanTitles(prefix: KeyWriter, page: PageRequest, lotId: string | undefined): Promise<Page<TitleRef>> {
    if (lotId !== undefined) prefix.str(lotId);
    return this.scan(prefix, page, (r) => {
      if (lotId !== undefined) return { lotId, titleId: r.str() };
      const lot = r.str();
      return { lotId: lot, titleId: r.str() };
    });
  }

  private scanDates(bucket: Bucket, range: DateRange, page: PageRequest): Promise<Page<DueRef>> {
    for (const d of [range.from, range.before]) {
      if (d !== undefined && !DATE.test(d)) throw new StoreError("STORE_BAD_REQUEST", `expected a YYYY-MM-DD date, got ${JSON.stringify(d)}`);
    }
    const prefix = key(bucket);
    const lower = range.from !== undefined ? key(bucket).str(range.from).done() : undefined;
    const upper = range.before !== undefined ? key(bucket).str(range.before).done() : undefined;
    return this.scan(
      prefix,
      page,
      (r) => {
        const dueDate = r.str();
        return { dueDate, receivableId: r.str() };
      },
      lower,
      upper,
    );
  }

  /**
   * Keys under `prefix` (optionally within [lower, upper)), after the cursor, decoded by `read`
   * from the key's remainder. The cursor is the hex of the last returned key's remainder.
   */
  private async scan<T>(prefixWriter: KeyWriter, page: PageRequest, read: (r: KeyReader) => T, lower?: Uint8Array, upper?: Uint8Array): Promise<Page<T>> {
    const prefix = prefixWriter.done();
    const limit = page.limit ?? DEFAULT_PAGE_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) throw new StoreError("STORE_BAD_REQUEST", `limit must be an integer in [1, ${MAX_PAGE_LIMIT}]`);
    let gte: Uint8Array = lower && Buffer.compare(lower, prefix) > 0 ? lower : prefix;
    let lt: Uint8Array | undefined = prefixEnd(prefix);
    if (upper && (!lt || Buffer.compare(upper, lt) < 0)) lt = upper;
    let gt: Uint8Array | undefined;
    if (page.cursor !== undefined) {
      if (!isHex(page.cursor) || page.cursor.length === 0 || page.cursor.length > 4096) throw new StoreError("STORE_BAD_REQUEST", "malformed cursor");
      const at = Buffer.concat([prefix, fromHex(page.cursor)]);
      if (page.reverse) {
        if (!lt || Buffer.compare(at, lt) < 0) lt = at;
      } else if (Buffer.compare(at, gte) >= 0) {
        gt = at;
      }
    }
    const range: { gt?: Uint8Array; gte?: Uint8Array; lt?: Uint8Array; reverse: boolean; limit: number } = { reverse: page.reverse ?? false, limit: limit + 1 };
    if (gt) range.gt = gt;
    else range.gte = gte;
    if (lt) range.lt = lt;
    const items: T[] = [];
    let last: Uint8Array | undefined;
    let more = false;
    for await (const k of this.db.keys(range)) {
      if (items.length === limit) {
        more = true;
        break;
      }
      try {
        items.push(read(new KeyReader(k, prefix.length)));
      } catch (err) {
        throw corrupted(`index key ${toHex(k)} does not decode`, { bucket: k[0] }, err);
      }
      last = k;
    }
    const out: Page<T> = { items };
    if (more && last) out.cursor = toHex(last.subarray(prefix.length));
    return out;
  }
}

function txRef(r: KeyReader): TxRef {
  const height = r.u64();
  return { height, index: r.u32() };
}

function idRef(r: KeyReader): IdRef {
  const height = r.u64();
  const index = r.u32();
  return { height, index, id: r.str() };
}

function checkHash(h: Uint8Array): Uint8Array {
  if (!(h instanceof Uint8Array) || h.length !== 32) throw new StoreError("STORE_BAD_REQUEST", "expected a 32-byte hash");
  return h;
}
