// The JSON view of the payload of offer-pledge.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { Amount, CalendarDate, Currency, described, Hex32, PartyId } from "../api/primitives.js";
import { offerPledgeTx } from "./offer-pledge.js";

export const OfferPledgeJson = z.object({
  type: z.literal(offerPledgeTx.type),
  titleId: Hex32,
  bank: PartyId,
  securedAmount: described(Amount, "what the pledge secures, minor units"),
  currency: Currency,
  expiryDate: described(CalendarDate, "the pledge's last day"),
});
