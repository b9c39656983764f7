// State transfer of a certified checkpoint snapshot (PBFT's state transfer, Castro & Liskov TOCS
// §6.2; docs/consensus.md §4.5): a node whose store holds no block copies a peer's store as of a
// checkpointed height instead of re-executing every block since genesis.
//
// Nothing of it is trusted until proven. The page header carries the checkpoint certificate of
// the snapshot's height: 2f+1 validator signatures over that block's hash. The copy is adopted
// only if (1) its header at that height hashes to the certified hash, so through prev_hash every
// header below it is the one the validators certified, with their txs, receipts and state roots;
// (2) the state records rebuild the state tree to that header's state root; (3) verifyStore
// (node/store/verify.ts) finds every block whole and chained to the certified head, its
// transactions and receipts matching their roots, and every lookup and index exactly what the
// blocks and the state imply (nothing missing, nothing extra); (4) every block's commit
// certificate carries 2f+1 valid signatures over exactly that block's batch. A peer serving
// anything else gets a typed error (SyncFault) and a penalty, and the store is put back to genesis.
//
// A snapshot of a later validator-set epoch is checked with the chain of sets (docs/governance.md
// §5): before the certificate, the node proves its epoch from genesis with epoch links, asking the
// snapshot's server for the ones it lacks (`SnapshotSets`); each block's commit certificate is then
// checked with the set of the epoch it names, for that epoch's heights only (validatorsForEpoch).
import { toHex } from "../../sdk/bytes.js";
import { validatorsForEpoch, verifyCheckpointCertificate, type TrustedValidators, type ValidatorSetChain } from "../../sdk/certified.js";
import { batchDigest, verifyCommitCertificate, type Validator } from "../../sdk/commit.js";
import type { Crypto } from "../../sdk/crypto.js";
import type { Chain } from "../chain/chain.js";
import type { Logger } from "../log.js";
import { decodeCertificateRecord, decodeHeader } from "../store/blocks.js";
import { Bucket } from "../store/buckets.js";
import { prefixRange, plain } from "../store/db.js";
import { readU64 } from "../store/encoding.js";
import { StoreError } from "../store/errors.js";
import { SNAPSHOT_BUCKETS, type Store } from "../store/store.js";
import { VERIFIED_BUCKETS } from "../store/verify.js";
import { MIN_PAGE_BYTES, decodePageHeader, encodeSnapshotRequest, unpackEntries, type SnapshotPageHeader } from "../net/snapshot.js";
import { SyncFault } from "./state-transfer.js";

export interface SnapshotPeers {
  /** one snapshot page (raw frames; this module decodes and verifies) */
  requestSnapshot(peer: number, request: Uint8Array, opts?: { maxBytes?: number }): Promise<Uint8Array[]>;
  penalize(peer: number, reason: string): void;
  name(peer: number): string;
}

/** The chain of validator sets a snapshot is checked with (node/epochs.ts EpochLinks). */
export interface SnapshotSets {
  /**
   * The chain of sets from genesis, proving `epoch` if it can: the links this node lacks are asked
   * of `peer` (the snapshot's server, which offers only snapshots whose epoch it proves).
   */
  proving(epoch: bigint, peer: number): Promise<ValidatorSetChain>;
}

export interface SnapshotSyncOptions {
  /** check snapshots of later epochs with the chain of sets (absent: the genesis set only, epoch 0's snapshots) */
  sets?: SnapshotSets;
  /** adopt a snapshot only if it is at least this many blocks above the head (default 1,000) */
  minBlocks?: number;
  /** bytes asked for per page (default 4 MiB) */
  pageBytes?: number;
}

export interface SnapshotStats {
  height: bigint;
  pages: number;
  entries: number;
  bytes: number;
  /** ms: copying, then verifying */
  copyMs: number;
  verifyMs: number;
}

/** After no peer offered a snapshot worth loading, how long before asking again (ms). */
const RETRY_PAUSE_MS = 10_000;

export class SnapshotSync {
  private quietUntil = 0;
  private readonly minBlocks: bigint;
  private readonly pageBytes: number;
  private readonly sets: SnapshotSets | undefined;
  /** the last snapshot adopted (for logs, benches and tests) */
  last: SnapshotStats | undefined;

  constructor(
    private readonly crypto: Crypto,
    private readonly chainId: string,
    private readonly validators: readonly Validator[],
    private readonly chain: Chain,
    private readonly peers: SnapshotPeers,
    private readonly logger: Logger,
    opts: SnapshotSyncOptions = {},
  ) {
    this.minBlocks = BigInt(opts.minBlocks ?? 1000);
    this.pageBytes = Math.max(MIN_PAGE_BYTES, opts.pageBytes ?? 4 * 1024 * 1024);
    this.sets = opts.sets;
  }

