// Unit tests of the PBFT core (consensus/) and of commit certificates (sdk/commit.ts): signing
// bytes against known answers, certificate verification, persist-before-send, restart without
// conflicting signatures, drop counters, timestamp rules, the new-view plan and record compaction.
import t from "tap";
import { concatBytes, fromHex, toHex, u32be, u64be, utf8 } from "../sdk/bytes.js";
import {
  batchDigest,
  commitSigningBytes,
  quorumSize,
  verifyCommitCertificate,
  type CommitCertificate,
} from "../sdk/commit.js";
import {
  compactRecords,
  planNewView,
  Replica,
  type ConsensusAction,
  type ConsensusConfig,
  type ConsensusMessage,
  type PersistedRecord,
  type PrePrepare,
  type Prepare,
  type ViewChange,
} from "../consensus/index.js";
import { prePrepareSigningBytes, prepareSigningBytes, viewChangeSigningBytes } from "../consensus/messages.js";
import { makeKeys, sha256 } from "./sim/crypto.js";
import { CHAIN_ID, digestBatch, GENESIS_TIME } from "./sim/simulator.js";

const GENESIS_STATE = sha256(utf8("unit-genesis"));
const keys = makeKeys("ed25519", 4, 42n);
const config: ConsensusConfig = {
  chainId: CHAIN_ID,
  validators: keys.validators,
  genesisTime: GENESIS_TIME,
  genesisStateDigest: GENESIS_STATE,
  checkpointInterval: 2,
  watermarkWindow: 4,
  maxBatchesInFlight: 2,
  requestTimeoutMs: 1000,
  viewChangeTimeoutMs: 1000,
  maxViewChangeTimeoutMs: 8000,
  maxTimestampDriftMs: 5000,
  statusIntervalMs: 100,
};
const NOW = GENESIS_TIME + 10_000n;
const A = utf8("batch A: invoice INV-001 financed");
const B = utf8("batch B: the same slot, another batch");
const C = utf8("batch C");

function replica(i: number, records: PersistedRecord[] = [], cfg: ConsensusConfig = config): Replica {
  return Replica.restore({
    config: cfg,
    self: i,
    crypto: { sign: keys.signer(i), verify: keys.verify, hash: sha256 },
    batches: { digestBatch, validateBatch: (_s, _t, p) => (p.length > 0 ? true : "empty") },
    records,
    now: NOW,
  });
}

function prePrepare(view: bigint, seq: bigint, payload: Uint8Array, timestamp = NOW, signer?: number): PrePrepare {
  const primary = Number(view % 4n);
  const body = { type: "pre-prepare" as const, view, seq, timestamp, digest: digestBatch(seq, timestamp, payload), replica: primary };
  return { ...body, signature: keys.signer(signer ?? primary)(prePrepareSigningBytes(CHAIN_ID, body)), payload };
}

function prepare(view: bigint, seq: bigint, digest: Uint8Array, replicaIndex: number): Prepare {
  const body = { view, seq, digest, replica: replicaIndex };
  return { type: "prepare", ...body, signature: keys.signer(replicaIndex)(prepareSigningBytes(CHAIN_ID, body)) };
}

function sent(actions: ConsensusAction[]): ConsensusMessage[] {
  return actions.flatMap((a) => (a.type === "send" || a.type === "broadcast" ? [a.message] : []));
}

function persisted(actions: ConsensusAction[]): PersistedRecord[] {
  return actions.flatMap((a) => (a.type === "persist" ? [a.record] : []));
}

/** Does an earlier record make `m` (signed by its own replica) durable? */
function covers(r: PersistedRecord, m: ConsensusMessage): boolean {
  const same = (a: Uint8Array, b: Uint8Array) => toHex(a) === toHex(b);
  switch (m.type) {
    case "pre-prepare":
      return (
        (r.kind === "pre-prepare" && r.prePrepare.view === m.view && r.prePrepare.seq === m.seq && same(r.prePrepare.digest, m.digest)) ||
        (r.kind === "new-view" && r.newView.prePrepares.some((p) => p.view === m.view && p.seq === m.seq && same(p.digest, m.digest)))
      );
    case "prepare":
      return r.kind === "prepare" && r.prepare.view === m.view && r.prepare.seq === m.seq && same(r.prepare.digest, m.digest);
    case "commit":
      return r.kind === "prepared" && r.certificate.prePrepare.view === m.view && r.certificate.prePrepare.seq === m.seq && same(r.certificate.prePrepare.digest, m.digest);
    case "view-change":
      return r.kind === "view-change" && r.viewChange.view === m.view && same(r.viewChange.signature, m.signature);
    case "new-view":
      return r.kind === "new-view" && r.newView.view === m.view && same(r.newView.signature, m.signature);
    default:
      return true; // checkpoints and status are not promises that need a record
  }
}

