// Domain types: the decoded form of the messages in proto/tradeledger.proto (see sdk/codec.ts).
// Amounts and times are bigint; hashes, keys and signatures are Uint8Array; enums are names.

/** REGULATOR (DESIGN.md §11): reads everything, like AUDITOR, and writes only supervision rules. */
export type Role = "BANK" | "CUSTOMS" | "ENTERPRISE" | "AUDITOR" | "CUSTODIAN" | "REGULATOR";
export const ROLES: readonly Role[] = ["BANK", "CUSTOMS", "ENTERPRISE", "AUDITOR", "CUSTODIAN", "REGULATOR"];

export type ReceivableStatus = "REGISTERED" | "ATTESTED" | "PARTIALLY_FINANCED" | "FINANCED" | "SETTLED" | "CANCELLED" | "DEFAULTED";

/** Every receipt code. OK is success; everything else is a rejection (docs/ledger.md). */
export const RESULT_CODES = [
  "OK",
  "MALFORMED",
  "WRONG_CHAIN",
  "UNKNOWN_SIGNER",
  "BAD_SIGNATURE",
  "UNAUTHORIZED",
  "DUPLICATE_TX",
  "TX_EXPIRED",
  "NOT_FOUND",
  "INVALID_STATE",
  "DUPLICATE_PARTY",
  "DUPLICATE_DOCUMENT",
  "DUPLICATE_RECEIVABLE",
  "EXPORTER_MISMATCH",
  "CURRENCY_MISMATCH",
  "EXCEEDS_DECLARED_VALUE",
  "DECLARATION_REUSED",
  "DECLARATION_CONFLICT",
  "NOT_ATTESTED",
  "DOUBLE_FINANCING",
  "EXCEEDS_FACE_VALUE",
  "OVERDUE",
  "REPAYMENT_EXCEEDS_OUTSTANDING",
  "BILL_OF_LADING_REUSED",
  "CREDIT_LINE_INVALID",
  "CREDIT_LINE_EXCEEDED",
  "LIMIT_BELOW_OUTSTANDING",
  "TENOR_INVALID",
  "NO_TRADE_BACKGROUND",
  "TRADE_REF_USED",
  "NOT_HOLDER",
  "WARRANT_MATURED",
  "INVALID_SPLIT",
  "UNKNOWN_PARTY",
  "DUPLICATE_CREDIT_LINE",
  // title documents and pledges (DESIGN.md §8, docs/titles.md)
  "EXCEEDS_STOCK",
  "DUPLICATE_TITLE",
  "TITLE_PLEDGED",
  // the buyer's word (DESIGN.md §9)
  "NOT_ACKNOWLEDGED",
  "DISPUTED",
  "PAYEE_LOCKED",
  // supervision (DESIGN.md §11, docs/supervision.md)
  "BLOCKED_BY_RULE",
  // before, during and after lending (DESIGN.md §10)
  "EXTENSION_INVALID",
  // governance: observers and party keys (DESIGN.md §12, docs/governance.md)
  "DUPLICATE_OBSERVER",
  "KEY_NOT_PROVEN",
  "KEY_IN_USE",
  "KEY_RETIRED",
] as const;
export type ResultCode = (typeof RESULT_CODES)[number];

// ---- events and receipts ------------------------------------------------------------------

