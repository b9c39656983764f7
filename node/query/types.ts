// The read model's contract (STYLE rule 14): what a reader (the RPC, the CLI's node commands, block
// serving to peers) may ask of the committed chain, and the plain records it answers with. The RPC
// depends on this interface only; node/query/query.ts implements it over the store. Nothing here
// imports node/store, node/ledger or node/chain, so rpc/ can import it without reaching around.
import type { ValidatorProposalRecord, ValidatorSetRecord } from "../ledger/governance.js";
import type { CommitCertificate } from "../../sdk/commit.js";
import type { CertifiedHeaderProof, CheckpointCertificate } from "../../sdk/certified.js";
import type { EpochLink } from "../../sdk/epochs.js";
import type { HistoryKind } from "../../sdk/history-chain.js";
import type { ExposureTally } from "../../sdk/domain.js";
import type { StateMultiproof, StateProof } from "../../sdk/proofs.js";
import type { Tx } from "../../sdk/tx.js";
import { PARTY_ID_RE } from "../../sdk/checks.js";
import type { ObserverRecord } from "../../sdk/types.js";
import type { Alert, BlockHeader, Consent, CreditFacts, CreditLine, SupervisionRule, Declaration, DocumentRecord, Event, Lot, Party, Piece, Receipt, Receivable, ReceivableStatus, ResultCode, Title, Warrant } from "../../sdk/types.js";
import type { BookPart } from "../../sdk/lending.js";
import type { TxType } from "../../sdk/transactions/index.js";

/** The largest page a list read returns (node/store/indexes.ts enforces it). */
export const MAX_PAGE_LIMIT = 1000;

export interface PageRequest {
  /** from a previous page's `cursor`; omit for the first page */
  cursor?: string;
  /** 1..MAX_PAGE_LIMIT, default 50 */
  limit?: number;
  /** newest (or highest key) first */
  reverse?: boolean;
}

export interface Page<T> {
  items: T[];
  /** pass as `cursor` for the next page; absent on the last page */
  cursor?: string;
}

/** Half-open range of "YYYY-MM-DD" dates: from <= date < before. */
export interface DateRange {
  from?: string;
  before?: string;
}

/** The committed head as readers see it. */
export interface ChainHead {
  height: bigint;
  /** hash of the head block (32 zero bytes at height 0) */
  hash: Uint8Array;
  /** time of the head block, ms (the genesis time at height 0) */
  time: bigint;
  stateRoot: Uint8Array;
}

export interface BlockHeaderRecord {
  header: BlockHeader;
  headerBytes: Uint8Array;
  hash: Uint8Array;
}

export interface StoredBlock extends BlockHeaderRecord {
  /** SignedTx bytes exactly as received */
  txs: Uint8Array[];
  receipts: Receipt[];
}

/** A committed transaction with its receipt and the proofs tying both to the block header. */
export interface TxRecord {
  tx: Tx;
  receipt: Receipt;
  receiptBytes: Uint8Array;
  height: bigint;
  index: number;
  header: BlockHeader;
  blockHash: Uint8Array;
  txCount: number;
  /** RFC 6962 audit path of the tx hash under header.txsRoot (sdk/proofs verifyTxInclusion) */
  txProof: Uint8Array[];
  /** RFC 6962 audit path of the encoded receipt under header.receiptsRoot */
  receiptProof: Uint8Array[];
}

/** Where a committed transaction (the copy that took its hash) sits. */
export interface TxLocation {
  height: bigint;
  index: number;
}

/** One line of a receivable's history, or of any list of transactions (rejections, documents). */
export interface TxEntry {
  height: bigint;
  index: number;
  time: bigint;
  txHash: Uint8Array;
  signer: string;
  type: TxType | undefined;
  code: ResultCode;
  message: string;
  target: string;
}

/** Which alerts to list: of one rule or naming one party (not both), within a height range. */
export interface AlertFilter {
  ruleId?: string;
  partyId?: string;
  fromHeight?: bigint;
  toHeight?: bigint;
}

/** An alert with the transaction whose receipt holds it. */
export interface AlertEntry extends TxEntry {
  alert: Alert;
}

export interface HistoryEntry extends TxEntry {
  /** the event this entry records; absent for a rejected attempt */
  event?: Event;
  eventIndex?: number;
}

/** Where an entry stands in its object's history chain (sdk/history-chain.ts): hints for locating a gap. */
export interface HistoryChainPoint {
  height: bigint;
  index: number;
  /** REJECTED_ATTEMPT for a rejected attempt */
  event: number;
  /** 0-based position in the object's history */
  ordinal: number;
  /** the chain head after this entry */
  head: Uint8Array;
}

