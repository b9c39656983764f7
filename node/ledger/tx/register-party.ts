// registerParty: a BANK onboards an ENTERPRISE (exporter) after KYC (docs/ledger.md).
import { toHex, utf8 } from "../../../sdk/bytes.js";
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { registerPartyTx } from "../../../sdk/transactions/register-party.js";
import type { Party } from "../../../sdk/types.js";
import { encodeParty } from "../records.js";
import { KEY } from "../state.js";
import { getText, hexOf, reject, type TxRule } from "./rule.js";

export const registerPartyRule: TxRule<PayloadOf<"registerParty">> = {
  format: registerPartyTx,
  signers: ["BANK"],
  keys: (p) => [KEY.party(p.id), KEY.publicKey(hexOf(p.publicKey))],
  apply({ state, payload: p, signer, block }) {
    if (p.role !== "ENTERPRISE") reject("UNAUTHORIZED", `a bank onboards ENTERPRISE parties only, not ${p.role}`);
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
