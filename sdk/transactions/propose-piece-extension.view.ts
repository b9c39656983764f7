// The JSON view of the payload of propose-piece-extension.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { CalendarDate, Hex32, described } from "../api/primitives.js";
import { proposePieceExtensionTx } from "./propose-piece-extension.js";

export const ProposePieceExtensionJson = z.object({
  type: z.literal(proposePieceExtensionTx.type),
  pieceId: Hex32,
  newDueDate: described(CalendarDate, "the due date the holder bank proposes, after the piece's current one"),
});
