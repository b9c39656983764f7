// The node's epoch runner (node/driver/epoch-runner.ts) on an in-memory network, on a virtual clock:
// each node runs the real EpochRunner with its real ConsensusDriver, proposer, mempool and batch
// rules over the real PBFT core, the real BlockSync (state transfer and following, each block's
// certificate checked against the set of its epoch), consensus frames encoded and decoded by the
// real wire (node/net/wire.ts, the epoch in the envelope) and routed by the runner. What the node
// takes from the world is simulated: the clock, the transport, the durable consensus log (records,
// epoch record, finished epochs) and a block executor - a hash chain whose state holds the
// validator set exactly as the ledger does: a transaction whose reason is "ADD:k", "REMOVE:k" or
// "ROT:k" decides a change with the ledger's own changedSet, so switchAt and the running set are the
// ledger's (node/ledger/governance.ts). Node k holds two node keys, k and k + pool (its current and
// its next, as a validator with nextNodeKeyFile does): "ROT:k" is a ROTATE_KEY from the one in the
// set to the other, checked with the ledger's validatorChangeProblem, and the node does what
// node/node.ts does: at the switch that rotates its key it restarts with the other key (here as a
// kill -9 and a restart), and at any start it signs with the other key if the set in force has it
// in place of the one it used.
//
// A crash (kill -9) loses everything but the durable log and the chain; a restart builds a new
// runner from them. Hooks let a test crash a node inside the epoch-ended hook (between the end of
// an epoch and the durable switch) or right after the switch is durable (before the new replica's
// first record).
import { concatBytes, equalBytes, toHex, utf8 } from "../../sdk/bytes.js";
import { verifyCommitCertificate, type CommitCertificate, type Validator } from "../../sdk/commit.js";
import type { Crypto } from "../../sdk/crypto.js";
import { signTx, type Tx } from "../../sdk/tx.js";
import type { ConsensusConfig, ConsensusMessage, PersistedRecord } from "../../consensus/index.js";
import { nodeCrypto } from "../../node/crypto.js";
import { silentLogger } from "../../node/log.js";
import { digestOfBatch } from "../../node/driver/batch.js";
import type { DriverClock } from "../../node/driver/clock.js";
import type { BlockExecutor, CertifiedBatch } from "../../node/driver/driver.js";
import { EpochRunner, type EpochEnded, type EpochLog, type EpochRecord, type FinishedEpoch } from "../../node/driver/epoch-runner.js";
import { Mempool } from "../../node/driver/mempool.js";
import { SignatureCache } from "../../node/driver/sigcache.js";
import { BlockSync } from "../../node/driver/state-transfer.js";
import type { Chain } from "../../node/chain/chain.js";
import { changedSet, epochOfBlock, validatorChangeProblem, type ValidatorSetRecord } from "../../node/ledger/governance.js";
import { decodeConsensusFrame, encodeCertifiedBlock, encodeConsensusFrame } from "../../node/net/wire.js";
import { makeKeys, sha256, type SimKeys } from "./crypto.js";
import { Prng } from "./prng.js";
import { EventQueue } from "./event-queue.js";

export const CHAIN_ID = "tradeledger-epochs-node";
const T0 = 1_700_000_000_000n;
const GENESIS = sha256(utf8("epochs-node-genesis"));
const CLIENT = "sim-client";
const CLIENT_SEED = sha256(utf8("epochs-node-client"));
const CLIENT_KEY = nodeCrypto.publicKeyFromSeed(CLIENT_SEED);
export const K = 5;
export const L = 10;

export interface SimExecuted {
  hash: Uint8Array;
  receipts: [];
}

interface StoredBlock {
  time: bigint;
  view: bigint;
  txs: Tx[];
  certificate: CommitCertificate;
  hash: Uint8Array;
}

/** The block executor: a hash chain whose state is the validator set, changed by "ADD:k" / "REMOVE:k" transactions with the ledger's rule. */
export class ToyChain implements BlockExecutor<SimExecuted> {
  height = 0n;
  headTime = T0;
  headHash = GENESIS;
  readonly blocks = new Map<bigint, StoredBlock>();
  readonly committed = new Set<string>();
  set: ValidatorSetRecord;
  readonly problems: string[] = [];

