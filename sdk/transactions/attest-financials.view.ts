// The JSON view of the payload of attest-financials.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { CalendarDate, Currency, Hex32, PartyId, described } from "../api/primitives.js";
import { SIGNED_RE, attestFinancialsTx } from "./attest-financials.js";

export const AttestFinancialsJson = z.object({
  type: z.literal(attestFinancialsTx.type),
  partyId: PartyId,
  periodStart: CalendarDate,
  periodEnd: CalendarDate,
  currency: Currency,
  figures: z.array(z.object({ name: z.string(), amount: described(z.string().check(z.regex(SIGNED_RE)), "signed count of minor units, decimal string") })),
  documentHash: described(Hex32, "document hash of the financial statement"),
});
