// Deterministic simulation of n PBFT validators on a virtual clock. Each validator runs the node's
// real driver (node/driver/driver.ts) with its real proposer, mempool and batch rules over the
// real consensus core; the simulator injects what the driver takes from the outside world: the
// clock and timers, the transport, the write-ahead log, block execution (a hash chain of state
// digests) and state transfer. Everything that varies (delays, loss, duplication, partitions,
// crashes, Byzantine behaviour, client transactions) comes from one seeded PRNG and the event
// queue runs one event at a time, letting every promise callback settle in between, so a seed
// replays exactly. A crash loses everything but the durable log and chain, including the rest of
// a write-ahead append or of the sends that follow it.
import { concatBytes, toHex, utf8 } from "../../sdk/bytes.js";
import { verifyCommitCertificate } from "../../sdk/commit.js";
import { decodeTx, signTx, type Tx } from "../../sdk/tx.js";
import { compactRecords, type ConsensusConfig, type ConsensusMessage, type PersistedRecord, type Replica } from "../../consensus/index.js";
import type { CommitCertificate } from "../../sdk/commit.js";
import { nodeCrypto } from "../../node/crypto.js";
import { silentLogger } from "../../node/log.js";
import { decodeBatchTxs, digestOfBatch, type BatchLimits } from "../../node/driver/batch.js";
import type { DriverClock } from "../../node/driver/clock.js";
import { ConsensusDriver, type BlockExecutor, type CertifiedBatch, type DriverDeps } from "../../node/driver/driver.js";
import { Mempool } from "../../node/driver/mempool.js";
import { SignatureCache } from "../../node/driver/sigcache.js";
import { makeKeys, sha256, type SimCryptoKind, type SimKeys } from "./crypto.js";
import { Prng } from "./prng.js";
import { Byzantine, type ByzantineBehaviour } from "./byzantine.js";
import { EventQueue } from "./event-queue.js";

export const GENESIS_TIME = 1_700_000_000_000n;
export const CHAIN_ID = "tradeledger-sim";
const GENESIS_STATE = sha256(new TextEncoder().encode("sim-genesis-state"));
/** the one client party; its key is known from genesis */
const CLIENT = "sim-client";
const CLIENT_SEED = sha256(utf8("sim-client-seed"));
const CLIENT_KEY = nodeCrypto.publicKeyFromSeed(CLIENT_SEED);
export const BATCH_LIMITS: BatchLimits = { chainId: CHAIN_ID, maxBatchTxs: 8, maxBatchBytes: 1 << 20 };

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
  /** while crashes are enabled: per write-ahead append and per send, the probability of a crash right there */
  midStepCrash?: number;
  /** how long a state transfer takes, ms (fetching and re-executing the blocks); default 20-120 */
  transferMs?: [number, number];
}

export interface Block {
  seq: bigint;
  view: bigint;
  timestamp: bigint;
  digest: Uint8Array;
  txs: Tx[];
  certificate: CommitCertificate;
  stateDigest: Uint8Array;
}

/** What the simulated execution reports to the driver. */
export interface SimExecuted {
  hash: Uint8Array;
  receipts: [];
}

export class SimNode {
  /** the node's real driver, or null while the node is down (crashed or halted) */
  driver: ConsensusDriver<SimExecuted> | null = null;
  mempool: Mempool | null = null;
  /** durable: survives crashes */
  records: PersistedRecord[] = [];
  /** durable: the executed chain (seq -> block); blocks arrive by delivery or state transfer */
  readonly chain = new Map<bigint, Block>();
  tip: { seq: bigint; timestamp: bigint; stateDigest: Uint8Array } = { seq: 0n, timestamp: GENESIS_TIME, stateDigest: GENESIS_STATE };
  /** durable: hashes of transactions executed here */
  readonly committedTxs = new Set<string>();
  incarnation = 0;
  crashes = 0;
  stateTransfers = 0;
  /** the highest seq a checkpoint certificate (stable or the idle tip's) certified here */
  certifiedSeq = 0n;
  byzantine?: Byzantine;

  constructor(
    readonly index: number,
    readonly skew: number,
  ) {}

