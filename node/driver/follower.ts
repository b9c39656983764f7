// Observer mode: a node that follows and verifies the chain but never votes (auditors, regulators).
// It polls connected validators for certified blocks after its head; BlockSync checks every commit
// certificate against the genesis validator set and re-executes the block, so an observer trusts
// no single validator. Transactions submitted to an observer are gossiped to the validators.
//
// Observers also keep checkpoint certificates, so GET /v1/blocks/:height/certified (and every proof
// that rests on a certified header) works against an observer: block sync hands over, with the last
// block of each answer, the newest checkpoint certificate the peer holds at or below it; the
// observer keeps it only if 2f+1 validators of the genesis set signed it and it certifies the
// header the observer computed itself at that height. While idle and its head not certified yet,
// it asks a validator again for its head block, to pick up the idle tip's certificate
// (docs/consensus.md §2.6).
import { equalBytes } from "../../sdk/bytes.js";
import { verifyCheckpointCertificate, type CheckpointCertificate, type ValidatorSet } from "../../sdk/certified.js";
import type { VerifySignature } from "../../sdk/commit.js";
import type { Chain, ExecutedBlock } from "../chain/chain.js";
import { decodeCertifiedBlock } from "../net/wire.js";
import type { CommittedBlockEvent } from "../api.js";
import type { Logger } from "../log.js";
import type { Mempool } from "./mempool.js";
import type { PartyKeys } from "../parties.js";
import type { BlockSync, CertifiedExecution, SyncPeers } from "./state-transfer.js";

/** Where an observer checks and keeps checkpoint certificates. */
export interface CheckpointKeeping {
  /**
   * The validator set that certified checkpoint `seq` (its epoch's, signing chain id included:
   * docs/governance.md §5): a certificate needs 2f+1 of its signatures. Undefined: this node cannot
   * tell that set (a checkpoint at or below the base of the epoch in force), the certificate is not kept.
   */
  validatorsFor(seq: bigint): ValidatorSet | undefined;
  verify: VerifySignature;
  /** this node's header at a height it executed: hash and time */
  header(height: bigint): Promise<{ hash: Uint8Array; time: bigint } | undefined>;
  /** the newest certificate held at or below a height */
  newest(height: bigint): Promise<CheckpointCertificate | undefined>;
  keep(c: CheckpointCertificate): Promise<void>;
  /** to ask a validator again for the head block (and its certificate) */
  peers: Pick<SyncPeers, "requestBlocks" | "name">;
  /** how often, at most, an idle observer asks for its head's certificate (default 250 ms) */
  askEveryMs?: number;
}

export interface FollowerDeps {
  mempool: Mempool;
  parties: PartyKeys;
  logger: Logger;
  onBlock?: (b: CommittedBlockEvent) => void;
  /** replica indexes of the validators currently connected */
  connected: () => number[];
  pollMs?: number;
  checkpoints?: CheckpointKeeping;
}

export class Follower {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private next = 0;
  syncing = false;
  /** the highest height certified by a certificate this node holds (as far as this process knows) */
  private certifiedThrough = -1n;
  private lastAsked = 0;
  private asking: Promise<void> | undefined;
  /** checkpoint certificates refused (a forged or foreign one from a peer) */
  refusedCheckpoints = 0;

  constructor(
    private readonly chain: Chain,
    private readonly sync: BlockSync,
    private readonly deps: FollowerDeps,
  ) {}

  start(): void {
    const poll = () => {
      if (this.stopped) return;
      // A round that applied blocks asks again at once (the chain is moving: an observer stays
      // within a block or two of the validators, what a regulator watching alerts needs); an idle
      // round waits pollMs (default 50 ms: one small request to one validator).
      this.running = this.round().then(
        (applied) => {
          // after a failure (-1): a second before the next peer, so a failing peer cannot flood the log
          if (!this.stopped) this.timer = setTimeout(poll, applied > 0 ? 0 : applied < 0 ? 1000 : (this.deps.pollMs ?? 50));
        },
        () => {
          if (!this.stopped) this.timer = setTimeout(poll, this.deps.pollMs ?? 50);
        },
      );
    };
    poll();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await this.asking;
  }

