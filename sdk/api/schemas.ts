// The zod schemas of the RPC's JSON views (ledger records, events, receipts, transactions, blocks,
// status, exposure, the event stream), named for OpenAPI by `.meta({ id })`, and the JSON types
// the SDK returns. Browser-safe.
import { z } from "zod";
import type { Role, Event, PieceStatus, ReceivableStatus, TitleStatus, WarrantStatus } from "../types.js";
import type { TxType } from "../transactions/index.js";
import { MAX_CERTIFIED_CHAIN } from "../certified.js";
import {
  Amount,
  CalendarDate,
  Currency,
  EVENT_TYPES,
  Hex,
  Hex32,
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
} from "./primitives.js";
import { TxPayloadView, TxTypeSchema } from "./tx-payloads.js";
import { RuleKindSchema, SeveritySchema } from "../transactions/set-rule.js";

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

export const PIECE_STATUSES = ["HELD", "OFFERED", "FINANCED", "SPENT", "SETTLED"] as const;
export const PieceStatusSchema = z.enum(PIECE_STATUSES);
export const WARRANT_STATUSES = ["ISSUED", "SETTLED"] as const;
export const WarrantStatusSchema = z.enum(WARRANT_STATUSES);

export const PartyView = z
  .object({
    id: PartyId,
    role: RoleSchema,
    name: z.string(),
    country: z.string(),
    publicKey: Hex32,
    lei: z.string().describe("ISO 17442 LEI or empty"),
    registeredBy: z.string().describe("the bank that onboarded the party; empty for genesis parties"),
    registeredAt: TimeMs,
    retiredKeys: z
      .array(z.object({ publicKey: Hex32, untilHeight: U64.describe("the key signed transactions in blocks below this height") }))
      .optional()
      .describe("keys the party signed with before publicKey, oldest first (empty until key rotation exists)"),
  })
  .meta({ id: "Party" });

export const FinancingView = z
  .object({
    id: Hex32.describe("the finance transaction's hash"),
    bankId: PartyId,
    amount: Amount,
    repaid: Amount,
    financedAt: TimeMs,
    writtenOff: Amount.describe("what the bank wrote off as a loss; outstanding = amount - repaid - writtenOff"),
    writtenOffAt: TimeMs.describe("block time of the write-off; 0 if never"),
  })
  .meta({ id: "Financing" });

export const ReceivableRecord = z
  .object({
    id: Hex32.describe("the registering transaction's hash"),
    exporterId: PartyId,
    buyerId: z.string(),
    amount: Amount.describe("face value in minor units"),
    currency: Currency,
    issueDate: CalendarDate,
    dueDate: CalendarDate,
    documentHash: Hex32,
    fingerprint: Hex32,
    status: ReceivableStatusSchema,
    declarationFingerprint: Hex.describe("the attested export declaration's fingerprint; empty until attested"),
    attestedBy: z.string().describe("the customs party that attested it; empty until attested"),
    financings: z.array(FinancingView),
    registeredAt: TimeMs,
    updatedAt: TimeMs,
    buyerPartyId: z.string().describe("the buyer's party id when the buyer is on the network; empty otherwise"),
    warrantPieceId: z.string().describe("the digital-warrant piece this invoice backs (it can then never be financed or cancelled); empty otherwise"),
    // the buyer's word (DESIGN.md §9)
    acknowledgedAmount: Amount.describe("what the buyer confirmed it owes (at most the face value); 0 until acknowledged"),
    acknowledgedDueDate: z.union([z.literal(""), CalendarDate]).describe("the date the buyer confirmed it pays on; empty until acknowledged"),
    acknowledgedAt: TimeMs.describe("block time of the latest acknowledgement; 0 until acknowledged"),
    disputed: z.boolean().describe("the buyer disputes the receivable: no new financing until it resolves the dispute (a flag, not a status)"),
    disputeReason: z.string().describe("the open dispute's reason; empty when not disputed"),
    disputedSince: TimeMs.describe("block time the open dispute was raised; 0 when not disputed"),
    payeeBankId: z.string().describe("the bank that notified the buyer of the assignment (only it may change the payee while it finances); empty until notified"),
    payeeAccountHash: Hex.describe("SHA-256 of the account the buyer is to pay (32 bytes); empty until notified"),
    payeeNotifiedAt: TimeMs.describe("block time of the latest notice of assignment; 0 until notified"),
    // before, during and after lending (DESIGN.md §10)
    extensionBankId: z.string().describe("the bank whose proposal of a new due date awaits the exporter; empty if none"),
    extensionDueDate: z.union([z.literal(""), CalendarDate]).describe("the proposed due date; empty if none"),
    extensionProposedAt: TimeMs.describe("block time of the pending proposal; 0 if none"),
    extensions: z.number().int().describe("extensions of the due date accepted so far"),
  })
  .meta({ id: "ReceivableRecord" });

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
  })
  .meta({ id: "Declaration" });

