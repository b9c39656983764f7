// The block executor: ties the ledger (node/ledger) to the store (node/store). For each ordered
// batch it prefetches every state key the transactions can touch, runs the ledger synchronously
// over that verified snapshot, updates the state tree, builds the header and commits the block,
// its receipts, the state, the tree and the indexes in one atomic batch. It also answers the
// read side the RPC serves (blocks, transactions with proofs, receivables and their history,
// lists, state proofs). One block at a time; heights are contiguous.
import { concatBytes, equalBytes, fromHex, toHex, utf8 } from "../sdk/bytes.js";
import { decode, encode } from "../sdk/codec.js";
import type { CommitCertificate } from "../sdk/commit.js";
import type { Crypto } from "../sdk/crypto.js";
import { inclusionProof, leafHash } from "../sdk/merkle.js";
import type { StateProof } from "../sdk/proofs.js";
import { decodeTx, type Tx } from "../sdk/tx.js";
import type { BlockHeader, Declaration, DocumentRecord, Event, Party, Receipt, Receivable, ReceivableStatus, ResultCode, SignedTxWire, TxType } from "../sdk/types.js";
import { newExposureTally, tallyExposure } from "../sdk/domain.js";
import { nodeCrypto } from "./crypto.js";
import { accessKeys, executeBlock, genesisWrites, takesTxHash, type LedgerParams } from "./ledger/execute.js";
import { decodeReceipt, encodeReceipt } from "./ledger/records.js";
import { KEY } from "./ledger/state.js";
import { encodeCertificateRecord } from "./store/blocks.js";
import { StoreError, corrupted } from "./store/errors.js";
import type { DateRange, Page, PageRequest, TxRef } from "./store/indexes.js";
import { rfc6962Root, sha256 } from "./store/hash.js";
import { ZERO_HASH, type Store } from "./store/store.js";
import { verifyStore, type VerifyReport } from "./store/verify.js";

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
}

export interface ChainOptions {
  /** node:crypto by default */
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

export interface ExecutedBlock {
  header: BlockHeader;
  headerBytes: Uint8Array;
  hash: Uint8Array;
  receipts: Receipt[];
  timings: BlockTimings;
}

export interface StoredBlock {
  header: BlockHeader;
  headerBytes: Uint8Array;
  hash: Uint8Array;
  /** SignedTx bytes exactly as received */
  txs: Uint8Array[];
  receipts: Receipt[];
}

/** A committed transaction with its receipt and the proofs tying both to the block header. */
export interface TxRecord {
  tx: Tx;
  receipt: Receipt;
  receiptBytes: Uint8Array;
  height: bigint;
  index: number;
  header: BlockHeader;
  blockHash: Uint8Array;
  txCount: number;
  /** RFC 6962 audit path of the tx hash under header.txsRoot (sdk/proofs verifyTxInclusion) */
  txProof: Uint8Array[];
  /** RFC 6962 audit path of the encoded receipt under header.receiptsRoot */
  receiptProof: Uint8Array[];
}

/** One line of a receivable's history, or of any list of transactions (rejections, documents). */
export interface TxEntry {
  height: bigint;
  index: number;
  time: bigint;
  txHash: Uint8Array;
  signer: string;
  type: TxType | undefined;
  code: ResultCode;
  message: string;
  target: string;
}

export interface HistoryEntry extends TxEntry {
  /** the event this entry records; absent for a rejected attempt */
  event?: Event;
  eventIndex?: number;
}

export interface StateProofResult {
  height: bigint;
  stateRoot: Uint8Array;
  key: string;
  value: Uint8Array | undefined;
  proof: StateProof;
}

export interface Exposure {
  partyId: string;
  /** per currency: outstanding financed principal over the exporter's receivables */
  outstanding: Record<string, bigint>;
  /** per currency: the part of it on receivables past their due date at `at` */
  overdue: Record<string, bigint>;
  receivables: number;
}

export class Chain {
  private readonly crypto: Crypto;
  private running = false;
  private lastTime = 0n;

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
    const id = genesisHash(genesis.chainId, depth, genesis.parties);
    const meta = store.meta;
    if (!meta) {
      await store.initialize({ chainId: genesis.chainId, treeDepth: depth, genesisHash: id, writes: genesisWrites(genesis.parties) });
    } else if (meta.chainId !== genesis.chainId || meta.treeDepth !== depth || !equalBytes(meta.genesisHash, id)) {
      throw new StoreError("STORE_GENESIS_MISMATCH", `store ${store.path} holds chain ${meta.chainId} (tree depth ${meta.treeDepth}) from another genesis`, {
        chainId: meta.chainId,
        expectedChainId: genesis.chainId,
        treeDepth: meta.treeDepth,
        expectedTreeDepth: depth,
      });
    }
    const chain = new Chain(store, genesis.chainId, opts);
    chain.lastTime = store.height > 0n ? (await store.blocks.header(store.height))!.time : (genesis.genesisTime ?? 0n);
    return chain;
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
      for (const tx of txs) for (const k of accessKeys(tx, getLoaded)) if (!seen.has(k)) next.add(k);
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
    return {
      header: result.header,
      headerBytes: result.headerBytes,
      hash: result.hash,
      receipts: exec.receipts,
      timings: { prefetchMs: t1 - t0, executeMs: t2 - t1, stateRootMs: result.stateRootMs, indexMs: result.indexMs, writeMs: result.writeMs },
    };
  }

