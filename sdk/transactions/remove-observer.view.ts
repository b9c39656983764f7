// The JSON view of the payload of remove-observer.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { described, Hex32 } from "../api/primitives.js";
import { removeObserverTx } from "./remove-observer.js";

export const RemoveObserverJson = z.object({
  type: z.literal(removeObserverTx.type),
  nodePublicKey: described(Hex32, "the admitted observer's node key"),
  reason: described(z.string(), "why: 1-500 characters, recorded"),
});