/** A tiny in-memory network for four replicas: FIFO delivery, timers fired by hand. */
class Cluster {
  readonly durable: PersistedRecord[][] = [[], [], [], []];
  readonly nodes: (Replica | null)[] = [0, 1, 2, 3].map((i) => replica(i));
  readonly delivered: { seq: bigint; digest: string }[][] = [[], [], [], []];
  readonly timers: Map<string, number>[] = [new Map(), new Map(), new Map(), new Map()];
  readonly problems: string[] = [];
  /** seqs each replica reported certified (a quorum of CHECKPOINTs: stable or the idle tip's) */
  readonly certified: bigint[][] = [[], [], [], []];
  private queue: { to: number; message: ConsensusMessage }[] = [];
  /** replicas whose outgoing messages are dropped */
  readonly muted = new Set<number>();

  constructor() {
    this.nodes.forEach((r, i) => this.apply(i, r!.start()));
  }

  /** Performs actions in order, checking that every own signed message left after its record. */
  apply(i: number, actions: ConsensusAction[]): void {
    for (const a of actions) {
      if (a.type === "persist") this.durable[i]!.push(a.record);
      else if (a.type === "send" || a.type === "broadcast") {
        const m = a.message;
        if (m.type !== "committed" && m.replica === i && !this.durable[i]!.some((r) => covers(r, m))) this.problems.push(`replica ${i} sent ${m.type} before persisting it`);
        if (this.muted.has(i)) continue;
        if (a.type === "send") this.queue.push({ to: a.to, message: m });
        else for (let to = 0; to < 4; to++) if (to !== i) this.queue.push({ to, message: m });
      } else if (a.type === "set-timer") this.timers[i]!.set(a.timer, a.id);
      else if (a.type === "cancel-timer") this.timers[i]!.delete(a.timer);
      else if (a.type === "deliver") {
        this.delivered[i]!.push({ seq: a.block.seq, digest: toHex(a.block.digest) });
        this.step(i, { type: "executed", seq: a.block.seq, stateDigest: sha256(concatBytes(u64be(a.block.seq), a.block.digest)) });
      } else if (a.type === "certified") {
        if (a.checkpoint.proof.length < 3 || a.checkpoint.proof.some((cp) => cp.seq !== a.checkpoint.seq || toHex(cp.stateDigest) !== toHex(a.checkpoint.stateDigest))) this.problems.push(`replica ${i} reported a certificate without a matching quorum`);
        this.certified[i]!.push(a.checkpoint.seq);
      } else if (a.type === "halt") this.problems.push(`replica ${i} halted: ${a.reason}`);
    }
  }

  step(i: number, event: Parameters<Replica["step"]>[0]): ConsensusAction[] {
    const r = this.nodes[i];
    if (!r) return [];
    const actions = r.step(event);
    this.apply(i, actions);
    return actions;
  }

  fire(i: number, timer: "request" | "view-change" | "status"): void {
    const id = this.timers[i]!.get(timer);
    if (id !== undefined) this.step(i, { type: "timeout", timer, id });
  }

  drain(limit = 10_000): void {
    while (this.queue.length > 0 && limit-- > 0) {
      const { to, message } = this.queue.shift()!;
      this.step(to, { type: "message", message });
    }
  }

  /** loses every message queued for replica i */
  dropTo(i: number): void {
    this.queue = this.queue.filter((q) => q.to !== i);
  }

  crash(i: number): void {
    this.nodes[i] = null;
    this.queue = this.queue.filter((q) => q.to !== i);
  }

  restart(i: number): void {
    const last = this.delivered[i]!.at(-1);
    const r = Replica.restore({
      config,
      self: i,
      crypto: { sign: keys.signer(i), verify: keys.verify, hash: sha256 },
      batches: { digestBatch, validateBatch: () => true },
      records: this.durable[i]!,
      executed: last
        ? { seq: last.seq, timestamp: NOW, stateDigest: sha256(concatBytes(u64be(last.seq), fromHex(last.digest))) }
        : undefined,
      now: NOW,
    });
    this.nodes[i] = r;
    this.apply(i, r.start());
  }
}

