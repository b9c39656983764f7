// acknowledgeReceivable: the receivable's buyer confirms on the ledger that it owes `amount` (minor
// units of the receivable's currency, at most its face value) on `dueDate` (DESIGN.md §9). A later
// acknowledgement replaces the earlier one, never below what is live-financed (docs/ledger.md).
import { date, firstIssue, positiveAmount, toAmount, txId, type AmountInput } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface AcknowledgeReceivable {
  receivableId: string;
  amount: bigint;
  dueDate: string;
}
export type AcknowledgeReceivablePayload = { type: "acknowledgeReceivable" } & AcknowledgeReceivable;

export interface AcknowledgeReceivableInput {
  receivableId: string;
  amount: AmountInput;
  dueDate: string;
}

export const acknowledgeReceivableTx: TxFormat<AcknowledgeReceivablePayload, AcknowledgeReceivableInput> = {
  type: "acknowledgeReceivable",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { receivableId: txId, amount: positiveAmount, dueDate: date }),
  build: (input) => ({ type: "acknowledgeReceivable", receivableId: input.receivableId, amount: toAmount("amount", input.amount), dueDate: input.dueDate }),
  targets: "receivable",
  target: (p) => p.receivableId,
  receivablesNamed: (p) => [p.receivableId],
  carries: () => NOTHING_CARRIED,
  events: {
    receivableAcknowledged: (e, p, tx) =>
      want(
        e.receivableId === p.receivableId && e.buyerPartyId === tx.signer && e.amount === p.amount && e.dueDate === p.dueDate,
        "receivable, buyer, amount or due date differs from the transaction",
      ),
  },
};
