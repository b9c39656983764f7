// The query model (STYLE rule 14): every read of the committed chain - blocks, transactions with
// their inclusion proofs, state records and state proofs, a receivable's history, the list indexes,
// an exporter's exposure, rejections - answered from the store, behind the QueryModel interface of
// node/query/types.ts that the RPC sees. It never writes; the executor (node/chain/chain.ts) does, and
// owns the head this model reads at. State reads wait for a commit in flight (store.whenIdle), so a
// value, its proof, the root and the height always agree.
import { decodeValidatorProposal, decodeValidatorSet, GOVERNANCE_KEY, type ValidatorProposalRecord, type ValidatorSetRecord } from "../ledger/governance.js";
import { concatBytes, equalBytes, fromUtf8, toHex } from "../../sdk/bytes.js";
import { decode } from "../../sdk/codec.js";
import type { CommitCertificate } from "../../sdk/commit.js";
import { MAX_CERTIFIED_CHAIN, type CertifiedHeaderProof, type CheckpointCertificate } from "../../sdk/certified.js";
import type { EpochLink } from "../../sdk/epochs.js";
import { EMPTY_HISTORY_HEAD, historyChainKey, nextHistoryHead, REJECTED_ATTEMPT, type HistoryKind } from "../../sdk/history-chain.js";
import type { Crypto } from "../../sdk/crypto.js";
import { newExposureTally, tallyExposure } from "../../sdk/domain.js";
import { inclusionProof, leafHash } from "../../sdk/merkle.js";
import { decodeTx } from "../../sdk/tx.js";
import type { BlockHeader, CreditLine, Event, Declaration, DocumentRecord, Lot, Party, Piece, Receipt, Receivable, ReceivableStatus, ResultCode, SupervisionRule, Title, Warrant } from "../../sdk/types.js";
import type { SignedTxWire } from "../../sdk/tx.js";
import { decodeBookRoot, decodeConsent, decodeCreditFacts, decodeCreditLine, decodeLot, decodeObserverSet, decodePiece, decodeReceipt, decodeRuleSet, decodeTitle, decodeWarrant } from "../ledger/records.js";
import { SUPERVISION_KEY } from "../ledger/supervision.js";
import type { Consent, CreditFacts, ObserverRecord } from "../../sdk/types.js";
import { assembleBook, BOOK_KEY, BookIncompleteError, type BookPart } from "../../sdk/lending.js";
import { pledgesOfHistory } from "../../sdk/verify-title.js";
import { prefixRange } from "../store/db.js";
import { stateKeys } from "../store/state.js";
import { KEY } from "../ledger/state.js";
import { corrupted } from "../store/errors.js";
import { rfc6962Root, sha256 } from "../store/hash.js";
import type { HistoryRef, TitleRef, TxRef } from "../store/indexes.js";
import type { Store } from "../store/store.js";
import {
  MAX_PAGE_LIMIT,
  utcDate,
  type AlertEntry,
  type AlertFilter,
  type BlockHeaderRecord,
  type ChainHead,
  type DateRange,
  type Exposure,
  type HistoryChainPoint,
  type HistoryEntry,
  type ObjectKind,
  type Page,
  type PieceWithAncestry,
  type ProvenRecords,
  type ProvenState,
  type PledgeHistoryEntry,
  type PledgeStep,
  type TitleWithPledges,
  type WarrantTree,
  type PageRequest,
  type QueryModel,
  type StateProofResult,
  type StateRecordKind,
  type StoredBlock,
  type TxEntry,
  type TxLocation,
  type TxRecord,
} from "./types.js";

/** The state key of each kind of record a reader may name (hashes and fingerprints in hex). */
const STATE_KEY: { [K in StateRecordKind]: (id: string) => string } = {
  party: KEY.party,
  receivable: KEY.receivable,
  piece: KEY.piece,
  document: KEY.document,
  declaration: KEY.declaration,
  fingerprint: KEY.fingerprint,
  billOfLading: KEY.billOfLading,
  /** id: "<kind>/<object id>", e.g. "receivable/<id>" (sdk/history-chain.ts historyChainKey) */
  historyChain: (id: string) => {
    const slash = id.indexOf("/");
    return historyChainKey(id.slice(0, slash) as HistoryKind, id.slice(slash + 1));
  },
};

/** What the query model reads the head from: the executor (node/chain/chain.ts Chain), which moves it. */
export interface HeadSource {
  readonly chainId: string;
  readonly height: bigint;
  readonly headHash: Uint8Array;
  readonly headTime: bigint;
  readonly stateRoot: Uint8Array;
}

