// writeOff: a bank writes off what is outstanding on its financing of a receivable (DESIGN.md §10):
// the amount becomes a loss on its book and the receivable is DEFAULTED, never financed again.
import { firstIssue, txId } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface WriteOff {
  receivableId: string;
  /** the bank's financing (the id of its finance transaction) */
  financingId: string;
}
export type WriteOffPayload = { type: "writeOff" } & WriteOff;

export const writeOffTx: TxFormat<WriteOffPayload, WriteOff> = {
  type: "writeOff",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { receivableId: txId, financingId: txId }),
  build: (i) => ({ type: "writeOff", receivableId: i.receivableId, financingId: i.financingId }),
  targets: "receivable",
  target: (p) => p.receivableId,
  receivablesNamed: (p) => [p.receivableId],
  carries: () => NOTHING_CARRIED,
  events: {
    financingWrittenOff: (e, p, tx) => want(e.receivableId === p.receivableId && e.financingId === p.financingId && e.bankId === tx.signer, "receivable, financing or bank differs from the transaction"),
    receivableDefaulted: (e, p) => want(e.receivableId === p.receivableId, "receivable differs from the transaction"),
  },
};
