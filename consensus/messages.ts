// Signing bytes and well-formedness of consensus messages. Every signed layout is
//   domain tag ("tradeledger/pbft/<type>/v1\0") || u32be(len chainId) || chainId || fields
// with integers big-endian and fixed width (docs/consensus.md §3), so signatures never depend on
// an encoder and a message of one type or chain can never be replayed as another.
import { ByteWriter, chainIdPrefix, checkpointSigningBytes as checkpointBytes, CHECKPOINT_SIGNING_DOMAIN, commitSigningBytes, DIGEST_BYTES } from "../sdk/commit.js";
import { utf8 } from "../sdk/bytes.js";
import type { Hash } from "../sdk/merkle.js";
import type {
  Checkpoint,
  Commit,
  NewView,
  PreparedCertificate,
  Prepare,
  PrePrepare,
  PrePrepareHeader,
  SignedMessage,
  StableCheckpoint,
  Status,
  ViewChange,
} from "./types.js";

const U64_MAX = (1n << 64n) - 1n;

function domain(type: string): Uint8Array {
  return utf8(`tradeledger/pbft/${type}/v1\u0000`);
}

export const SIGNING_DOMAINS = {
  prePrepare: domain("pre-prepare"),
  prepare: domain("prepare"),
  checkpoint: CHECKPOINT_SIGNING_DOMAIN,
  viewChange: domain("view-change"),
  newView: domain("new-view"),
  status: domain("status"),
} as const;

export function prePrepareSigningBytes(chainId: string, m: Omit<PrePrepareHeader, "signature">): Uint8Array {
  const chain = chainIdPrefix(chainId);
  const d = SIGNING_DOMAINS.prePrepare;
  return new ByteWriter(d.length + chain.length + 24 + DIGEST_BYTES + 4).bytes(d).bytes(chain).u64(m.view).u64(m.seq).u64(m.timestamp).bytes(m.digest).u32(m.replica).finish();
}

export function prepareSigningBytes(chainId: string, m: Omit<Prepare, "signature" | "type">): Uint8Array {
  const chain = chainIdPrefix(chainId);
  const d = SIGNING_DOMAINS.prepare;
  return new ByteWriter(d.length + chain.length + 16 + DIGEST_BYTES + 4).bytes(d).bytes(chain).u64(m.view).u64(m.seq).bytes(m.digest).u32(m.replica).finish();
}

export function commitBytes(chainId: string, m: Omit<Commit, "signature" | "type">): Uint8Array {
  return commitSigningBytes(chainId, m.view, m.seq, m.digest, m.replica);
}

/** sdk/commit.ts defines the layout: clients check checkpoint certificates with the same bytes. */
export function checkpointSigningBytes(chainId: string, m: Omit<Checkpoint, "signature" | "type">): Uint8Array {
  return checkpointBytes(chainId, m.seq, m.timestamp, m.stateDigest, m.replica);
}

/**
 * Covers the claimed stable checkpoint and, per prepared certificate (in increasing seq), the
 * (view, seq, timestamp, digest) it proves. The certificates' own signatures are checked separately.
 */
export function viewChangeSigningBytes(chainId: string, m: Omit<ViewChange, "signature" | "type" | "batches">): Uint8Array {
  const chain = chainIdPrefix(chainId);
  const d = SIGNING_DOMAINS.viewChange;
  const w = new ByteWriter(d.length + chain.length + 8 + 4 + 16 + DIGEST_BYTES + 4 + m.prepared.length * (24 + DIGEST_BYTES));
  w.bytes(d).bytes(chain).u64(m.view).u32(m.replica).u64(m.checkpoint.seq).u64(m.checkpoint.timestamp).bytes(m.checkpoint.stateDigest).u32(m.prepared.length);
  for (const c of m.prepared) w.u64(c.prePrepare.view).u64(c.prePrepare.seq).u64(c.prePrepare.timestamp).bytes(c.prePrepare.digest);
  return w.finish();
}

