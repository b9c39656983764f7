// Validator-set epochs in the PBFT core (docs/governance.md §5), on an in-memory network of real
// Replicas and a toy application: a block whose payload starts with "SET:" decides a new set
// (the next keys' indexes), and the application reports where it takes over (switchAt =
// epochEndFor(seq), or the pending end) exactly as the ledger does. Checked: every replica ends
// the epoch at the same stable checkpoint; an added replica fetches the base state before it
// votes; certificates name their epoch and verify only against their set; a removed replica orders
// nothing more; no replica signs above lastExecuted + α + 1 while a decision may be unexecuted;
// signatures of one epoch do not verify in another.
import t from "tap";
import { concatBytes, equalBytes, u64be, utf8, fromUtf8, toHex } from "../sdk/bytes.js";
import { verifyCommitCertificate, type CommitCertificate } from "../sdk/commit.js";
import { epochAlpha, epochEndFor } from "../consensus/replica.js";
import { Replica, type ConsensusAction, type ConsensusConfig, type ConsensusEvent, type ConsensusMessage, type StableCheckpoint, type Validator } from "../consensus/index.js";
import { checkpointSigningBytes, prePrepareSigningBytes, prepareSigningBytes } from "../consensus/messages.js";
import { makeKeys, sha256 } from "./sim/crypto.js";

const CHAIN = "tradeledger-epochs";
const T0 = 1_700_000_000_000n;
const GENESIS = sha256(utf8("epochs-genesis"));
const K = 2;
const L = 4;
const keys = makeKeys("fast", 8, 7n);
const digestBatch = (seq: bigint, ts: bigint, payload: Uint8Array) => sha256(concatBytes(u64be(seq), u64be(ts), payload));
const batches = { digestBatch, validateBatch: (_s: bigint, _t: bigint, p: Uint8Array) => (p.length > 0 ? true : "empty") };

function configOf(members: number[], epoch: bigint, base?: StableCheckpoint): ConsensusConfig {
  return {
    chainId: CHAIN,
    validators: members.map((k) => keys.validators[k]!),
    genesisTime: base?.timestamp ?? T0,
    genesisStateDigest: base?.stateDigest ?? GENESIS,
    checkpointInterval: K,
    watermarkWindow: L,
    maxBatchesInFlight: 2,
    requestTimeoutMs: 60_000,
    viewChangeTimeoutMs: 60_000,
    maxViewChangeTimeoutMs: 60_000,
    maxTimestampDriftMs: 60_000,
    statusIntervalMs: 1000,
    ...(epoch > 0n ? { epoch, baseSeq: base!.seq } : {}),
  };
}

/** The toy application: a hash chain of block digests, and the set a "SET:" block decides. */
class App {
  digests = new Map<bigint, Uint8Array>([[0n, GENESIS]]);
  height = 0n;
  members: number[];
  version = 0n;
  switchAt = 0n;
  constructor(members: number[]) {
    this.members = members;
  }
  execute(seq: bigint, payload: Uint8Array): Uint8Array {
    if (seq !== this.height + 1n) throw new Error(`app executes ${seq} after ${this.height}`);
    const text = fromUtf8(payload);
    if (text.startsWith("SET:")) {
      this.members = text.slice(4).split(",").map(Number);
      this.version++;
      this.switchAt = this.switchAt >= seq ? this.switchAt : epochEndFor(seq, K, L);
    }
    const d = sha256(concatBytes(this.digests.get(this.height)!, payload));
    this.height = seq;
    this.digests.set(seq, d);
    return d;
  }
  copyFrom(other: App, seq: bigint): void {
    // state transfer: the other's state at seq (here: its whole history up to seq, and its set)
    for (let s = 1n; s <= seq; s++) this.digests.set(s, other.digests.get(s)!);
    this.height = seq;
    this.members = [...other.members];
    this.version = other.version;
    this.switchAt = other.switchAt;
  }
}

interface Node {
  key: number;
  app: App;
  replica?: Replica;
  /** replicas of epochs this node finished: they answer laggards' STATUS */
  retired: Replica[];
  members: number[];
  delivered: { seq: bigint; epoch: bigint; certificate: CommitCertificate }[];
  epochEnds: StableCheckpoint[];
  transfers: bigint[];
}

