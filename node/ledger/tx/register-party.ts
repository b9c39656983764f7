// registerParty: a BANK onboards an ENTERPRISE (exporter) or a CUSTODIAN (carrier, warehouse) after
// KYC (docs/ledger.md, DESIGN.md Part II).
import { toHex, utf8 } from "../../../sdk/bytes.js";
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { registerPartyTx } from "../../../sdk/transactions/register-party.js";
import type { Party, Role } from "../../../sdk/types.js";
import { encodeParty } from "../records.js";
import { KEY } from "../state.js";
import { getText, hexOf, reject, type TxRule } from "./rule.js";

/** The roles a bank may onboard; banks, customs and auditors come from genesis (and governance). */
const ONBOARDED_BY_BANKS: readonly Role[] = ["ENTERPRISE", "CUSTODIAN"];

export const registerPartyRule: TxRule<PayloadOf<"registerParty">> = {
  format: registerPartyTx,
  signers: ["BANK"],
  keys: (p) => [KEY.party(p.id), KEY.publicKey(hexOf(p.publicKey))],
  apply({ state, payload: p, signer, block }) {
    if (!ONBOARDED_BY_BANKS.includes(p.role)) reject("UNAUTHORIZED", `a bank onboards ${ONBOARDED_BY_BANKS.join(" or ")} parties only, not ${p.role}`);
    if (state.get(KEY.party(p.id))) reject("DUPLICATE_PARTY", `party ${p.id} is already registered`);
    const keyHex = toHex(p.publicKey);
    const holder = getText(state, KEY.publicKey(keyHex));
    if (holder !== undefined) reject("DUPLICATE_PARTY", `public key ${keyHex} is already registered to party ${holder}`);
    const party: Party = {
      id: p.id,
      role: p.role,
      name: p.name,
      country: p.country,
      publicKey: p.publicKey,
      lei: p.lei,
      registeredBy: signer.id,
      registeredAt: block.time,
    };
    state.put(KEY.party(p.id), encodeParty(party));
    state.put(KEY.publicKey(keyHex), utf8(p.id));
    return [{ type: "partyRegistered", partyId: p.id, role: p.role }];
  },
};
