// The chain of validator sets a light client verifies (docs/governance.md §5, sdk/epochs.ts): at each
// switch, the node builds the epoch link — the old set's stable checkpoint certificate at E, header
// E, and the v/set record proven under header E's state root — checks it against the chain it holds,
// and keeps it durably (store bucket epochLink). The RPC serves the links (GET /v1/validator-sets).
//
// The proof of v/set must be taken while the state is exactly at E: the next block may change the
// set (a new decision) and the store keeps only the head's state tree. The consensus driver calls
// onEpochEnded at that moment (awaited before the next epoch's replica starts). A node that reaches a
// later height without passing through that moment (a state transfer or snapshot past E, an observer)
// builds no link for that switch; it does not fetch one from a peer yet (docs/governance.md §9).
import type { StableCheckpoint } from "../consensus/types.js";
import type { CheckpointCertificate, ValidatorSet } from "../sdk/certified.js";
import { VALIDATOR_SET_STATE_KEY, verifyValidatorSets, type EpochLink } from "../sdk/epochs.js";
import type { Crypto } from "../sdk/crypto.js";
import { decodeValidatorSet } from "./ledger/governance.js";
import type { Logger } from "./log.js";
import type { Store } from "./store/store.js";

/** What the driver hands over at a switch (docs/governance.md §5): the ended epoch, the next, E's stable checkpoint. */
export interface EpochEnded {
  epoch: bigint;
  nextEpoch: bigint;
  checkpoint: StableCheckpoint;
}

/** The driver's hook (node/driver): awaited at the switch, while the node's state is exactly at E. */
export type OnEpochEnded = (e: EpochEnded) => Promise<void> | void;

export class EpochLinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EpochLinkError";
  }
}

/** The stable checkpoint's proof as clients check it, naming the epoch whose set signed it. */
function checkpointCertificateOfEpoch(epoch: bigint, sc: StableCheckpoint): CheckpointCertificate {
  return {
    ...(epoch !== 0n ? { epoch } : {}),
    seq: sc.seq,
    timestamp: sc.timestamp,
    blockHash: sc.stateDigest,
    signatures: sc.proof.map((c) => ({ replica: c.replica, signature: c.signature })),
  };
}

/**
 * The link of epoch `nextEpoch` from the store as it is now, which must be exactly at the switch seq
 * E = checkpoint.seq. Throws EpochLinkError if the store is elsewhere or its v/set record is not the
 * one the switch starts (another version, another switchAt): the driver broke its contract.
 */
export async function buildEpochLink(store: Store, e: EpochEnded): Promise<EpochLink> {
  const at = e.checkpoint.seq;
  const header = await store.blocks.headerBytes(at);
  await store.whenIdle();
  // Synchronous from here: no commit can interleave, so the height, value and proof agree.
  const height = store.meta?.height;
  if (height !== at) throw new EpochLinkError(`epoch ${e.epoch} ended at ${at} but the store is at ${String(height)}: the set at the switch can no longer be proven`);
  const { value, proof } = store.state.proveSync(VALIDATOR_SET_STATE_KEY);
  if (!header) throw new EpochLinkError(`no header of block ${at}, where epoch ${e.epoch} ended`);
  if (!value) throw new EpochLinkError(`no validator set in state at ${at}, where epoch ${e.epoch} ended`);
  const set = decodeValidatorSet(value);
  if (set.version !== e.nextEpoch || set.switchAt !== at) {
    throw new EpochLinkError(`the set in state at ${at} is version ${set.version} switching at ${set.switchAt}, not epoch ${e.nextEpoch} switching at ${at}`);
  }
  return { epoch: e.nextEpoch, checkpoint: checkpointCertificateOfEpoch(e.epoch, e.checkpoint), header, setRecord: value, proof };
}

export interface EpochLinksDeps {
  store: Store;
  /** the genesis validator set (the chain id and the genesis validators' node keys) */
  genesis: ValidatorSet;
  crypto: Crypto;
  logger: Logger;
}

/**
 * Builds, checks and keeps the epoch links of this node (one owner of the fact "which switches this
 * node can prove"). `onEpochEnded` is the driver's hook.
 */
export class EpochLinks {
  constructor(private readonly deps: EpochLinksDeps) {}

  /**
   * At a switch: builds the link of the next epoch, verifies it with the sets this node already
   * proves (genesis and the links it holds, as a client would), and stores it (fsync). Idempotent:
   * a link already held (a restart between the hook and the new replica) is kept as it is. Throws
   * EpochLinkError if the link cannot be built or does not verify: a broken invariant, never a link
   * served that a client would refuse.
   */
  readonly onEpochEnded: OnEpochEnded = async (e) => {
    const held = await this.deps.store.blocks.epochLinks();
    if (held.some((l) => l.epoch === e.nextEpoch)) return;
    const link = await buildEpochLink(this.deps.store, e);
    const last = held.length === 0 ? 0n : held[held.length - 1]!.epoch;
    if (last !== e.epoch) {
      // an earlier switch passed while this node was elsewhere (state transfer): its link is missing,
      // so this one cannot be checked from genesis here; kept all the same, clients check the chain
      this.deps.logger.warn("epoch link kept unverified: the link of an earlier epoch is missing here", { epoch: e.nextEpoch.toString(), newestHeld: last.toString() });
      await this.deps.store.putEpochLink(link);
      return;
    }
    const check = verifyValidatorSets(this.deps.genesis, [...held, link], { hash: this.deps.crypto.sha256, verify: (k, m, s) => this.deps.crypto.verify(k, m, s) });
    if (!check.ok) {
      const p = check.problems[0]!;
      throw new EpochLinkError(`the link of epoch ${e.nextEpoch} does not verify with the sets this node holds: ${p.code} ${p.message}`);
    }
    await this.deps.store.putEpochLink(link);
    const proven = check.chain.epochs[check.chain.epochs.length - 1]!;
    this.deps.logger.info("epoch link kept", { epoch: e.nextEpoch.toString(), switchAt: e.checkpoint.seq.toString(), validators: proven.validators.length });
  };

  /** The links held, ascending by epoch (what GET /v1/validator-sets serves). */
  links(): Promise<EpochLink[]> {
    return this.deps.store.blocks.epochLinks();
  }
}

/** The driver's onEpochEnded hook for a node's store: builds, verifies and keeps each switch's link. */
export function epochLinkHook(deps: EpochLinksDeps): OnEpochEnded {
  return new EpochLinks(deps).onEpochEnded;
}