type Envelope = { epoch: bigint; fromKey: number; toKey: number; message: ConsensusMessage };

class Net {
  nodes = new Map<number, Node>();
  queue: Envelope[] = [];
  events: [number, ConsensusEvent][] = [];
  pending: Uint8Array[] = [];
  clock = T0 + 1000n;
  /** drop messages to these keys (a crashed or cut-off node) */
  down = new Set<number>();

  constructor(members: number[]) {
    for (const k of members) this.addNode(k, members, 0n);
  }

  addNode(key: number, members: number[], epoch: bigint, base?: StableCheckpoint, app = new App(members)): Node {
    const node: Node = this.nodes.get(key) ?? { key, app, retired: [], members, delivered: [], epochEnds: [], transfers: [] };
    this.nodes.set(key, node);
    node.members = members;
    const self = members.indexOf(key);
    if (self < 0) {
      node.replica = undefined;
      return node;
    }
    node.replica = Replica.restore({
      config: configOf(members, epoch, base),
      self,
      crypto: { sign: keys.signer(key), verify: keys.verify, hash: sha256 },
      batches,
      records: [],
      executed: { seq: node.app.height, timestamp: T0, stateDigest: node.app.digests.get(node.app.height)!, switchAt: node.app.switchAt },
      now: this.clock,
    });
    this.membersOf.set(node.replica, members);
    this.perform(node, node.replica, node.replica.start());
    this.step(node, { type: "tick", now: this.clock });
    return node;
  }

  step(node: Node, event: ConsensusEvent): void {
    if (!node.replica) return;
    this.perform(node, node.replica, node.replica.step(event));
  }

  perform(node: Node, replica: Replica, actions: ConsensusAction[]): void {
    const members = this.membersOf.get(replica)!;
    const epoch = replica.epoch;
    for (const a of actions) {
      switch (a.type) {
        case "broadcast":
          for (const k of members) if (k !== node.key) this.queue.push({ epoch, fromKey: node.key, toKey: k, message: a.message });
          break;
        case "send":
          this.queue.push({ epoch, fromKey: node.key, toKey: members[a.to]!, message: a.message });
          break;
        case "deliver": {
          const digest = node.app.execute(a.block.seq, a.block.payload);
          node.delivered.push({ seq: a.block.seq, epoch, certificate: a.block.certificate });
          this.deliveredPayloads.add(toHex(a.block.payload));
          this.events.push([node.key, { type: "executed", seq: a.block.seq, stateDigest: digest, switchAt: node.app.switchAt }]);
          break;
        }
        case "request-batch": {
          const payload = this.pending.find((p) => !this.deliveredPayloads.has(toHex(p)));
          if (payload) this.events.push([node.key, { type: "batch-available", payload }]);
          break;
        }
        case "request-state-transfer": {
          node.transfers.push(a.seq);
          const donor = a.from.map((r) => this.nodes.get(members[r]!)!).find((n) => n.app.height >= a.seq && equalBytes(n.app.digests.get(a.seq)!, a.stateDigest));
          if (donor) {
            node.app.copyFrom(donor.app, a.seq);
            this.events.push([node.key, { type: "state-transferred", seq: a.seq, stateDigest: a.stateDigest, switchAt: node.app.switchAt }]);
          }
          break;
        }
        case "epoch-ended": {
          node.epochEnds.push(a.checkpoint);
          node.retired.push(replica);
          const next = node.app.members;
          // the next epoch's set, from the application state at the checkpoint; newcomers join too
          this.addNode(node.key, next, node.app.version, a.checkpoint, node.app);
          // a newcomer starts its replica (with no state: it transfers the base first)
          for (const k of next) if (!this.nodes.has(k)) this.addNode(k, next, node.app.version, a.checkpoint);
          this.release();
          break;
        }
        case "halt":
          throw new Error(`replica ${node.key} halted: ${a.reason}`);
        default:
          break;
      }
    }
  }

