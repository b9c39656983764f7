// financeReceivable: a bank finances part or all of what is left of an attested receivable; the
// sum of live financings never exceeds the face value, at any bank (docs/ledger.md).
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { financeReceivableTx } from "../../../sdk/transactions/finance-receivable.js";
import { isPastDue, liveFinanced } from "../../../sdk/domain.js";
import type { Receivable, ReceivableStatus } from "../../../sdk/types.js";
import { KEY } from "../state.js";
import { money, putReceivable, receivableOrReject, reject, type TxRule } from "./rule.js";

/** Bound on record growth: every later transaction on the receivable re-encodes it whole. */
export const MAX_FINANCINGS_PER_RECEIVABLE = 100;

/** The status a financed (or partly repaid) receivable has given its live financed amount. */
export function financedStatus(r: Pick<Receivable, "amount">, live: bigint): ReceivableStatus {
  return live === r.amount ? "FINANCED" : "PARTIALLY_FINANCED";
}

export const financeReceivableRule: TxRule<PayloadOf<"financeReceivable">> = {
  format: financeReceivableTx,
  signers: ["BANK"],
  keys: (p) => [KEY.receivable(p.receivableId)],
  apply({ state, tx, payload: p, signer, block }) {
    const r = receivableOrReject(state, p.receivableId);
    if (r.status === "CANCELLED" || r.status === "SETTLED") reject("INVALID_STATE", `receivable ${r.id} is ${r.status}`);
    if (r.warrantPieceId) reject("TRADE_REF_USED", `receivable ${r.id} backs digital-warrant piece ${r.warrantPieceId}: the same invoice cannot fund twice`);
    if (r.status === "REGISTERED") reject("NOT_ATTESTED", `receivable ${r.id} has no customs-attested shipment`);
    if (isPastDue(r.dueDate, block.time)) reject("OVERDUE", `receivable ${r.id} was due ${r.dueDate}`);
    if (p.currency !== r.currency) reject("CURRENCY_MISMATCH", `receivable ${r.id} is in ${r.currency}, not ${p.currency}`);
    const live = liveFinanced(r);
    if (live + p.amount > r.amount) {
      const detail = `${money(p.amount, r.currency)} on top of ${money(live, r.currency)} live financing exceeds face value ${money(r.amount, r.currency)}`;
      reject(live > 0n ? "DOUBLE_FINANCING" : "EXCEEDS_FACE_VALUE", `receivable ${r.id}: ${detail}`);
    }
    if (r.financings.length >= MAX_FINANCINGS_PER_RECEIVABLE) reject("INVALID_STATE", `receivable ${r.id} has the maximum of ${MAX_FINANCINGS_PER_RECEIVABLE} financings`);
    const after = live + p.amount;
    const financings = [...r.financings, { id: tx.hashHex, bankId: signer.id, amount: p.amount, repaid: 0n, financedAt: block.time }];
    putReceivable(state, { ...r, financings, status: financedStatus(r, after), updatedAt: block.time });
    return [{ type: "receivableFinanced", receivableId: r.id, financingId: tx.hashHex, bankId: signer.id, amount: p.amount, liveFinanced: after }];
  },
};
