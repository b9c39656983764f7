// The node's wire mapping between proto/consensus.proto and the consensus core's plain types.
// Decoding happens at the p2p edge (STYLE rule 4): bytes from a peer become a typed message here,
// checked by the core's structural validation (ValidateBasic), or an Error the edge counts and
// punishes. Nothing inside the node ever sees a peer's raw bytes.
import { decode, encode, CodecError } from "../../sdk/codec.js";
import { withoutZeroEpoch, type CommitCertificate } from "../../sdk/commit.js";
import type { CheckpointCertificate } from "../../sdk/certified.js";
import type { EpochLink } from "../../sdk/epochs.js";
import { malformation } from "../../consensus/messages.js";
import type {
  Checkpoint,
  Commit,
  ConsensusMessage,
  NewView,
  PersistedRecord,
  PrePrepare,
  PrePrepareHeader,
  Prepare,
  PreparedCertificate,
  StableCheckpoint,
  Status,
  ViewChange,
} from "../../consensus/types.js";

// ---- proto-shaped objects (what sdk/codec produces) -------------------------------------------

type Obj = Record<string, unknown>;

interface PrePrepareMsg {
  view: bigint;
  seq: bigint;
  timestamp: bigint;
  digest: Uint8Array;
  replica: number;
  signature: Uint8Array;
  payload: Uint8Array;
}

const prePrepareOut = (m: PrePrepare | PrePrepareHeader): PrePrepareMsg => ({
  view: m.view,
  seq: m.seq,
  timestamp: m.timestamp,
  digest: m.digest,
  replica: m.replica,
  signature: m.signature,
  payload: "payload" in m ? m.payload : new Uint8Array(0),
});
const prePrepareIn = (m: Obj): PrePrepare => ({
  type: "pre-prepare",
  view: m.view as bigint,
  seq: m.seq as bigint,
  timestamp: m.timestamp as bigint,
  digest: m.digest as Uint8Array,
  replica: m.replica as number,
  signature: m.signature as Uint8Array,
  payload: m.payload as Uint8Array,
});
const headerIn = (m: Obj): PrePrepareHeader => {
  const { payload: _payload, ...header } = prePrepareIn(m);
  return header;
};
const voteOut = (m: Prepare | Commit) => ({ view: m.view, seq: m.seq, digest: m.digest, replica: m.replica, signature: m.signature });
const prepareIn = (m: Obj): Prepare => ({ type: "prepare", ...(m as Omit<Prepare, "type">) });
const commitIn = (m: Obj): Commit => ({ type: "commit", ...(m as Omit<Commit, "type">) });
const checkpointOut = (m: Checkpoint) => ({ seq: m.seq, timestamp: m.timestamp, stateDigest: m.stateDigest, replica: m.replica, signature: m.signature });
const checkpointIn = (m: Obj): Checkpoint => ({ type: "checkpoint", ...(m as Omit<Checkpoint, "type">) });
const stableOut = (s: StableCheckpoint) => ({ seq: s.seq, timestamp: s.timestamp, stateDigest: s.stateDigest, proof: s.proof.map(checkpointOut) });
const stableIn = (m: Obj | undefined): StableCheckpoint => {
  if (!m) throw new CodecError("invalid", "stable checkpoint missing", "StableCheckpointMsg");
  return { seq: m.seq as bigint, timestamp: m.timestamp as bigint, stateDigest: m.stateDigest as Uint8Array, proof: (m.proof as Obj[]).map(checkpointIn) };
};
const preparedOut = (c: PreparedCertificate) => ({ prePrepare: prePrepareOut(c.prePrepare), prepares: c.prepares.map(voteOut) });
const preparedIn = (m: Obj): PreparedCertificate => {
  if (!m.prePrepare) throw new CodecError("invalid", "prepared certificate without pre-prepare", "PreparedCertificateMsg");
  return { prePrepare: headerIn(m.prePrepare as Obj), prepares: (m.prepares as Obj[]).map(prepareIn) };
};
const viewChangeOut = (v: ViewChange) => ({
  view: v.view,
  checkpoint: stableOut(v.checkpoint),
  prepared: v.prepared.map(preparedOut),
  replica: v.replica,
  signature: v.signature,
  batches: v.batches,
});
const viewChangeIn = (m: Obj): ViewChange => ({
  type: "view-change",
  view: m.view as bigint,
  checkpoint: stableIn(m.checkpoint as Obj | undefined),
  prepared: (m.prepared as Obj[]).map(preparedIn),
  replica: m.replica as number,
  signature: m.signature as Uint8Array,
  batches: m.batches as Uint8Array[],
});
const newViewOut = (v: NewView) => ({
  view: v.view,
  viewChanges: v.viewChanges.map(viewChangeOut),
  prePrepares: v.prePrepares.map(prePrepareOut),
  replica: v.replica,
  signature: v.signature,
});
const newViewIn = (m: Obj): NewView => ({
  type: "new-view",
  view: m.view as bigint,
  viewChanges: (m.viewChanges as Obj[]).map(viewChangeIn),
  prePrepares: (m.prePrepares as Obj[]).map(prePrepareIn),
  replica: m.replica as number,
  signature: m.signature as Uint8Array,
});
const statusIn = (m: Obj): Status => ({ type: "status", ...(m as Omit<Status, "type">) });

