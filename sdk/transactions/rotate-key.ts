// rotateKey: a party replaces its own signing key (DESIGN.md §12, docs/governance.md). Signed with the
// current key; the new key proves possession (key-possession.ts). The current key signs up to and
// including the rotation's block and is kept in the party's retiredKeys with that height, so
// verifyTx / verifyHistory keep verifying what it signed; from the next block only the new key does.
import { equalBytes } from "../bytes.js";
import { firstIssue, partyId, toBytes, type BytesInput } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";
import { newKeyCheck, proofCheck } from "./key-possession.js";

export interface RotateKey {
  /** the signer itself: the key is the signer's own */
  partyId: string;
  newPublicKey: Uint8Array;
  /** the new key's signature over keyPossessionMessage(chainId, partyId, newPublicKey) */
  possessionProof: Uint8Array;
}
export type RotateKeyPayload = { type: "rotateKey" } & RotateKey;
export interface RotateKeyInput {
  partyId: string;
  newPublicKey: BytesInput;
  possessionProof: BytesInput;
}

export const rotateKeyTx: TxFormat<RotateKeyPayload, RotateKeyInput> = {
  type: "rotateKey",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { partyId, newPublicKey: newKeyCheck, possessionProof: proofCheck }),
  build: (i) => ({ type: "rotateKey", partyId: i.partyId, newPublicKey: toBytes("newPublicKey", i.newPublicKey), possessionProof: toBytes("possessionProof", i.possessionProof) }),
  targets: "party",
  target: (p) => p.partyId,
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  events: {
    keyRotated: (e, p, tx) => want(e.partyId === p.partyId && e.partyId === tx.signer && equalBytes(e.publicKey, p.newPublicKey) && e.resetBy === "" && e.reason === "", "party or key differs from the transaction"),
  },
};