  constructor(
    private readonly net: EpochNet,
    readonly owner: number,
  ) {
    this.set = { members: net.initial.map((k) => net.member(k)), version: 0n, switchAt: 0n, runningMembers: [], runningVersion: 0n, runningSince: 0n };
  }

  get switchAt(): bigint {
    return this.set.switchAt;
  }

  async executeBlock(b: CertifiedBatch): Promise<SimExecuted> {
    if (b.height !== this.height + 1n) throw new Error(`node ${this.owner} executes ${b.height} after ${this.height}`);
    // every block's certificate against the set of its epoch, from the state it executes on
    const e = epochOfBlock(this.set, b.height);
    const check = verifyCommitCertificate(b.certificate, e.members.map((m) => ({ id: m.partyId, publicKey: m.nodePublicKey })), this.net.keys.verify, { chainId: CHAIN_ID, seq: b.height, epoch: e.epoch });
    if (!check.ok) this.problems.push(`block ${b.height}: certificate does not verify against epoch ${e.epoch}: ${check.reason}`);
    for (const tx of b.txs) {
      if (this.committed.has(tx.hashHex)) continue;
      this.committed.add(tx.hashHex);
      const p = tx.body.payload;
      const reason = p.type === "cancelReceivable" ? p.reason : "";
      const m = /^(ADD|REMOVE|ROT):(\d+)/.exec(reason);
      if (m) {
        const k = Number(m[2]);
        // node k's member, whichever of its two keys it is in the set with
        const current = this.set.members.find((x) => x.partyId === this.net.member(k).partyId);
        const params = { checkpointInterval: K, watermarkWindow: L };
        if (m[1] === "ADD" && !current) {
          const member = this.net.member(k);
          if (!validatorChangeProblem(this.set, "ADD", member)) this.set = changedSet(this.set, "ADD", member, b.height, params);
        } else if (m[1] === "REMOVE" && current && this.set.members.length > 4) {
          this.set = changedSet(this.set, "REMOVE", current, b.height, params);
        } else if (m[1] === "ROT" && current) {
          const target = { ...current, newNodePublicKey: this.net.otherKeyOf(current.nodePublicKey) };
          if (!validatorChangeProblem(this.set, "ROTATE_KEY", target)) this.set = changedSet(this.set, "ROTATE_KEY", target, b.height, params);
        }
      }
    }
    const digest = digestOfBatch(sha256, CHAIN_ID, b.height, b.time, new Uint8Array(0), b.txs);
    const hash = sha256(concatBytes(this.headHash, digest, utf8(`v${this.set.version}`)));
    this.blocks.set(b.height, { time: b.time, view: b.view, txs: b.txs, certificate: b.certificate, hash });
    this.height = b.height;
    this.headTime = b.time;
    this.headHash = hash;
    this.net.executed(this.owner, b.height, hash);
    return { hash, receipts: [] };
  }

  header(h: bigint): { time: bigint; hash: Uint8Array } | undefined {
    if (h === 0n) return { time: T0, hash: GENESIS };
    const b = this.blocks.get(h);
    return b && { time: b.time, hash: b.hash };
  }
}

/** The durable consensus log of one node (survives crashes). */
class DurableLog {
  records: PersistedRecord[] = [];
  current: EpochRecord | undefined;
  finished = new Map<bigint, FinishedEpoch>();
}

export class SimNode {
  runner: EpochRunner<SimExecuted> | undefined;
  mempool: Mempool | undefined;
  readonly log = new DurableLog();
  readonly chain: ToyChain;
  incarnation = 0;
  up = false;
  restarts = 0;
  /** the node key it signs with now: `key` or `key + pool` (rotated) */
  signing: number;
  /** crash inside the next epoch-ended hook (before the switch is durable) */
  crashInHook = false;
  /** crash right after the next switch is durable (before the new replica's first record) */
  crashAfterSwitch = false;

  constructor(
    readonly key: number,
    net: EpochNet,
  ) {
    this.chain = new ToyChain(net, key);
    this.signing = key;
  }
}

export interface HookCall {
  key: number;
  epoch: bigint;
  nextEpoch: bigint;
  seq: bigint;
  /** the node's chain height when the hook ran */
  height: bigint;
  /** whether a driver was running while the hook ran (it must not) */
  driverRunning: boolean;
}

