// The consensus driver (STYLE rules 2 and 3): the one place that performs I/O for the PBFT core.
// It feeds events to the replica one at a time and carries out the actions it returns:
//   - persist: the records of every queued event are written in one fsync'd LevelDB batch BEFORE
//     any message of those events leaves (group commit; persist-before-send holds per action list),
//   - send / broadcast over the p2p consensus channel, timers, batches from the mempool,
//   - deliver: committed blocks go to an ordered execution queue (ledger -> store); each result is
//     fed back as `executed` with the block hash as the state digest, so stable checkpoints
//     certify the header chain,
//   - state transfer: certified blocks fetched from peers by block sync, verified, re-executed.
// A halt (broken invariant) stops consensus for good: the node keeps serving reads, signs nothing.
import { toHex } from "../../sdk/bytes.js";
import { batchDigest, type CommitCertificate } from "../../sdk/commit.js";
import { CodecError } from "../../sdk/codec.js";
import { decodeTx, type Tx } from "../../sdk/tx.js";
import type { Receipt } from "../../sdk/types.js";
import { Replica, compactRecords, type BatchRules, type CommittedBlock, type ConsensusAction, type ConsensusConfig, type ConsensusEvent, type ConsensusMessage, type PersistedRecord, type TimerKind } from "../../consensus/index.js";
import type { Chain, ExecutedBlock } from "../chain.js";
import { nodeCrypto } from "../crypto.js";
import type { Logger } from "../log.js";
import type { Mempool } from "./mempool.js";
import type { PartyKeys } from "../parties.js";
import type { ConsensusLog } from "./consensus-log.js";
import { rfc6962Root } from "../store/hash.js";
import { decodeBatch, encodeBatch, encodeConsensusMessage } from "../wire.js";
import type { BlockSync, ExecuteCertified } from "../sync.js";
import type { SignatureCache } from "./sigcache.js";

/** What the driver needs from the network (p2p/ provides it; tests may run several in one process). */
export interface ConsensusTransport {
  sendTo(replica: number, bytes: Uint8Array): void;
  broadcast(bytes: Uint8Array): void;
}

export interface BlockCommitted {
  executed: ExecutedBlock;
  txs: Tx[];
  certificate: CommitCertificate;
}

export interface DriverMetrics {
  blockCommitted(executed: ExecutedBlock, latencySeconds: number | undefined): void;
  viewChanged(view: bigint): void;
  persisted(records: number, seconds: number): void;
}

export interface DriverOptions {
  config: ConsensusConfig;
  self: number;
  nodeSeed: Uint8Array;
  maxBatchTxs: number;
  maxBatchBytes: number;
  /** while batches are in flight, propose another once this many transactions wait (default maxBatchTxs / 8) */
  minBatchFill?: number;
  /** ... or once the oldest has waited this long, ms (default 20) */
  batchDelayMs?: number;
}

export interface DriverDeps {
  chain: Chain;
  log: ConsensusLog;
  mempool: Mempool;
  parties: PartyKeys;
  sigCache: SignatureCache;
  transport: ConsensusTransport;
  /** fetches and verifies certified blocks for state transfer */
  sync: BlockSync;
  logger: Logger;
  metrics?: DriverMetrics | null;
  /** called after each block is executed and stored, in height order */
  onBlock?: (b: BlockCommitted) => void;
  /** a new view was installed here (this node follows primary `primary` from now on) */
  onViewInstalled?: (view: bigint, primary: number) => void;
  /** wall clock (ms); injectable for tests */
  now?: () => number;
  /** sees every message just before it is sent or broadcast (the signed-message log, node/signed-log.ts) */
  onSend?: ((message: ConsensusMessage) => void) | null;
}

const MAX_EVENTS_PER_ROUND = 512;

