// Routes of title documents and pledges, lots and their histories (DESIGN.md §8, docs/titles.md).
// Each route is a value of its own (sdk/api/routes.ts collects them): a client that sends a few of them
// carries those and their schemas only. Browser-safe.
import * as z from "zod/mini";
import { Cursor, Limit, MinHeight, READ_ERRORS, ReadQuery, enumWithout, historyRoute, pageOf, route } from "../route-parts.js";
import { Hex32, PartyId, Quantity, described } from "../primitives.js";
import { AsOf } from "../views/core.js";
import { LotRecord, TITLE_STATUSES, TitleRecord, TitleView } from "../views/objects.js";

export const getTitle = /* @__PURE__ */ route({
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
});

export const getLot = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/lots/:id",
  access: "signed",
  summary: "A lot of goods a custodian attests, with the titles issued on it",
  description:
    "The custodian and auditors see every title issued on the lot (surrendered ones too), in issue order (`complete: true`); a holder of a live title on the lot sees the lot and its own live titles on it (`complete: false`). `available` is the attested quantity not yet under a live title.",
  params: z.object({ id: described(PartyId, "lot id") }),
  query: z.object({ cursor: Cursor, limit: Limit, minHeight: MinHeight }),
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
});

export const listTitles = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/parties/:id/titles",
  access: "signed",
  summary: "The titles a party holds now or, for a bank, the titles offered or pledged to it now",
  description:
    "The party itself and auditors. An enterprise's live titles (not surrendered), a bank's current pledges (`as: pledgee`), by lot then title id. Filters: `status`, `lot`.",
  params: z.object({ id: PartyId }),
  query: z.object({
    minHeight: MinHeight,
    status: z.optional(enumWithout(TITLE_STATUSES, "SURRENDERED")),
    lot: described(z.optional(PartyId), "titles on this lot only"),
    cursor: Cursor, limit: Limit,
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
});

export const getTitleHistory = historyRoute("title", "/v1/titles/:id/history", "A title document", Hex32, "The custodian that issued it, its holder, the bank it is offered or pledged to now, and auditors.");

export const getLotHistory = historyRoute("lot", "/v1/lots/:id/history", "A lot of goods", described(PartyId, "lot id"), "Every attestation and every title issued on or surrendered from the lot: its custodian and auditors.");
