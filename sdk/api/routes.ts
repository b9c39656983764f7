// The route table, defined once (STYLE rule 5): every route's method, path, access level, and the
// zod schemas of its path parameters, query, body and response. rpc/ validates requests with them
// at the edge; sdk/client.ts builds requests from them and checks responses against them.
// Browser-safe.
import * as z from "zod/mini";
import { RESULT_CODES } from "../types.js";
import type { ObjectKind } from "../history-chain.js";
import { ALERT_EVENT, CalendarDate, described, EVENT_TYPES, Hex, Hex32, PartyId, Quantity, ReceivableStatusSchema, REJECTED_EVENT, U64 } from "./primitives.js";
import {
  AlertRecordView,
  SupervisionRuleView,
  GovernanceView,
  ObserverRecordView,
  AsOf,
  BlockTxView,
  BlockView,
  CertifiedHeaderView,
  CreditLineView,
  EpochLinkView,
  DocumentRecordView,
  ExposureView,
  HistoryEntryView,
  HistoryProofFields,
  ObjectHistoryPageView,
  LedgerEventView,
  LotRecord,
  PartyView,
  PieceItemView,
  PIECE_STATUSES,
  PieceView,
  ReceivableView,
  StatusView,
  HealthView,
  ReadinessView,
  SubmitResultView,
  TitleRecord,
  TITLE_STATUSES,
  TitleView,
  TxEntryView,
  TxView,
  WarrantTreeView,
} from "./schemas.js";

import { AgingReportView, ConcentrationReportView, FinancialsView, IndicatorsView } from "./lending-schemas.js";

// ---- request pieces ---------------------------------------------------------------------------

/** The enum of `values` less `drop` (zod/mini has no `.exclude`). */
function enumWithout<const T extends readonly string[], const X extends T[number]>(values: T, ...drop: X[]) {
  return z.enum(values.filter((v) => !(drop as readonly string[]).includes(v)) as unknown as readonly [Exclude<T[number], X>, ...Exclude<T[number], X>[]]);
}

const Limit = described(z.optional(z.pipe(z.pipe(z
  .string().check(z.regex(/^[1-9][0-9]{0,3}$/, "an integer 1..1000")), z.transform(Number)), z.int().check(z.gte(1)).check(z.lte(1000)))), "page size, 1..1000 (default 50)");
const Cursor = described(z.optional(z.string().check(z.minLength(1)).check(z.maxLength(4200))), "opaque: the `cursor` of the previous page");
const Flag = z.optional(z.pipe(z
  .enum(["true", "false"]), z.transform((v) => v === "true")));
const Page = { cursor: Cursor, limit: Limit };
const WaitCertifiedMs = described(z.optional(z.pipe(z.pipe(z
  .string().check(z.regex(/^[0-9]{1,5}$/, "an integer of ms")), z.transform(Number)), z.int().check(z.gte(0)).check(z.lte(30_000)))), "wait up to this long, 0..30000 ms (default 0), for the block(s) to be certified: the next checkpoint, or the idle tip's, certifies them (docs/consensus.md §2.6)");
const Empty = z.object({});
/**
 * Read-your-writes across nodes: a read carrying `minHeight` is answered only once the node has
 * applied that block (it waits, bounded by the node's rpc.minHeightWaitMs, else 503
 * HEIGHT_NOT_REACHED with Retry-After). Every answer carries the node's height in X-TL-Height.
 */
export const MinHeight = described(z.optional(U64), "answer only once this node has applied the block at this height (read-your-writes across nodes: pass the height of a receipt or of an earlier answer's X-TL-Height); a node behind waits up to its rpc.minHeightWaitMs, else answers 503 HEIGHT_NOT_REACHED with Retry-After");
const Consistency = { minHeight: MinHeight };
/** The query of a read with no other parameters. */
const ReadQuery = z.object(Consistency);

export function pageOf<T extends z.ZodMiniType, E extends z.core.$ZodLooseShape = {}>(item: T, extra: E = {} as E) {
  return z.extend(z.object(extra), {
    items: z.array(item),
    cursor: described(z.optional(z.string()), "absent on the last page; a page may hold fewer than `limit` items and still have one"),
  });
}

