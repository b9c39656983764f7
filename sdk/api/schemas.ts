// The zod schemas of the RPC's JSON views (ledger records, events, receipts, transactions, blocks,
// status, exposure, the event stream), named for OpenAPI by `named` (primitives.ts), and the JSON types
// the SDK returns. Browser-safe.
import * as z from "zod/mini";
import { AGING_BUCKETS } from "../domain.js";
import type { Role, Event, PieceStatus, ReceivableStatus, TitleStatus, WarrantStatus } from "../types.js";
import type { TxType } from "../transactions/index.js";
import { MAX_CERTIFIED_CHAIN } from "../certified.js";
import {
  ALERT_EVENT,
  Amount,
  CalendarDate,
  Currency,
  described,
  EVENT_TYPES,
  Hex,
  Hex32,
  named,
  PartyId,
  Quantity,
  RECEIVABLE_STATUSES,
  ReceivableStatusSchema,
  REJECTED_EVENT,
  ResultCodeSchema,
  RoleSchema,
  TimeMs,
  TitleKindSchema,
  U64,
  ValidatorChangeKindSchema,
} from "./primitives.js";
import { TxPayloadView, TxTypeSchema } from "./tx-payloads.js";
import { RuleKindSchema, RuleParamsJson, SeveritySchema } from "../transactions/set-rule.js";

// The enums of primitives.ts and tx-payloads.ts restate domain unions; a compile error here means
// one drifted.
type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const inSync: [
  Equal<z.output<typeof RoleSchema>, Role>,
  Equal<z.output<typeof TxTypeSchema>, TxType>,
  Equal<(typeof EVENT_TYPES)[number], Event["type"]>,
  Equal<(typeof RECEIVABLE_STATUSES)[number], ReceivableStatus>,
  Equal<(typeof PIECE_STATUSES)[number], PieceStatus>,
  Equal<(typeof WARRANT_STATUSES)[number], WarrantStatus>,
  Equal<(typeof TITLE_STATUSES)[number], TitleStatus>,
] = [true, true, true, true, true, true, true];
void inSync;

// ---- ledger records -------------------------------------------------------------------------

export const PIECE_STATUSES = ["HELD", "OFFERED", "FINANCED", "SPENT", "SETTLED", "DEFAULTED"] as const;
export const PieceStatusSchema = z.enum(PIECE_STATUSES);
export const WARRANT_STATUSES = ["ISSUED", "SETTLED", "DEFAULTED"] as const;
export const WarrantStatusSchema = z.enum(WARRANT_STATUSES);

export const PartyView = z
  .object({
    id: PartyId,
    role: RoleSchema,
    name: z.string(),
    country: z.string(),
    publicKey: Hex32,
    lei: described(z.string(), "ISO 17442 LEI or empty"),
    registeredBy: described(z.string(), "the bank that onboarded the party; empty for genesis parties"),
    registeredAt: TimeMs,
    retiredKeys: described(z.optional(z
      .array(z.object({
        publicKey: Hex32,
        untilHeight: described(U64, "the key signed transactions in blocks below this height"),
        resetBy: described(z.optional(z.string()), "the bank that reset the key; absent for the party's own rotation"),
        reason: described(z.optional(z.string()), "the reset's reason"),
      }))), "keys the party signed with before publicKey, oldest first (key rotation: docs/governance.md)"),
  }).apply(named, "Party");

export const FinancingView = z
  .object({
    id: described(Hex32, "the finance transaction's hash"),
    bankId: PartyId,
    amount: Amount,
    repaid: Amount,
    financedAt: TimeMs,
    writtenOff: described(Amount, "what the bank wrote off as a loss; outstanding = amount - repaid - writtenOff"),
    writtenOffAt: described(TimeMs, "block time of the write-off; 0 if never"),
  }).apply(named, "Financing");

