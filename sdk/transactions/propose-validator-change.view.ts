// The JSON view of the payload of propose-validator-change.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { described, Hex, Hex32, PartyId, ValidatorChangeKindSchema } from "../api/primitives.js";
import { proposeValidatorChangeTx } from "./propose-validator-change.js";

export const ProposeValidatorChangeJson = z.object({
  type: z.literal(proposeValidatorChangeTx.type),
  change: ValidatorChangeKindSchema,
  nodePublicKey: described(Hex32, "the validator's ed25519 node key (for ROTATE_KEY its current one)"),
  partyId: described(PartyId, "the party that runs the validator"),
  newNodePublicKey: described(z.optional(Hex), "ROTATE_KEY only: the validator's node key from the switch on (32 bytes; nodePublicKey is its current one); empty or absent otherwise"),
  newNodeKeyProof: described(z.optional(Hex), "ROTATE_KEY only: 64 bytes, the new key's signature over the node-key possession message (docs/governance.md §4); empty or absent otherwise"),
});