t.test("commit signing bytes: known-answer layout", async (t) => {
  const digest = new Uint8Array(32).fill(0xab);
  const bytes = commitSigningBytes("trade-1", 3n, 258n, digest, 2);
  const expected = concatBytes(
    utf8("tradeledger/pbft/commit/v1\u0000"),
    Uint8Array.of(0, 0, 0, 7),
    utf8("trade-1"),
    fromHex("0000000000000003"),
    fromHex("0000000000000102"),
    digest,
    fromHex("00000002"),
  );
  t.equal(toHex(bytes), toHex(expected));
  t.equal(bytes.length, 27 + 4 + 7 + 8 + 8 + 32 + 4);
  t.throws(() => commitSigningBytes("trade-1", -1n, 0n, digest, 0), RangeError);
  t.throws(() => commitSigningBytes("trade-1", 0n, 0n, digest.subarray(1), 0), TypeError);
});

t.test("batch digest: sha256 over the documented layout", async (t) => {
  const txsRoot = sha256(utf8("txs"));
  const got = batchDigest(sha256, { chainId: "trade-1", height: 5n, time: 1_700_000_000_123n, txsRoot });
  const manual = sha256(concatBytes(utf8("tradeledger/batch/v1\u0000"), u32be(7), utf8("trade-1"), u64be(5n), u64be(1_700_000_000_123n), txsRoot));
  t.equal(toHex(got), toHex(manual));
  t.not(toHex(batchDigest(sha256, { chainId: "trade-2", height: 5n, time: 1_700_000_000_123n, txsRoot })), toHex(got), "the chain id is bound");
});

t.test("commit certificates: a quorum of distinct validator signatures, nothing less", async (t) => {
  const digest = sha256(utf8("block 9"));
  const sign = (i: number, d = digest, chain = CHAIN_ID) => ({ replica: i, signature: keys.signer(i)(commitSigningBytes(chain, 1n, 9n, d, i)) });
  const cert = (commits: { replica: number; signature: Uint8Array }[]): CommitCertificate => ({ chainId: CHAIN_ID, view: 1n, seq: 9n, digest, commits });
  const verify = keys.verify;
  t.equal(quorumSize(4), 3);
  t.equal(quorumSize(7), 5);
  t.same(verifyCommitCertificate(cert([sign(0), sign(1), sign(3)]), keys.validators, verify), { ok: true });
  t.same(verifyCommitCertificate(cert([sign(0), sign(1), sign(2), sign(3)]), keys.validators, verify), { ok: true });
  t.match(verifyCommitCertificate(cert([sign(0), sign(1)]), keys.validators, verify), { ok: false, reason: /2 valid signatures, 3 needed/ });
  t.match(verifyCommitCertificate(cert([sign(0), sign(1), sign(1)]), keys.validators, verify), { ok: false, reason: /duplicate/ });
  t.match(verifyCommitCertificate(cert([sign(0), sign(1), { replica: 4, signature: new Uint8Array(64) }]), keys.validators, verify), { ok: false, reason: /not a validator/ });
  const forged = { replica: 2, signature: keys.signer(0)(commitSigningBytes(CHAIN_ID, 1n, 9n, digest, 2)) };
  t.match(verifyCommitCertificate(cert([sign(0), sign(1), forged]), keys.validators, verify), { ok: false, reason: /bad signature/ });
  const otherDigest = { ...sign(2, sha256(utf8("block 9'"))) };
  t.match(verifyCommitCertificate(cert([sign(0), sign(1), otherDigest]), keys.validators, verify), { ok: false, reason: /bad signature/ });
  const otherChain = sign(2, digest, "another-chain");
  t.match(verifyCommitCertificate(cert([sign(0), sign(1), otherChain]), keys.validators, verify), { ok: false, reason: /bad signature/ }, "no cross-chain replay");
  t.match(verifyCommitCertificate(cert([sign(0), sign(1), sign(2)]), keys.validators, verify, { chainId: "another-chain" }), { ok: false, reason: /wrong chain/ });
  t.match(verifyCommitCertificate(cert([sign(0), sign(1), sign(2)]), keys.validators, verify, { seq: 10n }), { ok: false });
  // malformed input yields a reason, never an exception
  for (const bad of [null, {}, { ...cert([]), view: -1n }, { ...cert([]), digest: new Uint8Array(3) }, { ...cert([]), commits: [null] }, { ...cert([]), commits: "x" }]) {
    t.equal(verifyCommitCertificate(bad as unknown as CommitCertificate, keys.validators, verify).ok, false);
  }
});

