// cancelReceivable: the exporter withdraws its receivable while nothing is financed, freeing its
// invoice's fingerprint and document hash (DESIGN.md §2, Cancel).
import { firstIssue, LIMITS, text, txId } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface CancelReceivable {
  receivableId: string;
  reason: string;
}
export type CancelReceivablePayload = { type: "cancelReceivable" } & CancelReceivable;

export interface CancelReceivableInput {
  receivableId: string;
  reason?: string;
}

export const cancelReceivableTx: TxFormat<CancelReceivablePayload, CancelReceivableInput> = {
  type: "cancelReceivable",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { receivableId: txId, reason: text(0, LIMITS.reasonChars) }),
  build: (input) => ({ type: "cancelReceivable", receivableId: input.receivableId, reason: input.reason ?? "" }),
  targets: "receivable",
  target: (p) => p.receivableId,
  receivablesNamed: (p) => [p.receivableId],
  carries: () => NOTHING_CARRIED,
  events: {
    receivableCancelled: (e, p) => want(e.receivableId === p.receivableId, "cancelled receivable differs from the transaction"),
  },
};
