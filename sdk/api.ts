// The RPC contract, defined once (STYLE rule 5): every route's method, path, access level, and the
// zod schemas of its path parameters, query, body and response. rpc/ validates requests with these
// schemas at the edge and serves the OpenAPI 3.1 document generated from them; sdk/client.ts builds
// requests from them and checks responses against them. Also here: how a read request is signed
// (docs/security.md), and the HTTP status of each error code (DESIGN §5). Browser-safe.
import { z } from "zod";
import { concatBytes, toHex, u32be, u64be, utf8 } from "./bytes.js";
import type { LedgerErrorCode } from "./errors.js";
import { RESULT_CODES, type ResultCode, type Role, type TxType, type Event, type ReceivableStatus } from "./types.js";
import { PARTY_ID_RE } from "./validate.js";

// ---- primitives -------------------------------------------------------------------------------

export const Hex = z.string().regex(/^(?:[0-9a-f]{2})*$/, "expected lower-case hex").describe("bytes as lower-case hex");
export const Hex32 = z.string().regex(/^[0-9a-f]{64}$/, "expected 32 bytes as 64 lower-case hex digits").describe("32 bytes as 64 lower-case hex digits");
export const U64 = z
  .string()
  .regex(/^(?:0|[1-9][0-9]{0,19})$/, "expected an unsigned integer as a decimal string")
  .refine((v) => BigInt(v) < 1n << 64n, "exceeds 2^64-1")
  .describe("unsigned 64-bit integer as a decimal string");
export const Amount = U64.describe("count of minor units of the currency (ISO 4217 exponent: USD 152500.00 is \"15250000\"), decimal string");
export const TimeMs = U64.describe("milliseconds since the Unix epoch (UTC), decimal string");
export const PartyId = z.string().regex(PARTY_ID_RE, "a party id is 2-63 chars of a-z, 0-9 and '-'").describe("party id");
export const Currency = z.string().regex(/^[A-Z]{3}$/, "ISO 4217 alphabetic code").describe("ISO 4217 currency code");
export const CalendarDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD").describe("calendar date YYYY-MM-DD");
export const ResultCodeSchema = z.enum(RESULT_CODES).describe("receipt code: OK or a rejection (docs/ledger.md)");
export const RoleSchema = z.enum(["BANK", "CUSTOMS", "ENTERPRISE", "AUDITOR"]);
export const TxTypeSchema = z.enum([
  "registerParty",
  "registerReceivable",
  "attestShipment",
  "financeReceivable",
  "recordRepayment",
  "cancelReceivable",
  "anchorDocument",
]);
export const RECEIVABLE_STATUSES = ["REGISTERED", "ATTESTED", "PARTIALLY_FINANCED", "FINANCED", "SETTLED", "CANCELLED"] as const;
export const ReceivableStatusSchema = z.enum(RECEIVABLE_STATUSES);
export const EVENT_TYPES = [
  "partyRegistered",
  "receivableRegistered",
  "receivableAttested",
  "receivableFinanced",
  "repaymentRecorded",
  "receivableSettled",
  "receivableCancelled",
  "documentAnchored",
] as const;
// The enums above restate domain unions; a compile error here means one drifted.
type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const inSync: [
  Equal<z.output<typeof RoleSchema>, Role>,
  Equal<z.output<typeof TxTypeSchema>, TxType>,
  Equal<(typeof EVENT_TYPES)[number], Event["type"]>,
  Equal<(typeof RECEIVABLE_STATUSES)[number], ReceivableStatus>,
] = [true, true, true, true];
void inSync;

/** Stream-only pseudo event: a committed transaction that the ledger rejected. */
export const REJECTED_EVENT = "txRejected";

// ---- ledger records -------------------------------------------------------------------------

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
  })
  .meta({ id: "Party" });

export const FinancingView = z
  .object({
    id: Hex32.describe("the finance transaction's hash"),
    bankId: PartyId,
    amount: Amount,
    repaid: Amount,
    financedAt: TimeMs,
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
    available: Amount.describe("face value minus live financed: the room left under the face value"),
    overdue: z.boolean().describe("due date before the head block's UTC day, and neither settled nor cancelled"),
    financeable: z.boolean().describe("a finance transaction of up to `available` would pass: attested, not overdue, room left"),
    declaration: DeclarationView.nullable().describe("the attested export declaration, once attested"),
    asOf: AsOf,
  })
  .meta({ id: "Receivable" });

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
  ])
  .meta({ id: "Event" });

