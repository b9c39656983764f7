// The JSON view of the payload of offer-warrant.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { Hex32, PartyId } from "../api/primitives.js";
import { offerWarrantTx } from "./offer-warrant.js";

export const OfferWarrantJson = z.object({ type: z.literal(offerWarrantTx.type), pieceId: Hex32, bank: PartyId });
