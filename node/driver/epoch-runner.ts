// The node's side of validator-set epochs (docs/governance.md §5): the one object that owns the
// running ConsensusDriver and replaces it at a switch. Everything epoch-shaped in the node lives
// here; node.ts only wires it.
//
//   - It runs the epoch's replica (a ConsensusDriver) if this node's key is in the epoch's set, and
//     otherwise follows the chain as a non-voting node (a removed validator, or a bank joining whose
//     ADD is not decided or has not taken effect yet).
//   - On the core's `epoch-ended` (the epoch's last seq E is a stable checkpoint and executed here,
//     the state is exactly at E) it keeps the epoch's final checkpoint proof, calls `onEpochEnded`
//     (awaited), and in one atomic write of the consensus log records the finished epoch and the new
//     current one and empties the record log; then it starts the next epoch's replica from the set
//     in state at E (`version`, members in order, base E), or follows if this node is not in it.
//     A crash before that write restarts the old epoch's replica, which ends the epoch again (the
//     hook runs at least once); a crash after it restarts the new epoch's replica with no records.
//   - A follower that executes the block at which a set that has it takes over starts voting there
//     (it holds the base state: it executed it).
//   - Messages carry their epoch (the wire's envelope): the current epoch's go to its replica; a
//     past epoch this node finished is answered from that epoch's final proof (a laggard's STATUS gets
//     the 2f+1 CHECKPOINTs, then fetches the state by state transfer and switches too); an epoch not
//     reached yet is dropped (retransmission brings it again after the switch).
// The mempool is the node's one pool throughout; each new driver's proposer takes over the in-flight
// accounting (nothing is in flight at a switch: every batch of the old epoch was delivered and
// executed, and the core dropped any slot above E).
import { equalBytes, toHex } from "../../sdk/bytes.js";
import type { Validator } from "../../sdk/commit.js";
import type { ConsensusConfig, ConsensusMessage, PersistedRecord, StableCheckpoint } from "../../consensus/index.js";
import type { ExecutedBlock } from "../chain/chain.js";
import { ConsensusDriver, type CertifiedBatch, type DriverDeps, type DriverOptions, type ExecutedLike, type MessageTransport, type RecordLog } from "./driver.js";

/** The epoch a node runs, as its consensus log keeps it. For a member, the base is what its replica starts from. */
export interface EpochRecord {
  epoch: bigint;
  baseSeq: bigint;
  /** the base block's time and hash: the epoch's genesisTime and genesisStateDigest */
  baseTime: bigint;
  baseDigest: Uint8Array;
  members: Validator[];
}

/** An epoch this node ran to its end: its set and its final stable checkpoint, with the proof. */
export interface FinishedEpoch {
  epoch: bigint;
  members: Validator[];
  checkpoint: StableCheckpoint;
}

/** The consensus write-ahead log with the epoch records (consensus-log.ts ConsensusLog). */
export interface EpochLog extends RecordLog {
  readEpochs(): Promise<{ current: EpochRecord | undefined; finished: FinishedEpoch[] }>;
  /** atomically: keep `finished`, make `next` current, empty the record log */
  switchEpoch(next: EpochRecord, finished?: FinishedEpoch): Promise<void>;
}

/** The epoch that orders the next block, from the set in the head's state (Chain.nextBlockEpoch). */
export interface HeadEpoch {
  epoch: bigint;
  members: readonly Validator[];
  baseSeq: bigint;
}

export interface EpochEnded {
  epoch: bigint;
  nextEpoch: bigint;
  checkpoint: StableCheckpoint;
}

/** How a message of some epoch was routed (the consensus channel penalises `not-member`). */
export type Routed = "delivered" | "answered" | "past" | "future" | "not-member";

export interface EpochRunnerDeps<E extends ExecutedLike = ExecutedBlock> extends Omit<DriverDeps<E>, "log" | "transport" | "onEpochEnd"> {
  log: EpochLog;
  /** the epoch of the next block from the head's state; undefined when the genesis put no set in state */
  headEpoch(): HeadEpoch | undefined;
  /** a stored block's time and hash (an epoch's base) */
  headerAt(height: bigint): Promise<{ time: bigint; hash: Uint8Array } | undefined>;
  /** the transport of one epoch: replica i is validators[i], frames carry the epoch */
  transportFor(epoch: bigint, validators: readonly Validator[]): MessageTransport;
  /** the peer id of a node key, as the network names senders */
  peerIdOf(publicKey: Uint8Array): string;
  /** starts following the chain without voting (block sync from the set's validators); stop() waits for the round in progress */
  follow(): { stop(): Promise<void> };
  /** an epoch is in force here (at start and at each switch): the node points its validator peers and allow-list at it */
  onEpochStarted?: (e: { epoch: bigint; validators: readonly Validator[]; self: number | undefined }) => void;
  /**
   * Called at a switch, awaited before the next epoch's replica starts, while the node's state is
   * exactly at E (checkpoint.seq). At least once per switch: a crash before the switch is durable
   * calls it again after the restart. A throw is logged; the switch goes on.
   */
  onEpochEnded?: (e: EpochEnded) => Promise<void> | void;
}