export const SubmitBody = z.object({ tx: described(Hex, "the SignedTx bytes (sdk signTransaction) as hex") });

// ---- routes -------------------------------------------------------------------------------------

/** open: no signature (loopback status, headers, metrics); signed: a signed read (x-tl-*); tx: the body is a signed transaction. */
export type Access = "open" | "signed" | "tx";

export interface RouteDef<P extends z.ZodMiniType = z.ZodMiniType, Q extends z.ZodMiniType = z.ZodMiniType, B extends z.ZodMiniType = z.ZodMiniType, R extends z.ZodMiniType = z.ZodMiniType> {
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

function route<P extends z.ZodMiniType, Q extends z.ZodMiniType, B extends z.ZodMiniType, R extends z.ZodMiniType>(def: RouteDef<P, Q, B, R>): RouteDef<P, Q, B, R> {
  return def;
}

const READ_ERRORS = [400, 401, 403, 404, 429, 503] as const;

// ---- histories (sdk/verify.ts verifyHistory, verifyObjectHistory) ----

const HistoryQuery = z.object({ ...Page, ...Consistency, proofs: described(Flag, "include inclusion proofs, headers, certificates, the signers' keys and the history chain (what the verifier checks)"), waitCertifiedMs: WaitCertifiedMs });

/** The history route of one kind of object: the same query and page for every kind. */
function historyRoute(kind: ObjectKind, path: string, what: string, id: z.ZodMiniType<string>, readers: string) {
  return route({
    method: "GET",
    path,
    access: "signed",
    summary: `${what}'s history: every event naming it and every rejected attempt aimed at it, oldest first`,
    description: `${readers} With \`proofs=true\` each entry carries its transaction and receipt with inclusion proofs, \`blocks\` the certified headers, and \`complete\` the ${kind}'s history chain proven from certified state: check with verifyObjectHistory (completeness up to a certified height, and which entry is missing).`,
    params: z.object({ id }),
    query: HistoryQuery,
    body: null,
    response: ObjectHistoryPageView,
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  });
}

export const routes = {
  getHealth: route({
    method: "GET",
    path: "/healthz",
    access: "open",
    summary: "Liveness probe: the process serves requests",
    description: "Always 200 while the node's HTTP server runs. For orchestrators' liveness checks (restart the process when it stops answering).",
    params: Empty,
    query: Empty,
    body: null,
    response: HealthView,
    produces: "json",
    success: 200,
    errors: [429],
  }),
  getReadiness: route({
    method: "GET",
    path: "/readyz",
    access: "open",
    summary: "Readiness probe: 200 when the node can serve and accept transactions, else 503 with why",
    description:
      "503 while starting, catching up (state transfer or observer sync), halted on a broken invariant, or connected to fewer validator peers than it needs (a validator: 2f, so that with itself it makes a quorum; an observer: f+1, so that it can follow certified blocks). For load balancers: route clients only to ready nodes.",
    params: Empty,
    query: Empty,
    body: null,
    response: ReadinessView,
    produces: "json",
    success: 200,
    errors: [429, 503],
  }),
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
      wait: described(z.optional(z.enum(["commit", "none"])), "commit: wait for the block and return the receipt"),
      timeoutMs: described(z.optional(z.pipe(z.pipe(z
        .string().check(z.regex(/^[0-9]{1,6}$/, "an integer of ms")), z.transform(Number)), z.int().check(z.gte(0)).check(z.lte(120_000)))), "how long to wait for the commit, 0..120000 ms (default 30000)"),
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
    description: "Visible to its signer, auditors, and parties who may see a receivable, warrant piece, credit line, title or lot it concerns (docs/security.md).",
    params: z.object({ hash: Hex32 }),
    query: z.object({ ...Consistency, waitCertifiedMs: WaitCertifiedMs }),
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
    params: z.object({ height: z.string().check(z.regex(/^(?:latest|[1-9][0-9]{0,19})$/, "a height >= 1 or 'latest'")) }),
    query: ReadQuery,
    body: null,
    response: BlockView,
    produces: "json",
    success: 200,
    errors: [400, 404, 429, 503],
  }),
  getCertifiedHeader: route({
    method: "GET",
    path: "/v1/blocks/:height/certified",
    access: "open",
    summary: "A block header certified with its results: the headers above it and a checkpoint certificate",
    description:
      "The header (with its receipts root and state root), the headers above it up to the nearest checkpointed block, and 2f+1 validators' CHECKPOINT signatures over that block's hash: check with verifyCertifiedHeader (sdk/certified.ts) against the genesis validator set. 404 while the block is not certified yet (wait with `waitMs`) or not stored here; an observer holds no checkpoint certificates (ask a validator). Open (loopback).",
    params: z.object({ height: z.string().check(z.regex(/^(?:latest|[1-9][0-9]{0,19})$/, "a height >= 1 or 'latest'")) }),
    query: z.object({ waitMs: WaitCertifiedMs }),
    body: null,
    response: CertifiedHeaderView,
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
    params: z.object({ height: z.string().check(z.regex(/^(?:latest|[1-9][0-9]{0,19})$/, "a height >= 1 or 'latest'")) }),
    query: z.object({ ...Page, ...Consistency }),
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
    query: ReadQuery,
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
    query: HistoryQuery,
    body: null,
    response: pageOf(HistoryEntryView, { receivableId: Hex32, ...HistoryProofFields }),
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
      "Filters combine. An exporter lists its own receivables, a buyer on the network those it owes (`buyer=<itself>`), a bank those it financed, customs those it attested, an auditor any. `dueFrom`/`dueTo` are inclusive. `overdue` is evaluated at the head block's time.",
    params: Empty,
    query: z.object({
      ...Consistency,
      exporter: z.optional(PartyId),
      buyer: described(z.optional(PartyId), "receivables owed by this buyer (its buyerPartyId, DESIGN.md §9)"),
      bank: described(z.optional(PartyId), "receivables this bank financed"),
      status: z.optional(ReceivableStatusSchema),
      dueFrom: z.optional(CalendarDate),
      dueTo: z.optional(CalendarDate),
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
    query: z.object({ ...Page, ...Consistency }),
    body: null,
    response: pageOf(TxEntryView, { documentHash: Hex32, document: z.nullable(DocumentRecordView) }),
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
    query: z.object({ ...Page, ...Consistency }),
    body: null,
    response: pageOf(TxEntryView, { fingerprint: Hex32, receivableId: described(z.nullable(Hex32), "the live or settled receivable holding it") }),
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
    query: ReadQuery,
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
    query: ReadQuery,
    body: null,
    response: ExposureView,
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  }),
  // before, during and after lending (DESIGN.md §10-§11, docs/lending.md)
  getIndicators: route({
    method: "GET",
    path: "/v1/parties/:id/indicators",
    access: "signed",
    summary: "A party's credit indicators (versioned), with the state record they come from and its proof",
    description:
      "Readable by the party, by a bank it consented to until the consent's expiry day, by auditors and regulators. Computed at the head; `asOf`, if given, must be the head's height.",
    params: z.object({ id: PartyId }),
    query: z.object({ ...Consistency, asOf: described(z.optional(U64), "the head height (state is kept at the head)"), waitCertifiedMs: WaitCertifiedMs }),
    body: null,
    response: IndicatorsView,
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  }),
  getFinancials: route({
    method: "GET",
    path: "/v1/parties/:id/financials",
    access: "signed",
    summary: "Attestations of a party's financial figures , oldest first",
    description: "Readable as the indicators are: the party, banks it consented to until expiry, auditors and regulators.",
    params: z.object({ id: PartyId }),
    query: z.object({ ...Consistency, ...Page }),
    body: null,
    response: FinancialsView,
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  }),
  getAgingReport: route({
    method: "GET",
    path: "/v1/reports/aging",
    access: "signed",
    summary: "A bank's live financing aged by days past due (current, 1-30, 31-90, >90) and its NPL ratio, bound to the state root",
    description:
      "A bank reads its own book; auditors and regulators any bank's, or every bank's without `bank`. Every record of each bank's book the report reads (root, a core per currency, one record per due date) is an input with its state proof, and `certified` certifies the asOf header (its state root) to anyone who knows the validator set: sdk verifyReport checks both and re-derives the figures. Without `certified` (the block is not certified yet: wait with `waitCertifiedMs`, or fetch GET /v1/blocks/:height/certified later; the SDK's verifiedReport does) the report is bound to `stateRoot` only.",
    params: Empty,
    query: z.object({ ...Consistency, bank: z.optional(PartyId), asOf: described(z.optional(U64), "the head height (state is kept at the head)"), waitCertifiedMs: WaitCertifiedMs }),
    body: null,
    response: AgingReportView,
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  }),
  getConcentrationReport: route({
    method: "GET",
    path: "/v1/reports/concentration",
    access: "signed",
    summary: "A bank's live financing per exporter and per obligor as shares of its book, bound to the state root",
    description: "Access as the aging report; its inputs are the root, cores and one record per exporter and per obligor. Shares and HHI in basis points, per currency.",
    params: Empty,
    query: z.object({ ...Consistency, bank: z.optional(PartyId), asOf: described(z.optional(U64), "the head height (state is kept at the head)"), waitCertifiedMs: WaitCertifiedMs }),
    body: null,
    response: ConcentrationReportView,
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  }),
  getCreditLine: route({
    method: "GET",
    path: "/v1/credit-lines/:id",
    access: "signed",
    summary: "A credit line a bank granted a core enterprise: limit, outstanding, room left, expiry",
    description: "Visible to the granting bank, the obligor and auditors.",
    params: z.object({ id: described(PartyId, "credit line id") }),
    query: ReadQuery,
    body: null,
    response: CreditLineView,
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  }),
  getWarrant: route({
    method: "GET",
    path: "/v1/warrants/:id",
    access: "signed",
    summary: "A digital warrant with its tree of pieces",
    description:
      "The obligor, the bank that granted the line and auditors see the whole tree; a holder of one of its pieces sees the warrant with its own pieces and their ancestry (`complete: false`).",
    params: z.object({ id: Hex32 }),
    query: ReadQuery,
    body: null,
    response: WarrantTreeView,
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  }),
  getPiece: route({
    method: "GET",
    path: "/v1/pieces/:id",
    access: "signed",
    summary: "A warrant piece with its ancestry to the warrant's first piece",
    description:
      "Visible to its holder (and the bank it is offered to or that financed it), to holders of pieces descending from it, to the obligor and the granting bank, and to auditors. With `proofs=true`, the transactions that created each step (and the line's grant) with inclusion proofs and commit certificates: check offline with verifyPiece.",
    params: z.object({ id: Hex32 }),
    query: z.object({ ...Consistency, proofs: described(Flag, "include each step's transaction with its proofs and certificate, and the piece's record proven from certified state"), waitCertifiedMs: WaitCertifiedMs }),
    body: null,
    response: PieceView,
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  }),
  listPieces: route({
    method: "GET",
    path: "/v1/parties/:id/pieces",
    access: "signed",
    summary: "The warrant pieces a party holds now (live leaves: not passed on), grouped by warrant",
    description: "The party itself and auditors. Filters: `status`, `warrant`.",
    params: z.object({ id: PartyId }),
    query: z.object({
      ...Consistency,
      status: z.optional(enumWithout(PIECE_STATUSES, "SPENT")),
      warrant: described(z.optional(Hex32), "pieces of this warrant only"),
      ...Page,
    }),
    body: null,
    response: pageOf(PieceItemView, { partyId: PartyId, asOf: AsOf }),
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  }),
  getTitle: route({
    method: "GET",
    path: "/v1/titles/:id",
    access: "signed",
    summary: "A title document (warehouse receipt or bill of lading) with its pledge history",
    description:
      "Visible to the custodian that issued it, its holder, the bank it is offered or pledged to now, and auditors. `pledges`: every pledge it had, oldest first, each with its bank, amount, expiry, outcome and the transactions that offered, accepted and released it.",
    params: z.object({ id: Hex32 }),
    query: ReadQuery,
    body: null,
    response: TitleView,
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  }),
  getLot: route({
    method: "GET",
    path: "/v1/lots/:id",
    access: "signed",
    summary: "A lot of goods a custodian attests, with the titles issued on it",
    description:
      "The custodian and auditors see every title issued on the lot (surrendered ones too), in issue order (`complete: true`); a holder of a live title on the lot sees the lot and its own live titles on it (`complete: false`). `available` is the attested quantity not yet under a live title.",
    params: z.object({ id: described(PartyId, "lot id") }),
    query: z.object({ ...Page, ...Consistency }),
    body: null,
    response: pageOf(TitleRecord, {
      lot: LotRecord,
      available: described(Quantity, "quantity less titled: what the custodian may still issue titles for"),
      complete: described(z.boolean(), "false when `items` are only the caller's own titles on the lot"),
      asOf: AsOf,
    }),
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  }),
  getPieceHistory: historyRoute("piece", "/v1/pieces/:id/history", "A warrant piece", Hex32, "Its holder (and the bank it is offered to or that financed it), the obligor, the bank of the line and auditors."),
  getWarrantHistory: historyRoute("warrant", "/v1/warrants/:id/history", "A digital warrant", Hex32, "Every step of every piece of the warrant: its obligor, the bank of its line and auditors (not the holders, who see their own pieces' histories)."),
  getCreditLineHistory: historyRoute("line", "/v1/credit-lines/:id/history", "A credit line", described(PartyId, "credit line id"), "Its bank, its obligor and auditors."),
  getTitleHistory: historyRoute("title", "/v1/titles/:id/history", "A title document", Hex32, "The custodian that issued it, its holder, the bank it is offered or pledged to now, and auditors."),
  getLotHistory: historyRoute("lot", "/v1/lots/:id/history", "A lot of goods", described(PartyId, "lot id"), "Every attestation and every title issued on or surrendered from the lot: its custodian and auditors."),
  listTitles: route({
    method: "GET",
    path: "/v1/parties/:id/titles",
    access: "signed",
    summary: "The titles a party holds now or, for a bank, the titles offered or pledged to it now",
    description:
      "The party itself and auditors. An enterprise's live titles (not surrendered), a bank's current pledges (`as: pledgee`), by lot then title id. Filters: `status`, `lot`.",
    params: z.object({ id: PartyId }),
    query: z.object({
      ...Consistency,
      status: z.optional(enumWithout(TITLE_STATUSES, "SURRENDERED")),
      lot: described(z.optional(PartyId), "titles on this lot only"),
      ...Page,
    }),
    body: null,
    response: pageOf(TitleRecord, {
      partyId: PartyId,
      as: described(z.enum(["holder", "pledgee"]), "holder: titles the party holds; pledgee: titles offered or pledged to the bank"),
      asOf: AsOf,
    }),
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
      ...Consistency,
      code: z.optional(enumWithout(RESULT_CODES, "OK")),
      signer: z.optional(PartyId),
      target: z.optional(z.string().check(z.minLength(2)).check(z.maxLength(64))),
      ...Page,
    }),
    body: null,
    response: pageOf(TxEntryView),
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  }),
  // supervision (DESIGN.md §11, docs/supervision.md)
  listAlerts: route({
    method: "GET",
    path: "/v1/alerts",
    access: "signed",
    summary: "Alerts of the supervision rules, oldest first",
    description:
      "Regulators and auditors see every alert; any other party the alerts naming it (its `party` filter is itself, the default). Filters: `rule` or `party` (not both), and a height range `fromHeight`..`toHeight` (inclusive). Each alert is in the receipt of its transaction (BLOCKED_BY_RULE when a BLOCK rule refused it), proven by the block's receipts root.",
    params: Empty,
    query: z
      .object({
        ...Consistency,
        rule: described(z.optional(PartyId), "alerts of this rule"),
        party: described(z.optional(PartyId), "alerts naming this party"),
        fromHeight: described(z.optional(U64), "first block height (inclusive)"),
        toHeight: described(z.optional(U64), "last block height (inclusive)"),
        ...Page,
      }).check(z.refine((q) => q.rule === undefined || q.party === undefined, "filter by rule or by party, not both")),
    body: null,
    response: pageOf(AlertRecordView),
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  }),
  listRules: route({
    method: "GET",
    path: "/v1/rules",
    access: "signed",
    summary: "The active supervision rules",
    description: "Every registered party may read them: the rules a transaction will be checked against are no secret. Sorted by rule id.",
    params: Empty,
    query: ReadQuery,
    body: null,
    response: z.object({ items: z.array(SupervisionRuleView), asOf: AsOf }),
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  }),
  getGovernance: route({
    method: "GET",
    path: "/v1/governance",
    access: "signed",
    summary: "The validator set in ledger state, and one validator-set proposal",
    description: "Every registered party may read it (docs/governance.md). `proposal` names a proposal by the hash of the transaction that made it.",
    params: Empty,
    query: z.object({ proposal: z.optional(Hex32), ...Consistency }),
    body: null,
    response: z.object({ governance: GovernanceView, asOf: AsOf }),
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  }),
  getValidatorSets: route({
    method: "GET",
    path: "/v1/validator-sets",
    access: "signed",
    summary: "The proof of each validator-set epoch's set since genesis",
    description: "Any registered party; check with verifyValidatorSets (docs/governance.md §5).",
    params: Empty,
    query: ReadQuery,
    body: null,
    response: z.object({
      links: z.array(EpochLinkView),
      epoch: described(U64, "the set in state: its version"),
      switchAt: described(U64, "and its switch seq"),
      asOf: AsOf,
    }),
    produces: "json",
    success: 200,
    errors: READ_ERRORS,
  }),
  listObservers: route({
    method: "GET",
    path: "/v1/observers",
    access: "signed",
    summary: "Observer nodes admitted on the ledger, current and removed",
    description: "Every registered party may read them (docs/governance.md): which node keys the validators accept as observers, who operates each, who admitted or removed it, when and why. Sorted by node key; the latest 256 removals are kept.",
    params: Empty,
    query: ReadQuery,
    body: null,
    response: z.object({ items: z.array(ObserverRecordView), asOf: AsOf }),
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
      receivable: z.optional(Hex32),
      party: described(z.optional(PartyId), "events involving this party (exporter, buyer, bank, customs, holder, custodian, signer)"),
      type: described(z.optional(z
        .string().check(z.regex(/^[a-zA-Z]+(?:,[a-zA-Z]+)*$/, "comma-separated event types")).check(z.refine((v) => v.split(",").every((t) => (EVENT_TYPES as readonly string[]).includes(t) || t === REJECTED_EVENT || t === ALERT_EVENT), "unknown event type"))), `comma-separated: ${[...EVENT_TYPES, REJECTED_EVENT, ALERT_EVENT].join(", ")}`),
      fromHeight: described(z.optional(U64), "replay committed blocks from this height before streaming"),
      lastEventId: z.optional(z.string().check(z.regex(/^[0-9]{1,20}:[0-9]{1,10}:(?:[0-9]{1,5}|r)$/))),
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
    description: "Generated from the route definitions in sdk/api/routes.ts.",
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

export type HistoryPageJson = ResponseOf<"getHistory">;
/** A page of the history of a piece, warrant, credit line, title or lot (every kind's route answers the same page). */
export type ObjectHistoryPageJson = ResponseOf<"getPieceHistory">;
/** The history route of each kind of object. */
export const HISTORY_ROUTES = { piece: "getPieceHistory", warrant: "getWarrantHistory", line: "getCreditLineHistory", title: "getTitleHistory", lot: "getLotHistory" } as const satisfies Record<ObjectKind, RouteId>;

/** Fills a koa-style path with (URL-encoded) parameters. */
export function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new TypeError(`missing path parameter ${name}`);
    return encodeURIComponent(v);
  });
}
