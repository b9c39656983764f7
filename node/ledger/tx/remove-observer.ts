// removeObserver: a BANK or REGULATOR removes an admitted observer, with the reason (DESIGN.md §12,
// docs/governance.md); validators disconnect and refuse it from the block that commits this.
import { equalBytes, toHex } from "../../../sdk/bytes.js";
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { removeObserverTx } from "../../../sdk/transactions/remove-observer.js";
import { KEY } from "../state.js";
import { observerRecords, putObserverRecords } from "./observer-set.js";
import { reject, type TxRule } from "./rule.js";

export const removeObserverRule: TxRule<PayloadOf<"removeObserver">> = {
  format: removeObserverTx,
  signers: ["BANK", "REGULATOR"],
  keys: () => [KEY.observers],
  apply({ state, payload: p, signer, block }) {
    const records = observerRecords(state);
    const existing = records.find((r) => equalBytes(r.nodePublicKey, p.nodePublicKey) && r.removedBy === "");
    if (!existing) reject("NOT_FOUND", `node ${toHex(p.nodePublicKey)} is not an admitted observer`);
    const removed = { ...existing, removedBy: signer.id, removedAt: block.height, reason: p.reason };
    putObserverRecords(state, records.map((r) => (r === existing ? removed : r)));
    return [{ type: "observerRemoved", nodePublicKey: p.nodePublicKey, removedBy: signer.id, reason: p.reason }];
  },
};
