// The reconfiguration simulator (docs/governance.md §8): seeded runs of the real PBFT core
// (consensus/) through validator-set changes, under faults. Each node is a real Replica per epoch
// with durable write-ahead records (crashes restart from them), a toy application whose blocks may
// decide a new set ("SET:" payloads, exactly the ledger's rule: the set takes over after
// epochEndFor(the deciding block), or after a switch still pending), and the node's part of an
// epoch switch: on `epoch-ended` it starts the next epoch's replica from the set in its state at
// that checkpoint, an added node starts with no state and transfers the base, a removed one stops.
// Messages carry their epoch (the wire's job in the node); a message of an epoch the receiver has
// not reached is dropped (retransmission brings it again); a node past an epoch answers that
// epoch's laggards' STATUS with the epoch's final checkpoint proof.
//
// Faults while changes happen: message loss, duplication, delays (reordering), partitions, crashes
// with restart from durable records, and one Byzantine key (a member of the old set, of a new one,
// or both) that is silent, equivocates as primary, or signs wrong checkpoints. Then the network
// heals and crashed nodes restart.
//
// Checks: safety — every honest node that executed seq s executed the same digest; every delivered
// certificate verifies against the set of its epoch (and names it); all honest nodes end an epoch
// at the same seq and start the same next set; no honest replica halts. Liveness — after the heal,
// every submitted payload is executed by every honest member of the final set within 60 virtual
// seconds (the time it took is reported).
// This simulator drives the core directly; test/sim/simulator.ts drives it through the node's
// driver, which does not switch epochs yet (docs/governance.md §9).
import { concatBytes, equalBytes, fromUtf8, toHex, u64be, utf8 } from "../../sdk/bytes.js";
import { verifyCommitCertificate, type CommitCertificate } from "../../sdk/commit.js";
import { Replica, type ConsensusAction, type ConsensusConfig, type ConsensusEvent, type ConsensusMessage, type PersistedRecord, type StableCheckpoint } from "../../consensus/index.js";
import { epochEndFor } from "../../consensus/replica.js";
import { checkpointSigningBytes, prePrepareSigningBytes } from "../../consensus/messages.js";
import { makeKeys, sha256, type SimKeys } from "./crypto.js";
import { Prng } from "./prng.js";
import { EventQueue } from "./event-queue.js";

const CHAIN = "tradeledger-reconfig";
const T0 = 1_700_000_000_000n;
const GENESIS = sha256(utf8("reconfig-genesis"));
/** node keys the sets are drawn from */
const POOL = 9;
const LIVENESS_MS = 60_000;
const EVENT_BUDGET = 3_000_000;

export type ByzantineKind = "silent" | "equivocate" | "bad-checkpoint";

export interface ReconfigResult {
  seed: bigint;
  violations: string[];
  liveness: string | null;
  /** virtual ms from the heal until every honest member of the final set executed every payload */
  healToDoneMs: number | null;
  epochs: number;
  blocks: bigint;
  scenario: string;
}

const digestBatch = (seq: bigint, ts: bigint, payload: Uint8Array) => sha256(concatBytes(u64be(seq), u64be(ts), payload));
const batchRules = { digestBatch, validateBatch: (_s: bigint, _t: bigint, p: Uint8Array) => (p.length > 0 ? true : "empty") };

