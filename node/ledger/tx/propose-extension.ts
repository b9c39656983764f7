// proposeExtension: the one bank with live financing on a receivable proposes a later due date; the
// exporter makes it effective by accepting it (DESIGN.md §10, docs/lending.md). Several banks
// financing one receivable would each see their loan's term moved by another: refused.
import { isPastDue } from "../../../sdk/domain.js";
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { proposeExtensionTx } from "../../../sdk/transactions/propose-extension.js";
import { KEY } from "../state.js";
import { assertOpenForTerms, banksWithLiveFinancing } from "./lending-common.js";
import { putReceivable, receivableOrReject, reject, type TxRule } from "./rule.js";

export const proposeExtensionRule: TxRule<PayloadOf<"proposeExtension">> = {
  format: proposeExtensionTx,
  signers: ["BANK"],
  keys: (p) => [KEY.receivable(p.receivableId)],
  apply({ state, payload: p, signer, block }) {
    const r = receivableOrReject(state, p.receivableId);
    assertOpenForTerms(r);
    const banks = banksWithLiveFinancing(r);
    if (!banks.includes(signer.id)) reject("UNAUTHORIZED", `${signer.id} has no live financing on receivable ${r.id}; only a bank that finances it proposes an extension`);
    if (banks.length > 1) reject("INVALID_STATE", `receivable ${r.id} is financed by ${banks.join(", ")}: one bank may not move the others' due date`);
    if (p.newDueDate <= r.dueDate) reject("EXTENSION_INVALID", `the new due date ${p.newDueDate} is not after the current one, ${r.dueDate}`);
    if (isPastDue(p.newDueDate, block.time)) reject("EXTENSION_INVALID", `the new due date ${p.newDueDate} is before the block's date`);
    putReceivable(state, { ...r, extensionBankId: signer.id, extensionDueDate: p.newDueDate, extensionProposedAt: block.time, updatedAt: block.time });
    return [{ type: "extensionProposed", receivableId: r.id, bankId: signer.id, dueDate: r.dueDate, newDueDate: p.newDueDate }];
  },
};