export class EpochNet {
  readonly rng: Prng;
  readonly keys: SimKeys;
  readonly nodes = new Map<number, SimNode>();
  readonly initial: number[];
  now = 0;
  private readonly queue = new EventQueue();
  readonly submitted = new Map<string, Tx>();
  readonly reference = new Map<bigint, Uint8Array>();
  readonly violations: string[] = [];
  readonly hookCalls: HookCall[] = [];
  /** frames of an epoch the receiver refused (not reached, or unknown), by reason */
  readonly refused = { future: 0, unknown: 0 };
  loss = 0;
  /** restarts of a node whose key was rotated at a switch */
  rotations = 0;
  private submittedCount = 0;
  readonly config: ConsensusConfig;

  /** how many nodes; node k's keys are k and k + pool */
  readonly pool: number;

  constructor(seed: bigint, initial: number[], pool = 8) {
    this.rng = new Prng(seed);
    this.pool = pool;
    this.keys = makeKeys("fast", 2 * pool, seed);
    this.initial = initial;
    this.config = {
      chainId: CHAIN_ID,
      validators: initial.map((k) => this.keys.validators[k]!),
      genesisTime: T0,
      genesisStateDigest: GENESIS,
      checkpointInterval: K,
      watermarkWindow: L,
      maxBatchesInFlight: 3,
      requestTimeoutMs: 600,
      viewChangeTimeoutMs: 600,
      maxViewChangeTimeoutMs: 5000,
      maxTimestampDriftMs: 3000,
      statusIntervalMs: 200,
    };
  }

  /** Node k with its first key (a party runs it: validator-k). */
  member(k: number): { partyId: string; nodePublicKey: Uint8Array } {
    return { partyId: this.keys.validators[k % this.pool]!.id, nodePublicKey: this.keys.validators[k]!.publicKey };
  }

  /** The node that holds `publicKey` (either of its two keys); -1 for none. */
  keyOf(publicKey: Uint8Array): number {
    const i = this.keys.validators.findIndex((v) => equalBytes(v.publicKey, publicKey));
    return i < 0 ? -1 : i % this.pool;
  }

  /** The other of the two keys of the node holding `publicKey`. */
  otherKeyOf(publicKey: Uint8Array): Uint8Array {
    const i = this.keys.validators.findIndex((v) => equalBytes(v.publicKey, publicKey));
    return this.keys.validators[(i + this.pool) % (2 * this.pool)]!.publicKey;
  }

  // ---- event loop ------------------------------------------------------------------------------

  schedule(after: number, run: () => void): void {
    this.queue.push(this.now + Math.max(0, Math.round(after)), run);
  }

  async runUntil(until: number): Promise<void> {
    await settled();
    for (;;) {
      const next = this.queue.peekTime();
      if (next === undefined || next > until) break;
      const e = this.queue.pop()!;
      this.now = e.time;
      e.run();
      await settled();
    }
    if (this.now < until) this.now = until;
  }

  async runUntilTrue(done: () => boolean, deadline: number, everyMs = 50): Promise<boolean> {
    while (this.now < deadline) {
      if (done()) return true;
      await this.runUntil(Math.min(deadline, this.now + everyMs));
    }
    return done();
  }

  // ---- nodes ---------------------------------------------------------------------------------------