export const ReceiptView = z
  .object({
    txHash: Hex32,
    code: ResultCodeSchema,
    message: z.string().describe("why, in words; empty on OK"),
    target: z.string().describe("what the transaction aimed at (docs/ledger.md, Receipts)"),
    events: z.array(EventView).describe("emitted on OK only"),
  })
  .meta({ id: "Receipt" });

export const TxPayloadView = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("registerParty"), id: PartyId, role: RoleSchema, name: z.string(), country: z.string(), publicKey: Hex32, lei: z.string() }),
    z.object({
      type: z.literal("registerReceivable"),
      documentHash: Hex32,
      fingerprint: Hex32,
      buyerId: z.string(),
      amount: Amount,
      currency: Currency,
      issueDate: CalendarDate,
      dueDate: CalendarDate,
    }),
    z.object({
      type: z.literal("attestShipment"),
      declarationFingerprint: Hex32,
      declarationHash: Hex32,
      exporterId: PartyId,
      declaredValue: Amount,
      currency: Currency,
      exportDate: CalendarDate,
      receivableIds: z.array(Hex32),
    }),
    z.object({ type: z.literal("financeReceivable"), receivableId: Hex32, amount: Amount, currency: Currency }),
    z.object({ type: z.literal("recordRepayment"), receivableId: Hex32, financingId: Hex32, amount: Amount }),
    z.object({ type: z.literal("cancelReceivable"), receivableId: Hex32, reason: z.string() }),
    z.object({ type: z.literal("anchorDocument"), documentHash: Hex32, documentType: z.string(), receivableId: z.string(), billOfLadingFingerprint: Hex }),
  ])
  .meta({ id: "TxPayload" });

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
  })
  .meta({ id: "Transaction" });

export const BlockView = z
  .object({ height: U64, hash: Hex32, header: HeaderView, headerBytes: Hex, certificate: CertificateView.nullable() })
  .meta({ id: "Block" });

export const BlockTxView = z
  .object({ index: z.number().int().min(0), txHash: Hex32, signer: z.string(), type: TxTypeSchema.nullable(), code: ResultCodeSchema, target: z.string() })
  .meta({ id: "BlockTransaction" });

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

export const ErrorEnvelope = z
  .object({
    error: z.object({
      code: z.string().describe("MALFORMED, BAD_SIGNATURE, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, a ledger code such as DOUBLE_FINANCING, TOO_LARGE, RATE_LIMITED, NOT_READY..."),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional().describe("request fields that failed validation"),
      txHash: Hex32.optional(),
      height: U64.optional(),
      receipt: ReceiptView.optional().describe("for a committed transaction the ledger rejected"),
      retryAfterMs: z.number().int().optional(),
    }),
  })
  .meta({ id: "Error" });

// ---- request pieces ---------------------------------------------------------------------------

const Limit = z
  .string()
  .regex(/^[1-9][0-9]{0,3}$/, "an integer 1..1000")
  .transform(Number)
  .pipe(z.number().int().min(1).max(1000))
  .optional()
  .describe("page size, 1..1000 (default 50)");
const Cursor = z.string().min(1).max(4200).optional().describe("opaque: the `cursor` of the previous page");
const Flag = z
  .enum(["true", "false"])
  .transform((v) => v === "true")
  .optional();
const Page = { cursor: Cursor, limit: Limit };
const Empty = z.object({});

export function pageOf<T extends z.ZodType, E extends z.ZodRawShape = {}>(item: T, extra: E = {} as E) {
  return z.object(extra).extend({
    items: z.array(item),
    cursor: z.string().optional().describe("absent on the last page; a page may hold fewer than `limit` items and still have one"),
  });
}

export const SubmitBody = z.object({ tx: Hex.describe("the SignedTx bytes (sdk signTransaction) as hex") });

// ---- routes -------------------------------------------------------------------------------------