export type Event =
  | { type: "partyRegistered"; partyId: string; role: Role }
  | { type: "receivableRegistered"; receivableId: string; exporterId: string; amount: bigint; currency: string; dueDate: string }
  | { type: "receivableAttested"; receivableId: string; declarationFingerprint: Uint8Array; customsId: string }
  | { type: "receivableFinanced"; receivableId: string; financingId: string; bankId: string; amount: bigint; liveFinanced: bigint }
  | { type: "repaymentRecorded"; receivableId: string; financingId: string; bankId: string; amount: bigint; financingOutstanding: bigint }
  | { type: "receivableSettled"; receivableId: string }
  | { type: "receivableCancelled"; receivableId: string }
  | { type: "documentAnchored"; documentHash: Uint8Array; documentType: string; receivableId: string }
  | { type: "creditLineGranted"; lineId: string; bankId: string; obligorId: string; currency: string; limit: bigint; expiryDate: string }
  | { type: "creditLineAdjusted"; lineId: string; limit: bigint; expiryDate: string; outstanding: bigint }
  | { type: "warrantIssued"; warrantId: string; lineId: string; obligorId: string; holderId: string; amount: bigint; currency: string; maturityDate: string; lineOutstanding: bigint }
  | { type: "pieceCreated"; pieceId: string; warrantId: string; parentId: string; holderId: string; amount: bigint; depth: number; tradeRef: string }
  | { type: "pieceSpent"; pieceId: string; warrantId: string }
  | { type: "pieceOffered"; pieceId: string; bankId: string }
  | { type: "offerWithdrawn"; pieceId: string; bankId: string }
  | { type: "offerDeclined"; pieceId: string; bankId: string }
  | { type: "pieceFinanced"; pieceId: string; bankId: string; sellerId: string; advance: bigint }
  | { type: "piecePaid"; pieceId: string; warrantId: string; holderId: string; amount: bigint; lineOutstanding: bigint }
  | { type: "warrantSettled"; warrantId: string; lineId: string }
  // title documents and pledges (DESIGN.md §8)
  | { type: "stockAttested"; lotId: string; custodianId: string; hsCode: string; descriptionHash: Uint8Array; unit: string; quantity: bigint; titled: bigint }
  | { type: "titleIssued"; titleId: string; kind: TitleKind; fingerprint: Uint8Array; lotId: string; custodianId: string; holderId: string; quantity: bigint; lotTitled: bigint }
  | { type: "titleTransferred"; titleId: string; fromId: string; toId: string }
  | { type: "pledgeOffered"; titleId: string; holderId: string; bankId: string; securedAmount: bigint; currency: string; expiryDate: string }
  | { type: "pledgeAccepted"; titleId: string; holderId: string; bankId: string }
  | { type: "pledgeReleased"; titleId: string; holderId: string; bankId: string; releasedBy: string; wasAccepted: boolean }
  | { type: "titleSurrendered"; titleId: string; lotId: string; custodianId: string; holderId: string; quantity: bigint; lotTitled: bigint }
  // the buyer's word (DESIGN.md §9)
  | { type: "receivableAcknowledged"; receivableId: string; buyerPartyId: string; amount: bigint; dueDate: string }
  | { type: "receivableDisputed"; receivableId: string; buyerPartyId: string; reason: string }
  | { type: "disputeResolved"; receivableId: string; buyerPartyId: string }
  | { type: "assignmentNotified"; receivableId: string; bankId: string; payeeAccountHash: Uint8Array; buyerPartyId: string }
  // before, during and after lending (DESIGN.md §10)
  | { type: "extensionProposed"; receivableId: string; bankId: string; dueDate: string; newDueDate: string }
  | { type: "extensionAccepted"; receivableId: string; exporterId: string; bankId: string; previousDueDate: string; dueDate: string }
  | { type: "financingWrittenOff"; receivableId: string; financingId: string; bankId: string; amount: bigint }
  | { type: "receivableDefaulted"; receivableId: string }
  | { type: "financialsAttested"; partyId: string; attestedBy: string; periodEnd: string; documentHash: Uint8Array }
  | { type: "consentGranted"; partyId: string; bankId: string; expiryDate: string }
  // post-lending for warrant pieces
  | { type: "pieceExtensionProposed"; pieceId: string; bankId: string; dueDate: string; newDueDate: string }
  | { type: "pieceExtensionAccepted"; pieceId: string; obligorId: string; bankId: string; previousDueDate: string; dueDate: string }
  | { type: "pieceWrittenOff"; pieceId: string; warrantId: string; bankId: string; amount: bigint }
  // governance (DESIGN.md §12)
  | { type: "observerAdmitted"; nodePublicKey: Uint8Array; partyId: string; admittedBy: string }
  | { type: "observerRemoved"; nodePublicKey: Uint8Array; removedBy: string; reason: string }
  | { type: "keyRotated"; partyId: string; publicKey: Uint8Array; resetBy: string; reason: string }
  // governance: validator-set changes (docs/governance.md)
  | { type: "validatorChangeProposed"; proposalId: string; change: ValidatorChangeKind; nodePublicKey: Uint8Array; partyId: string; proposer: string; newNodePublicKey?: Uint8Array }
  | { type: "validatorChangeApproved"; proposalId: string; approver: string; approvals: number; needed: number }
  | { type: "validatorSetChanged"; proposalId: string; change: ValidatorChangeKind; nodePublicKey: Uint8Array; partyId: string; validators: number; version: bigint; newNodePublicKey?: Uint8Array };