export class LedgerQuery implements QueryModel {
  readonly chainId: string;

  constructor(
    private readonly store: Store,
    private readonly chain: HeadSource,
    private readonly crypto: Crypto,
  ) {
    this.chainId = chain.chainId;
  }

  head(): ChainHead {
    return { height: this.chain.height, hash: this.chain.headHash, time: this.chain.headTime, stateRoot: this.chain.stateRoot };
  }

  // ---- blocks and transactions ----------------------------------------------------------------

  async getHeader(height: bigint): Promise<BlockHeaderRecord | undefined> {
    const headerBytes = await this.store.blocks.headerBytes(height);
    if (!headerBytes) return undefined;
    return { header: decode<BlockHeader>("BlockHeader", headerBytes), headerBytes, hash: sha256(headerBytes) };
  }

  async getBlock(height: bigint): Promise<StoredBlock | undefined> {
    const h = await this.getHeader(height);
    if (!h) return undefined;
    const [txs, receiptBytes] = await Promise.all([this.store.blocks.txsOf(height), this.store.blocks.receiptsOf(height)]);
    if (txs.length !== h.header.txCount || receiptBytes.length !== h.header.txCount) throw corrupted(`block ${height} is incomplete`, { height: height.toString() });
    return { ...h, txs, receipts: receiptBytes.map(decodeReceipt) };
  }

  /**
   * A block as the proto `Block` message (header, txs, receipts) for block sync. Built from the
   * stored bytes, so the header and transactions are byte-for-byte what was hashed and signed.
   */
  async getBlockBytes(height: bigint): Promise<Uint8Array | undefined> {
    const headerBytes = await this.store.blocks.headerBytes(height);
    if (!headerBytes) return undefined;
    const [txs, receipts] = await Promise.all([this.store.blocks.txsOf(height), this.store.blocks.receiptsOf(height)]);
    const parts: Uint8Array[] = [lengthDelimited(1, headerBytes)];
    for (const t of txs) parts.push(lengthDelimited(2, t));
    for (const r of receipts) parts.push(lengthDelimited(3, r));
    return concatBytes(...parts);
  }

  /** The commit certificate stored with a block, if it was committed with one. */
  async getCertificate(height: bigint): Promise<CommitCertificate | undefined> {
    return this.store.blocks.certificate(height);
  }

  /**
   * The header of block `height`, the headers above it up to the nearest stored checkpoint
   * certificate at or above it (at most MAX_CERTIFIED_CHAIN above), and that certificate.
   */
  async certifiedHeader(height: bigint): Promise<CertifiedHeaderProof | undefined> {
    const head = this.chain.height;
    if (height < 1n || height > head) return undefined;
    const limit = height + BigInt(MAX_CERTIFIED_CHAIN);
    const checkpoint = await this.store.blocks.checkpointFrom(height, head < limit ? head : limit);
    if (!checkpoint) return undefined;
    const header = await this.store.blocks.headerBytes(height);
    if (!header) return undefined;
    const chain: Uint8Array[] = [];
    for (let h = height + 1n; h <= checkpoint.seq; h++) {
      const bytes = await this.store.blocks.headerBytes(h);
      if (!bytes) throw corrupted(`block ${h} has no header below the head`, { height: h.toString() });
      chain.push(bytes);
    }
    const top = chain.length > 0 ? chain[chain.length - 1]! : header;
    // Consensus verified the certificate's signatures; a certificate over another hash than our own
    // block means our chain is not the validators' (the driver halts on that at stable checkpoints).
    if (!equalBytes(sha256(top), checkpoint.blockHash)) throw corrupted(`the checkpoint certificate of block ${checkpoint.seq} certifies another header`, { height: checkpoint.seq.toString() });
    return { header, chain, checkpoint };
  }

  async checkpointAtOrBelow(height: bigint): Promise<CheckpointCertificate | undefined> {
    return this.store.blocks.checkpointAtOrBelow(height);
  }

