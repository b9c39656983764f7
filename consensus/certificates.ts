// Verification of the self-certifying parts of PBFT with signatures (OSDI'99 §4.3, §4.4): stable
// checkpoint proofs, prepared certificates, view-change messages, and the computation of a new
// view's O set from its V set, which the new primary performs and every backup repeats.
import { equalBytes, toHex } from "../sdk/bytes.js";
import {
  checkpointSigningBytes,
  prePrepareSigningBytes,
  prepareSigningBytes,
  viewChangeSigningBytes,
} from "./messages.js";
import type { BatchRules, ConsensusCrypto, PreparedCertificate, StableCheckpoint, Validator, ViewChange } from "./types.js";

const EMPTY = new Uint8Array(0);
const VERIFIED_CACHE_LIMIT = 8192;

/** What checking certificates needs to know: the validator set, crypto, and the batch digest. */
export class CertificateChecker {
  readonly n: number;
  readonly f: number;
  readonly quorum: number;
  /** signature hex -> signing bytes it was verified over (a message seen in several certificates is checked once) */
  private readonly verified = new Map<string, { replica: number; bytes: Uint8Array }>();

  constructor(
    readonly chainId: string,
    readonly validators: readonly Validator[],
    readonly crypto: ConsensusCrypto,
    readonly batches: BatchRules,
    /** the epoch's base checkpoint (genesis in epoch 0): proven by the set before, taken as given here */
    readonly genesis: { seq: bigint; timestamp: bigint; stateDigest: Uint8Array },
    readonly window: bigint,
    quorum: number,
    f: number,
  ) {
    this.n = validators.length;
    this.quorum = quorum;
    this.f = f;
  }

  primaryOf(view: bigint): number {
    return Number(view % BigInt(this.n));
  }

  /** Verifies `signature` of validator `replica` over `bytes`. */
  verifySignature(replica: number, bytes: Uint8Array, signature: Uint8Array): boolean {
    const validator = this.validators[replica];
    return validator !== undefined && this.crypto.verify(validator.publicKey, bytes, signature);
  }

  /**
   * The same, remembering successes: a message that appears in many certificates (a prepare in
   * every view-change that carries its certificate, those view-changes again in NEW-VIEW) is
   * checked once.
   */
  verifyCached(replica: number, bytes: Uint8Array, signature: Uint8Array): boolean {
    const key = toHex(signature);
    const seen = this.verified.get(key);
    if (seen) return seen.replica === replica && equalBytes(seen.bytes, bytes);
    const validator = this.validators[replica];
    if (!validator || !this.crypto.verify(validator.publicKey, bytes, signature)) return false;
    if (this.verified.size >= VERIFIED_CACHE_LIMIT) this.verified.clear();
    this.verified.set(key, { replica, bytes });
    return true;
  }

  /**
   * A stable checkpoint: the epoch's base (genesis in epoch 0; no proof needed: the set before
   * proved it) or a quorum of matching signed CHECKPOINTs of this epoch's set (§4.3).
   */
  checkStableCheckpoint(c: StableCheckpoint): string | null {
    if (c.seq <= this.genesis.seq) {
      if (c.seq !== this.genesis.seq || c.timestamp !== this.genesis.timestamp || !equalBytes(c.stateDigest, this.genesis.stateDigest)) return "checkpoint at or below the epoch's base is not its base";
      return null;
    }
    const signers = new Set<number>();
    for (const cp of c.proof) {
      if (cp.seq !== c.seq || cp.timestamp !== c.timestamp || !equalBytes(cp.stateDigest, c.stateDigest)) return "checkpoint proof does not match";
      if (signers.has(cp.replica)) return "checkpoint proof repeats a signer";
      if (!this.verifyCached(cp.replica, checkpointSigningBytes(this.chainId, cp), cp.signature)) return "bad checkpoint signature";
      signers.add(cp.replica);
    }
    return signers.size >= this.quorum ? null : "checkpoint proof below quorum";
  }

