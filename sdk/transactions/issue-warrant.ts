// issueWarrant: the obligor of a credit line issues a digital warrant to a supplier, backed by
// invoices that supplier registered on it; the warrant's id, and its first piece's, is the
// transaction hash (DESIGN.md §7).
import { currency, date, firstIssue, LIMITS, lineId, MalformedError, partyId, positiveAmount, toAmount, txIdList, type AmountInput } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface IssueWarrant {
  lineId: string;
  holder: string;
  amount: bigint;
  currency: string;
  maturityDate: string;
  /** the holder's invoices on the obligor (receivable ids): the warrant's trade background */
  sources: string[];
}
export type IssueWarrantPayload = { type: "issueWarrant" } & IssueWarrant;
export type IssueWarrantInput = Omit<IssueWarrant, "amount"> & { amount: AmountInput };

export const issueWarrantTx: TxFormat<IssueWarrantPayload, IssueWarrantInput> = {
  type: "issueWarrant",
  check: (p) =>
    firstIssue(p as unknown as Record<string, unknown>, {
      lineId,
      holder: partyId,
      amount: positiveAmount,
      currency,
      maturityDate: date,
      sources: txIdList(LIMITS.warrantSources, "source receivable"),
    }),
  build: (i) => {
    if (!Array.isArray(i.sources)) throw new MalformedError("sources", "must be an array");
    return { type: "issueWarrant", lineId: i.lineId, holder: i.holder, amount: toAmount("amount", i.amount), currency: i.currency, maturityDate: i.maturityDate, sources: [...i.sources] };
  },
  targets: "warrant",
  target: (_p, txHashHex) => txHashHex,
  receivablesNamed: (p) => p.sources,
  carries: () => NOTHING_CARRIED,
  events: {
    warrantIssued: (e, p, tx) =>
      want(
        e.warrantId === tx.hashHex && e.lineId === p.lineId && e.obligorId === tx.signer && e.holderId === p.holder && e.amount === p.amount && e.currency === p.currency && e.maturityDate === p.maturityDate,
        "warrant id, line, obligor, holder, amount, currency or maturity differs from the transaction",
      ),
    pieceCreated: (e, p, tx) =>
      want(
        e.pieceId === tx.hashHex && e.warrantId === tx.hashHex && e.parentId === "" && e.holderId === p.holder && e.amount === p.amount && e.depth === 0 && e.tradeRef === "",
        "the first piece differs from the warrant issued",
      ),
  },
};
