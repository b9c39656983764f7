// resetPartyKey: a BANK replaces the signing key of a party it onboarded (an ENTERPRISE or CUSTODIAN
// that lost its key), with the reason, recorded in the party's retiredKeys and the keyRotated event
// (DESIGN.md §12, docs/governance.md). The new key proves possession as in a rotation, so the bank
// installs the key the party generated, bound to that party.
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

export const resetPartyKeyTx: TxFormat<ResetPartyKeyPayload, ResetPartyKeyInput> = {
  type: "resetPartyKey",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { partyId, newPublicKey: newKeyCheck, possessionProof: proofCheck, reason: text(1, LIMITS.reasonChars) }),
  build: (i) => ({ type: "resetPartyKey", partyId: i.partyId, newPublicKey: toBytes("newPublicKey", i.newPublicKey), possessionProof: toBytes("possessionProof", i.possessionProof), reason: i.reason }),
  targets: "party",
  target: (p) => p.partyId,
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  events: {
    keyRotated: (e, p, tx) => want(e.partyId === p.partyId && equalBytes(e.publicKey, p.newPublicKey) && e.resetBy === tx.signer && e.reason === p.reason, "party, key, bank or reason differs from the transaction"),
  },
};