// ---- consensus messages -----------------------------------------------------------------------

/** Encodes a consensus message as a frame of the genesis set's epoch (0). */
export function encodeConsensusMessage(m: ConsensusMessage): Uint8Array {
  return encodeConsensusFrame(m, 0n);
}

/** Encodes a consensus message as one frame of validator-set epoch `epoch` (docs/governance.md §5). */
export function encodeConsensusFrame(m: ConsensusMessage, epoch: bigint): Uint8Array {
  let message: Obj;
  switch (m.type) {
    case "pre-prepare":
      message = { type: "prePrepare", ...prePrepareOut(m) };
      break;
    case "prepare":
      message = { type: "prepare", ...voteOut(m) };
      break;
    case "commit":
      message = { type: "commit", ...voteOut(m) };
      break;
    case "checkpoint":
      message = { type: "checkpoint", ...checkpointOut(m) };
      break;
    case "view-change":
      message = { type: "viewChange", ...viewChangeOut(m) };
      break;
    case "new-view":
      message = { type: "newView", ...newViewOut(m) };
      break;
    case "status": {
      const { type: _t, ...rest } = m;
      message = { type: "status", ...rest };
      break;
    }
    case "committed":
      message = { type: "committed", prePrepare: prePrepareOut(m.prePrepare), certificate: withoutZeroEpoch({ ...m.certificate }) };
      break;
    default:
      throw new TypeError(`unknown consensus message type ${(m as { type: string }).type}`);
  }
  return encode("ConsensusEnvelope", { message, ...(epoch > 0n ? { epoch } : {}) });
}

/** A peer's consensus frame failed decoding or structural validation. */
export class WireError extends Error {
  override readonly name = "WireError";
  readonly code = "MALFORMED" as const;
}

/**
 * Decodes a consensus frame from a peer and runs the core's structural checks. Returns an Error
 * (never throws) so the p2p edge can count it and penalise the peer.
 */
export function decodeConsensusMessage(bytes: Uint8Array, validators: number): ConsensusMessage | Error {
  const frame = decodeConsensusFrame(bytes, () => validators);
  return frame instanceof Error ? frame : "refused" in frame ? new WireError(`consensus message of epoch ${frame.epoch} refused`) : frame.message;
}

/** A consensus frame: the message and the validator-set epoch it belongs to. */
export interface ConsensusFrame {
  epoch: bigint;
  message: ConsensusMessage;
}

/**
 * A well-formed frame of an epoch this node cannot check now: one it has not reached ("future":
 * dropped, retransmission brings it again once it switched) or one it never ran and keeps nothing
 * of ("unknown"). Not the sender's fault: no penalty, never a crash.
 */
export interface EpochRefusal {
  refused: "future" | "unknown";
  epoch: bigint;
}

/**
 * Decodes a consensus frame with its epoch; `validatorsIn(epoch)` is the size of that epoch's set
 * where this node knows it (the current epoch, or one it finished), for the structural checks.
 * Returns an Error (never throws) for bytes a peer must not send, a refusal for an epoch it
 * cannot check.
 */
