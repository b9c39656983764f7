// Types of the PBFT core (Castro & Liskov, OSDI'99; TOCS'02): configuration, injected
// dependencies, messages, input events, output actions and persisted records. Messages are plain
// data (bigint for view/seq/time, Uint8Array for digests and signatures) so the p2p edge can map
// them to protobuf one field at a time; docs/consensus.md gives the signing bytes of each.
import type { CommitCertificate, Validator, VerifySignature } from "../sdk/commit.js";
import type { Hash } from "../sdk/merkle.js";

export type { CommitCertificate, Validator, VerifySignature };

// ---- configuration and dependencies ---------------------------------------------------------

export interface ConsensusConfig {
  chainId: string;
  /** ordered validator set; replica i is validators[i]; the primary of view v is v mod n */
  validators: readonly Validator[];
  /** time of the genesis state (seq 0), ms: the first block's timestamp must not precede it */
  genesisTime: bigint;
  /** state digest after genesis: the stable checkpoint at seq 0 that every replica starts from */
  genesisStateDigest: Uint8Array;
  /** K: a checkpoint every K sequence numbers (PBFT §4.3) */
  checkpointInterval: number;
  /** L: sequence numbers accepted above the low water mark (h < n <= h + L); at least 2K */
  watermarkWindow: number;
  /** how many proposed-but-undelivered batches the primary keeps in flight */
  maxBatchesInFlight: number;
  /** a backup waiting for pending work to commit starts a view change after this long */
  requestTimeoutMs: number;
  /** how long a replica waits for NEW-VIEW after 2f+1 VIEW-CHANGEs before trying the next view */
  viewChangeTimeoutMs: number;
  /** both timeouts double on consecutive view changes without a commit, up to this cap (§4.5.2) */
  maxViewChangeTimeoutMs: number;
  /** a backup accepts a primary's timestamp only within this distance of its own clock */
  maxTimestampDriftMs: number;
  /** period of the STATUS broadcast that drives retransmission (lossy links, restarted replicas) */
  statusIntervalMs?: number;
  /**
   * Validator-set epoch (docs/governance.md §5): the version of the set in ledger state that
   * `validators` is. 0 (the default) is the genesis set. Every signature of this replica is over
   * epochSigningChainId(chainId, epoch) (sdk/commit.ts): messages of two epochs never mix.
   */
  epoch?: bigint;
  /**
   * The seq of the epoch's base: the stable checkpoint the previous epoch ended at (0 at genesis).
   * genesisTime and genesisStateDigest are that checkpoint's time and state digest; nothing at or
   * below it is ordered in this epoch.
   */
  baseSeq?: bigint;
}

/** Crypto and hashing, injected: ed25519 in the node, a fast keyed hash in the simulator. */
export interface ConsensusCrypto {
  /** signs with this replica's key */
  sign(message: Uint8Array): Uint8Array;
  /** never throws; false for anything that is not a valid signature */
  verify: VerifySignature;
  /** SHA-256 */
  hash: Hash;
}

/** What a batch means to the application, injected: the node binds it to its transactions. */
export interface BatchRules {
  /**
   * The 32-byte digest PBFT orders; the node uses sdk/commit.ts batchDigest over the txs root.
   * Must accept the empty payload (the null batch of a new view). May throw on a payload it
   * cannot read: consensus treats that as an invalid batch.
   */
  digestBatch(seq: bigint, timestamp: bigint, payload: Uint8Array): Uint8Array;
  /** true if a backup may accept this batch, else a reason (counted); a throw counts as a rejection */
  validateBatch(seq: bigint, timestamp: bigint, payload: Uint8Array): true | string;
}

// ---- messages (§4.2 normal case, §4.3 checkpoints, §4.4 view changes) -------------------------

/** <PRE-PREPARE, v, n, d>_σp with the batch attached (the payload is not signed: the digest binds it). */
export interface PrePrepare {
  type: "pre-prepare";
  view: bigint;
  seq: bigint;
  /** the primary's block time, ms; bound by the digest too */
  timestamp: bigint;
  digest: Uint8Array;
  /** the primary of `view` */
  replica: number;
  signature: Uint8Array;
  payload: Uint8Array;
}

/** A pre-prepare without its batch, as carried inside prepared certificates. */
export type PrePrepareHeader = Omit<PrePrepare, "payload">;