  get replica(): Replica | null {
    return this.driver?.replica ?? null;
  }
  get honest(): boolean {
    return this.byzantine === undefined;
  }
  get up(): boolean {
    return this.driver !== null;
  }
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
  /** extra delay of every message from or to a node, ms (a starved or overloaded process) */
  readonly slow = new Map<number, number>();
  /** links cut between two nodes ("a-b", a < b) */
  private readonly cutLinks = new Set<string>();
  /** partition group per node; messages cross only within a group */
  private groups: number[] | null = null;
  private readonly queue = new EventQueue();
  /** submitted transactions by hash, in submission order */
  readonly submitted = new Map<string, Tx>();
  /** the first honest execution of each seq: every other honest replica must match it */
  readonly reference = new Map<bigint, Block>();
  readonly violations: string[] = [];
  /** checkpoint certificates honest replicas reported (stable and idle-tip) */
  certificates = 0;
  /**
   * Transactions ordered a second time at a later seq. PBFT may order a request twice across view
   * changes (a prepared certificate no quorum saw resurfaces after the batch was re-proposed), and
   * a Byzantine primary may propose committed transactions again; exactly-once comes from
   * execution (§4.1: replicas drop requests already executed; the ledger: DUPLICATE_TX receipts).
   */
  duplicateOrderings = 0;
  crashesEnabled = false;
  messagesSent = 0;
  /** virtual time at which each seq was first executed by an honest replica (commit latency, stalls) */
  readonly firstCommitAt = new Map<bigint, number>();
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

  start(): void {
    for (const node of this.nodes) this.boot(node);
  }

  /** Starts a node from its durable state: the real driver, a fresh mempool that clients refill. */
  private boot(node: SimNode): void {
    node.incarnation++;
    const incarnation = node.incarnation;
    const live = () => node.incarnation === incarnation;
    const sigCache = new SignatureCache(nodeCrypto);
    const mempool = new Mempool(
      { maxTxs: 100_000, maxBytes: 1 << 28, txMaxAgeMs: 3_600_000, txMaxFutureMs: 3_600_000 },
      {
        crypto: nodeCrypto,
        sigCache,
        chainId: CHAIN_ID,
        partyKey: (id) => (id === CLIENT ? CLIENT_KEY : undefined),
        isCommitted: (h) => node.committedTxs.has(h),
        now: () => Number(this.localTime(node)),
      },
    );
    const deps: DriverDeps<SimExecuted> = {
      chain: this.executor(node, live),
      log: {
        append: (records) => {
          if (!live()) return never();
          if (this.crashesEnabled && node.honest && this.rng.chance(this.midStepCrash)) {
            // a crash in the middle of the write-ahead append: a prefix is durable, nothing is sent
            node.records.push(...records.slice(0, this.rng.int(0, records.length - 1)));
            this.crashMidStep(node);
            return never();
          }
          node.records.push(...records);
          return Promise.resolve();
        },
        readAll: async () => node.records.slice(),
        replace: async (records) => {
          if (live()) node.records = records.slice();
        },
      },
      mempool,
      parties: { known: (id) => (id === CLIENT ? CLIENT_KEY : undefined), onReceipts: () => undefined },
      sigCache,
      transport: {
        sendTo: (to, message) => this.sendFrom(node, live, [to], message),
        broadcast: (message) => this.sendFrom(node, live, [...this.nodes.keys()].filter((i) => i !== node.index), message),
      },
      sync: { syncTo: (seq, peers) => this.transferState(node, live, seq, peers) },
      logger: silentLogger,
      clock: this.clockOf(node, live),
      crypto: { sign: this.keys.signer(node.index), verify: this.keys.verify, hash: sha256 },
      // A checkpoint certificate (stable or the idle tip's) must certify what honest replicas executed.
      onCertified: (cp) => {
        if (!live() || !node.honest) return;
        this.certificates++;
        if (cp.seq > node.certifiedSeq) node.certifiedSeq = cp.seq;
        const ref = this.reference.get(cp.seq);
        if (!ref) this.violation(`replica ${node.index} holds a certificate for seq ${cp.seq}, which no honest replica executed`);
        else if (toHex(ref.stateDigest) !== toHex(cp.stateDigest)) this.violation(`replica ${node.index} holds a certificate for seq ${cp.seq} over a state digest no honest replica computed`);
      },
      onHalt: (reason) => {
        if (!live()) return;
        if (node.honest) this.violation(`replica ${node.index} halted: ${reason}`);
        node.driver = null;
        node.mempool = null;
      },
    };
    const driver = new ConsensusDriver<SimExecuted>({ config: this.config, self: node.index, maxBatchTxs: BATCH_LIMITS.maxBatchTxs, maxBatchBytes: BATCH_LIMITS.maxBatchBytes }, deps, node.records.slice());
    node.driver = driver;
    node.mempool = mempool;
    driver.start();
    // the mempool is volatile: clients resubmit what is not committed yet
    for (const tx of this.submitted.values()) if (!node.committedTxs.has(tx.hashHex)) this.admit(node, tx);
  }

