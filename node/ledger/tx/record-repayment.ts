// recordRepayment: the financing bank records (part of) a repayment; when every financing is repaid
// the receivable is SETTLED, and its fingerprint and document stay taken forever (docs/ledger.md).
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { recordRepaymentTx } from "../../../sdk/transactions/record-repayment.js";
import { financingOutstanding, liveFinanced } from "../../../sdk/domain.js";
import type { Event } from "../../../sdk/types.js";
import { KEY } from "../state.js";
import { financedStatus } from "./finance-receivable.js";
import { money, ownFinancing, putReceivable, receivableOrReject, reject, type TxRule } from "./rule.js";

export const recordRepaymentRule: TxRule<PayloadOf<"recordRepayment">> = {
  format: recordRepaymentTx,
  signers: ["BANK"],
  keys: (p) => [KEY.receivable(p.receivableId)],
  apply({ state, payload: p, signer, block }) {
    const r = receivableOrReject(state, p.receivableId);
    const { index, f } = ownFinancing(r, p.financingId, signer.id, "records its repayment");
    // A written-off financing is a loss on the bank's book: nothing is outstanding on it (docs/lending.md).
    if (f.writtenOff > 0n) reject("INVALID_STATE", `financing ${f.id} was written off`);
    const outstanding = financingOutstanding(f);
    if (p.amount > outstanding) reject("REPAYMENT_EXCEEDS_OUTSTANDING", `financing ${f.id} has ${money(outstanding, r.currency)} outstanding, repayment is ${money(p.amount, r.currency)}`);
    const financings = r.financings.map((g, i) => (i === index ? { ...g, repaid: g.repaid + p.amount } : g));
    const live = liveFinanced({ financings });
    const events: Event[] = [
      { type: "repaymentRecorded", receivableId: r.id, financingId: f.id, bankId: signer.id, amount: p.amount, financingOutstanding: outstanding - p.amount },
    ];
    // A DEFAULTED receivable stays DEFAULTED: another bank's repayment does not undo a loss.
    const status = r.status === "DEFAULTED" ? "DEFAULTED" : live === 0n ? "SETTLED" : financedStatus(r, live);
    if (status === "SETTLED") events.push({ type: "receivableSettled", receivableId: r.id });
    putReceivable(state, { ...r, financings, status, updatedAt: block.time });
    return events;
  },
};
