// Observer mode: a node that follows and verifies the chain but never votes (auditors, regulators).
// It polls connected validators for certified blocks after its head; BlockSync checks every commit
// certificate against the genesis validator set and re-executes the block, so an observer trusts
// no single validator. Transactions submitted to an observer are gossiped to the validators.
import type { Chain, ExecutedBlock } from "../chain/chain.js";
import type { CommittedBlockEvent } from "../api.js";
import type { Logger } from "../log.js";
import type { Mempool } from "./mempool.js";
import type { PartyKeys } from "../parties.js";
import type { BlockSync, CertifiedExecution } from "./state-transfer.js";

export interface FollowerDeps {
  mempool: Mempool;
  parties: PartyKeys;
  logger: Logger;
  onBlock?: (b: CommittedBlockEvent) => void;
  /** replica indexes of the validators currently connected */
  connected: () => number[];
  pollMs?: number;
}

export class Follower {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private next = 0;
  syncing = false;

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
    return executed;
  };
}