export const DocumentRecordView = z
  .object({
    documentHash: Hex32,
    documentType: z.string(),
    anchoredBy: PartyId,
    receivableId: z.string().describe("linked receivable id, or empty"),
    anchoredAt: TimeMs,
    txHash: Hex32,
  })
  .meta({ id: "DocumentRecord" });

export const AsOf = z
  .object({ height: U64, time: TimeMs })
  .describe("the head block the answer was read at; derived values (overdue) use its time, the ledger's 'now'")
  .meta({ id: "AsOf" });

export const ReceivableView = z
  .object({
    receivable: ReceivableRecord,
    liveFinanced: Amount.describe("outstanding financed principal: sum of (amount - repaid) over financings"),
    available: Amount.describe("the room left for new financing: face value minus live financed, or the buyer's acknowledged amount minus live financed for a receivable only its buyer's acknowledgement backs; 0 when it may not be financed at all (no trade background, disputed, closed, committed to a warrant)"),
    overdue: z.boolean().describe("due date before the head block's UTC day, and neither settled nor cancelled"),
    financeable: z.boolean().describe("a finance transaction of up to `available` would pass: attested by customs or acknowledged by its buyer, not disputed, not overdue, room left"),
    declaration: DeclarationView.nullable().describe("the attested export declaration, once attested"),
    asOf: AsOf,
  })
  .meta({ id: "Receivable" });

// ---- digital warrants (DESIGN.md §7) ---------------------------------------------------------

export const CreditLineRecord = z
  .object({
    id: PartyId.describe("credit line id, chosen by the granting bank"),
    bankId: PartyId,
    obligorId: PartyId.describe("the core enterprise the line is granted to"),
    currency: Currency,
    limit: Amount,
    expiryDate: CalendarDate,
    outstanding: Amount.describe("face of the line's warrants less what was paid on them"),
    grantedAt: TimeMs,
    updatedAt: TimeMs,
    warrants: z.number().int().min(0).describe("warrants issued on the line"),
  })
  .meta({ id: "CreditLineRecord" });

export const WarrantRecord = z
  .object({
    id: Hex32.describe("the issuing transaction's hash; also the id of the warrant's first piece"),
    lineId: PartyId,
    obligorId: PartyId,
    bankId: PartyId.describe("the bank that granted the line"),
    holderId: PartyId.describe("the first holder"),
    amount: Amount.describe("face value: always the sum of the live leaves"),
    currency: Currency,
    maturityDate: CalendarDate,
    sources: z.array(Hex32).describe("the first holder's receivables on the obligor: the trade background"),
    settled: Amount.describe("sum of the paid (SETTLED) leaves"),
    status: WarrantStatusSchema,
    issuedAt: TimeMs,
    updatedAt: TimeMs,
  })
  .meta({ id: "WarrantRecord" });

export const PieceRecord = z
  .object({
    id: Hex32.describe("the warrant id for the first piece; pieceIdOf(transfer tx hash, output index) otherwise"),
    warrantId: Hex32,
    parentId: z.string().describe("the piece spent to create this one; empty for the first piece"),
    holderId: PartyId,
    amount: Amount,
    depth: z.number().int().min(0),
    status: PieceStatusSchema,
    offeredTo: z.string().describe("the bank an OFFERED piece is offered to; empty otherwise"),
    financedBy: z.string().describe("the bank that financed (or bought) it; empty otherwise"),
    advance: Amount.describe("what the financing bank advanced"),
    tradeRef: z.string().describe("the holder's receivable on the sender that backs the piece; empty for the first piece and bank sales"),
    children: z.array(Hex32).describe("the pieces it was spent into"),
    obligorId: PartyId,
    currency: Currency,
    maturityDate: CalendarDate,
    createdAt: TimeMs,
    updatedAt: TimeMs,
  })
  .meta({ id: "PieceRecord" });

