// One PBFT replica as a pure, synchronous state machine (Castro & Liskov, OSDI'99 §4; TOCS'02):
// `step(event)` returns the actions the driver must perform, in order; the replica itself does
// no I/O and reads no clock. The split follows etcd-raft's RawNode/Ready: the driver persists
// every `persist` action durably before it performs any later action of the same list, which is
// how "a replica never sends what it has not written down" becomes a property of the action
// list rather than a habit (docs/consensus.md §4).
import { equalBytes, toHex } from "../sdk/bytes.js";
import { epochSigningChainId, faultTolerance, quorumSize, verifyCommitCertificate } from "../sdk/commit.js";
import { CertificateChecker, planNewView } from "./certificates.js";
import {
  checkpointSigningBytes,
  commitBytes,
  headerOf,
  malformation,
  newViewSigningBytes,
  prePrepareSigningBytes,
  prepareSigningBytes,
  statusSigningBytes,
  viewChangeSigningBytes,
} from "./messages.js";
import type {
  BatchRules,
  Checkpoint,
  Commit,
  CommitCertificate,
  Committed,
  ConsensusAction,
  ConsensusConfig,
  ConsensusCounters,
  ConsensusCrypto,
  ConsensusEvent,
  ConsensusMessage,
  DropCounters,
  ExecutedState,
  NewView,
  PersistedRecord,
  PreparedCertificate,
  Prepare,
  PrePrepare,
  StableCheckpoint,
  Status,
  TimerKind,
  ViewChange,
} from "./types.js";

const DEFAULT_STATUS_INTERVAL_MS = 500;
/** authentic pre-prepares kept per slot: an equivocating primary cannot grow the log without bound */
const MAX_CANDIDATES_PER_SLOT = 4;
/** views for which a replica's view-change is kept */
const MAX_VIEW_CHANGES_PER_REPLICA = 3;
/** checkpoint messages kept per replica above the low water mark */
const MAX_CHECKPOINTS_PER_REPLICA = 4;

export interface ReplicaOptions {
  config: ConsensusConfig;
  /** this replica's index in config.validators */
  self: number;
  crypto: ConsensusCrypto;
  batches: BatchRules;
  /** everything this replica persisted before (write-ahead records), oldest first */
  records?: readonly PersistedRecord[];
  /** where the node's executed state stands; defaults to genesis */
  executed?: ExecutedState;
  /** the local clock at start, ms; defaults to the executed block's time */
  now?: bigint;
}

export class ConsensusConfigError extends Error {
  override readonly name = "ConsensusConfigError";
  readonly code = "INVALID_CONSENSUS_CONFIG";
}

/**
 * The last seq of an epoch in which the block at `decidedAt` decided a validator-set change
 * (docs/governance.md §5): the first checkpoint at or after it, plus the window rounded up to
 * checkpoints. Lamport's α-window ("Reconfiguring a State Machine", 2010) with α the watermark
 * window: a replica that executed up to e accepts nothing above e + α + 1 (alpha = α here), so no
 * honest replica ever orders a seq of this epoch beyond its end, whichever change it has yet to
 * execute; and the end is a checkpoint seq, so the old set's stable checkpoint there is the proof
 * the next set starts from.
 */
export function epochEndFor(decidedAt: bigint, checkpointInterval: number, watermarkWindow: number): bigint {
  const K = BigInt(checkpointInterval);
  const firstCheckpoint = ((decidedAt + K - 1n) / K) * K;
  return firstCheckpoint + epochAlpha(checkpointInterval, watermarkWindow);
}

/** α: the watermark window rounded up to a multiple of the checkpoint interval. */
export function epochAlpha(checkpointInterval: number, watermarkWindow: number): bigint {
  const K = BigInt(checkpointInterval);
  return ((BigInt(watermarkWindow) + K - 1n) / K) * K;
}

/** One sequence number's log in the view `logView`. */
interface Slot {
  seq: bigint;
  /** authentic pre-prepares of the view's primary, by digest hex (more than one = equivocation) */
  candidates: Map<string, PrePrepare>;
  /** digests this replica refused (bad timestamp, invalid batch): never reconsidered */
  refused: Set<string>;
  /** the pre-prepare this replica prepared (backup) or proposed (primary) */
  accepted?: PrePrepare;
  prepares: Map<number, Prepare>;
  commits: Map<number, Commit>;
  prepared: boolean;
  committed?: CommitCertificate;
}

interface PendingTransfer {
  seq: bigint;
  timestamp: bigint;
  stateDigest: Uint8Array;
  from: number[];
}

function emptyDrops(): DropCounters {
  return {
    notValidator: 0,
    badSignature: 0,
    malformed: 0,
    oldView: 0,
    futureView: 0,
    outsideWatermarks: 0,
    wrongPrimary: 0,
    conflicting: 0,
    invalidBatch: 0,
    badTimestamp: 0,
    invalidCertificate: 0,
    duplicate: 0,
  };
}

function maxBig(...values: bigint[]): bigint {
  let m = values[0]!;
  for (const v of values) if (v > m) m = v;
  return m;
}

export function validateConsensusConfig(config: ConsensusConfig): void {
  const fail = (msg: string): never => {
    throw new ConsensusConfigError(msg);
  };
  if (typeof config.chainId !== "string" || config.chainId.length === 0) fail("chainId is required");
  if (!Array.isArray(config.validators) || config.validators.length === 0) fail("validators must be a non-empty list");
  const keys = new Set<string>();
  for (const v of config.validators) {
    if (!(v.publicKey instanceof Uint8Array) || v.publicKey.length !== 32) fail(`validator ${v.id}: public key must be 32 bytes`);
    const hex = toHex(v.publicKey);
    if (keys.has(hex)) fail(`validator ${v.id}: public key used twice`);
    keys.add(hex);
  }
  const positive = (name: keyof ConsensusConfig) => {
    const value = config[name];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) fail(`${name} must be a positive integer`);
  };
  for (const name of ["checkpointInterval", "watermarkWindow", "maxBatchesInFlight", "requestTimeoutMs", "viewChangeTimeoutMs", "maxViewChangeTimeoutMs"] as const) positive(name);
  if (config.watermarkWindow < 2 * config.checkpointInterval) fail("watermarkWindow must be at least 2 x checkpointInterval (PBFT §4.3)");
  if (!Number.isSafeInteger(config.maxTimestampDriftMs) || config.maxTimestampDriftMs < 0) fail("maxTimestampDriftMs must be >= 0");
  if (config.statusIntervalMs !== undefined) positive("statusIntervalMs");
  if (typeof config.genesisTime !== "bigint" || config.genesisTime < 0n) fail("genesisTime must be a non-negative bigint");
  if (config.epoch !== undefined && (typeof config.epoch !== "bigint" || config.epoch < 0n)) fail("epoch must be a non-negative bigint");
  if (config.baseSeq !== undefined && (typeof config.baseSeq !== "bigint" || config.baseSeq < 0n)) fail("baseSeq must be a non-negative bigint");
  if ((config.baseSeq ?? 0n) > 0n && (config.epoch ?? 0n) === 0n) fail("an epoch that starts after genesis (baseSeq > 0) has an epoch number > 0");
  if (!(config.genesisStateDigest instanceof Uint8Array) || config.genesisStateDigest.length !== 32) fail("genesisStateDigest must be 32 bytes");
}

export class Replica {
  readonly self: number;
  readonly n: number;
  readonly f: number;
  readonly quorum: number;
  readonly counters: ConsensusCounters = {
    dropped: emptyDrops(),
    viewChangesStarted: 0,
    newViewsInstalled: 0,
    blocksDelivered: 0,
    checkpointsStable: 0,
    stateTransfersRequested: 0,
  };

  private readonly config: ConsensusConfig;
  private readonly crypto: ConsensusCrypto;
  private readonly check: CertificateChecker;
  private readonly K: bigint;
  private readonly L: bigint;
  private readonly drift: bigint;

  // ---- validator-set epoch (docs/governance.md §5)
  readonly epoch: bigint;
  /** the chain id every signature of this epoch is over (sdk/commit.ts epochSigningChainId) */
  private readonly signChain: string;
  private readonly baseSeq: bigint;
  private readonly alpha: bigint;
  /** the last seq of this epoch, once a decided change is known (from execution or state transfer) */
  private epochEnd?: bigint;
  /** the epoch ended here: nothing more is ordered; laggards' STATUS still gets the final checkpoint */
  private _retired = false;

  // ---- view state (§4.4)
  private _view = 0n;
  private _viewActive = true;
  /** the view whose messages the slots hold: the current view, or the last active one during a view change */
  private logView = 0n;
  /** the NEW-VIEW of logView (installed, or during a view change learnt passively), forwarded to laggards */
  private newView?: NewView;
  /** valid view-changes above logView: view -> replica -> message (own ones included) */
  private readonly viewChanges = new Map<bigint, Map<number, ViewChange>>();
  /** consecutive view changes without a delivered block: timeouts double with each (§4.5.2) */
  private failedViews = 0;
  /** each peer's last STATUS (our clock when it came, what it said): who is alive, who is behind */
  private readonly peerStatus = new Map<number, { at: bigint; lastDelivered: bigint }>();
  /** our clock at the first tick of this incarnation: silence is judged only after a while up */
  private firstTick?: bigint;