/** The kinds of state record a reader may ask a proof for, each named by its id. */
export type StateRecordKind = "party" | "receivable" | "piece" | "document" | "declaration" | "fingerprint" | "billOfLading" | "historyChain";

export interface StateProofResult {
  height: bigint;
  stateRoot: Uint8Array;
  /** the state key the proof is about (sdk/proofs verifyStateProof takes it) */
  key: string;
  value: Uint8Array | undefined;
  proof: StateProof;
}

/** An exporter's exposure at a point in time (sdk/domain.ts tallies it) and the attempts it had rejected. */
export interface Exposure extends ExposureTally {
  partyId: string;
  /** the time the tally was taken at (ms) */
  at: bigint;
  rejectedAttempts: { total: number; byCode: Record<string, number> };
}

// ---- objects with a history: digital warrants (DESIGN.md §7), titles and lots (§8) ---------------

/** The objects other than receivables with a history of their own (sdk/history-chain.ts has the rule). */
export { isObjectId, objectsNamed, objectsOfEvent, type ObjectKind } from "../../sdk/history-chain.js";
import type { ObjectKind } from "../../sdk/history-chain.js";
export const WARRANT_OBJECT_KINDS: ReadonlySet<ObjectKind> = new Set(["piece", "warrant", "line"]);
export const TITLE_OBJECT_KINDS: ReadonlySet<ObjectKind> = new Set(["title", "lot"]);

/** A warrant with its whole tree of pieces, root first, parents before children. */
export interface WarrantTree {
  warrant: Warrant;
  pieces: Piece[];
}

/** A piece with its ancestry: the warrant's first piece first, the piece's parent last. */
export interface PieceWithAncestry {
  piece: Piece;
  warrant: Warrant;
  ancestry: Piece[];
}

// ---- title documents and pledges (DESIGN.md §8) ----------------------------------------------

/** One step of a pledge: the transaction that made it, where and when. */
export interface PledgeStep {
  height: bigint;
  index: number;
  time: bigint;
  txHash: Uint8Array;
  signer: string;
}

/**
 * What became of a pledge: OFFERED (open offer), PLEDGED (accepted, not released), RELEASED (accepted,
 * then released by its bank), DECLINED (the offer released by the bank it was offered to), WITHDRAWN
 * (the offer released by the holder). sdk/verify-title.ts has the rule.
 */
export type { PledgeOutcome } from "../../sdk/verify-title.js";
import type { PledgeOutcome } from "../../sdk/verify-title.js";

/** One pledge of a title, from its offer to its release, as the title's history tells it. */
export interface PledgeHistoryEntry {
  bankId: string;
  /** the holder that offered it */
  holderId: string;
  securedAmount: bigint;
  currency: string;
  expiryDate: string;
  outcome: PledgeOutcome;
  offered: PledgeStep;
  accepted?: PledgeStep;
  released?: PledgeStep;
}

/** A title with the lot it was issued on and every pledge it had, oldest first. */
export interface TitleWithPledges {
  title: Title;
  lot: Lot;
  pledges: PledgeHistoryEntry[];
}

// ---- before, during and after lending (DESIGN.md §10-§11, docs/lending.md) ------------------------

/** State records read together at one head, each with its proof against that head's state root. */
export interface ProvenState {
  height: bigint;
  /** the head block's time: the reports' "now" */
  time: bigint;
  stateRoot: Uint8Array;
  items: { key: string; value: Uint8Array | undefined; proof: StateProof }[];
}

/** Many state records proven together by one multiproof (sdk/proofs.ts): what a report reads. */
export interface ProvenRecords {
  height: bigint;
  time: bigint;
  stateRoot: Uint8Array;
  items: { key: string; value: Uint8Array | undefined }[];
  multiproof: StateMultiproof;
}

/**
 * Every read of the committed chain. Reads of state are verified against the state root; list
 * reads page through the store's indexes. Bad paging arguments throw StoreError STORE_BAD_REQUEST
 * (node/errors.ts), a record failing its check STORE_CORRUPTED.
 */
export interface QueryModel {
  readonly chainId: string;
  head(): ChainHead;

