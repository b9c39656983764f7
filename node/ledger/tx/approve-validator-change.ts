// approveValidatorChange: a current validator's party approves an open proposal (DESIGN.md §12,
// docs/governance.md). Approvals are weighed against the set in state when counted; the one that
// reaches 2f + 1 decides the change: the set in state changes now, consensus switches to it at the
// next epoch boundary (docs/governance.md §5).
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { approveValidatorChangeTx } from "../../../sdk/transactions/approve-validator-change.js";
import type { Event } from "../../../sdk/types.js";
import {
  approvalsNeeded,
  approvingValidators,
  changedSet,
  GOVERNANCE_KEY,
  getValidatorProposal,
  getValidatorSet,
  isValidatorParty,
  putValidatorProposal,
  putValidatorSet,
  validatorChangeProblem,
} from "../governance.js";
import { reject, type TxRule } from "./rule.js";

export const approveValidatorChangeRule: TxRule<PayloadOf<"approveValidatorChange">> = {
  format: approveValidatorChangeTx,
  signers: ["BANK", "CUSTOMS", "ENTERPRISE", "AUDITOR", "CUSTODIAN"],
  keys: (p) => [GOVERNANCE_KEY.validatorSet, GOVERNANCE_KEY.proposal(p.proposalId)],
  apply({ state, payload: p, signer, block, params }) {
    const proposal = getValidatorProposal(state, p.proposalId);
    if (!proposal) reject("NOT_FOUND", `no validator-set proposal ${p.proposalId}`);
    if (proposal.decidedAt !== 0n) reject("INVALID_STATE", `proposal ${p.proposalId} was decided at height ${proposal.decidedAt}`);
    const set = getValidatorSet(state);
    if (!set) reject("INVALID_STATE", "this chain's genesis has no validator set in state");
    if (!isValidatorParty(set, signer.id)) reject("UNAUTHORIZED", `${signer.id} runs no current validator: only the current validators' parties approve changes`);
    if (proposal.approvals.includes(signer.id)) reject("INVALID_STATE", `${signer.id} already approved proposal ${p.proposalId}`);
    const approvals = [...proposal.approvals, signer.id];
    const have = approvingValidators(set, approvals);
    const needed = approvalsNeeded(set.members.length);
    const events: Event[] = [{ type: "validatorChangeApproved", proposalId: p.proposalId, approver: signer.id, approvals: have, needed }];
    if (have < needed) {
      putValidatorProposal(state, p.proposalId, { ...proposal, approvals });
      return events;
    }
    // decided: the change must still apply to the set as it is now (another change may have come first)
    const problem = validatorChangeProblem(set, proposal.change, proposal);
    if (problem) reject(problem.code, `proposal ${p.proposalId} no longer applies: ${problem.message}`);
    const next = changedSet(set, proposal.change, proposal, block.height, params);
    putValidatorSet(state, next);
    putValidatorProposal(state, p.proposalId, { ...proposal, approvals, decidedAt: block.height });
    events.push({
      type: "validatorSetChanged",
      proposalId: p.proposalId,
      change: proposal.change,
      nodePublicKey: proposal.nodePublicKey,
      partyId: proposal.partyId,
      validators: next.members.length,
      version: next.version,
      ...(proposal.change === "ROTATE_KEY" ? { newNodePublicKey: proposal.newNodePublicKey! } : {}),
    });
    return events;
  },
};