/** <PREPARE, v, n, d, i>_σi */
export interface Prepare {
  type: "prepare";
  view: bigint;
  seq: bigint;
  digest: Uint8Array;
  replica: number;
  signature: Uint8Array;
}

/** <COMMIT, v, n, d, i>_σi; signing bytes in sdk/commit.ts so clients can check certificates */
export interface Commit {
  type: "commit";
  view: bigint;
  seq: bigint;
  digest: Uint8Array;
  replica: number;
  signature: Uint8Array;
}

/** <CHECKPOINT, n, t, d, i>_σi: the state digest after executing seq, and that block's time. */
export interface Checkpoint {
  type: "checkpoint";
  seq: bigint;
  timestamp: bigint;
  stateDigest: Uint8Array;
  replica: number;
  signature: Uint8Array;
}

/** A checkpoint proven stable by a quorum of matching CHECKPOINT messages (seq 0: genesis, no proof). */
export interface StableCheckpoint {
  seq: bigint;
  timestamp: bigint;
  stateDigest: Uint8Array;
  proof: Checkpoint[];
}

/** A pre-prepare plus a quorum-minus-one of matching prepares from other replicas (§4.2 "prepared"). */
export interface PreparedCertificate {
  prePrepare: PrePrepareHeader;
  prepares: Prepare[];
}

/** <VIEW-CHANGE, v+1, n, C, P, i>_σi (§4.4). `batches[k]` is the payload of `prepared[k]`. */
export interface ViewChange {
  type: "view-change";
  view: bigint;
  checkpoint: StableCheckpoint;
  prepared: PreparedCertificate[];
  replica: number;
  signature: Uint8Array;
  /** not signed (each digest binds its batch); empty inside a NEW-VIEW, which carries O's batches */
  batches: Uint8Array[];
}

/** <NEW-VIEW, v+1, V, O>_σp (§4.4); O's pre-prepares are individually signed and carry their batches. */
export interface NewView {
  type: "new-view";
  view: bigint;
  viewChanges: ViewChange[];
  prePrepares: PrePrepare[];
  replica: number;
  signature: Uint8Array;
}

/**
 * Where a replica stands; peers answer with the signed messages it is missing. Stands in for the
 * retransmission the paper assumes (OSDI'99 §4.5.2; Castro's thesis describes such status messages).
 */
export interface Status {
  type: "status";
  view: bigint;
  /** false while the replica waits for NEW-VIEW of `view` */
  viewActive: boolean;
  stableSeq: bigint;
  lastDelivered: bigint;
  /** counts the sender's status broadcasts: rotates which peers answer with batches */
  round: number;
  replica: number;
  signature: Uint8Array;
}

/**
 * A committed batch handed to a replica that missed it: a pre-prepare carrying the batch and a
 * commit certificate for its digest. Not signed as a whole: both parts prove themselves, in any
 * view (a quorum of commits in any view fixes the batch at that seq, OSDI'99 §4.5.1).
 */
export interface Committed {
  type: "committed";
  prePrepare: PrePrepare;
  certificate: CommitCertificate;
}

export type ConsensusMessage = PrePrepare | Prepare | Commit | Checkpoint | ViewChange | NewView | Status | Committed;
/** messages that carry their sender's signature */
export type SignedMessage = Exclude<ConsensusMessage, Committed>;
export type MessageType = ConsensusMessage["type"];

// ---- events (input) -------------------------------------------------------------------------

export type TimerKind = "request" | "view-change" | "status" | "state-transfer";

export type ConsensusEvent =
  /** a message from the network (any replica may forward another's signed message) */
  | { type: "message"; message: ConsensusMessage }
  /** a timer set by a set-timer action fired; stale ids are ignored */
  | { type: "timeout"; timer: TimerKind; id: number }
  /** the local clock, ms (the node's wall clock, the simulator's virtual one); never goes back */
  | { type: "tick"; now: bigint }
  /** the mempool has a batch: the primary proposes it; a backup starts its request timer (§4.4) */
  | { type: "batch-available"; payload: Uint8Array }
  /**
   * the node executed delivered block `seq`; stateDigest is its state afterwards (§4.3).
   * `switchAt`: the seq after which the validator set in that state runs (docs/governance.md §5;
   * the ledger puts it at epochEndFor(the deciding block)); above this epoch's base, it is where
   * this epoch ends.
   */
  | { type: "executed"; seq: bigint; stateDigest: Uint8Array; switchAt?: bigint }
  /** the node fetched and verified the state at `seq` (its digest matches the stable checkpoint); `switchAt` as for executed */
  | { type: "state-transferred"; seq: bigint; stateDigest: Uint8Array; switchAt?: bigint }
  | { type: "state-transfer-failed"; seq: bigint; reason: string };

