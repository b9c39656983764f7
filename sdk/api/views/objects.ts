// The JSON views of digital warrants (credit lines, warrants, pieces), title documents and lots,
// supervision and governance (DESIGN.md §7, §8, §11, §12). Browser-safe.
import * as z from "zod/mini";
import { Amount, CalendarDate, Currency, Hex, Hex32, PartyId, Quantity, ResultCodeSchema, TimeMs, TitleKindSchema, U64, ValidatorChangeKindSchema, described, named } from "../primitives.js";
import { AlertView, AsOf, CertifiedHeaderView, CheckpointCertificateView, HistoryBlocks, HistoryComplete, HistoryEntryView, HistorySignerKeys, StateProofView } from "./core.js";
import { TxView } from "./txs.js";
import { RuleKindSchema, RuleParamsJson, SeveritySchema } from "../../transactions/set-rule.js";
import { AGING_BUCKETS } from "../../domain.js";

export const CertifiedRecordView = described(
  z.object({
    height: described(U64, "the certified height the record is proven at (the head when served)"),
    certified: CertifiedHeaderView,
    record: described(z.nullable(Hex), "the encoded state record; null: no such record"),
    proof: described(StateProofView, "of the record's state key under the certified header's state root"),
  }), "a state record proven from certified state (sdk/certified.ts verifyCertifiedState)").apply(named, "CertifiedRecord");

/** The kinds of object other than receivables with a history route (sdk/history-chain.ts ObjectKind). */
export const OBJECT_HISTORY_KINDS = ["piece", "warrant", "line", "title", "lot"] as const;

export const ObjectHistoryPageView = z
  .object({
    kind: z.enum(OBJECT_HISTORY_KINDS),
    id: described(z.string().check(z.minLength(2)).check(z.maxLength(64)), "the object's id"),
    items: z.array(HistoryEntryView),
    blocks: HistoryBlocks,
    signerKeys: HistorySignerKeys,
    complete: HistoryComplete,
    cursor: described(z.optional(z.string()), "absent on the last page; a page may hold fewer than `limit` items and still have one"),
  }).apply(named, "ObjectHistoryPage");

// ---- ledger records -------------------------------------------------------------------------

export const PIECE_STATUSES = ["HELD", "OFFERED", "FINANCED", "SPENT", "SETTLED", "DEFAULTED"] as const;
export const PieceStatusSchema = z.enum(PIECE_STATUSES);
export const WARRANT_STATUSES = ["ISSUED", "SETTLED", "DEFAULTED"] as const;
export const WarrantStatusSchema = z.enum(WARRANT_STATUSES);

// ---- digital warrants (DESIGN.md §7) ---------------------------------------------------------

export const CreditLineRecord = z
  .object({
    id: described(PartyId, "credit line id, chosen by the granting bank"),
    bankId: PartyId,
    obligorId: described(PartyId, "the core enterprise the line is granted to"),
    currency: Currency,
    limit: Amount,
    expiryDate: CalendarDate,
    outstanding: described(Amount, "face of the line's warrants less what was paid on them"),
    grantedAt: TimeMs,
    updatedAt: TimeMs,
    warrants: described(z.int().check(z.gte(0)), "warrants issued on the line"),
  }).apply(named, "CreditLineRecord");

export const WarrantRecord = z
  .object({
    id: described(Hex32, "the issuing transaction's hash; also the id of the warrant's first piece"),
    lineId: PartyId,
    obligorId: PartyId,
    bankId: described(PartyId, "the bank that granted the line"),
    holderId: described(PartyId, "the first holder"),
    amount: described(Amount, "face value: always the sum of the live leaves"),
    currency: Currency,
    maturityDate: CalendarDate,
    sources: described(z.array(Hex32), "the first holder's receivables on the obligor: the trade background"),
    settled: described(Amount, "sum of the paid (SETTLED) leaves"),
    status: WarrantStatusSchema,
    issuedAt: TimeMs,
    updatedAt: TimeMs,
    writtenOff: described(Amount, "sum of the leaves written off (DEFAULTED): with any, the warrant is DEFAULTED"),
  }).apply(named, "WarrantRecord");