  /** the key indexes of each replica's set (replica i of an epoch is key members[i]) */
  membersOf = new Map<Replica, number[]>();
  /** payloads some replica delivered (hex) */
  deliveredPayloads = new Set<string>();
  /** messages of an epoch their receiver has not reached yet: replayed when it switches */
  held: Envelope[] = [];

  /** Runs until quiet, offering each pending payload until some replica delivers it. */
  run(maxSteps = 200_000): void {
    for (let i = 0; i < maxSteps; i++) {
      const ev = this.events.shift();
      if (ev) {
        this.step(this.nodes.get(ev[0])!, ev[1]);
        continue;
      }
      const env = this.queue.shift();
      if (env) {
        this.route(env);
        continue;
      }
      this.pending = this.pending.filter((p) => !this.deliveredPayloads.has(toHex(p)));
      if (this.pending.length === 0) return;
      this.clock += 10n;
      for (const n of this.nodes.values()) {
        this.step(n, { type: "tick", now: this.clock });
        this.step(n, { type: "batch-available", payload: this.pending[0]! });
      }
      if (this.queue.length === 0 && this.events.length === 0) return; // stuck: the test's assertions say so
    }
    const kinds = new Map<string, number>();
    for (const e of this.queue.slice(0, 2000)) kinds.set(e.message.type, (kinds.get(e.message.type) ?? 0) + 1);
    throw new Error(`network did not quiesce: ${JSON.stringify([...kinds])} pending ${this.pending.length} heights ${[...this.nodes.values()].map((n) => n.app.height).join(",")}`);
  }

  route(env: Envelope): void {
    if (this.down.has(env.toKey)) return;
    const to = this.nodes.get(env.toKey);
    if (!to) return;
    const target = to.replica?.epoch === env.epoch ? to.replica : to.retired.find((r) => r.epoch === env.epoch);
    if (!target) {
      if (!to.replica || env.epoch > to.replica.epoch) this.held.push(env);
      return;
    }
    this.perform(to, target, target.step({ type: "message", message: env.message }));
  }

  /** Replays held messages (after a node switched epochs). */
  release(): void {
    const held = this.held;
    this.held = [];
    this.queue.push(...held);
  }

  submit(...payloads: string[]): void {
    this.pending.push(...payloads.map(utf8));
    this.run();
  }

  live(): Node[] {
    return [...this.nodes.values()].filter((n) => n.replica !== undefined);
  }
}

const chainOf = (n: Node) => [...n.app.digests.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([s, d]) => `${s}:${toHex(d).slice(0, 12)}`);

t.test("4 -> 5: every replica ends epoch 0 at the same stable checkpoint, the newcomer transfers state, epoch 1 orders with five", async (t) => {
  const net = new Net([0, 1, 2, 3]);
  net.submit("a", "b", "c");
  t.equal(net.nodes.get(0)!.app.height, 3n);
  net.submit("SET:0,1,2,3,4");
  const decidedAt = net.nodes.get(0)!.app.height;
  const end = epochEndFor(decidedAt, K, L);
  t.equal(end, ((decidedAt + 1n) / 2n) * 2n + epochAlpha(K, L), "end: the first checkpoint at or after the decision, plus α");
  for (let i = 0; net.nodes.get(0)!.epochEnds.length === 0 && i < 20; i++) net.submit(`x${i}`);
  for (const k of [0, 1, 2, 3]) {
    const n = net.nodes.get(k)!;
    t.equal(n.epochEnds.length, 1, `replica ${k} ended epoch 0`);
    t.equal(n.epochEnds[0]?.seq, end, `replica ${k} ended it at ${end}`);
    t.ok(n.delivered.filter((d) => d.epoch === 0n).every((d) => d.seq <= end), "nothing above the end was ordered in epoch 0");
  }
  net.release();
  net.submit("after-1", "after-2", "after-3");
  const newcomer = net.nodes.get(4)!;
  t.same(newcomer.transfers, [end], "the newcomer fetched the state at the epoch's base before anything else");
  t.equal(newcomer.replica?.epoch, 1n);
  const heads = [0, 1, 2, 3, 4].map((k) => chainOf(net.nodes.get(k)!));
  for (const h of heads) t.same(h, heads[0], "one chain on all five");
  const epoch1 = net.nodes.get(0)!.delivered.filter((d) => d.epoch === 1n);
  t.ok(epoch1.length >= 3, "epoch 1 orders blocks");
  const five: Validator[] = [0, 1, 2, 3, 4].map((k) => keys.validators[k]!);
  const four: Validator[] = [0, 1, 2, 3].map((k) => keys.validators[k]!);
  for (const d of epoch1) {
    t.equal(d.certificate.epoch, 1n, `block ${d.seq}'s certificate names epoch 1`);
    t.ok(verifyCommitCertificate(d.certificate, five, keys.verify, { epoch: 1n }).ok, "verifies against the five");
    t.notOk(verifyCommitCertificate(d.certificate, four, keys.verify).ok, "not against the four");
    t.notOk(verifyCommitCertificate({ ...d.certificate, epoch: undefined }, five, keys.verify).ok, "nor as an epoch-0 certificate");
  }
  t.ok(newcomer.delivered.some((d) => d.epoch === 1n), "the newcomer delivers in epoch 1");
});