  // blocks and transactions
  getHeader(height: bigint): Promise<BlockHeaderRecord | undefined>;
  getBlock(height: bigint): Promise<StoredBlock | undefined>;
  getBlockByHash(hash: Uint8Array): Promise<StoredBlock | undefined>;
  /** a block as the proto `Block` message (header, txs, receipts), from the stored bytes */
  getBlockBytes(height: bigint): Promise<Uint8Array | undefined>;
  /** the commit certificate stored with a block, if it was committed with one */
  getCertificate(height: bigint): Promise<CommitCertificate | undefined>;
  /**
   * Block `height`'s header with the headers above it up to the nearest checkpoint certificate this
   * node holds (sdk/certified.ts verifyCertifiedHeader); undefined if the block is not committed here
   * or not certified yet (the next checkpoint, or the idle tip's, certifies it: docs/consensus.md §2.6).
   */
  certifiedHeader(height: bigint): Promise<CertifiedHeaderProof | undefined>;
  /** the proofs of the validator-set epochs this node kept at its switches (node/epochs.ts), ascending */
  epochLinks(): Promise<EpochLink[]>;
  /** the newest checkpoint certificate this node holds at or below `height` (what block sync hands observers) */
  checkpointAtOrBelow(height: bigint): Promise<CheckpointCertificate | undefined>;
  /** certifiedHeader, waiting up to `ms` for a certificate to arrive */
  waitCertifiedHeader(height: bigint, ms: number): Promise<CertifiedHeaderProof | undefined>;
  /** the committed transaction that took this hash, with its receipt and inclusion proofs */
  getTx(hash: Uint8Array): Promise<TxRecord | undefined>;
  txAt(height: bigint, index: number): Promise<TxRecord | undefined>;
  locateTx(hash: Uint8Array): Promise<TxLocation | undefined>;
  /** whether a committed transaction took this hash (a new copy would be DUPLICATE_TX) */
  hasCommittedTx(hash: Uint8Array): Promise<boolean>;
  /** copies of a hash that did not take it (forged signatures, replays), oldest first */
  getTxAttempts(hash: Uint8Array, limit?: number): Promise<TxEntry[]>;

  // state records
  getReceivable(id: string): Promise<Receivable | undefined>;
  getParty(id: string): Promise<Party | undefined>;
  getDocument(documentHash: Uint8Array): Promise<DocumentRecord | undefined>;
  getDeclaration(fingerprint: Uint8Array): Promise<Declaration | undefined>;
  /** the receivable id an invoice fingerprint is registered to */
  getFingerprintHolder(fingerprint: Uint8Array): Promise<string | undefined>;
  /** a state record with its proof against the head's state root; `id` as the getter of that kind takes it (hashes in hex) */
  proveState(kind: StateRecordKind, id: string): Promise<StateProofResult>;
  /** several records of one kind, each with its proof, all against the head's state root at one height */
  proveStates(kind: StateRecordKind, ids: readonly string[]): Promise<{ height: bigint; stateRoot: Uint8Array; items: { id: string; key: string; value: Uint8Array | undefined; proof: StateProof }[] }>;

  // indexes
  /**
   * The history chain points of an object's entries at or below `height` (through a position, oldest
   * first): each entry's ordinal and the chain head after it, recomputed from the history index
   */
  historyChainPoints(kind: HistoryKind, id: string, height: bigint): Promise<HistoryChainPoint[]>;
  /** every event of a receivable, and every rejected attempt aimed at it, oldest first */
  getHistory(receivableId: string, page?: PageRequest): Promise<Page<HistoryEntry>>;
  receivablesByExporter(exporterId: string, page?: PageRequest): Promise<Page<Receivable>>;
  /** a bank's financings (one entry per finance transaction) with the receivable as it is now */
  financingsByBank(bankId: string, page?: PageRequest): Promise<Page<{ entry: TxEntry; receivable: Receivable }>>;
  receivablesByStatus(status: ReceivableStatus, page?: PageRequest): Promise<Page<Receivable>>;
  /** receivables by due date, in the half-open range [from, before) */
  receivablesByDueDate(range: DateRange, page?: PageRequest): Promise<Page<Receivable>>;
  /** receivables with financing outstanding whose due date passed before the UTC day of `at` (ms) */
  overdueReceivables(at: bigint, page?: PageRequest): Promise<Page<Receivable>>;
  rejections(filter?: { code?: ResultCode; signer?: string }, page?: PageRequest): Promise<Page<TxEntry>>;
  /** supervision alerts (DESIGN.md §11), oldest first: all, of one rule or naming one party, within heights [fromHeight, toHeight] */
  alerts(filter?: AlertFilter, page?: PageRequest): Promise<Page<AlertEntry>>;
  /** the active supervision rules, sorted by id */
  supervisionRules(): Promise<SupervisionRule[]>;
  /** the validator set in state and, if named, one proposal (docs/governance.md); undefined: no set in state */
  governance(proposalId?: string): Promise<{ set: ValidatorSetRecord; proposal?: ValidatorProposalRecord } | undefined>;
  /** Observers admitted on the ledger, current and removed (state m/observers; docs/governance.md). */
  observerRecords(): Promise<ObserverRecord[]>;
  /** every authenticated transaction that carried this document hash, with its outcome */
  documentHistory(documentHash: Uint8Array, page?: PageRequest): Promise<Page<TxEntry>>;
  /** every authenticated registration that carried this invoice fingerprint, with its outcome */
  fingerprintHistory(fingerprint: Uint8Array, page?: PageRequest): Promise<Page<TxEntry>>;
  /** an exporter's exposure across its receivables at `at` (ms), and its rejected attempts */
  exposure(partyId: string, at: bigint): Promise<Exposure>;

