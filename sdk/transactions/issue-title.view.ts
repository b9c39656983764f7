// The JSON view of the payload of issue-title.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { described, Hex32, PartyId, TitleKindSchema } from "../api/primitives.js";
import { Quantity } from "./title-common.js";
import { LotId } from "./title-common.view.js";
import { issueTitleTx } from "./issue-title.js";

export const IssueTitleJson = z.object({
  type: z.literal(issueTitleTx.type),
  kind: TitleKindSchema,
  fingerprint: described(Hex32, "the document number, normalised: unique over live titles; a bill of lading's is shared with anchored bills of lading"),
  lotId: LotId,
  quantity: Quantity,
  holder: PartyId,
});
