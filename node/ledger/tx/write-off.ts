// writeOff: a bank writes off what is outstanding on its financing (DESIGN.md §10, docs/lending.md).
// The amount leaves its live book as a loss (Financing.writtenOff), and the receivable is DEFAULTED:
// never financed again (its room is not lent twice), its fingerprint taken forever, and other banks'
// live financings on it run on (repayable, or written off in turn); it never becomes SETTLED.
import { financingOutstanding } from "../../../sdk/domain.js";
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { writeOffTx } from "../../../sdk/transactions/write-off.js";
import type { Event } from "../../../sdk/types.js";
import { KEY } from "../state.js";
import { ownFinancing, putReceivable, receivableOrReject, reject, type TxRule } from "./rule.js";

export const writeOffRule: TxRule<PayloadOf<"writeOff">> = {
  format: writeOffTx,
  signers: ["BANK"],
  keys: (p) => [KEY.receivable(p.receivableId)],
  apply({ state, payload: p, signer, block }) {
    const r = receivableOrReject(state, p.receivableId);
    const { index, f } = ownFinancing(r, p.financingId, signer.id, "writes it off");
    const outstanding = financingOutstanding(f);
    if (outstanding === 0n) reject("INVALID_STATE", f.writtenOff > 0n ? `financing ${f.id} was written off already` : `financing ${f.id} is repaid: nothing to write off`);
    const financings = r.financings.map((g, i) => (i === index ? { ...g, writtenOff: outstanding, writtenOffAt: block.time } : g));
    const events: Event[] = [{ type: "financingWrittenOff", receivableId: r.id, financingId: f.id, bankId: signer.id, amount: outstanding }];
    if (r.status !== "DEFAULTED") events.push({ type: "receivableDefaulted", receivableId: r.id });
    putReceivable(state, { ...r, financings, status: "DEFAULTED", updatedAt: block.time });
    return events;
  },
};
