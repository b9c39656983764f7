// financeReceivable: a bank finances part or all of what is left of an attested receivable (or of
// one its buyer acknowledged, DESIGN.md §9); the financing's id is the transaction hash (DESIGN.md
// §2, Finance).
import { currency, firstIssue, optionalFlag, positiveAmount, toAmount, txId, type AmountInput } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface FinanceReceivable {
  receivableId: string;
  amount: bigint;
  currency: string;
  /** live + amount must not exceed the buyer's acknowledged amount (DESIGN.md §9); absent = false */
  requireAcknowledgement?: boolean;
}
export type FinanceReceivablePayload = { type: "financeReceivable" } & FinanceReceivable;

export interface FinanceReceivableInput {
  receivableId: string;
  amount: AmountInput;
  currency: string;
  requireAcknowledgement?: boolean;
}

export const financeReceivableTx: TxFormat<FinanceReceivablePayload, FinanceReceivableInput> = {
  type: "financeReceivable",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { receivableId: txId, amount: positiveAmount, currency, requireAcknowledgement: optionalFlag }),
  build: (input) => ({
    type: "financeReceivable",
    receivableId: input.receivableId,
    amount: toAmount("amount", input.amount),
    currency: input.currency,
    requireAcknowledgement: input.requireAcknowledgement ?? false,
  }),
  targets: "receivable",
  target: (p) => p.receivableId,
  receivablesNamed: (p) => [p.receivableId],
  carries: () => NOTHING_CARRIED,
  events: {
    receivableFinanced: (e, p, tx) =>
      want(e.receivableId === p.receivableId && e.financingId === tx.hashHex && e.bankId === tx.signer && e.amount === p.amount, "receivable, financing id, bank or amount differs from the transaction"),
  },
};
