// financeReceivable: a bank finances part or all of what is left of an attested receivable, or of
// one its buyer acknowledged (domestic trade, DESIGN.md §9); the sum of live financings never
// exceeds the face value, at any bank, nor the acknowledged amount where that is the ceiling
// (docs/ledger.md).
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { financeReceivableTx } from "../../../sdk/transactions/finance-receivable.js";
import { financeBlocker, financingCeiling, isPastDue, liveFinanced } from "../../../sdk/domain.js";
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
    // Closed, committed to a warrant, disputed by its buyer, no trade background: sdk/domain.ts, in this order.
    switch (financeBlocker(r)) {
      case "INVALID_STATE":
        reject("INVALID_STATE", `receivable ${r.id} is ${r.status}`);
      case "TRADE_REF_USED":
        reject("TRADE_REF_USED", `receivable ${r.id} backs digital-warrant piece ${r.warrantPieceId}: the same invoice cannot fund twice`);
      case "DISPUTED":
        reject("DISPUTED", `receivable ${r.id} is disputed by its buyer ${r.buyerPartyId} since ${r.disputedSince}: ${r.disputeReason}`);
      case "NOT_ATTESTED":
        reject("NOT_ATTESTED", `receivable ${r.id} has no customs-attested shipment${r.buyerPartyId ? " and its buyer has not acknowledged it" : ""}`);
      case undefined:
        break;
    }
    if (isPastDue(r.dueDate, block.time)) reject("OVERDUE", `receivable ${r.id} was due ${r.dueDate}`);
    if (p.currency !== r.currency) reject("CURRENCY_MISMATCH", `receivable ${r.id} is in ${r.currency}, not ${p.currency}`);
    const live = liveFinanced(r);
    const after = live + p.amount;
    if (after > r.amount) {
      const detail = `${money(p.amount, r.currency)} on top of ${money(live, r.currency)} live financing exceeds face value ${money(r.amount, r.currency)}`;
      reject(live > 0n ? "DOUBLE_FINANCING" : "EXCEEDS_FACE_VALUE", `receivable ${r.id}: ${detail}`);
    }
    const ceiling = financingCeiling(r, p.requireAcknowledgement === true);
    if (ceiling.by === "acknowledgement" && after > ceiling.amount) {
      const why = r.acknowledgedAmount === 0n ? "its buyer has not acknowledged it" : `its buyer acknowledged ${money(r.acknowledgedAmount, r.currency)}`;
      reject("NOT_ACKNOWLEDGED", `receivable ${r.id}: ${money(p.amount, r.currency)} on top of ${money(live, r.currency)} live financing exceeds what its buyer acknowledged: ${why}`);
    }
    if (r.financings.length >= MAX_FINANCINGS_PER_RECEIVABLE) reject("INVALID_STATE", `receivable ${r.id} has the maximum of ${MAX_FINANCINGS_PER_RECEIVABLE} financings`);
    const financings = [...r.financings, { id: tx.hashHex, bankId: signer.id, amount: p.amount, repaid: 0n, financedAt: block.time, writtenOff: 0n, writtenOffAt: 0n }];
    putReceivable(state, { ...r, financings, status: financedStatus(r, after), updatedAt: block.time });
    return [{ type: "receivableFinanced", receivableId: r.id, financingId: tx.hashHex, bankId: signer.id, amount: p.amount, liveFinanced: after }];
  },
};
