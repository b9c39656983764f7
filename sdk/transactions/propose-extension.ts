// proposeExtension: the one bank with live financing on a receivable proposes a later due date
// (post-lending, DESIGN.md §10); it takes effect when the exporter accepts it (the acceptance).
// A later proposal by the same bank replaces a pending one.
import { date, firstIssue, txId } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface ProposeExtension {
  receivableId: string;
  /** the due date proposed: after the current one */
  newDueDate: string;
}
export type ProposeExtensionPayload = { type: "proposeExtension" } & ProposeExtension;

export const proposeExtensionTx: TxFormat<ProposeExtensionPayload, ProposeExtension> = {
  type: "proposeExtension",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { receivableId: txId, newDueDate: date }),
  build: (i) => ({ type: "proposeExtension", receivableId: i.receivableId, newDueDate: i.newDueDate }),
  targets: "receivable",
  target: (p) => p.receivableId,
  receivablesNamed: (p) => [p.receivableId],
  carries: () => NOTHING_CARRIED,
  events: {
    extensionProposed: (e, p, tx) => want(e.receivableId === p.receivableId && e.bankId === tx.signer && e.newDueDate === p.newDueDate, "receivable, bank or new due date differs from the transaction"),
  },
};