/** open: no signature (loopback status, headers, metrics); signed: a signed read (x-tl-*); tx: the body is a signed transaction. */
export type Access = "open" | "signed" | "tx";

export interface RouteDef<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  method: "GET" | "POST";
  /** koa-style path: `/v1/receivables/:id` */
  path: string;
  access: Access;
  summary: string;
  description: string;
  params: P;
  query: Q;
  body: B | null;
  response: R;
  /** json, a server-sent-event stream of `response` items, or Prometheus text */
  produces: "json" | "sse" | "text";
  /** success status (202 when pending is the norm) */
  success: number;
  /** error statuses this route can answer with */
  errors: readonly number[];
}

function route<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(def: RouteDef<P, Q, B, R>): RouteDef<P, Q, B, R> {
  return def;
}

const READ_ERRORS = [400, 401, 403, 404, 429, 503] as const;

export const routes = {
  getStatus: route({
    method: "GET",
    path: "/v1/status",
    access: "open",
    summary: "Node and chain status",
    description: "Chain id, head block, PBFT view, validators, peers, mempool, readiness. Open (loopback).",
    params: Empty,
    query: Empty,
    body: null,
    response: StatusView,
    produces: "json",
    success: 200,
    errors: [429],
  }),
  submitTx: route({
    method: "POST",
    path: "/v1/txs",
    access: "tx",
    summary: "Submit a signed transaction",
    description:
      "Admits a SignedTx (hex). Without `wait` it answers 202 once admitted. With `wait=commit` it waits up to `timeoutMs` for the block: 200 with the receipt when the ledger accepted it, the status of the receipt's code (409 for domain rejections, 403, 404, 400) with the receipt in the error when it rejected it, 202 if still pending. Resubmitting a committed transaction returns its receipt (idempotent retries).",
    params: Empty,
    query: z.object({
      wait: z.enum(["commit", "none"]).optional().describe("commit: wait for the block and return the receipt"),
      timeoutMs: z
        .string()
        .regex(/^[0-9]{1,6}$/, "an integer of ms")
        .transform(Number)
        .pipe(z.number().int().min(0).max(120_000))
        .optional()
        .describe("how long to wait for the commit, 0..120000 ms (default 30000)"),
    }),
    body: SubmitBody,
    response: SubmitResultView,
    produces: "json",
    success: 200,
    errors: [400, 401, 403, 404, 409, 413, 429, 503],
  }),
  getTx: route({
    method: "GET",
    path: "/v1/txs/:hash",
    access: "signed",
    summary: "A committed transaction with its receipt, block, inclusion proofs and commit certificate",
    description: "Visible to its signer, auditors, and parties who may see a receivable it concerns.",
    params: z.object({ hash: Hex32 }),
    query: Empty,
    body: null,
    response: TxView,
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  }),
  getBlock: route({
    method: "GET",
    path: "/v1/blocks/:height",
    access: "open",
    summary: "A block header with its hash and commit certificate",
    description: "`latest` for the head. Headers carry roots and counts only, no commercial data. Open (loopback).",
    params: z.object({ height: z.string().regex(/^(?:latest|[1-9][0-9]{0,19})$/, "a height >= 1 or 'latest'") }),
    query: Empty,
    body: null,
    response: BlockView,
    produces: "json",
    success: 200,
    errors: [400, 404, 429],
  }),
  getBlockTxs: route({
    method: "GET",
    path: "/v1/blocks/:height/txs",
    access: "signed",
    summary: "The transactions of a block the caller may see",
    description: "Auditors see every transaction; others their own and those of receivables they may list.",
    params: z.object({ height: z.string().regex(/^(?:latest|[1-9][0-9]{0,19})$/, "a height >= 1 or 'latest'") }),
    query: z.object(Page),
    body: null,
    response: pageOf(BlockTxView, { height: U64 }),
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  }),
  getReceivable: route({
    method: "GET",
    path: "/v1/receivables/:id",
    access: "signed",
    summary: "A receivable's current state with derived values (live financed, available, overdue)",
    description: "Exporters see their own; banks and customs any receivable they look up by id (to check it before financing or attesting); auditors all.",
    params: z.object({ id: Hex32 }),
    query: Empty,
    body: null,
    response: ReceivableView,
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  }),
  getHistory: route({
    method: "GET",
    path: "/v1/receivables/:id/history",
    access: "signed",
    summary: "A receivable's history: every event and every rejected attempt, oldest first",
    description: "With `proofs=true` each entry carries its transaction and receipt with inclusion proofs, and `blocks` the headers and commit certificates: check with verifyHistory.",
    params: z.object({ id: Hex32 }),
    query: z.object({ ...Page, proofs: Flag.describe("include inclusion proofs, headers and certificates") }),
    body: null,
    response: pageOf(HistoryEntryView, { receivableId: Hex32, blocks: z.array(BlockProofView).optional() }),
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  }),
  listReceivables: route({
    method: "GET",
    path: "/v1/receivables",
    access: "signed",
    summary: "Receivables by exporter, financing bank, status, due-date range, overdue",
    description:
      "Filters combine. An exporter lists its own receivables, a bank those it financed, customs those it attested, an auditor any. `dueFrom`/`dueTo` are inclusive. `overdue` is evaluated at the head block's time.",
    params: Empty,
    query: z.object({
      exporter: PartyId.optional(),
      bank: PartyId.optional().describe("receivables this bank financed"),
      status: ReceivableStatusSchema.optional(),
      dueFrom: CalendarDate.optional(),
      dueTo: CalendarDate.optional(),
      overdue: Flag,
      ...Page,
    }),
    body: null,
    response: pageOf(ReceivableView, { asOf: AsOf }),
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  }),
  getDocument: route({
    method: "GET",
    path: "/v1/documents/:hash",
    access: "signed",
    summary: "A document anchored by hash, and every transaction that carried the hash",
    description: "The record is null when no live anchor holds the hash (e.g. its receivable was cancelled); the transactions remain.",
    params: z.object({ hash: Hex32 }),
    query: z.object(Page),
    body: null,
    response: pageOf(TxEntryView, { documentHash: Hex32, document: DocumentRecordView.nullable() }),
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  }),
  getFingerprint: route({
    method: "GET",
    path: "/v1/fingerprints/:fingerprint",
    access: "signed",
    summary: "Which receivable holds an invoice fingerprint, and every registration that carried it",
    description: "A bank recomputes the fingerprint from the invoice it received (fingerprintInvoice) and checks it before financing.",
    params: z.object({ fingerprint: Hex32 }),
    query: z.object(Page),
    body: null,
    response: pageOf(TxEntryView, { fingerprint: Hex32, receivableId: Hex32.nullable().describe("the live or settled receivable holding it") }),
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  }),
  getParty: route({
    method: "GET",
    path: "/v1/parties/:id",
    access: "signed",
    summary: "A registered party",
    description: "Any registered party may read party records (id, role, name, country, key).",
    params: z.object({ id: PartyId }),
    query: Empty,
    body: null,
    response: PartyView,
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  }),
  getExposure: route({
    method: "GET",
    path: "/v1/parties/:id/exposure",
    access: "signed",
    summary: "An exporter's exposure across all banks: outstanding, overdue, rejected attempts",
    description: "Readable by the party itself, by banks (the shared credit information) and by auditors.",
    params: z.object({ id: PartyId }),
    query: Empty,
    body: null,
    response: ExposureView,
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  }),
  listRejections: route({
    method: "GET",
    path: "/v1/rejections",
    access: "signed",
    summary: "Rejected transactions with code, signer, time and target",
    description:
      "Auditors see every rejection. Others see their own (the default) and attempts aimed at receivables they may look up (`target`). `target` is a receivable id, document hash or party id.",
    params: Empty,
    query: z.object({
      code: ResultCodeSchema.exclude(["OK"]).optional(),
      signer: PartyId.optional(),
      target: z.string().min(2).max(64).optional(),
      ...Page,
    }),
    body: null,
    response: pageOf(TxEntryView),
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  }),
  streamEvents: route({
    method: "GET",
    path: "/v1/events",
    access: "signed",
    summary: "Server-sent events of committed ledger events",
    description:
      "text/event-stream; each message's data is a LedgerEvent, its id `height:index:event`. Resume with the Last-Event-ID header (or `lastEventId`), or start at `fromHeight`. Events are filtered by what the caller may see and by the query.",
    params: Empty,
    query: z.object({
      receivable: Hex32.optional(),
      party: PartyId.optional().describe("events involving this party (exporter, bank, customs, signer)"),
      type: z
        .string()
        .regex(/^[a-zA-Z]+(?:,[a-zA-Z]+)*$/, "comma-separated event types")
        .refine((v) => v.split(",").every((t) => (EVENT_TYPES as readonly string[]).includes(t) || t === REJECTED_EVENT), "unknown event type")
        .optional()
        .describe(`comma-separated: ${[...EVENT_TYPES, REJECTED_EVENT].join(", ")}`),
      fromHeight: U64.optional().describe("replay committed blocks from this height before streaming"),
      lastEventId: z.string().regex(/^[0-9]{1,20}:[0-9]{1,10}:(?:[0-9]{1,5}|r)$/).optional(),
    }),
    body: null,
    response: LedgerEventView,
    produces: "sse",
    success: 200,
    errors: READ_ERRORS,
  }),
  getOpenApi: route({
    method: "GET",
    path: "/v1/openapi.json",
    access: "open",
    summary: "This API as an OpenAPI 3.1 document",
    description: "Generated from the route definitions in sdk/api.ts.",
    params: Empty,
    query: Empty,
    body: null,
    response: z.record(z.string(), z.unknown()),
    produces: "json",
    success: 200,
    errors: [429],
  }),
  getMetrics: route({
    method: "GET",
    path: "/metrics",
    access: "open",
    summary: "Prometheus metrics",
    description: "Text exposition format (loopback).",
    params: Empty,
    query: Empty,
    body: null,
    response: z.string(),
    produces: "text",
    success: 200,
    errors: [429],
  }),
} as const;

