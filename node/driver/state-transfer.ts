// Applying certified blocks received from peers: block-sync state transfer (validators that fell
// behind a stable checkpoint) and observers that follow the chain without voting. A block is
// applied only if its commit certificate carries 2f+1 valid validator signatures over exactly its
// transactions and time; execution is then deterministic, so the result needs no trust in the peer.
import { toHex } from "../../sdk/bytes.js";
import type { CheckpointCertificate } from "../../sdk/certified.js";
import { batchDigest, verifyCommitCertificate, type CommitCertificate, type Validator } from "../../sdk/commit.js";
import type { Crypto } from "../../sdk/crypto.js";
import { decodeTx, type Tx } from "../../sdk/tx.js";
import type { Chain, ExecutedBlock } from "../chain/chain.js";
import type { Logger } from "../log.js";
import { rfc6962Root } from "../store/hash.js";
import { decodeCertifiedBlock, encodeCertifiedBlock, type CertifiedBlock } from "../net/wire.js";

export interface CertifiedExecution {
  height: bigint;
  time: bigint;
  view: bigint;
  txs: Tx[];
  certificate: CommitCertificate;
  /** the checkpoint certificate the peer sent with the block, unverified (observers keep it: node/driver/follower.ts) */
  checkpoint?: CheckpointCertificate;
  /** false: not fsync'd on its own (a run of synced blocks whose last one is; Chain BlockInput.durable) */
  durable?: boolean;
}

/** Runs a committed block through the chain; the node's single entry point for executing blocks. */
export type ExecuteCertified = (b: CertifiedExecution) => Promise<ExecutedBlock>;

export interface SyncPeers {
  /** certified blocks [from, to] from a peer (raw; this module decodes and verifies) */
  requestBlocks(peer: number, from: bigint, to: bigint): Promise<Uint8Array[]>;
  penalize(peer: number, reason: string): void;
  name(peer: number): string;
}

export class SyncFault extends Error {
  override readonly name = "SyncFault";
  readonly code = "SYNC_FAULT" as const;
}

/**
 * The validator set that orders the next block (height + 1) and its epoch: the set in the head's
 * state (node/chain Chain.nextBlockEpoch, docs/governance.md §5). A certificate of a block must be
 * of that epoch and carry a quorum of that set's signatures.
 */
export type NextBlockSet = () => { epoch: bigint; validators: readonly Validator[] };

/**
 * Checks that a certificate commits exactly this batch: 2f+1 valid validator signatures over
 * (chain, view, seq, digest) and digest = batchDigest(chain, height, time, txsRoot(txs)), by the
 * set of the block's epoch (`epoch`, 0 by default: the genesis set).
 */
export function verifyCertifiedBatch(
  crypto: Pick<Crypto, "sha256" | "verify">,
  chainId: string,
  validators: readonly Validator[],
  b: Pick<CertifiedBlock, "height" | "time" | "view" | "certificate">,
  txs: readonly Tx[],
  epoch = 0n,
): true | string {
  const c = b.certificate;
  if (c.chainId !== chainId) return `certificate is for chain ${c.chainId}`;
  if (c.seq !== b.height) return `certificate is for seq ${c.seq}, block is ${b.height}`;
  if (c.view !== b.view) return `certificate is for view ${c.view}, block says ${b.view}`;
  const digest = batchDigest(crypto.sha256, { chainId, height: b.height, time: b.time, txsRoot: rfc6962Root(txs.map((t) => t.hash)) });
  if (toHex(digest) !== toHex(c.digest)) return "certificate digest does not match the block's transactions and time";
  const check = verifyCommitCertificate(c, validators, (pk, m, s) => crypto.verify(pk, m, s), { epoch });
  return check.ok ? true : `invalid commit certificate: ${check.reason}`;
}

/** A snapshot source for a store without blocks (node/driver/snapshot-sync.ts SnapshotSync). */
export interface SnapshotSource {
  adopt(peers: readonly number[], opts: { maxHeight?: bigint; stopped?: () => boolean }): Promise<bigint | undefined>;
}

export class BlockSync {
  private snapshots: SnapshotSource | undefined;
  private readonly setOfNext: NextBlockSet;

  constructor(
    private readonly crypto: Crypto,
    private readonly chainId: string,
    /** the genesis set (a chain that never changes it), or the set of the next block from the head's state */
    validators: readonly Validator[] | NextBlockSet,
    private readonly chain: Chain,
    private readonly execute: ExecuteCertified,
    private readonly peers: SyncPeers,
    private readonly logger: Logger,
  ) {
    this.setOfNext = typeof validators === "function" ? validators : () => ({ epoch: 0n, validators });
  }