/** The application: a hash chain of payloads; a "SET:" payload decides the next set (as the ledger's rule does). */
class App {
  digests = new Map<bigint, Uint8Array>([[0n, GENESIS]]);
  payloads = new Set<string>();
  height = 0n;
  constructor(
    public members: number[],
    public version = 0n,
    public switchAt = 0n,
    readonly K = 5,
    readonly L = 10,
  ) {}
  execute(seq: bigint, payload: Uint8Array): Uint8Array {
    if (seq !== this.height + 1n) throw new Error(`executes ${seq} after ${this.height}`);
    const text = fromUtf8(payload);
    if (text.startsWith("SET:")) {
      const next = text.slice(4, text.indexOf("|")).split(",").map(Number);
      if (next.length >= 4 && next.length <= 7 && next.join() !== this.members.join()) {
        this.members = next;
        this.version++;
        this.switchAt = this.switchAt >= seq ? this.switchAt : epochEndFor(seq, this.K, this.L);
      }
    }
    const d = sha256(concatBytes(this.digests.get(this.height)!, payload));
    this.height = seq;
    this.digests.set(seq, d);
    this.payloads.add(toHex(payload));
    return d;
  }
  copyFrom(o: App, seq: bigint): void {
    // a state transfer to `seq`: the donor's state there (the simulation keeps whole histories)
    if (o.height < seq) throw new Error("donor behind");
    this.digests = new Map([...o.digests].filter(([s]) => s <= seq));
    this.payloads = new Set(o.payloadsUpTo(seq));
    this.payloadLog = o.payloadLog.filter(([s]) => s <= seq);
    this.sets = o.sets.filter((s) => s.seq <= seq);
    this.height = seq;
    const at = o.setAt(seq);
    this.members = at.members;
    this.version = at.version;
    this.switchAt = at.switchAt;
  }
  /** history of the set: what it was after each change */
  sets: { seq: bigint; members: number[]; version: bigint; switchAt: bigint }[] = [];
  payloadLog: [bigint, string][] = [];
  payloadsUpTo(seq: bigint): string[] {
    return this.payloadLog.filter(([s]) => s <= seq).map(([, p]) => p);
  }
  setAt(seq: bigint): { members: number[]; version: bigint; switchAt: bigint } {
    let best = { members: this.initial, version: 0n, switchAt: 0n };
    for (const s of this.sets) if (s.seq <= seq) best = s;
    return { members: [...best.members], version: best.version, switchAt: best.switchAt };
  }
  initial: number[] = [];
  record(seq: bigint, payload: Uint8Array): void {
    this.payloadLog.push([seq, toHex(payload)]);
    const last = this.sets[this.sets.length - 1];
    if (this.version !== (last?.version ?? 0n)) this.sets.push({ seq, members: [...this.members], version: this.version, switchAt: this.switchAt });
  }
}

interface EpochInfo {
  epoch: bigint;
  members: number[];
  base?: StableCheckpoint;
}

class Node {
  replica?: Replica;
  /** durable */
  records: PersistedRecord[] = [];
  epoch: EpochInfo;
  /** durable: the final checkpoint of every epoch this node finished, for that epoch's laggards */
  finals = new Map<bigint, { members: number[]; checkpoint: StableCheckpoint }>();
  app: App;
  up = true;
  incarnation = 0;
  timers = new Map<string, number>();
  byzantine?: ByzantineKind;
  transfers = 0;
  lastTick = -1n;
  tickedReplica?: Replica;
  constructor(
    readonly key: number,
    members: number[],
    K: number,
    L: number,
  ) {
    this.app = new App([...members], 0n, 0n, K, L);
    this.app.initial = [...members];
    this.epoch = { epoch: 0n, members: [...members] };
  }
  get honest(): boolean {
    return this.byzantine === undefined;
  }
}

interface Envelope {
  epoch: bigint;
  from: number;
  to: number;
  message: ConsensusMessage;
}

export class ReconfigSimulation {
  readonly rng: Prng;
  readonly keys: SimKeys;
  readonly nodes = new Map<number, Node>();
  readonly K = 5;
  readonly L = 10;
  now = 0;
  private readonly queue = new EventQueue();
  loss = 0;
  dup = 0;
  maxDelay = 25;
  groups: Map<number, number> | null = null;
  crashes = false;
  readonly violations: string[] = [];
  readonly submitted: Uint8Array[] = [];
  /** seq -> the first honest execution's digest */
  readonly reference = new Map<bigint, Uint8Array>();
  /** epoch -> the set and its first seq, as the first honest node to start it saw it */
  readonly epochSets = new Map<bigint, { members: number[]; baseSeq: bigint; base?: StableCheckpoint }>();
  readonly scenario: string[] = [];

  constructor(readonly seed: bigint) {
    this.rng = new Prng(seed);
    this.keys = makeKeys("fast", POOL, seed);
    const n = seed % 2n === 0n ? 4 : 7;
    const initial = [...Array(n).keys()];
    for (const k of initial) this.nodes.set(k, new Node(k, initial, this.K, this.L));
    this.epochSets.set(0n, { members: initial, baseSeq: 0n });
  }

