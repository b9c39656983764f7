// grantCreditLine: a BANK grants a core enterprise (the obligor) a credit line that its digital
// warrants draw on (DESIGN.md §7).
import { currency, date, firstIssue, lineId, partyId, positiveAmount, toAmount, type AmountInput } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface GrantCreditLine {
  lineId: string;
  obligor: string;
  currency: string;
  limit: bigint;
  expiryDate: string;
}
export type GrantCreditLinePayload = { type: "grantCreditLine" } & GrantCreditLine;
export type GrantCreditLineInput = Omit<GrantCreditLine, "limit"> & { limit: AmountInput };

export const grantCreditLineTx: TxFormat<GrantCreditLinePayload, GrantCreditLineInput> = {
  type: "grantCreditLine",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { lineId, obligor: partyId, currency, limit: positiveAmount, expiryDate: date }),
  build: (i) => ({ type: "grantCreditLine", lineId: i.lineId, obligor: i.obligor, currency: i.currency, limit: toAmount("limit", i.limit), expiryDate: i.expiryDate }),
  targets: "creditLine",
  target: (p) => p.lineId,
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  events: {
    creditLineGranted: (e, p, tx) =>
      want(
        e.lineId === p.lineId && e.bankId === tx.signer && e.obligorId === p.obligor && e.currency === p.currency && e.limit === p.limit && e.expiryDate === p.expiryDate,
        "line, bank, obligor, currency, limit or expiry differs from the transaction",
      ),
  },
};
