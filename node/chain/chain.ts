// The block executor, the write path (STYLE rule 14): ties the ledger (node/ledger) to the store
// (node/store). For each ordered batch it prefetches every state key the transactions can touch,
// runs the ledger synchronously over that verified snapshot, updates the state tree, builds the
// header and commits the block, its receipts, the state, the tree and the indexes in one atomic
// batch. It owns the head; everything else reads through the query model (node/query/). One block
// at a time; heights are contiguous.
import { decodeValidatorSet, epochOfBlock, GOVERNANCE_KEY, type BlockEpoch, type ValidatorMember, type ValidatorSetRecord } from "../ledger/governance.js";
import { concatBytes, equalBytes, fromHex, toHex, utf8 } from "../../sdk/bytes.js";
import { encode } from "../../sdk/codec.js";
import type { CommitCertificate } from "../../sdk/commit.js";
import type { Crypto } from "../../sdk/crypto.js";
import type { Tx } from "../../sdk/tx.js";
import type { BlockHeader, Party } from "../../sdk/types.js";
import type { ExecutedBlock } from "../api.js";
import { nodeCrypto } from "../crypto.js";
import { accessKeys, executeBlock, recordsCreatedIn, genesisWrites, takesTxHash, type LedgerParams } from "../ledger/execute.js";
import { encodeReceipt } from "../ledger/records.js";
import { encodeCertificateRecord } from "../store/blocks.js";
import { StoreError } from "../store/errors.js";
import { rfc6962Root, sha256 } from "../store/hash.js";
import { historyEntriesOfBlock } from "../store/indexes.js";
import type { BlockReads } from "../store/state.js";
import type { WriteSet } from "../ledger/state.js";
import type { Receipt } from "../../sdk/types.js";
import { decodeHistoryChain, encodeHistoryChain, historyChainKey, nextHistoryHead, type HistoryChain, type HistoryKind } from "../../sdk/history-chain.js";

const KIND_OF_RECORD: Readonly<Record<string, HistoryKind>> = { "r/": "receivable", "q/": "piece", "w/": "warrant", "l/": "line", "t/": "title", "o/": "lot" };

/** The history chain key of an object's state record key ("r/<id>" -> "h/r/<id>"), or undefined. */
function historyChainKeyOfRecord(stateKey: string): string | undefined {
  const kind = KIND_OF_RECORD[stateKey.slice(0, 2)];
  return kind && historyChainKey(kind, stateKey.slice(2));
}
import { ZERO_HASH, type Store } from "../store/store.js";
import type { StoreMeta } from "../store/meta.js";
import { verifyStore, type VerifyReport } from "../store/verify.js";

export type { BlockTimings, ExecutedBlock } from "../api.js";

/**
 * State tree depth when the genesis does not name one: 2^20 buckets keep ~3 records per bucket at a
 * million receivables, where depth 18 measured 0.64-0.78 of empty-ledger throughput and 20 measured
 * 0.85-0.93 (docs/storage.md §7). A genesis normally sets it (config ledger.stateTreeDepth).
 */
export const DEFAULT_STATE_TREE_DEPTH = 20;

export interface ChainGenesis {
  chainId: string;
  /** the first parties (registeredBy "" and registeredAt 0 for genesis parties) */
  parties: Party[];
  /** bits of the state tree's bucket index (genesis ledger.stateTreeDepth) */
  stateTreeDepth?: number;
  /** ms since the Unix epoch; block 1's time must not precede it (genesis genesisTime) */
  genesisTime?: bigint;
  /** the genesis validator set as ledger state (governance, DESIGN.md §12); absent: none in state */
  validators?: ValidatorMember[];
}

export interface ChainOptions {
  /** the node passes its one crypto instance; node:crypto when absent (tools, tests) */
  crypto?: Crypto;
  /** signature check; pass the node's SignatureCache so each signature is verified once per node */
  verifySignature?: (tx: Tx, publicKey: Uint8Array) => boolean;
  params?: Partial<LedgerParams>;
}