export type Routes = typeof routes;
export type RouteId = keyof Routes;
export type ResponseOf<K extends RouteId> = z.output<Routes[K]["response"]>;
/** What a caller passes: query values as strings, as on the wire. */
export type QueryInput<K extends RouteId> = z.input<Routes[K]["query"]>;

export type StatusJson = z.output<typeof StatusView>;
export type ReceivableJson = z.output<typeof ReceivableView>;
export type ReceivableRecordJson = z.output<typeof ReceivableRecord>;
export type EventJson = z.output<typeof EventView>;
export type ReceiptJson = z.output<typeof ReceiptView>;
export type TxEntryJson = z.output<typeof TxEntryView>;
export type HistoryEntryJson = z.output<typeof HistoryEntryView>;
export type HistoryPageJson = ResponseOf<"getHistory">;
export type BlockProofJson = z.output<typeof BlockProofView>;
export type TxJson = z.output<typeof TxView>;
export type BlockJson = z.output<typeof BlockView>;
export type PartyJson = z.output<typeof PartyView>;
export type ExposureJson = z.output<typeof ExposureView>;
export type LedgerEventJson = z.output<typeof LedgerEventView>;
export type SubmitResultJson = z.output<typeof SubmitResultView>;
export type ErrorJson = z.output<typeof ErrorEnvelope>["error"];
export type CertificateJson = z.output<typeof CertificateView>;