export class ConsensusDriver {
  readonly replica: Replica;
  private readonly queue: ConsensusEvent[] = [];
  private draining = false;
  private stopped = false;
  private halted: string | undefined;
  private readonly timers = new Map<TimerKind, NodeJS.Timeout>();
  private tickTimer?: NodeJS.Timeout;
  private lastTick = 0n;
  /** the primary asked for a batch and none was available yet */
  private wantsBatch = false;
  /** our own batch, enqueued but not yet stepped into the core */
  private queuedProposal: ConsensusEvent | undefined;
  /** proposes a partly filled batch once the oldest waiting transaction has waited batchDelayMs */
  private batchTimer: NodeJS.Timeout | undefined;
  private readonly minBatchFill: number;
  private readonly batchDelayMs: number;
  /** a backup's "requests are waiting" notice, enqueued but not yet stepped */
  private queuedWorkNotice: ConsensusEvent | undefined;
  /** decoded transactions of batch payloads seen in pre-prepares (decode once per node) */
  private readonly decoded = new WeakMap<Uint8Array, Tx[] | Error>();
  private readonly execQueue: CommittedBlock[] = [];
  /** transactions of delivered blocks not yet executed: still in the mempool, no longer pending in the core */
  private readonly executingTxs = new Set<string>();
  private executing: Promise<void> = Promise.resolve();
  private transfer?: Promise<void>;
  /** batches this node proposed: seq -> when, for commit latency */
  private readonly proposedAt = new Map<bigint, number>();
  private lastView = 0n;
  private lastViewActive = true;
  private recordsSinceCompaction = 0;
  readonly stats = { eventsProcessed: 0, persistBatches: 0, recordsPersisted: 0, blocksExecuted: 0, stateTransfers: 0, batchesProposed: 0 };

  constructor(
    private readonly opts: DriverOptions,
    private readonly deps: DriverDeps,
    records: PersistedRecord[],
  ) {
    const { chain } = deps;
    const rules: BatchRules = {
      digestBatch: (seq, timestamp, payload) => this.digestBatch(seq, timestamp, payload),
      validateBatch: (seq, timestamp, payload) => this.validateBatch(seq, timestamp, payload),
    };
    this.replica = Replica.restore({
      config: opts.config,
      self: opts.self,
      crypto: {
        sign: (bytes) => nodeCrypto.sign(opts.nodeSeed, bytes),
        verify: (pk, bytes, sig) => nodeCrypto.verify(pk, bytes, sig),
        hash: (bytes) => nodeCrypto.sha256(bytes),
      },
      batches: rules,
      records,
      executed: { seq: chain.height, timestamp: chain.height === 0n ? opts.config.genesisTime : chain.headTime, stateDigest: this.stateDigestOf(chain) },
      now: BigInt(this.now()),
    });
    this.lastView = this.replica.view;
    this.recordsSinceCompaction = records.length;
    this.minBatchFill = opts.minBatchFill ?? Math.max(1, Math.floor(opts.maxBatchTxs / 8));
    this.batchDelayMs = opts.batchDelayMs ?? 20;
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** The digest checkpoints certify: the head block's hash (the genesis digest at height 0). */
  private stateDigestOf(chain: Chain): Uint8Array {
    return chain.height === 0n ? this.opts.config.genesisStateDigest : chain.headHash;
  }

  get haltReason(): string | undefined {
    return this.halted;
  }

  start(): void {
    this.perform(this.replica.start());
    this.tickTimer = setInterval(() => this.enqueue({ type: "tick", now: BigInt(this.now()) }), 100);
    this.tickTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.batchTimer) clearTimeout(this.batchTimer);
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await this.executing;
    await this.transfer?.catch(() => undefined);
  }

  // ---- inputs ---------------------------------------------------------------------------------

  /** A message decoded and structurally checked at the p2p edge. */
  onMessage(message: ConsensusMessage): void {
    this.enqueue({ type: "message", message });
  }