export const CreditLineView = z
  .object({
    creditLine: CreditLineRecord,
    available: Amount.describe("limit less outstanding (0 if the limit was lowered below it): room for new warrants"),
    expired: z.boolean().describe("the expiry date is before the head block's UTC day: no new warrant may draw on it"),
    asOf: AsOf,
  })
  .meta({ id: "CreditLine" });

export const WarrantTreeView = z
  .object({
    warrant: WarrantRecord,
    pieces: z.array(PieceRecord).describe("the tree, root first, parents before children: all of it for the obligor, the granting bank and supervisors; a holder's own pieces and their ancestry otherwise"),
    complete: z.boolean().describe("false when `pieces` shows only the caller's part of the tree"),
    outstanding: Amount.describe("face value less what was paid"),
    overdue: z.boolean().describe("matured before the head block's UTC day and not settled"),
    asOf: AsOf,
  })
  .meta({ id: "WarrantTree" });

export const PieceItemView = z
  .object({
    piece: PieceRecord,
    overdue: z.boolean().describe("a leaf unpaid after its maturity day (at the head block's time)"),
  })
  .meta({ id: "PieceItem" });

// ---- title documents and pledges (DESIGN.md §8, docs/titles.md) -------------------------------

export const TITLE_STATUSES = ["HELD", "PLEDGE_OFFERED", "PLEDGED", "SURRENDERED"] as const;
export const TitleStatusSchema = z.enum(TITLE_STATUSES).describe("HELD, PLEDGE_OFFERED and PLEDGED titles are live; a SURRENDERED one was delivered against");
export const PLEDGE_OUTCOMES = ["OFFERED", "PLEDGED", "RELEASED", "DECLINED", "WITHDRAWN"] as const;
const LotIdView = PartyId.describe("lot id, chosen by its custodian");

export const GoodsView = z
  .object({
    hsCode: z.string().describe("Harmonized System code, 6-10 digits"),
    descriptionHash: Hex32.describe("document hash of the goods' description"),
    unit: z.string().describe("UN/ECE Recommendation 20 unit code (TNE, KGM, ...): the unit of every quantity on the lot and its titles"),
  })
  .meta({ id: "Goods" });

export const LotRecord = z
  .object({
    id: LotIdView,
    custodianId: PartyId.describe("the custodian that attests the lot and issues its titles"),
    goods: GoodsView,
    quantity: Quantity.describe("the last attested quantity"),
    titled: Quantity.describe("Σ quantity of the lot's live titles: never above `quantity`"),
    titles: z.number().int().min(0).describe("titles ever issued on the lot"),
    attestedAt: TimeMs,
    updatedAt: TimeMs,
  })
  .meta({ id: "LotRecord" });

export const PledgeRecord = z
  .object({
    bankId: PartyId,
    securedAmount: Amount.describe("what the pledge secures, minor units"),
    currency: Currency,
    expiryDate: CalendarDate,
    offeredAt: TimeMs,
    acceptedAt: TimeMs.describe("0 while only offered"),
  })
  .meta({ id: "PledgeRecord" });

export const TitleRecord = z
  .object({
    id: Hex32.describe("the issuing transaction's hash"),
    kind: TitleKindSchema,
    fingerprint: Hex32.describe("the document number, normalised (fingerprintWarehouseReceipt, fingerprintBillOfLading)"),
    lotId: LotIdView,
    custodianId: PartyId.describe("the custodian that issued it"),
    quantity: Quantity.describe("in the lot's goods.unit"),
    holderId: PartyId,
    firstHolderId: PartyId.describe("the holder it was issued to: the exporter a bill of lading belongs to"),
    status: TitleStatusSchema,
    pledge: PledgeRecord.nullable().describe("the current pledge while PLEDGE_OFFERED or PLEDGED; null otherwise"),
    pledges: z.number().int().min(0).describe("pledges ever accepted on the title"),
    issuedAt: TimeMs,
    updatedAt: TimeMs,
  })
  .meta({ id: "TitleRecord" });

