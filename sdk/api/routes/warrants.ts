// Routes of digital warrants: credit lines, warrants, pieces and their histories (DESIGN.md §7, docs/warrants.md).
// Each route is a value of its own (sdk/api/routes.ts collects them): a client that sends a few of them
// carries those and their schemas only. Browser-safe.
import * as z from "zod/mini";
import { Cursor, Flag, Limit, MinHeight, READ_ERRORS, ReadQuery, WaitCertifiedMs, enumWithout, historyRoute, pageOf, route } from "../route-parts.js";
import { Hex32, PartyId, described } from "../primitives.js";
import { AsOf } from "../views/core.js";
import { CreditLineView, PIECE_STATUSES, PieceItemView, PieceView, WarrantTreeView } from "../views/objects.js";

export const getCreditLine = /* @__PURE__ */ route({
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
});

export const getWarrant = /* @__PURE__ */ route({
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
});

export const getPiece = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/pieces/:id",
  access: "signed",
  summary: "A warrant piece with its ancestry to the warrant's first piece",
  description:
    "Visible to its holder (and the bank it is offered to or that financed it), to holders of pieces descending from it, to the obligor and the granting bank, and to auditors. With `proofs=true`, the transactions that created each step (and the line's grant) with inclusion proofs and commit certificates: check offline with verifyPiece.",
  params: z.object({ id: Hex32 }),
  query: z.object({ minHeight: MinHeight, proofs: described(Flag, "include each step's transaction with its proofs and certificate, and the piece's record proven from certified state"), waitCertifiedMs: WaitCertifiedMs }),
  body: null,
  response: PieceView,
  produces: "json",
  success: 200,
  errors: READ_ERRORS,
});

export const listPieces = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/parties/:id/pieces",
  access: "signed",
  summary: "The warrant pieces a party holds now (live leaves: not passed on), grouped by warrant",
  description: "The party itself and auditors. Filters: `status`, `warrant`.",
  params: z.object({ id: PartyId }),
  query: z.object({
    minHeight: MinHeight,
    status: z.optional(enumWithout(PIECE_STATUSES, "SPENT")),
    warrant: described(z.optional(Hex32), "pieces of this warrant only"),
    cursor: Cursor, limit: Limit,
  }),
  body: null,
  response: pageOf(PieceItemView, { partyId: PartyId, asOf: AsOf }),
  produces: "json",
  success: 200,
  errors: READ_ERRORS,
});

export const getPieceHistory = historyRoute("piece", "/v1/pieces/:id/history", "A warrant piece", Hex32, "Its holder (and the bank it is offered to or that financed it), the obligor, the bank of the line and auditors.");

export const getWarrantHistory = historyRoute("warrant", "/v1/warrants/:id/history", "A digital warrant", Hex32, "Every step of every piece of the warrant: its obligor, the bank of its line and auditors (not the holders, who see their own pieces' histories).");

export const getCreditLineHistory = historyRoute("line", "/v1/credit-lines/:id/history", "A credit line", described(PartyId, "credit line id"), "Its bank, its obligor and auditors.");