export const PieceRecord = z
  .object({
    id: described(Hex32, "the warrant id for the first piece; pieceIdOf(transfer tx hash, output index) otherwise"),
    warrantId: Hex32,
    parentId: described(z.string(), "the piece spent to create this one; empty for the first piece"),
    holderId: PartyId,
    amount: Amount,
    depth: z.int().check(z.gte(0)),
    status: PieceStatusSchema,
    offeredTo: described(z.string(), "the bank an OFFERED piece is offered to; empty otherwise"),
    financedBy: described(z.string(), "the bank that financed (or bought) it; empty otherwise"),
    advance: described(Amount, "what the financing bank advanced"),
    tradeRef: described(z.string(), "the holder's receivable on the sender that backs the piece; empty for the first piece and bank sales"),
    children: described(z.array(Hex32), "the pieces it was spent into"),
    obligorId: PartyId,
    currency: Currency,
    maturityDate: CalendarDate,
    createdAt: TimeMs,
    updatedAt: TimeMs,
    soldBy: described(z.string(), "whom the holder bank bought the piece from (kept by a bank sale's pieces); empty otherwise"),
    dueDate: described(z.string(), "the due date as extended (an extension the obligor accepted); empty: the maturity date"),
    extensionDueDate: described(z.string(), "a due date the holder bank proposed, pending the obligor's acceptance; empty: none"),
    extensions: described(z.int().check(z.gte(0)), "extensions of its due date accepted"),
    writtenOff: described(Amount, "the face written off by the holder bank (DEFAULTED)"),
  }).apply(named, "PieceRecord");

export const CreditLineView = z
  .object({
    creditLine: CreditLineRecord,
    available: described(Amount, "limit less outstanding (0 if the limit was lowered below it): room for new warrants"),
    expired: described(z.boolean(), "the expiry date is before the head block's UTC day: no new warrant may draw on it"),
    asOf: AsOf,
  }).apply(named, "CreditLine");

const PieceAging = described(
  z.nullable(z.enum(AGING_BUCKETS)),
  "days past the piece's due date (its maturity, as extended) at the head: current, 1-30, 31-90, >90 (sdk pieceAging); null for a SETTLED, SPENT or DEFAULTED piece",
);

export const WarrantTreeView = z
  .object({
    warrant: WarrantRecord,
    pieces: described(z.array(PieceRecord), "the tree, root first, parents before children: all of it for the obligor, the granting bank and supervisors; a holder's own pieces and their ancestry otherwise"),
    complete: described(z.boolean(), "false when `pieces` shows only the caller's part of the tree"),
    outstanding: described(Amount, "face value less what was paid"),
    overdue: described(z.boolean(), "matured before the head block's UTC day and not settled"),
    asOf: AsOf,
  }).apply(named, "WarrantTree");

export const PieceItemView = z
  .object({
    piece: PieceRecord,
    overdue: described(z.boolean(), "a leaf unpaid after its due day, the maturity as extended (at the head block's time); a written-off piece is not"),
    aging: PieceAging,
  }).apply(named, "PieceItem");

// ---- title documents and pledges (DESIGN.md §8, docs/titles.md) -------------------------------

export const TITLE_STATUSES = ["HELD", "PLEDGE_OFFERED", "PLEDGED", "SURRENDERED"] as const;
export const TitleStatusSchema = described(z.enum(TITLE_STATUSES), "HELD, PLEDGE_OFFERED and PLEDGED titles are live; a SURRENDERED one was delivered against");
export const PLEDGE_OUTCOMES = ["OFFERED", "PLEDGED", "RELEASED", "DECLINED", "WITHDRAWN"] as const;
const LotIdView = described(PartyId, "lot id, chosen by its custodian");

export const GoodsView = z
  .object({
    hsCode: described(z.string(), "Harmonized System code, 6-10 digits"),
    descriptionHash: described(Hex32, "document hash of the goods' description"),
    unit: described(z.string(), "UN/ECE Recommendation 20 unit code (TNE, KGM, ...): the unit of every quantity on the lot and its titles"),
  }).apply(named, "Goods");

