// The JSON view of the payload of issue-warrant.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { Amount, CalendarDate, Currency, described, Hex32, PartyId } from "../api/primitives.js";
import { issueWarrantTx } from "./issue-warrant.js";

export const IssueWarrantJson = z.object({
  type: z.literal(issueWarrantTx.type),
  lineId: described(PartyId, "credit line id"),
  holder: PartyId,
  amount: Amount,
  currency: Currency,
  maturityDate: CalendarDate,
  sources: described(z.array(Hex32), "the holder's receivables on the obligor: the warrant's trade background"),
});