  // ---- blocks and transactions ----------------------------------------------------------------

  async getHeader(height: bigint): Promise<{ header: BlockHeader; headerBytes: Uint8Array; hash: Uint8Array } | undefined> {
    const headerBytes = await this.store.blocks.headerBytes(height);
    if (!headerBytes) return undefined;
    return { header: decode<BlockHeader>("BlockHeader", headerBytes), headerBytes, hash: sha256(headerBytes) };
  }

  async getBlock(height: bigint): Promise<StoredBlock | undefined> {
    const h = await this.getHeader(height);
    if (!h) return undefined;
    const [txs, receiptBytes] = await Promise.all([this.store.blocks.txsOf(height), this.store.blocks.receiptsOf(height)]);
    if (txs.length !== h.header.txCount || receiptBytes.length !== h.header.txCount) throw corrupted(`block ${height} is incomplete`, { height: height.toString() });
    return { ...h, txs, receipts: receiptBytes.map(decodeReceipt) };
  }

  /**
   * A block as the proto `Block` message (header, txs, receipts) for block sync. Built from the
   * stored bytes, so the header and transactions are byte-for-byte what was hashed and signed.
   */
  async getBlockBytes(height: bigint): Promise<Uint8Array | undefined> {
    const headerBytes = await this.store.blocks.headerBytes(height);
    if (!headerBytes) return undefined;
    const [txs, receipts] = await Promise.all([this.store.blocks.txsOf(height), this.store.blocks.receiptsOf(height)]);
    const parts: Uint8Array[] = [lengthDelimited(1, headerBytes)];
    for (const t of txs) parts.push(lengthDelimited(2, t));
    for (const r of receipts) parts.push(lengthDelimited(3, r));
    return concatBytes(...parts);
  }

  /** The commit certificate stored with a block, if it was committed with one. */
  async getCertificate(height: bigint): Promise<CommitCertificate | undefined> {
    return this.store.blocks.certificate(height);
  }

  async getBlockByHash(hash: Uint8Array): Promise<StoredBlock | undefined> {
    const height = await this.store.blocks.heightOf(hash);
    return height === undefined ? undefined : this.getBlock(height);
  }

  /** The committed transaction that took this hash, with its receipt and inclusion proofs. */
  async getTx(hash: Uint8Array): Promise<TxRecord | undefined> {
    const loc = await this.store.blocks.txLocation(hash);
    if (!loc) return undefined;
    return this.txAt(loc.height, loc.index);
  }