  /** The mempool admitted a transaction: a primary that asked for a batch gets one. */
  onTransactionsAvailable(): void {
    if (this.replica.isPrimary && this.replica.viewActive) {
      if (this.wantsBatch) this.proposeIfPossible();
    } else if (this.deps.mempool.available > 0 && this.queuedWorkNotice === undefined) {
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
      setImmediate(() => void this.drain());
    }
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.stopped && !this.halted) {
        const events = this.queue.splice(0, MAX_EVENTS_PER_ROUND);
        const actions: ConsensusAction[] = [];
        const now = BigInt(this.now());
        if (now > this.lastTick) {
          this.lastTick = now;
          actions.push(...this.replica.step({ type: "tick", now }));
        }
        for (const event of events) {
          if (event.type === "tick") continue; // folded into the tick above
          if (event === this.queuedWorkNotice) this.queuedWorkNotice = undefined;
          if (event === this.queuedProposal) {
            // The core answers our batch with a new request-batch if it has room for another.
            this.queuedProposal = undefined;
            this.wantsBatch = false;
          }
          actions.push(...this.replica.step(event));
          this.stats.eventsProcessed++;
        }
        await this.performAsync(actions);
        this.afterRound();
      }
    } catch (err) {
      this.halt(`driver failure: ${(err as Error).message}`, err);
    } finally {
      this.draining = false;
      if (this.queue.length > 0 && !this.stopped && !this.halted) {
        this.draining = true;
        setImmediate(() => void this.drain());
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
      // Batches of the old view may never commit: their transactions go back to the pool.
      this.wantsBatch = false;
    }
  }

  // ---- actions ----------------------------------------------------------------------------------

  /** Performs actions that need no disk write first (start-up, synchronous contexts). */
  private perform(actions: ConsensusAction[]): void {
    void this.performAsync(actions).catch((err) => this.halt(`driver failure: ${(err as Error).message}`, err));
  }

  private async performAsync(actions: ConsensusAction[]): Promise<void> {
    // Group commit: every record of this round is fsync'd before any of its messages leaves.
    const records: PersistedRecord[] = [];
    for (const a of actions) {
      if (a.type === "persist") records.push(a.record);
      // Delivered batches leave the core's pending batches now, not when the deliver action is
      // performed after the fsync below: their transactions must stay out of proposals meanwhile.
      else if (a.type === "deliver") this.markExecuting(a.block);
    }
    if (records.length > 0) {
      const t0 = performance.now();
      await this.deps.log.append(records);
      this.deps.metrics?.persisted(records.length, (performance.now() - t0) / 1000);
      this.stats.persistBatches++;
      this.stats.recordsPersisted += records.length;
      this.recordsSinceCompaction += records.length;
    }
    let compact = false;
    for (const a of actions) {
      switch (a.type) {
        case "persist":
          if (a.record.kind === "stable-checkpoint") compact = true;
          break;
        case "send":
          this.deps.onSend?.(a.message);
          this.deps.transport.sendTo(a.to, encodeConsensusMessage(a.message));
          break;
        case "broadcast":
          if (a.message.type === "pre-prepare" && a.message.replica === this.opts.self && !this.proposedAt.has(a.message.seq)) {
            this.proposedAt.set(a.message.seq, performance.now());
          }
          this.deps.onSend?.(a.message);
          this.deps.transport.broadcast(encodeConsensusMessage(a.message));
          break;
        case "set-timer":
          this.setTimer(a.timer, a.id, a.afterMs);
          break;
        case "cancel-timer": {
          const t = this.timers.get(a.timer);
          if (t) clearTimeout(t);
          this.timers.delete(a.timer);
          break;
        }
        case "deliver":
          this.scheduleExecution(a.block);
          break;
        case "request-batch":
          this.wantsBatch = true;
          this.proposeIfPossible();
          break;
        case "request-state-transfer":
          this.startStateTransfer(a.seq, a.stateDigest, a.from);
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

  private setTimer(kind: TimerKind, id: number, afterMs: number): void {
    const old = this.timers.get(kind);
    if (old) clearTimeout(old);
    const t = setTimeout(() => {
      this.timers.delete(kind);
      this.enqueue({ type: "timeout", timer: kind, id });
    }, afterMs);
    t.unref();
    this.timers.set(kind, t);
  }

  private halt(reason: string, err?: unknown): void {
    if (this.halted) return;
    this.halted = reason;
    this.queue.length = 0;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.deps.logger.error("consensus halted: this node signs nothing more until an operator intervenes", { reason, ...(err ? { err } : {}) });
  }

  // ---- proposals ----------------------------------------------------------------------------

  /**
   * Proposes a batch when the core has room. With no batch of ours in flight the first waiting
   * transaction goes out at once (latency at low load). While batches are in flight a new one
   * waits until `minBatchFill` transactions are waiting or the oldest has waited `batchDelayMs`:
   * every block costs each node three fsync'd consensus writes, a dozen signatures, its messages
   * and a store commit whatever its size, so under load fewer, fuller blocks carry more per
   * second, while the pipeline (maxBatchesInFlight) still hides the round trips.
   */
  private proposeIfPossible(force = false): void {
    if (!this.wantsBatch || this.halted || !this.replica.isPrimary || !this.replica.viewActive) return;
    // A batch still waiting in the event queue is not among the core's pending batches yet: reaping
    // now would release its transactions and propose them a second time (a double ordering that
    // execution then refuses as DUPLICATE_TX, paid for by every node). The core asks again after it.
    if (this.queuedProposal) return;
    const { mempool } = this.deps;
    const inFlight = this.replica.pendingBatches();
    const inFlightTxs: Tx[][] = [];
    let inFlightCount = 0;
    for (const b of inFlight) {
      const txs = this.decodePayload(b.payload);
      if (txs instanceof Error) continue;
      inFlightTxs.push(txs);
      inFlightCount += txs.length;
    }
    if (!force && inFlight.length > 0) {
      const waiting = mempool.size - inFlightCount - this.executingTxs.size;
      if (waiting < this.minBatchFill) {
        if (waiting > 0 && !this.batchTimer) {
          this.batchTimer = setTimeout(() => {
            this.batchTimer = undefined;
            this.proposeIfPossible(true);
          }, this.batchDelayMs);
          this.batchTimer.unref();
        }
        return;
      }
    }
    // Transactions already in accepted, undelivered batches stay out of new ones.
    mempool.releaseAll();
    const pending: string[] = [];
    for (const txs of inFlightTxs) for (const tx of txs) pending.push(tx.hashHex);
    pending.push(...this.executingTxs);
    mempool.markInFlight(pending);
    const txs = mempool.reap(this.opts.maxBatchTxs, this.opts.maxBatchBytes - 16 * this.opts.maxBatchTxs);
    if (txs.length === 0) return;
    if (this.batchTimer) {
      clearTimeout(this.batchTimer);
      this.batchTimer = undefined;
    }
    this.wantsBatch = false;
    const payload = encodeBatch(txs.map((t) => t.bytes));
    this.decoded.set(payload, txs);
    this.stats.batchesProposed++;
    this.queuedProposal = { type: "batch-available", payload };
    this.enqueue(this.queuedProposal);
  }

  // ---- batch rules (injected into the core; synchronous) ---------------------------------------

  private decodePayload(payload: Uint8Array): Tx[] | Error {
    let txs = this.decoded.get(payload);
    if (txs) return txs;
    try {
      if (payload.length > this.opts.maxBatchBytes) throw new CodecError("range", `batch of ${payload.length} bytes exceeds ${this.opts.maxBatchBytes}`, "Batch");
      const raw = decodeBatch(payload);
      if (raw.length > this.opts.maxBatchTxs) throw new CodecError("range", `batch of ${raw.length} transactions exceeds ${this.opts.maxBatchTxs}`, "Batch");
      txs = raw.map((bytes) => this.deps.mempool.decodedCopy(bytes) ?? decodeTx(nodeCrypto, bytes));
    } catch (err) {
      txs = err instanceof Error ? err : new Error(String(err));
    }
    this.decoded.set(payload, txs);
    return txs;
  }

  private digestBatch(seq: bigint, timestamp: bigint, payload: Uint8Array): Uint8Array {
    const txs = this.decodePayload(payload);
    // An undecodable payload gets a digest no valid batch can have; validateBatch refuses it.
    const txsRoot = txs instanceof Error ? nodeCrypto.sha256(payload) : rfc6962Root(txs.map((t) => t.hash));
    const chainId = txs instanceof Error ? `${this.opts.config.chainId}/undecodable` : this.opts.config.chainId;
    return batchDigest(nodeCrypto.sha256, { chainId, height: seq, time: timestamp, txsRoot });
  }

  private validateBatch(_seq: bigint, _timestamp: bigint, payload: Uint8Array): true | string {
    const txs = this.decodePayload(payload);
    if (txs instanceof Error) return `undecodable batch: ${txs.message}`;
    // An empty batch is valid: a new view fills gaps in its O set with null requests (PBFT §4.4),
    // which execute as empty blocks. (This primary never proposes one otherwise.)
    const seen = new Set<string>();
    for (const tx of txs) {
      if (seen.has(tx.hashHex)) return `transaction ${tx.hashHex} twice in one batch`;
      seen.add(tx.hashHex);
      if (tx.body.chainId !== this.opts.config.chainId) return `transaction ${tx.hashHex} is for chain ${tx.body.chainId}`;
      // A signer known in committed state must have signed: a primary proposing forgeries is faulty.
      // (A signer registered by a batch still in flight is checked by the ledger at execution.)
      const key = this.deps.parties.known(tx.body.signer);
      if (key && !this.deps.sigCache.verify(tx, key)) return `transaction ${tx.hashHex} has a forged signature`;
    }
    return true;
  }

  // ---- execution ------------------------------------------------------------------------------

  private markExecuting(block: CommittedBlock): void {
    const txs = this.decodePayload(block.payload);
    if (!(txs instanceof Error)) for (const tx of txs) this.executingTxs.add(tx.hashHex);
  }

  private scheduleExecution(block: CommittedBlock): void {
    this.execQueue.push(block);
    this.markExecuting(block);
    this.executing = this.executing.then(() => this.executeNext()).catch((err) => this.halt(`execution failed: ${(err as Error).message}`, err));
  }

  private async executeNext(): Promise<void> {
    const block = this.execQueue.shift();
    if (!block || this.halted) return;
    const { chain } = this.deps;
    if (block.seq <= chain.height) {
      // Already executed (e.g. by a state transfer that overtook delivery): report it again.
      const txs = this.decodePayload(block.payload);
      if (!(txs instanceof Error)) for (const tx of txs) this.executingTxs.delete(tx.hashHex);
      if (block.seq === chain.height) this.enqueue({ type: "executed", seq: block.seq, stateDigest: this.stateDigestOf(chain) });
      return;
    }
    const txs = this.decodePayload(block.payload);
    if (txs instanceof Error) throw new Error(`committed batch ${block.seq} does not decode: ${txs.message}`);
    const executed = await this.executeCertified({ height: block.seq, time: block.timestamp, view: block.view, txs, certificate: block.certificate });
    const started = this.proposedAt.get(block.seq);
    this.proposedAt.delete(block.seq);
    this.deps.metrics?.blockCommitted(executed, started === undefined ? undefined : (performance.now() - started) / 1000);
    this.enqueue({ type: "executed", seq: block.seq, stateDigest: executed.hash });
    if (this.deps.mempool.available > 0) this.onTransactionsAvailable();
  }

  /** Executes and stores one committed block, then updates the pool, parties and listeners. */
  readonly executeCertified: ExecuteCertified = (b) => this.executeCommitted(b);

  private async executeCommitted(b: { height: bigint; time: bigint; view: bigint; txs: Tx[]; certificate: CommitCertificate }): Promise<ExecutedBlock> {
    const { chain, mempool, parties } = this.deps;
    const executed = await chain.executeBlock({ height: b.height, time: b.time, view: b.view, txs: b.txs, certificate: b.certificate });
    this.stats.blocksExecuted++;
    mempool.removeCommitted(b.txs.map((t) => t.hashHex));
    for (const tx of b.txs) this.executingTxs.delete(tx.hashHex);
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
        () => this.enqueue({ type: "state-transferred", seq, stateDigest }),
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
    const head = this.stateDigestOf(this.deps.chain);
    if (toHex(head) !== toHex(stateDigest)) {
      throw new Error(`after transfer to ${seq} the head hash ${toHex(head)} differs from the stable checkpoint's ${toHex(stateDigest)}`);
    }
  }
}