  // ---- event loop ------------------------------------------------------------------------------

  schedule(after: number, run: () => void): void {
    this.queue.push(this.now + Math.max(0, Math.round(after)), run);
  }

  /** events run so far: a run that exceeds EVENT_BUDGET is stopped and reported (a message storm is a bug) */
  events = 0;
  stormAt?: number;
  runUntil(t: number, stop?: () => boolean): void {
    for (;;) {
      if (this.stormAt !== undefined) return;
      if (++this.events > EVENT_BUDGET) {
        this.stormAt = this.now;
        this.violation(`more than ${EVENT_BUDGET} events: a message or timer storm`);
        return;
      }
      if (stop?.()) return;
      const next = this.queue.peekTime();
      if (next === undefined || next > t) {
        this.now = t;
        return;
      }
      const e = this.queue.pop()!;
      this.now = e.time;
      e.run();
    }
  }

  violation(msg: string): void {
    if (this.violations.length < 20) this.violations.push(`t=${this.now}: ${msg}`);
  }

  // ---- nodes -------------------------------------------------------------------------------------

  configOf(info: EpochInfo): ConsensusConfig {
    return {
      chainId: CHAIN,
      validators: info.members.map((k) => this.keys.validators[k]!),
      genesisTime: info.base?.timestamp ?? T0,
      genesisStateDigest: info.base?.stateDigest ?? GENESIS,
      checkpointInterval: this.K,
      watermarkWindow: this.L,
      maxBatchesInFlight: 3,
      requestTimeoutMs: 600,
      viewChangeTimeoutMs: 600,
      maxViewChangeTimeoutMs: 5000,
      maxTimestampDriftMs: 3000,
      statusIntervalMs: 200,
      ...(info.epoch > 0n ? { epoch: info.epoch, baseSeq: info.base!.seq } : {}),
    };
  }

  /** Starts (or restarts, from durable records) a node's replica for its current epoch. */
  boot(node: Node): void {
    node.incarnation++;
    node.up = true;
    node.timers.clear();
    const self = node.epoch.members.indexOf(node.key);
    if (self < 0) {
      node.replica = undefined;
      // not a member of its epoch: like an observer it follows the chain, and a later set that has
      // it again (it was down at that switch) gets it back, from that set's base
      let later: bigint | undefined;
      for (const [e, s] of this.epochSets) if (e > node.epoch.epoch && s.base && s.members.includes(node.key) && (later === undefined || e > later)) later = e;
      if (later !== undefined) {
        const s = this.epochSets.get(later)!;
        node.epoch = { epoch: later, members: [...s.members], base: s.base };
        node.records = [];
        this.boot(node);
      }
      return;
    }
    const app = node.app;
    node.replica = Replica.restore({
      config: this.configOf(node.epoch),
      self,
      crypto: { sign: this.keys.signer(node.key), verify: this.keys.verify, hash: sha256 },
      batches: batchRules,
      records: node.records.slice(),
      executed: { seq: app.height, timestamp: this.timeOf(node, app.height), stateDigest: app.digests.get(app.height)!, switchAt: app.switchAt },
      now: this.clock(node),
    });
    this.perform(node, node.replica, node.replica.start());
    this.step(node, { type: "tick", now: this.clock(node) });
    // the node's mempool still holds what is not executed: the new replica hears of it (a backup
    // then expects the primary to order it, and suspects one that does not)
    const waiting = this.submitted.find((p) => !app.payloads.has(toHex(p)));
    if (waiting) this.step(node, { type: "batch-available", payload: waiting });
    if (!this.epochSets.has(node.epoch.epoch)) this.epochSets.set(node.epoch.epoch, { members: [...node.epoch.members], baseSeq: node.epoch.base?.seq ?? 0n });
  }

  private blockTimes = new Map<string, bigint>();
  private timeOf(node: Node, seq: bigint): bigint {
    if (seq === 0n) return T0;
    return this.blockTimes.get(`${node.key}/${seq}`) ?? this.blockTimes.get(`ref/${seq}`) ?? T0;
  }