  /**
   * A node whose store holds no block first asks for a certified checkpoint snapshot (state
   * transfer, docs/consensus.md §4.5), then syncs the blocks above it.
   */
  useSnapshots(source: SnapshotSource): void {
    this.snapshots = source;
  }

  /**
   * Verifies one certified block from `peer` (it must be the next height) and executes it;
   * `durable` false: without waiting for its fsync (the last block of a response is fsync'd).
   */
  async apply(bytes: Uint8Array, peer: number, durable = true): Promise<ExecutedBlock> {
    const fault = (reason: string): never => {
      this.peers.penalize(peer, reason);
      throw new SyncFault(`block from ${this.peers.name(peer)}: ${reason}`);
    };
    const decoded = decodeCertifiedBlock(bytes);
    if (decoded instanceof Error) return fault(`undecodable certified block: ${decoded.message}`);
    if (decoded.height !== this.chain.height + 1n) fault(`expected height ${this.chain.height + 1n}, got ${decoded.height}`);
    let txs: Tx[];
    try {
      txs = decoded.txs.map((t) => decodeTx(this.crypto, t));
    } catch (err) {
      return fault(`undecodable transaction: ${(err as Error).message}`);
    }
    // each block against the set of its epoch, read from the state it executes on (the head's)
    const set = this.setOfNext();
    const verdict = verifyCertifiedBatch(this.crypto, this.chainId, set.validators, decoded, txs, set.epoch);
    if (verdict !== true) fault(verdict);
    const executed = await this.execute({ height: decoded.height, time: decoded.time, view: decoded.view, txs, certificate: decoded.certificate, ...(decoded.checkpoint ? { checkpoint: decoded.checkpoint } : {}), ...(durable ? {} : { durable: false }) });
    if (toHex(executed.hash) !== toHex(decoded.headerHash)) {
      // The certificate fixes transactions and time and execution is deterministic: the serving
      // peer's header is wrong (lying or diverged). Our result stands; the peer is penalised.
      this.logger.warn("peer's header hash differs from our execution of a certified block", { height: decoded.height, peer: this.peers.name(peer) });
      this.peers.penalize(peer, "wrong header hash");
    }
    return executed;
  }

  /**
   * Fetches and applies blocks until the head reaches `target` (or, with target undefined, until a
   * peer has nothing newer). Tries the peers in turn; throws when every peer failed repeatedly.
   */
  async syncTo(target: bigint | undefined, peers: number[], opts: { chunk?: number; stopped?: () => boolean } = {}): Promise<number> {
    if (peers.length === 0) throw new SyncFault("no peer to sync from");
    if (this.snapshots && this.chain.height === 0n) {
      await this.snapshots.adopt(peers, { ...(target !== undefined ? { maxHeight: target } : {}), ...(opts.stopped ? { stopped: opts.stopped } : {}) });
    }
    const chunk = BigInt(opts.chunk ?? 128);
    let applied = 0;
    let failures = 0;
    let attempt = 0;
    while (target === undefined || this.chain.height < target) {
      if (opts.stopped?.()) throw new SyncFault("stopped");
      const peer = peers[attempt % peers.length]!;
      const start = this.chain.height + 1n;
      let end = start + chunk - 1n;
      if (target !== undefined && end > target) end = target;
      try {
        const raw = await this.peers.requestBlocks(peer, start, end);
        if (raw.length === 0) {
          if (target === undefined) return applied; // following: nothing newer at this peer
          throw new SyncFault(`${this.peers.name(peer)} has no block ${start}`);
        }
        // One fsync per response, not per block: a crash loses at most a suffix of this run,
        // which is fetched again (each block's batch holds its meta record: the store stays whole).
        for (let k = 0; k < raw.length; k++) {
          await this.apply(raw[k]!, peer, k === raw.length - 1);
          applied++;
        }
        failures = 0;
      } catch (err) {
        attempt++;
        failures++;
        this.logger.debug("block sync from peer failed; trying another", { peer: this.peers.name(peer), err });
        if (failures >= peers.length * 3) throw err;
      }
    }
    return applied;
  }
}

/** Encodes a stored block and its certificate as a block-sync response item. */
export function certifiedBlockBytes(b: { height: bigint; time: bigint; view: bigint; txs: Uint8Array[]; certificate: CommitCertificate; headerHash: Uint8Array }): Uint8Array {
  return encodeCertifiedBlock(b);
}