export type EpochRunnerOptions = Omit<DriverOptions, "config" | "self"> & {
  /** the genesis consensus config: chain id, parameters, the genesis set and state */
  config: ConsensusConfig;
  /** this node's key: its place in each epoch's set */
  nodePublicKey: Uint8Array;
};

export class EpochRunner<E extends ExecutedLike = ExecutedBlock> {
  private _driver: ConsensusDriver<E> | undefined;
  private following: { stop(): Promise<void> } | undefined;
  private current!: EpochRecord;
  private readonly finished = new Map<bigint, FinishedEpoch>();
  /** transitions (switches, a follower becoming a member) run one at a time, in order */
  private transition: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly peerIds = new Map<string, string>();
  readonly stats = { switches: 0, answeredLaggards: 0, droppedFuture: 0, droppedPast: 0 };

  constructor(
    private readonly opts: EpochRunnerOptions,
    private readonly deps: EpochRunnerDeps<E>,
  ) {}

  /** The running epoch's driver; undefined while following (not in the set) or switching. */
  get driver(): ConsensusDriver<E> | undefined {
    return this._driver;
  }

  /** The epoch in force here and its set. */
  get epoch(): { epoch: bigint; members: readonly Validator[]; baseSeq: bigint } {
    return { epoch: this.current.epoch, members: this.current.members, baseSeq: this.current.baseSeq };
  }

  /** This node's replica index in the current epoch, or undefined (not a member: following). */
  get self(): number | undefined {
    const i = this.indexIn(this.current.members);
    return i < 0 ? undefined : i;
  }

  /** The final checkpoint of an epoch this node finished (for light clients and tests). */
  finishedEpoch(epoch: bigint): FinishedEpoch | undefined {
    return this.finished.get(epoch);
  }

  /**
   * Resumes where the log says: the epoch this node votes in (its replica restored from the
   * records), or, for a node that follows or never switched, the epoch of the head's state.
   */
  async start(): Promise<void> {
    const { current, finished } = await this.deps.log.readEpochs();
    for (const f of finished) this.finished.set(f.epoch, f);
    // no epoch record: the node never switched, it is in epoch 0 (the genesis set)
    const logged = current ?? this.genesisRecord();
    const head = this.deps.headEpoch();
    // the chain holds blocks of a later epoch than the log's (a store refilled from peers while the
    // log stayed behind): the log's epoch is over for this node, whatever it was in it
    const stale = head !== undefined && head.epoch > logged.epoch && this.deps.chain.height > head.baseSeq;
    let target: EpochRecord;
    if (this.indexIn(logged.members) >= 0 && !stale) {
      // voting in it: its replica resumes from the records (and ends the epoch again if it ended before the switch was durable)
      target = logged;
    } else if (head && head.epoch > logged.epoch) {
      target = { epoch: head.epoch, baseSeq: head.baseSeq, baseTime: 0n, baseDigest: new Uint8Array(0), members: [...head.members] };
    } else {
      target = logged;
    }
    this.current = target;
    if (target !== logged && this.indexIn(target.members) >= 0) {
      // a follower whose state already reached a set that has it (it was down at that block)
      await this.becomeMember();
      return;
    }
    this.enter(await this.deps.log.readAll());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.transition.catch(() => undefined);
    await this._driver?.stop();
    await this.following?.stop();
  }

  /** The mempool admitted transactions. */
  onTransactionsAvailable(): void {
    this._driver?.onTransactionsAvailable();
  }