t.test("persist before send, through normal case, checkpoints and a view change", async (t) => {
  const c = new Cluster();
  c.step(0, { type: "batch-available", payload: A });
  c.drain();
  c.step(0, { type: "batch-available", payload: B });
  c.drain();
  for (let i = 0; i < 4; i++) t.same(c.delivered[i]!.map((d) => d.seq), [1n, 2n], `replica ${i} delivered both`);
  t.equal(c.nodes[1]!.stableCheckpoint.seq, 2n, "checkpoint at K=2 is stable");

  // the primary goes silent with work pending: backups change view and carry on
  c.muted.add(0);
  c.step(0, { type: "batch-available", payload: C });
  for (const i of [1, 2, 3]) c.step(i, { type: "batch-available", payload: C });
  for (const i of [1, 2, 3]) c.fire(i, "request");
  c.drain();
  for (const i of [1, 2, 3]) t.equal(c.nodes[i]!.view, 1n);
  t.ok(c.nodes[1]!.viewActive && c.nodes[1]!.isPrimary, "replica 1 leads view 1");
  c.step(1, { type: "batch-available", payload: C });
  c.drain();
  for (const i of [1, 2, 3]) t.equal(c.delivered[i]!.at(-1)?.seq, 3n);
  t.same(c.problems, [], "every own message left after its record");

  // the rule is checked: a driver that performed sends first would be caught
  const backup = replica(2);
  const actions = backup.step({ type: "message", message: prePrepare(0n, 1n, A) });
  const kinds = actions.filter((a) => a.type === "persist" || a.type === "broadcast").map((a) => (a.type === "persist" ? `persist:${a.record.kind}` : `broadcast:${a.message.type}`));
  t.same(kinds, ["persist:pre-prepare", "persist:prepare", "broadcast:prepare"]);
});

t.test("a restarted backup never prepares a conflicting batch for the same slot", async (t) => {
  const r1 = replica(1);
  const first = r1.step({ type: "message", message: prePrepare(0n, 1n, A) });
  const records = persisted(first);
  t.ok(sent(first).some((m) => m.type === "prepare"), "prepared A");
  // crash: everything not persisted is gone
  const restored = replica(1, records);
  t.same(restored.start().filter((a) => a.type === "broadcast" && a.message.type === "prepare"), [], "nothing to redo");
  const conflicting = restored.step({ type: "message", message: prePrepare(0n, 1n, B) });
  t.same(sent(conflicting), [], "no prepare for B");
  t.equal(restored.counters.dropped.conflicting, 1);
  // the control: a replica that lost its records would sign B, which is what the records prevent
  const amnesiac = replica(1);
  t.ok(sent(amnesiac.step({ type: "message", message: prePrepare(0n, 1n, B) })).some((m) => m.type === "prepare"));

  // a crash between the two records: the prepare is redone on start, for A only
  const partial = replica(1, records.slice(0, 1));
  const redo = sent(partial.start()).filter((m): m is Prepare => m.type === "prepare");
  t.equal(redo.length, 1);
  t.equal(toHex(redo[0]!.digest), toHex(digestBatch(1n, NOW, A)));
});

t.test("a restarted primary proposes after what it already proposed", async (t) => {
  const p = replica(0);
  const proposed = p.step({ type: "batch-available", payload: A });
  const restored = replica(0, persisted(proposed));
  restored.start();
  const next = sent(restored.step({ type: "batch-available", payload: C })).filter((m): m is PrePrepare => m.type === "pre-prepare");
  t.equal(next.length, 1);
  t.equal(next[0]!.seq, 2n, "seq 1 is taken by A");
  // and it offers nothing else for seq 1 even if asked again with B
  t.notOk(sent(restored.step({ type: "batch-available", payload: B })).some((m) => m.type === "pre-prepare" && m.seq === 1n));
});