  // digital warrants (DESIGN.md §7)
  getCreditLine(id: string): Promise<CreditLine | undefined>;
  /** a warrant with every piece of its tree, root first, parents before children */
  getWarrant(id: string): Promise<WarrantTree | undefined>;
  /** one piece record, without its ancestry */
  getPieceRecord(id: string): Promise<Piece | undefined>;
  /** a piece with its ancestry to the warrant's first piece */
  getPiece(id: string): Promise<PieceWithAncestry | undefined>;
  /** the live leaves (not SPENT) a party holds now, grouped by warrant; optionally of one warrant */
  listPieces(partyId: string, page?: PageRequest, warrantId?: string): Promise<Page<Piece>>;
  /** pieces a bank financed or bought from another bank, as they are now */
  piecesFinancedBy(bankId: string, page?: PageRequest): Promise<Page<Piece>>;
  warrantsByObligor(obligorId: string, page?: PageRequest): Promise<Page<Warrant>>;
  warrantsByLine(lineId: string, page?: PageRequest): Promise<Page<Warrant>>;
  creditLinesByBank(bankId: string, page?: PageRequest): Promise<Page<CreditLine>>;
  creditLinesByObligor(obligorId: string, page?: PageRequest): Promise<Page<CreditLine>>;
  /** every event naming the piece, warrant, line, title or lot, and every rejected attempt aimed at it, oldest first */
  objectHistory(kind: ObjectKind, id: string, page?: PageRequest): Promise<Page<HistoryEntry>>;

  // title documents and pledges (DESIGN.md §8)
  /** one title record, without its pledge history */
  getTitleRecord(id: string): Promise<Title | undefined>;
  /** a title with its lot and every pledge it had (offered, accepted, released), from its history */
  getTitle(id: string): Promise<TitleWithPledges | undefined>;
  getLot(id: string): Promise<Lot | undefined>;
  /** every title issued on a lot (surrendered ones too), in issue order */
  titlesOfLot(lotId: string, page?: PageRequest): Promise<Page<Title>>;
  /** the live titles (not SURRENDERED) a party holds now, by lot then title id; optionally on one lot */
  listTitles(partyId: string, page?: PageRequest, lotId?: string): Promise<Page<Title>>;
  /** the titles offered or pledged to a bank now, by lot then title id; optionally on one lot */
  titlesPledgedTo(bankId: string, page?: PageRequest, lotId?: string): Promise<Page<Title>>;
  /** the lots a custodian attests, by lot id */
  lotsByCustodian(custodianId: string, page?: PageRequest): Promise<Page<Lot>>;

  // before, during and after lending (DESIGN.md §10-§11)
  /** state records by key, read and proven together at the head (one consistent state root) */
  proveStateKeys(keys: readonly string[]): Promise<ProvenState>;
  /** the banks that have a book (live financing or write-offs), ascending */
  bookBanks(): Promise<string[]>;
  /**
   * Every record of these banks' books a report of `part` reads (sdk/lending.ts BOOK_KEY: root, cores,
   * and the due-date or party sub-records), proven against one state root, and checked complete.
   */
  proveBooks(banks: readonly string[], part: BookPart): Promise<ProvenRecords>;
  getCreditFacts(partyId: string): Promise<CreditFacts | undefined>;
  getConsent(partyId: string, bankId: string): Promise<Consent | undefined>;
  /** how many transactions the party signed were rejected */
  rejectionCount(signer: string): Promise<number>;
  /** attestations of a party's financials (financial attestations), oldest first */
  financials(partyId: string, page?: PageRequest): Promise<Page<TxRecord>>;
}

/** "YYYY-MM-DD" of the UTC day containing `ms`. */
export function utcDate(ms: bigint): string {
  return new Date(Number(ms)).toISOString().slice(0, 10);
}
