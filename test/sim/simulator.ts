// Deterministic simulation of n PBFT replicas (consensus/) on a virtual clock. Everything that
// varies (delays, loss, duplication, partitions, crashes, Byzantine behaviour, client batches)
// comes from one seeded PRNG, so a seed replays exactly. The simulated node plays the driver's
// part: it performs actions in order, persists records durably (a crash loses everything else,
// including the rest of the action list being performed), executes delivered blocks into a hash
// chain of state digests, serves state transfer, and feeds batches from its mempool.
import { concatBytes, toHex } from "../../sdk/bytes.js";
import { batchDigest, verifyCommitCertificate } from "../../sdk/commit.js";
import { compactRecords, Replica } from "../../consensus/index.js";
import type {
  BatchRules,
  CommittedBlock,
  ConsensusAction,
  ConsensusConfig,
  ConsensusEvent,
  ConsensusMessage,
  PersistedRecord,
  TimerKind,
} from "../../consensus/index.js";
import { makeKeys, sha256, type SimCryptoKind, type SimKeys } from "./crypto.js";
import { Prng } from "./prng.js";
import { Byzantine, type ByzantineBehaviour } from "./byzantine.js";

export const GENESIS_TIME = 1_700_000_000_000n;
export const CHAIN_ID = "tradeledger-sim";
const GENESIS_STATE = sha256(new TextEncoder().encode("sim-genesis-state"));

export interface NetworkConditions {
  /** probability that a message is lost */
  loss: number;
  /** extra loss probability for COMMIT messages: leaves batches prepared but not committed */
  commitLoss?: number;
  /** probability that a message is delivered twice */
  duplicate: number;
  minDelayMs: number;
  maxDelayMs: number;
}

export const CALM: NetworkConditions = { loss: 0, duplicate: 0, minDelayMs: 2, maxDelayMs: 25 };

export interface SimOptions {
  seed: bigint;
  replicas: number;
  crypto?: SimCryptoKind;
  consensus?: Partial<ConsensusConfig>;
  /** clock skew bound between replicas, ms */
  maxSkewMs?: number;
  /** while crashes are enabled: per step, the probability of a crash part-way through its action list */
  midStepCrash?: number;
}

export interface Block {
  seq: bigint;
  view: bigint;
  timestamp: bigint;
  digest: Uint8Array;
  payload: Uint8Array;
  stateDigest: Uint8Array;
}

export class SimNode {
  replica: Replica | null = null;
  /** durable: survives crashes */
  records: PersistedRecord[] = [];
  /** durable: the executed chain (seq -> block); blocks arrive by delivery or state transfer */
  readonly chain = new Map<bigint, Block>();
  tip: { seq: bigint; timestamp: bigint; stateDigest: Uint8Array } = { seq: 0n, timestamp: GENESIS_TIME, stateDigest: GENESIS_STATE };
  readonly committedPayloads = new Set<string>();
  mempool = new Map<string, Uint8Array>();
  timers = new Map<TimerKind, number>();
  wantsBatch = false;
  incarnation = 0;
  crashes = 0;
  stateTransfers = 0;
  byzantine?: Byzantine;

  constructor(
    readonly index: number,
    readonly skew: number,
  ) {}

  get honest(): boolean {
    return this.byzantine === undefined;
  }
  get up(): boolean {
    return this.replica !== null;
  }
}

interface QueuedEvent {
  time: number;
  order: number;
  run: () => void;
}

/** Binary min-heap on (time, insertion order): equal times run in the order they were scheduled. */
class EventQueue {
  private heap: QueuedEvent[] = [];
  private counter = 0;

  get size(): number {
    return this.heap.length;
  }

  push(time: number, run: () => void): void {
    const e = { time, order: this.counter++, run };
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(h[p]!, e)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }

  pop(): QueuedEvent | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && less(h[r]!, h[l]!) ? r : l;
        if (less(last, h[c]!)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }

  peekTime(): number | undefined {
    return this.heap[0]?.time;
  }
}