export interface BlockInput {
  height: bigint;
  /** the primary's timestamp (ms); the ledger's "now" */
  time: bigint;
  /**
   * Not recorded. Which primary proposed a batch and in which view it committed are not agreed by
   * consensus (the batch digest binds chain, height, time and transactions only): a batch
   * committed in view v by some replicas is committed in view v+1 by one that missed those commits
   * and got it from the NEW-VIEW. The header, whose hash every replica must agree on (it is the
   * checkpoint digest), therefore has view 0 and an empty proposer; the certificate keeps its view.
   */
  proposer?: string;
  /** the view of `certificate` (checked against it); not written into the header, see `proposer` */
  view: bigint;
  txs: Tx[];
  /** when syncing a certified block: the hash it must produce, checked before anything is written */
  expectedHash?: Uint8Array;
  /** the 2f+1 commits that committed this batch; stored in the block's batch (its chain id, seq and view must match) */
  certificate?: CommitCertificate;
  /** false: commit without waiting for the fsync (a run of synced blocks; Store BlockCommitInput.durable) */
  durable?: boolean;
}

export class Chain {
  private readonly crypto: Crypto;
  private running = false;
  private lastTime = 0n;
  /** the genesis state (put back when a snapshot being loaded is abandoned) */
  private genesisState: WriteSet = new Map();
  /** the validator set in state at the head (v/set; docs/governance.md §4), re-read after a block that changed it */
  private set: ValidatorSetRecord | undefined;

  private constructor(
    readonly store: Store,
    readonly chainId: string,
    private readonly opts: ChainOptions,
  ) {
    this.crypto = opts.crypto ?? nodeCrypto;
  }

  /**
   * Opens the chain over a store: applies the genesis to a new store (height 0), or checks that an
   * existing store was made from this genesis (STORE_GENESIS_MISMATCH otherwise).
   */
  static async open(store: Store, genesis: ChainGenesis, opts: ChainOptions = {}): Promise<Chain> {
    const depth = genesis.stateTreeDepth ?? DEFAULT_STATE_TREE_DEPTH;
    const id = genesisHash(genesis.chainId, depth, genesis.parties, genesis.validators);
    const meta = store.meta;
    if (!meta) {
      await store.initialize({ chainId: genesis.chainId, treeDepth: depth, genesisHash: id, writes: genesisWrites(genesis.parties, genesis.validators) });
    } else if (meta.chainId !== genesis.chainId || meta.treeDepth !== depth || !equalBytes(meta.genesisHash, id)) {
      throw new StoreError("STORE_GENESIS_MISMATCH", `store ${store.path} holds chain ${meta.chainId} (tree depth ${meta.treeDepth}) from another genesis`, {
        chainId: meta.chainId,
        expectedChainId: genesis.chainId,
        treeDepth: meta.treeDepth,
        expectedTreeDepth: depth,
      });
    }
    const chain = new Chain(store, genesis.chainId, opts);
    chain.genesisState = genesisWrites(genesis.parties);
    chain.lastTime = store.height > 0n ? (await store.blocks.header(store.height))!.time : (genesis.genesisTime ?? 0n);
    await chain.readValidatorSet();
    return chain;
  }

  private async readValidatorSet(): Promise<void> {
    await this.store.whenIdle();
    const b = this.store.state.readSync(GOVERNANCE_KEY.validatorSet);
    this.set = b && decodeValidatorSet(b);
  }

  /** The validator set in state at the head (undefined for a chain whose genesis put none in state). */
  get validatorSet(): ValidatorSetRecord | undefined {
    return this.set;
  }

  /** Where the set in state takes over (docs/governance.md §5): what the driver reports to consensus with every executed block. */
  get switchAt(): bigint | undefined {
    return this.set?.switchAt;
  }

  /** The validator-set epoch that orders the next block (height + 1): its certificate must verify against this set. */
  nextBlockEpoch(): BlockEpoch | undefined {
    return this.set && epochOfBlock(this.set, this.height + 1n);
  }

  /** The header of a stored block (the base of an epoch: its time and hash). */
  async headerAt(height: bigint): Promise<{ time: bigint; hash: Uint8Array } | undefined> {
    const bytes = await this.store.blocks.headerBytes(height);
    const h = bytes && (await this.store.blocks.header(height));
    return h && bytes && { time: h.time, hash: sha256(bytes) };
  }

  get height(): bigint {
    return this.store.height;
  }

  /** Hash of the head block (32 zero bytes at height 0). */
  get headHash(): Uint8Array {
    return this.store.meta!.lastHash;
  }

  get stateRoot(): Uint8Array {
    return this.store.meta!.stateRoot;
  }

  /** Time of the head block (the genesis time at height 0): the next block's time must not precede it. */
  get headTime(): bigint {
    return this.lastTime;
  }

