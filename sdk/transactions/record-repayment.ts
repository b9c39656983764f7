// recordRepayment: the financing bank records (part of) a repayment; every financing repaid
// settles the receivable (DESIGN.md §2, Repay).
import { firstIssue, positiveAmount, toAmount, txId, type AmountInput } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface RecordRepayment {
  receivableId: string;
  financingId: string;
  amount: bigint;
}
export type RecordRepaymentPayload = { type: "recordRepayment" } & RecordRepayment;

export interface RecordRepaymentInput {
  receivableId: string;
  financingId: string;
  amount: AmountInput;
}

export const recordRepaymentTx: TxFormat<RecordRepaymentPayload, RecordRepaymentInput> = {
  type: "recordRepayment",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { receivableId: txId, financingId: txId, amount: positiveAmount }),
  build: (input) => ({ type: "recordRepayment", receivableId: input.receivableId, financingId: input.financingId, amount: toAmount("amount", input.amount) }),
  targets: "receivable",
  target: (p) => p.receivableId,
  receivablesNamed: (p) => [p.receivableId],
  carries: () => NOTHING_CARRIED,
  events: {
    repaymentRecorded: (e, p, tx) =>
      want(e.receivableId === p.receivableId && e.financingId === p.financingId && e.bankId === tx.signer && e.amount === p.amount, "receivable, financing, bank or amount differs from the transaction"),
    receivableSettled: (e, p) => want(e.receivableId === p.receivableId, "settled receivable differs from the repayment's"),
  },
};
