// acceptExtension: the exporter accepts the pending proposal of a later due date on its receivable
// (DESIGN.md §10): the due date it names must be the one proposed, so what it read is what it signs.
import { date, firstIssue, txId } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface AcceptExtension {
  receivableId: string;
  /** the proposed due date, restated */
  newDueDate: string;
}
export type AcceptExtensionPayload = { type: "acceptExtension" } & AcceptExtension;

export const acceptExtensionTx: TxFormat<AcceptExtensionPayload, AcceptExtension> = {
  type: "acceptExtension",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { receivableId: txId, newDueDate: date }),
  build: (i) => ({ type: "acceptExtension", receivableId: i.receivableId, newDueDate: i.newDueDate }),
  targets: "receivable",
  target: (p) => p.receivableId,
  receivablesNamed: (p) => [p.receivableId],
  carries: () => NOTHING_CARRIED,
  events: {
    extensionAccepted: (e, p, tx) => want(e.receivableId === p.receivableId && e.exporterId === tx.signer && e.dueDate === p.newDueDate, "receivable, exporter or due date differs from the transaction"),
  },
};