// ---- actions (output, performed in order) -----------------------------------------------------

/** A committed block: deliver in seq order, execute, then report `executed`. */
export interface CommittedBlock {
  seq: bigint;
  view: bigint;
  timestamp: bigint;
  digest: Uint8Array;
  payload: Uint8Array;
  certificate: CommitCertificate;
}

export type ConsensusAction =
  /** write durably (fsync) BEFORE performing any later action of the same list */
  | { type: "persist"; record: PersistedRecord }
  | { type: "send"; to: number; message: ConsensusMessage }
  /** to every other replica */
  | { type: "broadcast"; message: ConsensusMessage }
  /** (re)arm timer `timer`, replacing any armed one of the same kind */
  | { type: "set-timer"; timer: TimerKind; id: number; afterMs: number }
  | { type: "cancel-timer"; timer: TimerKind }
  | { type: "deliver"; block: CommittedBlock }
  /** this replica is a primary with room in its window: answer with batch-available when there is one */
  | { type: "request-batch" }
  /** fetch the state at checkpoint `seq` from `from` (replicas that vouched for it) and verify its digest */
  | { type: "request-state-transfer"; seq: bigint; timestamp: bigint; stateDigest: Uint8Array; from: number[] }
  /**
   * a quorum of matching CHECKPOINTs for `seq` (a stable checkpoint, or the idle tip's): the node
   * keeps it, since it certifies block seq's header and the chain below it to clients
   * (sdk/certified.ts). Not a safety input: nothing in consensus depends on it being performed.
   */
  | { type: "certified"; checkpoint: StableCheckpoint }
  /** a broken invariant (e.g. own state diverges from a stable checkpoint): stop, never sign again */
  | { type: "halt"; reason: string }
  /**
   * The epoch ended (docs/governance.md §5): `checkpoint` is stable at the epoch's last seq and
   * executed here. The node builds the next epoch's replica from the validator set in its state at
   * that seq, with this checkpoint as its base; this replica orders nothing more and only answers
   * the STATUS of laggards of its epoch (with the checkpoint's proof).
   */
  | { type: "epoch-ended"; epoch: bigint; checkpoint: StableCheckpoint };

// ---- persisted records (write-ahead; what a restarted replica must remember) -----------------

export type PersistedRecord =
  /** a pre-prepare this replica sent (primary) or accepted (backup), with its batch */
  | { kind: "pre-prepare"; prePrepare: PrePrepare }
  /** this replica's own prepare */
  | { kind: "prepare"; prepare: Prepare }
  /** a prepared certificate, written before this replica's COMMIT leaves (it implies that commit) */
  | { kind: "prepared"; certificate: PreparedCertificate; payload: Uint8Array }
  /** this replica's own view-change: it never signs another for that view, nor acts in older views */
  | { kind: "view-change"; viewChange: ViewChange }
  /** a new-view this replica sent (as primary) or installed */
  | { kind: "new-view"; newView: NewView }
  | { kind: "stable-checkpoint"; checkpoint: StableCheckpoint };

/** Where the node's executed state stands (from its block store) when a replica starts. */
export interface ExecutedState {
  seq: bigint;
  timestamp: bigint;
  stateDigest: Uint8Array;
  /** where the validator set in that state takes over (docs/governance.md §5), as for the executed event */
  switchAt?: bigint;
}

/** Messages dropped, by reason: for the node's metrics. */
export interface DropCounters {
  notValidator: number;
  badSignature: number;
  malformed: number;
  oldView: number;
  futureView: number;
  outsideWatermarks: number;
  wrongPrimary: number;
  conflicting: number;
  invalidBatch: number;
  badTimestamp: number;
  invalidCertificate: number;
  duplicate: number;
}

export interface ConsensusCounters {
  dropped: DropCounters;
  viewChangesStarted: number;
  newViewsInstalled: number;
  blocksDelivered: number;
  checkpointsStable: number;
  stateTransfersRequested: number;
}
