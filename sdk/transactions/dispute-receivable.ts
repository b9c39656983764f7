// disputeReceivable: the receivable's buyer disputes it, with a reason; no new financing until the
// buyer resolves the dispute (DESIGN.md §9). A flag on the receivable, not a status: a financed
// receivable can be disputed too.
import { firstIssue, LIMITS, text, txId } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface DisputeReceivable {
  receivableId: string;
  reason: string;
}
export type DisputeReceivablePayload = { type: "disputeReceivable" } & DisputeReceivable;

export interface DisputeReceivableInput {
  receivableId: string;
  reason: string;
}

export const disputeReceivableTx: TxFormat<DisputeReceivablePayload, DisputeReceivableInput> = {
  type: "disputeReceivable",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { receivableId: txId, reason: text(1, LIMITS.reasonChars) }),
  build: (input) => ({ type: "disputeReceivable", receivableId: input.receivableId, reason: input.reason }),
  targets: "receivable",
  target: (p) => p.receivableId,
  receivablesNamed: (p) => [p.receivableId],
  carries: () => NOTHING_CARRIED,
  events: {
    receivableDisputed: (e, p, tx) =>
      want(e.receivableId === p.receivableId && e.buyerPartyId === tx.signer && e.reason === p.reason, "receivable, buyer or reason differs from the transaction"),
  },
};