export const PledgeStepView = z
  .object({ height: U64, index: z.number().int().min(0), time: TimeMs, txHash: Hex32, signer: PartyId })
  .describe("the transaction of a pledge step: where and when (GET /v1/txs/:hash serves it with its proofs)")
  .meta({ id: "PledgeStep" });

export const PledgeHistoryView = z
  .object({
    bankId: PartyId,
    holderId: PartyId.describe("the holder that offered the pledge"),
    securedAmount: Amount,
    currency: Currency,
    expiryDate: CalendarDate,
    outcome: z
      .enum(PLEDGE_OUTCOMES)
      .describe("OFFERED: an open offer; PLEDGED: accepted, in force; RELEASED: accepted, then released by the bank; DECLINED: the offer released by the bank; WITHDRAWN: the offer released by the holder"),
    offered: PledgeStepView,
    accepted: PledgeStepView.optional(),
    released: PledgeStepView.optional().describe("its signer is the releasing party"),
  })
  .meta({ id: "PledgeHistoryEntry" });

export const TitleView = z
  .object({
    title: TitleRecord,
    goods: GoodsView.describe("what the title's quantity counts: the lot's goods"),
    pledges: z.array(PledgeHistoryView).describe("every pledge the title had, oldest first; the current one (if any) last"),
    asOf: AsOf,
  })
  .meta({ id: "Title" });

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
      parentId: z.string().describe("empty for a warrant's first piece"),
      holderId: PartyId,
      amount: Amount,
      depth: z.number().int(),
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
      lotId: PartyId.describe("lot id"),
      custodianId: PartyId,
      hsCode: z.string(),
      descriptionHash: Hex32,
      unit: z.string(),
      quantity: Quantity.describe("the lot's attested quantity after this event"),
      titled: Quantity.describe("Σ quantity of the lot's live titles"),
    }),
    z.object({
      type: z.literal("titleIssued"),
      titleId: Hex32,
      kind: TitleKindSchema,
      fingerprint: Hex32,
      lotId: PartyId.describe("lot id"),
      custodianId: PartyId,
      holderId: PartyId,
      quantity: Quantity,
      lotTitled: Quantity.describe("Σ quantity of the lot's live titles after this issue"),
    }),
    z.object({ type: z.literal("titleTransferred"), titleId: Hex32, fromId: PartyId, toId: PartyId }),
    z.object({ type: z.literal("pledgeOffered"), titleId: Hex32, holderId: PartyId, bankId: PartyId, securedAmount: Amount, currency: Currency, expiryDate: CalendarDate }),
    z.object({ type: z.literal("pledgeAccepted"), titleId: Hex32, holderId: PartyId, bankId: PartyId }),
    z.object({
      type: z.literal("pledgeReleased"),
      titleId: Hex32,
      holderId: PartyId,
      bankId: PartyId,
      releasedBy: PartyId.describe("the pledgee bank, or the holder withdrawing an offer nobody accepted"),
      wasAccepted: z.boolean().describe("whether the pledge had been accepted (PLEDGED) or only offered"),
    }),
    z.object({ type: z.literal("titleSurrendered"), titleId: Hex32, lotId: PartyId.describe("lot id"), custodianId: PartyId, holderId: PartyId, quantity: Quantity, lotTitled: Quantity }),
    // the buyer's word (DESIGN.md §9)
    z.object({ type: z.literal("receivableAcknowledged"), receivableId: Hex32, buyerPartyId: PartyId, amount: Amount, dueDate: CalendarDate }),
    z.object({ type: z.literal("receivableDisputed"), receivableId: Hex32, buyerPartyId: PartyId, reason: z.string() }),
    z.object({ type: z.literal("disputeResolved"), receivableId: Hex32, buyerPartyId: PartyId }),
    z.object({
      type: z.literal("assignmentNotified"),
      receivableId: Hex32,
      bankId: PartyId,
      payeeAccountHash: Hex32,
      buyerPartyId: z.string().describe("the buyer told whom to pay; empty when the buyer is not on the network"),
    }),
    // before, during and after lending (DESIGN.md §10)
    z.object({ type: z.literal("extensionProposed"), receivableId: Hex32, bankId: PartyId, dueDate: CalendarDate, newDueDate: CalendarDate }),
    z.object({ type: z.literal("extensionAccepted"), receivableId: Hex32, exporterId: PartyId, bankId: PartyId, previousDueDate: CalendarDate, dueDate: CalendarDate }),
    z.object({ type: z.literal("financingWrittenOff"), receivableId: Hex32, financingId: Hex32, bankId: PartyId, amount: Amount.describe("what was outstanding: now a loss") }),
    z.object({ type: z.literal("receivableDefaulted"), receivableId: Hex32 }),
    z.object({ type: z.literal("financialsAttested"), partyId: PartyId, attestedBy: PartyId, periodEnd: CalendarDate, documentHash: Hex32 }),
    z.object({ type: z.literal("consentGranted"), partyId: PartyId, bankId: PartyId, expiryDate: CalendarDate }),
  ])
  .meta({ id: "Event" });

