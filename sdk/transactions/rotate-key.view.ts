// The JSON view of the payload of rotate-key.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { described, Hex, Hex32, PartyId } from "../api/primitives.js";
import { rotateKeyTx } from "./rotate-key.js";

export const RotateKeyJson = z.object({
  type: z.literal(rotateKeyTx.type),
  partyId: described(PartyId, "the signer: a party rotates its own key"),
  newPublicKey: described(Hex32, "the new ed25519 public key, in force from the next block"),
  possessionProof: described(Hex, "64 bytes: the new key's signature over the key-possession message (docs/governance.md)"),
});
