// The JSON view of the payload of record-repayment.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { Amount, Hex32 } from "../api/primitives.js";
import { recordRepaymentTx } from "./record-repayment.js";

export const RecordRepaymentJson = z.object({ type: z.literal(recordRepaymentTx.type), receivableId: Hex32, financingId: Hex32, amount: Amount });