export const ReceivableRecord = z
  .object({
    id: described(Hex32, "the registering transaction's hash"),
    exporterId: PartyId,
    buyerId: z.string(),
    amount: described(Amount, "face value in minor units"),
    currency: Currency,
    issueDate: CalendarDate,
    dueDate: CalendarDate,
    documentHash: Hex32,
    fingerprint: Hex32,
    status: ReceivableStatusSchema,
    declarationFingerprint: described(Hex, "the attested export declaration's fingerprint; empty until attested"),
    attestedBy: described(z.string(), "the customs party that attested it; empty until attested"),
    financings: z.array(FinancingView),
    registeredAt: TimeMs,
    updatedAt: TimeMs,
    buyerPartyId: described(z.string(), "the buyer's party id when the buyer is on the network; empty otherwise"),
    warrantPieceId: described(z.string(), "the digital-warrant piece this invoice backs (it can then never be financed or cancelled); empty otherwise"),
    // the buyer's word (DESIGN.md §9)
    acknowledgedAmount: described(Amount, "what the buyer confirmed it owes (at most the face value); 0 until acknowledged"),
    acknowledgedDueDate: described(z.union([z.literal(""), CalendarDate]), "the date the buyer confirmed it pays on; empty until acknowledged"),
    acknowledgedAt: described(TimeMs, "block time of the latest acknowledgement; 0 until acknowledged"),
    disputed: described(z.boolean(), "the buyer disputes the receivable: no new financing until it resolves the dispute (a flag, not a status)"),
    disputeReason: described(z.string(), "the open dispute's reason; empty when not disputed"),
    disputedSince: described(TimeMs, "block time the open dispute was raised; 0 when not disputed"),
    payeeBankId: described(z.string(), "the bank that notified the buyer of the assignment (only it may change the payee while it finances); empty until notified"),
    payeeAccountHash: described(Hex, "SHA-256 of the account the buyer is to pay (32 bytes); empty until notified"),
    payeeNotifiedAt: described(TimeMs, "block time of the latest notice of assignment; 0 until notified"),
    // before, during and after lending (DESIGN.md §10)
    extensionBankId: described(z.string(), "the bank whose proposal of a new due date awaits the exporter; empty if none"),
    extensionDueDate: described(z.union([z.literal(""), CalendarDate]), "the proposed due date; empty if none"),
    extensionProposedAt: described(TimeMs, "block time of the pending proposal; 0 if none"),
    extensions: described(z.int(), "extensions of the due date accepted so far"),
  }).apply(named, "ReceivableRecord");

export const DeclarationView = z
  .object({
    fingerprint: Hex32,
    documentHash: Hex32,
    exporterId: PartyId,
    declaredValue: Amount,
    currency: Currency,
    exportDate: CalendarDate,
    customsId: PartyId,
    attestedTotal: Amount,
    receivableIds: z.array(Hex32),
  }).apply(named, "Declaration");

export const DocumentRecordView = z
  .object({
    documentHash: Hex32,
    documentType: z.string(),
    anchoredBy: PartyId,
    receivableId: described(z.string(), "linked receivable id, or empty"),
    anchoredAt: TimeMs,
    txHash: Hex32,
  }).apply(named, "DocumentRecord");

export const AsOf = described(
  z.object({ height: U64, time: TimeMs }), "the head block the answer was read at; derived values (overdue) use its time, the ledger's 'now'").apply(named, "AsOf");

export const ReceivableView = z
  .object({
    receivable: ReceivableRecord,
    liveFinanced: described(Amount, "outstanding financed principal: sum of (amount - repaid) over financings"),
    available: described(Amount, "the room left for new financing: face value minus live financed, or the buyer's acknowledged amount minus live financed for a receivable only its buyer's acknowledgement backs; 0 when it may not be financed at all (no trade background, disputed, closed, committed to a warrant)"),
    overdue: described(z.boolean(), "due date before the head block's UTC day, and neither settled nor cancelled"),
    financeable: described(z.boolean(), "a finance transaction of up to `available` would pass: attested by customs or acknowledged by its buyer, not disputed, not overdue, room left"),
    declaration: described(z.nullable(DeclarationView), "the attested export declaration, once attested"),
    asOf: AsOf,
  }).apply(named, "Receivable");

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

// ---- events, receipts, transactions, blocks --------------------------------------------------