export const LotRecord = z
  .object({
    id: LotIdView,
    custodianId: described(PartyId, "the custodian that attests the lot and issues its titles"),
    goods: GoodsView,
    quantity: described(Quantity, "the last attested quantity"),
    titled: described(Quantity, "Σ quantity of the lot's live titles: never above `quantity`"),
    titles: described(z.int().check(z.gte(0)), "titles ever issued on the lot"),
    attestedAt: TimeMs,
    updatedAt: TimeMs,
  }).apply(named, "LotRecord");

export const PledgeRecord = z
  .object({
    bankId: PartyId,
    securedAmount: described(Amount, "what the pledge secures, minor units"),
    currency: Currency,
    expiryDate: CalendarDate,
    offeredAt: TimeMs,
    acceptedAt: described(TimeMs, "0 while only offered"),
  }).apply(named, "PledgeRecord");

export const TitleRecord = z
  .object({
    id: described(Hex32, "the issuing transaction's hash"),
    kind: TitleKindSchema,
    fingerprint: described(Hex32, "the document number, normalised (fingerprintWarehouseReceipt, fingerprintBillOfLading)"),
    lotId: LotIdView,
    custodianId: described(PartyId, "the custodian that issued it"),
    quantity: described(Quantity, "in the lot's goods.unit"),
    holderId: PartyId,
    firstHolderId: described(PartyId, "the holder it was issued to: the exporter a bill of lading belongs to"),
    status: TitleStatusSchema,
    pledge: described(z.nullable(PledgeRecord), "the current pledge while PLEDGE_OFFERED or PLEDGED; null otherwise"),
    pledges: described(z.int().check(z.gte(0)), "pledges ever accepted on the title"),
    issuedAt: TimeMs,
    updatedAt: TimeMs,
  }).apply(named, "TitleRecord");

export const PledgeStepView = described(
  z.object({ height: U64, index: z.int().check(z.gte(0)), time: TimeMs, txHash: Hex32, signer: PartyId }), "the transaction of a pledge step: where and when (GET /v1/txs/:hash serves it with its proofs)").apply(named, "PledgeStep");

export const PledgeHistoryView = z
  .object({
    bankId: PartyId,
    holderId: described(PartyId, "the holder that offered the pledge"),
    securedAmount: Amount,
    currency: Currency,
    expiryDate: CalendarDate,
    outcome: described(
      z.enum(PLEDGE_OUTCOMES), "OFFERED: an open offer; PLEDGED: accepted, in force; RELEASED: accepted, then released by the bank; DECLINED: the offer released by the bank; WITHDRAWN: the offer released by the holder"),
    offered: PledgeStepView,
    accepted: z.optional(PledgeStepView),
    released: described(z.optional(PledgeStepView), "its signer is the releasing party"),
  }).apply(named, "PledgeHistoryEntry");

export const TitleView = z
  .object({
    title: TitleRecord,
    goods: described(GoodsView, "what the title's quantity counts: the lot's goods"),
    pledges: described(z.array(PledgeHistoryView), "every pledge the title had, oldest first; the current one (if any) last"),
    asOf: AsOf,
  }).apply(named, "Title");

/** An alert as GET /v1/alerts lists it: the receipt's alert with the transaction's place and time. */
export const AlertRecordView = z.extend(AlertView, {
  height: U64,
  index: described(z.int(), "the transaction's index in its block"),
  time: described(TimeMs, "block time"),
  txHash: described(Hex32, "the offending transaction"),
  signer: PartyId,
  code: described(ResultCodeSchema, "the transaction's receipt code (BLOCKED_BY_RULE when a BLOCK rule refused it)"),
}).apply(named, "AlertRecord");
export type AlertRecordJson = z.output<typeof AlertRecordView>;

/** An active supervision rule (GET /v1/rules). */
// Governance (DESIGN.md §12, docs/governance.md): an observer admitted on the ledger.
export const ObserverRecordView = z
  .object({
    nodePublicKey: described(Hex32, "the observer's node key (its libp2p identity)"),
    partyId: described(PartyId, "the party that operates it"),
    admittedBy: PartyId,
    admittedAt: described(U64, "height of the admitting block"),
    removedBy: described(z.string(), "the party that removed it; empty while admitted"),
    removedAt: described(U64, "height of the removing block; 0 while admitted"),
    reason: described(z.string(), "the removal's reason"),
  }).apply(named, "Observer");