  async waitCertifiedHeader(height: bigint, ms: number): Promise<CertifiedHeaderProof | undefined> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = await this.certifiedHeader(height);
      const left = deadline - Date.now();
      if (found || left <= 0) return found;
      // Woken by a new certificate; the timer also covers a certificate that arrived before its block.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, 200));
        const off = this.store.onCheckpointCertificate(done);
        function done(): void {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
    }
  }

  async getBlockByHash(hash: Uint8Array): Promise<StoredBlock | undefined> {
    const height = await this.store.blocks.heightOf(hash);
    return height === undefined ? undefined : this.getBlock(height);
  }

  /** The committed transaction that took this hash, with its receipt and inclusion proofs. */
  async getTx(hash: Uint8Array): Promise<TxRecord | undefined> {
    const loc = await this.locateTx(hash);
    if (!loc) return undefined;
    return this.txAt(loc.height, loc.index);
  }

  async locateTx(hash: Uint8Array): Promise<TxLocation | undefined> {
    const loc = await this.store.blocks.txLocation(hash);
    return loc && { height: loc.height, index: loc.index };
  }

  /** Whether a committed transaction took this hash (a new copy would be DUPLICATE_TX): for mempool admission. */
  async hasCommittedTx(hash: Uint8Array): Promise<boolean> {
    return (await this.store.blocks.txLocation(hash)) !== undefined;
  }

  /** Copies of a hash that did not take it (forged signatures, replays), oldest first. */
  async getTxAttempts(hash: Uint8Array, limit = 100): Promise<TxEntry[]> {
    const locs = await this.store.blocks.attempts(hash, limit);
    return this.resolveRefs(locs);
  }

  async txAt(height: bigint, index: number): Promise<TxRecord | undefined> {
    const h = await this.getHeader(height);
    if (!h || index < 0 || index >= h.header.txCount) return undefined;
    const [txs, receipts] = await Promise.all([this.store.blocks.txsOf(height), this.store.blocks.receiptsOf(height)]);
    // Every tx hash is needed for the audit path; only the envelope is decoded for those.
    const hashes = txs.map((b) => sha256(decode<SignedTxWire>("SignedTx", b).body));
    if (!equalBytes(rfc6962Root(hashes), h.header.txsRoot)) throw corrupted(`block ${height} transactions do not match its header`, { height: height.toString() });
    const receiptBytes = receipts[index]!;
    return {
      tx: decodeTx(this.crypto, txs[index]!),
      receipt: decodeReceipt(receiptBytes),
      receiptBytes,
      height,
      index,
      header: h.header,
      blockHash: h.hash,
      txCount: h.header.txCount,
      txProof: inclusionProof(sha256, hashes.map((x) => leafHash(sha256, x)), index),
      receiptProof: inclusionProof(sha256, receipts.map((r) => leafHash(sha256, r)), index),
    };
  }

  // ---- state ------------------------------------------------------------------------------------

  /** A state record's bytes (verified against the state root), or undefined. */
  private async getState(stateKey: string): Promise<Uint8Array | undefined> {
    await this.store.whenIdle();
    return this.store.state.readSync(stateKey);
  }

  /** A state record with its proof against the current head's state root (sdk/proofs verifyStateProof). */
  async proveState(kind: StateRecordKind, id: string): Promise<StateProofResult> {
    const stateKey = STATE_KEY[kind](id);
    await this.store.whenIdle();
    // Synchronous from here: no commit can interleave, so value, proof, root and height agree.
    const { value, proof } = this.store.state.proveSync(stateKey);
    const meta = this.store.meta!;
    return { height: meta.height, stateRoot: meta.stateRoot, key: stateKey, value, proof };
  }

  async proveStates(kind: StateRecordKind, ids: readonly string[]): ReturnType<QueryModel["proveStates"]> {
    await this.store.whenIdle();
    const proven = this.proveKeysNow(ids.map((id) => STATE_KEY[kind](id)));
    return { ...proven, items: proven.items.map((i, n) => ({ id: ids[n]!, ...i })) };
  }

  /** Values and proofs of `keys` against the store's state root; synchronous, so no commit interleaves. */
  private proveKeysNow(keys: readonly string[]) {
    const meta = this.store.meta!;
    return { height: meta.height, stateRoot: meta.stateRoot, items: keys.map((key) => ({ key, ...this.store.state.proveSync(key) })) };
  }

  // ---- before, during and after lending (DESIGN.md §10-§11) ----

  async proveStateKeys(keys: readonly string[]): Promise<ProvenState> {
    await this.store.whenIdle();
    // Synchronous from here: no commit can interleave, so every value, proof and the root agree.
    const proven = this.proveKeysNow(keys);
    const head = this.head();
    if (head.height !== proven.height) throw corrupted(`the executor's head ${head.height} is not the store's ${proven.height}`);
    return { ...proven, time: head.time };
  }

  async bookBanks(): Promise<string[]> {
    await this.store.whenIdle();
    const prefix = stateKeys.record(KEY.bankBook(""));
    const banks: string[] = [];
    for await (const k of this.store.level.keys(prefixRange(prefix))) banks.push(fromUtf8(k.subarray(prefix.length)));
    return banks.sort();
  }

  async proveBooks(banks: readonly string[], part: BookPart): Promise<ProvenRecords> {
    // The records are found by a key scan and then proven in one synchronous section; a block
    // committed in between shows as counts that disagree (assembleBook), and the read starts again.
    for (let attempt = 1; ; attempt++) {
      await this.store.whenIdle();
      const keys: string[] = [];
      for (const bank of banks) {
        keys.push(BOOK_KEY.root(bank));
        const root = await this.getState(BOOK_KEY.root(bank));
        for (const currency of root ? decodeBookRoot(root).currencies : []) {
          keys.push(BOOK_KEY.core(bank, currency));
          const prefixes = part === "due" ? [BOOK_KEY.dueDates(bank, currency)] : part === "parties" ? [BOOK_KEY.exporters(bank, currency), BOOK_KEY.obligors(bank, currency)] : [BOOK_KEY.dueDates(bank, currency), BOOK_KEY.exporters(bank, currency), BOOK_KEY.obligors(bank, currency)];
          for (const prefix of prefixes) {
            const raw = stateKeys.record(prefix);
            const cut = raw.length - prefix.length;
            for await (const k of this.store.level.keys(prefixRange(raw))) keys.push(fromUtf8(k.subarray(cut)));
          }
        }
      }
      await this.store.whenIdle();
      // Synchronous from here, as proveStateKeys: the values, the multiproof and the root agree.
      const meta = this.store.meta!;
      const many = this.store.state.proveManySync(keys);
      const head = this.head();
      if (head.height !== meta.height) throw corrupted(`the executor's head ${head.height} is not the store's ${meta.height}`);
      const proven: ProvenRecords = { height: meta.height, time: head.time, stateRoot: meta.stateRoot, items: keys.map((key, i) => ({ key, value: many.values[i] })), multiproof: many.proof };
      const records = new Map(proven.items.map((i) => [i.key, i.value ?? null]));
      try {
        for (const bank of banks) assembleBook(bank, records, part);
        return proven;
      } catch (err) {
        if (!(err instanceof BookIncompleteError) || attempt >= 5) throw err;
      }
    }
  }

  async getCreditFacts(partyId: string): Promise<CreditFacts | undefined> {
    const b = await this.getState(KEY.creditFacts(partyId));
    return b && decodeCreditFacts(b);
  }

  async getConsent(partyId: string, bankId: string): Promise<Consent | undefined> {
    const b = await this.getState(KEY.consent(partyId, bankId));
    return b && decodeConsent(b);
  }

  rejectionCount(signer: string): Promise<number> {
    return this.store.indexes.rejectionCount(signer);
  }

  async financials(partyId: string, page: PageRequest = {}): Promise<Page<TxRecord>> {
    const refs = await this.store.indexes.financials(partyId, page);
    const items: TxRecord[] = [];
    for (const ref of refs.items) {
      const rec = await this.txAt(ref.height, ref.index);
      if (!rec) throw corrupted(`the financials index names a missing transaction at ${ref.height}:${ref.index}`);
      items.push(rec);
    }
    return withCursor(items, refs.cursor);
  }

  async getReceivable(id: string): Promise<Receivable | undefined> {
    const b = await this.getState(KEY.receivable(id));
    return b && decode<Receivable>("Receivable", b);
  }

  async getParty(id: string): Promise<Party | undefined> {
    const b = await this.getState(KEY.party(id));
    return b && decode<Party>("Party", b);
  }

  async getDocument(documentHash: Uint8Array): Promise<DocumentRecord | undefined> {
    const b = await this.getState(KEY.document(toHex(documentHash)));
    return b && decode<DocumentRecord>("DocumentRecord", b);
  }

  async getDeclaration(fingerprint: Uint8Array): Promise<Declaration | undefined> {
    const b = await this.getState(KEY.declaration(toHex(fingerprint)));
    return b && decode<Declaration>("Declaration", b);
  }

  async getFingerprintHolder(fingerprint: Uint8Array): Promise<string | undefined> {
    const b = await this.getState(KEY.fingerprint(toHex(fingerprint)));
    return b && fromUtf8(b);
  }

  // ---- read indexes -----------------------------------------------------------------------------

  /** Every event of a receivable, and every rejected attempt aimed at it, oldest first. */
  async getHistory(receivableId: string, page: PageRequest = {}): Promise<Page<HistoryEntry>> {
    return this.historyOf(await this.store.indexes.history(receivableId, page));
  }

  async historyChainPoints(kind: HistoryKind, id: string, height: bigint): Promise<HistoryChainPoint[]> {
    const out: HistoryChainPoint[] = [];
    let head: Uint8Array = EMPTY_HISTORY_HEAD;
    let cursor: string | undefined;
    for (;;) {
      const page = kind === "receivable" ? await this.store.indexes.history(id, { limit: MAX_PAGE_LIMIT, ...(cursor ? { cursor } : {}) }) : await this.store.indexes.objectHistory(kind, id, { limit: MAX_PAGE_LIMIT, ...(cursor ? { cursor } : {}) });
      for (const ref of page.items) {
        if (ref.height > height) return out;
        const event = ref.event ?? REJECTED_ATTEMPT;
        head = nextHistoryHead(sha256, head, { height: ref.height, index: ref.index, event });
        out.push({ height: ref.height, index: ref.index, event, ordinal: out.length, head });
      }
      if (!page.cursor) return out;
      cursor = page.cursor;
    }
  }

  private async historyOf(refs: Page<HistoryRef>): Promise<Page<HistoryEntry>> {
    const resolved = await this.resolve(refs.items);
    const items = refs.items.map((ref, i): HistoryEntry => {
      const { entry, receipt } = resolved[i]!;
      if (ref.event === null) return entry;
      const event = receipt.events[ref.event];
      if (!event) throw corrupted(`history entry ${ref.height}/${ref.index}/${ref.event} names no event`);
      return { ...entry, event, eventIndex: ref.event };
    });
    return withCursor(items, refs.cursor);
  }

  async receivablesByExporter(exporterId: string, page: PageRequest = {}): Promise<Page<Receivable>> {
    const refs = await this.store.indexes.exporterReceivables(exporterId, page);
    const ids = await this.registeredIds(refs.items);
    return withCursor(await this.receivables(ids), refs.cursor);
  }

  /** A bank's financings (one entry per finance transaction) with the receivable as it is now. */
  async financingsByBank(bankId: string, page: PageRequest = {}): Promise<Page<{ entry: TxEntry; receivable: Receivable }>> {
    const refs = await this.store.indexes.bankFinancings(bankId, page);
    const entries = await this.resolveRefs(refs.items);
    const items = [];
    for (const e of entries) {
      const r = await this.getReceivable(e.target);
      if (!r) throw corrupted(`financed receivable ${e.target} is not in the state`);
      items.push({ entry: e, receivable: r });
    }
    return withCursor(items, refs.cursor);
  }

  async receivablesByStatus(status: ReceivableStatus, page: PageRequest = {}): Promise<Page<Receivable>> {
    const refs = await this.store.indexes.byStatus(status, page);
    return withCursor(await this.receivables(refs.items.map((r) => r.receivableId)), refs.cursor);
  }

  /** Receivables by due date, in the half-open range [from, before). */
  async receivablesByDueDate(range: DateRange, page: PageRequest = {}): Promise<Page<Receivable>> {
    const refs = await this.store.indexes.byDueDate(range, page);
    return withCursor(await this.receivables(refs.items.map((r) => r.receivableId)), refs.cursor);
  }

  /** Receivables with financing outstanding whose due date passed before the UTC day of `at` (ms). */
  async overdueReceivables(at: bigint, page: PageRequest = {}): Promise<Page<Receivable>> {
    const refs = await this.store.indexes.outstandingByDueDate({ before: utcDate(at) }, page);
    return withCursor(await this.receivables(refs.items.map((r) => r.receivableId)), refs.cursor);
  }

  async rejections(filter: { code?: ResultCode; signer?: string } = {}, page: PageRequest = {}): Promise<Page<TxEntry>> {
    const refs = await this.store.indexes.rejections(filter, page);
    return withCursor(await this.resolveRefs(refs.items), refs.cursor);
  }

  async alerts(filter: AlertFilter = {}, page: PageRequest = {}): Promise<Page<AlertEntry>> {
    const refs = await this.store.indexes.alerts(filter, page);
    const resolved = await this.resolve(refs.items);
    const items = resolved.map(({ entry, receipt }, i) => {
      const alert = receipt.alerts?.[refs.items[i]!.alert];
      if (!alert) throw corrupted(`the alert index names alert ${refs.items[i]!.alert} of ${entry.height}/${entry.index}, which its receipt lacks`);
      return { ...entry, alert };
    });
    return withCursor(items, refs.cursor);
  }

  epochLinks(): Promise<EpochLink[]> {
    return this.store.blocks.epochLinks();
  }

  async governance(proposalId?: string): Promise<{ set: ValidatorSetRecord; proposal?: ValidatorProposalRecord } | undefined> {
    const b = await this.getState(GOVERNANCE_KEY.validatorSet);
    if (!b) return undefined;
    const p = proposalId === undefined ? undefined : await this.getState(GOVERNANCE_KEY.proposal(proposalId));
    return { set: decodeValidatorSet(b), ...(p ? { proposal: decodeValidatorProposal(p) } : {}) };
  }

  async observerRecords(): Promise<ObserverRecord[]> {
    const b = await this.getState(KEY.observers);
    return b ? decodeObserverSet(b).observers : [];
  }

  async supervisionRules(): Promise<SupervisionRule[]> {
    const b = await this.getState(SUPERVISION_KEY.rules);
    return b ? decodeRuleSet(b).rules : [];
  }

  /** Every authenticated transaction that carried this document hash, with its outcome. */
  async documentHistory(documentHash: Uint8Array, page: PageRequest = {}): Promise<Page<TxEntry>> {
    const refs = await this.store.indexes.byDocument(documentHash, page);
    return withCursor(await this.resolveRefs(refs.items), refs.cursor);
  }

  /** Every authenticated registration that carried this invoice fingerprint, with its outcome. */
  async fingerprintHistory(fingerprint: Uint8Array, page: PageRequest = {}): Promise<Page<TxEntry>> {
    const refs = await this.store.indexes.byFingerprint(fingerprint, page);
    return withCursor(await this.resolveRefs(refs.items), refs.cursor);
  }

  /**
   * An exporter's exposure at `at` (ms): every receivable it registered tallied by sdk/domain.ts
   * (outstanding and overdue financing per currency and per bank, statuses), and the attempts it had
   * rejected, by code.
   */
  async exposure(partyId: string, at: bigint): Promise<Exposure> {
    const tally = newExposureTally();
    let cursor: string | undefined;
    do {
      const page = await this.receivablesByExporter(partyId, { limit: MAX_PAGE_LIMIT, ...(cursor ? { cursor } : {}) });
      for (const r of page.items) tallyExposure(tally, r, at);
      cursor = page.cursor;
    } while (cursor);
    const byCode: Record<string, number> = {};
    let total = 0;
    do {
      const page = await this.rejections({ signer: partyId }, { limit: MAX_PAGE_LIMIT, ...(cursor ? { cursor } : {}) });
      for (const e of page.items) {
        total++;
        byCode[e.code] = (byCode[e.code] ?? 0) + 1;
      }
      cursor = page.cursor;
    } while (cursor);
    return { partyId, at, ...tally, rejectedAttempts: { total, byCode } };
  }

  // ---- digital warrants (DESIGN.md §7) ------------------------------------------------------------

  async getCreditLine(id: string): Promise<CreditLine | undefined> {
    const b = await this.getState(KEY.creditLine(id));
    return b && decodeCreditLine(b);
  }

  private async getWarrantRecord(id: string): Promise<Warrant | undefined> {
    const b = await this.getState(KEY.warrant(id));
    return b && decodeWarrant(b);
  }

  async getPieceRecord(id: string): Promise<Piece | undefined> {
    const b = await this.getState(KEY.piece(id));
    return b && decodePiece(b);
  }

  private async pieceOrCorrupted(id: string, what: string): Promise<Piece> {
    const p = await this.getPieceRecord(id);
    if (!p) throw corrupted(`${what} names piece ${id}, which is not in the state`);
    return p;
  }

  /** A warrant with its whole tree, breadth first from its first piece (parents before children). */
  async getWarrant(id: string): Promise<WarrantTree | undefined> {
    const warrant = await this.getWarrantRecord(id);
    if (!warrant) return undefined;
    const pieces: Piece[] = [await this.pieceOrCorrupted(id, `warrant ${id}`)];
    for (let i = 0; i < pieces.length; i++) {
      for (const child of pieces[i]!.children) pieces.push(await this.pieceOrCorrupted(child, `piece ${pieces[i]!.id}`));
    }
    return { warrant, pieces };
  }

  /** A piece with its ancestry, the warrant's first piece first (a piece is at most maxWarrantDepth deep). */
  async getPiece(id: string): Promise<PieceWithAncestry | undefined> {
    const piece = await this.getPieceRecord(id);
    if (!piece) return undefined;
    const ancestry: Piece[] = [];
    for (let p = piece; p.parentId !== ""; ) {
      if (ancestry.length > 1000) throw corrupted(`piece ${id} has no root within 1000 steps`);
      p = await this.pieceOrCorrupted(p.parentId, `piece ${p.id}`);
      ancestry.unshift(p);
    }
    const warrant = await this.getWarrantRecord(piece.warrantId);
    if (!warrant) throw corrupted(`piece ${id} names missing warrant ${piece.warrantId}`);
    return { piece, warrant, ancestry };
  }

  async listPieces(partyId: string, page: PageRequest = {}, warrantId?: string): Promise<Page<Piece>> {
    const refs = await this.store.indexes.piecesByHolder(partyId, page, warrantId);
    const items: Piece[] = [];
    for (const r of refs.items) items.push(await this.pieceOrCorrupted(r.pieceId, "the holder index"));
    return withCursor(items, refs.cursor);
  }

  async piecesFinancedBy(bankId: string, page: PageRequest = {}): Promise<Page<Piece>> {
    const refs = await this.store.indexes.piecesByBank(bankId, page);
    const items: Piece[] = [];
    for (const r of refs.items) items.push(await this.pieceOrCorrupted(r.pieceId, "the financing bank index"));
    return withCursor(items, refs.cursor);
  }

  async warrantsByObligor(obligorId: string, page: PageRequest = {}): Promise<Page<Warrant>> {
    const refs = await this.store.indexes.warrantsByObligor(obligorId, page);
    return withCursor(await this.records(refs.items, (id) => this.getWarrantRecord(id), "warrant"), refs.cursor);
  }

  async warrantsByLine(lineId: string, page: PageRequest = {}): Promise<Page<Warrant>> {
    const refs = await this.store.indexes.warrantsByLine(lineId, page);
    return withCursor(await this.records(refs.items, (id) => this.getWarrantRecord(id), "warrant"), refs.cursor);
  }

  async creditLinesByBank(bankId: string, page: PageRequest = {}): Promise<Page<CreditLine>> {
    const refs = await this.store.indexes.linesByBank(bankId, page);
    return withCursor(await this.records(refs.items, (id) => this.getCreditLine(id), "credit line"), refs.cursor);
  }

  async creditLinesByObligor(obligorId: string, page: PageRequest = {}): Promise<Page<CreditLine>> {
    const refs = await this.store.indexes.linesByObligor(obligorId, page);
    return withCursor(await this.records(refs.items, (id) => this.getCreditLine(id), "credit line"), refs.cursor);
  }

  /** Every event naming a piece, warrant, credit line, title or lot, and every rejected attempt aimed at it, oldest first. */
  async objectHistory(kind: ObjectKind, id: string, page: PageRequest = {}): Promise<Page<HistoryEntry>> {
    return this.historyOf(await this.store.indexes.objectHistory(kind, id, page));
  }

  // ---- title documents and pledges (DESIGN.md §8) ------------------------------------------------

  async getTitleRecord(id: string): Promise<Title | undefined> {
    const b = await this.getState(KEY.title(id));
    return b && decodeTitle(b);
  }

  async getLot(id: string): Promise<Lot | undefined> {
    const b = await this.getState(KEY.lot(id));
    return b && decodeLot(b);
  }

  /**
   * A title with its lot and its pledges, oldest first, rebuilt from the title's history by the SDK's
   * rule (sdk/verify-title.ts pledgesOfHistory, which verifyTitlePledges checks them with): each
   * pledgeOffered opens a pledge (bank, amount, currency, expiry), the pledgeAccepted and
   * pledgeReleased that follow close it. Rejected attempts in the history are skipped.
   */
  async getTitle(id: string): Promise<TitleWithPledges | undefined> {
    const title = await this.getTitleRecord(id);
    if (!title) return undefined;
    const lot = await this.getLot(title.lotId);
    if (!lot) throw corrupted(`title ${id} names missing lot ${title.lotId}`);
    const pledges: PledgeHistoryEntry[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.objectHistory("title", id, { limit: MAX_PAGE_LIMIT, ...(cursor ? { cursor } : {}) });
      try {
        pledgesOfHistory(page.items.map((e): { event: Event | undefined; step: PledgeStep } => ({ event: e.event, step: { height: e.height, index: e.index, time: e.time, txHash: e.txHash, signer: e.signer } })), pledges);
      } catch (err) {
        throw corrupted(`title ${id}: ${(err as Error).message}`);
      }
      cursor = page.cursor;
    } while (cursor);
    return { title, lot, pledges };
  }

  async titlesOfLot(lotId: string, page: PageRequest = {}): Promise<Page<Title>> {
    const refs = await this.store.indexes.titlesOfLot(lotId, page);
    return withCursor(await this.records(refs.items, (id) => this.getTitleRecord(id), "title"), refs.cursor);
  }

  async listTitles(partyId: string, page: PageRequest = {}, lotId?: string): Promise<Page<Title>> {
    const refs = await this.store.indexes.titlesByHolder(partyId, page, lotId);
    return withCursor(await this.titles(refs.items, "the title holder index"), refs.cursor);
  }

  async titlesPledgedTo(bankId: string, page: PageRequest = {}, lotId?: string): Promise<Page<Title>> {
    const refs = await this.store.indexes.titlesByBank(bankId, page, lotId);
    return withCursor(await this.titles(refs.items, "the pledgee bank index"), refs.cursor);
  }

  async lotsByCustodian(custodianId: string, page: PageRequest = {}): Promise<Page<Lot>> {
    const refs = await this.store.indexes.lotsByCustodian(custodianId, page);
    return withCursor(await this.records(refs.items.map((r) => ({ id: r.lotId })), (id) => this.getLot(id), "lot"), refs.cursor);
  }

  private async titles(refs: readonly TitleRef[], what: string): Promise<Title[]> {
    const out: Title[] = [];
    for (const r of refs) {
      const t = await this.getTitleRecord(r.titleId);
      if (!t) throw corrupted(`${what} names title ${r.titleId}, which is not in the state`);
      out.push(t);
    }
    return out;
  }

  private async records<T>(refs: readonly { id: string }[], get: (id: string) => Promise<T | undefined>, what: string): Promise<T[]> {
    const out: T[] = [];
    for (const { id } of refs) {
      const r = await get(id);
      if (!r) throw corrupted(`index names ${what} ${id}, which is not in the state`);
      out.push(r);
    }
    return out;
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private async resolveRefs(refs: readonly TxRef[]): Promise<TxEntry[]> {
    return (await this.resolve(refs)).map((r) => r.entry);
  }

  private async resolve(refs: readonly TxRef[]): Promise<{ entry: TxEntry; receipt: Receipt }[]> {
    const times = new Map<bigint, bigint>();
    const out: { entry: TxEntry; receipt: Receipt }[] = [];
    for (const ref of refs) {
      let time = times.get(ref.height);
      if (time === undefined) {
        const header = await this.store.blocks.header(ref.height);
        if (!header) throw corrupted(`index names missing block ${ref.height}`);
        time = header.time;
        times.set(ref.height, time);
      }
      const [txBytes, receiptBytes] = await Promise.all([this.store.blocks.txBytes(ref.height, ref.index), this.store.blocks.receiptBytes(ref.height, ref.index)]);
      if (!txBytes || !receiptBytes) throw corrupted(`index names missing transaction ${ref.height}/${ref.index}`);
      const tx = decodeTx(this.crypto, txBytes);
      const receipt = decodeReceipt(receiptBytes);
      if (!equalBytes(receipt.txHash, tx.hash)) throw corrupted(`receipt ${ref.height}/${ref.index} is for another transaction`);
      out.push({
        entry: {
          height: ref.height,
          index: ref.index,
          time,
          txHash: tx.hash,
          signer: tx.body.signer,
          type: tx.body.payload?.type,
          code: receipt.code,
          message: receipt.message,
          target: receipt.target,
        },
        receipt,
      });
    }
    return out;
  }

  private async registeredIds(refs: readonly TxRef[]): Promise<string[]> {
    const ids: string[] = [];
    for (const ref of refs) {
      const b = await this.store.blocks.txBytes(ref.height, ref.index);
      if (!b) throw corrupted(`index names missing transaction ${ref.height}/${ref.index}`);
      ids.push(decodeTx(this.crypto, b).hashHex); // a receivable's id is its registration's hash
    }
    return ids;
  }

  private async receivables(ids: string[]): Promise<Receivable[]> {
    const out: Receivable[] = [];
    for (const id of ids) {
      const r = await this.getReceivable(id);
      if (!r) throw corrupted(`index names receivable ${id}, which is not in the state`);
      out.push(r);
    }
    return out;
  }
}

function withCursor<T>(items: T[], cursor: string | undefined): Page<T> {
  return cursor === undefined ? { items } : { items, cursor };
}

/** Protobuf field `field` with wire type 2, length-delimited (protobuf encoding guide). */
function lengthDelimited(field: number, bytes: Uint8Array): Uint8Array {
  const head: number[] = [(field << 3) | 2];
  let n = bytes.length;
  while (n >= 0x80) {
    head.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  head.push(n);
  return concatBytes(Uint8Array.from(head), bytes);
}
