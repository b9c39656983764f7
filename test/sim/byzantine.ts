// Byzantine replicas for the simulator, in the manner of CometBFT's byzantine_test.go: the
// replica runs the honest state machine, and its outgoing traffic is rewritten. It holds only its
// own signing key, so whatever it forges in another replica's name carries a wrong signature.
import type { Checkpoint, ConsensusMessage, PrePrepare, PreparedCertificate, Prepare, ViewChange } from "../../consensus/index.js";
import {
  checkpointSigningBytes,
  prePrepareSigningBytes,
  prepareSigningBytes,
  viewChangeSigningBytes,
} from "../../consensus/messages.js";
import { commitSigningBytes } from "../../sdk/commit.js";
import { toHex } from "../../sdk/bytes.js";
import { encodeBatch } from "../../node/net/wire.js";
import type { Prng } from "./prng.js";
import { CHAIN_ID, digestBatch, type SimNode, type Simulation } from "./simulator.js";

export interface ByzantineBehaviour {
  /** as primary, sends different batches for the same (view, seq) to different backups */
  equivocate?: boolean;
  /** as primary, sends no pre-prepare and no new-view */
  silentPrimary?: boolean;
  /** injects messages in other replicas' names (bad signatures) */
  forge?: boolean;
  /** re-sends old messages it has seen */
  replay?: boolean;
  /** signs checkpoints with wrong state digests */
  wrongCheckpoints?: boolean;
  /** adds a fabricated prepared certificate to its view-changes */
  fabricateViewChange?: boolean;
  /** as primary, stamps batches at the edge of (or beyond) the allowed clock drift, forward or back */
  skewTimestamps?: boolean;
  /** prepares and commits every batch it sees, conflicting ones included (helps forks form) */
  doubleVote?: boolean;
  /** as primary, sends each pre-prepare to only a quorum's worth of replicas, chosen at random */
  partialPrimary?: boolean;
  /** reports genuine but stale prepared certificates (the oldest view it has seen) in its view-changes */
  staleViewChange?: boolean;
}

export const BEHAVIOURS: (keyof ByzantineBehaviour)[] = [
  "equivocate",
  "silentPrimary",
  "forge",
  "replay",
  "wrongCheckpoints",
  "fabricateViewChange",
  "skewTimestamps",
  "doubleVote",
  "partialPrimary",
  "staleViewChange",
];

export class Byzantine {
  private readonly seen: ConsensusMessage[] = [];
  /** genuine prepared certificates seen in any view-change, with their batches: seq -> certificates */
  private readonly certificates = new Map<bigint, { certificate: PreparedCertificate; batch: Uint8Array }[]>();
  forgedSent = 0;

  constructor(
    private readonly sim: Simulation,
    private readonly node: SimNode,
    readonly behaviour: ByzantineBehaviour,
    private readonly sign: (m: Uint8Array) => Uint8Array,
    private readonly rng: Prng,
  ) {
    if (behaviour.forge || behaviour.replay) this.scheduleMischief();
  }

  observe(message: ConsensusMessage): void {
    if (this.behaviour.doubleVote && message.type === "pre-prepare") this.voteFor(message);
    if (this.behaviour.staleViewChange && message.type === "view-change") this.collect(message);
    if (!this.behaviour.replay) return;
    if (this.seen.length < 400) this.seen.push(message);
    else this.seen[this.rng.int(0, this.seen.length - 1)] = message;
  }

  /** What actually leaves for replica `to` when the honest code sends `message`. */
  outgoing(to: number, message: ConsensusMessage): ConsensusMessage[] {
    const b = this.behaviour;
    const replica = this.node.replica;
    const isPrimary = replica !== null && replica.isPrimary;
    if (b.silentPrimary && isPrimary && (message.type === "pre-prepare" || message.type === "new-view")) return [];
    if (message.type === "pre-prepare" && message.replica === this.node.index) {
      if (b.partialPrimary && this.rng.chance(this.sim.f / this.sim.n + 0.2)) return [];
      let pp = message;
      if (b.skewTimestamps) pp = this.skewed(pp);
      if (b.equivocate && to % 3 !== this.node.index % 3) pp = this.alternative(pp, to);
      return [pp];
    }
    if (message.type === "checkpoint" && b.wrongCheckpoints && message.replica === this.node.index) return [this.wrongCheckpoint(message)];
    if (message.type === "view-change" && message.replica === this.node.index) {
      let vc = message;
      if (b.staleViewChange) {
        this.collect(vc);
        vc = this.stale(vc);
      }
      if (b.fabricateViewChange) vc = this.fabricated(vc);
      return [vc];
    }
    return [message];
  }