  /** Whether a committed transaction took this hash (a new copy would be DUPLICATE_TX): for mempool admission. */
  async hasCommittedTx(hash: Uint8Array): Promise<boolean> {
    return (await this.store.blocks.txLocation(hash)) !== undefined;
  }

  /** Copies of a hash that did not take it (forged signatures, replays), oldest first. */
  async getTxAttempts(hash: Uint8Array, limit = 100): Promise<TxEntry[]> {
    const locs = await this.store.blocks.attempts(hash, limit);
    return this.resolveRefs(locs);
  }

  async txAt(height: bigint, index: number): Promise<TxRecord | undefined> {
    const h = await this.getHeader(height);
    if (!h || index < 0 || index >= h.header.txCount) return undefined;
    const [txs, receipts] = await Promise.all([this.store.blocks.txsOf(height), this.store.blocks.receiptsOf(height)]);
    // Every tx hash is needed for the audit path; only the envelope is decoded for those.
    const hashes = txs.map((b) => sha256(decode<SignedTxWire>("SignedTx", b).body));
    if (!equalBytes(rfc6962Root(hashes), h.header.txsRoot)) throw corrupted(`block ${height} transactions do not match its header`, { height: height.toString() });
    const receiptBytes = receipts[index]!;
    return {
      tx: decodeTx(this.crypto, txs[index]!),
      receipt: decodeReceipt(receiptBytes),
      receiptBytes,
      height,
      index,
      header: h.header,
      blockHash: h.hash,
      txCount: h.header.txCount,
      txProof: inclusionProof(sha256, hashes.map((x) => leafHash(sha256, x)), index),
      receiptProof: inclusionProof(sha256, receipts.map((r) => leafHash(sha256, r)), index),
    };
  }

  // ---- state ------------------------------------------------------------------------------------

  /** A state record's bytes (verified against the state root), or undefined. */
  async getState(stateKey: string): Promise<Uint8Array | undefined> {
    await this.store.whenIdle();
    return this.store.state.readSync(stateKey);
  }

  /** A state record with its proof against the current head's state root (sdk/proofs verifyStateProof). */
  async proveState(stateKey: string): Promise<StateProofResult> {
    await this.store.whenIdle();
    // Synchronous from here: no commit can interleave, so value, proof, root and height agree.
    const { value, proof } = this.store.state.proveSync(stateKey);
    const meta = this.store.meta!;
    return { height: meta.height, stateRoot: meta.stateRoot, key: stateKey, value, proof };
  }

  async getReceivable(id: string): Promise<Receivable | undefined> {
    const b = await this.getState(KEY.receivable(id));
    return b && decode<Receivable>("Receivable", b);
  }

  async getParty(id: string): Promise<Party | undefined> {
    const b = await this.getState(KEY.party(id));
    return b && decode<Party>("Party", b);
  }

  async getDocument(documentHash: Uint8Array): Promise<DocumentRecord | undefined> {
    const b = await this.getState(KEY.document(toHex(documentHash)));
    return b && decode<DocumentRecord>("DocumentRecord", b);
  }

  async getDeclaration(fingerprint: Uint8Array): Promise<Declaration | undefined> {
    const b = await this.getState(KEY.declaration(toHex(fingerprint)));
    return b && decode<Declaration>("Declaration", b);
  }

  // ---- read indexes -----------------------------------------------------------------------------

  /** Every event of a receivable, and every rejected attempt aimed at it, oldest first. */
  async getHistory(receivableId: string, page: PageRequest = {}): Promise<Page<HistoryEntry>> {
    const refs = await this.store.indexes.history(receivableId, page);
    const resolved = await this.resolve(refs.items);
    const items = refs.items.map((ref, i): HistoryEntry => {
      const { entry, receipt } = resolved[i]!;
      if (ref.event === null) return entry;
      const event = receipt.events[ref.event];
      if (!event) throw corrupted(`history entry ${ref.height}/${ref.index}/${ref.event} names no event`);
      return { ...entry, event, eventIndex: ref.event };
    });
    return withCursor(items, refs.cursor);
  }

