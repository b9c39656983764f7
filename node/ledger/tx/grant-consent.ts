// grantConsent: a party lets a bank read its credit indicators and financial attestations until a
// date, inclusive (DESIGN.md §10, docs/lending.md). Replaces an earlier grant to the same bank; a
// date before the block's day revokes. Read access is decided at read time against the head's day.
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { grantConsentTx } from "../../../sdk/transactions/grant-consent.js";
import { encodeConsent } from "../records.js";
import { KEY } from "../state.js";
import { partyOfRole, type TxRule } from "./rule.js";

export const grantConsentRule: TxRule<PayloadOf<"grantConsent">> = {
  format: grantConsentTx,
  signers: ["ENTERPRISE", "CUSTODIAN"],
  keys: (p, tx) => [KEY.party(p.bank), KEY.consent(tx.body.signer, p.bank)],
  apply({ state, payload: p, signer, block }) {
    partyOfRole(state, p.bank, "BANK", "bank");
    state.put(KEY.consent(signer.id, p.bank), encodeConsent({ partyId: signer.id, bankId: p.bank, expiryDate: p.expiryDate, grantedAt: block.time }));
    return [{ type: "consentGranted", partyId: signer.id, bankId: p.bank, expiryDate: p.expiryDate }];
  },
};
