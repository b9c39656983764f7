// The node's API as the RPC sees it (NodeApi, node/api.ts), served apart from the composition root
// (STYLE rule 17): status, admission of submitted transactions, waits for a transaction's commit
// and committed-block listeners. Reads go to the query model. The root builds one per node, hands
// the executing side (driver or follower) `blockCommitted` and closes it on stop.
import type { Validator } from "../sdk/commit.js";
import type { CommitWait, CommittedBlockEvent, NodeApi, NodeStatus } from "./api.js";
import type { Logger } from "./log.js";
import type { Admission, Mempool } from "./driver/mempool.js";
import type { QueryModel } from "./query/types.js";
import { fromHex } from "../sdk/bytes.js";

/** What the consensus side (a validator's driver or an observer's follower) reports for status. */
export interface ConsensusStatus {
  /** consensus (or following) runs: the node may take transactions */
  running: boolean;
  /** PBFT view and its primary (validators only) */
  view?: bigint;
  primary?: string;
  viewActive?: boolean;
  /** set when consensus halted on a broken invariant */
  halted?: string;
  /** catching up (state transfer, or an observer's sync round) */
  syncing: boolean;
  /** an observer the network does not take: why, and the fix (node/net/observers.ts) */
  notAdmitted?: string;
}

export interface NodeServiceDeps {
  chainId: string;
  nodeId: string;
  mode: "validator" | "observer";
  validators: readonly Validator[];
  /** the set in force (changes at an epoch switch); default: `validators` */
  validatorsInForce?: () => readonly Validator[];
  version: string;
  query: QueryModel;
  mempool: Pick<Mempool, "admit" | "has" | "size" | "sizeBytes">;
  /** gossip of admitted transactions, and the peers status reports */
  network: {
    publishTx(bytes: Uint8Array): unknown;
    connectedPeers(): { peerId: string; validatorId?: string }[];
  };
  consensus: () => ConsensusStatus;
  /** tells the consensus side that the mempool has new transactions */
  onTransactionsAvailable: () => void;
  logger: Logger;
}

/** Transactions of a batch admitted between two yields to the event loop (submitMany). */
const ADMISSION_SLICE = 32;

export class NodeService implements NodeApi {
  readonly chainId: string;
  readonly validators: readonly Validator[];
  readonly query: QueryModel;
  private readonly listeners = new Set<(b: CommittedBlockEvent) => void>();
  private readonly waiters = new Map<string, Set<(at: CommitWait | undefined) => void>>();
  private closed = false;

  constructor(private readonly deps: NodeServiceDeps) {
    this.chainId = deps.chainId;
    this.validators = deps.validators;
    this.query = deps.query;
  }

  status(): NodeStatus {
    const c = this.deps.consensus();
    const head = this.query.head();
    return {
      chainId: this.chainId,
      nodeId: this.deps.nodeId,
      mode: this.deps.mode,
      height: head.height,
      headHash: head.hash,
      headTime: head.time,
      stateRoot: head.stateRoot,
      ...(c.view !== undefined ? { view: c.view, primary: c.primary ?? "", viewActive: c.viewActive ?? false } : {}),
      validators: this.validators.map((v) => v.id),
      peers: this.deps.network.connectedPeers().map((p) => ({ id: p.validatorId ?? p.peerId, validator: p.validatorId !== undefined })),
      mempool: { txs: this.deps.mempool.size, bytes: this.deps.mempool.sizeBytes },
      ...(c.halted ? { halted: c.halted } : {}),
      syncing: c.syncing,
      ...(c.notAdmitted ? { notAdmitted: c.notAdmitted } : {}),
      ready: this.ready(c),
      version: this.deps.version,
    };
  }

  validatorsInForce(): readonly Validator[] {
    return this.deps.validatorsInForce?.() ?? this.validators;
  }

  acceptingTxs(): boolean {
    return this.ready(this.deps.consensus());
  }

  private ready(c: ConsensusStatus): boolean {
    return !this.closed && c.running && !c.halted && !c.notAdmitted;
  }

  async submit(bytes: Uint8Array): Promise<Admission> {
    const admission = await this.deps.mempool.admit(bytes);
    if (admission.ok && !admission.alreadyPending) {
      this.publish(admission.tx.bytes, admission.tx.hashHex);
      this.deps.onTransactionsAvailable();
    }
    return admission;
  }

