// Governance state (DESIGN.md §12, docs/governance.md): the validator set the ledger decided and
// the open proposals to change it. The two rules (node/ledger/tx/propose-validator-change.ts,
// approve-validator-change.ts) read and write it through this module; the consensus driver reads
// the set at an epoch boundary (docs/governance.md §5) to build the next epoch's replica.
//
// Keys (committed by the state tree like every other record):
//   v/set            ValidatorSet: the members in replica order, and the count of decided changes
//   v/p/<proposalId> ValidatorProposal: change, node key, party, approvals, when decided
import { decode, encode } from "../../sdk/codec.js";
import { equalBytes } from "../../sdk/bytes.js";
import { faultTolerance } from "../../sdk/commit.js";
import type { ValidatorChangeKind } from "../../sdk/types.js";
import { VALIDATOR_SET_STATE_KEY } from "../../sdk/epochs.js";
import { epochEndFor } from "../../consensus/replica.js";
import type { StateReader, StateWriter } from "./state.js";

export const GOVERNANCE_KEY = {
  /** the light client proves it under the state root of each switch (sdk/epochs.ts) */
  validatorSet: VALIDATOR_SET_STATE_KEY,
  proposal: (proposalId: string) => `v/p/${proposalId}`,
} as const;

export interface ValidatorMember {
  partyId: string;
  nodePublicKey: Uint8Array;
}

export interface ValidatorSetRecord {
  members: ValidatorMember[];
  /** changes decided since genesis (0 = the genesis set): the consensus epoch that runs this set */
  version: bigint;
  /** consensus runs this set for every seq above this one (0 for the genesis set; docs/governance.md §5) */
  switchAt: bigint;
  /**
   * While a switch is pending (switchAt above the head): the set consensus runs up to and including
   * switchAt - the one in force when the pending changes were decided -, its version and the seq it
   * took over after. Written by the decision that makes a switch pending; stale (and ignored) once
   * the head passes switchAt. Absent fields decode as [] and 0 (the genesis set has none).
   */
  runningMembers: ValidatorMember[];
  runningVersion: bigint;
  runningSince: bigint;
}

/** The validator-set epoch that orders one block: its number (the set's version), members in replica order, and its base. */
export interface BlockEpoch {
  epoch: bigint;
  members: ValidatorMember[];
  /** the stable checkpoint the epoch started from (0 for the genesis set): nothing at or below it is ordered in the epoch */
  baseSeq: bigint;
}

/**
 * The epoch that orders block `height`, from the set in state after block height - 1 (docs/governance.md §5):
 * the set in state once the block is above its switchAt, else the running set the pending switch replaces.
 * State transfer and block sync check each block's commit certificate against this set.
 */
export function epochOfBlock(set: ValidatorSetRecord, height: bigint): BlockEpoch {
  if (height > set.switchAt) return { epoch: set.version, members: set.members, baseSeq: set.switchAt };
  return { epoch: set.runningVersion, members: set.runningMembers, baseSeq: set.runningSince };
}

export interface ValidatorProposalRecord {
  change: ValidatorChangeKind;
  nodePublicKey: Uint8Array;
  partyId: string;
  proposer: string;
  /** party ids that approved, the proposer first */
  approvals: string[];
  proposedAt: bigint;
  /** height of the block that decided it; 0n while open */
  decidedAt: bigint;
  /** ROTATE_KEY only: the validator's node key from the switch on (decodes as empty otherwise) */
  newNodePublicKey?: Uint8Array;
}

/** What a change names: the validator (its current node key and party) and, for ROTATE_KEY, its next key. */
export interface ValidatorChangeTarget extends ValidatorMember {
  newNodePublicKey?: Uint8Array;
}

/** The smallest validator set PBFT runs with (n = 3f + 1, f >= 1). */
export const MIN_VALIDATORS = 4;

export const encodeValidatorSet = (s: ValidatorSetRecord): Uint8Array => encode("ValidatorSet", s);
export const decodeValidatorSet = (b: Uint8Array): ValidatorSetRecord => decode<ValidatorSetRecord>("ValidatorSet", b);
export const encodeValidatorProposal = (p: ValidatorProposalRecord): Uint8Array => encode("ValidatorProposal", p);
export const decodeValidatorProposal = (b: Uint8Array): ValidatorProposalRecord => decode<ValidatorProposalRecord>("ValidatorProposal", b);

export function getValidatorSet(state: StateReader): ValidatorSetRecord | undefined {
  const b = state.get(GOVERNANCE_KEY.validatorSet);
  return b && decodeValidatorSet(b);
}

