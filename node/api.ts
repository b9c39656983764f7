// What the RPC layer may ask of a running node: the one narrow interface between rpc/ and node/
// (STYLE rules 8, 14). node/service.ts implements it; every read goes through the query model
// (node/query/types.ts), so rpc/ never reaches around it into the chain, the ledger or the store.
import type { CommitCertificate, Validator } from "../sdk/commit.js";
import type { Tx } from "../sdk/tx.js";
import type { BlockHeader, Receipt } from "../sdk/types.js";
import type { Admission } from "./driver/mempool.js";
import type { QueryModel } from "./query/types.js";

export type { QueryModel } from "./query/types.js";

export interface NodeStatus {
  chainId: string;
  /** validator id, or the observer's configured name */
  nodeId: string;
  mode: "validator" | "observer";
  height: bigint;
  headHash: Uint8Array;
  /** time of the head block, ms (genesis time at height 0) */
  headTime: bigint;
  stateRoot: Uint8Array;
  /** PBFT view and its primary (validators only) */
  view?: bigint;
  primary?: string;
  viewActive?: boolean;
  validators: string[];
  peers: { id: string; validator: boolean }[];
  mempool: { txs: number; bytes: number };
  /** set when consensus halted on a broken invariant: the node serves reads, signs nothing */
  halted?: string;
  /** true while catching up (state transfer / observer sync) */
  syncing: boolean;
  /** an observer the network does not admit: why, and the fix (docs/governance.md) */
  notAdmitted?: string;
  /** ready to accept transactions: storage open, consensus running, not halted */
  ready: boolean;
  version: string;
}

export interface BlockTimings {
  /** loading (and verifying) every state record the block can touch */
  prefetchMs: number;
  /** the ledger, receipt encoding, txs and receipts roots */
  executeMs: number;
  /** bucket entries, bucket hashes and the upper tree: the state commitment */
  stateRootMs: number;
  /** deriving the read-index entries */
  indexMs: number;
  /** the atomic LevelDB batch (with fsync when the store syncs) */
  writeMs: number;
}

/** A block the executor (node/chain/chain.ts) just committed. */
export interface ExecutedBlock {
  header: BlockHeader;
  headerBytes: Uint8Array;
  hash: Uint8Array;
  receipts: Receipt[];
  timings: BlockTimings;
}

/** A block as listeners see it right after it was executed and stored. */
export interface CommittedBlockEvent {
  executed: ExecutedBlock;
  txs: Tx[];
  certificate: CommitCertificate;
}

/** Where a transaction committed; `committed` when the block was seen executing (not read from the store). */
export interface CommitWait {
  height: bigint;
  committed?: {
    index: number;
    /** the SignedTx bytes of the copy in the block (another envelope of the same body may have taken the hash) */
    bytes: Uint8Array;
    receipt: Receipt;
    time: bigint;
    blockHash: Uint8Array;
  };
}

export interface NodeApi {
  /** every read (blocks, txs with proofs, state records, receivables, history, lists, exposure, rejections, state proofs) */
  readonly query: QueryModel;
  readonly chainId: string;
  /**
   * the genesis validator set, for certificate checks by clients (ordered; index = replica). After a
   * validator-set change clients verify with the chain of sets (GET /v1/validator-sets), not with this.
   */
  readonly validators: readonly Validator[];
  /** the set that orders blocks now (the genesis set until the first switch): readiness counts its quorum */
  validatorsInForce?(): readonly Validator[];
  status(): NodeStatus;
  /** status().ready without building the whole status (asked on every submission) */
  acceptingTxs(): boolean;
  /**
   * Admits SignedTx bytes: decode, envelope and signature checks, mempool, then gossip to the
   * validators. Never throws on bad input (a refusal carries its code).
   */
  submit(bytes: Uint8Array): Promise<Admission>;
  /**
   * Admits many SignedTx byte strings in the order given, each with its own Admission (as submit),
   * sharing what can be shared: the consensus side is told once per slice of admissions rather than
   * once per transaction. Yields to the event loop between slices so a large batch does not stall
   * consensus. Never throws on bad input.
   */
  submitMany(txs: readonly Uint8Array[]): Promise<Admission[]>;
  /**
   * Resolves when the transaction (hex hash) is in a committed block, with that block; undefined
   * on timeout or abort. Resolves at once if it is already committed. When the block commits while
   * waiting, `committed` carries the copy at that height with its receipt, so the answer to a
   * submitter needs no read of the block back from the store.
   */
  waitForCommit(txHashHex: string, timeoutMs: number, signal?: AbortSignal): Promise<CommitWait | undefined>;
  /**
   * One wait for many transactions (hex hashes): resolves when every one is in a committed block,
   * or on timeout or abort, with one entry per hash (undefined: not committed yet). One timer and
   * one abort listener for the lot.
   */
  waitForCommits(txHashHexes: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<(CommitWait | undefined)[]>;
  /** subscribe to committed blocks, in height order; returns the unsubscribe function */
  onBlock(listener: (b: CommittedBlockEvent) => void): () => void;
}