export const SupervisionRuleView = z
  .object({
    ruleId: PartyId,
    kind: RuleKindSchema,
    params: RuleParamsJson,
    severity: SeveritySchema,
    setBy: PartyId,
    setAt: described(TimeMs, "block time of the transaction that set the rule"),
    setHeight: described(U64, "block height of the transaction that set the rule"),
  }).apply(named, "SupervisionRule");
export type SupervisionRuleJson = z.output<typeof SupervisionRuleView>;

/** A validator-set proposal (DESIGN.md §12, docs/governance.md). */
export const ValidatorProposalView = z
  .object({
    proposalId: Hex32,
    change: ValidatorChangeKindSchema,
    nodePublicKey: described(Hex32, "the node key of the validator added or removed; for ROTATE_KEY its key until the switch"),
    partyId: PartyId,
    newNodePublicKey: described(z.optional(Hex), "ROTATE_KEY: the validator's node key from the switch on (32 bytes); empty or absent otherwise"),
    proposer: PartyId,
    approvals: described(z.array(PartyId), "parties that approved, the proposer first"),
    proposedAt: described(U64, "block height of the proposal"),
    decidedAt: described(U64, "block height at which 2f + 1 approved; \"0\" while open"),
  }).apply(named, "ValidatorProposal");

export type ValidatorProposalJson = z.output<typeof ValidatorProposalView>;

/** The validator set in ledger state and, if asked for, one proposal (GET /v1/governance). */
export const EpochLinkView = described(
  z.object({
    epoch: U64,
    checkpoint: CheckpointCertificateView,
    header: Hex,
    setRecord: Hex,
    proof: StateProofView,
  }), "the proof that validator-set `epoch` began: the previous set's checkpoint certificate at the switch seq E, header E, and the ValidatorSet record (v/set) proven under its state root (docs/governance.md §5)").apply(named, "EpochLink");

export const GovernanceView = z
  .object({
    validators: z.array(z.object({ partyId: PartyId, nodePublicKey: Hex32 })),
    version: described(U64, "changes decided since genesis; consensus runs this set from the epoch boundary after the deciding block"),
    f: described(z.number(), "Byzantine validators the set tolerates: floor((n - 1) / 3)"),
    approvalsNeeded: described(z.number(), "2f + 1: approvals that decide a change"),
    proposal: z.optional(ValidatorProposalView),
  }).apply(named, "Governance");

// ---- a piece with the proofs of its steps (after TxView, which it refers to) ----

export const PieceStepView = z
  .object({
    pieceId: Hex32,
    created: described(TxView, "the transaction that created the piece: the warrant's issue for the first piece, a transfer otherwise"),
    financed: described(z.optional(TxView), "the bank's financing of the piece, when that made the bank its holder"),
  }).apply(named, "PieceStep");

export const PieceProofsView = described(
  z.object({
    creditLine: described(TxView, "the grant of the warrant's credit line (its signer is the bank)"),
    steps: described(z.array(PieceStepView), "one per piece from the warrant's first piece to this one"),
    state: described(z.optional(CertifiedRecordView), "the piece's record (holder, status...) proven at a certified height; absent while the head is not certified"),
    history: described(z.optional(ObjectHistoryPageView), "the piece's own history with proofs (up to 1000 entries), when the caller may read it (GET /v1/pieces/:id/history): verifyPiece proves it complete"),
  }), "each transaction as GET /v1/txs/:hash serves it, with inclusion proofs and the commit certificate: check with verifyPiece").apply(named, "PieceProofs");

export const PieceView = z
  .object({
    piece: PieceRecord,
    warrant: WarrantRecord,
    ancestry: described(z.array(PieceRecord), "the warrant's first piece first, the piece's parent last; empty for a first piece"),
    overdue: z.boolean(),
    aging: PieceAging,
    asOf: AsOf,
    proofs: described(z.optional(PieceProofsView), "with ?proofs=true"),
  }).apply(named, "Piece");