  /**
   * Executes and commits the next block. Throws HEIGHT_GAP if the height is not head + 1,
   * BLOCK_INVALID if its time precedes the head's, BLOCK_MISMATCH if `expectedHash` is given and
   * differs (nothing is written then), STORE_CORRUPTED if a state record fails its check, and
   * STORE_WRITE_FAILED if the batch could not be written (the store must then be reopened).
   */
  /**
   * Extends the history chain (sdk/history-chain.ts) of every object the block's receipts add a
   * history entry to (historyEntriesOfBlock: the same rule as the history indexes), as state
   * writes: the state root then commits to each history's length and content.
   */
  private async appendHistoryChains(reads: BlockReads, writes: WriteSet, height: bigint, txs: readonly Tx[], receipts: readonly Receipt[]): Promise<void> {
    const entries = historyEntriesOfBlock(txs, receipts);
    if (entries.length === 0) return;
    const keys = entries.map((e) => historyChainKey(e.kind, e.id));
    await this.store.state.prefetch(reads, keys.filter((k) => !reads.values.has(k)));
    const chains = new Map<string, HistoryChain>();
    entries.forEach((e, n) => {
      const k = keys[n]!;
      const before = chains.get(k) ?? decodeHistoryChain(reads.values.get(k));
      chains.set(k, { count: before.count + 1n, head: nextHistoryHead(sha256, before.head, { height, index: e.index, event: e.event }) });
    });
    for (const [k, c] of chains) writes.set(k, encodeHistoryChain(c));
  }

  async executeBlock(input: BlockInput): Promise<ExecutedBlock> {
    if (this.running) throw new StoreError("STORE_BAD_REQUEST", "executeBlock is already running: blocks execute one at a time");
    this.running = true;
    try {
      return await this.run(input);
    } finally {
      this.running = false;
    }
  }

  private async run(input: BlockInput): Promise<ExecutedBlock> {
    await this.store.whenIdle();
    const { height, time, txs } = input;
    if (height !== this.height + 1n) {
      throw new StoreError("HEIGHT_GAP", `block ${height} does not follow the head ${this.height}`, { height: height.toString(), head: this.height.toString() });
    }
    if (time < this.lastTime) throw new StoreError("BLOCK_INVALID", `block ${height} time ${time} precedes the head's ${this.lastTime}`, { height: height.toString() });
    const c = input.certificate;
    if (c && (c.chainId !== this.chainId || c.seq !== height || c.view !== input.view)) {
      throw new StoreError("BLOCK_INVALID", `the commit certificate is for ${c.chainId} seq ${c.seq} view ${c.view}, the block is ${this.chainId} ${height} view ${input.view}`, { height: height.toString() });
    }

    // Prefetch: accessKeys to a fixpoint (a loaded record can name more keys), then replay lookups.
    const t0 = performance.now();
    const reads = this.store.state.begin();
    const getLoaded = (k: string): Uint8Array | undefined => reads.values.get(k) ?? undefined;
    let pending = new Set<string>();
    for (const tx of txs) for (const k of accessKeys(tx)) pending.add(k);
    // the history chains of the objects the block touches are written after execution: load them now
    for (const k of [...pending]) {
      const chainKey = historyChainKeyOfRecord(k);
      if (chainKey) pending.add(chainKey);
    }
    const seen = new Set<string>();
    const committed = new Set<string>();
    const committedLookup = this.store.blocks.committedAmong(txs.map((t) => t.hash)).then((flags) => {
      flags.forEach((f, i) => f && committed.add(txs[i]!.hashHex));
    });
    // accessKeys reaches its fixpoint in two rounds; the bound only caps work, since any key the
    // prefetch misses is still read (verified, synchronously) when the ledger asks for it.
    for (let round = 0; pending.size > 0 && round < 4; round++) {
      for (const k of pending) seen.add(k);
      await this.store.state.prefetch(reads, pending);
      const next = new Set<string>();
      const created = recordsCreatedIn(txs, getLoaded);
      for (const tx of txs) for (const k of accessKeys(tx, getLoaded, created)) if (!seen.has(k)) next.add(k);
      pending = next;
    }
    await committedLookup;
    const blockHashes = new Set(txs.map((t) => t.hashHex));
    const txLookup = {
      hasCommittedTx: (hashHex: string): boolean =>
        committed.has(hashHex) || (!blockHashes.has(hashHex) && this.store.blocks.committedSync(fromHex(hashHex))),
    };
    const t1 = performance.now();

    const exec = executeBlock(reads, txs, { chainId: this.chainId, height, time, proposer: "" }, {
      crypto: this.crypto,
      txLookup,
      ...(this.opts.verifySignature ? { verifySignature: this.opts.verifySignature } : {}),
      ...(this.opts.params ? { params: this.opts.params } : {}),
    });
    await this.appendHistoryChains(reads, exec.writes, height, txs, exec.receipts);
    const receiptBytes = exec.receipts.map(encodeReceipt);
    const takesHash = exec.receipts.map((r) => takesTxHash(r.code));
    // The ledger guarantees one taker per hash; a second one would overwrite a lookup: halt.
    const takers = new Set<string>();
    txs.forEach((tx, i) => {
      if (!takesHash[i]) return;
      if (takers.has(tx.hashHex) || committed.has(tx.hashHex)) throw new StoreError("BLOCK_INVALID", `transaction ${tx.hashHex} would take its hash twice`, { hash: tx.hashHex });
      takers.add(tx.hashHex);
    });
    const txsRoot = rfc6962Root(txs.map((t) => t.hash));
    const receiptsRoot = rfc6962Root(receiptBytes);
    const t2 = performance.now();

    const result = await this.store.commitBlock({
      height,
      reads,
      writes: exec.writes,
      txs,
      receipts: exec.receipts,
      receiptBytes,
      takesHash,
      ...(c ? { certificate: encodeCertificateRecord(c) } : {}),
      ...(input.durable === false ? { durable: false } : {}),
      buildHeader: (stateRoot) => {
        const header: BlockHeader = {
          chainId: this.chainId,
          height,
          prevHash: this.headHash,
          time,
          proposer: "",
          txsRoot,
          receiptsRoot,
          stateRoot,
          txCount: txs.length,
          view: 0n,
        };
        const headerBytes = encode("BlockHeader", header);
        if (input.expectedHash && !equalBytes(sha256(headerBytes), input.expectedHash)) {
          throw new StoreError("BLOCK_MISMATCH", `block ${height} executes to ${toHex(sha256(headerBytes))}, expected ${toHex(input.expectedHash)}`, {
            height: height.toString(),
            expected: toHex(input.expectedHash),
            found: toHex(sha256(headerBytes)),
          });
        }
        return { header, headerBytes };
      },
    });
    this.lastTime = time;
    if (exec.receipts.some((r) => r.events.some((e) => e.type === "validatorSetChanged"))) await this.readValidatorSet();
    return {
      header: result.header,
      headerBytes: result.headerBytes,
      hash: result.hash,
      receipts: exec.receipts,
      timings: { prefetchMs: t1 - t0, executeMs: t2 - t1, stateRootMs: result.stateRootMs, indexMs: result.indexMs, writeMs: result.writeMs },
    };
  }