  /** Starts (or restarts from its durable log and chain) the node with key `k`. */
  async start(k: number): Promise<SimNode> {
    let node = this.nodes.get(k);
    if (!node) {
      node = new SimNode(k, this);
      this.nodes.set(k, node);
    }
    if (node.up) return node;
    node.incarnation++;
    node.up = true;
    const n = node;
    // as node/node.ts: the other key once the set in force has it in place of the one used so far
    {
      const e = epochOfBlock(n.chain.set, n.chain.height + 1n);
      const has = (i: number) => e.members.some((m) => equalBytes(m.nodePublicKey, this.keys.validators[i]!.publicKey));
      const other = (n.signing + this.pool) % (2 * this.pool);
      if (!has(n.signing) && has(other)) n.signing = other;
    }
    const signing = n.signing;
    const inc = node.incarnation;
    const live = () => n.up && n.incarnation === inc;
    const sigCache = new SignatureCache(nodeCrypto);
    const mempool = new Mempool(
      { maxTxs: 100_000, maxBytes: 1 << 28, txMaxAgeMs: 3_600_000, txMaxFutureMs: 3_600_000 },
      { crypto: nodeCrypto, sigCache, chainId: CHAIN_ID, partyKey: (id) => (id === CLIENT ? CLIENT_KEY : undefined), isCommitted: (h) => n.chain.committed.has(h), now: () => Number(this.localTime()) },
    );
    const clock: DriverClock = {
      now: () => Number(this.localTime()),
      monotonic: () => this.now,
      setTimeout: (fn, ms) => {
        let cancelled = false;
        this.schedule(ms, () => !cancelled && live() && fn());
        return { cancel: () => void (cancelled = true) };
      },
      defer: (fn) => this.schedule(0, () => live() && fn()),
    };
    const syncCrypto = { sha256, verify: this.keys.verify } as unknown as Crypto;
    let runner!: EpochRunner<SimExecuted>;
    const followerExec = async (b: CertifiedBatch): Promise<SimExecuted> => {
      if (!live()) return never();
      const executed = await n.chain.executeBlock(b);
      mempool.removeCommitted(b.txs.map((t) => t.hashHex));
      runner.blockExecuted();
      return executed;
    };
    const blockSync = new BlockSync(
      syncCrypto,
      CHAIN_ID,
      () => {
        const e = epochOfBlock(n.chain.set, n.chain.height + 1n);
        return { epoch: e.epoch, validators: e.members.map((m) => ({ id: m.partyId, publicKey: m.nodePublicKey })) };
      },
      n.chain as unknown as Chain,
      (b) => runner.executeWith(b, followerExec) as never,
      {
        // peers are node keys here
        requestBlocks: async (peer, from, to) => {
          const src = this.nodes.get(peer);
          if (!live() || !src?.up || this.rng.chance(this.loss)) throw new Error("unreachable");
          const out: Uint8Array[] = [];
          for (let h = from; h <= to && h <= src.chain.height; h++) {
            const b = src.chain.blocks.get(h)!;
            out.push(encodeCertifiedBlock({ height: h, time: b.time, view: b.view, txs: b.txs.map((t) => t.bytes), certificate: b.certificate, headerHash: b.hash }));
          }
          return out;
        },
        penalize: (peer, reason) => this.violations.push(`node ${k} penalised node ${peer}: ${reason}`),
        name: (peer) => `node-${peer}`,
      },
      silentLogger,
    );
    const log: EpochLog = {
      append: async (records) => {
        if (!live()) return never();
        n.log.records.push(...records);
      },
      readAll: async () => n.log.records.slice(),
      replace: async (records) => {
        if (live()) n.log.records = records.slice();
      },
      readEpochs: async () => ({ current: n.log.current, finished: [...n.log.finished.values()] }),
      switchEpoch: async (next, finished) => {
        if (!live()) return never();
        n.log.records = [];
        if (finished) n.log.finished.set(finished.epoch, finished);
        n.log.current = next;
        if (n.crashAfterSwitch) {
          n.crashAfterSwitch = false;
          this.crash(k);
          this.schedule(300, () => void this.start(k));
          return never();
        }
      },
    };
    runner = new EpochRunner<SimExecuted>(
      { config: this.config, nodePublicKey: this.keys.validators[signing]!.publicKey, maxBatchTxs: 8, maxBatchBytes: 1 << 20 },
      {
        chain: n.chain,
        log,
        mempool,
        parties: { known: (id) => (id === CLIENT ? CLIENT_KEY : undefined), onReceipts: () => undefined },
        sigCache,
        // the core names replicas of its epoch; block sync here names node keys
        sync: { syncTo: (seq, peers, opts) => blockSync.syncTo(seq, peers.map((i) => this.keyOf(runner.epoch.members[i]!.publicKey)), opts) },
        logger: silentLogger,
        clock,
        crypto: { sign: this.keys.signer(signing), verify: this.keys.verify, hash: sha256 },
        onHalt: (reason) => live() && this.violations.push(`node ${k} halted: ${reason}`),
        headEpoch: () => {
          const e = epochOfBlock(n.chain.set, n.chain.height + 1n);
          return { epoch: e.epoch, members: e.members.map((m) => ({ id: m.partyId, publicKey: m.nodePublicKey })), baseSeq: e.baseSeq };
        },
        headerAt: async (h) => n.chain.header(h),
        transportFor: (epoch, validators) => ({
          sendTo: (i, m) => live() && this.send(k, epoch, validators[i]!, m),
          broadcast: (m) => {
            if (!live()) return;
            for (const v of validators) if (this.keyOf(v.publicKey) !== k) this.send(k, epoch, v, m);
          },
        }),
        peerIdOf: (pk) => toHex(pk),
        follow: () => {
          let stopped = false;
          let running: Promise<unknown> = Promise.resolve();
          const round = () => {
            if (stopped || !live()) return;
            const sources = [...this.nodes.values()].filter((s) => s.up && s.key !== k && s.chain.height > n.chain.height);
            if (sources.length === 0) return this.schedule(50, round);
            const src = sources[this.rng.int(0, sources.length - 1)]!;
            running = blockSync
              .syncTo(undefined, [src.key], { stopped: () => stopped || !live() })
              .catch(() => 0)
              .then(() => this.schedule(20, round));
          };
          this.schedule(0, round);
          return {
            stop: async () => {
              stopped = true;
              await running;
            },
          };
        },
        // as node/node.ts: this node's key was rotated at this switch, so it restarts with its other key
        onEpochStarted: (e) => {
          const other = this.keys.validators[(signing + this.pool) % (2 * this.pool)]!.publicKey;
          if (live() && e.self === undefined && e.validators.some((v) => equalBytes(v.publicKey, other))) {
            this.rotations++;
            this.crash(k);
            this.schedule(1, () => void this.start(k));
          }
        },
        onEpochEnded: (e: EpochEnded) => {
          this.hookCalls.push({ key: k, epoch: e.epoch, nextEpoch: e.nextEpoch, seq: e.checkpoint.seq, height: n.chain.height, driverRunning: runner.driver !== undefined });
          if (n.crashInHook) {
            n.crashInHook = false;
            this.crash(k);
            this.schedule(300, () => void this.start(k));
            return never();
          }
          // an asynchronous hook: the switch waits for it
          return new Promise<void>((resolve) => this.schedule(5, resolve));
        },
      },
    );
    node.runner = runner;
    node.mempool = mempool;
    await runner.start();
    for (const tx of this.submitted.values()) if (!n.chain.committed.has(tx.hashHex)) this.admit(n, tx);
    return node;
  }

