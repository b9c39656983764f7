// resolveDispute: the receivable's buyer withdraws its dispute; the receivable may be financed again
// (DESIGN.md §9).
import { firstIssue, txId } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface ResolveDispute {
  receivableId: string;
}
export type ResolveDisputePayload = { type: "resolveDispute" } & ResolveDispute;

export const resolveDisputeTx: TxFormat<ResolveDisputePayload, ResolveDispute> = {
  type: "resolveDispute",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { receivableId: txId }),
  build: (input) => ({ type: "resolveDispute", receivableId: input.receivableId }),
  targets: "receivable",
  target: (p) => p.receivableId,
  receivablesNamed: (p) => [p.receivableId],
  carries: () => NOTHING_CARRIED,
  events: {
    disputeResolved: (e, p, tx) => want(e.receivableId === p.receivableId && e.buyerPartyId === tx.signer, "receivable or buyer differs from the transaction"),
  },
};
