// resetPartyKey: a BANK replaces the key of a party it onboarded that lost its key, with the reason
// (DESIGN.md §12, docs/governance.md). Genesis parties and other banks' customers are not its to reset.
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { resetPartyKeyTx } from "../../../sdk/transactions/reset-party-key.js";
import { KEY } from "../state.js";
import { changeKey } from "./key-change.js";
import { getParty, hexOf, reject, type TxRule } from "./rule.js";

export const resetPartyKeyRule: TxRule<PayloadOf<"resetPartyKey">> = {
  format: resetPartyKeyTx,
  signers: ["BANK"],
  keys: (p) => [KEY.party(p.partyId), KEY.publicKey(hexOf(p.newPublicKey))],
  apply({ state, tx, payload: p, signer, block, crypto }) {
    const party = getParty(state, p.partyId) ?? reject("UNKNOWN_PARTY", `no party ${p.partyId} is registered`);
    if (party.registeredBy !== signer.id) {
      reject("UNAUTHORIZED", party.registeredBy === "" ? `${p.partyId} is a genesis party: it rotates its own key` : `${p.partyId} was onboarded by ${party.registeredBy}; only that bank resets its key`);
    }
    return changeKey(state, crypto, block, { chainId: tx.body.chainId, party, newPublicKey: p.newPublicKey, possessionProof: p.possessionProof, resetBy: signer.id, reason: p.reason });
  },
};