  private resignPrePrepare(pp: Omit<PrePrepare, "signature">): PrePrepare {
    return { ...pp, signature: this.sign(prePrepareSigningBytes(CHAIN_ID, pp)) };
  }

  /** Another batch for each backup (real submitted transactions if possible, so only equivocation gives it away). */
  private alternative(pp: PrePrepare, to: number): PrePrepare {
    const original = toHex(pp.payload);
    const pool = [...this.sim.submitted.values()].map((tx) => encodeBatch([tx.bytes])).filter((p) => toHex(p) !== original);
    const payload = pool.length > 0 ? pool[(Number(pp.seq % BigInt(pool.length)) + to) % pool.length]! : this.rng.bytes(16);
    return this.resignPrePrepare({ ...pp, payload, digest: digestBatch(pp.seq, pp.timestamp, payload) });
  }

  private skewed(pp: PrePrepare): PrePrepare {
    const drift = BigInt(this.sim.config.maxTimestampDriftMs);
    const shift = this.rng.pick([drift - 1n, drift * 2n, -drift + 1n, -1000n]);
    const timestamp = pp.timestamp + shift < 0n ? 0n : pp.timestamp + shift;
    return this.resignPrePrepare({ ...pp, timestamp, digest: digestBatch(pp.seq, timestamp, pp.payload) });
  }

  private collect(vc: ViewChange): void {
    if (vc.batches.length !== vc.prepared.length) return;
    vc.prepared.forEach((certificate, i) => {
      const seq = certificate.prePrepare.seq;
      const list = this.certificates.get(seq) ?? [];
      if (!list.some((c) => c.certificate.prePrepare.view === certificate.prePrepare.view)) list.push({ certificate, batch: vc.batches[i]! });
      this.certificates.set(seq, list);
    });
  }

