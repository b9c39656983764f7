// The JSON view of the payload of anchor-document.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { Hex, Hex32 } from "../api/primitives.js";
import { anchorDocumentTx } from "./anchor-document.js";

export const AnchorDocumentJson = z.object({ type: z.literal(anchorDocumentTx.type), documentHash: Hex32, documentType: z.string(), receivableId: z.string(), billOfLadingFingerprint: Hex });