export const EventView = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("partyRegistered"), partyId: PartyId, role: RoleSchema }),
    z.object({ type: z.literal("receivableRegistered"), receivableId: Hex32, exporterId: PartyId, amount: Amount, currency: Currency, dueDate: CalendarDate }),
    z.object({ type: z.literal("receivableAttested"), receivableId: Hex32, declarationFingerprint: Hex32, customsId: PartyId }),
    z.object({ type: z.literal("receivableFinanced"), receivableId: Hex32, financingId: Hex32, bankId: PartyId, amount: Amount, liveFinanced: Amount }),
    z.object({ type: z.literal("repaymentRecorded"), receivableId: Hex32, financingId: Hex32, bankId: PartyId, amount: Amount, financingOutstanding: Amount }),
    z.object({ type: z.literal("receivableSettled"), receivableId: Hex32 }),
    z.object({ type: z.literal("receivableCancelled"), receivableId: Hex32 }),
    z.object({ type: z.literal("documentAnchored"), documentHash: Hex32, documentType: z.string(), receivableId: z.string() }),
    z.object({ type: z.literal("creditLineGranted"), lineId: PartyId, bankId: PartyId, obligorId: PartyId, currency: Currency, limit: Amount, expiryDate: CalendarDate }),
    z.object({ type: z.literal("creditLineAdjusted"), lineId: PartyId, limit: Amount, expiryDate: CalendarDate, outstanding: Amount }),
    z.object({
      type: z.literal("warrantIssued"),
      warrantId: Hex32,
      lineId: PartyId,
      obligorId: PartyId,
      holderId: PartyId,
      amount: Amount,
      currency: Currency,
      maturityDate: CalendarDate,
      lineOutstanding: Amount,
    }),
    z.object({
      type: z.literal("pieceCreated"),
      pieceId: Hex32,
      warrantId: Hex32,
      parentId: described(z.string(), "empty for a warrant's first piece"),
      holderId: PartyId,
      amount: Amount,
      depth: z.int(),
      tradeRef: z.string(),
    }),
    z.object({ type: z.literal("pieceSpent"), pieceId: Hex32, warrantId: Hex32 }),
    z.object({ type: z.literal("pieceOffered"), pieceId: Hex32, bankId: PartyId }),
    z.object({ type: z.literal("offerWithdrawn"), pieceId: Hex32, bankId: PartyId }),
    z.object({ type: z.literal("offerDeclined"), pieceId: Hex32, bankId: PartyId }),
    z.object({ type: z.literal("pieceFinanced"), pieceId: Hex32, bankId: PartyId, sellerId: PartyId, advance: Amount }),
    z.object({ type: z.literal("piecePaid"), pieceId: Hex32, warrantId: Hex32, holderId: PartyId, amount: Amount, lineOutstanding: Amount }),
    z.object({ type: z.literal("warrantSettled"), warrantId: Hex32, lineId: PartyId }),
    // title documents and pledges (DESIGN.md §8)
    z.object({
      type: z.literal("stockAttested"),
      lotId: described(PartyId, "lot id"),
      custodianId: PartyId,
      hsCode: z.string(),
      descriptionHash: Hex32,
      unit: z.string(),
      quantity: described(Quantity, "the lot's attested quantity after this event"),
      titled: described(Quantity, "Σ quantity of the lot's live titles"),
    }),
    z.object({
      type: z.literal("titleIssued"),
      titleId: Hex32,
      kind: TitleKindSchema,
      fingerprint: Hex32,
      lotId: described(PartyId, "lot id"),
      custodianId: PartyId,
      holderId: PartyId,
      quantity: Quantity,
      lotTitled: described(Quantity, "Σ quantity of the lot's live titles after this issue"),
    }),
    z.object({ type: z.literal("titleTransferred"), titleId: Hex32, fromId: PartyId, toId: PartyId }),
    z.object({ type: z.literal("pledgeOffered"), titleId: Hex32, holderId: PartyId, bankId: PartyId, securedAmount: Amount, currency: Currency, expiryDate: CalendarDate }),
    z.object({ type: z.literal("pledgeAccepted"), titleId: Hex32, holderId: PartyId, bankId: PartyId }),
    z.object({
      type: z.literal("pledgeReleased"),
      titleId: Hex32,
      holderId: PartyId,
      bankId: PartyId,
      releasedBy: described(PartyId, "the pledgee bank, or the holder withdrawing an offer nobody accepted"),
      wasAccepted: described(z.boolean(), "whether the pledge had been accepted (PLEDGED) or only offered"),
    }),
    z.object({ type: z.literal("titleSurrendered"), titleId: Hex32, lotId: described(PartyId, "lot id"), custodianId: PartyId, holderId: PartyId, quantity: Quantity, lotTitled: Quantity }),
    // the buyer's word (DESIGN.md §9)
    z.object({ type: z.literal("receivableAcknowledged"), receivableId: Hex32, buyerPartyId: PartyId, amount: Amount, dueDate: CalendarDate }),
    z.object({ type: z.literal("receivableDisputed"), receivableId: Hex32, buyerPartyId: PartyId, reason: z.string() }),
    z.object({ type: z.literal("disputeResolved"), receivableId: Hex32, buyerPartyId: PartyId }),
    z.object({
      type: z.literal("assignmentNotified"),
      receivableId: Hex32,
      bankId: PartyId,
      payeeAccountHash: Hex32,
      buyerPartyId: described(z.string(), "the buyer told whom to pay; empty when the buyer is not on the network"),
    }),
    // before, during and after lending (DESIGN.md §10)
    z.object({ type: z.literal("extensionProposed"), receivableId: Hex32, bankId: PartyId, dueDate: CalendarDate, newDueDate: CalendarDate }),
    z.object({ type: z.literal("extensionAccepted"), receivableId: Hex32, exporterId: PartyId, bankId: PartyId, previousDueDate: CalendarDate, dueDate: CalendarDate }),
    z.object({ type: z.literal("financingWrittenOff"), receivableId: Hex32, financingId: Hex32, bankId: PartyId, amount: described(Amount, "what was outstanding: now a loss") }),
    z.object({ type: z.literal("receivableDefaulted"), receivableId: Hex32 }),
    z.object({ type: z.literal("financialsAttested"), partyId: PartyId, attestedBy: PartyId, periodEnd: CalendarDate, documentHash: Hex32 }),
    z.object({ type: z.literal("consentGranted"), partyId: PartyId, bankId: PartyId, expiryDate: CalendarDate }),
    // post-lending for warrant pieces
    z.object({ type: z.literal("pieceExtensionProposed"), pieceId: Hex32, bankId: PartyId, dueDate: CalendarDate, newDueDate: CalendarDate }),
    z.object({ type: z.literal("pieceExtensionAccepted"), pieceId: Hex32, obligorId: PartyId, bankId: PartyId, previousDueDate: CalendarDate, dueDate: CalendarDate }),
    z.object({ type: z.literal("pieceWrittenOff"), pieceId: Hex32, warrantId: Hex32, bankId: PartyId, amount: described(Amount, "the piece's face, unpaid by the obligor: now a loss") }),
    // governance (DESIGN.md §12, docs/governance.md)
    z.object({ type: z.literal("observerAdmitted"), nodePublicKey: described(Hex32, "the observer's node key (its libp2p identity)"), partyId: described(PartyId, "the party that operates it"), admittedBy: PartyId }),
    z.object({ type: z.literal("observerRemoved"), nodePublicKey: Hex32, removedBy: PartyId, reason: z.string() }),
    z.object({ type: z.literal("keyRotated"), partyId: PartyId, publicKey: described(Hex32, "the new key, in force from the next block"), resetBy: described(z.string(), "the bank that reset the key; empty for the party's own rotation"), reason: z.string() }),
    z.object({ type: z.literal("validatorChangeProposed"), proposalId: Hex32, change: ValidatorChangeKindSchema, nodePublicKey: Hex32, partyId: PartyId, proposer: PartyId }),
    z.object({ type: z.literal("validatorChangeApproved"), proposalId: Hex32, approver: PartyId, approvals: z.number(), needed: described(z.number(), "2f + 1 of the current validator set") }),
    z.object({
      type: z.literal("validatorSetChanged"),
      proposalId: Hex32,
      change: ValidatorChangeKindSchema,
      nodePublicKey: Hex32,
      partyId: PartyId,
      validators: described(z.number(), "n after the change"),
      version: described(U64, "the set's version after the change (0 = genesis)"),
    }),
  ]).apply(named, "Event");