/** Adding or removing one validator (DESIGN.md §12). */
export const VALIDATOR_CHANGE_KINDS = ["ADD", "REMOVE", "ROTATE_KEY"] as const;
export type ValidatorChangeKind = (typeof VALIDATOR_CHANGE_KINDS)[number];

export type EventType = Event["type"];

/** Wire form of an event: the proto oneof field `kind`. */
export interface EventWire {
  kind: Event;
}

export interface Receipt {
  txHash: Uint8Array;
  code: ResultCode;
  message: string;
  target: string;
  events: Event[];
  /** what supervision rules found in the transaction (docs/supervision.md); absent when none */
  alerts?: Alert[];
}

export interface BlockHeader {
  chainId: string;
  height: bigint;
  prevHash: Uint8Array;
  time: bigint;
  proposer: string;
  txsRoot: Uint8Array;
  receiptsRoot: Uint8Array;
  stateRoot: Uint8Array;
  txCount: number;
  view: bigint;
}

// ---- ledger state records -------------------------------------------------------------------

export interface Party {
  id: string;
  role: Role;
  name: string;
  country: string;
  publicKey: Uint8Array;
  lei: string;
  registeredBy: string;
  registeredAt: bigint;
  /** keys it signed with before `publicKey`, oldest first (key rotation, docs/governance.md; sdk/signers.ts partyKeyAt) */
  retiredKeys?: RetiredKey[];
}

export interface RetiredKey {
  publicKey: Uint8Array;
  /** the key signed transactions in blocks below this height */
  untilHeight: bigint;
  /** the bank that reset the key; "" (or absent in older records) for the party's own rotation */
  resetBy?: string;
  /** the reset's reason */
  reason?: string;
}

/** An observer node admitted on the ledger (state m/observers, DESIGN.md §12); removed ones stay listed. */
export interface ObserverRecord {
  nodePublicKey: Uint8Array;
  /** the party that operates it */
  partyId: string;
  admittedBy: string;
  /** height of the admitting block */
  admittedAt: bigint;
  /** "" while admitted */
  removedBy: string;
  /** height of the removing block; 0n while admitted */
  removedAt: bigint;
  reason: string;
}

export interface Financing {
  id: string;
  bankId: string;
  amount: bigint;
  repaid: bigint;
  financedAt: bigint;
  /** what the bank wrote off (a loss, DESIGN.md §10): outstanding = amount - repaid - writtenOff; 0n if never */
  writtenOff: bigint;
  /** block time of the write-off; 0n if never */
  writtenOffAt: bigint;
}

