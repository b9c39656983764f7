// The JSON view of the payload of grant-consent.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { CalendarDate, PartyId, described } from "../api/primitives.js";
import { grantConsentTx } from "./grant-consent.js";

export const GrantConsentJson = z.object({ type: z.literal(grantConsentTx.type), bank: PartyId, expiryDate: described(CalendarDate, "the last day (UTC) the bank may read; a past day revokes") });