t.test("4 -> 5 -> 7 -> 6: sets grow and shrink; a removed replica orders nothing more", async (t) => {
  const net = new Net([0, 1, 2, 3]);
  const untilEpoch = (e: bigint) => {
    for (let i = 0; i < 40 && net.live().some((n) => (n.replica?.epoch ?? -1n) < e); i++) {
      net.release();
      net.submit(`fill-${e}-${i}`);
    }
    net.release();
  };
  net.submit("SET:0,1,2,3,4");
  untilEpoch(1n);
  net.submit("SET:0,1,2,3,4,5", "SET:0,1,2,3,4,5,6");
  t.equal(net.nodes.get(0)!.app.members.length, 7, "two changes decided in one epoch");
  untilEpoch(3n);
  t.equal(net.nodes.get(0)!.replica?.epoch, 3n, "both take effect at one switch: the epoch is the set's version");
  t.equal(net.nodes.get(6)!.replica?.epoch, 3n);
  net.submit("SET:0,1,2,4,5,6");
  untilEpoch(4n);
  const removed = net.nodes.get(3)!;
  t.equal(removed.replica, undefined, "the removed validator runs no replica in epoch 4");
  const removedAt = removed.app.height;
  net.submit("p", "q", "r");
  t.equal(removed.app.height, removedAt, "and executes nothing of epoch 4 through consensus");
  const heads = [0, 1, 2, 4, 5, 6].map((k) => chainOf(net.nodes.get(k)!));
  for (const h of heads) t.same(h, heads[0], "one chain on the six");
  const six = [0, 1, 2, 4, 5, 6].map((k) => keys.validators[k]!);
  const epoch4 = net.nodes.get(5)!.delivered.filter((d) => d.epoch === 4n);
  t.ok(epoch4.length > 0 && epoch4.every((d) => d.certificate.commits.length >= 4 && verifyCommitCertificate(d.certificate, six, keys.verify, { epoch: 4n }).ok), "epoch 4 certificates: a quorum (4) of the six");
});