  /**
   * A message of epoch `epoch` from the peer `fromPeerId`. The current epoch's go to its replica
   * (from a member only); a past epoch this node finished answers a laggard's STATUS with the final
   * proof; an epoch not reached yet is dropped.
   */
  onMessage(fromPeerId: string, epoch: bigint, message: ConsensusMessage): Routed {
    if (epoch === this.current.epoch) {
      if (!this.current.members.some((v) => this.peerIdOf(v.publicKey) === fromPeerId)) return "not-member";
      if (!this._driver) {
        this.stats.droppedPast++;
        return "past"; // not voting here (or switching): nothing to do with it
      }
      this._driver.onMessage(message);
      return "delivered";
    }
    const fin = this.finished.get(epoch);
    if (fin) {
      const to = fin.members.findIndex((v) => this.peerIdOf(v.publicKey) === fromPeerId);
      if (to < 0) return "not-member";
      // Only a member of that epoch under the key this node runs with now answers: a validator whose
      // key was rotated at a later switch relays under its new peer id, which the laggard (still in
      // that epoch) takes for no member, refuses and penalises. The members that kept their keys answer.
      const wasMember = fin.members.some((v) => equalBytes(v.publicKey, this.opts.nodePublicKey));
      if (wasMember && message.type === "status" && message.stableSeq < fin.checkpoint.seq) {
        // a laggard of that epoch: the quorum of CHECKPOINTs at its end; it adopts the checkpoint,
        // fetches the state by state transfer, learns switchAt from it and switches too
        const transport = this.deps.transportFor(epoch, fin.members);
        for (const cp of fin.checkpoint.proof) transport.sendTo(to, cp);
        this.stats.answeredLaggards++;
        return "answered";
      }
      this.stats.droppedPast++;
      return "past";
    }
    if (epoch > this.current.epoch) {
      this.stats.droppedFuture++;
      return "future";
    }
    this.stats.droppedPast++;
    return "past";
  }

  /**
   * The size of an epoch's set where this node can check its messages (the current epoch, or one
   * it finished); "future" for an epoch it has not reached; undefined for one it keeps nothing of.
   * What the wire's structural checks need (node/net/wire.ts decodeConsensusFrame).
   */
  validatorsIn(epoch: bigint): number | undefined | "future" {
    if (epoch === this.current.epoch) return this.current.members.length;
    const fin = this.finished.get(epoch);
    if (fin) return fin.members.length;
    return epoch > this.current.epoch ? "future" : undefined;
  }

  /**
   * A block was executed while following (not voting): if the head's state now puts this node's
   * key in the set of the next block, it starts voting in that epoch (it holds the base state).
   */
  blockExecuted(): void {
    if (this._driver || this.stopped) return;
    const head = this.deps.headEpoch();
    if (!head || head.epoch <= this.current.epoch) return;
    if (this.indexIn(head.members) < 0) {
      // still not ours: follow the new set (sync peers, allow-list)
      this.current = { epoch: head.epoch, baseSeq: head.baseSeq, baseTime: 0n, baseDigest: new Uint8Array(0), members: [...head.members] };
      this.deps.onEpochStarted?.({ epoch: head.epoch, validators: head.members, self: undefined });
      return;
    }
    this.queue(() => this.becomeMember());
  }

  // ---- transitions -----------------------------------------------------------------------------

  private queue(step: () => Promise<void>): void {
    this.transition = this.transition
      .then(() => (this.stopped ? undefined : step()))
      .catch((err) => this.deps.logger.error("validator-set epoch switch failed: consensus stays stopped until a restart", { err }));
  }

  /** Runs the current epoch: its replica (a member) or following. */
  private enter(records: PersistedRecord[]): void {
    const self = this.indexIn(this.current.members);
    this.deps.onEpochStarted?.({ epoch: this.current.epoch, validators: this.current.members, self: self < 0 ? undefined : self });
    if (self < 0) {
      this.deps.logger.info("not a validator of this epoch: following the chain without voting", { epoch: this.current.epoch, validators: this.current.members.length });
      this.following = this.deps.follow();
      return;
    }
    const r = this.current;
    const config: ConsensusConfig = {
      ...this.opts.config,
      validators: r.members,
      ...(r.epoch > 0n ? { epoch: r.epoch, baseSeq: r.baseSeq, genesisTime: r.baseTime, genesisStateDigest: r.baseDigest } : {}),
    };
    const { config: _c, nodePublicKey: _k, ...batching } = this.opts;
    const driver: ConsensusDriver<E> = new ConsensusDriver<E>(
      { ...batching, config, self },
      {
        ...this.deps,
        log: this.deps.log,
        transport: this.deps.transportFor(r.epoch, r.members),
        onEpochEnd: (e) => this.queue(() => this.switchFrom(driver, e.epoch, e.checkpoint)),
      },
      records,
    );
    this._driver = driver;
    driver.start();
    // the pool carries over: whatever waits is this epoch's to order
    driver.onTransactionsAvailable();
  }