function less(a: QueuedEvent, b: QueuedEvent): boolean {
  return a.time < b.time || (a.time === b.time && a.order < b.order);
}

export class Simulation {
  readonly rng: Prng;
  readonly n: number;
  readonly f: number;
  readonly keys: SimKeys;
  readonly config: ConsensusConfig;
  readonly nodes: SimNode[];
  now = 0;
  network: NetworkConditions = { ...CALM };
  /** partition group per node; messages cross only within a group */
  private groups: number[] | null = null;
  private readonly queue = new EventQueue();
  /** submitted batches by hex, in submission order */
  readonly submitted = new Map<string, Uint8Array>();
  /** the first honest execution of each seq: every other honest replica must match it */
  readonly reference = new Map<bigint, Block>();
  readonly violations: string[] = [];
  /**
   * Batches ordered a second time at a later seq. PBFT may order a request twice across view
   * changes (a prepared certificate no quorum saw resurfaces after the batch was re-proposed);
   * exactly-once comes from execution (§4.1: replicas drop requests already executed). To the
   * application the second ordering is a duplicate (the ledger: DUPLICATE_TX receipts).
   */
  duplicateOrderings = 0;
  crashesEnabled = false;
  messagesSent = 0;
  private readonly midStepCrash: number;
  private submittedCount = 0;

  constructor(readonly options: SimOptions) {
    this.rng = new Prng(options.seed);
    this.n = options.replicas;
    this.f = Math.floor((this.n - 1) / 3);
    this.keys = makeKeys(options.crypto ?? "fast", this.n, options.seed);
    this.config = {
      chainId: CHAIN_ID,
      validators: this.keys.validators,
      genesisTime: GENESIS_TIME,
      genesisStateDigest: GENESIS_STATE,
      checkpointInterval: 5,
      watermarkWindow: 10,
      maxBatchesInFlight: 4,
      requestTimeoutMs: 600,
      viewChangeTimeoutMs: 600,
      maxViewChangeTimeoutMs: 5000,
      maxTimestampDriftMs: 3000,
      statusIntervalMs: 200,
      ...options.consensus,
    };
    const maxSkew = options.maxSkewMs ?? 50;
    this.midStepCrash = options.midStepCrash ?? 0.0005;
    this.nodes = Array.from({ length: this.n }, (_, i) => new SimNode(i, this.rng.int(-maxSkew, maxSkew)));
  }

  // ---- setup ---------------------------------------------------------------------------------

  makeByzantine(index: number, behaviour: ByzantineBehaviour): void {
    this.nodes[index]!.byzantine = new Byzantine(this, this.nodes[index]!, behaviour, this.keys.signer(index), this.rng.fork());
  }

  batchRules(node: SimNode): BatchRules {
    return {
      digestBatch: (seq, timestamp, payload) => digestBatch(seq, timestamp, payload),
      validateBatch: (_seq, _timestamp, payload) => {
        const key = toHex(payload);
        if (!this.submitted.has(key)) return "not a submitted batch";
        if (node.committedPayloads.has(key)) return "already committed";
        return true;
      },
    };
  }

  start(): void {
    for (const node of this.nodes) this.boot(node);
  }

  private boot(node: SimNode): void {
    node.incarnation++;
    node.timers.clear();
    node.wantsBatch = false;
    node.replica = Replica.restore({
      config: this.config,
      self: node.index,
      crypto: { sign: this.keys.signer(node.index), verify: this.keys.verify, hash: sha256 },
      batches: this.batchRules(node),
      records: node.records,
      executed: node.tip,
      now: this.localTime(node),
    });
    // the mempool is volatile: clients resubmit what is not committed yet
    node.mempool = new Map([...this.submitted].filter(([k]) => !node.committedPayloads.has(k)));
    this.perform(node, node.replica.start());
    this.offer(node);
  }

  localTime(node: SimNode): bigint {
    return GENESIS_TIME + BigInt(Math.max(0, Math.floor(this.now) + node.skew));
  }