  /** A pre-prepare by the view's primary and quorum-1 matching prepares of other replicas (§4.2). */
  checkPreparedCertificate(c: PreparedCertificate): string | null {
    const pp = c.prePrepare;
    const primary = this.primaryOf(pp.view);
    if (pp.replica !== primary) return "certificate pre-prepare not from the view's primary";
    if (!this.verifyCached(pp.replica, prePrepareSigningBytes(this.chainId, pp), pp.signature)) return "bad pre-prepare signature in certificate";
    const signers = new Set<number>();
    for (const p of c.prepares) {
      if (p.view !== pp.view || p.seq !== pp.seq || !equalBytes(p.digest, pp.digest)) return "certificate prepare does not match";
      if (p.replica === primary || signers.has(p.replica)) return "certificate prepare from primary or repeated";
      if (!this.verifyCached(p.replica, prepareSigningBytes(this.chainId, p), p.signature)) return "bad prepare signature in certificate";
      signers.add(p.replica);
    }
    return signers.size >= this.quorum - 1 ? null : "certificate has too few prepares";
  }

  /**
   * A VIEW-CHANGE (§4.4): signed by its replica, a valid stable checkpoint, and valid prepared
   * certificates for views below the new one, inside the water marks of that checkpoint. With
   * `requireBatches`, each certificate's batch must come along and match its digest.
   */
  checkViewChange(vc: ViewChange, requireBatches: boolean): { ok: true } | { ok: false; bad: "signature" | "certificate"; reason: string } {
    if (!this.verifyCached(vc.replica, viewChangeSigningBytes(this.chainId, vc), vc.signature)) return { ok: false, bad: "signature", reason: "bad view-change signature" };
    const cpWhy = this.checkStableCheckpoint(vc.checkpoint);
    if (cpWhy) return { ok: false, bad: "certificate", reason: cpWhy };
    if (requireBatches && vc.batches.length !== vc.prepared.length) return { ok: false, bad: "certificate", reason: "view-change lacks the batches of its certificates" };
    for (let i = 0; i < vc.prepared.length; i++) {
      const cert = vc.prepared[i]!;
      const pp = cert.prePrepare;
      if (pp.view >= vc.view) return { ok: false, bad: "certificate", reason: "certificate from a view not below the new one" };
      if (pp.seq <= vc.checkpoint.seq || pp.seq > vc.checkpoint.seq + this.window) return { ok: false, bad: "certificate", reason: "certificate outside the water marks" };
      const why = this.checkPreparedCertificate(cert);
      if (why) return { ok: false, bad: "certificate", reason: why };
      const batch = vc.batches[i];
      if (batch !== undefined && !this.matchesDigest(pp.seq, pp.timestamp, batch, pp.digest)) {
        return { ok: false, bad: "certificate", reason: "batch does not match its certificate digest" };
      }
    }
    return { ok: true };
  }

  /** The batch's digest, or null if the application cannot read the payload (its digestBatch threw). */
  digestOf(seq: bigint, timestamp: bigint, payload: Uint8Array): Uint8Array | null {
    try {
      const d = this.batches.digestBatch(seq, timestamp, payload);
      return d instanceof Uint8Array && d.length === 32 ? d : null;
    } catch {
      return null;
    }
  }

  matchesDigest(seq: bigint, timestamp: bigint, payload: Uint8Array, digest: Uint8Array): boolean {
    const d = this.digestOf(seq, timestamp, payload);
    return d !== null && equalBytes(d, digest);
  }

  /** The application's verdict on a batch; a validator that throws rejects it. */
  isValidBatch(seq: bigint, timestamp: bigint, payload: Uint8Array): boolean {
    // the null batch is always valid: a new view fills gaps with it (§4.4), and a primary drives
    // an idle chain with it to the end of its epoch (docs/governance.md §5)
    if (payload.length === 0) return true;
    try {
      return this.batches.validateBatch(seq, timestamp, payload) === true;
    } catch {
      return false;
    }
  }

