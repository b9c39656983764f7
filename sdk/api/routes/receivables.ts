// Routes of receivables, their histories, documents, fingerprints, parties, exposure and rejections (DESIGN.md §2-§5).
// Each route is a value of its own (sdk/api/routes.ts collects them): a client that sends a few of them
// carries those and their schemas only. Browser-safe.
import * as z from "zod/mini";
import { Cursor, Empty, Flag, HistoryQuery, Limit, MinHeight, READ_ERRORS, ReadQuery, pageOf, route } from "../route-parts.js";
import { CalendarDate, Hex32, PartyId, ReceivableStatusSchema, described } from "../primitives.js";
import { AsOf, HistoryBlocks, HistoryComplete, HistoryEntryView, HistorySignerKeys, ReceivableView } from "../views/core.js";

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