  /** The same checkpoint, but for every seq above it the lowest-view certificate known. */
  private stale(vc: ViewChange): ViewChange {
    const low = vc.checkpoint.seq;
    const window = BigInt(this.sim.config.watermarkWindow);
    const picked: { certificate: PreparedCertificate; batch: Uint8Array }[] = [];
    for (const [seq, list] of [...this.certificates.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (seq <= low || seq > low + window) continue;
      const usable = list.filter((c) => c.certificate.prePrepare.view < vc.view);
      if (usable.length === 0) continue;
      usable.sort((a, b) => (a.certificate.prePrepare.view < b.certificate.prePrepare.view ? -1 : 1));
      picked.push(usable[0]!);
    }
    if (picked.length === 0) return vc;
    const body = { view: vc.view, checkpoint: vc.checkpoint, prepared: picked.map((p) => p.certificate), replica: vc.replica };
    return { type: "view-change", ...body, signature: this.sign(viewChangeSigningBytes(CHAIN_ID, body)), batches: picked.map((p) => p.batch) };
  }

  /** Signs a prepare and a commit for whatever pre-prepare it sees, whatever it signed before. */
  private voteFor(pp: PrePrepare): void {
    const votes: ConsensusMessage[] = [];
    const body = { view: pp.view, seq: pp.seq, digest: pp.digest, replica: this.node.index };
    if (pp.replica !== this.node.index) votes.push({ type: "prepare", ...body, signature: this.sign(prepareSigningBytes(CHAIN_ID, body)) });
    votes.push({ type: "commit", ...body, signature: this.sign(commitSigningBytes(CHAIN_ID, pp.view, pp.seq, pp.digest, this.node.index)) });
    for (let to = 0; to < this.sim.n; to++) {
      if (to === this.node.index) continue;
      for (const v of votes) this.sim.transmit(this.node.index, to, v);
      // pass the pre-prepare on, so replicas that did not get it can still reach a quorum on it
      if (this.rng.chance(0.5)) this.sim.transmit(this.node.index, to, pp);
    }
  }

  private wrongCheckpoint(cp: Checkpoint): Checkpoint {
    const body = { seq: cp.seq, timestamp: cp.timestamp, stateDigest: this.rng.bytes(32), replica: cp.replica };
    return { type: "checkpoint", ...body, signature: this.sign(checkpointSigningBytes(CHAIN_ID, body)) };
  }

  /**
   * A view-change claiming that a batch of its choosing prepared just above its checkpoint: the
   * pre-prepare is signed by itself (valid only if it was that view's primary) and the prepares
   * of the others are forged. Honest replicas must reject the whole message.
   */
  private fabricated(vc: ViewChange): ViewChange {
    const seq = vc.checkpoint.seq + 1n;
    const certView = vc.view - 1n;
    const payload = this.rng.bytes(20);
    const timestamp = vc.checkpoint.timestamp + 1n;
    const digest = digestBatch(seq, timestamp, payload);
    const primary = Number(certView % BigInt(this.sim.n));
    const header = { type: "pre-prepare" as const, view: certView, seq, timestamp, digest, replica: primary };
    const prePrepare = {
      ...header,
      signature: primary === this.node.index ? this.sign(prePrepareSigningBytes(CHAIN_ID, header)) : this.rng.bytes(16),
    };
    const prepares: Prepare[] = [];
    for (let r = 0; r < this.sim.n && prepares.length < this.sim.n - this.sim.f - 1; r++) {
      if (r === primary) continue;
      prepares.push({ type: "prepare", view: certView, seq, digest, replica: r, signature: this.rng.bytes(16) });
    }
    const fake: PreparedCertificate = { prePrepare, prepares };
    const prepared = [fake, ...vc.prepared.filter((c) => c.prePrepare.seq !== seq)];
    const batches = vc.batches.length === vc.prepared.length ? [payload, ...vc.batches.filter((_, i) => vc.prepared[i]!.prePrepare.seq !== seq)] : [];
    const body = { view: vc.view, checkpoint: vc.checkpoint, prepared, replica: vc.replica };
    return { type: "view-change", ...body, signature: this.sign(viewChangeSigningBytes(CHAIN_ID, body)), batches };
  }

  private scheduleMischief(): void {
    this.sim.schedule(this.rng.int(30, 250), () => {
      if (this.behaviour.forge) this.forgeOne();
      if (this.behaviour.replay && this.seen.length > 0) {
        const m = this.rng.pick(this.seen);
        this.sim.transmit(this.node.index, this.rng.int(0, this.sim.n - 1), m);
      }
      if (this.sim.now < this.activeUntil) this.scheduleMischief();
    });
  }

  /** stop the periodic mischief eventually so runs end; the rewrites of outgoing traffic go on */
  activeUntil = Number.POSITIVE_INFINITY;

  private forgeOne(): void {
    const n = this.sim.n;
    let victim = this.rng.int(0, n - 1);
    if (victim === this.node.index) victim = (victim + 1) % n;
    const to = this.rng.int(0, n - 1);
    const view = this.node.replica?.view ?? 0n;
    const seq = (this.node.replica?.lastDelivered ?? 0n) + BigInt(this.rng.int(1, 3));
    const digest = this.rng.bytes(32);
    const signature = this.rng.bytes(16);
    const kind = this.rng.int(0, 4);
    let m: ConsensusMessage;
    if (kind === 0) m = { type: "prepare", view, seq, digest, replica: victim, signature };
    else if (kind === 1) m = { type: "commit", view, seq, digest, replica: victim, signature };
    else if (kind === 2) m = { type: "checkpoint", seq: 5n * BigInt(this.rng.int(1, 20)), timestamp: 0n, stateDigest: digest, replica: victim, signature };
    else if (kind === 3) {
      const payload = this.rng.bytes(12);
      const timestamp = this.sim.localTime(this.node);
      m = { type: "pre-prepare", view, seq, timestamp, digest: digestBatch(seq, timestamp, payload), replica: Number(view % BigInt(n)), signature, payload };
    } else m = { type: "status", view: view + 1n, viewActive: true, stableSeq: 0n, lastDelivered: 0n, round: 1, replica: victim, signature };
    this.forgedSent++;
    this.sim.transmit(this.node.index, to, m);
  }
}