t.test("after restart a replica keeps its commit and its view-change, never signing another", async (t) => {
  const c = new Cluster();
  c.muted.add(3); // replica 3 sees everything, the others never hear from it
  c.step(0, { type: "batch-available", payload: A });
  c.drain();
  const commitOf3 = c.durable[3]!.find((r) => r.kind === "prepared");
  t.ok(commitOf3, "replica 3 prepared A and recorded it before committing");
  c.crash(3);
  c.muted.delete(3);
  c.restart(3);
  // a status from a peer that has not delivered seq 1 makes it re-send its commit for A
  const r3 = c.nodes[3]!;
  const statusBody = { view: 0n, viewActive: true, stableSeq: 0n, lastDelivered: 0n, round: 1, replica: 1 };
  const { statusSigningBytes } = await import("../consensus/messages.js");
  const status = { type: "status" as const, ...statusBody, signature: keys.signer(1)(statusSigningBytes(CHAIN_ID, statusBody)) };
  const resent = sent(r3.step({ type: "message", message: status }));
  const commits = resent.filter((m) => m.type === "commit");
  t.equal(commits.length, 1);
  t.equal(toHex((commits[0] as { digest: Uint8Array }).digest), toHex(digestBatch(1n, NOW, A)));

  // view change, crash, restart: the same view-change, bit for bit, and no second one
  c.fire(3, "status");
  c.step(3, { type: "batch-available", payload: C });
  c.fire(3, "request");
  const vc = c.durable[3]!.find((r): r is Extract<PersistedRecord, { kind: "view-change" }> => r.kind === "view-change");
  t.ok(vc, "view-change recorded");
  c.crash(3);
  c.restart(3);
  const again = c.nodes[3]!;
  t.equal(again.view, 1n);
  t.equal(again.viewActive, false);
  const rebroadcast = sent(again.start()).filter((m): m is ViewChange => m.type === "view-change");
  t.equal(rebroadcast.length, 1);
  t.equal(toHex(rebroadcast[0]!.signature), toHex(vc!.viewChange.signature));
  // in view change it does not prepare in view 0 any more
  const late = again.step({ type: "message", message: prePrepare(0n, 2n, C) });
  t.notOk(sent(late).some((m) => m.type === "prepare"));
  t.same(c.problems, []);
});

t.test("messages from non-validators, with bad signatures, old views or outside the water marks are dropped and counted", async (t) => {
  const r = replica(1);
  const good = prePrepare(0n, 1n, A);
  r.step({ type: "message", message: { ...good, replica: 9 } });
  t.equal(r.counters.dropped.notValidator, 1);
  r.step({ type: "message", message: prePrepare(0n, 1n, A, NOW, 2) }); // signed by replica 2 in the primary's name
  t.equal(r.counters.dropped.badSignature, 1);
  r.step({ type: "message", message: { ...prePrepare(0n, 1n, A), digest: new Uint8Array(32) } });
  t.equal(r.counters.dropped.badSignature, 2, "a changed digest breaks the signature");
  r.step({ type: "message", message: prePrepare(0n, 5n, A) });
  t.equal(r.counters.dropped.outsideWatermarks, 1, "h + L = 4");
  r.step({ type: "message", message: prePrepare(1n, 1n, A) });
  t.equal(r.counters.dropped.futureView, 1);
  r.step({ type: "message", message: { type: "prepare", view: 0n, seq: 1n, digest: new Uint8Array(3), replica: 2, signature: new Uint8Array(64) } as ConsensusMessage });
  t.equal(r.counters.dropped.malformed, 1);
  r.step({ type: "message", message: prepare(0n, 1n, good.digest, 0) });
  t.equal(r.counters.dropped.wrongPrimary, 1, "the primary sends no prepare");
  t.same(sent(r.step({ type: "message", message: good })).map((m) => m.type), ["prepare"], "and the real one is accepted");
});

t.test("a backup checks the primary's timestamp: after its predecessor, within the drift", async (t) => {
  const r = replica(1);
  r.step({ type: "message", message: prePrepare(0n, 1n, A, NOW + 6000n) });
  t.equal(r.counters.dropped.badTimestamp, 1, "too far ahead of the backup's clock");
  r.step({ type: "message", message: prePrepare(0n, 1n, B, NOW - 6000n) });
  t.equal(r.counters.dropped.badTimestamp, 2, "too far behind");
  const r2 = replica(1);
  t.ok(sent(r2.step({ type: "message", message: prePrepare(0n, 1n, A, NOW + 100n) })).length > 0);
  r2.step({ type: "message", message: prePrepare(0n, 2n, B, NOW + 50n) });
  t.equal(r2.counters.dropped.badTimestamp, 1, "before its predecessor");
  // a batch whose predecessor is unknown waits, then is taken when the predecessor comes
  const r3 = replica(1);
  t.same(sent(r3.step({ type: "message", message: prePrepare(0n, 2n, B, NOW + 10n) })), []);
  const both = sent(r3.step({ type: "message", message: prePrepare(0n, 1n, A) })).filter((m) => m.type === "prepare");
  t.same(both.map((m) => (m as Prepare).seq), [1n, 2n]);
  // tick moves the clock: the once-too-new timestamp is fine later
  const r4 = replica(1);
  r4.step({ type: "tick", now: NOW + 4000n });
  t.ok(sent(r4.step({ type: "message", message: prePrepare(0n, 1n, A, NOW + 6000n) })).length > 0);
});

