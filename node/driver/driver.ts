// The consensus driver (STYLE rules 2 and 3): the one place that performs I/O for the PBFT core.
// It queues events, steps the replica one event at a time, and carries out the actions it returns:
//   1. persist: the records of every queued event are written in one fsync'd batch, and only then
//   2. sends, broadcasts, timers, batch requests and deliveries, in the order the core gave them
//      (group commit: persist-before-send holds for every action list of the round);
//   3. deliver: committed blocks go to an ordered execution queue; each result is fed back as
//      `executed` with the block hash as the state digest, so stable checkpoints certify the chain;
//   4. state transfer: certified blocks fetched from peers, verified and re-executed.
// Which transactions are in flight, and when to cut a batch, is the proposer's (proposer.ts); what
// a batch means is batch.ts. Everything the driver touches is injected: clock and timers
// (clock.ts), transport, the write-ahead log, block execution and state transfer, so the
// simulator (test/sim/) runs this very driver on a virtual clock.
// A halt (broken invariant) stops consensus for good: the node keeps serving reads, signs nothing.
import { toHex } from "../../sdk/bytes.js";
import type { CommitCertificate } from "../../sdk/commit.js";
import type { CheckpointCertificate } from "../../sdk/certified.js";
import { decodeTx, type Tx } from "../../sdk/tx.js";
import type { Receipt } from "../../sdk/types.js";
import {
  Replica,
  compactRecords,
  type CommittedBlock,
  type ConsensusAction,
  type ConsensusConfig,
  type ConsensusCrypto,
  type ConsensusEvent,
  type ConsensusMessage,
  type PersistedRecord,
  type StableCheckpoint,
  type TimerKind,
} from "../../consensus/index.js";
import type { ExecutedBlock } from "../chain/chain.js";
import type { Logger } from "../log.js";
import { encodeConsensusMessage } from "../net/wire.js";
import { decodeBatchTxs, digestOfBatch, validateBatchTxs, type BatchLimits } from "./batch.js";
import { clockWithNow, systemClock, type DriverClock, type TimerHandle } from "./clock.js";
import type { Mempool } from "./mempool.js";
import { Proposer } from "./proposer.js";

/** The network as bytes (p2p/ provides it; the chaos tools wrap it). */
export interface ConsensusTransport {
  sendTo(replica: number, bytes: Uint8Array): void;
  broadcast(bytes: Uint8Array): void;
}

/** The network as the driver sees it: consensus messages to one replica or to all others. */
export interface MessageTransport {
  sendTo(replica: number, message: ConsensusMessage): void;
  broadcast(message: ConsensusMessage): void;
}

/** Encodes each message once (proto/ wire format) and hands the bytes to `transport`. */
export function wireTransport(transport: ConsensusTransport): MessageTransport {
  return {
    sendTo: (replica, message) => transport.sendTo(replica, encodeConsensusMessage(message)),
    broadcast: (message) => transport.broadcast(encodeConsensusMessage(message)),
  };
}

/** What block execution reports back: the block hash (the checkpointed state digest) and receipts. */
export interface ExecutedLike {
  hash: Uint8Array;
  receipts: readonly Receipt[];
}

export interface CertifiedBatch {
  height: bigint;
  time: bigint;
  view: bigint;
  txs: Tx[];
  certificate: CommitCertificate;
  /** false: block sync commits a run of blocks and fsyncs the last one only (Chain BlockInput.durable) */
  durable?: boolean;
}

/** A stable (or tip) checkpoint's proof as clients check it (sdk/certified.ts): the state digest is the block hash. */
export function checkpointCertificateOf(sc: StableCheckpoint): CheckpointCertificate {
  return { seq: sc.seq, timestamp: sc.timestamp, blockHash: sc.stateDigest, signatures: sc.proof.map((c) => ({ replica: c.replica, signature: c.signature })) };
}

/** Block execution (node/chain/chain.ts in the node; a hash chain in the simulator). One block at a time. */
export interface BlockExecutor<E extends ExecutedLike = ExecutedBlock> {
  readonly height: bigint;
  readonly headTime: bigint;
  readonly headHash: Uint8Array;
  /**
   * Where the validator set in the head's state takes over (v/set switchAt, docs/governance.md §5):
   * reported to the core with every executed block, state transfer and at start, so the replica
   * knows where its epoch ends. Absent: no set in state (the genesis set runs for ever).
   */
  readonly switchAt?: bigint | undefined;
  executeBlock(b: CertifiedBatch): Promise<E>;
}

