// The JSON view of the payload of dispute-receivable.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { described, Hex32 } from "../api/primitives.js";
import { disputeReceivableTx } from "./dispute-receivable.js";

export const DisputeReceivableJson = z.object({
  type: z.literal(disputeReceivableTx.type),
  receivableId: Hex32,
  reason: described(z.string(), "why the buyer disputes it: 1-500 characters"),
});