// Supervision (DESIGN.md §11, docs/supervision.md): what a rule found in a transaction, in its receipt.
export const AlertView = z
  .object({
    alertId: Hex32.describe("SHA-256 of the transaction hash and the rule id"),
    ruleId: PartyId.describe("the supervision rule"),
    kind: RuleKindSchema,
    severity: SeveritySchema,
    parties: z.array(PartyId).describe("the parties it concerns, sorted"),
    evidence: z.array(Hex32).describe("transaction hashes (a receivable id is its registration's): the offending transaction last"),
    detail: z.string().describe("what the rule found, in words"),
  })
  .meta({ id: "Alert" });

export const ReceiptView = z
  .object({
    txHash: Hex32,
    code: ResultCodeSchema,
    message: z.string().describe("why, in words; empty on OK"),
    target: z.string().describe("what the transaction aimed at (docs/ledger.md, Receipts)"),
    events: z.array(EventView).describe("emitted on OK only"),
    alerts: z.array(AlertView).optional().describe("what supervision rules found (absent when nothing): on OK, ALERT rules; on BLOCKED_BY_RULE, the BLOCK rules; on any rejection, REJECTION_BURST"),
  })
  .meta({ id: "Receipt" });

/** An alert as GET /v1/alerts lists it: the receipt's alert with the transaction's place and time. */
export const AlertRecordView = AlertView.extend({
  height: U64,
  index: z.number().int().describe("the transaction's index in its block"),
  time: TimeMs.describe("block time"),
  txHash: Hex32.describe("the offending transaction"),
  signer: PartyId,
  code: ResultCodeSchema.describe("the transaction's receipt code (BLOCKED_BY_RULE when a BLOCK rule refused it)"),
}).meta({ id: "AlertRecord" });
export type AlertRecordJson = z.output<typeof AlertRecordView>;
export type AlertJson = z.output<typeof AlertView>;

export const TxBodyView = z
  .object({ chainId: z.string(), signer: PartyId, createdAt: TimeMs, nonce: Hex, payload: TxPayloadView })
  .meta({ id: "TxBody" });

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
    txCount: z.number().int().min(0),
    view: U64,
  })
  .meta({ id: "BlockHeader" });

export const CertificateView = z
  .object({
    chainId: z.string(),
    view: U64,
    seq: U64.describe("the block height"),
    digest: Hex32.describe("batchDigest(chainId, height, time, txsRoot) (sdk/commit.ts)"),
    commits: z.array(z.object({ replica: z.number().int().min(0).describe("index in the validator set"), signature: Hex.describe("ed25519, 64 bytes") })),
  })
  .describe("2f+1 validator COMMIT signatures: check with verifyCommitCertificate against the genesis validator set")
  .meta({ id: "CommitCertificate" });

export const CertifiedHeaderView = z
  .object({
    height: U64.describe("the height of `header`"),
    header: Hex.describe("the encoded BlockHeader, whose SHA-256 is the block hash"),
    chain: z.array(Hex).max(MAX_CERTIFIED_CHAIN).describe("the encoded headers above it up to the checkpointed block, ascending; each one's prevHash is the hash of the one before"),
    checkpoint: z
      .object({
        seq: U64.describe("the checkpointed block's height"),
        timestamp: TimeMs.describe("its time"),
        blockHash: Hex32.describe("its hash (the checkpoint's state digest)"),
        signatures: z.array(z.object({ replica: z.number().int().min(0).describe("index in the validator set"), signature: Hex.describe("ed25519, 64 bytes") })),
      })
      .describe("2f+1 validators' CHECKPOINT signatures over (chainId, seq, timestamp, blockHash) (sdk/commit.ts checkpointSigningBytes)"),
  })
  .describe("certifies the whole header - receipts root and state root included - to anyone who knows the validator set: check with verifyCertifiedHeader (sdk/certified.ts)")
  .meta({ id: "CertifiedHeader" });