/** State transfer (node/driver/state-transfer.ts): fetches, verifies and executes certified blocks up to `seq`. */
export interface StateTransfer {
  syncTo(seq: bigint, peers: number[], opts: { stopped: () => boolean }): Promise<unknown>;
}

/** The write-ahead log of consensus records (consensus-log.ts). */
export interface RecordLog {
  /** appends durably (fsync) before it resolves */
  append(records: PersistedRecord[]): Promise<void>;
  readAll(): Promise<PersistedRecord[]>;
  /** atomically replaces the whole log (after compaction) */
  replace(records: PersistedRecord[]): Promise<void>;
}

const keysOf = (parties: PartyKeySnapshot, id: string): readonly Uint8Array[] => {
  if (parties.knownKeys) return parties.knownKeys(id);
  const key = parties.known(id);
  return key ? [key] : [];
};

/** Party keys of committed state (node/parties.ts): a synchronous snapshot, updated by receipts. */
export interface PartyKeySnapshot {
  known(partyId: string): Uint8Array | undefined;
  /** the current key then the retired ones (key rotation, docs/governance.md); absent: just `known` */
  knownKeys?(partyId: string): readonly Uint8Array[];
  onReceipts(receipts: readonly Receipt[]): Promise<void> | void;
}

export interface BlockCommitted<E extends ExecutedLike = ExecutedBlock> {
  executed: E;
  txs: Tx[];
  certificate: CommitCertificate;
}

export interface DriverMetrics<E extends ExecutedLike = ExecutedBlock> {
  blockCommitted(executed: E, latencySeconds: number | undefined): void;
  viewChanged(view: bigint): void;
  persisted(records: number, seconds: number): void;
  /** this node cut a batch of `txs` as primary; `bound` is the most it could take (proposer.ts: maxBatchTxs, or fewer at the node's pace) */
  batchCut?(txs: number, bound: number, byPace: boolean): void;
}

export interface DriverOptions {
  config: ConsensusConfig;
  self: number;
  maxBatchTxs: number;
  maxBatchBytes: number;
  /** while batches are in flight, propose another once this many transactions wait (default maxBatchTxs / 8) */
  minBatchFill?: number;
  /** cut batches this node executes in about this long at its recent pace, ms (default a quarter of requestTimeoutMs: proposer.ts) */
  maxBatchExecMs?: number;
  /** ... or once the oldest has waited this long, ms (default 20) */
  batchDelayMs?: number;
}

export interface DriverDeps<E extends ExecutedLike = ExecutedBlock> {
  chain: BlockExecutor<E>;
  log: RecordLog;
  mempool: Mempool;
  parties: PartyKeySnapshot;
  sigCache: { verify(tx: Tx, publicKey: Uint8Array): boolean };
  transport: MessageTransport;
  /** fetches and verifies certified blocks for state transfer */
  sync: StateTransfer;
  logger: Logger;
  metrics?: DriverMetrics<E> | null;
  /** called after each block is executed and stored, in height order */
  onBlock?: (b: BlockCommitted<E>) => void;
  /**
   * a quorum of CHECKPOINTs certified block `seq`'s hash (a stable checkpoint or the idle tip's):
   * kept to serve certified headers (node/store putCheckpointCertificate). Failures are logged,
   * never fatal: a certificate is evidence for clients, not state.
   */
  onCertified?: (checkpoint: StableCheckpoint) => Promise<void> | void;
  /** a new view was installed here (this node follows primary `primary` from now on) */
  onViewInstalled?: (view: bigint, primary: number) => void;
  /** consensus halted (a broken invariant); called once */
  onHalt?: (reason: string) => void;
  /** clock and timers (default: the system's) */
  clock?: DriverClock;
  /** wall clock only (ms), timers stay real: a shorthand for tests that move time */
  now?: () => number;
  /** the replica's signing and hashing (ed25519 with this validator's key and SHA-256 in the node; the simulator's own) */
  crypto: ConsensusCrypto;
  /** sees every message just before it is sent or broadcast (the signed-message log, signed-log.ts) */
  onSend?: ((message: ConsensusMessage) => void) | null;
  /**
   * The epoch ended here (the core's `epoch-ended`): its last seq is a stable checkpoint and
   * executed; the replica orders nothing more. The epoch runner (epoch-runner.ts) starts the next
   * epoch's replica. Called once, from inside a round: do not await the driver here.
   */
  onEpochEnd?: (e: { epoch: bigint; checkpoint: StableCheckpoint }) => void;
}