// Supervision (DESIGN.md §11, docs/supervision.md): what a rule found in a transaction, in its receipt.
export const AlertView = z
  .object({
    alertId: described(Hex32, "SHA-256 of the transaction hash and the rule id"),
    ruleId: described(PartyId, "the supervision rule"),
    kind: RuleKindSchema,
    severity: SeveritySchema,
    parties: described(z.array(PartyId), "the parties it concerns, sorted"),
    evidence: described(z.array(Hex32), "transaction hashes (a receivable id is its registration's): the offending transaction last"),
    detail: described(z.string(), "what the rule found, in words"),
  }).apply(named, "Alert");

export const ReceiptView = z
  .object({
    txHash: Hex32,
    code: ResultCodeSchema,
    message: described(z.string(), "why, in words; empty on OK"),
    target: described(z.string(), "what the transaction aimed at (docs/ledger.md, Receipts)"),
    events: described(z.array(EventView), "emitted on OK only"),
    alerts: described(z.optional(z.array(AlertView)), "what supervision rules found (absent when nothing): on OK, ALERT rules; on BLOCKED_BY_RULE, the BLOCK rules; on any rejection, REJECTION_BURST"),
  }).apply(named, "Receipt");

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
    nodePublicKey: Hex32,
    partyId: PartyId,
    proposer: PartyId,
    approvals: described(z.array(PartyId), "parties that approved, the proposer first"),
    proposedAt: described(U64, "block height of the proposal"),
    decidedAt: described(U64, "block height at which 2f + 1 approved; \"0\" while open"),
  }).apply(named, "ValidatorProposal");