  // ---- log (§4.2)
  private readonly slots = new Map<bigint, Slot>();
  /** per seq, the prepared certificate of the highest view (the P set of §4.4), with its batch */
  private readonly preparedCerts = new Map<bigint, { certificate: PreparedCertificate; payload: Uint8Array }>();
  private nextSeq = 1n;
  /** the node told us it has requests waiting (batch-available) since the last delivery */
  private pendingWork = false;
  private statusRound = 0;

  // ---- execution and checkpoints (§4.3)
  private _stable: StableCheckpoint;
  private _lastDelivered: bigint;
  private _lastExecuted: bigint;
  /** delivered blocks above the stable checkpoint, with the proof a lagging replica can use */
  private readonly delivered = new Map<bigint, { timestamp: bigint; digest: Uint8Array; proof?: Committed }>();
  private readonly ownCheckpoints = new Map<bigint, Checkpoint>();
  /** checkpoint messages above the low water mark: seq -> replica -> message */
  private readonly checkpoints = new Map<bigint, Map<number, Checkpoint>>();
  /** a stable checkpoint for a seq delivered but not yet executed here */
  private pendingStable?: StableCheckpoint;
  /** the executed head and its state digest (what a tip checkpoint signs) */
  private executedTip?: { seq: bigint; timestamp: bigint; stateDigest: Uint8Array };
  /** our CHECKPOINT for an idle head between checkpoint seqs (certifying the tip, docs/consensus.md §2.6) */
  private ownTip?: Checkpoint;
  /** the latest tip CHECKPOINT of each replica (one each: a Byzantine replica fills only its own) */
  private readonly tipCheckpoints = new Map<number, Checkpoint>();
  /** when we last answered each replica's tip CHECKPOINT with ours (our clock) */
  private readonly tipAnswered = new Map<number, bigint>();
  /** the highest seq a quorum of CHECKPOINTs certified (stable or tip), reported as `certified` */
  private certifiedSeq = 0n;
  private transfer?: PendingTransfer;

  // ---- clock and timers
  private clock: bigint;
  private timerSeq = 0;
  private readonly timerIds = new Map<TimerKind, number>();

  private _halted?: string;
  private out: ConsensusAction[] = [];

  private constructor(opts: ReplicaOptions) {
    validateConsensusConfig(opts.config);
    const { config } = opts;
    this.config = config;
    this.crypto = opts.crypto;
    this.self = opts.self;
    this.n = config.validators.length;
    if (!Number.isInteger(this.self) || this.self < 0 || this.self >= this.n) throw new ConsensusConfigError(`self ${this.self} is not a validator index`);
    this.f = faultTolerance(this.n);
    this.quorum = quorumSize(this.n);
    this.K = BigInt(config.checkpointInterval);
    this.L = BigInt(config.watermarkWindow);
    this.drift = BigInt(config.maxTimestampDriftMs);
    this.epoch = config.epoch ?? 0n;
    this.signChain = epochSigningChainId(config.chainId, this.epoch);
    this.baseSeq = config.baseSeq ?? 0n;
    this.alpha = epochAlpha(config.checkpointInterval, config.watermarkWindow);
    this.check = new CertificateChecker(
      this.signChain,
      config.validators,
      opts.crypto,
      opts.batches,
      { seq: this.baseSeq, timestamp: config.genesisTime, stateDigest: config.genesisStateDigest },
      this.L,
      this.quorum,
      this.f,
    );
    // the base carries no proof here: the previous set proved it (its replica indexes are not ours;
    // the node keeps that proof for the previous epoch's laggards and for clients)
    this._stable = { seq: this.baseSeq, timestamp: config.genesisTime, stateDigest: config.genesisStateDigest, proof: [] };
    const executed = opts.executed ?? { seq: this.baseSeq, timestamp: config.genesisTime, stateDigest: config.genesisStateDigest };
    this._lastDelivered = executed.seq;
    this._lastExecuted = executed.seq;
    this.delivered.set(executed.seq, { timestamp: executed.timestamp, digest: new Uint8Array(0) });
    if (executed.seq > this.baseSeq) this.executedTip = { seq: executed.seq, timestamp: executed.timestamp, stateDigest: executed.stateDigest };
    this.noteSwitch(executed.switchAt, false);
    this.clock = opts.now ?? executed.timestamp;
  }

  /** A replica with no history (fresh genesis). */
  static create(opts: Omit<ReplicaOptions, "records">): Replica {
    return Replica.restore({ ...opts, records: [] });
  }

  /**
   * Rebuilds a replica from its persisted records (restart after a crash). Whatever it signed
   * before is in the records, so it never signs a conflicting pre-prepare, prepare, commit,
   * view-change or new-view afterwards. Call start() next and perform its actions.
   */
  static restore(opts: ReplicaOptions): Replica {
    const r = new Replica(opts);
    r.loadRecords(opts.records ?? []);
    if (opts.executed) r.resignTipCheckpoint(opts.executed);
    return r;
  }

  // ---- read-only state for the driver, metrics and tests ------------------------------------

  get view(): bigint {
    return this._view;
  }
  get viewActive(): boolean {
    return this._viewActive;
  }
  get primary(): number {
    return this.check.primaryOf(this._view);
  }
  get isPrimary(): boolean {
    return this.primary === this.self;
  }
  get stableCheckpoint(): StableCheckpoint {
    return this._stable;
  }
  get lastDelivered(): bigint {
    return this._lastDelivered;
  }
  get lastExecuted(): bigint {
    return this._lastExecuted;
  }
  get halted(): string | undefined {
    return this._halted;
  }
  /** the last seq of this epoch, once known (docs/governance.md §5) */
  get epochEndsAt(): bigint | undefined {
    return this.epochEnd;
  }
  /** this epoch ended here: the replica orders nothing more */
  get retired(): boolean {
    return this._retired;
  }
  get stateTransferPending(): { seq: bigint; stateDigest: Uint8Array } | undefined {
    return this.transfer && { seq: this.transfer.seq, stateDigest: this.transfer.stateDigest };
  }

  /** Batches this replica has accepted but not delivered: the node's mempool keeps their txs out of new batches. */
  pendingBatches(): { seq: bigint; payload: Uint8Array }[] {
    const out: { seq: bigint; payload: Uint8Array }[] = [];
    for (const slot of this.slots.values()) {
      if (slot.accepted && slot.seq > this._lastDelivered) out.push({ seq: slot.seq, payload: slot.accepted.payload });
    }
    return out.sort((a, b) => (a.seq < b.seq ? -1 : 1));
  }

  // ---- the state machine ---------------------------------------------------------------------

  /** Actions to perform when the replica starts (fresh or restored). */
  start(): ConsensusAction[] {
    return this.run(() => {
      // restarted between the end of the epoch and the node's switch to the next: tell it again
      this.maybeEndEpoch();
      if (this._retired) return;
      this.setTimer("status", this.statusInterval());
      for (const cp of this.ownCheckpoints.values()) this.emit({ type: "broadcast", message: cp });
      if (this.transfer) this.requestTransfer();
      if (!this._viewActive) {
        const own = this.ownViewChange;
        if (own) this.emit({ type: "broadcast", message: own });
        this.afterViewChangeVotes();
      } else {
        // a crash between persisting an accepted pre-prepare and persisting the prepare
        for (const slot of this.sortedSlots()) if (slot.accepted && !slot.prepares.has(this.self) && !this.isPrimary) this.sendPrepare(slot);
        this.updateRequestTimer(false);
        this.maybeRequestBatch();
      }
    });
  }

  step(event: ConsensusEvent): ConsensusAction[] {
    return this.run(() => {
      if (this._retired) {
        // the epoch is over: only a laggard of it still needs us, for the final checkpoint's proof
        if (event.type === "message" && event.message?.type === "status" && malformation(event.message, this.n) === null && event.message.replica !== this.self) this.onStatus(event.message);
        return;
      }
      switch (event.type) {
        case "message":
          return this.onMessage(event.message);
        case "timeout":
          return this.onTimeout(event.timer, event.id);
        case "tick":
          if (typeof event.now === "bigint" && event.now > this.clock) this.clock = event.now;
          if (typeof event.now === "bigint" && this.firstTick === undefined) this.firstTick = event.now;
          return;
        case "batch-available":
          return this.onBatchAvailable(event.payload);
        case "executed":
          this.noteSwitch(event.switchAt);
          return this.onExecuted(event.seq, event.stateDigest);
        case "state-transferred":
          if (this.transfer && event.seq === this.transfer.seq) this.noteSwitch(event.switchAt);
          return this.onStateTransferred(event.seq, event.stateDigest);
        case "state-transfer-failed":
          if (this.transfer && event.seq === this.transfer.seq) this.setTimer("state-transfer", this.config.requestTimeoutMs);
          return;
      }
    });
  }