const MAX_EVENTS_PER_ROUND = 512;
const TICK_MS = 100;

export class ConsensusDriver<E extends ExecutedLike = ExecutedBlock> {
  readonly replica: Replica;
  readonly proposer: Proposer;
  private readonly clock: DriverClock;
  private readonly queue: ConsensusEvent[] = [];
  private draining = false;
  private stopped = false;
  private halted: string | undefined;
  private readonly timers = new Map<TimerKind, TimerHandle>();
  private tickTimer?: TimerHandle;
  private lastTick = 0n;
  /** our own batch, enqueued but not yet stepped into the core */
  private queuedProposal: ConsensusEvent | undefined;
  /** a backup's "requests are waiting" notice, enqueued but not yet stepped */
  private queuedWorkNotice: ConsensusEvent | undefined;
  /** decoded transactions of batch payloads (decode once per node) */
  private readonly decoded = new WeakMap<Uint8Array, Tx[] | Error>();
  private readonly limits: BatchLimits;
  private readonly execQueue: CommittedBlock[] = [];
  private executing: Promise<void> = Promise.resolve();
  private transfer?: Promise<void>;
  /** batches this node proposed: seq -> when (monotonic ms), for commit latency */
  private readonly proposedAt = new Map<bigint, number>();
  private lastView = 0n;
  private lastViewActive = true;
  private recordsSinceCompaction = 0;
  readonly stats = { eventsProcessed: 0, persistBatches: 0, recordsPersisted: 0, blocksExecuted: 0, stateTransfers: 0, batchesProposed: 0 };

  constructor(
    private readonly opts: DriverOptions,
    private readonly deps: DriverDeps<E>,
    records: PersistedRecord[],
  ) {
    const { chain } = deps;
    this.clock = deps.clock ?? (deps.now ? clockWithNow(deps.now) : systemClock);
    this.limits = { chainId: opts.config.chainId, maxBatchTxs: opts.maxBatchTxs, maxBatchBytes: opts.maxBatchBytes };
    this.replica = Replica.restore({
      config: opts.config,
      self: opts.self,
      crypto: deps.crypto,
      batches: {
        digestBatch: (seq, timestamp, payload) => digestOfBatch(deps.crypto.hash, this.limits.chainId, seq, timestamp, payload, this.decodePayload(payload)),
        validateBatch: (_seq, _timestamp, payload) => validateBatchTxs(this.decodePayload(payload), this.limits.chainId, (id) => keysOf(deps.parties, id), (tx, key) => deps.sigCache.verify(tx, key)),
      },
      records,
      executed: { seq: chain.height, timestamp: chain.height === 0n || chain.height === opts.config.baseSeq ? opts.config.genesisTime : chain.headTime, stateDigest: this.stateDigestOf(), ...this.switchAt() },
      now: BigInt(this.clock.now()),
    });
    this.proposer = new Proposer({ ...opts, maxBatchExecMs: opts.maxBatchExecMs ?? Math.max(1, Math.floor(opts.config.requestTimeoutMs / 4)) }, {
      pool: deps.mempool,
      clock: this.clock,
      decode: (payload) => this.decodePayload(payload),
      coreBatches: () => this.replica.pendingBatches(),
      canPropose: () => !this.halted && !this.stopped && this.replica.isPrimary && this.replica.viewActive,
      propose: (payload, txs, cut) => {
        this.decoded.set(payload, txs);
        this.stats.batchesProposed++;
        this.deps.metrics?.batchCut?.(txs.length, cut.bound, cut.byPace);
        this.queuedProposal = { type: "batch-available", payload };
        this.enqueue(this.queuedProposal);
      },
    });
    deps.mempool.trackInFlightWith(this.proposer);
    this.lastView = this.replica.view;
    this.recordsSinceCompaction = records.length;
  }

