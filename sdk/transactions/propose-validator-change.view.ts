// The JSON view of the payload of propose-validator-change.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { described, Hex32, PartyId, ValidatorChangeKindSchema } from "../api/primitives.js";
import { proposeValidatorChangeTx } from "./propose-validator-change.js";

export const ProposeValidatorChangeJson = z.object({
  type: z.literal(proposeValidatorChangeTx.type),
  change: ValidatorChangeKindSchema,
  nodePublicKey: described(Hex32, "the validator's ed25519 node key"),
  partyId: described(PartyId, "the party that runs the validator"),
});
