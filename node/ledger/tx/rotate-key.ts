// rotateKey: a party replaces its own signing key (DESIGN.md §12, docs/governance.md). Any role may:
// it is the party's account, not a business write. Signed with the current key; the new key proves
// possession.
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { rotateKeyTx } from "../../../sdk/transactions/rotate-key.js";
import { ROLES } from "../../../sdk/types.js";
import { KEY } from "../state.js";
import { changeKey } from "./key-change.js";
import { hexOf, reject, type TxRule } from "./rule.js";

export const rotateKeyRule: TxRule<PayloadOf<"rotateKey">> = {
  format: rotateKeyTx,
  signers: ROLES,
  keys: (p) => [KEY.publicKey(hexOf(p.newPublicKey))],
  apply({ state, tx, payload: p, signer, block, crypto }) {
    if (p.partyId !== signer.id) reject("UNAUTHORIZED", `${signer.id} may rotate only its own key, not ${p.partyId}'s (a bank resets the key of a party it onboarded: tradeledger party reset-key)`);
    return changeKey(state, crypto, block, { chainId: tx.body.chainId, party: signer, newPublicKey: p.newPublicKey, possessionProof: p.possessionProof, resetBy: "", reason: "" });
  },
};
