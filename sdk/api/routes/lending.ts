// Routes of before, during and after lending (DESIGN.md §10-§11, docs/lending.md).
// Each route is a value of its own (sdk/api/routes.ts collects them): a client that sends a few of them
// carries those and their schemas only. Browser-safe.
import * as z from "zod/mini";
import { Cursor, Empty, Limit, MinHeight, READ_ERRORS, WaitCertifiedMs, route } from "../route-parts.js";
import { PartyId, U64, described } from "../primitives.js";
import { AgingReportView, ConcentrationReportView, FinancialsView, IndicatorsView } from "../lending-schemas.js";

// before, during and after lending (DESIGN.md §10-§11, docs/lending.md)
export const getIndicators = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/parties/:id/indicators",
  access: "signed",
  summary: "A party's credit indicators (versioned), with the state record they come from and its proof",
  description:
    "Readable by the party, by a bank it consented to until the consent's expiry day, by auditors and regulators. Computed at the head; `asOf`, if given, must be the head's height.",
  params: z.object({ id: PartyId }),
  query: z.object({ minHeight: MinHeight, asOf: described(z.optional(U64), "the head height (state is kept at the head)"), waitCertifiedMs: WaitCertifiedMs }),
  body: null,
  response: IndicatorsView,
  produces: "json",
  success: 200,
  errors: READ_ERRORS,
});

export const getFinancials = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/parties/:id/financials",
  access: "signed",
  summary: "Attestations of a party's financial figures , oldest first",
  description: "Readable as the indicators are: the party, banks it consented to until expiry, auditors and regulators.",
  params: z.object({ id: PartyId }),
  query: z.object({ minHeight: MinHeight, cursor: Cursor, limit: Limit }),
  body: null,
  response: FinancialsView,
  produces: "json",
  success: 200,
  errors: READ_ERRORS,
});

export const getAgingReport = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/reports/aging",
  access: "signed",
  summary: "A bank's live financing aged by days past due (current, 1-30, 31-90, >90) and its NPL ratio, bound to the state root",
  description:
    "A bank reads its own book; auditors and regulators any bank's, or every bank's without `bank`. Every record of each bank's book the report reads (root, a core per currency, one record per due date) is an input with its state proof, and `certified` certifies the asOf header (its state root) to anyone who knows the validator set: sdk verifyReport checks both and re-derives the figures. Without `certified` (the block is not certified yet: wait with `waitCertifiedMs`, or fetch GET /v1/blocks/:height/certified later; the SDK's verifiedReport does) the report is bound to `stateRoot` only.",
  params: Empty,
  query: z.object({ minHeight: MinHeight, bank: z.optional(PartyId), asOf: described(z.optional(U64), "the head height (state is kept at the head)"), waitCertifiedMs: WaitCertifiedMs }),
  body: null,
  response: AgingReportView,
  produces: "json",
  success: 200,
  errors: READ_ERRORS,
});

export const getConcentrationReport = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/reports/concentration",
  access: "signed",
  summary: "A bank's live financing per exporter and per obligor as shares of its book, bound to the state root",
  description: "Access as the aging report; its inputs are the root, cores and one record per exporter and per obligor. Shares and HHI in basis points, per currency.",
  params: Empty,
  query: z.object({ minHeight: MinHeight, bank: z.optional(PartyId), asOf: described(z.optional(U64), "the head height (state is kept at the head)"), waitCertifiedMs: WaitCertifiedMs }),
  body: null,
  response: ConcentrationReportView,
  produces: "json",
  success: 200,
  errors: READ_ERRORS,
});