export interface Receivable {
  id: string;
  exporterId: string;
  buyerId: string;
  amount: bigint;
  currency: string;
  issueDate: string;
  dueDate: string;
  documentHash: Uint8Array;
  fingerprint: Uint8Array;
  status: ReceivableStatus;
  declarationFingerprint: Uint8Array;
  attestedBy: string;
  financings: Financing[];
  registeredAt: bigint;
  updatedAt: bigint;
  /** the buyer's party id when the buyer is on the network (DESIGN.md §9); "" otherwise */
  buyerPartyId: string;
  /** the warrant piece this invoice backs (DESIGN.md §7): it can never be financed or cancelled then; "" otherwise */
  warrantPieceId: string;
  // The buyer's word (DESIGN.md §9). Dispute is a flag, not a status: a financed receivable can be disputed too.
  /** what the buyer confirmed it owes, ≤ face; 0n until acknowledged */
  acknowledgedAmount: bigint;
  /** the date the buyer confirmed it pays on; "" until acknowledged */
  acknowledgedDueDate: string;
  /** block time of the latest acknowledgement; 0n until acknowledged */
  acknowledgedAt: bigint;
  /** the buyer disputes it: no new financing until it resolves the dispute */
  disputed: boolean;
  /** the open dispute's reason; "" when not disputed */
  disputeReason: string;
  /** block time the open dispute was raised; 0n when not disputed */
  disputedSince: bigint;
  /** the bank that notified the buyer of the assignment; "" until notified */
  payeeBankId: string;
  /** SHA-256 of the account the buyer is to pay; empty until notified */
  payeeAccountHash: Uint8Array;
  /** block time of the latest notice of assignment; 0n until notified */
  payeeNotifiedAt: bigint;
  // Before, during and after lending (DESIGN.md §10)
  /** the bank whose proposal of a new due date is pending; "" if none */
  extensionBankId: string;
  /** the proposed due date; "" if none */
  extensionDueDate: string;
  /** block time of the pending proposal; 0n if none */
  extensionProposedAt: bigint;
  /** extensions accepted so far */
  extensions: number;
}

export interface Declaration {
  fingerprint: Uint8Array;
  documentHash: Uint8Array;
  exporterId: string;
  declaredValue: bigint;
  currency: string;
  exportDate: string;
  customsId: string;
  attestedTotal: bigint;
  receivableIds: string[];
}

export interface DocumentRecord {
  documentHash: Uint8Array;
  documentType: string;
  anchoredBy: string;
  receivableId: string;
  anchoredAt: bigint;
  txHash: Uint8Array;
}

// ---- digital warrants (DESIGN.md §7) --------------------------------------------------------

export interface CreditLine {
  id: string;
  bankId: string;
  obligorId: string;
  currency: string;
  limit: bigint;
  expiryDate: string;
  /** face of the line's warrants less what was paid on them */
  outstanding: bigint;
  grantedAt: bigint;
  updatedAt: bigint;
  warrants: number;
}

export type WarrantStatus = "ISSUED" | "SETTLED" | "DEFAULTED";

export interface Warrant {
  id: string;
  lineId: string;
  obligorId: string;
  bankId: string;
  holderId: string;
  /** face value: always the sum of the amounts of the live leaves */
  amount: bigint;
  currency: string;
  maturityDate: string;
  sources: string[];
  /** sum of the paid (SETTLED) leaves */
  settled: bigint;
  status: WarrantStatus;
  issuedAt: bigint;
  updatedAt: bigint;
  /** sum of the leaves written off (DEFAULTED); with any, the warrant is DEFAULTED and never SETTLED */
  writtenOff: bigint;
}

/** HELD, OFFERED, FINANCED, SETTLED and DEFAULTED pieces are the live leaves; a SPENT piece was passed on. */
export type PieceStatus = "HELD" | "OFFERED" | "FINANCED" | "SPENT" | "SETTLED" | "DEFAULTED";