  /**
   * Runs `load` with block execution excluded (a snapshot being loaded into the store, see
   * node/driver/snapshot-sync.ts): load fills, adopts, verifies and commits the snapshot or throws;
   * on a throw the store is put back to the genesis state. The head time follows the new head.
   */
  async loadSnapshot(load: (store: Store) => Promise<void>): Promise<void> {
    if (this.running) throw new StoreError("STORE_BAD_REQUEST", "a block is executing");
    this.running = true;
    try {
      await this.store.beginSnapshotLoad();
      try {
        await load(this.store);
      } catch (err) {
        await this.store.abandonSnapshot(this.genesisState);
        throw err;
      }
      this.lastTime = (await this.store.blocks.header(this.store.height))!.time;
      await this.readValidatorSet();
    } finally {
      this.running = false;
    }
  }

  /** Full verification from scratch (node/store/verify.ts); reads the whole store. */
  async verify(head?: { meta: StoreMeta; treeRoot: Uint8Array }): Promise<VerifyReport> {
    return verifyStore(this.store, { takesTxHash, ...(head ? { head } : {}) });
  }
}

/**
 * Identifies a genesis: SHA-256 over a domain tag, the chain id, the tree depth and every genesis
 * party's encoding, each length-prefixed. A store opened with another genesis is refused.
 */
export function genesisHash(chainId: string, depth: number, parties: Party[], validators?: readonly ValidatorMember[]): Uint8Array {
  const parts: Uint8Array[] = [utf8("tradeledger/genesis/v1\u0000")];
  const add = (b: Uint8Array) => {
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, b.length);
    parts.push(len, b);
  };
  add(utf8(chainId));
  add(Uint8Array.of(depth));
  for (const p of parties) add(encode("Party", p));
  // a genesis with its validator set in state (governance) hashes it too; one without hashes as before
  if (validators) for (const v of validators) add(encode("ValidatorMember", v));
  return sha256(concatBytes(...parts));
}

export { ZERO_HASH };