export type ValidatorProposalJson = z.output<typeof ValidatorProposalView>;

/** The validator set in ledger state and, if asked for, one proposal (GET /v1/governance). */
export const GovernanceView = z
  .object({
    validators: z.array(z.object({ partyId: PartyId, nodePublicKey: Hex32 })),
    version: described(U64, "changes decided since genesis; consensus runs this set from the epoch boundary after the deciding block"),
    f: described(z.number(), "Byzantine validators the set tolerates: floor((n - 1) / 3)"),
    approvalsNeeded: described(z.number(), "2f + 1: approvals that decide a change"),
    proposal: z.optional(ValidatorProposalView),
  }).apply(named, "Governance");
export type AlertJson = z.output<typeof AlertView>;

export const TxBodyView = z
  .object({ chainId: z.string(), signer: PartyId, createdAt: TimeMs, nonce: Hex, payload: TxPayloadView }).apply(named, "TxBody");

export const HeaderView = z
  .object({
    chainId: z.string(),
    height: U64,
    prevHash: Hex32,
    time: TimeMs,
    proposer: z.string(),
    txsRoot: Hex32,
    receiptsRoot: Hex32,
    stateRoot: Hex32,
    txCount: z.int().check(z.gte(0)),
    view: U64,
  }).apply(named, "BlockHeader");

export const CertificateView = described(
  z.object({
    chainId: z.string(),
    view: U64,
    seq: described(U64, "the block height"),
    digest: described(Hex32, "batchDigest(chainId, height, time, txsRoot) (sdk/commit.ts)"),
    epoch: described(z.optional(U64), "validator-set epoch (docs/governance.md); absent for the genesis set"),
    commits: z.array(z.object({ replica: described(z.int().check(z.gte(0)), "index in the validator set"), signature: described(Hex, "ed25519, 64 bytes") })),
  }), "2f+1 validator COMMIT signatures: check with verifyCommitCertificate against the genesis validator set").apply(named, "CommitCertificate");

export const CheckpointCertificateView = described(
  z.object({
    seq: described(U64, "the checkpointed block's height"),
    timestamp: described(TimeMs, "its time"),
    blockHash: described(Hex32, "its hash (the checkpoint's state digest)"),
    signatures: z.array(z.object({ replica: described(z.int().check(z.gte(0)), "index in the validator set"), signature: described(Hex, "ed25519, 64 bytes") })),
    epoch: described(z.optional(U64), "validator-set epoch; absent for the genesis set"),
  }), "2f+1 validators' CHECKPOINT signatures over (chainId, seq, timestamp, blockHash) (sdk/commit.ts checkpointSigningBytes)").apply(named, "CheckpointCertificate");

export const CertifiedHeaderView = described(
  z.object({
    height: described(U64, "the height of `header`"),
    header: described(Hex, "the encoded BlockHeader, whose SHA-256 is the block hash"),
    chain: described(z.array(Hex).check(z.maxLength(MAX_CERTIFIED_CHAIN)), "the encoded headers above it up to the checkpointed block, ascending; each one's prevHash is the hash of the one before"),
    checkpoint: CheckpointCertificateView,
  }), "certifies the whole header - receipts root and state root included - to anyone who knows the validator set: check with verifyCertifiedHeader (sdk/certified.ts)").apply(named, "CertifiedHeader");

