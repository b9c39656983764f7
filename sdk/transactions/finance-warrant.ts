// financeWarrant: the bank a piece was offered to buys it for an advance (0 < advance <= amount)
// and becomes its holder; the piece is FINANCED (DESIGN.md §7).
import { firstIssue, positiveAmount, toAmount, txId, type AmountInput } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface FinanceWarrant {
  pieceId: string;
  advance: bigint;
}
export type FinanceWarrantPayload = { type: "financeWarrant" } & FinanceWarrant;
export interface FinanceWarrantInput {
  pieceId: string;
  advance: AmountInput;
}

export const financeWarrantTx: TxFormat<FinanceWarrantPayload, FinanceWarrantInput> = {
  type: "financeWarrant",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { pieceId: txId, advance: positiveAmount }),
  build: (i) => ({ type: "financeWarrant", pieceId: i.pieceId, advance: toAmount("advance", i.advance) }),
  targets: "piece",
  target: (p) => p.pieceId,
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  events: {
    pieceFinanced: (e, p, tx) => want(e.pieceId === p.pieceId && e.bankId === tx.signer && e.advance === p.advance, "piece, bank or advance differs from the transaction"),
  },
};