  async submitMany(txs: readonly Uint8Array[]): Promise<Admission[]> {
    const out: Admission[] = [];
    for (let from = 0; from < txs.length; from += ADMISSION_SLICE) {
      // Admission is synchronous work (decode, signature): a thousand at once would hold the event
      // loop for a good part of a second, and consensus with it.
      if (from > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      let fresh = 0;
      for (const bytes of txs.slice(from, from + ADMISSION_SLICE)) {
        const admission = await this.deps.mempool.admit(bytes);
        out.push(admission);
        if (admission.ok && !admission.alreadyPending) {
          this.publish(admission.tx.bytes, admission.tx.hashHex);
          fresh++;
        }
      }
      // One notice per slice: the proposer looks at the pool once, not once per transaction.
      if (fresh > 0) this.deps.onTransactionsAvailable();
    }
    return out;
  }

  private publish(bytes: Uint8Array, hashHex: string): void {
    try {
      this.deps.network.publishTx(bytes);
    } catch (err) {
      this.deps.logger.warn("could not gossip a transaction", { err, tx: hashHex });
    }
  }

  async waitForCommit(txHashHex: string, timeoutMs: number, signal?: AbortSignal): Promise<CommitWait | undefined> {
    // The waiter goes in first, so a block committing while the store is read cannot be missed.
    return new Promise<CommitWait | undefined>((resolve) => {
      let set = this.waiters.get(txHashHex);
      if (!set) this.waiters.set(txHashHex, (set = new Set()));
      const done = (at: CommitWait | undefined) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", abort);
        set!.delete(done);
        if (set!.size === 0 && this.waiters.get(txHashHex) === set) this.waiters.delete(txHashHex);
        resolve(at);
      };
      const abort = () => done(undefined);
      const timer = setTimeout(abort, timeoutMs);
      signal?.addEventListener("abort", abort);
      set.add(done);
      // A transaction still in the pool is not in a stored block: only others need the lookup.
      if (!this.deps.mempool.has(txHashHex)) {
        this.query.locateTx(fromHex(txHashHex)).then(
          (loc) => loc && done({ height: loc.height }),
          () => undefined,
        );
      }
    });
  }

  waitForCommits(txHashHexes: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<(CommitWait | undefined)[]> {
    const out: (CommitWait | undefined)[] = txHashHexes.map(() => undefined);
    // A hash named twice (the same transaction twice in one batch) is waited for once.
    const positions = new Map<string, number[]>();
    txHashHexes.forEach((h, i) => {
      const p = positions.get(h);
      if (p) p.push(i);
      else positions.set(h, [i]);
    });
    if (positions.size === 0 || signal?.aborted) return Promise.resolve(out);
    return new Promise((resolve) => {
      let left = positions.size;
      const registered: [string, Set<(at: CommitWait | undefined) => void>, (at: CommitWait | undefined) => void][] = [];
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", finish);
        for (const [h, set, w] of registered) {
          set.delete(w);
          if (set.size === 0 && this.waiters.get(h) === set) this.waiters.delete(h);
        }
        resolve(out);
      };
      const timer = setTimeout(finish, timeoutMs);
      signal?.addEventListener("abort", finish);
      // The waiters go in first, so a block committing while the store is read cannot be missed.
      for (const [h, at] of positions) {
        let set = this.waiters.get(h);
        if (!set) this.waiters.set(h, (set = new Set()));
        let seen = false;
        const w = (c: CommitWait | undefined) => {
          if (c === undefined) return finish(); // the node is closing
          if (seen || finished) return;
          seen = true;
          for (const i of at) out[i] = c;
          set!.delete(w);
          if (--left === 0) finish();
        };
        set.add(w);
        registered.push([h, set, w]);
      }
      for (const [h, , w] of registered) {
        if (finished) break;
        if (this.deps.mempool.has(h)) continue;
        this.query.locateTx(fromHex(h)).then(
          (loc) => loc && w({ height: loc.height }),
          () => undefined,
        );
      }
    });
  }

  onBlock(listener: (b: CommittedBlockEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called by the executing side for every committed block, in height order. */
  readonly blockCommitted = (b: CommittedBlockEvent): void => {
    const height = b.executed.header.height;
    if (this.waiters.size > 0) {
      const { executed } = b;
      b.txs.forEach((tx, index) => {
        const set = this.waiters.get(tx.hashHex);
        if (!set) return;
        const at: CommitWait = { height, committed: { index, bytes: tx.bytes, receipt: executed.receipts[index]!, time: executed.header.time, blockHash: executed.hash } };
        for (const w of [...set]) w(at);
      });
    }
    for (const l of this.listeners) {
      try {
        l(b);
      } catch (err) {
        this.deps.logger.error("block listener failed", { err });
      }
    }
  };

  /** Refuses new transactions and ends every pending wait (unanswered). */
  close(): void {
    this.closed = true;
    for (const set of this.waiters.values()) for (const w of [...set]) w(undefined);
    this.waiters.clear();
  }
}