  private run(body: () => void): ConsensusAction[] {
    if (this._halted) return [];
    this.out = [];
    body();
    const actions = this.out;
    this.out = [];
    return actions;
  }

  private emit(action: ConsensusAction): void {
    if (!this._halted) this.out.push(action);
  }

  private halt(reason: string): void {
    this._halted = reason;
    this.out = [{ type: "halt", reason }];
  }

  // ---- messages ------------------------------------------------------------------------------

  private onMessage(m: ConsensusMessage): void {
    if (typeof m !== "object" || m === null) {
      this.counters.dropped.malformed++;
      return;
    }
    const raw = (m as { replica?: unknown }).replica;
    if (typeof raw === "number" && Number.isInteger(raw) && (raw < 0 || raw >= this.n)) {
      this.counters.dropped.notValidator++;
      return;
    }
    const why = malformation(m, this.n);
    if (why) {
      this.counters.dropped.malformed++;
      return;
    }
    if (m.type === "status" && m.replica === this.self) return;
    switch (m.type) {
      case "pre-prepare":
        return this.onPrePrepare(m);
      case "prepare":
        return this.onPrepare(m);
      case "commit":
        return this.onCommit(m);
      case "checkpoint":
        return this.onCheckpoint(m);
      case "view-change":
        return this.onViewChange(m);
      case "new-view":
        return this.onNewView(m);
      case "status":
        return this.onStatus(m);
      case "committed":
        return this.onCommittedProof(m);
    }
  }

  private inWindow(seq: bigint): boolean {
    return seq > this._stable.seq && seq <= this._stable.seq + this.L && (this.epochEnd === undefined || seq <= this.epochEnd);
  }

  // ---- validator-set epochs (docs/governance.md §5) -------------------------------------------

  /**
   * The highest seq this replica may sign for now: none above the epoch's end, and none above
   * lastExecuted + α + 1 while the end is unknown — a change decided in a block not executed yet
   * ends the epoch at or above that (epochEndFor), so an honest replica never orders a seq of
   * this epoch that belongs to the next one. A replica that executes slowly waits; the others
   * resend what it skipped (§2.4).
   */
  private signHorizon(): bigint {
    const horizon = this._lastExecuted + this.alpha + 1n;
    return this.epochEnd !== undefined && this.epochEnd < horizon ? this.epochEnd : horizon;
  }

  /** The node reports where the set in its state takes over: above our base, that ends this epoch. */
  private noteSwitch(switchAt: bigint | undefined, act = true): void {
    if (typeof switchAt !== "bigint" || switchAt <= this.baseSeq || this.epochEnd !== undefined) return;
    if (switchAt % this.K !== 0n) {
      this.halt(`validator-set switch at ${switchAt} is not a checkpoint seq (K = ${this.K})`);
      return;
    }
    this.epochEnd = switchAt;
    if (!act) return; // constructing: start() ends the epoch if it is over already
    for (const seq of [...this.slots.keys()]) if (seq > switchAt) this.slots.delete(seq);
    this.maybeEndEpoch();
    // the end is work to do: a backup now expects the primary to get there (driveToEpochEnd)
    if (!this._retired) this.updateRequestTimer(false);
  }

  /**
   * A decided change takes effect only when the chain reaches the epoch's end; an idle chain would
   * never get there. So a primary with nothing in flight proposes a null batch (one at a time) on
   * each status tick until the end is ordered, and backups count the unreached end as pending work
   * (their request timer replaces a primary that does not do it).
   */
  private driveToEpochEnd(): void {
    const end = this.epochEnd;
    if (end === undefined || this.nextSeq > end || this.nextSeq - 1n !== this._lastDelivered || !this.canPropose()) return;
    this.onBatchAvailable(new Uint8Array(0));
  }

  /**
   * The epoch ends once its last seq is a stable checkpoint here and executed: every honest replica
   * of the set reaches the same checkpoint (a quorum signed it), so all switch at the same seq.
   */
  private maybeEndEpoch(): void {
    const end = this.epochEnd;
    if (end === undefined || this._retired || this._stable.seq !== end || this._lastExecuted < end || this.transfer) return;
    this._retired = true;
    for (const timer of [...this.timerIds.keys()]) this.cancelTimer(timer);
    this.emit({ type: "epoch-ended", epoch: this.epoch, checkpoint: this._stable });
  }

  /** Views whose normal-case messages we take: the active view, or (during a view change) the last active view, passively. */
  private viewCheck(view: bigint): boolean {
    if (view === this.logView) return true;
    if (view < this.logView) this.counters.dropped.oldView++;
    else this.counters.dropped.futureView++;
    return false;
  }

  private slot(seq: bigint): Slot {
    let s = this.slots.get(seq);
    if (!s) {
      s = { seq, candidates: new Map(), refused: new Set(), prepares: new Map(), commits: new Map(), prepared: false };
      this.slots.set(seq, s);
    }
    return s;
  }

  private sortedSlots(): Slot[] {
    return [...this.slots.values()].sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
  }

  private onPrePrepare(pp: PrePrepare): void {
    if (!this.viewCheck(pp.view)) return;
    if (pp.replica !== this.check.primaryOf(pp.view)) {
      this.counters.dropped.wrongPrimary++;
      return;
    }
    if (!this.inWindow(pp.seq)) {
      this.counters.dropped.outsideWatermarks++;
      return;
    }
    const slot = this.slot(pp.seq);
    const key = toHex(pp.digest);
    const known = slot.candidates.get(key);
    if (known) {
      this.counters.dropped.duplicate++;
      return;
    }
    if (slot.candidates.size >= MAX_CANDIDATES_PER_SLOT) {
      this.counters.dropped.conflicting++;
      return;
    }
    if (!this.check.verifyCached(pp.replica, prePrepareSigningBytes(this.signChain, pp), pp.signature)) {
      this.counters.dropped.badSignature++;
      return;
    }
    if (!this.check.matchesDigest(pp.seq, pp.timestamp, pp.payload, pp.digest)) {
      this.counters.dropped.invalidBatch++;
      return;
    }
    if (slot.candidates.size > 0) this.counters.dropped.conflicting++; // equivocation: kept only so a committed one can be delivered
    slot.candidates.set(key, pp);
    this.tryAccept(pp.seq);
    this.checkCommitted(slot);
  }

  /** The timestamp a pre-prepare at `seq` must not precede: its predecessor's, if known (docs/consensus.md §5.3). */
  private predecessorTime(seq: bigint): bigint | undefined {
    const prev = seq - 1n;
    const accepted = this.slots.get(prev)?.accepted;
    if (accepted) return accepted.timestamp;
    if (prev === this._stable.seq) return this._stable.timestamp;
    return this.delivered.get(prev)?.timestamp;
  }

  /**
   * A backup accepts one pre-prepare per (view, seq) (§4.2) and only a batch it would sign for:
   * valid to the application, not already in flight, and timed after its predecessor and within
   * the drift of its own clock. One whose predecessor is not known yet waits in the slot.
   */
  private tryAccept(seq: bigint): void {
    for (;;) {
      const slot = this.slots.get(seq);
      if (!slot || slot.accepted || !this._viewActive || this.isPrimary) return;
      if (seq > this.signHorizon()) return; // retried as execution moves on (onExecuted)
      // a replica joining this epoch votes only once it holds the state the epoch starts from
      if (this.transfer && this._lastExecuted < this.baseSeq) return;
      const prevTime = this.predecessorTime(seq);
      if (prevTime === undefined) return;
      let accepted: PrePrepare | undefined;
      for (const [key, pp] of slot.candidates) {
        if (slot.refused.has(key)) continue;
        const why = this.refusal(pp, prevTime);
        if (why) {
          slot.refused.add(key);
          if (why === "timestamp") this.counters.dropped.badTimestamp++;
          else this.counters.dropped.invalidBatch++;
          continue;
        }
        accepted = pp;
        break;
      }
      if (!accepted) return;
      const done = this.delivered.get(seq);
      if (done && done.digest.length > 0 && !equalBytes(done.digest, accepted.digest)) {
        this.counters.dropped.conflicting++;
        slot.refused.add(toHex(accepted.digest));
        return;
      }
      slot.accepted = accepted;
      this.emit({ type: "persist", record: { kind: "pre-prepare", prePrepare: accepted } });
      this.sendPrepare(slot);
      this.updateRequestTimer(false);
      seq++;
    }
  }

  private refusal(pp: PrePrepare, prevTime: bigint): "timestamp" | "batch" | null {
    if (pp.timestamp < prevTime || pp.timestamp > this.clock + this.drift || pp.timestamp + this.drift < this.clock) return "timestamp";
    if (!this.check.isValidBatch(pp.seq, pp.timestamp, pp.payload)) return "batch";
    for (const other of this.slots.values()) {
      if (other.seq !== pp.seq && other.seq > this._lastDelivered && other.accepted && equalBytes(other.accepted.payload, pp.payload)) return "batch";
    }
    return null;
  }