/** `/v1/receivables/:id` -> `/v1/receivables/{id}` */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z]+)/g, "{$1}");
}

/** Fills a koa-style path with (URL-encoded) parameters. */
export function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new TypeError(`missing path parameter ${name}`);
    return encodeURIComponent(v);
  });
}

// ---- signed reads (docs/security.md) ------------------------------------------------------------

export const AUTH_HEADERS = {
  party: "x-tl-party",
  time: "x-tl-time",
  nonce: "x-tl-nonce",
  signature: "x-tl-signature",
} as const;

/** Domain tag of a signed read: never a valid transaction or consensus signing string. */
export const READ_SIGNING_DOMAIN = utf8("tradeledger/rpc-read/v1\u0000");
/** A signed request is accepted within this distance of the node's clock, either way. */
export const MAX_CLOCK_SKEW_MS = 60_000;
export const REQUEST_NONCE_BYTES = 16;

export interface ReadSigningInput {
  chainId: string;
  partyId: string;
  /** the client's clock, ms */
  time: bigint;
  nonce: Uint8Array;
  /** upper-case HTTP method */
  method: string;
  /** the request target exactly as sent: path and query string (`/v1/receivables?exporter=x`) */
  target: string;
}

function lengthPrefixed(text: string): Uint8Array {
  const b = utf8(text);
  return concatBytes(u32be(b.length), b);
}

