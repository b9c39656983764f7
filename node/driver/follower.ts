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
      this.running = this.round().finally(() => {
        if (!this.stopped) this.timer = setTimeout(poll, this.deps.pollMs ?? 500);
      });
    };
    poll();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One catch-up round against one connected validator (round robin). */
  private async round(): Promise<void> {
    const connected = this.deps.connected();
    if (connected.length === 0) return;
    const peer = connected[this.next++ % connected.length]!;
    this.syncing = true;
    try {
      const applied = await this.sync.syncTo(undefined, [peer], { stopped: () => this.stopped });
      if (applied > 0) this.deps.logger.info("followed the chain", { height: this.chain.height, blocks: applied });
    } catch (err) {
      if (!this.stopped) this.deps.logger.warn("following failed at a peer; trying another next round", { err });
    } finally {
      this.syncing = false;
    }
  }

  readonly executeCertified = async (b: CertifiedExecution): Promise<ExecutedBlock> => {
    const executed = await this.chain.executeBlock({ height: b.height, time: b.time, view: b.view, txs: b.txs, certificate: b.certificate });
    this.deps.mempool.removeCommitted(b.txs.map((t) => t.hashHex));
    await this.deps.parties.onReceipts(executed.receipts);
    this.deps.onBlock?.({ executed, txs: b.txs, certificate: b.certificate });
    return executed;
  };
}
