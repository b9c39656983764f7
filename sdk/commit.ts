// Commit certificates and the batch digest: what a client needs to check, without trusting any
// node, that a block was committed by the validator set (PBFT, Castro & Liskov OSDI'99 §4.2: a
// request is committed once 2f+1 replicas have sent matching COMMIT messages). Browser-safe and
// pure: hashing and signature verification are injected.
import { concatBytes, equalBytes, u32be, utf8 } from "./bytes.js";
import type { Hash } from "./merkle.js";

export const DIGEST_BYTES = 32;
const U64_MAX = (1n << 64n) - 1n;

/** Domain tag of the bytes a validator signs to commit a batch (docs/consensus.md §3). */
export const COMMIT_SIGNING_DOMAIN = utf8("tradeledger/pbft/commit/v1\u0000");
/** Domain tag of the bytes a validator signs for a CHECKPOINT (PBFT §4.3; docs/consensus.md §3). */
export const CHECKPOINT_SIGNING_DOMAIN = utf8("tradeledger/pbft/checkpoint/v1\u0000");
/** Domain tag of the batch digest (the value PBFT orders, bound to the block header). */
export const BATCH_DIGEST_DOMAIN = utf8("tradeledger/batch/v1\u0000");

/** One validator of the ordered set; replica index i in consensus messages means validators[i]. */
export interface Validator {
  id: string;
  publicKey: Uint8Array;
}

/** ed25519 (or any) verification; must return false, never throw, on malformed input. */
export type VerifySignature = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

export interface CommitSignature {
  /** index of the signer in the validator set */
  replica: number;
  signature: Uint8Array;
}

/** A quorum (2f+1) of COMMIT signatures over the same (chainId, view, seq, digest). */
export interface CommitCertificate {
  chainId: string;
  /**
   * The validator-set epoch it was made in (docs/governance.md): absent or 0 for the genesis set.
   * Its signatures are over epochSigningChainId(chainId, epoch), and its replica indexes name
   * members of that epoch's set.
   */
  epoch?: bigint;
  view: bigint;
  seq: bigint;
  digest: Uint8Array;
  commits: CommitSignature[];
}

export type CertificateCheck = { ok: true } | { ok: false; reason: string };

/** The largest f with n >= 3f + 1: how many Byzantine validators the set tolerates. */
export function faultTolerance(n: number): number {
  return Math.floor((n - 1) / 3);
}

/**
 * Quorum size: any two quorums intersect in at least f+1 validators, so in at least one honest one.
 * Equals 2f+1 when n = 3f+1 (the PBFT setting); for other n it is ceil((n+f+1)/2).
 */
export function quorumSize(n: number): number {
  return Math.floor((n + faultTolerance(n)) / 2) + 1;
}

/**
 * The chain id field of every signed consensus layout in validator-set epoch `epoch`
 * (docs/governance.md §5): the chain id itself in epoch 0 (the genesis set: the layouts are
 * unchanged), "<chainId>/epoch/<epoch>" after. No chain id contains '/', so a signature made in one
 * epoch (or on one chain) never verifies in another: replica i of one set is not replica i of the next.
 */
export function epochSigningChainId(chainId: string, epoch: bigint | undefined): string {
  return epoch === undefined || epoch === 0n ? chainId : `${chainId}/epoch/${epoch}`;
}

/** Drops an `epoch` of 0 (what a decoder fills in for an absent field): epoch-0 certificates look as they always did. */
export function withoutZeroEpoch<C extends { epoch?: bigint }>(c: C): C {
  if (c.epoch === 0n) delete c.epoch;
  return c;
}

const chainPrefixes = new Map<string, Uint8Array>();

/** u32be(len(utf8 chainId)) || utf8 chainId, cached: every signed message starts with it. */
export function chainIdPrefix(chainId: string): Uint8Array {
  let prefix = chainPrefixes.get(chainId);
  if (!prefix) {
    const bytes = utf8(chainId);
    prefix = concatBytes(u32be(bytes.length), bytes);
    if (chainPrefixes.size > 64) chainPrefixes.clear();
    chainPrefixes.set(chainId, prefix);
  }
  return prefix;
}

/**
 * Writes fixed-layout signing bytes (consensus builds these for every message it signs or
 * checks): fields go into a shared scratch buffer and finish() copies them out, so one signing
 * string costs one allocation. Integers are big-endian; out-of-range values throw RangeError.
 */