export interface Piece {
  id: string;
  warrantId: string;
  /** "" for the warrant's first piece */
  parentId: string;
  holderId: string;
  amount: bigint;
  depth: number;
  status: PieceStatus;
  offeredTo: string;
  financedBy: string;
  advance: bigint;
  tradeRef: string;
  children: string[];
  obligorId: string;
  currency: string;
  maturityDate: string;
  createdAt: bigint;
  updatedAt: bigint;
  /** post-lending (docs/warrants.md): whom the holder bank bought the piece from (a bank sale's children keep it) */
  soldBy: string;
  /** the due date as extended; "" = the maturity date (sdk/domain.ts pieceDueDate) */
  dueDate: string;
  /** a due date the holder bank proposed, pending the obligor's acceptance; "" = none */
  extensionDueDate: string;
  /** extensions accepted */
  extensions: number;
  /** the face written off by the holder bank (DEFAULTED) */
  writtenOff: bigint;
}

// ---- title documents and pledges (DESIGN.md §8, docs/titles.md) ---------------------------

export type TitleKind = "WAREHOUSE_RECEIPT" | "BILL_OF_LADING";
export const TITLE_KINDS: readonly TitleKind[] = ["WAREHOUSE_RECEIPT", "BILL_OF_LADING"];

/** What a lot holds; fixed when the lot is first attested. */
export interface Goods {
  /** Harmonized System code, 6-10 digits */
  hsCode: string;
  /** document hash of the goods' description */
  descriptionHash: Uint8Array;
  /** UN/ECE Recommendation 20 unit code (KGM, TNE, ...) */
  unit: string;
}

/** A custodian's lot. Invariant: titled = Σ quantity of its live titles ≤ quantity. */
export interface Lot {
  id: string;
  custodianId: string;
  goods: Goods;
  /** the last attested quantity, in goods.unit */
  quantity: bigint;
  /** Σ quantity of the lot's live (not surrendered) titles */
  titled: bigint;
  /** titles ever issued on the lot */
  titles: number;
  attestedAt: bigint;
  updatedAt: bigint;
}

export interface Pledge {
  bankId: string;
  securedAmount: bigint;
  currency: string;
  expiryDate: string;
  offeredAt: bigint;
  /** 0 while only offered */
  acceptedAt: bigint;
}

/** HELD, PLEDGE_OFFERED and PLEDGED titles are live; a SURRENDERED title was delivered against. */
export type TitleStatus = "HELD" | "PLEDGE_OFFERED" | "PLEDGED" | "SURRENDERED";

export interface Title {
  id: string;
  kind: TitleKind;
  fingerprint: Uint8Array;
  lotId: string;
  custodianId: string;
  quantity: bigint;
  holderId: string;
  /** the holder it was issued to: the exporter a bill of lading belongs to */
  firstHolderId: string;
  status: TitleStatus;
  /** the current pledge: set while PLEDGE_OFFERED or PLEDGED, else undefined */
  pledge: Pledge | undefined;
  /** pledges ever accepted on the title */
  pledges: number;
  issuedAt: bigint;
  updatedAt: bigint;
}

// ---- supervision (DESIGN.md §11, docs/supervision.md) ---------------------------------------

export type RuleKind = "CONCENTRATION" | "LARGE_EXPOSURE" | "VELOCITY" | "CYCLE" | "VALUE_MISMATCH" | "REJECTION_BURST" | "OVERDUE_AGE" | "PLEDGE_CONFLICT";
export const RULE_KINDS: readonly RuleKind[] = ["CONCENTRATION", "LARGE_EXPOSURE", "VELOCITY", "CYCLE", "VALUE_MISMATCH", "REJECTION_BURST", "OVERDUE_AGE", "PLEDGE_CONFLICT"];

export type Severity = "ALERT" | "BLOCK";
export const SEVERITIES: readonly Severity[] = ["ALERT", "BLOCK"];

/** A rule's parameters; each kind uses its own fields and leaves the others 0 / "" (docs/supervision.md). */
export interface RuleParams {
  /** 1..10000; 1% = 100 */
  basisPoints: number;
  /** minor units of `currency` */
  amount: bigint;
  currency: string;
  hours: number;
  count: number;
  windowMinutes: number;
  days: number;
}