  /**
   * Tries each peer in turn for a certified snapshot at least minBlocks above the head (at or
   * below maxHeight if given) and adopts the first that verifies. Returns the height adopted, or
   * undefined if no peer offered one worth loading. Only into a store without blocks.
   */
  async adopt(peers: readonly number[], opts: { maxHeight?: bigint; stopped?: () => boolean } = {}): Promise<bigint | undefined> {
    if (this.chain.height !== 0n) return undefined;
    // A young chain has no snapshot worth copying: an observer polling an idle chain at height 0
    // asks again after a pause, not on every poll.
    const now = performance.now();
    if (now < this.quietUntil) return undefined;
    for (const peer of peers) {
      if (opts.stopped?.()) return undefined;
      try {
        const height = await this.adoptFrom(peer, opts);
        if (height !== undefined) return height;
      } catch (err) {
        // a peer that keeps no certified snapshot yet refuses: not worth a warning
        const refused = (err as { code?: string })?.code === "REFUSED";
        this.logger[refused ? "debug" : "warn"]("snapshot from peer not adopted; trying another or block sync", { peer: this.peers.name(peer), err });
      }
    }
    this.quietUntil = performance.now() + RETRY_PAUSE_MS;
    return undefined;
  }

  private fault(peer: number, reason: string): never {
    this.peers.penalize(peer, reason);
    throw new SyncFault(`snapshot from ${this.peers.name(peer)}: ${reason}`);
  }

  private async page(peer: number, height: bigint, maxHeight: bigint, cursor: Uint8Array | undefined): Promise<{ header: SnapshotPageHeader; frames: Uint8Array[] }> {
    const frames = await this.peers.requestSnapshot(peer, encodeSnapshotRequest({ height, maxHeight, maxBytes: this.pageBytes, cursor }), { maxBytes: this.pageBytes });
    if (frames.length === 0) this.fault(peer, "empty snapshot page");
    let header: SnapshotPageHeader;
    try {
      header = decodePageHeader(frames[0]!);
    } catch (err) {
      return this.fault(peer, (err as Error).message);
    }
    if (height !== 0n && header.height !== height) this.fault(peer, `asked for the snapshot at ${height}, got ${header.height}`);
    return { header, frames: frames.slice(1) };
  }

  private async adoptFrom(peer: number, opts: { maxHeight?: bigint; stopped?: () => boolean }): Promise<bigint | undefined> {
    const maxHeight = opts.maxHeight ?? 0n;
    const first = await this.page(peer, 0n, maxHeight, undefined);
    const { height, certificate } = first.header;
    const epoch = certificate.epoch ?? 0n;
    let trusted: TrustedValidators = { chainId: this.chainId, validators: this.validators };
    if (this.sets && epoch !== 0n) {
      const chain = await this.sets.proving(epoch, peer);
      // the server offers only snapshots whose epoch it proves: one that cannot prove it withholds
      // the links (or they do not verify, and it was blamed for that): try another peer
      if (!chain.epochs.some((e) => e.epoch === epoch)) throw new SyncFault(`snapshot from ${this.peers.name(peer)} at ${height} is certified by epoch ${epoch}, which this node cannot prove from genesis (EPOCH_UNPROVEN)`);
      trusted = chain;
    }
    const check = verifyCheckpointCertificate(certificate, trusted, (pk, m, s) => this.crypto.verify(pk, m, s));
    if (!check.ok) this.fault(peer, `snapshot certificate: ${check.code ? `${check.code} ` : ""}${check.reason}`);
    if (certificate.seq !== height) this.fault(peer, `snapshot at ${height} with the certificate of ${certificate.seq}`);
    if (maxHeight !== 0n && height > maxHeight) this.fault(peer, `snapshot at ${height}, above the ${maxHeight} asked for`);
    if (height < this.chain.height + this.minBlocks) return undefined;

    this.logger.info("state transfer: loading a certified snapshot", { peer: this.peers.name(peer), height, blockHash: toHex(certificate.blockHash) });
    const stats: SnapshotStats = { height, pages: 0, entries: 0, bytes: 0, copyMs: 0, verifyMs: 0 };
    const t0 = performance.now();
    await this.chain.loadSnapshot(async (store) => {
      let page = first;
      let cursor: Uint8Array | undefined;
      for (;;) {
        if (opts.stopped?.()) throw new SyncFault("stopped");
        stats.pages++;
        const entries: [Uint8Array, Uint8Array][] = [];
        for (const frame of page.frames) {
          let unpacked: [Uint8Array, Uint8Array][];
          try {
            unpacked = unpackEntries(frame);
          } catch (err) {
            return this.fault(peer, (err as Error).message);
          }
          for (const e of unpacked) {
            if (!SNAPSHOT_BUCKETS.has(e[0][0]!) || !VERIFIED_BUCKETS.has(e[0][0]!)) this.fault(peer, `snapshot entry in bucket ${e[0][0]}, which snapshots do not copy`);
            if (cursor && Buffer.compare(e[0], cursor) <= 0) this.fault(peer, "snapshot entries out of order");
            cursor = e[0];
            entries.push(e);
            stats.bytes += e[0].length + e[1].length;
          }
        }
        if (entries.length === 0 && !page.header.done) this.fault(peer, "an empty snapshot page that is not the last");
        stats.entries += entries.length;
        // the next page is asked for while this one is written
        const next = page.header.done ? undefined : this.page(peer, height, 0n, cursor);
        next?.catch(() => undefined);
        await store.loadSnapshotEntries(entries);
        if (!next) break;
        page = await next;
      }
      stats.copyMs = performance.now() - t0;
      const t1 = performance.now();
      try {
        const head = await store.adoptSnapshot(height, certificate.blockHash);
        await this.verifyCommitCertificates(store, height, trusted);
        await this.chain.verify({ meta: head.meta, treeRoot: head.treeRoot });
      } catch (err) {
        if (err instanceof StoreError && err.code === "STORE_CORRUPTED") this.fault(peer, `snapshot does not verify: ${err.message}`);
        throw err;
      }
      await store.putCheckpointCertificate(certificate);
      await store.commitSnapshot();
      stats.verifyMs = performance.now() - t1;
    });
    this.last = stats;
    this.logger.info("state transfer: certified snapshot adopted", {
      peer: this.peers.name(peer),
      height,
      pages: stats.pages,
      entries: stats.entries,
      megabytes: Math.round(stats.bytes / 1e5) / 10,
      copyMs: Math.round(stats.copyMs),
      verifyMs: Math.round(stats.verifyMs),
    });
    return height;
  }