export class ByteWriter {
  private static scratch = new Uint8Array(1024);
  private static view = new DataView(ByteWriter.scratch.buffer);
  private offset = 0;

  /** `size`: the exact number of bytes that will be written */
  constructor(private readonly size: number) {
    if (ByteWriter.scratch.length < size) {
      ByteWriter.scratch = new Uint8Array(Math.max(size, 2 * ByteWriter.scratch.length));
      ByteWriter.view = new DataView(ByteWriter.scratch.buffer);
    }
  }

  bytes(b: Uint8Array): this {
    ByteWriter.scratch.set(b, this.offset);
    this.offset += b.length;
    return this;
  }

  u64(v: bigint): this {
    if (typeof v !== "bigint" || v < 0n || v > U64_MAX) throw new RangeError(`u64 out of range: ${String(v)}`);
    ByteWriter.view.setBigUint64(this.offset, v);
    this.offset += 8;
    return this;
  }

  u32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`u32 out of range: ${v}`);
    ByteWriter.view.setUint32(this.offset, v);
    this.offset += 4;
    return this;
  }

  u8(v: number): this {
    ByteWriter.scratch[this.offset++] = v & 0xff;
    return this;
  }

  /** a copy of the written bytes; throws if the declared size was not filled exactly */
  finish(): Uint8Array {
    if (this.offset !== this.size) throw new RangeError(`wrote ${this.offset} of ${this.size} bytes`);
    return ByteWriter.scratch.slice(0, this.size);
  }
}

/**
 * The exact bytes a validator signs to commit: COMMIT_SIGNING_DOMAIN || u32be(len chainId) ||
 * chainId (UTF-8) || u64be(view) || u64be(seq) || digest (32) || u32be(replica).
 * The chain id gives domain separation: a commit on one chain is no commit on another.
 * Throws RangeError/TypeError on out-of-range fields (callers validate first).
 */
export function commitSigningBytes(chainId: string, view: bigint, seq: bigint, digest: Uint8Array, replica: number): Uint8Array {
  if (!(digest instanceof Uint8Array) || digest.length !== DIGEST_BYTES) throw new TypeError(`a batch digest is ${DIGEST_BYTES} bytes`);
  const chain = chainIdPrefix(chainId);
  return new ByteWriter(COMMIT_SIGNING_DOMAIN.length + chain.length + 8 + 8 + DIGEST_BYTES + 4)
    .bytes(COMMIT_SIGNING_DOMAIN)
    .bytes(chain)
    .u64(view)
    .u64(seq)
    .bytes(digest)
    .u32(replica)
    .finish();
}

/**
 * The exact bytes a validator signs in a CHECKPOINT: CHECKPOINT_SIGNING_DOMAIN || u32be(len chainId)
 * || chainId || u64be(seq) || u64be(timestamp) || stateDigest (32) || u32be(replica). The state
 * digest is the hash of block `seq`'s header (node/driver/driver.ts), which commits to its receipts
 * and state roots and, through prev_hash, to every block before it: a quorum of these certifies
 * the results of the chain up to `seq` (sdk/certified.ts). Throws on out-of-range fields.
 */
export function checkpointSigningBytes(chainId: string, seq: bigint, timestamp: bigint, stateDigest: Uint8Array, replica: number): Uint8Array {
  if (!(stateDigest instanceof Uint8Array) || stateDigest.length !== DIGEST_BYTES) throw new TypeError(`a state digest is ${DIGEST_BYTES} bytes`);
  const chain = chainIdPrefix(chainId);
  return new ByteWriter(CHECKPOINT_SIGNING_DOMAIN.length + chain.length + 16 + DIGEST_BYTES + 4)
    .bytes(CHECKPOINT_SIGNING_DOMAIN)
    .bytes(chain)
    .u64(seq)
    .u64(timestamp)
    .bytes(stateDigest)
    .u32(replica)
    .finish();
}

function isU64(value: unknown): value is bigint {
  return typeof value === "bigint" && value >= 0n && value <= U64_MAX;
}

/**
 * Checks that `cert` carries signatures of a quorum (2f+1) of distinct validators of `validators`
 * over the same (chainId, view, seq, digest). Never throws: malformed input yields ok: false.
 *
 * The certificate names its chain, height (seq) and digest; the caller must still compare those
 * with what it expects (the block header's chain id, height and batchDigest), or pass `expect`.
 */