  /** kill -9: everything but the durable log and chain is lost. */
  crash(k: number): void {
    const n = this.nodes.get(k);
    if (!n || !n.up) return;
    n.up = false;
    n.incarnation++;
    n.restarts++;
    n.runner = undefined;
    n.mempool = undefined;
  }

  localTime(): bigint {
    return T0 + 1000n + BigInt(this.now);
  }

  // ---- network ---------------------------------------------------------------------------------------

  private send(from: number, epoch: bigint, to: Validator, message: ConsensusMessage): void {
    if (this.rng.chance(this.loss)) return;
    const target = this.keyOf(to.publicKey);
    const bytes = encodeConsensusFrame(message, epoch);
    // the sender's peer id: the node key it runs under now (a rotated node restarts under the other)
    const fromPeer = toHex(this.keys.validators[this.nodes.get(from)!.signing]!.publicKey);
    this.schedule(this.rng.int(2, 20), () => {
      const node = this.nodes.get(target);
      if (!node?.up || !node.runner) return;
      const runner = node.runner;
      const frame = decodeConsensusFrame(bytes, (e) => runner.validatorsIn(e));
      if (frame instanceof Error) {
        this.violations.push(`node ${target} could not decode a frame of node ${from}: ${frame.message}`);
        return;
      }
      if ("refused" in frame) {
        this.refused[frame.refused]++;
        return;
      }
      const routed = runner.onMessage(fromPeer, frame.epoch, frame.message);
      if (routed === "not-member") this.violations.push(`node ${target} took node ${from} for no member of epoch ${frame.epoch}`);
    });
  }

