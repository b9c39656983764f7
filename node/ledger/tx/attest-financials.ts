// attestFinancials: a BANK or an AUDITOR attests a party's financial figures for a period
// (DESIGN.md §10, docs/lending.md). The attestation is its signed transaction: nothing in state
// changes; the event files it under the party (the read index), the statement's hash under the
// document index. An AUDITOR signs this and nothing else: it attests, it does not trade.
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { attestFinancialsTx } from "../../../sdk/transactions/attest-financials.js";
import { KEY } from "../state.js";
import { getParty, reject, type TxRule } from "./rule.js";

export const attestFinancialsRule: TxRule<PayloadOf<"attestFinancials">> = {
  format: attestFinancialsTx,
  signers: ["BANK", "AUDITOR"],
  keys: (p) => [KEY.party(p.partyId)],
  apply({ state, payload: p, signer }) {
    if (!getParty(state, p.partyId)) reject("UNKNOWN_PARTY", `no party ${p.partyId} is registered`);
    if (p.partyId === signer.id) reject("UNAUTHORIZED", `${signer.id} may not attest its own financials`);
    return [{ type: "financialsAttested", partyId: p.partyId, attestedBy: signer.id, periodEnd: p.periodEnd, documentHash: p.documentHash }];
  },
};