export function verifyCommitCertificate(
  cert: CommitCertificate,
  validators: readonly Validator[],
  verify: VerifySignature,
  expect: { chainId?: string; seq?: bigint; digest?: Uint8Array; epoch?: bigint } = {},
): CertificateCheck {
  if (typeof cert !== "object" || cert === null) return { ok: false, reason: "malformed: not a certificate" };
  if (typeof cert.chainId !== "string") return { ok: false, reason: "malformed: chainId" };
  if (cert.epoch !== undefined && !isU64(cert.epoch)) return { ok: false, reason: "malformed: epoch" };
  if (expect.epoch !== undefined && expect.epoch !== (cert.epoch ?? 0n)) return { ok: false, reason: `certificate is of validator-set epoch ${cert.epoch ?? 0n}, not ${expect.epoch}` };
  const signingChain = epochSigningChainId(cert.chainId, cert.epoch);
  if (!isU64(cert.view) || !isU64(cert.seq)) return { ok: false, reason: "malformed: view or seq out of range" };
  if (!(cert.digest instanceof Uint8Array) || cert.digest.length !== DIGEST_BYTES) return { ok: false, reason: "malformed: digest" };
  if (!Array.isArray(cert.commits)) return { ok: false, reason: "malformed: commits" };
  if (!Array.isArray(validators) || validators.length === 0) return { ok: false, reason: "empty validator set" };
  if (expect.chainId !== undefined && expect.chainId !== cert.chainId) return { ok: false, reason: `wrong chain: ${cert.chainId}` };
  if (expect.seq !== undefined && expect.seq !== cert.seq) return { ok: false, reason: `certificate is for seq ${cert.seq}, not ${expect.seq}` };
  if (expect.digest !== undefined && !equalBytes(expect.digest, cert.digest)) return { ok: false, reason: "certificate is for another digest" };

  const signers = new Set<number>();
  for (const commit of cert.commits) {
    if (typeof commit !== "object" || commit === null) return { ok: false, reason: "malformed: commit" };
    const { replica, signature } = commit;
    if (!Number.isInteger(replica) || replica < 0 || replica >= validators.length) {
      return { ok: false, reason: `signer ${String(replica)} is not a validator` };
    }
    if (signers.has(replica)) return { ok: false, reason: `duplicate signature of validator ${validators[replica]!.id}` };
    if (!(signature instanceof Uint8Array)) return { ok: false, reason: "malformed: signature" };
    const bytes = commitSigningBytes(signingChain, cert.view, cert.seq, cert.digest, replica);
    if (!verify(validators[replica]!.publicKey, bytes, signature)) {
      return { ok: false, reason: `bad signature of validator ${validators[replica]!.id}` };
    }
    signers.add(replica);
  }
  const needed = quorumSize(validators.length);
  if (signers.size < needed) return { ok: false, reason: `${signers.size} valid signatures, ${needed} needed` };
  return { ok: true };
}

export interface BatchHeaderFields {
  chainId: string;
  height: bigint;
  /** the primary's timestamp, ms since the Unix epoch */
  time: bigint;
  /** Merkle root of the batch's transaction hashes (sdk/merkle.ts) */
  txsRoot: Uint8Array;
}

/**
 * The digest consensus orders for a block: hash(BATCH_DIGEST_DOMAIN || u32be(len chainId) ||
 * chainId || u64be(height) || u64be(time) || txsRoot). Binding height and time means a backup
 * that recomputes it checks the primary's sequence number and timestamp along with the payload.
 */
export function batchDigest(hash: Hash, fields: BatchHeaderFields): Uint8Array {
  if (!(fields.txsRoot instanceof Uint8Array) || fields.txsRoot.length !== DIGEST_BYTES) throw new TypeError(`txsRoot is ${DIGEST_BYTES} bytes`);
  const chain = chainIdPrefix(fields.chainId);
  return hash(
    new ByteWriter(BATCH_DIGEST_DOMAIN.length + chain.length + 16 + DIGEST_BYTES)
      .bytes(BATCH_DIGEST_DOMAIN)
      .bytes(chain)
      .u64(fields.height)
      .u64(fields.time)
      .bytes(fields.txsRoot)
      .finish(),
  );
}