export const StateProofView = z
  .object({
    depth: z.number().int().min(1).max(32),
    entries: Hex.describe("the key's bucket: keyHash || valueHash entries (sdk/proofs.ts)"),
    siblings: Hex.describe("sibling hashes, bottom level first"),
  })
  .meta({ id: "StateProof" });

export const SignerKeysView = z
  .object({
    height: U64.describe("the height the records are proven at (the head when served)"),
    certified: CertifiedHeaderView,
    parties: z.array(
      z.object({
        partyId: PartyId,
        record: Hex.nullable().describe("the encoded Party record (null: no such party)"),
        proof: StateProofView.describe("of the state key p/<partyId> under the certified header's state root"),
      }),
    ),
  })
  .describe("the signers' party records proven from certified state: verifyTx and verifyHistory check each signature against the key in force at its height (sdk/signers.ts)")
  .meta({ id: "SignerKeys" });

export const TxEntryView = z
  .object({
    height: U64,
    index: z.number().int().min(0).describe("position of the transaction in its block"),
    time: TimeMs.describe("the block's time"),
    txHash: Hex32,
    signer: z.string(),
    type: TxTypeSchema.nullable(),
    code: ResultCodeSchema,
    message: z.string(),
    target: z.string(),
  })
  .meta({ id: "TxEntry" });

export const InclusionProofView = z
  .object({
    tx: Hex.describe("the SignedTx bytes exactly as committed"),
    receipt: Hex.describe("the encoded Receipt, the leaf under the header's receiptsRoot"),
    txProof: z.array(Hex32).describe("RFC 6962 audit path of the tx hash under txsRoot"),
    receiptProof: z.array(Hex32).describe("RFC 6962 audit path of the receipt under receiptsRoot"),
  })
  .meta({ id: "InclusionProof" });

export const HistoryEntryView = TxEntryView.extend({
  event: EventView.optional().describe("the event this entry records; absent for a rejected attempt"),
  eventIndex: z.number().int().min(0).optional(),
  proof: InclusionProofView.optional().describe("with ?proofs=true"),
}).meta({ id: "HistoryEntry" });

export const BlockProofView = z
  .object({
    height: U64,
    hash: Hex32,
    header: Hex.describe("the encoded BlockHeader, whose SHA-256 is the block hash"),
    certificate: CertificateView.nullable(),
    certified: CertifiedHeaderView.optional().describe("absent while the block is not certified yet (see `waitCertifiedMs`)"),
  })
  .meta({ id: "BlockProof" });

export const TxView = z
  .object({
    txHash: Hex32,
    height: U64,
    index: z.number().int().min(0),
    time: TimeMs,
    blockHash: Hex32,
    signer: PartyId,
    type: TxTypeSchema,
    body: TxBodyView,
    signature: Hex,
    receipt: ReceiptView,
    header: HeaderView,
    certificate: CertificateView.nullable(),
    proof: InclusionProofView.extend({ header: Hex.describe("the encoded BlockHeader") }),
    certified: CertifiedHeaderView.optional().describe("the header certified with its receipts and state roots; absent while the block is not certified yet (see `waitCertifiedMs`)"),
    signerKeys: SignerKeysView.optional().describe("the signer's party record proven at a certified height; absent while the head is not certified yet"),
  })
  .meta({ id: "Transaction" });

// ---- a piece with the proofs of its steps (after TxView, which it refers to) ----

export const PieceStepView = z
  .object({
    pieceId: Hex32,
    created: TxView.describe("the transaction that created the piece: the warrant's issue for the first piece, a transfer otherwise"),
    financed: TxView.optional().describe("the bank's financing of the piece, when that made the bank its holder"),
  })
  .meta({ id: "PieceStep" });

