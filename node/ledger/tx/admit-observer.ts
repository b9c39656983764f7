// admitObserver: a BANK or REGULATOR admits a non-voting node, operated by a registered party
// (DESIGN.md §12, docs/governance.md). Every node's gater follows the set as blocks commit.
import { equalBytes, toHex } from "../../../sdk/bytes.js";
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { admitObserverTx } from "../../../sdk/transactions/admit-observer.js";
import { KEY } from "../state.js";
import { MAX_ADMITTED_OBSERVERS, observerRecords, putObserverRecords } from "./observer-set.js";
import { getParty, reject, type TxRule } from "./rule.js";

export const admitObserverRule: TxRule<PayloadOf<"admitObserver">> = {
  format: admitObserverTx,
  signers: ["BANK", "REGULATOR"],
  keys: (p) => [KEY.observers, KEY.party(p.partyId)],
  apply({ state, payload: p, signer, block }) {
    if (!getParty(state, p.partyId)) reject("UNKNOWN_PARTY", `no party ${p.partyId} is registered to operate the observer`);
    const records = observerRecords(state);
    const existing = records.find((r) => equalBytes(r.nodePublicKey, p.nodePublicKey));
    if (existing && existing.removedBy === "") reject("DUPLICATE_OBSERVER", `node ${toHex(p.nodePublicKey)} is already admitted (operated by ${existing.partyId}, admitted by ${existing.admittedBy} at height ${existing.admittedAt})`);
    const admitted = records.filter((r) => r.removedBy === "").length;
    if (admitted >= MAX_ADMITTED_OBSERVERS) reject("INVALID_STATE", `${admitted} observers are admitted, the most at once: remove one first`);
    const record = { nodePublicKey: p.nodePublicKey, partyId: p.partyId, admittedBy: signer.id, admittedAt: block.height, removedBy: "", removedAt: 0n, reason: "" };
    putObserverRecords(state, [...records.filter((r) => r !== existing), record]);
    return [{ type: "observerAdmitted", nodePublicKey: p.nodePublicKey, partyId: p.partyId, admittedBy: signer.id }];
  },
};