/**
 * The bytes a party signs to authenticate a read: READ_SIGNING_DOMAIN || lp(chainId) ||
 * lp(partyId) || u64be(time) || nonce(16) || lp(METHOD) || lp(target), lp = u32be length || UTF-8.
 * Binding the chain, the party, the method and the full target means a signature opens one
 * request on one chain, nothing else; the nonce makes it single-use (the node refuses a replay).
 */
export function readSigningBytes(input: ReadSigningInput): Uint8Array {
  if (!(input.nonce instanceof Uint8Array) || input.nonce.length !== REQUEST_NONCE_BYTES) throw new TypeError(`a request nonce is ${REQUEST_NONCE_BYTES} bytes`);
  return concatBytes(
    READ_SIGNING_DOMAIN,
    lengthPrefixed(input.chainId),
    lengthPrefixed(input.partyId),
    u64be(input.time),
    input.nonce,
    lengthPrefixed(input.method.toUpperCase()),
    lengthPrefixed(input.target),
  );
}

/** The x-tl-* headers of a signed read. */
export function signedReadHeaders(signer: { partyId: string; sign(message: Uint8Array): Uint8Array }, input: Omit<ReadSigningInput, "partyId">): Record<string, string> {
  const signature = signer.sign(readSigningBytes({ ...input, partyId: signer.partyId }));
  return {
    [AUTH_HEADERS.party]: signer.partyId,
    [AUTH_HEADERS.time]: input.time.toString(),
    [AUTH_HEADERS.nonce]: toHex(input.nonce),
    [AUTH_HEADERS.signature]: toHex(signature),
  };
}

// ---- error codes and HTTP statuses (DESIGN §5) -------------------------------------------------

const STATUS_BY_CODE: Partial<Record<LedgerErrorCode, number>> = {
  OK: 200,
  MALFORMED: 400,
  WRONG_CHAIN: 400,
  TX_EXPIRED: 400,
  UNAUTHENTICATED: 401,
  UNKNOWN_SIGNER: 401,
  BAD_SIGNATURE: 401,
  UNAUTHORIZED: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  NOT_READY: 503,
  MEMPOOL_FULL: 503,
  TIMEOUT: 504,
};

/** Ledger receipt codes that are domain rejections of DESIGN §2 (409 Conflict). */
export const DOMAIN_REJECTIONS: readonly ResultCode[] = RESULT_CODES.filter(
  (c) => !["OK", "MALFORMED", "WRONG_CHAIN", "UNKNOWN_SIGNER", "BAD_SIGNATURE", "UNAUTHORIZED", "TX_EXPIRED", "NOT_FOUND"].includes(c),
);

/** The HTTP status an error (or receipt) code is served with. */
export function httpStatusOf(code: LedgerErrorCode | string): number {
  const s = STATUS_BY_CODE[code as LedgerErrorCode];
  if (s !== undefined) return s;
  if ((DOMAIN_REJECTIONS as readonly string[]).includes(code)) return 409;
  return 500;
}

// ---- OpenAPI 3.1 ------------------------------------------------------------------------------------

type JsonObject = Record<string, unknown>;

function jsonSchemaOf(schema: z.ZodType, io: "input" | "output", defs: Map<string, JsonObject>): JsonObject {
  const js = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as JsonObject;
  const local = (js.$defs ?? {}) as Record<string, JsonObject>;
  delete js.$defs;
  delete js.$schema;
  for (const [id, def] of Object.entries(local)) {
    const known = defs.get(id);
    const rewritten = rewriteRefs(def) as JsonObject;
    if (known && JSON.stringify(known) !== JSON.stringify(rewritten)) {
      // An input and an output form of one schema differ (transforms): keep both, apart.
      const alt = `${id}${io === "input" ? "Input" : ""}`;
      defs.set(alt, rewritten);
      continue;
    }
    defs.set(id, rewritten);
  }
  return rewriteRefs(js) as JsonObject;
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== "object") return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === "$ref" && typeof v === "string" && v.startsWith("#/$defs/")) out[k] = `#/components/schemas/${v.slice("#/$defs/".length)}`;
    else out[k] = rewriteRefs(v);
  }
  return out;
}

