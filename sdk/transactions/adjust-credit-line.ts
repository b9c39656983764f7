// adjustCreditLine: the granting bank raises or lowers a line's limit (never below what is
// outstanding: LIMIT_BELOW_OUTSTANDING) or moves its expiry date (DESIGN.md §7).
import { date, firstIssue, lineId, positiveAmount, toAmount, type AmountInput } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface AdjustCreditLine {
  lineId: string;
  limit: bigint;
  expiryDate: string;
}
export type AdjustCreditLinePayload = { type: "adjustCreditLine" } & AdjustCreditLine;
export type AdjustCreditLineInput = Omit<AdjustCreditLine, "limit"> & { limit: AmountInput };

export const adjustCreditLineTx: TxFormat<AdjustCreditLinePayload, AdjustCreditLineInput> = {
  type: "adjustCreditLine",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { lineId, limit: positiveAmount, expiryDate: date }),
  build: (i) => ({ type: "adjustCreditLine", lineId: i.lineId, limit: toAmount("limit", i.limit), expiryDate: i.expiryDate }),
  targets: "creditLine",
  target: (p) => p.lineId,
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  events: {
    creditLineAdjusted: (e, p) => want(e.lineId === p.lineId && e.limit === p.limit && e.expiryDate === p.expiryDate, "line, limit or expiry differs from the transaction"),
  },
};