  // ---- faults --------------------------------------------------------------------------------

  partition(groups: number[]): void {
    this.groups = groups;
  }

  heal(): void {
    this.groups = null;
  }

  connected(a: number, b: number): boolean {
    return this.groups === null || this.groups[a] === this.groups[b];
  }

  crash(index: number): void {
    const node = this.nodes[index]!;
    if (!node.replica) return;
    node.replica = null;
    node.crashes++;
    node.incarnation++;
    node.timers.clear();
    // compaction is what a real node would do with its log; restoring from it must be equivalent
    if (node.records.length > 200) node.records = compactRecords(node.records);
  }

  restart(index: number): void {
    const node = this.nodes[index]!;
    if (node.replica) return;
    this.boot(node);
  }

  // ---- clients -------------------------------------------------------------------------------

  submit(payload?: Uint8Array): Uint8Array {
    const batch = payload ?? concatBytes(new TextEncoder().encode(`batch-${this.submittedCount}:`), this.rng.bytes(this.rng.int(4, 48)));
    this.submittedCount++;
    const key = toHex(batch);
    this.submitted.set(key, batch);
    for (const node of this.nodes) {
      if (!node.committedPayloads.has(key)) node.mempool.set(key, batch);
      this.offer(node);
    }
    return batch;
  }

  /** The node's mempool offers a batch: to a primary that asked, or as "work pending" to a backup. */
  private offer(node: SimNode): void {
    const incarnation = node.incarnation;
    this.schedule(0, () => {
      const replica = node.replica;
      if (!replica || node.incarnation !== incarnation || node.mempool.size === 0) return;
      if (replica.isPrimary && replica.viewActive) {
        if (!node.wantsBatch) return;
        const pending = new Set(replica.pendingBatches().map((b) => toHex(b.payload)));
        for (const [key, payload] of node.mempool) {
          if (pending.has(key) || node.committedPayloads.has(key)) continue;
          node.wantsBatch = false;
          this.stepNode(node, { type: "batch-available", payload });
          return;
        }
      } else {
        const first = node.mempool.values().next().value as Uint8Array;
        this.stepNode(node, { type: "batch-available", payload: first });
      }
    });
  }

  // ---- the driver ----------------------------------------------------------------------------

  schedule(delayMs: number, run: () => void): void {
    this.queue.push(this.now + delayMs, run);
  }

  stepNode(node: SimNode, event: ConsensusEvent): void {
    const replica = node.replica;
    if (!replica) return;
    replica.step({ type: "tick", now: this.localTime(node) });
    this.perform(node, replica.step(event));
  }

  /** Performs actions in order; an injected crash may stop it part-way (persisted records survive). */
  private perform(node: SimNode, actions: ConsensusAction[]): void {
    let limit = actions.length;
    if (this.crashesEnabled && node.honest && actions.length > 1 && this.rng.chance(this.midStepCrash)) {
      limit = this.rng.int(0, actions.length - 1);
    }
    const incarnation = node.incarnation;
    for (let i = 0; i < limit; i++) {
      if (node.incarnation !== incarnation) return;
      this.performOne(node, actions[i]!);
    }
    if (limit < actions.length) this.crashMidStep(node);
  }

  private crashMidStep(node: SimNode): void {
    this.crash(node.index);
    this.schedule(this.rng.int(50, 1500), () => this.restart(node.index));
  }

  private performOne(node: SimNode, action: ConsensusAction): void {
    switch (action.type) {
      case "persist":
        node.records.push(action.record);
        return;
      case "send":
        return this.send(node, action.to, action.message);
      case "broadcast":
        for (let to = 0; to < this.n; to++) if (to !== node.index) this.send(node, to, action.message);
        return;
      case "set-timer": {
        node.timers.set(action.timer, action.id);
        const incarnation = node.incarnation;
        this.schedule(action.afterMs, () => {
          if (node.incarnation !== incarnation || node.timers.get(action.timer) !== action.id) return;
          node.timers.delete(action.timer);
          this.stepNode(node, { type: "timeout", timer: action.timer, id: action.id });
        });
        return;
      }
      case "cancel-timer":
        node.timers.delete(action.timer);
        return;
      case "deliver":
        return this.execute(node, action.block);
      case "request-batch":
        node.wantsBatch = true;
        return this.offer(node);
      case "request-state-transfer":
        return this.transferState(node, action.seq, action.stateDigest, action.from);
      case "halt":
        if (node.honest) this.violation(`replica ${node.index} halted: ${action.reason}`);
        node.replica = null;
        return;
    }
  }