t.test("the new-view plan: highest view wins, gaps are null batches, block time stays monotonic", async (t) => {
  const cert = (view: bigint, seq: bigint, timestamp: bigint, payload: Uint8Array) => {
    const pp = prePrepare(view, seq, payload, timestamp);
    const primary = Number(view % 4n);
    const prepares = [0, 1, 2, 3].filter((i) => i !== primary).slice(0, 2).map((i) => prepare(view, seq, pp.digest, i));
    const { payload: _p, ...header } = pp;
    return { certificate: { prePrepare: header, prepares }, payload };
  };
  const genesis = { seq: 0n, timestamp: GENESIS_TIME, stateDigest: GENESIS_STATE, proof: [] };
  const vc = (replicaIndex: number, certs: ReturnType<typeof cert>[]): ViewChange => {
    const body = { view: 5n, checkpoint: genesis, prepared: certs.map((c) => c.certificate), replica: replicaIndex };
    return { type: "view-change", ...body, signature: keys.signer(replicaIndex)(viewChangeSigningBytes(CHAIN_ID, body)), batches: certs.map((c) => c.payload) };
  };
  const nullDigest = (seq: bigint, ts: bigint) => digestBatch(seq, ts, new Uint8Array(0));
  const a1 = cert(1n, 1n, NOW + 10n, A);
  const b1 = cert(2n, 1n, NOW + 20n, B); // seq 1 prepared again in a higher view
  const c3 = cert(1n, 3n, NOW + 30n, C);
  const plan = planNewView([vc(0, [a1, c3]), vc(1, [b1]), vc(2, [])], nullDigest);
  t.same(plan.entries.map((e) => [e.seq, e.isNull]), [[1n, false], [2n, true], [3n, false]]);
  t.equal(toHex(plan.entries[0]!.digest), toHex(b1.certificate.prePrepare.digest), "view 2 beats view 1");
  t.equal(plan.entries[1]!.timestamp, NOW + 20n, "a null batch takes the time of the entry below");
  t.equal(toHex(plan.entries[1]!.digest), toHex(nullDigest(2n, NOW + 20n)));

  // a lower-view certificate timed before a higher-view one below it cannot be committed: nulled
  const late = cert(3n, 1n, NOW + 50n, A);
  const early = cert(1n, 2n, NOW + 40n, B);
  const plan2 = planNewView([vc(0, [late]), vc(1, [early]), vc(2, [])], nullDigest);
  t.same(plan2.entries.map((e) => [e.seq, e.isNull, e.timestamp]), [[1n, false, NOW + 50n], [2n, true, NOW + 50n]]);
});

t.test("a view-change with a fabricated prepared certificate is rejected and counted", async (t) => {
  const r = replica(2);
  const pp = prePrepare(0n, 1n, A);
  const { payload: _p, ...header } = pp;
  const forgedPrepares = [1, 3].map((i) => ({ ...prepare(0n, 1n, pp.digest, i), signature: keys.signer(2)(utf8("not theirs")) }));
  const body = { view: 1n, checkpoint: { seq: 0n, timestamp: GENESIS_TIME, stateDigest: GENESIS_STATE, proof: [] }, prepared: [{ prePrepare: header, prepares: forgedPrepares }], replica: 3 };
  const vc: ViewChange = { type: "view-change", ...body, signature: keys.signer(3)(viewChangeSigningBytes(CHAIN_ID, body)), batches: [A] };
  r.step({ type: "message", message: vc });
  t.equal(r.counters.dropped.invalidCertificate, 1);
  const genuine = { ...body, prepared: [{ prePrepare: header, prepares: [1, 3].map((i) => prepare(0n, 1n, pp.digest, i)) }] };
  const ok: ViewChange = { type: "view-change", ...genuine, signature: keys.signer(3)(viewChangeSigningBytes(CHAIN_ID, genuine)), batches: [A] };
  r.step({ type: "message", message: ok });
  t.equal(r.counters.dropped.invalidCertificate, 1, "a real certificate passes");
  const lyingBatch: ViewChange = { ...ok, batches: [B] };
  const r2 = replica(2);
  r2.step({ type: "message", message: lyingBatch });
  t.equal(r2.counters.dropped.invalidCertificate, 1, "the batch must match the certified digest");
});

