// acceptExtension: the exporter accepts the pending proposal of a later due date (DESIGN.md §10,
// docs/lending.md). The receivable's due date moves (and with it its aging and the due-date indexes);
// the count of extensions is kept for the credit indicators.
import { isPastDue } from "../../../sdk/domain.js";
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { acceptExtensionTx } from "../../../sdk/transactions/accept-extension.js";
import { KEY } from "../state.js";
import { assertOpenForTerms, banksWithLiveFinancing } from "./lending-common.js";
import { putReceivable, receivableOrReject, reject, type TxRule } from "./rule.js";

export const acceptExtensionRule: TxRule<PayloadOf<"acceptExtension">> = {
  format: acceptExtensionTx,
  signers: ["ENTERPRISE"],
  keys: (p) => [KEY.receivable(p.receivableId)],
  apply({ state, payload: p, signer, block }) {
    const r = receivableOrReject(state, p.receivableId);
    if (r.exporterId !== signer.id) reject("UNAUTHORIZED", `receivable ${r.id} belongs to ${r.exporterId}; only its exporter accepts an extension`);
    assertOpenForTerms(r);
    if (!r.extensionBankId) reject("INVALID_STATE", `no extension of receivable ${r.id} is pending`);
    if (p.newDueDate !== r.extensionDueDate) reject("EXTENSION_INVALID", `the pending proposal is ${r.extensionDueDate}, not ${p.newDueDate}`);
    const banks = banksWithLiveFinancing(r);
    if (banks.length !== 1 || banks[0] !== r.extensionBankId) reject("INVALID_STATE", `the proposal of ${r.extensionBankId} is stale: the banks with live financing are now ${banks.join(", ") || "none"}`);
    if (isPastDue(p.newDueDate, block.time)) reject("EXTENSION_INVALID", `the proposed due date ${p.newDueDate} has passed`);
    const bankId = r.extensionBankId;
    putReceivable(state, { ...r, dueDate: p.newDueDate, extensions: r.extensions + 1, extensionBankId: "", extensionDueDate: "", extensionProposedAt: 0n, updatedAt: block.time });
    return [{ type: "extensionAccepted", receivableId: r.id, exporterId: signer.id, bankId, previousDueDate: r.dueDate, dueDate: p.newDueDate }];
  },
};