  /** each node's wall clock: virtual time plus its skew */
  clock(node: Node): bigint {
    return T0 + 1000n + BigInt(this.now) + BigInt(node.key * 7 - 20);
  }

  step(node: Node, event: ConsensusEvent): void {
    if (!node.up || !node.replica) return;
    this.tick(node, node.replica);
    this.perform(node, node.replica, node.replica.step(event));
  }

  /** The node's clock reaches the replica before each event (the driver's tick). */
  private tick(node: Node, replica: Replica): void {
    const now = this.clock(node);
    if (node.lastTick === now && node.tickedReplica === replica) return;
    node.lastTick = now;
    node.tickedReplica = replica;
    replica.step({ type: "tick", now });
  }

  perform(node: Node, replica: Replica, actions: ConsensusAction[]): void {
    const members = node.epoch.members;
    const epoch = replica.epoch;
    const inc = node.incarnation;
    const live = () => node.up && node.incarnation === inc && node.replica === replica;
    for (const a of actions) {
      if (!live()) return;
      switch (a.type) {
        case "persist":
          node.records.push(a.record);
          break;
        case "broadcast":
          for (const k of members) if (k !== node.key) this.send(node, epoch, k, a.message);
          break;
        case "send":
          this.send(node, epoch, members[a.to]!, a.message);
          break;
        case "set-timer": {
          node.timers.set(a.timer, a.id);
          this.schedule(a.afterMs, () => {
            if (live() && node.timers.get(a.timer) === a.id) {
              node.timers.delete(a.timer);
              this.step(node, { type: "timeout", timer: a.timer, id: a.id });
            }
          });
          break;
        }
        case "cancel-timer":
          node.timers.delete(a.timer);
          break;
        case "deliver":
          this.execute(node, epoch, a.block.seq, a.block.timestamp, a.block.payload, a.block.certificate);
          break;
        case "request-batch": {
          const payload = this.submitted.find((p) => !node.app.payloads.has(toHex(p)) && !replica.pendingBatches().some((b) => equalBytes(b.payload, p)));
          if (payload) this.schedule(1, () => live() && this.step(node, { type: "batch-available", payload }));
          break;
        }
        case "request-state-transfer":
          this.transfer(node, live, a.seq, a.stateDigest, a.from.map((r) => members[r]!));
          break;
        case "epoch-ended":
          this.endEpoch(node, a.epoch, a.checkpoint);
          return;
        case "halt":
          if (node.honest) this.violation(`node ${node.key} halted: ${a.reason}`);
          node.replica = undefined;
          return;
        default:
          break;
      }
    }
  }

  private execute(node: Node, epoch: bigint, seq: bigint, ts: bigint, payload: Uint8Array, cert: CommitCertificate): void {
    const set = this.epochSets.get(epoch);
    if (node.honest) {
      if (!set) this.violation(`node ${node.key} delivered ${seq} in epoch ${epoch}, which no node started`);
      else if ((cert.epoch ?? 0n) !== epoch || !verifyCommitCertificate(cert, set.members.map((k) => this.keys.validators[k]!), this.keys.verify, { chainId: CHAIN, seq, epoch }).ok) {
        this.violation(`node ${node.key}: certificate of ${seq} does not verify against epoch ${epoch}'s set`);
      }
      if (set && seq <= set.baseSeq) this.violation(`node ${node.key} delivered ${seq} in epoch ${epoch}, at or below its base ${set.baseSeq}`);
    }
    if (seq !== node.app.height + 1n) {
      this.violation(`node ${node.key} delivered ${seq} in epoch ${epoch} with its state at ${node.app.height} (replica: delivered ${node.replica?.lastDelivered}, executed ${node.replica?.lastExecuted}, stable ${node.replica?.stableCheckpoint.seq}, transfers ${node.transfers})`);
      return;
    }
    const digest = node.app.execute(seq, payload);
    node.app.record(seq, payload);
    this.blockTimes.set(`${node.key}/${seq}`, ts);
    if (node.honest) {
      const ref = this.reference.get(seq);
      if (!ref) {
        this.reference.set(seq, digest);
        this.blockTimes.set(`ref/${seq}`, ts);
      } else if (!equalBytes(ref, digest)) this.violation(`fork at ${seq}: node ${node.key} executed another state`);
    }
    const replica = node.replica!;
    const inc = node.incarnation;
    this.schedule(this.rng.int(0, 3), () => {
      if (node.up && node.incarnation === inc && node.replica === replica) this.step(node, { type: "executed", seq, stateDigest: digest, switchAt: node.app.switchAt });
    });
  }

