// The JSON view of the payload of transfer-warrant.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { Amount, described, Hex32, PartyId } from "../api/primitives.js";
import { transferWarrantTx } from "./transfer-warrant.js";

export const TransferWarrantJson = z.object({
  type: z.literal(transferWarrantTx.type),
  pieceId: Hex32,
  outputs: z.array(z.object({ to: PartyId, amount: Amount, tradeRef: described(z.union([z.literal(""), Hex32]), "the recipient's receivable on the sender; empty between banks") })),
});
