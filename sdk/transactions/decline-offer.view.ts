// The JSON view of the payload of decline-offer.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { Hex32 } from "../api/primitives.js";
import { declineOfferTx } from "./decline-offer.js";

export const DeclineOfferJson = z.object({ type: z.literal(declineOfferTx.type), pieceId: Hex32 });