  private send(from: SimNode, to: number, message: ConsensusMessage): void {
    const deliveries = from.byzantine ? from.byzantine.outgoing(to, message) : [message];
    for (const m of deliveries) this.transmit(from.index, to, m);
  }

  /** The network: loss, duplication, delay (so reordering) and partitions, all from the seed. */
  transmit(from: number, to: number, message: ConsensusMessage): void {
    if (!this.connected(from, to)) return;
    const lost = this.rng.chance(this.network.loss) || (message.type === "commit" && this.rng.chance(this.network.commitLoss ?? 0));
    const copies = lost ? 0 : this.rng.chance(this.network.duplicate) ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      this.messagesSent++;
      const delay = this.rng.int(this.network.minDelayMs, this.network.maxDelayMs);
      this.schedule(delay, () => {
        const node = this.nodes[to]!;
        if (!node.replica || !this.connected(from, to)) return;
        node.byzantine?.observe(message);
        this.stepNode(node, { type: "message", message });
      });
    }
  }

  /** Executes a delivered block: the node's atomic block write, then the `executed` event. */
  private execute(node: SimNode, block: CommittedBlock): void {
    if (block.seq !== node.tip.seq + 1n) {
      if (node.honest) this.violation(`replica ${node.index} delivered seq ${block.seq} after ${node.tip.seq}`);
      return;
    }
    if (node.honest) {
      const check = verifyCommitCertificate(block.certificate, this.keys.validators, this.keys.verify, { chainId: CHAIN_ID, seq: block.seq, digest: block.digest });
      if (!check.ok) this.violation(`replica ${node.index} delivered seq ${block.seq} with a bad certificate: ${check.reason}`);
      if (toHex(digestBatch(block.seq, block.timestamp, block.payload)) !== toHex(block.digest)) this.violation(`replica ${node.index} delivered a batch that does not match its digest at ${block.seq}`);
    }
    const stored = this.append(node, { seq: block.seq, view: block.view, timestamp: block.timestamp, digest: block.digest, payload: block.payload, stateDigest: new Uint8Array(0) });
    const incarnation = node.incarnation;
    this.schedule(this.rng.int(0, 3), () => {
      if (node.incarnation === incarnation) this.stepNode(node, { type: "executed", seq: stored.seq, stateDigest: stored.stateDigest });
    });
    this.offer(node);
  }

  private append(node: SimNode, block: Block): Block {
    const stateDigest = sha256(concatBytes(node.tip.stateDigest, block.digest));
    const stored = { ...block, stateDigest };
    node.chain.set(block.seq, stored);
    node.tip = { seq: block.seq, timestamp: block.timestamp, stateDigest };
    const key = toHex(block.payload);
    node.committedPayloads.add(key);
    node.mempool.delete(key);
    if (node.honest) {
      const ref = this.reference.get(block.seq);
      if (!ref) this.reference.set(block.seq, stored);
      else if (toHex(ref.digest) !== toHex(stored.digest) || toHex(ref.stateDigest) !== toHex(stored.stateDigest)) {
        this.violation(`fork at seq ${block.seq}: replica ${node.index} executed ${toHex(stored.digest).slice(0, 16)}, another honest replica ${toHex(ref.digest).slice(0, 16)}`);
      }
    }
    return stored;
  }

  /** The node's state transfer: fetch the chain up to `seq` from one of `from`, check the digest. */
  private transferState(node: SimNode, seq: bigint, stateDigest: Uint8Array, from: number[]): void {
    node.stateTransfers++;
    const incarnation = node.incarnation;
    const sourceIndex = from.length > 0 ? this.rng.pick(from) : -1;
    this.schedule(this.rng.int(20, 120), () => {
      if (node.incarnation !== incarnation || !node.replica) return;
      const source = this.nodes[sourceIndex];
      const fail = (reason: string) => this.stepNode(node, { type: "state-transfer-failed", seq, reason });
      // a Byzantine source serves garbage: the digest check catches it, the node tries again
      if (!source || !source.honest || !this.connected(node.index, source.index)) return fail("source unavailable or lying");
      const at = source.chain.get(seq);
      if (!at || toHex(at.stateDigest) !== toHex(stateDigest)) return fail("source lacks that state");
      if (node.tip.seq < seq) {
        for (let s = node.tip.seq + 1n; s <= seq; s++) this.append(node, source.chain.get(s)!);
      }
      if (toHex(node.chain.get(seq)?.stateDigest ?? new Uint8Array(0)) !== toHex(stateDigest)) {
        this.violation(`replica ${node.index}: state after transfer to ${seq} does not match the checkpoint`);
        return;
      }
      this.stepNode(node, { type: "state-transferred", seq, stateDigest });
    });
  }

  violation(text: string): void {
    if (this.violations.length < 20) this.violations.push(`t=${this.now}ms ${text}`);
  }

  // ---- running -------------------------------------------------------------------------------

  /** Runs events up to virtual time `until` (ms). */
  runUntil(until: number): void {
    for (;;) {
      const t = this.queue.peekTime();
      if (t === undefined || t > until) break;
      const e = this.queue.pop()!;
      this.now = e.time;
      e.run();
    }
    if (this.now < until) this.now = until;
  }

  /** Runs until `done()` holds (checked every `everyMs`) or `deadline`; returns whether it held. */
  runUntilTrue(done: () => boolean, deadline: number, everyMs = 50): boolean {
    while (this.now < deadline) {
      if (done()) return true;
      this.runUntil(Math.min(deadline, this.now + everyMs));
    }
    return done();
  }

  honestNodes(): SimNode[] {
    return this.nodes.filter((n) => n.honest);
  }

  /** Every submitted batch is committed and every honest replica has executed all of them. */
  allCommitted(): boolean {
    let last = 0n;
    const seqOf = new Map<string, bigint>();
    for (const [seq, block] of this.reference) seqOf.set(toHex(block.payload), seq);
    for (const key of this.submitted.keys()) {
      const seq = seqOf.get(key);
      if (seq === undefined) return false;
      if (seq > last) last = seq;
    }
    return this.honestNodes().every((n) => n.up && n.tip.seq >= last);
  }

  /**
   * Validity and block-time checks over the reference chain; safety is checked as blocks
   * execute. Validity: every batch was submitted by a client; a batch ordered again later is a
   * duplicate to the application and is counted.
   */
  checkChain(): void {
    const seen = new Map<string, bigint>();
    let prevTime = GENESIS_TIME;
    const seqs = [...this.reference.keys()].sort((a, b) => (a < b ? -1 : 1));
    for (const seq of seqs) {
      const block = this.reference.get(seq)!;
      if (block.timestamp < prevTime) this.violation(`block time goes back at seq ${seq}: ${block.timestamp} < ${prevTime}`);
      prevTime = block.timestamp;
      if (block.payload.length === 0) continue; // a null batch of a new view
      const key = toHex(block.payload);
      if (!this.submitted.has(key)) this.violation(`seq ${seq} committed a batch no client submitted`);
      if (seen.has(key)) this.duplicateOrderings++;
      else seen.set(key, seq);
    }
  }
}

export function digestBatch(seq: bigint, timestamp: bigint, payload: Uint8Array): Uint8Array {
  return batchDigest(sha256, { chainId: CHAIN_ID, height: seq, time: timestamp, txsRoot: sha256(payload) });
}
