// The JSON view of the payload of approve-validator-change.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { described, Hex32 } from "../api/primitives.js";
import { approveValidatorChangeTx } from "./approve-validator-change.js";

export const ApproveValidatorChangeJson = z.object({ type: z.literal(approveValidatorChangeTx.type), proposalId: described(Hex32, "the proposal's transaction hash") });
