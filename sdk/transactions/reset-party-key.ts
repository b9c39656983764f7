// resetPartyKey: a BANK replaces the signing key of a party it onboarded (an ENTERPRISE or CUSTODIAN
// that lost its key), with the reason, recorded in the party's retiredKeys and the keyRotated event
// (DESIGN.md §12, docs/governance.md). The new key proves possession as in a rotation, so the bank
// installs the key the party generated, bound to that party.
import * as z from "zod/mini";
import { described, Hex, Hex32, PartyId } from "../api/primitives.js";
import { equalBytes } from "../bytes.js";
import { firstIssue, LIMITS, partyId, text, toBytes, type BytesInput } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";
import { newKeyCheck, proofCheck } from "./key-possession.js";

export interface ResetPartyKey {
  partyId: string;
  newPublicKey: Uint8Array;
  possessionProof: Uint8Array;
  reason: string;
}
export type ResetPartyKeyPayload = { type: "resetPartyKey" } & ResetPartyKey;
export interface ResetPartyKeyInput {
  partyId: string;
  newPublicKey: BytesInput;
  possessionProof: BytesInput;
  reason: string;
}

const ResetPartyKeyJson = z.object({
  type: z.literal("resetPartyKey"),
  partyId: described(PartyId, "a party the signing bank onboarded"),
  newPublicKey: described(Hex32, "the party's new ed25519 public key, in force from the next block"),
  possessionProof: described(Hex, "64 bytes: the new key's signature over the key-possession message (docs/governance.md)"),
  reason: described(z.string(), "why the key is reset: 1-500 characters, recorded"),
});

export const resetPartyKeyTx: TxFormat<ResetPartyKeyPayload, ResetPartyKeyInput, typeof ResetPartyKeyJson> = {
  type: "resetPartyKey",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { partyId, newPublicKey: newKeyCheck, possessionProof: proofCheck, reason: text(1, LIMITS.reasonChars) }),
  build: (i) => ({ type: "resetPartyKey", partyId: i.partyId, newPublicKey: toBytes("newPublicKey", i.newPublicKey), possessionProof: toBytes("possessionProof", i.possessionProof), reason: i.reason }),
  targets: "party",
  target: (p) => p.partyId,
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  json: ResetPartyKeyJson,
  events: {
    keyRotated: (e, p, tx) => want(e.partyId === p.partyId && equalBytes(e.publicKey, p.newPublicKey) && e.resetBy === tx.signer && e.reason === p.reason, "party, key, bank or reason differs from the transaction"),
  },
};