  // ---- clients -----------------------------------------------------------------------------------------

  /** A client transaction; `reason` "ADD:k" / "REMOVE:k" decides a validator-set change. */
  submit(reason?: string): Tx {
    const nonce = this.rng.bytes(16);
    const tx = signTx(
      nodeCrypto,
      { chainId: CHAIN_ID, signer: CLIENT, createdAt: T0 + BigInt(this.now), nonce, payload: { type: "cancelReceivable", receivableId: toHex(sha256(nonce)), reason: reason ?? `tx-${this.submittedCount}` } },
      CLIENT_SEED,
    );
    this.submittedCount++;
    this.submitted.set(tx.hashHex, tx);
    for (const n of this.nodes.values()) if (n.up) this.admit(n, tx);
    return tx;
  }

  private admit(node: SimNode, tx: Tx): void {
    const { mempool, runner } = node;
    if (!mempool || !runner) return;
    void mempool.admitDecoded(tx).then((a) => {
      if (a.ok && !a.alreadyPending && node.runner === runner) runner.onTransactionsAvailable();
    });
  }

  // ---- checks ------------------------------------------------------------------------------------------

  executed(owner: number, seq: bigint, hash: Uint8Array): void {
    const ref = this.reference.get(seq);
    if (!ref) this.reference.set(seq, hash);
    else if (!equalBytes(ref, hash)) this.violations.push(`fork at ${seq}: node ${owner} executed another state`);
  }

  /** Every submitted transaction is executed on every node in `keys`. */
  allExecutedOn(keys: number[]): boolean {
    return keys.every((k) => {
      const n = this.nodes.get(k);
      return n?.up === true && [...this.submitted.keys()].every((h) => n.chain.committed.has(h));
    });
  }

  /** The epoch the nodes in `keys` run (-1 if they differ or one is not voting). */
  votingEpoch(keys: number[]): bigint {
    const epochs = new Set(keys.map((k) => (this.nodes.get(k)?.runner?.driver ? this.nodes.get(k)!.runner!.epoch.epoch : -1n)));
    return epochs.size === 1 ? [...epochs][0]! : -1n;
  }
}

function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}