function shapeOf(schema: z.ZodType): Record<string, z.ZodType> {
  const shape = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape;
  return shape ?? {};
}

/** The OpenAPI 3.1 document of `routes` (served at /v1/openapi.json). */
export function openApiDocument(info: { version: string; title?: string } = { version: "0.1.0" }): JsonObject {
  const defs = new Map<string, JsonObject>();
  const errorRef = jsonSchemaOf(ErrorEnvelope, "output", defs);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [id, r] of Object.entries(routes) as [string, RouteDef][]) {
    const parameters: unknown[] = [];
    for (const [name, s] of Object.entries(shapeOf(r.params))) {
      parameters.push({ name, in: "path", required: true, schema: jsonSchemaOf(s, "input", defs) });
    }
    for (const [name, s] of Object.entries(shapeOf(r.query))) {
      const js = jsonSchemaOf(s, "input", defs);
      parameters.push({ name, in: "query", required: !s.safeParse(undefined).success, schema: js, ...(typeof js.description === "string" ? { description: js.description } : {}) });
    }
    if (r.produces === "sse") parameters.push({ name: "Last-Event-ID", in: "header", required: false, schema: { type: "string" }, description: "resume after this event id" });
    const content =
      r.produces === "json"
        ? { "application/json": { schema: jsonSchemaOf(r.response, "output", defs) } }
        : r.produces === "sse"
          ? { "text/event-stream": { schema: { type: "string" }, "x-itemSchema": jsonSchemaOf(r.response, "output", defs) } }
          : { "text/plain": { schema: { type: "string" } } };
    const responses: Record<string, unknown> = { [String(r.success)]: { description: r.summary, content } };
    if (id === "submitTx") responses["202"] = { description: "admitted, not yet committed", content: { "application/json": { schema: jsonSchemaOf(SubmitResultView, "output", defs) } } };
    for (const status of r.errors) responses[String(status)] = { description: ERROR_DESCRIPTIONS[status] ?? "error", content: { "application/json": { schema: errorRef } } };
    const op: Record<string, unknown> = {
      operationId: id,
      summary: r.summary,
      description: r.description,
      parameters,
      responses,
      security: r.access === "signed" ? [{ party: [], time: [], nonce: [], signature: [] }] : [],
      "x-access": r.access,
    };
    if (r.body) op.requestBody = { required: true, content: { "application/json": { schema: jsonSchemaOf(r.body, "input", defs) } } };
    const p = openApiPath(r.path);
    paths[p] = { ...(paths[p] ?? {}), [r.method.toLowerCase()]: op };
  }
  const header = (name: string, description: string) => ({ type: "apiKey", in: "header", name, description });
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: info.title ?? "TradeLedger RPC",
      version: info.version,
      description: "Reads of commercial data are signed by a registered party (docs/security.md); writes are signed transactions. Amounts are decimal strings of minor units, bytes lower-case hex.",
    },
    paths,
    components: {
      schemas: Object.fromEntries([...defs.entries()].sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: {
        party: header(AUTH_HEADERS.party, "the signing party's id"),
        time: header(AUTH_HEADERS.time, `the client's clock in ms; accepted within ${MAX_CLOCK_SKEW_MS / 1000} s of the node's`),
        nonce: header(AUTH_HEADERS.nonce, `${REQUEST_NONCE_BYTES} random bytes, hex; single use`),
        signature: header(AUTH_HEADERS.signature, "ed25519 over readSigningBytes (sdk/api.ts), hex"),
      },
    },
  };
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "malformed request or transaction",
  401: "missing, stale, replayed or bad request signature; unknown signer",
  403: "the caller's role may not see or do this",
  404: "not found",
  409: "the ledger rejected the transaction (receipt inside)",
  413: "body or transaction too large",
  429: "rate limited (Retry-After)",
  503: "node not ready, stopping or mempool full",
};