export function getValidatorProposal(state: StateReader, proposalId: string): ValidatorProposalRecord | undefined {
  const b = state.get(GOVERNANCE_KEY.proposal(proposalId));
  return b && decodeValidatorProposal(b);
}

/** Approvals that decide a change: 2f + 1 of the current set's n validators (DESIGN.md §12). */
export function approvalsNeeded(n: number): number {
  return 2 * faultTolerance(n) + 1;
}

/**
 * How many of the current validators are run by parties that approved. A party running two
 * validators counts twice; a party that no longer runs one (removed since it approved) counts for
 * nothing: approvals are always weighed against the set in force when they are counted.
 */
export function approvingValidators(set: ValidatorSetRecord, approvals: readonly string[]): number {
  const approved = new Set(approvals);
  return set.members.filter((m) => approved.has(m.partyId)).length;
}

export function isValidatorParty(set: ValidatorSetRecord, partyId: string): boolean {
  return set.members.some((m) => m.partyId === partyId);
}

export function memberIndex(set: ValidatorSetRecord, nodePublicKey: Uint8Array): number {
  return set.members.findIndex((m) => equalBytes(m.nodePublicKey, nodePublicKey));
}

/**
 * The set after a change decided in the block at `height`: an added validator goes last (replica
 * n), a removed one leaves its place, a rotated one keeps its place and party with the new node key. Consensus switches to it after `switchAt`: the end of the
 * epoch the deciding block is in. If an earlier decision's switch is still ahead (the block is at
 * or below it), that is the end; else the epoch ends at epochEndFor(height) (consensus/replica.ts:
 * the first checkpoint at or after the block plus the window, Lamport's α).
 */
export function changedSet(set: ValidatorSetRecord, change: ValidatorChangeKind, member: ValidatorChangeTarget, height: bigint, params: { checkpointInterval: number; watermarkWindow: number }): ValidatorSetRecord {
  const members =
    change === "ADD"
      ? [...set.members, { partyId: member.partyId, nodePublicKey: member.nodePublicKey }]
      : change === "REMOVE"
        ? set.members.filter((m) => !equalBytes(m.nodePublicKey, member.nodePublicKey))
        : set.members.map((m) => (equalBytes(m.nodePublicKey, member.nodePublicKey) ? { partyId: m.partyId, nodePublicKey: member.newNodePublicKey! } : m));
  const pending = set.switchAt >= height;
  const switchAt = pending ? set.switchAt : epochEndFor(height, params.checkpointInterval, params.watermarkWindow);
  // the set that keeps running until the switch: already recorded if a switch is pending, else the set in force now
  const running = pending
    ? { runningMembers: set.runningMembers, runningVersion: set.runningVersion, runningSince: set.runningSince }
    : { runningMembers: set.members, runningVersion: set.version, runningSince: set.switchAt };
  return { members, version: set.version + 1n, switchAt, ...running };
}

export function putValidatorSet(state: StateWriter, set: ValidatorSetRecord): void {
  state.put(GOVERNANCE_KEY.validatorSet, encodeValidatorSet(set));
}

export function putValidatorProposal(state: StateWriter, proposalId: string, p: ValidatorProposalRecord): void {
  state.put(GOVERNANCE_KEY.proposal(proposalId), encodeValidatorProposal(p));
}

/** Why `change` cannot apply to `set` now, as a rejection code and message; undefined if it can. */
export function validatorChangeProblem(
  set: ValidatorSetRecord,
  change: ValidatorChangeKind,
  member: ValidatorChangeTarget,
): { code: "INVALID_STATE" | "NOT_FOUND"; message: string } | undefined {
  const at = memberIndex(set, member.nodePublicKey);
  if (change === "ADD") {
    if (at >= 0) return { code: "INVALID_STATE", message: "that node key is already a validator's" };
    return undefined;
  }
  if (at < 0 || set.members[at]!.partyId !== member.partyId) return { code: "NOT_FOUND", message: `no validator with that node key run by ${member.partyId}` };
  if (change === "ROTATE_KEY") {
    // the new key must be no validator's: neither of the set in state nor of the set still running until a pending switch
    const next = member.newNodePublicKey;
    if (!next || next.length === 0) return { code: "INVALID_STATE", message: "a ROTATE_KEY names the new node key" };
    if (memberIndex(set, next) >= 0 || set.runningMembers.some((m) => equalBytes(m.nodePublicKey, next)))
      return { code: "INVALID_STATE", message: "the new node key is already a validator's" };
    return undefined;
  }
  if (set.members.length - 1 < MIN_VALIDATORS) return { code: "INVALID_STATE", message: `a set of ${set.members.length} cannot lose a validator: PBFT needs at least ${MIN_VALIDATORS}` };
  return undefined;
}