t.test("compacted records restore the same replica", async (t) => {
  const c = new Cluster();
  for (const payload of [A, B, C, utf8("D"), utf8("E")]) {
    c.step(0, { type: "batch-available", payload });
    c.drain();
  }
  c.muted.add(0);
  for (const i of [1, 2, 3]) c.step(i, { type: "batch-available", payload: utf8("F") });
  for (const i of [1, 2, 3]) c.fire(i, "request");
  c.drain();
  const records = c.durable[2]!;
  const compacted = compactRecords(records);
  t.ok(compacted.length < records.length, `${compacted.length} of ${records.length} records kept`);
  const executed = { seq: 5n, timestamp: NOW, stateDigest: sha256(utf8("x")) };
  const full = Replica.restore({ config, self: 2, crypto: { sign: keys.signer(2), verify: keys.verify, hash: sha256 }, batches: { digestBatch, validateBatch: () => true }, records, executed, now: NOW });
  const small = Replica.restore({ config, self: 2, crypto: { sign: keys.signer(2), verify: keys.verify, hash: sha256 }, batches: { digestBatch, validateBatch: () => true }, records: compacted, executed, now: NOW });
  t.equal(small.view, full.view);
  t.equal(small.viewActive, full.viewActive);
  t.equal(small.stableCheckpoint.seq, full.stableCheckpoint.seq);
  t.same(small.pendingBatches().map((b) => b.seq), full.pendingBatches().map((b) => b.seq));
  const statusBody = { view: 0n, viewActive: false, stableSeq: 0n, lastDelivered: 0n, round: 1, replica: 1 };
  const { statusSigningBytes } = await import("../consensus/messages.js");
  const status = { type: "status" as const, ...statusBody, signature: keys.signer(1)(statusSigningBytes(CHAIN_ID, statusBody)) };
  const strip = (actions: ConsensusAction[]) => sent(actions).map((m) => `${m.type}:${toHex((m as { signature: Uint8Array }).signature)}`);
  t.same(strip(small.step({ type: "message", message: status })), strip(full.step({ type: "message", message: status })));
});

t.test("a replica restarted at a checkpoint seq signs that checkpoint again, so the window can move", async (t) => {
  const executed = { seq: 2n, timestamp: NOW, stateDigest: sha256(utf8("state at 2")) };
  const r = Replica.restore({
    config,
    self: 1,
    crypto: { sign: keys.signer(1), verify: keys.verify, hash: sha256 },
    batches: { digestBatch, validateBatch: () => true },
    records: [],
    executed,
    now: NOW,
  });
  const checkpoints = sent(r.start()).filter((m) => m.type === "checkpoint");
  t.equal(checkpoints.length, 1, "K = 2: the executed tip is a checkpoint");
  t.match(checkpoints[0], { seq: 2n, timestamp: NOW, replica: 1 });
  t.equal(toHex((checkpoints[0] as { stateDigest: Uint8Array }).stateDigest), toHex(executed.stateDigest));
  // with two more matching checkpoints it becomes stable, though no `executed` event came after the restart
  const { checkpointSigningBytes } = await import("../consensus/messages.js");
  for (const i of [2, 3]) {
    const body = { seq: 2n, timestamp: NOW, stateDigest: executed.stateDigest, replica: i };
    r.step({ type: "message", message: { type: "checkpoint", ...body, signature: keys.signer(i)(checkpointSigningBytes(CHAIN_ID, body)) } });
  }
  t.equal(r.stableCheckpoint.seq, 2n);
});

t.test("a primary that becomes a backup still expects its pending work to be ordered", async (t) => {
  const c = new Cluster();
  c.muted.add(0); // its pre-prepare never gets out
  c.step(0, { type: "batch-available", payload: A });
  for (const i of [1, 2, 3]) c.step(i, { type: "batch-available", payload: A });
  for (const i of [1, 2, 3]) c.fire(i, "request");
  c.muted.delete(0);
  c.drain();
  const former = c.nodes[0]!;
  t.equal(former.view, 1n, "it installed view 1");
  t.notOk(former.isPrimary);
  t.ok(c.timers[0]!.has("request"), "its request timer runs: the batch it was offered is not committed");
});

