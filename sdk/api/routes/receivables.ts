// Routes of receivables, their histories, documents, fingerprints, parties, exposure and rejections (DESIGN.md §2-§5).
// Each route is a value of its own (sdk/api/routes.ts collects them): a client that sends a few of them
// carries those and their schemas only. Browser-safe.
import * as z from "zod/mini";
import { RESULT_CODES } from "../../types.js";
import { Cursor, Empty, Flag, HistoryQuery, Limit, MinHeight, READ_ERRORS, ReadQuery, enumWithout, pageOf, route } from "../route-parts.js";
import { CalendarDate, Hex32, PartyId, ReceivableStatusSchema, described } from "../primitives.js";
import { AsOf, DocumentRecordView, ExposureView, HistoryBlocks, HistoryComplete, HistoryEntryView, HistorySignerKeys, PartyView, ReceivableView, TxEntryView } from "../schemas.js";

export const getReceivable = /* @__PURE__ */ route({
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
});

export const getHistory = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/receivables/:id/history",
  access: "signed",
  summary: "A receivable's history: every event and every rejected attempt, oldest first",
  description: "With `proofs=true` each entry carries its transaction and receipt with inclusion proofs, and `blocks` the headers and commit certificates: check with verifyHistory.",
  params: z.object({ id: Hex32 }),
  query: HistoryQuery,
  body: null,
  response: pageOf(HistoryEntryView, { receivableId: Hex32, blocks: HistoryBlocks, signerKeys: HistorySignerKeys, complete: HistoryComplete }),
  produces: "json",
  success: 200,
  errors: READ_ERRORS,
});

export const listReceivables = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/receivables",
  access: "signed",
  summary: "Receivables by exporter, financing bank, status, due-date range, overdue",
  description:
    "Filters combine. An exporter lists its own receivables, a buyer on the network those it owes (`buyer=<itself>`), a bank those it financed, customs those it attested, an auditor any. `dueFrom`/`dueTo` are inclusive. `overdue` is evaluated at the head block's time.",
  params: Empty,
  query: z.object({
    minHeight: MinHeight,
    exporter: z.optional(PartyId),
    buyer: described(z.optional(PartyId), "receivables owed by this buyer (its buyerPartyId, DESIGN.md §9)"),
    bank: described(z.optional(PartyId), "receivables this bank financed"),
    status: z.optional(ReceivableStatusSchema),
    dueFrom: z.optional(CalendarDate),
    dueTo: z.optional(CalendarDate),
    overdue: Flag,
    cursor: Cursor, limit: Limit,
  }),
  body: null,
  response: pageOf(ReceivableView, { asOf: AsOf }),
  produces: "json",
  success: 200,
  errors: READ_ERRORS,
});

export const getDocument = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/documents/:hash",
  access: "signed",
  summary: "A document anchored by hash, and every transaction that carried the hash",
  description: "The record is null when no live anchor holds the hash (e.g. its receivable was cancelled); the transactions remain.",
  params: z.object({ hash: Hex32 }),
  query: z.object({ cursor: Cursor, limit: Limit, minHeight: MinHeight }),
  body: null,
  response: pageOf(TxEntryView, { documentHash: Hex32, document: z.nullable(DocumentRecordView) }),
  produces: "json",
  success: 200,
  errors: READ_ERRORS,
});

export const getFingerprint = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/fingerprints/:fingerprint",
  access: "signed",
  summary: "Which receivable holds an invoice fingerprint, and every registration that carried it",
  description: "A bank recomputes the fingerprint from the invoice it received (fingerprintInvoice) and checks it before financing.",
  params: z.object({ fingerprint: Hex32 }),
  query: z.object({ cursor: Cursor, limit: Limit, minHeight: MinHeight }),
  body: null,
  response: pageOf(TxEntryView, { fingerprint: Hex32, receivableId: described(z.nullable(Hex32), "the live or settled receivable holding it") }),
  produces: "json",
  success: 200,
  errors: READ_ERRORS,
});

export const getParty = /* @__PURE__ */ route({
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
});

export const getExposure = /* @__PURE__ */ route({
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
});

export const listRejections = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/rejections",
  access: "signed",
  summary: "Rejected transactions with code, signer, time and target",
  description:
    "Auditors see every rejection. Others see their own (the default) and attempts aimed at receivables they may look up (`target`). `target` is a receivable id, document hash or party id.",
  params: Empty,
  query: z.object({
    minHeight: MinHeight,
    code: z.optional(enumWithout(RESULT_CODES, "OK")),
    signer: z.optional(PartyId),
    target: z.optional(/* @__PURE__ */ z.string().check(z.minLength(2)).check(z.maxLength(64))),
    cursor: Cursor, limit: Limit,
  }),
  body: null,
  response: pageOf(TxEntryView),
  produces: "json",
  success: 200,
  errors: READ_ERRORS,
});
