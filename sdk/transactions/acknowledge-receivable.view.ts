// The JSON view of the payload of acknowledge-receivable.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { Amount, CalendarDate, described, Hex32 } from "../api/primitives.js";
import { acknowledgeReceivableTx } from "./acknowledge-receivable.js";

export const AcknowledgeReceivableJson = z.object({
  type: z.literal(acknowledgeReceivableTx.type),
  receivableId: Hex32,
  amount: described(Amount, "what the buyer confirms it owes, in minor units of the receivable's currency"),
  dueDate: described(CalendarDate, "the date the buyer confirms it pays on"),
});