  /** Digest of the empty batch that fills a gap in a new view (the paper's null request, §4.4). */
  nullDigest(seq: bigint, timestamp: bigint): Uint8Array {
    return this.batches.digestBatch(seq, timestamp, EMPTY);
  }
}

/** One sequence number of a new view's O set. */
export interface PlannedEntry {
  seq: bigint;
  timestamp: bigint;
  digest: Uint8Array;
  /** true for an empty batch filling a gap */
  isNull: boolean;
}

export interface NewViewPlan {
  /** min-s: the latest stable checkpoint in V */
  checkpoint: StableCheckpoint;
  /** entries for every seq in (min-s, max-s], in order */
  entries: PlannedEntry[];
}

interface Candidate {
  seq: bigint;
  view: bigint;
  timestamp: bigint;
  digest: Uint8Array;
}

/**
 * Computes O from V (§4.4): min-s is the latest stable checkpoint in V, max-s the highest prepared
 * seq; each seq in between gets the prepared certificate of the highest view, or a null batch.
 *
 * One addition keeps block time monotonic across views: a certificate whose timestamp is out of
 * order with a certificate from a higher view (or with the checkpoint at min-s) is replaced by a
 * null batch. Such a certificate cannot belong to a committed batch: a batch committed in view c
 * is in O of every later view, and a batch prepared in a later view was ordered after it by the
 * backups' timestamp checks or by that view's (monotonic) O (docs/consensus.md §5.3). Candidates
 * are kept greedily in decreasing view, so the choice is deterministic and every backup computes
 * the same O. A null batch takes the timestamp of the nearest kept entry below it.
 */
export function planNewView(viewChanges: readonly ViewChange[], nullDigest: (seq: bigint, timestamp: bigint) => Uint8Array): NewViewPlan {
  let checkpoint = viewChanges[0]!.checkpoint;
  for (const vc of viewChanges) if (vc.checkpoint.seq > checkpoint.seq) checkpoint = vc.checkpoint;
  const minS = checkpoint.seq;

  const best = new Map<bigint, Candidate>();
  for (const vc of viewChanges) {
    for (const cert of vc.prepared) {
      const pp = cert.prePrepare;
      if (pp.seq <= minS) continue;
      const current = best.get(pp.seq);
      // equal views with different digests need more than f faulty replicas; break the tie
      // deterministically anyway so every replica computes the same O
      if (!current || pp.view > current.view || (pp.view === current.view && toHex(pp.digest) < toHex(current.digest))) {
        best.set(pp.seq, { seq: pp.seq, view: pp.view, timestamp: pp.timestamp, digest: pp.digest });
      }
    }
  }
  let maxS = minS;
  for (const seq of best.keys()) if (seq > maxS) maxS = seq;

  const order = [...best.values()].sort((a, b) => (a.view !== b.view ? (a.view > b.view ? -1 : 1) : a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
  const kept: Candidate[] = [];
  for (const c of order) {
    if (c.timestamp < checkpoint.timestamp) continue;
    const consistent = kept.every((k) => (k.seq < c.seq ? k.timestamp <= c.timestamp : k.timestamp >= c.timestamp));
    if (consistent) kept.push(c);
  }
  const keptBySeq = new Map(kept.map((k) => [k.seq, k]));

  const entries: PlannedEntry[] = [];
  let lowerTimestamp = checkpoint.timestamp;
  for (let seq = minS + 1n; seq <= maxS; seq++) {
    const k = keptBySeq.get(seq);
    if (k) {
      entries.push({ seq, timestamp: k.timestamp, digest: k.digest, isNull: false });
      lowerTimestamp = k.timestamp;
    } else {
      entries.push({ seq, timestamp: lowerTimestamp, digest: nullDigest(seq, lowerTimestamp), isNull: true });
    }
  }
  return { checkpoint, entries };
}