  /** The node's clock: its skewed wall clock, and timers on the virtual clock that die with the incarnation. */
  private clockOf(node: SimNode, live: () => boolean): DriverClock {
    return {
      now: () => Number(this.localTime(node)),
      monotonic: () => this.now,
      setTimeout: (fn, ms) => {
        let cancelled = false;
        this.schedule(ms, () => {
          if (!cancelled && live()) fn();
        });
        return { cancel: () => void (cancelled = true) };
      },
      defer: (fn) =>
        this.schedule(0, () => {
          if (live()) fn();
        }),
    };
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
    if (this.cutLinks.has(a < b ? `${a}-${b}` : `${b}-${a}`)) return false;
    return this.groups === null || this.groups[a] === this.groups[b];
  }

  /** Cuts (or restores) the one link between a and b, both ways: a peer ban, a firewall rule. */
  cutLink(a: number, b: number, cut = true): void {
    const key = a < b ? `${a}-${b}` : `${b}-${a}`;
    if (cut) this.cutLinks.add(key);
    else this.cutLinks.delete(key);
  }

  crash(index: number): void {
    const node = this.nodes[index]!;
    if (!node.driver) return;
    void node.driver.stop();
    node.driver = null;
    node.mempool = null;
    node.crashes++;
    node.incarnation++;
    // compaction is what a real node would do with its log; restoring from it must be equivalent
    if (node.records.length > 200) node.records = compactRecords(node.records);
  }

  restart(index: number): void {
    const node = this.nodes[index]!;
    if (node.driver) return;
    this.boot(node);
  }

  /**
   * Restores a crashed validator from scratch, as an operator does after its store is damaged
   * (tools/chaos/campaign.ts): its write-ahead log is gone, its chain is refilled with the
   * certified blocks of `from` (block sync while it follows as an observer, signing nothing), and
   * it starts again as the validator with no record of what it signed before.
   */
  restoreFromScratch(index: number, from: number, upTo?: bigint): void {
    const node = this.nodes[index]!;
    if (node.driver) this.crash(index);
    const source = this.nodes[from]!;
    node.records = [];
    node.chain.clear();
    node.committedTxs.clear();
    const top = upTo !== undefined && upTo < source.tip.seq ? upTo : source.tip.seq;
    node.tip = { seq: 0n, timestamp: GENESIS_TIME, stateDigest: GENESIS_STATE };
    for (let seq = 1n; seq <= top; seq++) {
      const block = source.chain.get(seq)!;
      node.chain.set(seq, block);
      for (const tx of block.txs) node.committedTxs.add(tx.hashHex);
      node.tip = { seq, timestamp: block.timestamp, stateDigest: block.stateDigest };
    }
    this.boot(node);
  }

  /** The longest time between two consecutive new blocks (first honest execution) in [from, to] virtual ms. */
  longestStall(from: number, to: number): { ms: number; at: number } {
    const times = [...this.firstCommitAt.values()].filter((t) => t >= from && t <= to).sort((a, b) => a - b);
    let prev = from;
    let best = { ms: 0, at: from };
    for (const t of [...times, to]) {
      if (t - prev > best.ms) best = { ms: t - prev, at: prev };
      prev = t;
    }
    return best;
  }

  private crashMidStep(node: SimNode): void {
    this.crash(node.index);
    this.schedule(this.rng.int(50, 1500), () => this.restart(node.index));
  }

  // ---- clients -------------------------------------------------------------------------------

  /** A client signs a new transaction and submits it to every validator. */
  submit(): Tx {
    const nonce = this.rng.bytes(16);
    const tx = signTx(
      nodeCrypto,
      {
        chainId: CHAIN_ID,
        signer: CLIENT,
        createdAt: GENESIS_TIME + BigInt(Math.floor(this.now)),
        nonce,
        payload: { type: "cancelReceivable", receivableId: toHex(sha256(nonce)), reason: `sim-${this.submittedCount}` },
      },
      CLIENT_SEED,
    );
    this.submittedCount++;
    this.submitted.set(tx.hashHex, tx);
    for (const node of this.nodes) if (!node.committedTxs.has(tx.hashHex)) this.admit(node, tx);
    return tx;
  }

  /** The node's admission path: the mempool checks the transaction, then the driver hears of it. */
  private admit(node: SimNode, tx: Tx): void {
    const { driver, mempool } = node;
    if (!driver || !mempool) return;
    void mempool.admitDecoded(tx).then((a) => {
      if (a.ok && !a.alreadyPending && node.driver === driver) driver.onTransactionsAvailable();
    });
  }