  /** The switch at the end of the current epoch (the core's epoch-ended). */
  private async switchFrom(driver: ConsensusDriver<E>, epoch: bigint, checkpoint: StableCheckpoint): Promise<void> {
    if (driver !== this._driver || epoch !== this.current.epoch) return;
    const head = this.deps.headEpoch();
    const height = this.deps.chain.height;
    if (!head || height !== checkpoint.seq || head.baseSeq !== checkpoint.seq || head.epoch <= epoch) {
      throw new Error(
        `epoch ${epoch} ended at ${checkpoint.seq} but the state (height ${height}) names ${head ? `epoch ${head.epoch} from ${head.baseSeq}` : "no validator set"}: not switching`,
      );
    }
    const final: FinishedEpoch = { epoch, members: this.current.members, checkpoint };
    this.finished.set(epoch, final); // laggards get the proof from now on
    await driver.stop();
    this._driver = undefined;
    try {
      await this.deps.onEpochEnded?.({ epoch, nextEpoch: head.epoch, checkpoint });
    } catch (err) {
      this.deps.logger.error("the epoch-ended hook failed; switching anyway", { epoch, err });
    }
    const next: EpochRecord = { epoch: head.epoch, baseSeq: checkpoint.seq, baseTime: checkpoint.timestamp, baseDigest: checkpoint.stateDigest, members: [...head.members] };
    await this.deps.log.switchEpoch(next, final);
    this.current = next;
    this.stats.switches++;
    const self = this.indexIn(next.members);
    this.deps.logger.info("validator-set epoch switched", {
      from: epoch,
      epoch: next.epoch,
      at: checkpoint.seq,
      validators: next.members.map((v) => v.id),
      ...(self >= 0 ? { replica: self } : { voting: false }),
    });
    this.enter([]);
  }

  /** A follower reached a set that has it: stop following, record the epoch, start voting. */
  private async becomeMember(): Promise<void> {
    if (this._driver) return;
    await this.following?.stop();
    this.following = undefined;
    // the head as it is once following stopped (it may have passed further switches meanwhile)
    const head = this.deps.headEpoch();
    if (!head || this.indexIn(head.members) < 0) {
      if (head) this.current = { epoch: head.epoch, baseSeq: head.baseSeq, baseTime: 0n, baseDigest: new Uint8Array(0), members: [...head.members] };
      this.enter([]);
      return;
    }
    let base: { time: bigint; hash: Uint8Array };
    if (head.baseSeq === 0n) base = { time: this.opts.config.genesisTime, hash: this.opts.config.genesisStateDigest };
    else {
      const h = await this.deps.headerAt(head.baseSeq);
      if (!h) throw new Error(`this node's key is in epoch ${head.epoch}'s set but its store lacks the epoch's base block ${head.baseSeq} (restored from a snapshot above it?)`);
      base = h;
    }
    const next: EpochRecord = { epoch: head.epoch, baseSeq: head.baseSeq, baseTime: base.time, baseDigest: base.hash, members: [...head.members] };
    await this.deps.log.switchEpoch(next);
    this.current = next;
    this.stats.switches++;
    this.deps.logger.info("this node's key is in the validator set: it votes from now on", { epoch: next.epoch, base: next.baseSeq, replica: this.indexIn(next.members), height: this.deps.chain.height });
    this.enter([]);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private genesisRecord(): EpochRecord {
    const c = this.opts.config;
    return { epoch: 0n, baseSeq: 0n, baseTime: c.genesisTime, baseDigest: c.genesisStateDigest, members: [...c.validators] };
  }

  private indexIn(members: readonly Validator[]): number {
    return members.findIndex((v) => equalBytes(v.publicKey, this.opts.nodePublicKey));
  }

  private peerIdOf(publicKey: Uint8Array): string {
    const k = toHex(publicKey);
    let id = this.peerIds.get(k);
    if (id === undefined) {
      id = this.deps.peerIdOf(publicKey);
      this.peerIds.set(k, id);
    }
    return id;
  }

  /** Executes a certified block (state transfer, block sync): through the driver while voting, else `follower`. */
  executeWith(b: CertifiedBatch, follower: (b: CertifiedBatch) => Promise<E>): Promise<E> {
    return this._driver ? this._driver.executeCertified(b) : follower(b);
  }
}