export function decodeConsensusFrame(bytes: Uint8Array, validatorsIn: (epoch: bigint) => number | undefined | "future"): ConsensusFrame | EpochRefusal | Error {
  try {
    const env = decode<{ message?: Obj & { type: string }; epoch?: bigint }>("ConsensusEnvelope", bytes);
    const epoch = env.epoch ?? 0n;
    const m = env.message;
    if (!m) return new WireError("empty consensus envelope");
    const validators = validatorsIn(epoch);
    if (validators === "future" || validators === undefined) return { refused: validators === "future" ? "future" : "unknown", epoch };
    let msg: ConsensusMessage;
    switch (m.type) {
      case "prePrepare":
        msg = prePrepareIn(m);
        break;
      case "prepare":
        msg = prepareIn(stripType(m));
        break;
      case "commit":
        msg = commitIn(stripType(m));
        break;
      case "checkpoint":
        msg = checkpointIn(stripType(m));
        break;
      case "viewChange":
        msg = viewChangeIn(m);
        break;
      case "newView":
        msg = newViewIn(m);
        break;
      case "status":
        msg = statusIn(stripType(m));
        break;
      case "committed":
        if (!m.prePrepare || !m.certificate) return new WireError("committed message without pre-prepare or certificate");
        msg = { type: "committed", prePrepare: prePrepareIn(m.prePrepare as Obj), certificate: withoutZeroEpoch(m.certificate as CommitCertificate) };
        break;
      default:
        return new WireError(`unknown consensus message ${m.type}`);
    }
    const problem = malformation(msg, validators);
    return problem === null ? { epoch, message: msg } : new WireError(`malformed ${msg.type}: ${problem}`);
  } catch (err) {
    return err instanceof Error ? err : new WireError(String(err));
  }
}

function stripType(m: Obj): Obj {
  const { type: _t, ...rest } = m;
  return rest;
}

// ---- write-ahead records ----------------------------------------------------------------------

export function encodeRecord(r: PersistedRecord): Uint8Array {
  let record: Obj;
  switch (r.kind) {
    case "pre-prepare":
      record = { type: "prePrepare", ...prePrepareOut(r.prePrepare) };
      break;
    case "prepare":
      record = { type: "prepare", ...voteOut(r.prepare) };
      break;
    case "prepared":
      record = { type: "prepared", certificate: preparedOut(r.certificate), payload: r.payload };
      break;
    case "view-change":
      record = { type: "viewChange", ...viewChangeOut(r.viewChange) };
      break;
    case "new-view":
      record = { type: "newView", ...newViewOut(r.newView) };
      break;
    case "stable-checkpoint":
      record = { type: "stableCheckpoint", ...stableOut(r.checkpoint) };
      break;
    default:
      throw new TypeError(`unknown consensus record kind ${(r as { kind: string }).kind}`);
  }
  return encode("ConsensusRecord", { record });
}

/** Decodes a record this node wrote itself; a failure means a corrupted store (throws). */
export function decodeRecord(bytes: Uint8Array): PersistedRecord {
  const m = decode<{ record?: Obj & { type: string } }>("ConsensusRecord", bytes).record;
  switch (m?.type) {
    case "prePrepare":
      return { kind: "pre-prepare", prePrepare: prePrepareIn(m) };
    case "prepare":
      return { kind: "prepare", prepare: prepareIn(stripType(m)) };
    case "prepared":
      return { kind: "prepared", certificate: preparedIn(m.certificate as Obj), payload: m.payload as Uint8Array };
    case "viewChange":
      return { kind: "view-change", viewChange: viewChangeIn(m) };
    case "newView":
      return { kind: "new-view", newView: newViewIn(m) };
    case "stableCheckpoint":
      return { kind: "stable-checkpoint", checkpoint: stableIn(m) };
    default:
      throw new CodecError("invalid", `unknown consensus record ${String(m?.type)}`, "ConsensusRecord");
  }
}

// ---- batches, certificates, certified blocks ----------------------------------------------------

export function encodeBatch(txs: Uint8Array[]): Uint8Array {
  return encode("Batch", { txs });
}

