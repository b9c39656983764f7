// The JSON view of the payload of write-off.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { Hex32, described } from "../api/primitives.js";
import { writeOffTx } from "./write-off.js";

export const WriteOffJson = z.object({ type: z.literal(writeOffTx.type), receivableId: Hex32, financingId: described(Hex32, "the financing written off") });