  private transfer(node: Node, live: () => boolean, seq: bigint, digest: Uint8Array, from: number[]): void {
    node.transfers++;
    this.schedule(this.rng.int(20, 120), () => {
      if (!live()) return;
      const donor = from.map((k) => this.nodes.get(k)!).find((d) => d.up && d.app.height >= seq && equalBytes(d.app.digests.get(seq)!, digest) && this.reachable(d.key, node.key));
      if (!donor) {
        this.step(node, { type: "state-transfer-failed", seq, reason: "no donor" });
        return;
      }
      // like the node's block sync: state only moves forward (an older transfer finishing late is a no-op)
      if (node.app.height < seq) node.app.copyFrom(donor.app, seq);
      for (let s = 1n; s <= seq; s++) {
        const t = this.blockTimes.get(`${donor.key}/${s}`);
        if (t !== undefined) this.blockTimes.set(`${node.key}/${s}`, t);
      }
      if (node.honest) {
        for (let s = 1n; s <= seq; s++) {
          const ref = this.reference.get(s);
          if (ref && !equalBytes(ref, node.app.digests.get(s)!)) this.violation(`node ${node.key} transferred a state that forks at ${s}`);
        }
      }
      this.step(node, { type: "state-transferred", seq, stateDigest: digest, switchAt: node.app.switchAt });
    });
  }

  /** The node's part of the switch: the next epoch's replica from the set in its state at the checkpoint. */
  private endEpoch(node: Node, epoch: bigint, cp: StableCheckpoint): void {
    const app = node.app;
    if (app.height !== cp.seq) this.violation(`node ${node.key} ended epoch ${epoch} at ${cp.seq} with state at ${app.height}`);
    if (app.switchAt !== cp.seq) this.violation(`node ${node.key} ended epoch ${epoch} at ${cp.seq}, its state says ${app.switchAt}`);
    node.finals.set(epoch, { members: node.epoch.members, checkpoint: cp });
    const next: EpochInfo = { epoch: app.version, members: [...app.members], base: cp };
    const known = this.epochSets.get(next.epoch);
    if (known && node.honest && (known.members.join() !== next.members.join() || known.baseSeq !== cp.seq)) {
      this.violation(`node ${node.key} starts epoch ${next.epoch} with set ${next.members} at ${cp.seq}; another did with ${known.members} at ${known.baseSeq}`);
    }
    if (!known) {
      this.scenario.push(`epoch ${next.epoch} from seq ${cp.seq}: [${next.members.join(",")}]`);
      if (node.honest) this.epochSets.set(next.epoch, { members: [...next.members], baseSeq: cp.seq, base: cp });
    } else if (!known.base && node.honest && known.baseSeq === cp.seq) {
      // first started by a Byzantine node (its boot recorded the set, not the base): the base an
      // honest node ended with is what a re-added node that was down boots from
      known.base = cp;
    }
    node.epoch = next;
    node.records = [];
    this.boot(node);
    // newcomers: the operator starts them now (they hold no state and fetch the base)
    for (const k of next.members) {
      let n = this.nodes.get(k);
      if (!n) {
        n = new Node(k, this.epochSets.get(0n)!.members, this.K, this.L);
        if (k === this.byzantineKey) n.byzantine = this.byzantineKind;
        this.nodes.set(k, n);
      }
      if (!n.replica && n.up && n.epoch.epoch < next.epoch) {
        n.epoch = { ...next, members: [...next.members] };
        n.records = [];
        this.boot(n);
      }
    }
  }