t.test("a replica signs nothing above lastExecuted + α + 1: behind a transferred checkpoint it waits for the state", async (t) => {
  t.equal(epochAlpha(2, 4), 4n);
  t.equal(epochAlpha(2, 5), 6n);
  t.same([1n, 2n, 3n, 4n].map((s) => epochEndFor(s, 2, 5)), [8n, 8n, 10n, 10n], "the first checkpoint at or after the decision, plus α");
  const cfg = { ...configOf([0, 1, 2, 3], 0n), watermarkWindow: 5 }; // α = 6
  const crypto = (k: number) => ({ sign: keys.signer(k), verify: keys.verify, hash: sha256 });
  const r = Replica.create({ config: cfg, self: 1, crypto: crypto(1), batches, now: T0 + 1000n });
  r.start();
  r.step({ type: "tick", now: T0 + 1000n });
  // a quorum proves a checkpoint at 10 this replica never saw: it adopts it and fetches the state
  const digest10 = sha256(utf8("state at 10"));
  for (const k of [0, 2, 3]) {
    const body = { seq: 10n, timestamp: T0 + 500n, stateDigest: digest10, replica: k };
    r.step({ type: "message", message: { type: "checkpoint", ...body, signature: keys.signer(k)(checkpointSigningBytes(CHAIN, body)) } });
  }
  t.equal(r.stableCheckpoint.seq, 10n);
  t.equal(r.lastExecuted, 0n);
  // seq 11 is inside the window (10 < 11 <= 15) but above 0 + α + 1 = 7: a change decided in 1..10 could end the epoch below it
  const payload = utf8("eleven");
  const body = { type: "pre-prepare" as const, view: 0n, seq: 11n, timestamp: T0 + 600n, digest: digestBatch(11n, T0 + 600n, payload), replica: 0 };
  const pp = { ...body, signature: keys.signer(0)(prePrepareSigningBytes(CHAIN, body)), payload };
  const before = r.step({ type: "message", message: pp });
  t.notOk(before.some((a) => a.type === "broadcast" && a.message.type === "prepare"), "no prepare while the state below is unknown");
  const after = r.step({ type: "state-transferred", seq: 10n, stateDigest: digest10 });
  t.ok(after.some((a) => a.type === "broadcast" && a.message.type === "prepare" && a.message.seq === 11n), "once the state (and any decision in it) is known, it prepares");

  // the same, but the state reports a switch at 10: the epoch ends there and 11 is never signed
  const r2 = Replica.create({ config: cfg, self: 1, crypto: crypto(1), batches, now: T0 + 1000n });
  r2.start();
  r2.step({ type: "tick", now: T0 + 1000n });
  for (const k of [0, 2, 3]) {
    const b = { seq: 10n, timestamp: T0 + 500n, stateDigest: digest10, replica: k };
    r2.step({ type: "message", message: { type: "checkpoint", ...b, signature: keys.signer(k)(checkpointSigningBytes(CHAIN, b)) } });
  }
  r2.step({ type: "message", message: pp });
  const ended = r2.step({ type: "state-transferred", seq: 10n, stateDigest: digest10, switchAt: 10n });
  t.notOk(ended.some((a) => a.type === "broadcast" && a.message.type === "prepare"), "nothing above the epoch's end is signed");
  t.match(ended.find((a) => a.type === "epoch-ended"), { epoch: 0n, checkpoint: { seq: 10n } }, "the epoch ends at its stable, executed last checkpoint");
  t.ok(r2.retired);
  t.same(r2.step({ type: "message", message: pp }), [], "a retired replica takes no pre-prepare");
});

t.test("a signature of one epoch does not verify in another", async (t) => {
  const base: StableCheckpoint = { seq: 4n, timestamp: T0 + 5n, stateDigest: sha256(utf8("s4")), proof: [] };
  const r = Replica.restore({
    config: configOf([0, 1, 2, 3], 1n, base),
    self: 0,
    crypto: { sign: keys.signer(0), verify: keys.verify, hash: sha256 },
    batches,
    records: [],
    executed: { seq: 4n, timestamp: base.timestamp, stateDigest: base.stateDigest },
    now: T0 + 1000n,
  });
  r.start();
  const body = { view: 0n, seq: 5n, digest: sha256(utf8("d")), replica: 2 };
  const epoch0 = { type: "prepare" as const, ...body, signature: keys.signer(2)(prepareSigningBytes(CHAIN, body)) };
  const epoch1 = { type: "prepare" as const, ...body, signature: keys.signer(2)(prepareSigningBytes(`${CHAIN}/epoch/1`, body)) };
  r.step({ type: "message", message: epoch0 });
  t.equal(r.counters.dropped.badSignature, 1, "an epoch-0 prepare is a bad signature in epoch 1");
  r.step({ type: "message", message: epoch1 });
  t.equal(r.counters.dropped.badSignature, 1, "the epoch-1 one is taken");
  t.throws(() => configOf([0, 1, 2, 3], 0n) && Replica.create({ config: { ...configOf([0, 1, 2, 3], 0n), baseSeq: 4n }, self: 0, crypto: { sign: keys.signer(0), verify: keys.verify, hash: sha256 }, batches }), /epoch number > 0/);
});
