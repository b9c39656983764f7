// notifyAssignment: a bank with a live financing on a receivable tells the buyer whom to pay
// (DESIGN.md §9). The payee is locked to that bank while it has a live financing on the receivable:
// another bank's notice is PAYEE_LOCKED; once the notifying bank is repaid, a bank that finances
// the receivable then may notify anew.
import { financingOutstanding } from "../../../sdk/domain.js";
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { notifyAssignmentTx } from "../../../sdk/transactions/notify-assignment.js";
import type { Receivable } from "../../../sdk/types.js";
import { KEY } from "../state.js";
import { putReceivable, receivableOrReject, reject, type TxRule } from "./rule.js";

const financesLive = (r: Receivable, bankId: string) => r.financings.some((f) => f.bankId === bankId && financingOutstanding(f) > 0n);

export const notifyAssignmentRule: TxRule<PayloadOf<"notifyAssignment">> = {
  format: notifyAssignmentTx,
  signers: ["BANK"],
  keys: (p) => [KEY.receivable(p.receivableId)],
  apply({ state, payload: p, signer, block }) {
    const r = receivableOrReject(state, p.receivableId);
    if (!financesLive(r, signer.id)) reject("UNAUTHORIZED", `${signer.id} has no live financing on receivable ${r.id}; only a bank that finances it notifies the assignment`);
    if (r.payeeBankId && r.payeeBankId !== signer.id && financesLive(r, r.payeeBankId)) {
      reject("PAYEE_LOCKED", `the payee of receivable ${r.id} was set by ${r.payeeBankId}, which still finances it; only that bank may change it`);
    }
    putReceivable(state, { ...r, payeeBankId: signer.id, payeeAccountHash: p.payeeAccountHash, payeeNotifiedAt: block.time, updatedAt: block.time });
    return [{ type: "assignmentNotified", receivableId: r.id, bankId: signer.id, payeeAccountHash: p.payeeAccountHash, buyerPartyId: r.buyerPartyId }];
  },
};