  private sendPrepare(slot: Slot): void {
    const pp = slot.accepted!;
    const body = { view: pp.view, seq: pp.seq, digest: pp.digest, replica: this.self };
    const prepare: Prepare = { type: "prepare", ...body, signature: this.crypto.sign(prepareSigningBytes(this.signChain, body)) };
    this.emit({ type: "persist", record: { kind: "prepare", prepare } });
    this.emit({ type: "broadcast", message: prepare });
    slot.prepares.set(this.self, prepare);
    this.checkPrepared(slot);
  }

  private onPrepare(p: Prepare): void {
    if (!this._viewActive) {
      this.counters.dropped.oldView++;
      return;
    }
    if (!this.viewCheck(p.view)) return;
    if (p.replica === this.check.primaryOf(p.view)) {
      this.counters.dropped.wrongPrimary++;
      return;
    }
    if (!this.inWindow(p.seq)) {
      this.counters.dropped.outsideWatermarks++;
      return;
    }
    const slot = this.slot(p.seq);
    const have = slot.prepares.get(p.replica);
    if (have) {
      if (equalBytes(have.digest, p.digest)) this.counters.dropped.duplicate++;
      else this.counters.dropped.conflicting++;
      return;
    }
    if (!this.check.verifyCached(p.replica, prepareSigningBytes(this.signChain, p), p.signature)) {
      this.counters.dropped.badSignature++;
      return;
    }
    slot.prepares.set(p.replica, p);
    this.checkPrepared(slot);
  }

  /** prepared(m, v, n, i): the accepted pre-prepare plus quorum-1 matching prepares of backups (§4.2). */
  private checkPrepared(slot: Slot): void {
    const pp = slot.accepted;
    if (!pp || slot.prepared || !this._viewActive) return;
    const matching: Prepare[] = [];
    for (const p of slot.prepares.values()) if (equalBytes(p.digest, pp.digest)) matching.push(p);
    if (matching.length < this.quorum - 1) return;
    slot.prepared = true;
    matching.sort((a, b) => a.replica - b.replica);
    const certificate: PreparedCertificate = { prePrepare: headerOf(pp), prepares: matching };
    const existing = this.preparedCerts.get(slot.seq);
    if (!existing || existing.certificate.prePrepare.view <= pp.view) this.preparedCerts.set(slot.seq, { certificate, payload: pp.payload });
    const body = { view: pp.view, seq: pp.seq, digest: pp.digest, replica: this.self };
    const commit: Commit = { type: "commit", ...body, signature: this.crypto.sign(commitBytes(this.signChain, body)) };
    // the prepared certificate is written before the commit leaves: a restarted replica still
    // reports it in its view-change, which the safety of §4.4 relies on
    this.emit({ type: "persist", record: { kind: "prepared", certificate, payload: pp.payload } });
    this.emit({ type: "broadcast", message: commit });
    slot.commits.set(this.self, commit);
    this.checkCommitted(slot);
  }

  private onCommit(c: Commit): void {
    if (!this.viewCheck(c.view)) return;
    if (!this.inWindow(c.seq)) {
      this.counters.dropped.outsideWatermarks++;
      return;
    }
    const slot = this.slot(c.seq);
    const have = slot.commits.get(c.replica);
    if (have) {
      if (equalBytes(have.digest, c.digest)) this.counters.dropped.duplicate++;
      else this.counters.dropped.conflicting++;
      return;
    }
    if (!this.check.verifySignature(c.replica, commitBytes(this.signChain, c), c.signature)) {
      this.counters.dropped.badSignature++;
      return;
    }
    slot.commits.set(c.replica, c);
    this.checkCommitted(slot);
  }

  /**
   * committed-local (§4.2): a quorum of matching commits, and the batch itself (an authentic
   * pre-prepare with that digest). A quorum of commits means a quorum prepared, so this replica
   * may execute even if it missed the prepares (OSDI'99 §4.5.1; e.g. while it waits for a new view).
   */
  private checkCommitted(slot: Slot): void {
    if (slot.committed || slot.commits.size < this.quorum) return;
    for (const pp of slot.candidates.values()) {
      const commits: Commit[] = [];
      for (const c of slot.commits.values()) if (equalBytes(c.digest, pp.digest)) commits.push(c);
      if (commits.length < this.quorum) continue;
      commits.sort((a, b) => a.replica - b.replica);
      const first = commits[0]!;
      slot.committed = {
        chainId: this.config.chainId,
        ...(this.epoch > 0n ? { epoch: this.epoch } : {}),
        view: first.view,
        seq: first.seq,
        digest: first.digest,
        commits: commits.map((c) => ({ replica: c.replica, signature: c.signature })),
      };
      this.deliverCommitted();
      return;
    }
  }

  /**
   * A batch some quorum committed, in whatever view: take it if we have not delivered that seq.
   * This is how a replica that missed a view (crashed, partitioned, changing views alone) catches
   * up on blocks above the stable checkpoint; below it, state transfer does.
   */
  private onCommittedProof(m: Committed): void {
    const pp = m.prePrepare;
    const cert = m.certificate;
    if (!this.inWindow(pp.seq)) {
      this.counters.dropped.outsideWatermarks++;
      return;
    }
    if (pp.seq <= this._lastDelivered || this.slots.get(pp.seq)?.committed) {
      this.counters.dropped.duplicate++;
      return;
    }
    if (pp.replica !== this.check.primaryOf(pp.view)) {
      this.counters.dropped.wrongPrimary++;
      return;
    }
    if (!this.check.verifyCached(pp.replica, prePrepareSigningBytes(this.signChain, pp), pp.signature)) {
      this.counters.dropped.badSignature++;
      return;
    }
    const proven =
      this.check.matchesDigest(pp.seq, pp.timestamp, pp.payload, pp.digest) &&
      verifyCommitCertificate(cert, this.config.validators, this.crypto.verify, { chainId: this.config.chainId, seq: pp.seq, digest: pp.digest, epoch: this.epoch }).ok;
    if (!proven) {
      this.counters.dropped.invalidCertificate++;
      return;
    }
    const slot = this.slot(pp.seq);
    slot.candidates.set(toHex(pp.digest), pp);
    slot.committed = cert;
    this.deliverCommitted();
  }

  /** Hands committed blocks to the node strictly in seq order, never past a pending state transfer. */
  private deliverCommitted(): void {
    let progressed = false;
    while (!this.transfer) {
      const seq = this._lastDelivered + 1n;
      const slot = this.slots.get(seq);
      const cert = slot?.committed;
      if (!slot || !cert) break;
      const pp = slot.candidates.get(toHex(cert.digest))!;
      this.emit({ type: "deliver", block: { seq, view: cert.view, timestamp: pp.timestamp, digest: cert.digest, payload: pp.payload, certificate: cert } });
      this.delivered.set(seq, { timestamp: pp.timestamp, digest: cert.digest, proof: { type: "committed", prePrepare: pp, certificate: cert } });
      this._lastDelivered = seq;
      this.counters.blocksDelivered++;
      progressed = true;
    }
    if (!progressed) return;
    if (this._viewActive) this.failedViews = 0;
    this.pendingWork = false;
    this.tryAccept(this._lastDelivered + 1n);
    this.updateRequestTimer(true);
    this.maybeRequestBatch();
  }

  // ---- the primary ---------------------------------------------------------------------------

  private canPropose(): boolean {
    return (
      this._viewActive &&
      this.isPrimary &&
      !this.transfer &&
      this.nextSeq <= this._stable.seq + this.L &&
      this.nextSeq <= this.signHorizon() &&
      this.nextSeq - 1n - this._lastDelivered < BigInt(this.config.maxBatchesInFlight)
    );
  }

  private maybeRequestBatch(): void {
    if (this.canPropose()) this.emit({ type: "request-batch" });
  }

  private onBatchAvailable(payload: Uint8Array): void {
    if (!(payload instanceof Uint8Array)) return;
    // §4.4: a backup that knows of pending requests expects the primary to order them. A primary
    // notes it too: if it becomes a backup in a later view, the work is still pending.
    this.pendingWork = true;
    if (!this.isPrimary || !this._viewActive) {
      this.updateRequestTimer(false);
      return;
    }
    if (!this.canPropose()) return;
    const seq = this.nextSeq;
    const prevTime = this.predecessorTime(seq);
    if (prevTime === undefined) return;
    for (const slot of this.slots.values()) {
      if (slot.seq > this._lastDelivered && slot.accepted && equalBytes(slot.accepted.payload, payload)) {
        this.counters.dropped.duplicate++;
        return;
      }
    }
    const timestamp = maxBig(this.clock, prevTime);
    const digest = this.check.isValidBatch(seq, timestamp, payload) ? this.check.digestOf(seq, timestamp, payload) : null;
    if (!digest) {
      this.counters.dropped.invalidBatch++;
      return;
    }
    const body = { type: "pre-prepare" as const, view: this._view, seq, timestamp, digest, replica: this.self };
    const pp: PrePrepare = { ...body, signature: this.crypto.sign(prePrepareSigningBytes(this.signChain, body)), payload };
    const slot = this.slot(seq);
    slot.candidates.set(toHex(digest), pp);
    slot.accepted = pp;
    this.nextSeq = seq + 1n;
    this.emit({ type: "persist", record: { kind: "pre-prepare", prePrepare: pp } });
    this.emit({ type: "broadcast", message: pp });
    this.checkPrepared(slot);
    this.maybeRequestBatch();
  }

