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
 * Checks that a certificate commits exactly this batch: 2f+1 valid validator signatures over
 * (chain, view, seq, digest) and digest = batchDigest(chain, height, time, txsRoot(txs)).
 */
export function verifyCertifiedBatch(
  crypto: Pick<Crypto, "sha256" | "verify">,
  chainId: string,
  validators: readonly Validator[],
  b: Pick<CertifiedBlock, "height" | "time" | "view" | "certificate">,
  txs: readonly Tx[],
): true | string {
  const c = b.certificate;
  if (c.chainId !== chainId) return `certificate is for chain ${c.chainId}`;
  if (c.seq !== b.height) return `certificate is for seq ${c.seq}, block is ${b.height}`;
  if (c.view !== b.view) return `certificate is for view ${c.view}, block says ${b.view}`;
  const digest = batchDigest(crypto.sha256, { chainId, height: b.height, time: b.time, txsRoot: rfc6962Root(txs.map((t) => t.hash)) });
  if (toHex(digest) !== toHex(c.digest)) return "certificate digest does not match the block's transactions and time";
  const check = verifyCommitCertificate(c, validators, (pk, m, s) => crypto.verify(pk, m, s));
  return check.ok ? true : `invalid commit certificate: ${check.reason}`;
}

export class BlockSync {
  constructor(
    private readonly crypto: Crypto,
    private readonly chainId: string,
    private readonly validators: readonly Validator[],
    private readonly chain: Chain,
    private readonly execute: ExecuteCertified,
    private readonly peers: SyncPeers,
    private readonly logger: Logger,
  ) {}

  /** Verifies one certified block from `peer` (it must be the next height) and executes it. */
  async apply(bytes: Uint8Array, peer: number): Promise<ExecutedBlock> {
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
    const verdict = verifyCertifiedBatch(this.crypto, this.chainId, this.validators, decoded, txs);
    if (verdict !== true) fault(verdict);
    const executed = await this.execute({ height: decoded.height, time: decoded.time, view: decoded.view, txs, certificate: decoded.certificate, ...(decoded.checkpoint ? { checkpoint: decoded.checkpoint } : {}) });
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
        for (const bytes of raw) {
          await this.apply(bytes, peer);
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
