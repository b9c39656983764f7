// The JSON view of the payload of notify-assignment.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { described, Hex32 } from "../api/primitives.js";
import { notifyAssignmentTx } from "./notify-assignment.js";

export const NotifyAssignmentJson = z.object({
  type: z.literal(notifyAssignmentTx.type),
  receivableId: Hex32,
  payeeAccountHash: described(Hex32, "SHA-256 of the account the buyer is to pay"),
});