/** Covers V (each view-change by signer and hash of its signing bytes) and O (seq, timestamp, digest). */
export function newViewSigningBytes(chainId: string, hash: Hash, m: Omit<NewView, "signature" | "type">): Uint8Array {
  const chain = chainIdPrefix(chainId);
  const d = SIGNING_DOMAINS.newView;
  const w = new ByteWriter(d.length + chain.length + 8 + 4 + 4 + m.viewChanges.length * (4 + DIGEST_BYTES) + 4 + m.prePrepares.length * (16 + DIGEST_BYTES));
  w.bytes(d).bytes(chain).u64(m.view).u32(m.replica).u32(m.viewChanges.length);
  for (const vc of m.viewChanges) w.u32(vc.replica).bytes(hash(viewChangeSigningBytes(chainId, vc)));
  w.u32(m.prePrepares.length);
  for (const pp of m.prePrepares) w.u64(pp.seq).u64(pp.timestamp).bytes(pp.digest);
  return w.finish();
}

export function statusSigningBytes(chainId: string, m: Omit<Status, "signature" | "type">): Uint8Array {
  const chain = chainIdPrefix(chainId);
  const d = SIGNING_DOMAINS.status;
  return new ByteWriter(d.length + chain.length + 8 + 1 + 16 + 4 + 4)
    .bytes(d)
    .bytes(chain)
    .u64(m.view)
    .u8(m.viewActive ? 1 : 0)
    .u64(m.stableSeq)
    .u64(m.lastDelivered)
    .u32(m.round)
    .u32(m.replica)
    .finish();
}

/** The signing bytes of any message (for a NEW-VIEW, `hash` hashes the embedded view-changes). */
export function signingBytes(chainId: string, hash: Hash, m: SignedMessage): Uint8Array {
  switch (m.type) {
    case "pre-prepare":
      return prePrepareSigningBytes(chainId, m);
    case "prepare":
      return prepareSigningBytes(chainId, m);
    case "commit":
      return commitBytes(chainId, m);
    case "checkpoint":
      return checkpointSigningBytes(chainId, m);
    case "view-change":
      return viewChangeSigningBytes(chainId, m);
    case "new-view":
      return newViewSigningBytes(chainId, hash, m);
    case "status":
      return statusSigningBytes(chainId, m);
  }
}

// ---- well-formedness: types and ranges, checked before any signing bytes are built ------------

function isU64(v: unknown): v is bigint {
  return typeof v === "bigint" && v >= 0n && v <= U64_MAX;
}
function isDigest(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array && v.length === DIGEST_BYTES;
}
function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
}
function isReplica(v: unknown, n: number): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 && v < n;
}
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null;
}

/** Why a message from the network is malformed, or null. Replica indexes must be < n. */
export function malformation(m: unknown, n: number): string | null {
  if (!isObject(m)) return "not an object";
  switch (m.type) {
    case "pre-prepare":
      return prePrepareMalformation(m, n, true);
    case "prepare":
    case "commit":
      if (!isU64(m.view) || !isU64(m.seq)) return `${m.type}: view/seq`;
      if (!isDigest(m.digest)) return `${m.type}: digest`;
      if (!isReplica(m.replica, n)) return `${m.type}: replica`;
      return isBytes(m.signature) ? null : `${m.type}: signature`;
    case "checkpoint":
      return checkpointMalformation(m, n);
    case "view-change":
      return viewChangeMalformation(m, n);
    case "new-view": {
      if (!isU64(m.view) || !isReplica(m.replica, n) || !isBytes(m.signature)) return "new-view: header";
      if (!Array.isArray(m.viewChanges) || m.viewChanges.length > n) return "new-view: viewChanges";
      for (const vc of m.viewChanges) {
        const why = viewChangeMalformation(vc, n);
        if (why) return `new-view: ${why}`;
      }
      if (!Array.isArray(m.prePrepares)) return "new-view: prePrepares";
      for (const pp of m.prePrepares) {
        const why = prePrepareMalformation(pp, n, true);
        if (why) return `new-view: ${why}`;
      }
      return null;
    }
    case "status":
      if (!isU64(m.view) || typeof m.viewActive !== "boolean" || !isU64(m.stableSeq) || !isU64(m.lastDelivered)) return "status: fields";
      if (typeof m.round !== "number" || !Number.isInteger(m.round) || m.round < 0 || m.round > 0xffffffff) return "status: round";
      return isReplica(m.replica, n) && isBytes(m.signature) ? null : "status: replica/signature";
    case "committed": {
      const why = prePrepareMalformation(m.prePrepare, n, true);
      if (why) return `committed: ${why}`;
      const c = m.certificate;
      if (!isObject(c) || typeof c.chainId !== "string" || !isU64(c.view) || !isU64(c.seq) || !isDigest(c.digest)) return "committed: certificate";
      if (!Array.isArray(c.commits) || c.commits.length > n) return "committed: certificate commits";
      for (const s of c.commits) if (!isObject(s) || !isReplica(s.replica, n) || !isBytes(s.signature)) return "committed: certificate commit";
      return null;
    }
    default:
      return "unknown message type";
  }
}

