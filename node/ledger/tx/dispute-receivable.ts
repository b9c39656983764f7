// disputeReceivable: the buyer disputes a live receivable (DESIGN.md §9). A flag, not a status: a
// financed receivable can be disputed too; no bank may finance it until the buyer resolves it.
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { disputeReceivableTx } from "../../../sdk/transactions/dispute-receivable.js";
import { isClosed } from "../../../sdk/domain.js";
import { KEY } from "../state.js";
import { buyersReceivableOrReject } from "./buyer-common.js";
import { putReceivable, reject, type TxRule } from "./rule.js";

export const disputeReceivableRule: TxRule<PayloadOf<"disputeReceivable">> = {
  format: disputeReceivableTx,
  signers: ["ENTERPRISE"],
  keys: (p) => [KEY.receivable(p.receivableId)],
  apply({ state, payload: p, signer, block }) {
    const r = buyersReceivableOrReject(state, p.receivableId, signer);
    if (isClosed(r.status)) reject("INVALID_STATE", `receivable ${r.id} is ${r.status}`);
    if (r.disputed) reject("DISPUTED", `receivable ${r.id} is already disputed since ${r.disputedSince}: ${r.disputeReason}`);
    putReceivable(state, { ...r, disputed: true, disputeReason: p.reason, disputedSince: block.time, updatedAt: block.time });
    return [{ type: "receivableDisputed", receivableId: r.id, buyerPartyId: signer.id, reason: p.reason }];
  },
};
