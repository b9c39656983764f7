// The JSON view of the payload of adjust-credit-line.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { Amount, CalendarDate, described, PartyId } from "../api/primitives.js";
import { adjustCreditLineTx } from "./adjust-credit-line.js";

export const AdjustCreditLineJson = z.object({ type: z.literal(adjustCreditLineTx.type), lineId: described(PartyId, "credit line id"), limit: Amount, expiryDate: CalendarDate });