  async receivablesByExporter(exporterId: string, page: PageRequest = {}): Promise<Page<Receivable>> {
    const refs = await this.store.indexes.exporterReceivables(exporterId, page);
    const ids = await this.registeredIds(refs.items);
    return withCursor(await this.receivables(ids), refs.cursor);
  }

  /** A bank's financings (one entry per finance transaction) with the receivable as it is now. */
  async financingsByBank(bankId: string, page: PageRequest = {}): Promise<Page<{ entry: TxEntry; receivable: Receivable }>> {
    const refs = await this.store.indexes.bankFinancings(bankId, page);
    const entries = await this.resolveRefs(refs.items);
    const items = [];
    for (const e of entries) {
      const r = await this.getReceivable(e.target);
      if (!r) throw corrupted(`financed receivable ${e.target} is not in the state`);
      items.push({ entry: e, receivable: r });
    }
    return withCursor(items, refs.cursor);
  }

  async receivablesByStatus(status: ReceivableStatus, page: PageRequest = {}): Promise<Page<Receivable>> {
    const refs = await this.store.indexes.byStatus(status, page);
    return withCursor(await this.receivables(refs.items.map((r) => r.receivableId)), refs.cursor);
  }

  /** Receivables by due date, in the half-open range [from, before). */
  async receivablesByDueDate(range: DateRange, page: PageRequest = {}): Promise<Page<Receivable>> {
    const refs = await this.store.indexes.byDueDate(range, page);
    return withCursor(await this.receivables(refs.items.map((r) => r.receivableId)), refs.cursor);
  }

  /** Receivables with financing outstanding whose due date passed before the UTC day of `at` (ms). */
  async overdueReceivables(at: bigint, page: PageRequest = {}): Promise<Page<Receivable>> {
    const refs = await this.store.indexes.outstandingByDueDate({ before: utcDate(at) }, page);
    return withCursor(await this.receivables(refs.items.map((r) => r.receivableId)), refs.cursor);
  }

  async rejections(filter: { code?: ResultCode; signer?: string } = {}, page: PageRequest = {}): Promise<Page<TxEntry>> {
    const refs = await this.store.indexes.rejections(filter, page);
    return withCursor(await this.resolveRefs(refs.items), refs.cursor);
  }

  /** Every authenticated transaction that carried this document hash, with its outcome. */
  async documentHistory(documentHash: Uint8Array, page: PageRequest = {}): Promise<Page<TxEntry>> {
    const refs = await this.store.indexes.byDocument(documentHash, page);
    return withCursor(await this.resolveRefs(refs.items), refs.cursor);
  }

  /** Every authenticated registration that carried this invoice fingerprint, with its outcome. */
  async fingerprintHistory(fingerprint: Uint8Array, page: PageRequest = {}): Promise<Page<TxEntry>> {
    const refs = await this.store.indexes.byFingerprint(fingerprint, page);
    return withCursor(await this.resolveRefs(refs.items), refs.cursor);
  }

  /** An exporter's outstanding financed principal and the overdue part of it at `at` (ms), per currency. */
  async exposure(partyId: string, at: bigint): Promise<Exposure> {
    const tally = newExposureTally();
    let cursor: string | undefined;
    do {
      const page = await this.receivablesByExporter(partyId, { limit: 1000, ...(cursor ? { cursor } : {}) });
      for (const r of page.items) tallyExposure(tally, r, at);
      cursor = page.cursor;
    } while (cursor);
    return { partyId, outstanding: Object.fromEntries(tally.outstanding), overdue: Object.fromEntries(tally.overdue), receivables: tally.receivables };
  }