  byzantineKey = -1;
  byzantineKind: ByzantineKind = "silent";

  // ---- network -------------------------------------------------------------------------------------

  reachable(a: number, b: number): boolean {
    if (!this.groups) return true;
    return (this.groups.get(a) ?? 0) === (this.groups.get(b) ?? 0);
  }

  private send(from: Node, epoch: bigint, to: number, message: ConsensusMessage): void {
    for (const m of this.byzantineRewrite(from, epoch, to, message)) {
      if (!this.reachable(from.key, to) || this.rng.chance(this.loss)) continue;
      const copies = this.rng.chance(this.dup) ? 2 : 1;
      for (let i = 0; i < copies; i++) this.schedule(this.rng.int(1, this.maxDelay), () => this.receive({ epoch, from: from.key, to, message: m }));
    }
  }

  private receive(env: Envelope): void {
    const node = this.nodes.get(env.to);
    if (!node || !node.up || !this.reachable(env.from, env.to)) return;
    const current = node.replica?.epoch ?? node.epoch.epoch;
    if (env.epoch === current && node.replica) {
      this.tick(node, node.replica);
      this.perform(node, node.replica, node.replica.step({ type: "message", message: env.message }));
      return;
    }
    // a laggard of an epoch this node finished: the epoch's final checkpoint proof
    const final = node.finals.get(env.epoch);
    if (final && env.message.type === "status" && env.message.stableSeq < final.checkpoint.seq) {
      for (const cp of final.checkpoint.proof) this.send(node, env.epoch, env.from, cp);
    }
  }

  /** What a Byzantine node does to what its honest replica would send (it signs only with its own key). */
  private byzantineRewrite(from: Node, epoch: bigint, to: number, m: ConsensusMessage): ConsensusMessage[] {
    if (!from.byzantine) return [m];
    const signer = this.keys.signer(from.key);
    const chain = epoch === 0n ? CHAIN : `${CHAIN}/epoch/${epoch}`;
    switch (from.byzantine) {
      case "silent":
        return m.type === "status" ? [m] : [];
      case "bad-checkpoint":
        if (m.type !== "checkpoint") return [m];
        {
          const body = { seq: m.seq, timestamp: m.timestamp, stateDigest: sha256(concatBytes(m.stateDigest, utf8("lie"))), replica: m.replica };
          return [{ type: "checkpoint", ...body, signature: signer(checkpointSigningBytes(chain, body)) }];
        }
      case "equivocate":
        if (m.type !== "pre-prepare" || to % 2 === 0) return [m];
        {
          const payload = concatBytes(m.payload, utf8(`|forged-for-${to}`));
          const body = { type: "pre-prepare" as const, view: m.view, seq: m.seq, timestamp: m.timestamp, digest: digestBatch(m.seq, m.timestamp, payload), replica: m.replica };
          return [{ ...body, signature: signer(prePrepareSigningBytes(chain, body)), payload }];
        }
    }
  }

  // ---- the run ---------------------------------------------------------------------------------------

  submit(text: string): void {
    const p = utf8(`${text}|${this.submitted.length}`);
    this.submitted.push(p);
    for (const n of this.nodes.values()) if (n.up && n.replica) this.step(n, { type: "batch-available", payload: p });
  }

  /** A change: add a key of the pool not in the set, or remove one, keeping 4..7. */
  randomChange(members: number[]): number[] {
    const outside = [...Array(POOL).keys()].filter((k) => !members.includes(k));
    const add = members.length < 7 && (members.length <= 4 || this.rng.chance(0.5)) && outside.length > 0;
    if (add) return [...members, outside[this.rng.int(0, outside.length - 1)]!];
    const out = members[this.rng.int(0, members.length - 1)]!;
    return members.filter((k) => k !== out);
  }

  latestSet(): number[] {
    let best: Node | undefined;
    for (const n of this.nodes.values()) if (n.honest && (!best || n.app.version > best.app.version)) best = n;
    return [...best!.app.members];
  }
}

