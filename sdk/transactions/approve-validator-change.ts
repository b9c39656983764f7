// approveValidatorChange: a current validator's party approves an open validator-set proposal
// (DESIGN.md §12, docs/governance.md). The approval that brings it to 2f + 1 of the current set
// decides it: the set in state changes (validatorSetChanged) and consensus switches to it at the
// next epoch boundary.
import { firstIssue, txId } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface ApproveValidatorChange {
  /** the hash of the transaction that proposed the change */
  proposalId: string;
}
export type ApproveValidatorChangePayload = { type: "approveValidatorChange" } & ApproveValidatorChange;

export const approveValidatorChangeTx: TxFormat<ApproveValidatorChangePayload, ApproveValidatorChange> = {
  type: "approveValidatorChange",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { proposalId: txId }),
  build: (i) => ({ type: "approveValidatorChange", proposalId: i.proposalId }),
  targets: "proposal",
  target: (p) => p.proposalId,
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  events: {
    validatorChangeApproved: (e, p, tx) => want(e.proposalId === p.proposalId && e.approver === tx.signer, "proposal or approver differs from the transaction"),
    validatorSetChanged: (e, p) => want(e.proposalId === p.proposalId, "proposal differs from the transaction"),
  },
};