  /** Full verification from scratch (node/store/verify.ts); reads the whole store. */
  async verify(): Promise<VerifyReport> {
    return verifyStore(this.store, { takesTxHash });
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private async resolveRefs(refs: readonly TxRef[]): Promise<TxEntry[]> {
    return (await this.resolve(refs)).map((r) => r.entry);
  }

  private async resolve(refs: readonly TxRef[]): Promise<{ entry: TxEntry; receipt: Receipt }[]> {
    const times = new Map<bigint, bigint>();
    const out: { entry: TxEntry; receipt: Receipt }[] = [];
    for (const ref of refs) {
      let time = times.get(ref.height);
      if (time === undefined) {
        const header = await this.store.blocks.header(ref.height);
        if (!header) throw corrupted(`index names missing block ${ref.height}`);
        time = header.time;
        times.set(ref.height, time);
      }
      const [txBytes, receiptBytes] = await Promise.all([this.store.blocks.txBytes(ref.height, ref.index), this.store.blocks.receiptBytes(ref.height, ref.index)]);
      if (!txBytes || !receiptBytes) throw corrupted(`index names missing transaction ${ref.height}/${ref.index}`);
      const tx = decodeTx(this.crypto, txBytes);
      const receipt = decodeReceipt(receiptBytes);
      if (!equalBytes(receipt.txHash, tx.hash)) throw corrupted(`receipt ${ref.height}/${ref.index} is for another transaction`);
      out.push({
        entry: {
          height: ref.height,
          index: ref.index,
          time,
          txHash: tx.hash,
          signer: tx.body.signer,
          type: tx.body.payload?.type,
          code: receipt.code,
          message: receipt.message,
          target: receipt.target,
        },
        receipt,
      });
    }
    return out;
  }

  private async registeredIds(refs: readonly TxRef[]): Promise<string[]> {
    const ids: string[] = [];
    for (const ref of refs) {
      const b = await this.store.blocks.txBytes(ref.height, ref.index);
      if (!b) throw corrupted(`index names missing transaction ${ref.height}/${ref.index}`);
      ids.push(decodeTx(this.crypto, b).hashHex); // a receivable's id is its registration's hash
    }
    return ids;
  }

  private async receivables(ids: string[]): Promise<Receivable[]> {
    const out: Receivable[] = [];
    for (const id of ids) {
      const r = await this.getReceivable(id);
      if (!r) throw corrupted(`index names receivable ${id}, which is not in the state`);
      out.push(r);
    }
    return out;
  }
}

/**
 * Identifies a genesis: SHA-256 over a domain tag, the chain id, the tree depth and every genesis
 * party's encoding, each length-prefixed. A store opened with another genesis is refused.
 */
export function genesisHash(chainId: string, depth: number, parties: Party[]): Uint8Array {
  const parts: Uint8Array[] = [utf8("tradeledger/genesis/v1\u0000")];
  const add = (b: Uint8Array) => {
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, b.length);
    parts.push(len, b);
  };
  add(utf8(chainId));
  add(Uint8Array.of(depth));
  for (const p of parties) add(encode("Party", p));
  return sha256(concatBytes(...parts));
}

/** "YYYY-MM-DD" of the UTC day containing `ms`. */
export function utcDate(ms: bigint): string {
  return new Date(Number(ms)).toISOString().slice(0, 10);
}

function withCursor<T>(items: T[], cursor: string | undefined): Page<T> {
  return cursor === undefined ? { items } : { items, cursor };
}

/** Protobuf field `field` with wire type 2, length-delimited (protobuf encoding guide). */
function lengthDelimited(field: number, bytes: Uint8Array): Uint8Array {
  const head: number[] = [(field << 3) | 2];
  let n = bytes.length;
  while (n >= 0x80) {
    head.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  head.push(n);
  return concatBytes(Uint8Array.from(head), bytes);
}

export { ZERO_HASH };