  /** Where the set in the head's state takes over, for the core's executed / state-transferred events. */
  private switchAt(): { switchAt?: bigint } {
    const at = this.deps.chain.switchAt;
    return at === undefined ? {} : { switchAt: at };
  }

  /** The digest checkpoints certify: the head block's hash (the genesis digest at height 0). */
  private stateDigestOf(): Uint8Array {
    const { chain } = this.deps;
    return chain.height === 0n ? this.opts.config.genesisStateDigest : chain.headHash;
  }

  get haltReason(): string | undefined {
    return this.halted;
  }

  start(): void {
    this.perform(this.replica.start());
    this.armTick();
  }

  private armTick(): void {
    this.tickTimer = this.clock.setTimeout(() => {
      if (this.stopped || this.halted) return;
      this.enqueue({ type: "tick", now: BigInt(this.clock.now()) });
      this.armTick();
    }, TICK_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.tickTimer?.cancel();
    this.proposer.stop();
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    await this.executing;
    await this.transfer?.catch(() => undefined);
  }

  // ---- inputs ---------------------------------------------------------------------------------

  /** A message decoded and structurally checked at the p2p edge. */
  onMessage(message: ConsensusMessage): void {
    this.enqueue({ type: "message", message });
  }

  /** The mempool admitted a transaction: a primary that asked for a batch may get one. */
  onTransactionsAvailable(): void {
    if (this.replica.isPrimary && this.replica.viewActive) {
      this.proposer.poolChanged();
    } else if (this.queuedWorkNotice === undefined && this.proposer.waiting > 0) {
      // §4.4: a backup holding requests expects the primary to order them (request timer). One
      // notice waiting in the queue says it all: the next admission after it is stepped sends another.
      this.queuedWorkNotice = { type: "batch-available", payload: new Uint8Array(0) };
      this.enqueue(this.queuedWorkNotice);
    }
  }

  private enqueue(event: ConsensusEvent): void {
    if (this.stopped || this.halted) return;
    this.queue.push(event);
    if (!this.draining) {
      this.draining = true;
      this.clock.defer(() => void this.drain());
    }
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.stopped && !this.halted) {
        const events = this.queue.splice(0, MAX_EVENTS_PER_ROUND);
        const actions: ConsensusAction[] = [];
        const now = BigInt(this.clock.now());
        if (now > this.lastTick) {
          this.lastTick = now;
          actions.push(...this.replica.step({ type: "tick", now }));
        }
        for (const event of events) {
          if (event.type === "tick") continue; // folded into the tick above
          if (event === this.queuedWorkNotice) this.queuedWorkNotice = undefined;
          actions.push(...this.replica.step(event));
          // The core answers our batch with a new request-batch if it has room for another.
          if (event === this.queuedProposal) {
            this.queuedProposal = undefined;
            this.proposer.queuedStepped();
          }
          this.stats.eventsProcessed++;
        }
        this.proposer.coreChanged();
        await this.performAsync(actions);
        this.afterRound();
      }
    } catch (err) {
      this.halt(`driver failure: ${(err as Error).message}`, err);
    } finally {
      this.draining = false;
      if (this.queue.length > 0 && !this.stopped && !this.halted) {
        this.draining = true;
        this.clock.defer(() => void this.drain());
      }
    }
  }

  private afterRound(): void {
    const view = this.replica.view;
    const active = this.replica.viewActive;
    if (active && !this.lastViewActive && view > 0n) this.deps.onViewInstalled?.(view, this.replica.primary);
    this.lastViewActive = active;
    if (view !== this.lastView) {
      this.lastView = view;
      this.deps.metrics?.viewChanged(view);
      this.deps.logger.info("view changed", { view, primary: this.opts.config.validators[this.replica.primary]?.id, active: this.replica.viewActive });
      // A batch the old view's core asked for is not wanted any more; the proposer releases the
      // transactions of batches the view change dropped when it next reads the core's batches.
      this.proposer.viewChanged();
    }
  }

  // ---- actions ----------------------------------------------------------------------------------

  /** Performs actions that need no disk write first (start-up, synchronous contexts). */
  private perform(actions: ConsensusAction[]): void {
    void this.performAsync(actions).catch((err) => this.halt(`driver failure: ${(err as Error).message}`, err));
  }

  /**
   * Persist, then act. Every record of the list is durable (one fsync'd append) before any send,
   * broadcast or other action of the list is performed: the core puts the record that makes a
   * signed message safe before the message, and group commit keeps that order for the whole round.
   */
  private async performAsync(actions: ConsensusAction[]): Promise<void> {
    const records: PersistedRecord[] = [];
    for (const a of actions) {
      if (a.type === "persist") records.push(a.record);
      // Delivered batches leave the core's batches now, not when the deliver action is performed
      // after the fsync: the proposer must keep their transactions out of new batches meanwhile.
      else if (a.type === "deliver") this.markDelivered(a.block);
    }
    await this.persist(records);
    let compact = false;
    for (const a of actions) {
      switch (a.type) {
        case "persist":
          if (a.record.kind === "stable-checkpoint") compact = true;
          break;
        case "send":
          this.deps.onSend?.(a.message);
          this.deps.transport.sendTo(a.to, a.message);
          break;
        case "broadcast":
          if (a.message.type === "pre-prepare" && a.message.replica === this.opts.self && !this.proposedAt.has(a.message.seq)) {
            this.proposedAt.set(a.message.seq, this.clock.monotonic());
          }
          this.deps.onSend?.(a.message);
          this.deps.transport.broadcast(a.message);
          break;
        case "set-timer":
          this.setTimer(a.timer, a.id, a.afterMs);
          break;
        case "cancel-timer":
          this.timers.get(a.timer)?.cancel();
          this.timers.delete(a.timer);
          break;
        case "deliver":
          this.scheduleExecution(a.block);
          break;
        case "request-batch":
          this.proposer.requested();
          break;
        case "request-state-transfer":
          this.startStateTransfer(a.seq, a.stateDigest, a.from);
          break;
        case "certified":
          this.keepCertificate(a.checkpoint);
          break;
        case "epoch-ended":
          this.deps.logger.info("validator-set epoch ended", { epoch: a.epoch, seq: a.checkpoint.seq });
          this.deps.onEpochEnd?.({ epoch: a.epoch, checkpoint: a.checkpoint });
          break;
        case "halt":
          this.halt(a.reason);
          return;
      }
    }
    if (compact && this.recordsSinceCompaction > 1000) {
      // The write-ahead log only needs what compactRecords keeps (docs/consensus.md §4.2).
      const kept = compactRecords(await this.deps.log.readAll());
      await this.deps.log.replace(kept);
      this.recordsSinceCompaction = kept.length;
    }
  }

  private keepCertificate(checkpoint: StableCheckpoint): void {
    const { onCertified } = this.deps;
    if (!onCertified) return;
    Promise.resolve()
      .then(() => onCertified(checkpoint))
      .catch((err) => this.deps.logger.warn("checkpoint certificate not stored", { seq: checkpoint.seq.toString(), error: (err as Error).message }));
  }

  private async persist(records: PersistedRecord[]): Promise<void> {
    if (records.length === 0) return;
    const t0 = this.clock.monotonic();
    await this.deps.log.append(records);
    this.deps.metrics?.persisted(records.length, (this.clock.monotonic() - t0) / 1000);
    this.stats.persistBatches++;
    this.stats.recordsPersisted += records.length;
    this.recordsSinceCompaction += records.length;
  }

  private setTimer(kind: TimerKind, id: number, afterMs: number): void {
    this.timers.get(kind)?.cancel();
    this.timers.set(
      kind,
      this.clock.setTimeout(() => {
        this.timers.delete(kind);
        this.enqueue({ type: "timeout", timer: kind, id });
      }, afterMs),
    );
  }

  private halt(reason: string, err?: unknown): void {
    if (this.halted) return;
    this.halted = reason;
    this.queue.length = 0;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    this.proposer.stop();
    this.deps.logger.error("consensus halted: this node signs nothing more until an operator intervenes", { reason, ...(err ? { err } : {}) });
    this.deps.onHalt?.(reason);
  }

  // ---- batches ------------------------------------------------------------------------------------

  private decodePayload(payload: Uint8Array): Tx[] | Error {
    let txs = this.decoded.get(payload);
    if (txs) return txs;
    txs = decodeBatchTxs(payload, this.limits, (bytes) => this.deps.mempool.decodedCopy(bytes) ?? decodeTx({ sha256: this.deps.crypto.hash }, bytes));
    this.decoded.set(payload, txs);
    return txs;
  }

  // ---- execution ------------------------------------------------------------------------------

  private markDelivered(block: CommittedBlock): void {
    const txs = this.decodePayload(block.payload);
    this.proposer.delivered(block.seq, txs instanceof Error ? [] : txs);
  }

  private scheduleExecution(block: CommittedBlock): void {
    this.execQueue.push(block);
    this.markDelivered(block);
    this.executing = this.executing.then(() => this.executeNext()).catch((err) => this.halt(`execution failed: ${(err as Error).message}`, err));
  }

  private async executeNext(): Promise<void> {
    const block = this.execQueue.shift();
    if (!block || this.halted) return;
    const { chain } = this.deps;
    if (block.seq <= chain.height) {
      // Already executed (e.g. by a state transfer that overtook delivery): report it again.
      this.proposer.executed(block.seq);
      if (block.seq === chain.height) this.enqueue({ type: "executed", seq: block.seq, stateDigest: this.stateDigestOf(), ...this.switchAt() });
      return;
    }
    const txs = this.decodePayload(block.payload);
    if (txs instanceof Error) throw new Error(`committed batch ${block.seq} does not decode: ${txs.message}`);
    const began = this.clock.monotonic();
    const executed = await this.executeCertified({ height: block.seq, time: block.timestamp, view: block.view, txs, certificate: block.certificate });
    this.proposer.executedIn(txs.length, this.clock.monotonic() - began);
    const started = this.proposedAt.get(block.seq);
    this.proposedAt.delete(block.seq);
    this.deps.metrics?.blockCommitted(executed, started === undefined ? undefined : (this.clock.monotonic() - started) / 1000);
    this.enqueue({ type: "executed", seq: block.seq, stateDigest: executed.hash, ...this.switchAt() });
    if (this.proposer.waiting > 0) this.onTransactionsAvailable();
  }

  /** Executes and stores one committed block, then updates the pool, parties and listeners. */
  readonly executeCertified = (b: CertifiedBatch): Promise<E> => this.executeCommitted(b);

  private async executeCommitted(b: CertifiedBatch): Promise<E> {
    const { chain, mempool, parties } = this.deps;
    const executed = await chain.executeBlock({ height: b.height, time: b.time, view: b.view, txs: b.txs, certificate: b.certificate, ...(b.durable === false ? { durable: false } : {}) });
    this.stats.blocksExecuted++;
    mempool.removeCommitted(b.txs.map((t) => t.hashHex));
    this.proposer.executed(b.height);
    await parties.onReceipts(executed.receipts);
    this.deps.logger.debug("block committed", { height: b.height, txs: b.txs.length, view: b.view, hash: executed.hash });
    this.deps.onBlock?.({ executed, txs: b.txs, certificate: b.certificate });
    return executed;
  }

  // ---- state transfer (PBFT §4.3; TOCS §6.2) -----------------------------------------------------

  private startStateTransfer(seq: bigint, stateDigest: Uint8Array, from: number[]): void {
    if (this.transfer) return; // one at a time; the core re-asks on its timer if this one fails
    this.stats.stateTransfers++;
    this.deps.logger.info("state transfer", { target: seq, from: from.map((i) => this.opts.config.validators[i]?.id) });
    this.transfer = this.executing
      .then(() => this.transferTo(seq, stateDigest, from))
      .then(
        () => this.enqueue({ type: "state-transferred", seq, stateDigest, ...this.switchAt() }),
        (err) => {
          this.deps.logger.warn("state transfer failed", { target: seq, err });
          this.enqueue({ type: "state-transfer-failed", seq, reason: (err as Error).message });
        },
      )
      .finally(() => (this.transfer = undefined));
    this.executing = this.executing.then(() => this.transfer);
  }

  private async transferTo(seq: bigint, stateDigest: Uint8Array, from: number[]): Promise<void> {
    const peers = from.filter((i) => i !== this.opts.self);
    await this.deps.sync.syncTo(seq, peers, { stopped: () => this.stopped || this.halted !== undefined });
    const head = this.stateDigestOf();
    if (toHex(head) !== toHex(stateDigest)) {
      throw new Error(`after transfer to ${seq} the head hash ${toHex(head)} differs from the stable checkpoint's ${toHex(stateDigest)}`);
    }
  }
}