/** An active supervision rule (state key z/rules). */
export interface SupervisionRule {
  ruleId: string;
  kind: RuleKind;
  params: RuleParams;
  severity: Severity;
  setBy: string;
  setAt: bigint;
  /** the height it was set at: the generation of its own tallies */
  setHeight: bigint;
}

/** What a rule found in a transaction; its height and transaction are the receipt's. */
export interface Alert {
  alertId: string;
  ruleId: string;
  kind: RuleKind;
  severity: Severity;
  /** the parties it concerns, sorted */
  parties: string[];
  /** transaction hashes, the offending one last */
  evidence: Uint8Array[];
  detail: string;
}

// ---- before, during and after lending: running aggregates (DESIGN.md §10-§11, docs/lending.md) ----

export interface DueAmount {
  dueDate: string;
  count: number;
  amount: bigint;
}

export interface MonthAmount {
  /** "YYYY-MM" (UTC) */
  month: string;
  amount: bigint;
}

export interface PartyAmount {
  /** a party id, or "buyer:<buyerId>" for a buyer off the network */
  partyId: string;
  amount: bigint;
}

/** One currency of a bank's book: its live financing, by due date, exporter and obligor. */
export interface BookCurrency {
  currency: string;
  outstanding: bigint;
  receivables: number;
  pieces: number;
  pieceOutstanding: bigint;
  due: DueAmount[];
  byExporter: PartyAmount[];
  byObligor: PartyAmount[];
  writtenOff: bigint;
  writtenOffCount: number;
}

/**
 * A bank's whole book, assembled from its records in state (sdk/lending.ts assembleBook): the root
 * g/<bankId>, a core gb/<bankId>/<currency> per currency and their sub-records (proto BookRoot).
 */
export interface BankBook {
  bankId: string;
  currencies: BookCurrency[];
}

/** g/<bankId>: the currencies a bank has a book in (node/ledger/aggregates.ts). */
export interface BookRoot {
  bankId: string;
  currencies: string[];
}

/** gb/<bankId>/<currency>: a book's totals and how many sub-records of each kind it has. */
export interface BookCore {
  bankId: string;
  currency: string;
  outstanding: bigint;
  receivables: number;
  writtenOff: bigint;
  writtenOffCount: number;
  /** ge/<bankId>/<currency>/<exporter> records */
  exporters: number;
  /** go/<bankId>/<currency>/<obligor> records */
  obligors: number;
  /** gd/<bankId>/<currency>/<dueDate> records */
  dueDates: number;
  /** FINANCED warrant pieces the bank holds (the gd/ counts add up to receivables + pieces) */
  pieces: number;
  /** their face: the part of `outstanding` that is warrant pieces */
  pieceOutstanding: bigint;
}

export interface CurrencyFacts {
  currency: string;
  outstanding: bigint;
  due: DueAmount[];
  attested: MonthAmount[];
  writtenOff: bigint;
}

export interface BuyerCount {
  buyer: string;
  count: number;
}

/** An exporter's running credit facts (state key i/<partyId>), kept by node/ledger/aggregates.ts. */
export interface CreditFacts {
  partyId: string;
  receivables: number;
  attested: number;
  acknowledged: number;
  settledOnTime: number;
  settledLate: number;
  defaulted: number;
  extended: number;
  buyers: BuyerCount[];
  buyerSumSquares: bigint;
  currencies: CurrencyFacts[];
  /** as the obligor of warrant pieces (leaves of its warrants): settled on time / late, written off, extended */
  piecesSettledOnTime: number;
  piecesSettledLate: number;
  piecesDefaulted: number;
  pieceExtensions: number;
}

/** A party's consent for a bank to read its indicators and financial attestations (c/<party>/<bank>). */
export interface Consent {
  partyId: string;
  bankId: string;
  expiryDate: string;
  grantedAt: bigint;
}