/** One seeded run: faults with random changes, heal, then the checks. */
export function runReconfigSeed(seed: bigint): ReconfigResult {
  const sim = new ReconfigSimulation(seed);
  const rng = sim.rng;
  // one Byzantine key, a member of the initial set or of a later one (f >= 1 in every set of 4..7)
  const kinds: ByzantineKind[] = ["silent", "equivocate", "bad-checkpoint"];
  if (rng.chance(0.7)) {
    sim.byzantineKey = rng.int(0, POOL - 1);
    sim.byzantineKind = kinds[rng.int(0, kinds.length - 1)]!;
    const existing = sim.nodes.get(sim.byzantineKey);
    if (existing) existing.byzantine = sim.byzantineKind;
    sim.scenario.push(`byzantine key ${sim.byzantineKey} (${sim.byzantineKind}, ${existing ? "in the initial set" : "joins later if added"})`);
  }
  for (const n of sim.nodes.values()) sim.boot(n);

  const faultMs = rng.int(3000, 8000);
  sim.loss = rng.chance(0.5) ? rng.float() * 0.3 : 0;
  sim.dup = rng.chance(0.3) ? 0.1 : 0;
  sim.maxDelay = rng.chance(0.5) ? 200 : 25;
  sim.scenario.push(`initial [${sim.epochSets.get(0n)!.members.join(",")}], faults ${faultMs} ms, loss ${sim.loss.toFixed(2)}, dup ${sim.dup}, delay <= ${sim.maxDelay}`);
  let changes = 0;
  let payloads = 0;
  const crashed = new Set<Node>();
  while (sim.now < faultMs) {
    const r = rng.float();
    if (r < 0.12 && changes < 4) {
      const next = sim.randomChange(sim.latestSet());
      sim.submit(`SET:${next.join(",")}`);
      changes++;
    } else if (r < 0.2 && !sim.groups) {
      const keys = [...sim.nodes.keys()];
      sim.groups = new Map(keys.map((k) => [k, rng.chance(0.3) ? 1 : 0]));
      sim.schedule(rng.int(200, 1500), () => (sim.groups = null));
    } else if (r < 0.27) {
      const candidates = [...sim.nodes.values()].filter((n) => n.up && n.honest);
      if (candidates.length > 0 && crashed.size < 1) {
        const n = candidates[rng.int(0, candidates.length - 1)]!;
        n.up = false;
        n.incarnation++;
        crashed.add(n);
        sim.schedule(rng.int(300, 2000), () => {
          crashed.delete(n);
          sim.boot(n);
        });
      }
    } else {
      sim.submit(`tx-${payloads++}`);
    }
    sim.runUntil(sim.now + rng.int(50, 400));
  }
  // heal: the network, the crashed nodes; a few more payloads
  sim.loss = 0;
  sim.dup = 0;
  sim.maxDelay = 25;
  sim.groups = null;
  for (const n of crashed) sim.boot(n);
  crashed.clear();
  const healedAt = sim.now;
  for (let i = 0; i < 3; i++) sim.submit(`after-${i}`);
  const done = (): boolean => {
    const finalSet = sim.latestSet();
    const finalVersion = [...sim.nodes.values()].filter((n) => n.honest).reduce((v, n) => (n.app.version > v ? n.app.version : v), 0n);
    return finalSet.every((k) => {
      const n = sim.nodes.get(k);
      if (!n || !n.honest) return true;
      return n.replica?.epoch === finalVersion && sim.submitted.every((p) => n.app.payloads.has(toHex(p)));
    });
  };
  sim.runUntil(healedAt + LIVENESS_MS, done);
  const ok = done();
  let blocks = 0n;
  for (const s of sim.reference.keys()) if (s > blocks) blocks = s;
  return {
    seed,
    violations: sim.violations,
    liveness: ok ? null : `not every honest member of [${sim.latestSet().join(",")}] executed every payload within ${LIVENESS_MS} ms of the heal (heights ${[...sim.nodes.values()].map((n) => `${n.key}:${n.app.height}/e${n.replica?.epoch ?? "-"}`).join(" ")})`,
    healToDoneMs: ok ? sim.now - healedAt : null,
    epochs: sim.epochSets.size,
    blocks,
    scenario: sim.scenario.join("; "),
  };
}