function prePrepareMalformation(m: unknown, n: number, withPayload: boolean): string | null {
  if (!isObject(m) || m.type !== "pre-prepare") return "pre-prepare: type";
  if (!isU64(m.view) || !isU64(m.seq) || !isU64(m.timestamp)) return "pre-prepare: view/seq/timestamp";
  if (!isDigest(m.digest)) return "pre-prepare: digest";
  if (!isReplica(m.replica, n) || !isBytes(m.signature)) return "pre-prepare: replica/signature";
  if (withPayload && !isBytes(m.payload)) return "pre-prepare: payload";
  return null;
}

function checkpointMalformation(m: unknown, n: number): string | null {
  if (!isObject(m) || m.type !== "checkpoint") return "checkpoint: type";
  if (!isU64(m.seq) || !isU64(m.timestamp) || !isDigest(m.stateDigest)) return "checkpoint: fields";
  return isReplica(m.replica, n) && isBytes(m.signature) ? null : "checkpoint: replica/signature";
}

function stableCheckpointMalformation(c: unknown, n: number): string | null {
  if (!isObject(c) || !isU64(c.seq) || !isU64(c.timestamp) || !isDigest(c.stateDigest)) return "stable checkpoint: fields";
  if (!Array.isArray(c.proof) || c.proof.length > n) return "stable checkpoint: proof";
  for (const cp of c.proof) {
    const why = checkpointMalformation(cp, n);
    if (why) return why;
  }
  return null;
}

function certificateMalformation(c: unknown, n: number): string | null {
  if (!isObject(c)) return "certificate: not an object";
  const why = prePrepareMalformation(c.prePrepare, n, false);
  if (why) return `certificate: ${why}`;
  if (!Array.isArray(c.prepares) || c.prepares.length > n) return "certificate: prepares";
  for (const p of c.prepares) {
    if (!isObject(p) || p.type !== "prepare" || !isU64(p.view) || !isU64(p.seq) || !isDigest(p.digest)) return "certificate: prepare";
    if (!isReplica(p.replica, n) || !isBytes(p.signature)) return "certificate: prepare replica/signature";
  }
  return null;
}

function viewChangeMalformation(m: unknown, n: number): string | null {
  if (!isObject(m) || m.type !== "view-change") return "view-change: type";
  if (!isU64(m.view) || !isReplica(m.replica, n) || !isBytes(m.signature)) return "view-change: header";
  const why = stableCheckpointMalformation(m.checkpoint, n);
  if (why) return `view-change: ${why}`;
  if (!Array.isArray(m.prepared) || !Array.isArray(m.batches)) return "view-change: prepared/batches";
  if (m.batches.length !== 0 && m.batches.length !== m.prepared.length) return "view-change: batches do not match certificates";
  for (const b of m.batches) if (!isBytes(b)) return "view-change: batch";
  let last = -1n;
  for (const c of m.prepared) {
    const whyCert = certificateMalformation(c, n);
    if (whyCert) return `view-change: ${whyCert}`;
    const seq = (c as PreparedCertificate).prePrepare.seq;
    if (seq <= last) return "view-change: certificates not in increasing seq";
    last = seq;
  }
  return null;
}

/** Copies a pre-prepare without its batch (certificates and records carry batches separately). */
export function headerOf(pp: PrePrepareHeader): PrePrepareHeader {
  return { type: "pre-prepare", view: pp.view, seq: pp.seq, timestamp: pp.timestamp, digest: pp.digest, replica: pp.replica, signature: pp.signature };
}

export type { StableCheckpoint, PrePrepare };
