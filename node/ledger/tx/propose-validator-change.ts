// proposeValidatorChange: a current validator's party proposes adding or removing one validator, or
// a new node key for one (ROTATE_KEY: same party, same place; DESIGN.md §12, docs/governance.md §4). The proposer's approval counts; approval transactions
// collect the rest. Checked here against the set in state; checked again when it is decided.
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { proposeValidatorChangeTx } from "../../../sdk/transactions/propose-validator-change.js";
import { GOVERNANCE_KEY, getValidatorSet, isValidatorParty, putValidatorProposal, validatorChangeProblem } from "../governance.js";
import { KEY } from "../state.js";
import { verifyNodeKeyPossession } from "../../../sdk/transactions/key-possession.js";
import { getParty, reject, type TxRule } from "./rule.js";

export const proposeValidatorChangeRule: TxRule<PayloadOf<"proposeValidatorChange">> = {
  format: proposeValidatorChangeTx,
  signers: ["BANK", "CUSTOMS", "ENTERPRISE", "AUDITOR", "CUSTODIAN"],
  keys: (p, tx) => [GOVERNANCE_KEY.validatorSet, GOVERNANCE_KEY.proposal(tx.hashHex), KEY.party(p.partyId)],
  apply({ state, payload: p, signer, tx, block, crypto }) {
    const set = getValidatorSet(state);
    if (!set) reject("INVALID_STATE", "this chain's genesis has no validator set in state: its validators cannot change by transaction");
    if (!isValidatorParty(set, signer.id)) reject("UNAUTHORIZED", `${signer.id} runs no current validator: only the current validators' parties propose changes`);
    if (!getParty(state, p.partyId)) reject("UNKNOWN_PARTY", `no party ${p.partyId}`);
    const problem = validatorChangeProblem(set, p.change, p);
    if (problem) reject(problem.code, problem.message);
    const rotated = p.change === "ROTATE_KEY" ? p.newNodePublicKey : undefined;
    // the new node key's holder signed for this validator on this chain (a key nobody holds would
    // silence the validator at the switch)
    if (rotated && !verifyNodeKeyPossession(crypto, tx.body.chainId, p.partyId, rotated, p.newNodeKeyProof ?? new Uint8Array(0)))
      reject("KEY_NOT_PROVEN", `the possession proof does not verify under the new node key for ${p.partyId}'s validator on chain ${tx.body.chainId} (tradeledger keys node-possession signs it with the new key)`);
    putValidatorProposal(state, tx.hashHex, {
      change: p.change,
      nodePublicKey: p.nodePublicKey,
      partyId: p.partyId,
      proposer: signer.id,
      approvals: [signer.id],
      proposedAt: block.height,
      decidedAt: 0n,
      ...(rotated ? { newNodePublicKey: rotated } : {}),
    });
    return [{ type: "validatorChangeProposed", proposalId: tx.hashHex, change: p.change, nodePublicKey: p.nodePublicKey, partyId: p.partyId, proposer: signer.id, ...(rotated ? { newNodePublicKey: rotated } : {}) }];
  },
};