function settled(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

// ---- seeded runs: random changes under faults (npm run sim:epochs) ------------------------------

export interface EpochSeedResult {
  seed: bigint;
  violations: string[];
  liveness: string | null;
  /** virtual ms from the heal until every member of the final set voted in the final epoch and every node executed every transaction */
  healToDoneMs: number | null;
  switches: number;
  blocks: bigint;
  restarts: number;
  /** restarts of nodes whose key was rotated at a switch */
  rotations: number;
  scenario: string;
}

const LIVENESS_MS = 60_000;

/**
 * One seeded run: all eight nodes run (those in no set follow); 4 or 7 validators at genesis;
 * during 3-6 virtual seconds of faults, up to four random changes (ADD / REMOVE, sets of 4..7, and
 * ROTATE_KEY of a member's node key, its node restarting with the other key at the switch), load, message and block-sync loss up to 20%, and crashes (kill -9) with restart, some of
 * them inside the epoch-ended hook or right after the durable switch. Then the network heals.
 * Safety: one chain (no fork), every block's certificate verifies against its epoch's set, no halt,
 * no misrouted frame. Liveness: within 60 virtual s of the heal, every member of the final set votes
 * in the final epoch and every node (followers included) executed every transaction.
 */
export async function runEpochSeed(seed: bigint): Promise<EpochSeedResult> {
  const rng = new Prng(seed * 7919n + 1n);
  const initial = rng.chance(0.5) ? [0, 1, 2, 3] : [0, 1, 2, 3, 4, 5, 6];
  const net = new EpochNet(seed, initial);
  const scenario: string[] = [`initial [${initial.join(",")}]`];
  for (let k = 0; k < 8; k++) await net.start(k);
  const faultMs = rng.int(3000, 6000);
  net.loss = rng.chance(0.5) ? rng.float() * 0.2 : 0;
  scenario.push(`faults ${faultMs} ms, loss ${net.loss.toFixed(2)}`);
  let members = [...initial];
  let changes = 0;
  const down = new Set<number>();
  while (net.now < faultMs) {
    const r = rng.float();
    if (r < 0.06 && changes < 4) {
      const outside = [...Array(8).keys()].filter((k) => !members.includes(k));
      const add = members.length < 7 && (members.length <= 4 || rng.chance(0.5));
      if (rng.chance(0.3)) {
        // a validator's node key replaced in its place (ROTATE_KEY): same members, same order
        const k = members[rng.int(0, members.length - 1)]!;
        net.submit(`ROT:${k}`);
        scenario.push(`t=${net.now} ROT:${k}`);
      } else if (add) {
        const k = outside[rng.int(0, outside.length - 1)]!;
        members = [...members, k];
        net.submit(`ADD:${k}`);
        scenario.push(`t=${net.now} ADD:${k}`);
      } else {
        const k = members[rng.int(0, members.length - 1)]!;
        members = members.filter((x) => x !== k);
        net.submit(`REMOVE:${k}`);
        scenario.push(`t=${net.now} REMOVE:${k}`);
      }
      changes++;
    } else if (r < 0.1 && down.size === 0) {
      // one node down at a time (every set of 4..7 tolerates one fault)
      const k = rng.int(0, 7);
      const node = net.nodes.get(k)!;
      const how = rng.int(0, 2);
      if (how === 0) {
        net.crash(k);
        down.add(k);
        net.schedule(rng.int(300, 2000), () => {
          down.delete(k);
          void net.start(k);
        });
        scenario.push(`t=${net.now} kill ${k}`);
      } else if (how === 1) {
        node.crashInHook = true;
        scenario.push(`t=${net.now} kill ${k} in its next epoch-ended hook`);
      } else {
        node.crashAfterSwitch = true;
        scenario.push(`t=${net.now} kill ${k} after its next durable switch`);
      }
    } else {
      net.submit();
    }
    await net.runUntil(net.now + rng.int(20, 120));
  }
  // heal: no loss, everyone up, no pending kills; a few more transactions
  net.loss = 0;
  for (const n of net.nodes.values()) {
    n.crashInHook = false;
    n.crashAfterSwitch = false;
  }
  for (const k of [...Array(8).keys()]) if (!net.nodes.get(k)!.up) await net.start(k);
  const healedAt = net.now;
  for (let i = 0; i < 3; i++) net.submit();
  const all = [...Array(8).keys()];
  const finalSet = (): number[] => {
    let best = net.nodes.get(0)!.chain;
    for (const n of net.nodes.values()) if (n.chain.height > best.height) best = n.chain;
    return best.set.members.map((m) => net.keyOf(m.nodePublicKey));
  };
  const finalEpoch = (): bigint => {
    let best = net.nodes.get(0)!.chain;
    for (const n of net.nodes.values()) if (n.chain.height > best.height) best = n.chain;
    return best.set.version;
  };
  const done = () => net.votingEpoch(finalSet()) === finalEpoch() && net.allExecutedOn(all);
  // keep the chain moving so that a pending switch is reached
  let ok = false;
  const deadline = healedAt + LIVENESS_MS;
  while (net.now < deadline) {
    if (done()) {
      ok = true;
      break;
    }
    await net.runUntil(net.now + 100);
  }
  const violations = [...net.violations];
  for (const n of net.nodes.values()) for (const p of n.chain.problems) violations.push(`node ${n.key}: ${p}`);
  let blocks = 0n;
  for (const s of net.reference.keys()) if (s > blocks) blocks = s;
  const switches = net.nodes.get(0)!.runner?.stats.switches ?? 0;
  return {
    seed,
    violations,
    liveness: ok
      ? null
      : `not done ${LIVENESS_MS} ms after the heal: final set [${finalSet().join(",")}] epoch ${finalEpoch()}; nodes ${[...net.nodes.values()].map((n) => `${n.key}:h${n.chain.height}/e${n.runner?.epoch.epoch ?? "-"}${n.runner?.driver ? "v" : "f"}`).join(" ")}`,
    healToDoneMs: ok ? net.now - healedAt : null,
    switches: Number(finalEpoch()),
    blocks,
    restarts: [...net.nodes.values()].reduce((s, n) => s + n.restarts, 0),
    rotations: net.rotations,
    scenario: scenario.join("; "),
  };
}