  // ---- the world around the driver -------------------------------------------------------------

  schedule(delayMs: number, run: () => void): void {
    this.queue.push(this.now + delayMs, run);
  }

  private sendFrom(node: SimNode, live: () => boolean, to: number[], message: ConsensusMessage): void {
    if (!live()) return;
    if (this.crashesEnabled && node.honest && this.rng.chance(this.midStepCrash)) {
      // a crash between two sends of one action list: what was persisted and sent stays so
      this.crashMidStep(node);
      return;
    }
    for (const r of to) {
      const deliveries = node.byzantine ? node.byzantine.outgoing(r, message) : [message];
      for (const m of deliveries) this.transmit(node.index, r, m);
    }
  }

  /** The network: loss, duplication, delay (so reordering) and partitions, all from the seed. */
  transmit(from: number, to: number, message: ConsensusMessage): void {
    if (!this.connected(from, to)) return;
    const lost = this.rng.chance(this.network.loss) || (message.type === "commit" && this.rng.chance(this.network.commitLoss ?? 0));
    const copies = lost ? 0 : this.rng.chance(this.network.duplicate) ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      this.messagesSent++;
      const delay = this.rng.int(this.network.minDelayMs, this.network.maxDelayMs) + (this.slow.get(from) ?? 0) + (this.slow.get(to) ?? 0);
      this.schedule(delay, () => {
        const node = this.nodes[to]!;
        if (!node.driver || !this.connected(from, to)) return;
        node.byzantine?.observe(message);
        node.driver.onMessage(message);
      });
    }
  }

  /** Block execution: the node's atomic block write (a hash chain of state digests), checked. */
  private executor(node: SimNode, live: () => boolean): BlockExecutor<SimExecuted> {
    return {
      get height() {
        return node.tip.seq;
      },
      get headTime() {
        return node.tip.timestamp;
      },
      get headHash() {
        return node.tip.stateDigest;
      },
      executeBlock: (b: CertifiedBatch) => {
        if (!live()) return never();
        if (b.height !== node.tip.seq + 1n) {
          if (node.honest) this.violation(`replica ${node.index} executed seq ${b.height} after ${node.tip.seq}`);
          return Promise.reject(new Error(`seq ${b.height} after ${node.tip.seq}`));
        }
        const digest = digestOfBatch(sha256, CHAIN_ID, b.height, b.time, new Uint8Array(0), b.txs);
        if (node.honest) {
          const check = verifyCommitCertificate(b.certificate, this.keys.validators, this.keys.verify, { chainId: CHAIN_ID, seq: b.height, digest: b.certificate.digest });
          if (!check.ok) this.violation(`replica ${node.index} executed seq ${b.height} with a bad certificate: ${check.reason}`);
          if (toHex(digest) !== toHex(b.certificate.digest)) this.violation(`replica ${node.index} executed a batch that does not match its digest at ${b.height}`);
        }
        const stored = this.append(node, { seq: b.height, view: b.view, timestamp: b.time, digest: b.certificate.digest, txs: b.txs, certificate: b.certificate, stateDigest: new Uint8Array(0) });
        return new Promise<SimExecuted>((resolve) => this.schedule(this.rng.int(0, 3), () => live() && resolve({ hash: stored.stateDigest, receipts: [] })));
      },
    };
  }

  private append(node: SimNode, block: Block): Block {
    const stateDigest = sha256(concatBytes(node.tip.stateDigest, block.digest));
    const stored = { ...block, stateDigest };
    node.chain.set(block.seq, stored);
    node.tip = { seq: block.seq, timestamp: block.timestamp, stateDigest };
    for (const tx of block.txs) node.committedTxs.add(tx.hashHex);
    if (node.honest) {
      const ref = this.reference.get(block.seq);
      if (!ref) {
        this.reference.set(block.seq, stored);
        this.firstCommitAt.set(block.seq, this.now);
      }
      else if (toHex(ref.digest) !== toHex(stored.digest) || toHex(ref.stateDigest) !== toHex(stored.stateDigest)) {
        this.violation(`fork at seq ${block.seq}: replica ${node.index} executed ${toHex(stored.digest).slice(0, 16)}, another honest replica ${toHex(ref.digest).slice(0, 16)}`);
      }
    }
    return stored;
  }

  /**
   * State transfer, as node/driver/state-transfer.ts does it: certified blocks up to `seq` from one of `peers`, each
   * executed through the driver (which then checks the head against the stable checkpoint).
   */
  private transferState(node: SimNode, live: () => boolean, seq: bigint, peers: number[]): Promise<void> {
    node.stateTransfers++;
    const sourceIndex = peers.length > 0 ? this.rng.pick(peers) : -1;
    return new Promise<void>((resolve, reject) => {
      const [lo, hi] = this.options.transferMs ?? [20, 120];
      this.schedule(this.rng.int(lo, hi), () => {
        const driver = node.driver;
        if (!live() || !driver) return;
        const source = this.nodes[sourceIndex];
        // a Byzantine source serves garbage: the digest check catches it, the node tries again
        if (!source || !source.honest || !this.connected(node.index, source.index)) return reject(new Error("source unavailable or lying"));
        const at = source.chain.get(seq);
        if (!at) return reject(new Error("source lacks that state"));
        const run = async () => {
          for (let s = node.tip.seq + 1n; s <= seq; s++) {
            const b = source.chain.get(s)!;
            await driver.executeCertified({ height: b.seq, time: b.timestamp, view: b.view, txs: b.txs, certificate: b.certificate });
          }
          if (toHex(node.chain.get(seq)?.stateDigest ?? new Uint8Array(0)) !== toHex(at.stateDigest)) {
            this.violation(`replica ${node.index}: state after transfer to ${seq} does not match its source's`);
          }
        };
        run().then(resolve, reject);
      });
    });
  }

  violation(text: string): void {
    if (this.violations.length < 20) this.violations.push(`t=${this.now}ms ${text}`);
  }

  // ---- running -------------------------------------------------------------------------------

  /** Runs events up to virtual time `until` (ms), one at a time, each with its promise callbacks settled. */
  async runUntil(until: number): Promise<void> {
    await settled(); // what a caller started outside an event (a test's submit) happens now
    for (;;) {
      const t = this.queue.peekTime();
      if (t === undefined || t > until) break;
      const e = this.queue.pop()!;
      this.now = e.time;
      e.run();
      await settled();
    }
    if (this.now < until) this.now = until;
  }

  /** Runs until `done()` holds (checked every `everyMs`) or `deadline`; returns whether it held. */
  async runUntilTrue(done: () => boolean, deadline: number, everyMs = 50): Promise<boolean> {
    while (this.now < deadline) {
      if (done()) return true;
      await this.runUntil(Math.min(deadline, this.now + everyMs));
    }
    return done();
  }

  honestNodes(): SimNode[] {
    return this.nodes.filter((n) => n.honest);
  }

  /** The seqs at which the reference chain carries transaction `hashHex`. */
  seqsOf(hashHex: string): bigint[] {
    return [...this.reference.entries()].filter(([, b]) => b.txs.some((tx) => tx.hashHex === hashHex)).map(([seq]) => seq);
  }

  /** Every submitted transaction is committed and every honest replica has executed all of them. */
  allCommitted(): boolean {
    let last = 0n;
    const seqOf = new Map<string, bigint>();
    for (const [seq, block] of this.reference) for (const tx of block.txs) if (!seqOf.has(tx.hashHex) || seqOf.get(tx.hashHex)! > seq) seqOf.set(tx.hashHex, seq);
    for (const key of this.submitted.keys()) {
      const seq = seqOf.get(key);
      if (seq === undefined) return false;
      if (seq > last) last = seq;
    }
    return this.honestNodes().every((n) => n.up && n.tip.seq >= last);
  }

  /** Every honest replica holds a certificate for the head of the chain (once it is idle: docs/consensus.md §2.6). */
  headCertified(): boolean {
    let head = 0n;
    for (const seq of this.reference.keys()) if (seq > head) head = seq;
    return this.honestNodes().every((n) => n.up && n.certifiedSeq >= head);
  }

  /**
   * Validity and block-time checks over the reference chain; safety is checked as blocks
   * execute. Validity: every transaction was submitted by a client; one ordered again later is a
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
      for (const tx of block.txs) {
        if (!this.submitted.has(tx.hashHex)) this.violation(`seq ${seq} committed a transaction no client submitted`);
        if (seen.has(tx.hashHex)) this.duplicateOrderings++;
        else seen.set(tx.hashHex, seq);
      }
    }
  }
}

/** The digest the driver gives a payload at (seq, timestamp), for adversaries that re-sign batches. */
export function digestBatch(seq: bigint, timestamp: bigint, payload: Uint8Array): Uint8Array {
  return digestOfBatch(sha256, CHAIN_ID, seq, timestamp, payload, decodeBatchTxs(payload, BATCH_LIMITS, (b) => decodeTx(nodeCrypto, b)));
}

function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}

/** Resolves once every promise callback queued so far, and every one those queue, has run. */
function settled(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