export function decodeBatch(payload: Uint8Array): Uint8Array[] {
  return decode<{ txs: Uint8Array[] }>("Batch", payload).txs;
}

export function encodeCertificate(c: CommitCertificate): Uint8Array {
  return encode("CommitCertificateMsg", c);
}

export function decodeCertificate(bytes: Uint8Array): CommitCertificate {
  return withoutZeroEpoch(decode<CommitCertificate>("CommitCertificateMsg", bytes));
}

export interface CertifiedBlock {
  height: bigint;
  time: bigint;
  view: bigint;
  /** SignedTx bytes, as ordered */
  txs: Uint8Array[];
  certificate: CommitCertificate;
  /** the serving node's header hash after executing the block: a cross-check, not trusted */
  headerHash: Uint8Array;
  /** the newest checkpoint certificate the server holds at or below `height` (not trusted: verified by the receiver) */
  checkpoint?: CheckpointCertificate;
  /** epoch links the server holds near the run (not trusted: verified from the genesis set, node/epochs.ts) */
  epochLinks?: EpochLink[];
}

export function encodeCertifiedBlock(b: CertifiedBlock): Uint8Array {
  return encode("CertifiedBlock", b);
}

/** Decodes a block from a sync response; returns an Error for anything malformed. */
export function decodeCertifiedBlock(bytes: Uint8Array): CertifiedBlock | Error {
  try {
    const b = decode<Omit<CertifiedBlock, "certificate"> & { certificate?: CommitCertificate }>("CertifiedBlock", bytes);
    if (!b.certificate) return new WireError("certified block without a certificate");
    if (b.headerHash.length !== 32) return new WireError("certified block header hash is not 32 bytes");
    withoutZeroEpoch(b.certificate);
    if (!b.checkpoint) delete b.checkpoint;
    else withoutZeroEpoch(b.checkpoint as CheckpointCertificate & { epoch?: bigint });
    if (!b.epochLinks || b.epochLinks.length === 0) delete b.epochLinks;
    else for (const l of b.epochLinks) withoutZeroEpoch(l.checkpoint as CheckpointCertificate & { epoch?: bigint });
    return b as CertifiedBlock;
  } catch (err) {
    return err instanceof Error ? err : new WireError(String(err));
  }
}

// ---- epoch records (node/driver/consensus-log.ts) --------------------------------------------------

/** The epoch a node runs, as its consensus log keeps it (node/driver/epoch-runner.ts EpochRecord). */
export interface EpochRecordWire {
  epoch: bigint;
  baseSeq: bigint;
  baseTime: bigint;
  baseDigest: Uint8Array;
  members: { id: string; publicKey: Uint8Array }[];
}

export interface FinishedEpochWire {
  epoch: bigint;
  members: { id: string; publicKey: Uint8Array }[];
  checkpoint: StableCheckpoint;
}

export function encodeEpochRecord(r: EpochRecordWire): Uint8Array {
  return encode("EpochRecordMsg", { ...r, members: r.members.map((v) => ({ id: v.id, publicKey: v.publicKey })) });
}

export function decodeEpochRecord(bytes: Uint8Array): EpochRecordWire {
  const m = decode<EpochRecordWire>("EpochRecordMsg", bytes);
  return { epoch: m.epoch, baseSeq: m.baseSeq, baseTime: m.baseTime, baseDigest: m.baseDigest, members: m.members.map((v) => ({ id: v.id, publicKey: v.publicKey })) };
}

export function encodeFinishedEpoch(f: FinishedEpochWire): Uint8Array {
  return encode("FinishedEpochMsg", { epoch: f.epoch, members: f.members.map((v) => ({ id: v.id, publicKey: v.publicKey })), checkpoint: stableOut(f.checkpoint) });
}

export function decodeFinishedEpoch(bytes: Uint8Array): FinishedEpochWire {
  const m = decode<{ epoch: bigint; members: { id: string; publicKey: Uint8Array }[]; checkpoint?: Obj }>("FinishedEpochMsg", bytes);
  return { epoch: m.epoch, members: m.members.map((v) => ({ id: v.id, publicKey: v.publicKey })), checkpoint: stableIn(m.checkpoint) };
}
