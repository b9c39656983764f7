// The JSON view of the payload of register-receivable.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { Amount, CalendarDate, Currency, described, Hex32, PartyId } from "../api/primitives.js";
import { registerReceivableTx } from "./register-receivable.js";

export const RegisterReceivableJson = z.object({
  type: z.literal(registerReceivableTx.type),
  documentHash: Hex32,
  fingerprint: Hex32,
  buyerId: z.string(),
  amount: Amount,
  currency: Currency,
  issueDate: CalendarDate,
  dueDate: CalendarDate,
  buyerPartyId: described(z.union([z.literal(""), PartyId]), "the buyer's party id when the buyer is on the network; empty otherwise"),
});
