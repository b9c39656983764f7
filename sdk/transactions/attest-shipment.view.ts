// The JSON view of the payload of attest-shipment.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { Amount, CalendarDate, Currency, Hex32, PartyId } from "../api/primitives.js";
import { attestShipmentTx } from "./attest-shipment.js";

export const AttestShipmentJson = z.object({
  type: z.literal(attestShipmentTx.type),
  declarationFingerprint: Hex32,
  declarationHash: Hex32,
  exporterId: PartyId,
  declaredValue: Amount,
  currency: Currency,
  exportDate: CalendarDate,
  receivableIds: z.array(Hex32),
});