  // ---- checkpoints, garbage collection, state transfer (§4.3) --------------------------------

  private onExecuted(seq: bigint, stateDigest: Uint8Array): void {
    if (typeof seq !== "bigint" || !(stateDigest instanceof Uint8Array) || stateDigest.length !== 32) return;
    if (seq <= this._lastExecuted || seq > this._lastDelivered) return;
    this._lastExecuted = seq;
    const executedAt = this.delivered.get(seq)?.timestamp;
    if (executedAt !== undefined) this.executedTip = { seq, timestamp: executedAt, stateDigest };
    if (seq % this.K === 0n) {
      const timestamp = this.delivered.get(seq)?.timestamp;
      if (timestamp === undefined) return;
      const body = { seq, timestamp, stateDigest, replica: this.self };
      const cp: Checkpoint = { type: "checkpoint", ...body, signature: this.crypto.sign(checkpointSigningBytes(this.signChain, body)) };
      this.ownCheckpoints.set(seq, cp);
      this.emit({ type: "broadcast", message: cp });
      this.storeCheckpoint(cp);
    }
    const pending = this.pendingStable;
    if (pending && pending.seq <= seq) {
      this.pendingStable = undefined;
      this.considerStable(pending);
    }
    // the signing horizon moved: pre-prepares that waited for it, and the primary's window
    this.retryAccept();
    this.maybeRequestBatch();
    this.maybeEndEpoch();
  }

  private retryAccept(): void {
    let first: bigint | undefined;
    for (const slot of this.slots.values()) if (!slot.accepted && slot.candidates.size > 0 && slot.seq > this._lastDelivered && (first === undefined || slot.seq < first)) first = slot.seq;
    if (first !== undefined) this.tryAccept(first);
  }

  /**
   * Our checkpoint message for the executed tip, when it is a checkpoint seq: it came from an
   * `executed` event of the previous incarnation and is lost with it, and without it a quorum
   * for the checkpoint at the high water mark may never form (checkpoints are deterministic, so
   * this is the same message again).
   */
  private resignTipCheckpoint(executed: ExecutedState): void {
    if (executed.seq <= this._stable.seq || executed.seq % this.K !== 0n) return;
    const body = { seq: executed.seq, timestamp: executed.timestamp, stateDigest: executed.stateDigest, replica: this.self };
    const cp: Checkpoint = { type: "checkpoint", ...body, signature: this.crypto.sign(checkpointSigningBytes(this.signChain, body)) };
    this.ownCheckpoints.set(cp.seq, cp);
    this.storeCheckpoint(cp);
  }

  private onCheckpoint(cp: Checkpoint): void {
    if (cp.seq > this._stable.seq && cp.seq % this.K !== 0n) return this.onTipCheckpoint(cp);
    if (cp.seq <= this._stable.seq || cp.seq % this.K !== 0n) {
      this.counters.dropped.outsideWatermarks++;
      return;
    }
    const have = this.checkpoints.get(cp.seq)?.get(cp.replica);
    if (have) {
      this.counters.dropped.duplicate++;
      return;
    }
    if (!this.check.verifyCached(cp.replica, checkpointSigningBytes(this.signChain, cp), cp.signature)) {
      this.counters.dropped.badSignature++;
      return;
    }
    this.storeCheckpoint(cp);
  }

  private storeCheckpoint(cp: Checkpoint): void {
    let bySigner = this.checkpoints.get(cp.seq);
    if (!bySigner) {
      bySigner = new Map();
      this.checkpoints.set(cp.seq, bySigner);
    }
    bySigner.set(cp.replica, cp);
    // bound memory: keep each replica's few highest checkpoints
    const mine = [...this.checkpoints.entries()].filter(([, m]) => m.has(cp.replica)).map(([s]) => s);
    if (mine.length > MAX_CHECKPOINTS_PER_REPLICA) {
      mine.sort((a, b) => (a < b ? -1 : 1));
      for (const s of mine.slice(0, mine.length - MAX_CHECKPOINTS_PER_REPLICA)) this.checkpoints.get(s)!.delete(cp.replica);
    }
    const matching = [...bySigner.values()].filter((c) => c.timestamp === cp.timestamp && equalBytes(c.stateDigest, cp.stateDigest));
    if (matching.length >= this.quorum) {
      matching.sort((a, b) => a.replica - b.replica);
      this.considerStable({ seq: cp.seq, timestamp: cp.timestamp, stateDigest: cp.stateDigest, proof: matching });
    }
  }

  /**
   * A proven checkpoint above ours: adopt it once our own execution reaches it (comparing digests:
   * a mismatch means our state diverged and we halt), or, if we have not even delivered up to it,
   * adopt it now and fetch the state (§4.3: the log below it is gone at a quorum).
   */
  private considerStable(sc: StableCheckpoint): void {
    if (sc.seq <= this._stable.seq) return;
    if (this._lastExecuted >= sc.seq) {
      const own = this.ownCheckpoints.get(sc.seq);
      if (own && (!equalBytes(own.stateDigest, sc.stateDigest) || own.timestamp !== sc.timestamp)) {
        this.halt(`state at seq ${sc.seq} diverges from the stable checkpoint signed by a quorum`);
        return;
      }
      this.adoptStable(sc);
    } else if (this._lastDelivered >= sc.seq) {
      if (!this.pendingStable || this.pendingStable.seq < sc.seq) this.pendingStable = sc;
    } else {
      this.transfer = { seq: sc.seq, timestamp: sc.timestamp, stateDigest: sc.stateDigest, from: sc.proof.map((c) => c.replica).filter((r) => r !== this.self) };
      this.adoptStable(sc);
      this.requestTransfer();
    }
  }

  /**
   * Certifying the tip (docs/consensus.md §2.6). A stable checkpoint certifies the chain up to a
   * multiple of K; an idle chain never reaches the next one, so its last blocks would stay
   * uncertified. When this replica is idle (it executed everything it delivered and has accepted no
   * batch above it) at a status tick, it signs a CHECKPOINT for its executed head as for any
   * checkpoint: a deterministic statement of the state digest after that seq, so signing it never
   * conflicts with anything else it signs. Tip CHECKPOINTs serve clients only: they never make a
   * checkpoint stable, move the water marks, collect garbage or enter a view change.
   * Cost: nothing while blocks flow; when the chain falls idle, one signature per replica and one
   * broadcast per status tick until it holds the certificate; a replica that already holds it
   * answers such a broadcast with its own CHECKPOINT (so a lost message is repaired), then silence.
   */
  private certifyIdleTip(): void {
    const tip = this.executedTip;
    if (!tip || this.transfer || tip.seq <= this._stable.seq || tip.seq % this.K === 0n) return;
    if (tip.seq !== this._lastExecuted || tip.seq !== this._lastDelivered || this.certifiedSeq >= tip.seq) return;
    for (const slot of this.slots.values()) if (slot.seq > tip.seq && (slot.accepted || slot.committed)) return;
    if (this.ownTip?.seq !== tip.seq) {
      const body = { seq: tip.seq, timestamp: tip.timestamp, stateDigest: tip.stateDigest, replica: this.self };
      this.ownTip = { type: "checkpoint", ...body, signature: this.crypto.sign(checkpointSigningBytes(this.signChain, body)) };
      this.storeTipCheckpoint(this.ownTip);
    }
    this.emit({ type: "broadcast", message: this.ownTip });
  }

  private onTipCheckpoint(cp: Checkpoint): void {
    const have = this.tipCheckpoints.get(cp.replica);
    if (cp.seq > this._stable.seq + this.L || cp.seq <= this.certifiedSeq || (have && have.seq >= cp.seq)) {
      this.counters.dropped.duplicate++;
      // A replica still broadcasting a tip we hold a certificate for has not seen the quorum (it
      // re-broadcasts every status tick until it does): answer with our CHECKPOINT for that seq.
      // At most once per status interval per replica: two replicas that both hold the certificate
      // would otherwise answer each other's answers forever (the reconfiguration simulator's
      // seed 10 found that storm).
      if (cp.seq <= this.certifiedSeq && this.ownTip?.seq === cp.seq && cp.replica !== this.self) {
        const last = this.tipAnswered.get(cp.replica);
        if (last === undefined || this.clock - last >= BigInt(this.statusInterval())) {
          this.tipAnswered.set(cp.replica, this.clock);
          this.emit({ type: "send", to: cp.replica, message: this.ownTip });
        }
      }
      return;
    }
    if (!this.check.verifyCached(cp.replica, checkpointSigningBytes(this.signChain, cp), cp.signature)) {
      this.counters.dropped.badSignature++;
      return;
    }
    this.storeTipCheckpoint(cp);
  }