  /** One catch-up round against one connected validator (round robin): blocks applied, -1 if it failed. */
  private async round(): Promise<number> {
    const connected = this.deps.connected();
    if (connected.length === 0) return 0;
    const peer = connected[this.next++ % connected.length]!;
    this.syncing = true;
    try {
      const applied = await this.sync.syncTo(undefined, [peer], { stopped: () => this.stopped });
      if (applied > 0) this.deps.logger.debug("followed the chain", { height: this.chain.height, blocks: applied });
      // never delays following: at most one ask in flight, beside the polling
      else if (!this.asking) {
        this.asking = this.certifyHead(peer)
          .catch((err: unknown) => this.deps.logger.debug("asking for the head's checkpoint certificate failed", { peer, err }))
          .finally(() => (this.asking = undefined));
      }
      return applied;
    } catch (err) {
      if (!this.stopped) this.deps.logger.warn("following failed at a peer; trying another next round", { err });
      return -1;
    } finally {
      this.syncing = false;
    }
  }

  readonly executeCertified = async (b: CertifiedExecution): Promise<ExecutedBlock> => {
    const executed = await this.chain.executeBlock({ height: b.height, time: b.time, view: b.view, txs: b.txs, certificate: b.certificate, ...(b.durable === false ? { durable: false } : {}) });
    this.deps.mempool.removeCommitted(b.txs.map((t) => t.hashHex));
    await this.deps.parties.onReceipts(executed.receipts);
    this.deps.onBlock?.({ executed, txs: b.txs, certificate: b.certificate });
    if (b.checkpoint) await this.offerCheckpoint(b.checkpoint, "block sync");
    return executed;
  };

  /**
   * Keeps a checkpoint certificate a peer sent if it certifies a header this node computed: 2f+1
   * distinct validators of the genesis set signed (chain, seq, time, hash) and seq, time and hash
   * are this node's block's. Anything else is refused (counted and logged; never stored). Returns
   * whether it was kept.
   */
  async offerCheckpoint(c: CheckpointCertificate, from: string): Promise<boolean> {
    const k = this.deps.checkpoints;
    if (!k || c.seq <= this.certifiedThrough) return false;
    const refuse = (reason: string): false => {
      this.refusedCheckpoints++;
      this.deps.logger.warn("checkpoint certificate refused", { from, seq: c.seq, reason });
      return false;
    };
    if (c.seq > this.chain.height) return false; // not executed here yet: it comes again with a later block
    const own = await k.header(c.seq);
    if (!own) return false;
    if (!equalBytes(c.blockHash, own.hash) || c.timestamp !== own.time) return refuse(`it certifies another block at height ${c.seq} than this node executed`);
    const set = k.validatorsFor(c.seq);
    if (!set) return false;
    const check = verifyCheckpointCertificate(c, set, k.verify);
    if (!check.ok) return refuse(check.reason);
    await k.keep(c);
    this.certifiedThrough = c.seq;
    return true;
  }

  /** Idle: if the head is not certified yet, asks `peer` for the head block again, which carries the newest certificate it holds. */
  private async certifyHead(peer: number): Promise<void> {
    const k = this.deps.checkpoints;
    const head = this.chain.height;
    if (!k || head === 0n || this.certifiedThrough >= head) return;
    const held = await k.newest(head);
    if (held && held.seq > this.certifiedThrough) this.certifiedThrough = held.seq;
    if (this.certifiedThrough >= head || Date.now() - this.lastAsked < (k.askEveryMs ?? 250)) return;
    this.lastAsked = Date.now();
    const raw = await k.peers.requestBlocks(peer, head, head);
    const b = raw.length > 0 ? decodeCertifiedBlock(raw[raw.length - 1]!) : undefined;
    if (b && !(b instanceof Error) && b.checkpoint) await this.offerCheckpoint(b.checkpoint, k.peers.name(peer));
  }
}
