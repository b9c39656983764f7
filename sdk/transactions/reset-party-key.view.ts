// The JSON view of the payload of reset-party-key.ts's type, in the RPC and the OpenAPI document
// (sdk/api/tx-payloads.ts collects every type's): apart from the format, so that a client bundle
// that never parses a transaction's JSON does not carry it. Browser-safe.
import * as z from "zod/mini";
import { described, Hex, Hex32, PartyId } from "../api/primitives.js";
import { resetPartyKeyTx } from "./reset-party-key.js";

export const ResetPartyKeyJson = z.object({
  type: z.literal(resetPartyKeyTx.type),
  partyId: described(PartyId, "a party the signing bank onboarded"),
  newPublicKey: described(Hex32, "the party's new ed25519 public key, in force from the next block"),
  possessionProof: described(Hex, "64 bytes: the new key's signature over the key-possession message (docs/governance.md)"),
  reason: described(z.string(), "why the key is reset: 1-500 characters, recorded"),
});