  /**
   * Every block 1..height has a commit certificate with 2f+1 valid signatures over exactly its
   * batch, by the set of the epoch it names, an epoch that includes its height.
   */
  private async verifyCommitCertificates(store: Store, height: bigint, trusted: TrustedValidators): Promise<void> {
    const db = store.level;
    const headers = db.iterator(prefixRange(Uint8Array.of(Bucket.blockHeader)));
    const certificates = db.iterator(prefixRange(Uint8Array.of(Bucket.blockCertificate)));
    const verify = (pk: Uint8Array, m: Uint8Array, s: Uint8Array) => this.crypto.verify(pk, m, s);
    try {
      let h = 0n;
      for (;;) {
        const hs = await headers.nextv(512);
        if (hs.length === 0) break;
        const cs = await certificates.nextv(hs.length);
        // nextv may return fewer than asked for before the end (a byte budget per call)
        while (cs.length < hs.length) {
          const more = await certificates.nextv(hs.length - cs.length);
          if (more.length === 0) break;
          cs.push(...more);
        }
        if (cs.length !== hs.length) throw new StoreError("STORE_CORRUPTED", `blocks without a commit certificate near height ${h + BigInt(cs.length) + 1n}`);
        for (let i = 0; i < hs.length; i++) {
          h++;
          const [hk, hv] = hs[i]!;
          const [ck, cv] = cs[i]!;
          if (readU64(hk, 1) !== h || readU64(ck, 1) !== h) throw new StoreError("STORE_CORRUPTED", `block ${h}: header or commit certificate missing`);
          const header = decodeHeader(plain(hv), h);
          const c = decodeCertificateRecord(plain(cv), h);
          const digest = batchDigest(this.crypto.sha256, { chainId: this.chainId, height: h, time: header.time, txsRoot: header.txsRoot });
          if (c.chainId !== this.chainId || toHex(c.digest) !== toHex(digest)) throw new StoreError("STORE_CORRUPTED", `block ${h}: the commit certificate is not for this block`);
          const pick = validatorsForEpoch(trusted, c.epoch, h);
          if (!pick.ok) throw new StoreError("STORE_CORRUPTED", `block ${h}: commit certificate of epoch ${c.epoch ?? 0n}: ${pick.reason}`);
          const ok = verifyCommitCertificate(c, pick.validators, verify, { epoch: c.epoch ?? 0n });
          if (!ok.ok) throw new StoreError("STORE_CORRUPTED", `block ${h}: invalid commit certificate: ${ok.reason}`);
        }
      }
      if (h !== height) throw new StoreError("STORE_CORRUPTED", `the snapshot holds ${h} blocks, its head is ${height}`);
      if ((await certificates.nextv(1)).length > 0) throw new StoreError("STORE_CORRUPTED", "commit certificates above the snapshot's head");
    } finally {
      await Promise.all([headers.close().catch(() => undefined), certificates.close().catch(() => undefined)]);
    }
  }
}