export const StateProofView = z
  .object({
    depth: z.int().check(z.gte(1)).check(z.lte(32)),
    entries: described(Hex, "the key's bucket: keyHash || valueHash entries (sdk/proofs.ts)"),
    siblings: described(Hex, "sibling hashes, bottom level first"),
  }).apply(named, "StateProof");

export const EpochLinkView = described(
  z.object({
    epoch: U64,
    checkpoint: CheckpointCertificateView,
    header: Hex,
    setRecord: Hex,
    proof: StateProofView,
  }), "the proof that validator-set `epoch` began: the previous set's checkpoint certificate at the switch seq E, header E, and the ValidatorSet record (v/set) proven under its state root (docs/governance.md §5)").apply(named, "EpochLink");

export const SignerKeysView = described(
  z.object({
    height: described(U64, "the height the records are proven at (the head when served)"),
    certified: CertifiedHeaderView,
    parties: z.array(
      z.object({
        partyId: PartyId,
        record: described(z.nullable(Hex), "the encoded Party record (null: no such party)"),
        proof: described(StateProofView, "of the state key p/<partyId> under the certified header's state root"),
      }),
    ),
  }), "the signers' party records proven from certified state: verifyTx and verifyHistory check each signature against the key in force at its height (sdk/signers.ts)").apply(named, "SignerKeys");

export const TxEntryView = z
  .object({
    height: U64,
    index: described(z.int().check(z.gte(0)), "position of the transaction in its block"),
    time: described(TimeMs, "the block's time"),
    txHash: Hex32,
    signer: z.string(),
    type: z.nullable(TxTypeSchema),
    code: ResultCodeSchema,
    message: z.string(),
    target: z.string(),
  }).apply(named, "TxEntry");

export const InclusionProofView = z
  .object({
    tx: described(Hex, "the SignedTx bytes exactly as committed"),
    receipt: described(Hex, "the encoded Receipt, the leaf under the header's receiptsRoot"),
    txProof: described(z.array(Hex32), "RFC 6962 audit path of the tx hash under txsRoot"),
    receiptProof: described(z.array(Hex32), "RFC 6962 audit path of the receipt under receiptsRoot"),
  }).apply(named, "InclusionProof");

export const HistoryEntryView = z.extend(TxEntryView, {
  event: described(z.optional(EventView), "the event this entry records; absent for a rejected attempt"),
  eventIndex: z.optional(z.int().check(z.gte(0))),
  proof: described(z.optional(InclusionProofView), "with ?proofs=true"),
  ordinal: described(z.optional(z.int().check(z.gte(0))), "with ?proofs=true: the entry's 0-based position in the object's history"),
  chainHead: described(z.optional(Hex32), "with ?proofs=true: the history chain head after this entry (sdk/history-chain.ts), to locate a missing entry"),
}).apply(named, "HistoryEntry");

export const CertifiedRecordView = described(
  z.object({
    height: described(U64, "the certified height the record is proven at (the head when served)"),
    certified: CertifiedHeaderView,
    record: described(z.nullable(Hex), "the encoded state record; null: no such record"),
    proof: described(StateProofView, "of the record's state key under the certified header's state root"),
  }), "a state record proven from certified state (sdk/certified.ts verifyCertifiedState)").apply(named, "CertifiedRecord");

export const HistoryCompleteView = described(
  z.object({
    height: described(U64, "the certified height the history is proven complete at"),
    certified: CertifiedHeaderView,
    record: described(z.nullable(Hex), "the encoded HistoryChain state record h/<kind>/<id> (count, head); null: no history yet"),
    proof: described(StateProofView, "of that record under the certified header's state root"),
  }), "the object's history chain proven from certified state: verifyHistory checks the entries served are all of them up to `height`").apply(named, "HistoryComplete");

export const BlockProofView = z
  .object({
    height: U64,
    hash: Hex32,
    header: described(Hex, "the encoded BlockHeader, whose SHA-256 is the block hash"),
    certificate: z.nullable(CertificateView),
    certified: described(z.optional(CertifiedHeaderView), "absent while the block is not certified yet (see `waitCertifiedMs`)"),
  }).apply(named, "BlockProof");

