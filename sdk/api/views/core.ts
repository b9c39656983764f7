// The JSON views every client reads (named for OpenAPI by `named`, primitives.ts): receivables,
// parties, events and receipts, blocks, certificates, proofs, histories, status. A module of its own,
// apart from the views of transactions (txs.ts) and of the other objects (objects.ts), so that a
// bundle carries only the views of the routes it calls (sdk/api/schemas.ts re-exports them all).
// Browser-safe.
import * as z from "zod/mini";
import { Amount, CalendarDate, Currency, Hex, Hex32, PartyId, Quantity, ReceivableStatusSchema, ResultCodeSchema, RoleSchema, TimeMs, TitleKindSchema, U64, ValidatorChangeKindSchema, described, named } from "../primitives.js";
import { RuleKindSchema, SeveritySchema } from "../../transactions/set-rule.js";
import { MAX_CERTIFIED_CHAIN } from "../../certified.js";
import type { TxType } from "../../transactions/index.js";

/**
 * The name of a transaction type (the payloads themselves: sdk/api/tx-payloads.ts). Any string at
 * run time: a client older than the node still reads the entries, blocks and events of types added
 * since (typed as TxType, so a `switch` on it needs a default), and a client bundle does not carry
 * every type's format for this one list. The OpenAPI document lists the types (sdk/api/openapi.ts).
 */
export const TxTypeSchema = /* @__PURE__ */ named(z.string() as unknown as z.ZodMiniType<TxType>, "TxType");

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
    z.object({
      type: z.literal("validatorChangeProposed"),
      proposalId: Hex32,
      change: ValidatorChangeKindSchema,
      nodePublicKey: Hex32,
      partyId: PartyId,
      proposer: PartyId,
      newNodePublicKey: described(z.optional(Hex), "ROTATE_KEY: the validator's node key from the switch on (32 bytes); empty or absent otherwise"),
    }),
    z.object({ type: z.literal("validatorChangeApproved"), proposalId: Hex32, approver: PartyId, approvals: z.number(), needed: described(z.number(), "2f + 1 of the current validator set") }),
    z.object({
      type: z.literal("validatorSetChanged"),
      proposalId: Hex32,
      change: ValidatorChangeKindSchema,
      nodePublicKey: Hex32,
      partyId: PartyId,
      validators: described(z.number(), "n after the change"),
      version: described(U64, "the set's version after the change (0 = genesis)"),
      newNodePublicKey: described(z.optional(Hex), "ROTATE_KEY: the validator's node key from the switch on (32 bytes); empty or absent otherwise"),
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

export type AlertJson = z.output<typeof AlertView>;

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

// ---- histories with their proofs (sdk/verify.ts verifyHistory, verifyObjectHistory) ----

/** What a history page carries with `proofs=true`, beside each entry's own proof (every kind's the same). */
export const HistoryBlocks = described(z.optional(z.array(BlockProofView)), "with proofs: each entry's block header, commit certificate and certified header");
export const HistorySignerKeys = described(z.optional(z.array(SignerKeysView)), "with proofs: the page's signers' keys proven from certified state (absent while the head is not certified)");
export const HistoryComplete = described(z.optional(HistoryCompleteView), "with proofs: the object's history chain at a certified height, read before the page (absent while the head is not certified)");
/** The three as one shape (named one by one in route and view definitions, so that bundlers can drop unused ones). */
export const HistoryProofFields = { blocks: HistoryBlocks, signerKeys: HistorySignerKeys, complete: HistoryComplete };

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
    submission: described(
      z.optional(z.object({ maxTxBytes: z.int(), maxBodyBytes: z.int(), maxBatchTxs: z.int(), maxBatchBytes: z.int() })),
      "this node's submission limits (POST /v1/txs, POST /v1/txs/batch)",
    ),
  }).apply(named, "Status");

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

/** One transaction's outcome in POST /v1/txs/batch, in the order of the request. */
export const BatchItemView = z
  .object({
    txHash: z.optional(Hex32),
    status: described(z.enum(["pending", "committed", "refused"]), "refused: not admitted (`error`); committed: in a block (`receipt`, OK or the ledger's refusal)"),
    height: z.optional(U64),
    index: z.optional(z.int()),
    time: z.optional(TimeMs),
    blockHash: z.optional(Hex32),
    receipt: z.optional(ReceiptView),
    error: described(z.optional(z.object({ code: z.string(), message: z.string(), status: z.int() })), "as POST /v1/txs would answer: its code, message and HTTP status"),
  }).apply(named, "BatchItem");
