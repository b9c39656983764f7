// The JSON view of the payload of accept-piece-extension.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { CalendarDate, Hex32, described } from "../api/primitives.js";
import { acceptPieceExtensionTx } from "./accept-piece-extension.js";

export const AcceptPieceExtensionJson = z.object({
  type: z.literal(acceptPieceExtensionTx.type),
  pieceId: Hex32,
  newDueDate: described(CalendarDate, "the due date proposed by the holder bank, restated"),
});
