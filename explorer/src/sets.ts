// The chain of validator sets (docs/governance.md §5): the page pins the genesis set (session.ts),
// fetches the node's epoch links (GET /v1/validator-sets, open) and proves each later set from the
// pinned one with verifyValidatorSets. Every verification on every page is made with the result:
// each certificate with the set of the epoch it names, within that epoch's heights. A link that
// does not verify stops the chain there, and certificates of the epochs after it are refused
// (EPOCH_UNPROVEN): the pages say so, never pass them.
import type { EpochValidators, TrustedValidators, ValidatorSetChain } from "@tradeledger/sdk";
import { verifyValidatorSets, type EpochLinkJson, type EpochLinkProblem } from "@tradeledger/sdk/audit";
import type { PinnedValidators } from "./session.js";

export interface ChainOfSets {
  /** the genesis set the chain starts from */
  pinned: PinnedValidators;
  /**
   * what the verifiers take: the genesis set and every epoch proven from it (the genesis set alone
   * until the node's links are checked, or when they could not be fetched)
   */
  chain: ValidatorSetChain;
  /** loading: links not fetched yet; proven: every link served verifies; broken: `problem` stopped the chain; unavailable: the links could not be read (`error`) */
  state: "loading" | "proven" | "broken" | "unavailable";
  /** the first link that does not verify (the chain stops before it) */
  problem?: EpochLinkProblem;
  /** the epoch the failing link names, as served (not proven) */
  problemEpoch?: string;
  /** how many links the node served */
  served: number;
  /** the links that verified (the proof of every epoch of `chain` after the genesis set): what an evidence bundle carries */
  links: EpochLinkJson[];
  /** the set in the node's state, as the node says (unproven): its version and switch seq */
  nodeEpoch?: bigint;
  nodeSwitchAt?: bigint;
  error?: string;
}

/** The pinned set alone: epoch 0 from height 1 (what the page verifies with before the links arrive). */
export function genesisOnly(pinned: PinnedValidators): ChainOfSets {
  return { pinned, chain: verifyValidatorSets(pinned.set, []).chain, state: "loading", served: 0, links: [] };
}

/** Proves the links served from the pinned genesis set. */
export function proveSets(pinned: PinnedValidators, served: { links: EpochLinkJson[]; epoch: string; switchAt: string }): ChainOfSets {
  const report = verifyValidatorSets(pinned.set, served.links);
  const problem = report.problems[0];
  const failing: Partial<EpochLinkJson> | undefined = problem && problem.link >= 0 ? served.links[problem.link] : undefined;
  return {
    pinned,
    chain: report.chain,
    state: report.ok ? "proven" : "broken",
    served: served.links.length,
    links: served.links.slice(0, report.chain.epochs.length - 1),
    nodeEpoch: BigInt(served.epoch),
    nodeSwitchAt: BigInt(served.switchAt),
    ...(problem ? { problem } : {}),
    ...(typeof failing?.epoch === "string" ? { problemEpoch: failing.epoch } : {}),
  };
}

/** What the pages verify with: null while the links are being fetched (the pages wait). */
export function trustedOf(sets: ChainOfSets | null): TrustedValidators | null {
  return sets && sets.state !== "loading" ? sets.chain : null;
}

/** The proven epoch `epoch` (a certificate's `epoch` field: absent for 0). */
export function epochSet(sets: ChainOfSets | null, epoch: string | bigint | undefined): EpochValidators | undefined {
  const e = BigInt(epoch ?? 0);
  return sets?.chain.epochs.find((x) => x.epoch === e);
}

/** The newest epoch proven: the set in force as far as this page can tell. */
export function newestProven(sets: ChainOfSets): EpochValidators {
  return sets.chain.epochs[sets.chain.epochs.length - 1]!;
}

/** "from height 13 to 24" / "from height 25 on": the blocks an epoch orders. */
export function heightsOf(e: EpochValidators): string {
  return e.endSeq === undefined ? `from height ${e.baseSeq + 1n} on` : `heights ${e.baseSeq + 1n} to ${e.endSeq}`;
}

/**
 * Where the chain of sets stops short of what the node says its set is, in a sentence (null when
 * it does not): a link that does not verify, or a switch the node says is past whose link it does
 * not serve. `height` is the node's head.
 */
export function unprovenNote(sets: ChainOfSets, height: bigint | null): string | null {
  const last = newestProven(sets);
  if (sets.state === "unavailable") return `The chain of validator sets could not be read from this node (${sets.error ?? "no answer"}): only the genesis set's blocks (epoch 0) verify.`;
  if (sets.state === "broken" && sets.problem) {
    return `The chain of validator sets does not verify at ${linkName(sets)}: ${sets.problem.code}, ${sets.problem.message}. Blocks certified by a later epoch than ${last.epoch} stay unverified.`;
  }
  if (missingSwitch(sets, height)) {
    return `This node says its validator set is epoch ${sets.nodeEpoch} since height ${sets.nodeSwitchAt! + 1n}, but serves no link that proves it (yet): blocks certified by a later epoch than ${last.epoch} stay unverified (ask another node).`;
  }
  return null;
}

/** "link 1 (of 2 served, for epoch 2)": the failing link, numbered from 0 as the SDK's messages do. */
export function linkName(sets: ChainOfSets): string {
  return `link ${sets.problem?.link ?? "?"} (of ${sets.served} served${sets.problemEpoch ? `, for epoch ${sets.problemEpoch}` : ""})`;
}

/** The node says a later set took over (its switch is below the head) and serves no link for it. */
export function missingSwitch(sets: ChainOfSets, height: bigint | null): boolean {
  const last = newestProven(sets);
  return sets.state === "proven" && sets.nodeEpoch !== undefined && sets.nodeSwitchAt !== undefined && sets.nodeEpoch > last.epoch && height !== null && sets.nodeSwitchAt < height;
}
