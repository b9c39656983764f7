// The JSON view of the payload of grant-credit-line.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { Amount, CalendarDate, Currency, described, PartyId } from "../api/primitives.js";
import { grantCreditLineTx } from "./grant-credit-line.js";

export const GrantCreditLineJson = z.object({ type: z.literal(grantCreditLineTx.type), lineId: described(PartyId, "credit line id"), obligor: PartyId, currency: Currency, limit: Amount, expiryDate: CalendarDate });