  private storeTipCheckpoint(cp: Checkpoint): void {
    this.tipCheckpoints.set(cp.replica, cp);
    const matching = [...this.tipCheckpoints.values()].filter((c) => c.seq === cp.seq && c.timestamp === cp.timestamp && equalBytes(c.stateDigest, cp.stateDigest));
    if (matching.length < this.quorum || cp.seq <= this.certifiedSeq) return;
    matching.sort((a, b) => a.replica - b.replica);
    this.certifiedSeq = cp.seq;
    this.emit({ type: "certified", checkpoint: { seq: cp.seq, timestamp: cp.timestamp, stateDigest: cp.stateDigest, proof: matching } });
  }

  private adoptStable(sc: StableCheckpoint): void {
    this._stable = sc;
    this.counters.checkpointsStable++;
    this.emit({ type: "persist", record: { kind: "stable-checkpoint", checkpoint: sc } });
    if (sc.seq > 0n && sc.proof.length > 0) {
      if (sc.seq > this.certifiedSeq) this.certifiedSeq = sc.seq;
      this.emit({ type: "certified", checkpoint: sc });
    }
    for (const [replica, cp] of [...this.tipCheckpoints]) if (cp.seq <= sc.seq) this.tipCheckpoints.delete(replica);
    if (this.ownTip && this.ownTip.seq <= sc.seq) this.ownTip = undefined;
    for (const seq of [...this.slots.keys()]) if (seq <= sc.seq) this.slots.delete(seq);
    for (const seq of [...this.preparedCerts.keys()]) if (seq <= sc.seq) this.preparedCerts.delete(seq);
    for (const seq of [...this.checkpoints.keys()]) if (seq <= sc.seq) this.checkpoints.delete(seq);
    for (const seq of [...this.ownCheckpoints.keys()]) if (seq < sc.seq) this.ownCheckpoints.delete(seq);
    for (const seq of [...this.delivered.keys()]) if (seq < sc.seq) this.delivered.delete(seq);
    if (this.pendingStable && this.pendingStable.seq <= sc.seq) this.pendingStable = undefined;
    if (this.nextSeq <= sc.seq) this.nextSeq = sc.seq + 1n;
    this.tryAccept(sc.seq + 1n);
    this.maybeRequestBatch();
    this.maybeEndEpoch();
  }

  private requestTransfer(): void {
    const t = this.transfer!;
    this.counters.stateTransfersRequested++;
    this.emit({ type: "request-state-transfer", seq: t.seq, timestamp: t.timestamp, stateDigest: t.stateDigest, from: t.from });
    this.setTimer("state-transfer", this.config.viewChangeTimeoutMs * 4);
  }

  private onStateTransferred(seq: bigint, stateDigest: Uint8Array): void {
    const t = this.transfer;
    if (!t || seq !== t.seq || !(stateDigest instanceof Uint8Array) || !equalBytes(stateDigest, t.stateDigest)) return;
    this.transfer = undefined;
    this.cancelTimer("state-transfer");
    this._lastDelivered = seq;
    this._lastExecuted = seq;
    this.delivered.set(seq, { timestamp: t.timestamp, digest: new Uint8Array(0) });
    if (this.nextSeq <= seq) this.nextSeq = seq + 1n;
    this.tryAccept(seq + 1n);
    this.deliverCommitted();
    this.maybeRequestBatch();
    this.maybeEndEpoch();
  }

  // ---- view changes (§4.4, §4.5.2) -----------------------------------------------------------

  private timeoutFor(base: number, doublings: number): number {
    const cap = this.config.maxViewChangeTimeoutMs;
    let t = base;
    for (let i = 0; i < doublings && t < cap; i++) t *= 2;
    return Math.min(t, Math.max(cap, base));
  }

  /**
   * The request timer runs on a backup while it waits for the primary: it knows of pending work
   * or holds accepted batches not yet committed (§4.4). `progress` restarts it after a commit.
   */
  private updateRequestTimer(progress: boolean): void {
    if (!this._viewActive || this.isPrimary) {
      this.cancelTimer("request");
      return;
    }
    let waiting = this.pendingWork || (this.epochEnd !== undefined && this._lastDelivered < this.epochEnd);
    for (const slot of this.slots.values()) {
      if (slot.seq > this._lastDelivered && slot.candidates.size > 0) {
        waiting = true;
        break;
      }
    }
    if (!waiting) this.cancelTimer("request");
    else if (progress || !this.timerIds.has("request")) this.setTimer("request", this.requestTimeout());
  }

  /** The request timer: doubled with each failed view, but never for a primary known unfit. */
  private requestTimeout(): number {
    return this.primaryFitness(this._view) !== "ok" ? this.config.requestTimeoutMs : this.timeoutFor(this.config.requestTimeoutMs, this.failedViews);
  }

  /**
   * What we know of the primary of `view` (docs/consensus.md §4.5.3): "silent" when it has sent
   * no STATUS for four status intervals (down, or cut off from us), "behind" when its last STATUS
   * puts it below our stable checkpoint (it must fetch state before it can propose; a validator
   * restored from scratch is), else "ok". The backoff of §4.5.2 is for a correct primary that is
   * slow; none is spent on one known unfit: a view change onto a silent primary moves on as soon
   * as a quorum has voted for it, and a view led by a primary that is behind fails after the base
   * timeouts, not the doubled ones (SmartBFT blacklists such leaders; rotating past them keeps
   * PBFT's primary schedule, which every replica must agree on). Timers decide liveness only:
   * safety never depends on this judgement, and a replica that judges wrongly costs one view.
   */
  private primaryFitness(view: bigint): "ok" | "silent" | "behind" {
    const p = this.check.primaryOf(view);
    if (p === this.self || this.firstTick === undefined) return "ok";
    const silence = BigInt(4 * this.statusInterval());
    if (this.clock - this.firstTick < silence) return "ok";
    const s = this.peerStatus.get(p);
    if (!s || this.clock - s.at >= silence) return "silent";
    return s.lastDelivered < this._stable.seq ? "behind" : "ok";
  }