export const PieceProofsView = z
  .object({
    creditLine: TxView.describe("the grant of the warrant's credit line (its signer is the bank)"),
    steps: z.array(PieceStepView).describe("one per piece from the warrant's first piece to this one"),
  })
  .describe("each transaction as GET /v1/txs/:hash serves it, with inclusion proofs and the commit certificate: check with verifyPiece")
  .meta({ id: "PieceProofs" });

export const PieceView = z
  .object({
    piece: PieceRecord,
    warrant: WarrantRecord,
    ancestry: z.array(PieceRecord).describe("the warrant's first piece first, the piece's parent last; empty for a first piece"),
    overdue: z.boolean(),
    asOf: AsOf,
    proofs: PieceProofsView.optional().describe("with ?proofs=true"),
  })
  .meta({ id: "Piece" });

export const BlockView = z
  .object({ height: U64, hash: Hex32, header: HeaderView, headerBytes: Hex, certificate: CertificateView.nullable() })
  .meta({ id: "Block" });

export const BlockTxView = z
  .object({ index: z.number().int().min(0), txHash: Hex32, signer: z.string(), type: TxTypeSchema.nullable(), code: ResultCodeSchema, target: z.string() })
  .meta({ id: "BlockTransaction" });

export const HealthView = z.object({ status: z.literal("ok") }).meta({ id: "Health" });

export const ReadinessView = z
  .object({
    ready: z.boolean(),
    reasons: z.array(z.string()).describe("why the node is not ready; empty when it is"),
    height: U64,
    validatorPeers: z.number().int().describe("validators this node is connected to"),
    quorumPeers: z.number().int().describe("validator peers it needs: a validator 2f (itself makes 2f+1), an observer f+1"),
  })
  .meta({ id: "Readiness" });

export const StatusView = z
  .object({
    chainId: z.string(),
    nodeId: z.string(),
    mode: z.enum(["validator", "observer"]),
    height: U64,
    headHash: Hex32,
    headTime: TimeMs,
    stateRoot: Hex32,
    view: U64.optional(),
    primary: z.string().optional(),
    viewActive: z.boolean().optional(),
    validators: z.array(z.object({ id: z.string(), publicKey: Hex32 })).describe("the validator set as this node knows it; auditors pin it from the genesis instead"),
    peers: z.array(z.object({ id: z.string(), validator: z.boolean() })),
    mempool: z.object({ txs: z.number().int(), bytes: z.number().int() }),
    halted: z.string().optional(),
    syncing: z.boolean(),
    ready: z.boolean(),
    version: z.string(),
  })
  .meta({ id: "Status" });

export const CurrencyAmounts = z.record(z.string(), Amount).describe("amounts by ISO 4217 currency").meta({ id: "CurrencyAmounts" });

export const ExposureView = z
  .object({
    partyId: PartyId,
    asOf: AsOf,
    receivables: z.object({ total: z.number().int(), byStatus: z.record(z.string(), z.number().int()) }),
    outstanding: CurrencyAmounts.describe("live financed principal over the exporter's receivables, all banks"),
    outstandingByBank: z.record(z.string(), CurrencyAmounts),
    overdue: CurrencyAmounts.describe("the part of `outstanding` on receivables past their due date"),
    overdueReceivables: z.number().int(),
    rejectedAttempts: z.object({ total: z.number().int(), byCode: z.record(z.string(), z.number().int()) }).describe("transactions the party signed that the ledger rejected"),
  })
  .meta({ id: "Exposure" });

export const LedgerEventView = z
  .object({
    id: z.string().describe("height:txIndex:eventIndex (eventIndex 'r' for a rejection): resume with Last-Event-ID"),
    type: z.enum([...EVENT_TYPES, REJECTED_EVENT]),
    height: U64,
    index: z.number().int(),
    time: TimeMs,
    txHash: Hex32,
    signer: z.string(),
    receivableId: z.string().describe("the receivable the event concerns, or empty"),
    event: EventView.optional(),
    rejection: z.object({ code: ResultCodeSchema, message: z.string(), target: z.string() }).optional(),
  })
  .meta({ id: "LedgerEvent" });

export const SubmitResultView = z
  .object({
    txHash: Hex32,
    status: z.enum(["pending", "committed"]),
    height: U64.optional(),
    index: z.number().int().optional(),
    time: TimeMs.optional(),
    blockHash: Hex32.optional(),
    receipt: ReceiptView.optional(),
  })
  .meta({ id: "SubmitResult" });

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