t.test("certifying the idle tip: an idle replica signs a CHECKPOINT for its head between checkpoint seqs", async (t) => {
  const c = new Cluster();
  for (const payload of [A, B, C]) {
    c.step(0, { type: "batch-available", payload });
    c.drain();
  }
  for (let i = 0; i < 4; i++) t.same(c.delivered[i]!.map((d) => d.seq), [1n, 2n, 3n]);
  for (let i = 0; i < 4; i++) t.same(c.certified[i], [2n], `replica ${i}: the stable checkpoint at K=2 is reported certified`);
  // idle at seq 3: at the next status tick each replica signs seq 3, and a quorum certifies it
  for (let i = 0; i < 4; i++) c.fire(i, "status");
  c.drain();
  for (let i = 0; i < 4; i++) t.same(c.certified[i], [2n, 3n], `replica ${i}: the idle tip is certified`);
  for (let i = 0; i < 4; i++) t.equal(c.nodes[i]!.stableCheckpoint.seq, 2n, "a tip certificate never makes a checkpoint stable");
  // certified once: later ticks sign nothing new
  for (let i = 0; i < 4; i++) c.fire(i, "status");
  c.drain();
  for (let i = 0; i < 4; i++) t.same(c.certified[i], [2n, 3n]);
  t.same(c.problems, []);
});

t.test("a busy replica signs no tip; a forged or lone tip CHECKPOINT certifies nothing", async (t) => {
  const c = new Cluster();
  c.step(0, { type: "batch-available", payload: A });
  c.drain();
  // a batch in flight above the executed head: not idle
  c.muted.add(0);
  c.step(0, { type: "batch-available", payload: B });
  c.muted.delete(0);
  const primary = c.nodes[0]!;
  const tick = (r: Replica, i: number) => {
    const id = c.timers[i]!.get("status")!;
    return sent(r.step({ type: "timeout", timer: "status", id })).filter((m) => m.type === "checkpoint");
  };
  t.same(tick(primary, 0), [], "the primary has seq 2 in flight: no tip checkpoint");
  const backup = c.nodes[1]!;
  const own = tick(backup, 1);
  t.equal(own.length, 1, "a backup that accepted nothing above seq 1 signs it");
  t.match(own[0], { type: "checkpoint", seq: 1n, replica: 1 });
  // one honest tip and a forged one (replica 2's index, another key) are no quorum
  const { checkpointSigningBytes } = await import("../consensus/messages.js");
  const cp = own[0] as Extract<ConsensusMessage, { type: "checkpoint" }>;
  const body = { seq: 1n, timestamp: cp.timestamp, stateDigest: cp.stateDigest, replica: 2 };
  const forged = { type: "checkpoint" as const, ...body, signature: keys.signer(3)(checkpointSigningBytes(CHAIN_ID, body)) };
  const r3 = c.nodes[3]!;
  const before = r3.counters.dropped.badSignature;
  const out = [...r3.step({ type: "message", message: cp }), ...r3.step({ type: "message", message: forged })];
  t.equal(r3.counters.dropped.badSignature, before + 1, "the forged one is dropped");
  t.same(out.filter((a) => a.type === "certified"), [], "no certificate from one signature");
});

t.test("a replica that lost the tip CHECKPOINTs gets them back by re-broadcasting its own", async (t) => {
  const c = new Cluster();
  for (const payload of [A, B, C]) {
    c.step(0, { type: "batch-available", payload });
    c.drain();
  }
  for (const i of [0, 1, 2]) c.fire(i, "status");
  c.dropTo(3);
  c.drain();
  for (const i of [0, 1, 2]) t.same(c.certified[i], [2n, 3n], `replica ${i} certified the tip`);
  t.same(c.certified[3], [2n], "replica 3 lost the others' tip CHECKPOINTs");
  c.fire(3, "status");
  c.drain();
  t.same(c.certified[3], [2n, 3n], "the others answered its broadcast with theirs");
  // and then the idle network is quiet: nobody broadcasts a tip any more
  for (let i = 0; i < 4; i++) {
    const id = c.timers[i]!.get("status")!;
    const out = sent(c.nodes[i]!.step({ type: "timeout", timer: "status", id })).filter((m) => m.type === "checkpoint");
    t.same(out, [], `replica ${i} sends no tip CHECKPOINT once certified`);
  }
  t.same(c.problems, []);
});