export const TxView = z
  .object({
    txHash: Hex32,
    height: U64,
    index: z.int().check(z.gte(0)),
    time: TimeMs,
    blockHash: Hex32,
    signer: PartyId,
    type: TxTypeSchema,
    body: TxBodyView,
    signature: Hex,
    receipt: ReceiptView,
    header: HeaderView,
    certificate: z.nullable(CertificateView),
    proof: z.extend(InclusionProofView, { header: described(Hex, "the encoded BlockHeader") }),
    certified: described(z.optional(CertifiedHeaderView), "the header certified with its receipts and state roots; absent while the block is not certified yet (see `waitCertifiedMs`)"),
    signerKeys: described(z.optional(SignerKeysView), "the signer's party record proven at a certified height; absent while the head is not certified yet"),
  }).apply(named, "Transaction");

// ---- histories with their proofs (sdk/verify.ts verifyHistory, verifyObjectHistory) ----

/** What a history page carries with `proofs=true`, beside each entry's own proof (every kind's the same). */
export const HistoryProofFields = {
  blocks: described(z.optional(z.array(BlockProofView)), "with proofs: each entry's block header, commit certificate and certified header"),
  signerKeys: described(z.optional(z.array(SignerKeysView)), "with proofs: the page's signers' keys proven from certified state (absent while the head is not certified)"),
  complete: described(z.optional(HistoryCompleteView), "with proofs: the object's history chain at a certified height, read before the page (absent while the head is not certified)"),
};

/** The kinds of object other than receivables with a history route (sdk/history-chain.ts ObjectKind). */
export const OBJECT_HISTORY_KINDS = ["piece", "warrant", "line", "title", "lot"] as const;

export const ObjectHistoryPageView = z
  .object({
    kind: z.enum(OBJECT_HISTORY_KINDS),
    id: described(z.string().check(z.minLength(2)).check(z.maxLength(64)), "the object's id"),
    items: z.array(HistoryEntryView),
    ...HistoryProofFields,
    cursor: described(z.optional(z.string()), "absent on the last page; a page may hold fewer than `limit` items and still have one"),
  }).apply(named, "ObjectHistoryPage");

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

export const BlockView = z
  .object({ height: U64, hash: Hex32, header: HeaderView, headerBytes: Hex, certificate: z.nullable(CertificateView) }).apply(named, "Block");

export const BlockTxView = z
  .object({ index: z.int().check(z.gte(0)), txHash: Hex32, signer: z.string(), type: z.nullable(TxTypeSchema), code: ResultCodeSchema, target: z.string() }).apply(named, "BlockTransaction");

export const HealthView = z.object({ status: z.literal("ok") }).apply(named, "Health");

export const ReadinessView = z
  .object({
    ready: z.boolean(),
    reasons: described(z.array(z.string()), "why the node is not ready; empty when it is"),
    height: U64,
    validatorPeers: described(z.int(), "validators this node is connected to"),
    quorumPeers: described(z.int(), "validator peers it needs: a validator 2f (itself makes 2f+1), an observer f+1"),
  }).apply(named, "Readiness");

export const StatusView = z
  .object({
    chainId: z.string(),
    nodeId: z.string(),
    mode: z.enum(["validator", "observer"]),
    height: U64,
    headHash: Hex32,
    headTime: TimeMs,
    stateRoot: Hex32,
    view: z.optional(U64),
    primary: z.optional(z.string()),
    viewActive: z.optional(z.boolean()),
    validators: described(z.array(z.object({ id: z.string(), publicKey: Hex32 })), "the validator set as this node knows it; auditors pin it from the genesis instead"),
    peers: z.array(z.object({ id: z.string(), validator: z.boolean() })),
    mempool: z.object({ txs: z.int(), bytes: z.int() }),
    halted: z.optional(z.string()),
    syncing: z.boolean(),
    notAdmitted: described(z.optional(z.string()), "an observer that no validator accepts: why, and which party must admit which node key (docs/governance.md)"),
    ready: z.boolean(),
    version: z.string(),
  }).apply(named, "Status");

export const CurrencyAmounts = described(z.record(z.string(), Amount), "amounts by ISO 4217 currency").apply(named, "CurrencyAmounts");

