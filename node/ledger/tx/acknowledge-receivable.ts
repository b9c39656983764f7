// acknowledgeReceivable: the buyer confirms it owes an amount (at most the face value) on a date
// (DESIGN.md §9). A later acknowledgement replaces the earlier one, up or down, but never below
// the live financing: banks may have lent on the buyer's word; a buyer that owes less disputes.
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { acknowledgeReceivableTx } from "../../../sdk/transactions/acknowledge-receivable.js";
import { isClosed, liveFinanced } from "../../../sdk/domain.js";
import { KEY } from "../state.js";
import { buyersReceivableOrReject } from "./buyer-common.js";
import { money, putReceivable, reject, type TxRule } from "./rule.js";

export const acknowledgeReceivableRule: TxRule<PayloadOf<"acknowledgeReceivable">> = {
  format: acknowledgeReceivableTx,
  signers: ["ENTERPRISE"],
  keys: (p) => [KEY.receivable(p.receivableId)],
  apply({ state, payload: p, signer, block }) {
    const r = buyersReceivableOrReject(state, p.receivableId, signer);
    if (isClosed(r.status)) reject("INVALID_STATE", `receivable ${r.id} is ${r.status}`);
    if (r.disputed) reject("DISPUTED", `receivable ${r.id} is disputed by its buyer; resolve the dispute before acknowledging it`);
    if (p.amount > r.amount) reject("EXCEEDS_FACE_VALUE", `receivable ${r.id}: acknowledged ${money(p.amount, r.currency)} exceeds face value ${money(r.amount, r.currency)}`);
    const live = liveFinanced(r);
    if (p.amount < live) {
      reject("INVALID_STATE", `receivable ${r.id}: ${money(live, r.currency)} is financed; an acknowledgement of ${money(p.amount, r.currency)} below it is a dispute (disputeReceivable)`);
    }
    putReceivable(state, { ...r, acknowledgedAmount: p.amount, acknowledgedDueDate: p.dueDate, acknowledgedAt: block.time, updatedAt: block.time });
    return [{ type: "receivableAcknowledged", receivableId: r.id, buyerPartyId: signer.id, amount: p.amount, dueDate: p.dueDate }];
  },
};
