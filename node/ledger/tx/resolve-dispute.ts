// resolveDispute: the buyer withdraws its dispute (DESIGN.md §9); new financing may follow. Allowed
// in any status, so a dispute left open when a receivable settled can still be closed.
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { resolveDisputeTx } from "../../../sdk/transactions/resolve-dispute.js";
import { KEY } from "../state.js";
import { buyersReceivableOrReject } from "./buyer-common.js";
import { putReceivable, reject, type TxRule } from "./rule.js";

export const resolveDisputeRule: TxRule<PayloadOf<"resolveDispute">> = {
  format: resolveDisputeTx,
  signers: ["ENTERPRISE"],
  keys: (p) => [KEY.receivable(p.receivableId)],
  apply({ state, payload: p, signer, block }) {
    const r = buyersReceivableOrReject(state, p.receivableId, signer);
    if (!r.disputed) reject("INVALID_STATE", `receivable ${r.id} is not disputed`);
    putReceivable(state, { ...r, disputed: false, disputeReason: "", disputedSince: 0n, updatedAt: block.time });
    return [{ type: "disputeResolved", receivableId: r.id, buyerPartyId: signer.id }];
  },
};
