// The JSON view of the payload of finance-receivable.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { Amount, Currency, described, Hex32 } from "../api/primitives.js";
import { financeReceivableTx } from "./finance-receivable.js";

export const FinanceReceivableJson = z.object({
  type: z.literal(financeReceivableTx.type),
  receivableId: Hex32,
  amount: Amount,
  currency: Currency,
  requireAcknowledgement: described(z.optional(z.boolean()), "when true, live financing plus this amount must not exceed the buyer's acknowledged amount (NOT_ACKNOWLEDGED)"),
});