export const ExposureView = z
  .object({
    partyId: PartyId,
    asOf: AsOf,
    receivables: z.object({ total: z.int(), byStatus: z.record(z.string(), z.int()) }),
    outstanding: described(CurrencyAmounts, "live financed principal over the exporter's receivables, all banks"),
    outstandingByBank: z.record(z.string(), CurrencyAmounts),
    overdue: described(CurrencyAmounts, "the part of `outstanding` on receivables past their due date"),
    overdueReceivables: z.int(),
    rejectedAttempts: described(z.object({ total: z.int(), byCode: z.record(z.string(), z.int()) }), "transactions the party signed that the ledger rejected"),
  }).apply(named, "Exposure");

export const LedgerEventView = z
  .object({
    id: described(z.string(), "height:txIndex:eventIndex (eventIndex 'r' for a rejection, 'a<k>' for the transaction's k-th alert): resume with Last-Event-ID"),
    type: z.enum([...EVENT_TYPES, REJECTED_EVENT, ALERT_EVENT]),
    height: U64,
    index: z.int(),
    time: TimeMs,
    txHash: Hex32,
    signer: z.string(),
    receivableId: described(z.string(), "the receivable the event concerns, or empty"),
    event: z.optional(EventView),
    rejection: z.optional(z.object({ code: ResultCodeSchema, message: z.string(), target: z.string() })),
    alert: described(z.optional(AlertView), "for alertRaised: what a supervision rule found in the transaction"),
    code: described(z.optional(ResultCodeSchema), "for alertRaised: the transaction's receipt code"),
  }).apply(named, "LedgerEvent");

export const SubmitResultView = z
  .object({
    txHash: Hex32,
    status: z.enum(["pending", "committed"]),
    height: z.optional(U64),
    index: z.optional(z.int()),
    time: z.optional(TimeMs),
    blockHash: z.optional(Hex32),
    receipt: z.optional(ReceiptView),
  }).apply(named, "SubmitResult");

export type StatusJson = z.output<typeof StatusView>;
export type ReceivableJson = z.output<typeof ReceivableView>;
export type ReceivableRecordJson = z.output<typeof ReceivableRecord>;
export type EventJson = z.output<typeof EventView>;
export type ReceiptJson = z.output<typeof ReceiptView>;
export type TxEntryJson = z.output<typeof TxEntryView>;
export type HistoryEntryJson = z.output<typeof HistoryEntryView>;
export type BlockProofJson = z.output<typeof BlockProofView>;
export type TxJson = z.output<typeof TxView>;
export type BlockJson = z.output<typeof BlockView>;
export type PartyJson = z.output<typeof PartyView>;
export type ExposureJson = z.output<typeof ExposureView>;
export type LedgerEventJson = z.output<typeof LedgerEventView>;
export type SubmitResultJson = z.output<typeof SubmitResultView>;
export type CertificateJson = z.output<typeof CertificateView>;
export type CertifiedHeaderJson = z.output<typeof CertifiedHeaderView>;
export type CertifiedRecordJson = z.output<typeof CertifiedRecordView>;
export type CreditLineRecordJson = z.output<typeof CreditLineRecord>;
export type WarrantRecordJson = z.output<typeof WarrantRecord>;
export type PieceRecordJson = z.output<typeof PieceRecord>;
export type CreditLineJson = z.output<typeof CreditLineView>;
export type WarrantTreeJson = z.output<typeof WarrantTreeView>;
export type PieceItemJson = z.output<typeof PieceItemView>;
export type PieceStepJson = z.output<typeof PieceStepView>;
export type PieceProofsJson = z.output<typeof PieceProofsView>;
export type PieceJson = z.output<typeof PieceView>;
export type GoodsJson = z.output<typeof GoodsView>;
export type LotRecordJson = z.output<typeof LotRecord>;
export type PledgeRecordJson = z.output<typeof PledgeRecord>;
export type TitleRecordJson = z.output<typeof TitleRecord>;
export type PledgeStepJson = z.output<typeof PledgeStepView>;
export type PledgeHistoryJson = z.output<typeof PledgeHistoryView>;
export type TitleJson = z.output<typeof TitleView>;
export type ReadinessJson = z.output<typeof ReadinessView>;