  private startViewChange(view: bigint): void {
    if (view < this._view) return;
    if (view === this._view && (this._viewActive || this.ownViewChange)) return;
    this._view = view;
    this._viewActive = false;
    this.failedViews++;
    this.counters.viewChangesStarted++;
    this.cancelTimer("request");
    this.cancelTimer("view-change");
    const prepared = [...this.preparedCerts.entries()]
      .filter(([seq]) => this.inWindow(seq))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, v]) => v);
    const body = { view, checkpoint: this._stable, prepared: prepared.map((p) => p.certificate), replica: this.self };
    const vc: ViewChange = {
      type: "view-change",
      ...body,
      signature: this.crypto.sign(viewChangeSigningBytes(this.signChain, body)),
      batches: prepared.map((p) => p.payload),
    };
    this.storeViewChange(vc);
    this.emit({ type: "persist", record: { kind: "view-change", viewChange: vc } });
    this.emit({ type: "broadcast", message: vc });
    this.afterViewChangeVotes();
  }

  /** View-changes for our (pending) view: arm the timer at a quorum (§4.5.2); the new primary builds NEW-VIEW. */
  private afterViewChangeVotes(): void {
    if (this._viewActive) return;
    const votes = this.viewChangesFor(this._view);
    if (votes.length < this.quorum) return;
    const fitness = this.primaryFitness(this._view);
    if (fitness === "silent") {
      // a quorum wants this view, and its primary has not been heard from: next view at once
      this.startViewChange(this._view + 1n);
      return;
    }
    if (!this.timerIds.has("view-change")) {
      this.setTimer("view-change", fitness === "behind" ? this.config.viewChangeTimeoutMs : this.timeoutFor(this.config.viewChangeTimeoutMs, this.failedViews - 1));
    }
    if (this.isPrimary && this.ownViewChange) this.sendNewView(votes);
  }

  /** This replica's view-change for the view it is changing to, if any. */
  private get ownViewChange(): ViewChange | undefined {
    return this._viewActive ? undefined : this.viewChanges.get(this._view)?.get(this.self);
  }

  private viewChangesFor(view: bigint): ViewChange[] {
    return [...(this.viewChanges.get(view)?.values() ?? [])].sort((a, b) => a.replica - b.replica);
  }

  /** Keeps a few views per replica: a new primary may still need a vote its sender has moved past. */
  private storeViewChange(vc: ViewChange): void {
    let byReplica = this.viewChanges.get(vc.view);
    if (!byReplica) {
      byReplica = new Map();
      this.viewChanges.set(vc.view, byReplica);
    }
    byReplica.set(vc.replica, vc);
    const views = [...this.viewChanges.entries()].filter(([, m]) => m.has(vc.replica)).map(([v]) => v);
    if (views.length > MAX_VIEW_CHANGES_PER_REPLICA) {
      views.sort((a, b) => (a < b ? -1 : 1));
      for (const v of views.slice(0, views.length - MAX_VIEW_CHANGES_PER_REPLICA)) this.viewChanges.get(v)!.delete(vc.replica);
    }
  }

  /** The highest view each other replica asked for. */
  private highestViewChangeViews(): bigint[] {
    const best = new Map<number, bigint>();
    for (const [view, byReplica] of this.viewChanges) {
      for (const replica of byReplica.keys()) if (replica !== this.self && (best.get(replica) ?? -1n) < view) best.set(replica, view);
    }
    return [...best.values()];
  }

  private onViewChange(vc: ViewChange): void {
    if (vc.view <= this.logView || (vc.view === this._view && this._viewActive)) {
      this.counters.dropped.oldView++;
      return;
    }
    if (this.viewChanges.get(vc.view)?.has(vc.replica)) {
      this.counters.dropped.duplicate++;
      return;
    }
    const checked = this.check.checkViewChange(vc, true);
    if (!checked.ok) {
      if (checked.bad === "signature") this.counters.dropped.badSignature++;
      else this.counters.dropped.invalidCertificate++;
      return;
    }
    this.storeViewChange(vc);
    // §4.5.2: f+1 replicas want a higher view, so at least one correct one does: join the
    // smallest view of such a set, i.e. the (f+1)-th highest view asked for
    const higher = this.highestViewChangeViews().filter((v) => v > this._view);
    if (higher.length >= this.f + 1) {
      higher.sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
      this.startViewChange(higher[this.f]!);
      return;
    }
    if (vc.view === this._view) this.afterViewChangeVotes();
  }

  private sendNewView(votes: ViewChange[]): void {
    const plan = planNewView(votes, (seq, ts) => this.check.nullDigest(seq, ts));
    const prePrepares: PrePrepare[] = [];
    for (const entry of plan.entries) {
      let payload: Uint8Array = new Uint8Array(0);
      if (!entry.isNull) {
        const found = this.findBatch(entry.seq, entry.digest, votes);
        if (!found) return; // cannot happen with valid view-changes (they carry their batches); wait for more
        payload = found;
      }
      const body = { type: "pre-prepare" as const, view: this._view, seq: entry.seq, timestamp: entry.timestamp, digest: entry.digest, replica: this.self };
      prePrepares.push({ ...body, signature: this.crypto.sign(prePrepareSigningBytes(this.signChain, body)), payload });
    }
    const viewChanges = votes.map((v) => ({ ...v, batches: [] }));
    const body = { view: this._view, viewChanges, prePrepares, replica: this.self };
    const nv: NewView = { type: "new-view", ...body, signature: this.crypto.sign(newViewSigningBytes(this.signChain, this.crypto.hash, body)) };
    this.installNewView(nv, plan.checkpoint);
  }

  private findBatch(seq: bigint, digest: Uint8Array, votes: ViewChange[]): Uint8Array | undefined {
    for (const vc of votes) {
      for (let i = 0; i < vc.prepared.length; i++) {
        const pp = vc.prepared[i]!.prePrepare;
        if (pp.seq === seq && equalBytes(pp.digest, digest) && vc.batches[i]) return vc.batches[i];
      }
    }
    const mine = this.preparedCerts.get(seq);
    if (mine && equalBytes(mine.certificate.prePrepare.digest, digest)) return mine.payload;
    return undefined;
  }

  private onNewView(nv: NewView): void {
    // during a view change, a valid NEW-VIEW of a view between logView and ours is still worth
    // reading: its O set authenticates batches that replicas committed there (see learnNewView)
    const passive = !this._viewActive && nv.view < this._view && nv.view > this.logView;
    if (!passive && (nv.view < this._view || (nv.view === this._view && this._viewActive))) {
      this.counters.dropped.oldView++;
      return;
    }
    if (nv.replica !== this.check.primaryOf(nv.view)) {
      this.counters.dropped.wrongPrimary++;
      return;
    }
    if (!this.check.verifySignature(nv.replica, newViewSigningBytes(this.signChain, this.crypto.hash, nv), nv.signature)) {
      this.counters.dropped.badSignature++;
      return;
    }
    const why = this.newViewProblem(nv);
    if (why) {
      this.counters.dropped.invalidCertificate++;
      return;
    }
    const plan = planNewView(nv.viewChanges, (seq, ts) => this.check.nullDigest(seq, ts));
    if (passive) this.learnNewView(nv, plan.checkpoint);
    else this.installNewView(nv, plan.checkpoint);
  }

  /**
   * A replica that has sent VIEW-CHANGE for view w must not act in views below w, but it may still
   * execute what the others commit there: a quorum of commits is a proof on its own. So it follows
   * the view the others run in passively (no prepares, no commits), learning its batches from O.
   * Without this, a replica that changed view alone would stop executing until the others follow.
   */
  private learnNewView(nv: NewView, checkpoint: StableCheckpoint): void {
    this.logView = nv.view;
    this.newView = nv;
    this.slots.clear();
    for (const view of [...this.viewChanges.keys()]) if (view <= nv.view) this.viewChanges.delete(view);
    if (checkpoint.seq > this._stable.seq) this.considerStable(checkpoint);
    for (const pp of nv.prePrepares) if (this.inWindow(pp.seq)) this.slot(pp.seq).candidates.set(toHex(pp.digest), pp);
  }

  /** A backup redoes the primary's work: V is a quorum of valid view-changes and O is what V implies (§4.4). */
  private newViewProblem(nv: NewView): string | null {
    const signers = new Set<number>();
    for (const vc of nv.viewChanges) {
      if (vc.view !== nv.view) return "view-change for another view";
      if (signers.has(vc.replica)) return "view-change signer repeated";
      signers.add(vc.replica);
      const checked = this.check.checkViewChange(vc, false);
      if (!checked.ok) return checked.reason;
    }
    if (signers.size < this.quorum) return "fewer than a quorum of view-changes";
    const plan = planNewView(nv.viewChanges, (seq, ts) => this.check.nullDigest(seq, ts));
    if (plan.entries.length !== nv.prePrepares.length) return "O does not match V";
    for (let i = 0; i < plan.entries.length; i++) {
      const want = plan.entries[i]!;
      const pp = nv.prePrepares[i]!;
      if (pp.view !== nv.view || pp.replica !== nv.replica || pp.seq !== want.seq || pp.timestamp !== want.timestamp || !equalBytes(pp.digest, want.digest)) {
        return "O does not match V";
      }
      if (!this.check.verifyCached(pp.replica, prePrepareSigningBytes(this.signChain, pp), pp.signature)) return "bad pre-prepare signature in O";
      if (!this.check.matchesDigest(pp.seq, pp.timestamp, pp.payload, pp.digest)) return "batch in O does not match its digest";
    }
    return null;
  }

  /** Enter the new view: adopt min-s, take O as this view's pre-prepares and prepare them (§4.4). */
  private installNewView(nv: NewView, checkpoint: StableCheckpoint): void {
    const asPrimary = nv.replica === this.self;
    // O must agree with what we delivered: PBFT's safety theorem; a mismatch is a broken invariant
    for (const pp of nv.prePrepares) {
      const done = this.delivered.get(pp.seq);
      if (done && done.digest.length > 0 && !equalBytes(done.digest, pp.digest)) {
        this.halt(`new view ${nv.view} reorders delivered seq ${pp.seq}`);
        return;
      }
    }
    this._view = nv.view;
    this._viewActive = true;
    this.logView = nv.view;
    this.newView = nv;
    this.slots.clear();
    for (const view of [...this.viewChanges.keys()]) if (view <= nv.view) this.viewChanges.delete(view);
    this.cancelTimer("view-change");
    this.counters.newViewsInstalled++;
    this.emit({ type: "persist", record: { kind: "new-view", newView: nv } });
    if (asPrimary) this.emit({ type: "broadcast", message: nv });
    if (checkpoint.seq > this._stable.seq) this.considerStable(checkpoint);
    let maxSeq = this._stable.seq;
    for (const pp of nv.prePrepares) {
      if (pp.seq > maxSeq) maxSeq = pp.seq;
      if (!this.inWindow(pp.seq)) continue;
      const slot = this.slot(pp.seq);
      slot.candidates.set(toHex(pp.digest), pp);
      slot.accepted = pp;
    }
    this.nextSeq = maxBig(maxSeq, this._stable.seq, this._lastDelivered) + 1n;
    if (!asPrimary) for (const slot of this.sortedSlots()) this.sendPrepare(slot);
    this.updateRequestTimer(true);
    this.tryAccept(this.nextSeq);
    this.maybeRequestBatch();
  }

  // ---- status and retransmission -------------------------------------------------------------

  private statusInterval(): number {
    return this.config.statusIntervalMs ?? DEFAULT_STATUS_INTERVAL_MS;
  }

  private onTimeout(timer: TimerKind, id: number): void {
    if (this.timerIds.get(timer) !== id) return; // stale: re-armed or cancelled since
    this.timerIds.delete(timer);
    switch (timer) {
      case "status":
        this.broadcastStatus();
        this.certifyIdleTip();
        this.driveToEpochEnd();
        this.setTimer("status", this.statusInterval());
        return;
      case "request":
        if (!this._viewActive || this.isPrimary) return;
        if (this.transfer) {
          // Behind a stable checkpoint of the others and fetching their state: the requests this
          // replica waits for are probably ordered already. Suspecting the primary now would start
          // a view change nobody else joins (a restarted replica did exactly that); wait for the
          // transfer, then judge again. A faulty primary is still replaced by the others, and f+1
          // of their view changes pull this replica along (§4.5.2).
          this.setTimer("request", this.requestTimeout());
          return;
        }
        this.startViewChange(this._view + 1n);
        return;
      case "view-change":
        if (!this._viewActive) this.startViewChange(this._view + 1n);
        return;
      case "state-transfer":
        if (this.transfer) this.requestTransfer();
        return;
    }
  }

  private broadcastStatus(): void {
    this.statusRound = (this.statusRound + 1) % 0x1_0000_0000;
    const body = {
      view: this._view,
      viewActive: this._viewActive,
      stableSeq: this._stable.seq,
      lastDelivered: this._lastDelivered,
      round: this.statusRound,
      replica: this.self,
    };
    const status: Status = { type: "status", ...body, signature: this.crypto.sign(statusSigningBytes(this.signChain, body)) };
    this.emit({ type: "broadcast", message: status });
    const own = this.ownViewChange;
    if (own) this.emit({ type: "broadcast", message: own });
  }

  /**
   * Answers a peer's STATUS with the signed messages it lacks (all of them are self-certifying).
   * Small messages (votes, checkpoints) come from everyone; what carries batches (committed
   * proofs, forwarded pre-prepares, new-views) only from f+1 consecutive replicas picked by the
   * status round, so the choice rotates over all peers (a designated peer may itself have lost
   * what the laggard needs), and at most maxBatchesInFlight proofs per answer: a laggard must
   * not draw n-1 copies of every batch.
   */
  private onStatus(s: Status): void {
    if (!this.check.verifySignature(s.replica, statusSigningBytes(this.signChain, s), s.signature)) {
      this.counters.dropped.badSignature++;
      return;
    }
    const to = s.replica;
    const before = this.peerStatus.get(to);
    this.peerStatus.set(to, { at: this.clock, lastDelivered: s.lastDelivered });
    const send = (message: ConsensusMessage) => this.emit({ type: "send", to, message });
    const responder = (((this.self - to - 1 - (s.round % this.n)) % this.n) + this.n) % this.n <= this.f;
    // A peer that delivered nothing since its previous STATUS may be cut off from some replica (a
    // link down, a ban) while it still reaches us: a responder relays the other replicas' signed
    // votes too, so one cut link between two honest replicas does not stall a quorum that needs
    // both (all votes are self-certifying; relaying them changes nothing but their path).
    const relay = responder && before !== undefined && before.lastDelivered === s.lastDelivered;
    const forwards = responder || this.self === this.check.primaryOf(this.logView);
    // the new view of our log, to a peer that is behind it or still changing views (it installs
    // it, or follows it passively)
    if (forwards && this.newView && (s.view < this.logView || !s.viewActive)) send(this.newView);
    // our vote for the view the peer is changing to, even if we moved past it: its primary may need it
    if (!s.viewActive) {
      for (const [replica, vote] of this.viewChanges.get(s.view) ?? []) if (replica === this.self || (responder && replica !== to)) send(vote);
    }
    if (s.stableSeq < this._stable.seq) for (const cp of this._stable.proof) send(cp);
    for (const [seq, cp] of this.ownCheckpoints) if (seq > s.stableSeq && seq > this._stable.seq) send(cp);
    // blocks it lacks: self-proving committed batches where we have them, else our votes
    let proofs = responder ? this.config.maxBatchesInFlight : 0;
    const proven = new Set<bigint>();
    const deliveredSeqs = [...this.delivered.keys()].filter((seq) => seq > s.lastDelivered).sort((a, b) => (a < b ? -1 : 1));
    for (const seq of deliveredSeqs) {
      const proof = this.delivered.get(seq)!.proof;
      if (!proof || proofs === 0) continue;
      send(proof);
      proofs--;
      proven.add(seq);
    }
    for (const slot of this.sortedSlots()) {
      if (slot.seq <= s.lastDelivered || proven.has(slot.seq)) continue;
      const committedBatch = slot.committed && slot.candidates.get(toHex(slot.committed.digest));
      if (slot.committed && committedBatch && proofs > 0) {
        send({ type: "committed", prePrepare: committedBatch, certificate: slot.committed });
        proofs--;
        continue;
      }
      if (s.view > this.logView && s.viewActive) continue; // it is past this view: votes here are no use to it
      if (slot.accepted && forwards) send(slot.accepted);
      const prepare = slot.prepares.get(this.self);
      if (prepare) send(prepare);
      const commit = slot.commits.get(this.self);
      if (commit) send(commit);
      if (relay) {
        for (const [replica, p] of slot.prepares) if (replica !== this.self && replica !== to) send(p);
        for (const [replica, c] of slot.commits) if (replica !== this.self && replica !== to) send(c);
      }
    }
  }

  // ---- timers --------------------------------------------------------------------------------

  private setTimer(timer: TimerKind, afterMs: number): void {
    const id = ++this.timerSeq;
    this.timerIds.set(timer, id);
    this.emit({ type: "set-timer", timer, id, afterMs });
  }

  private cancelTimer(timer: TimerKind): void {
    if (!this.timerIds.has(timer)) return;
    this.timerIds.delete(timer);
    this.emit({ type: "cancel-timer", timer });
  }

  // ---- restart -------------------------------------------------------------------------------

  private loadRecords(records: readonly PersistedRecord[]): void {
    let stable = this._stable;
    let maxViewChange: ViewChange | undefined;
    let maxNewView: NewView | undefined;
    for (const r of records) {
      if (r.kind === "stable-checkpoint" && r.checkpoint.seq > stable.seq) stable = r.checkpoint;
      if (r.kind === "view-change" && (!maxViewChange || r.viewChange.view > maxViewChange.view)) maxViewChange = r.viewChange;
      if (r.kind === "new-view" && (!maxNewView || r.newView.view > maxNewView.view)) maxNewView = r.newView;
    }
    this._stable = stable;
    if (this._lastDelivered < stable.seq) {
      // the epoch's base was proven by the set before (other replica indexes): ask any member of ours
      const from = stable.seq === this.baseSeq ? [...Array(this.n).keys()] : stable.proof.map((c) => c.replica);
      this.transfer = { seq: stable.seq, timestamp: stable.timestamp, stateDigest: stable.stateDigest, from: from.filter((r) => r !== this.self) };
    }
    const activeView = maxNewView?.view ?? 0n;
    this.logView = activeView;
    this.newView = maxNewView;
    if (maxViewChange && maxViewChange.view > activeView) {
      this._view = maxViewChange.view;
      this._viewActive = false;
      for (const r of records) if (r.kind === "view-change" && r.viewChange.view > activeView) this.storeViewChange(r.viewChange);
    } else {
      this._view = activeView;
      this._viewActive = true;
    }
    const inLog = (view: bigint, seq: bigint) => view === this.logView && seq > stable.seq;
    const accept = (pp: PrePrepare) => {
      const slot = this.slot(pp.seq);
      slot.candidates.set(toHex(pp.digest), pp);
      slot.accepted = pp;
    };
    if (maxNewView) for (const pp of maxNewView.prePrepares) if (inLog(pp.view, pp.seq)) accept(pp);
    let maxSeq = maxBig(stable.seq, this._lastDelivered);
    for (const r of records) {
      if (r.kind === "pre-prepare" && inLog(r.prePrepare.view, r.prePrepare.seq)) accept(r.prePrepare);
      if (r.kind === "prepare" && inLog(r.prepare.view, r.prepare.seq)) this.slot(r.prepare.seq).prepares.set(this.self, r.prepare);
      if (r.kind === "prepared" && r.certificate.prePrepare.seq > stable.seq) {
        const seq = r.certificate.prePrepare.seq;
        const existing = this.preparedCerts.get(seq);
        if (!existing || existing.certificate.prePrepare.view <= r.certificate.prePrepare.view) this.preparedCerts.set(seq, { certificate: r.certificate, payload: r.payload });
      }
    }
    for (const slot of this.slots.values()) {
      if (slot.seq > maxSeq) maxSeq = slot.seq;
      const cert = this.preparedCerts.get(slot.seq)?.certificate;
      if (slot.accepted && cert && cert.prePrepare.view === this.logView && equalBytes(cert.prePrepare.digest, slot.accepted.digest)) {
        // the commit was (or may have been) sent: re-create it (signatures are deterministic) to retransmit
        slot.prepared = true;
        for (const p of cert.prepares) slot.prepares.set(p.replica, p);
        const body = { view: cert.prePrepare.view, seq: slot.seq, digest: cert.prePrepare.digest, replica: this.self };
        slot.commits.set(this.self, { type: "commit", ...body, signature: this.crypto.sign(commitBytes(this.signChain, body)) });
      }
    }
    this.nextSeq = maxSeq + 1n;
  }
}

/** Functional form of Replica.step for drivers that prefer it: the replica is updated in place. */
export function step(replica: Replica, event: ConsensusEvent): { state: Replica; actions: ConsensusAction[] } {
  return { state: replica, actions: replica.step(event) };
}
