// The one owner of "which transactions are in flight" (STYLE rule 15). A transaction is in flight
// from the moment this node cuts a batch carrying it, or the PBFT core accepts a batch carrying it
// (whoever proposed it), until the block that carries it is executed; it goes back to the pool when
// the core drops the batch undelivered (a view change). The mempool asks this module what to skip,
// the driver asks it for batches; nobody else keeps a set of in-flight transactions.
//
// It also decides when to cut a batch. Every block costs each node three fsync'd consensus writes,
// a dozen signatures, its messages and a store commit whatever its size, so a batch leaves when
//   - `minBatchFill` transactions wait (under load: fewer, fuller blocks, the pipeline of
//     maxBatchesInFlight hiding the round trips), or
//   - nothing is in flight and the last batch left at least `batchDelayMs` ago: a lone transaction
//     on an idle network goes out at once, or
//   - the oldest waiting transaction has waited `batchDelayMs` (a batch in flight, or the last one
//     left less than `batchDelayMs` ago).
// So batches are at least `batchDelayMs` apart unless they fill up: at low load (100-300 tx/s)
// transactions share blocks instead of each paying a block of its own, and a transaction waits
// for a batch at most `batchDelayMs`. The cut is the primary's local choice, never a consensus rule:
// backups check what a batch holds, not when it came.
//
// How big: at most maxBatchTxs / maxBatchBytes, and at most what this node executes in
// `maxBatchExecMs` at the pace of its recent blocks. A node executes a block on its event loop; a
// block that takes longer than the backups' request timer (requestTimeoutMs) to execute makes them
// suspect a primary that is only slow, and under overload every view then changes before its first
// block commits (measured: 1,000-transaction blocks of 1.3-1.5 s each on the bench's 2 cores, view
// changes every few seconds, throughput down to a third). The pace is wall time per transaction over
// the last blocks, fixed costs included, so it errs on the small side after small blocks and
// corrects itself as blocks grow.
import type { Tx } from "../../sdk/tx.js";
import { encodeBatch } from "../net/wire.js";
import type { DriverClock, TimerHandle } from "./clock.js";

/** What the pool asks about in-flight transactions (implemented by Proposer). */
export interface InFlightTxs {
  /** whether a transaction is in a batch in flight or in a block not yet executed */
  has(hashHex: string): boolean;
  /** how many of `pool`'s transactions are in flight */
  countIn(pool: { has(hashHex: string): boolean }): number;
}

export const NOTHING_IN_FLIGHT: InFlightTxs = { has: () => false, countIn: () => 0 };

/** The pool a proposer draws from (the mempool). */
export interface TxPool {
  /** admitted transactions not in flight */
  readonly available: number;
  /** up to maxTxs / maxBytes transactions not in flight, oldest first */
  reap(maxTxs: number, maxBytes: number): Tx[];
}

export interface ProposerOptions {
  maxBatchTxs: number;
  maxBatchBytes: number;
  /** while batches are in flight, cut another once this many transactions wait (default maxBatchTxs / 8) */
  minBatchFill?: number;
  /** ... or once the oldest has waited this long, ms; and batches are this far apart unless they fill (default 20) */
  batchDelayMs?: number;
  /** cut batches this node executes in about this long at its recent pace, ms (default: no such bound) */
  maxBatchExecMs?: number;
}

/** the blocks the pace is taken over */
const PACE_BLOCKS = 16;
/** the smallest batch the pace bound cuts (a slow node still moves real batches) */
const MIN_PACED_BATCH = 16;

export interface ProposerDeps {
  pool: TxPool;
  clock: DriverClock;
  /** the transactions of a batch payload (the driver decodes each payload once) */
  decode(payload: Uint8Array): Tx[] | Error;
  /** the core's accepted, undelivered batches (Replica.pendingBatches) */
  coreBatches(): readonly { seq: bigint; payload: Uint8Array }[];
  /** whether this node may propose now (primary of an active view, not halted) */
  canPropose(): boolean;
  /** hands a cut batch to the driver, which steps it into the core as `batch-available`; `cut`: the most it could hold, and whether the pace bound held it back */
  propose(payload: Uint8Array, txs: Tx[], cut: { bound: number; byPace: boolean }): void;
}

export class Proposer implements InFlightTxs {
  private readonly minBatchFill: number;
  private readonly batchDelayMs: number;
  /** the core asked for a batch (request-batch) and has not been given one since */
  private wanted = false;
  /** our cut batch, handed to the driver and not yet stepped into the core */
  private queued: string[] | undefined;
  /** the core's accepted, undelivered batches: seq -> payload and transaction hashes */
  private core = new Map<bigint, { payload: Uint8Array; txs: string[] }>();
  private coreStale = true;
  /** delivered blocks not yet executed: seq -> transaction hashes */
  private readonly executing = new Map<bigint, string[]>();
  /** every in-flight transaction -> in how many of the above it is (a batch can be ordered twice) */
  private readonly holds = new Map<string, number>();
  private inPool: { pool: object; count: number } | undefined;
  private timer: TimerHandle | undefined;
  /** when the last batch was cut (the clock's monotonic ms) */
  private lastCutAt = -Infinity;
  /** recent executed blocks with transactions: [transactions, wall ms] */
  private readonly pace: [number, number][] = [];
  private paceTxs = 0;
  private paceMs = 0;
  readonly stats = { batchesCut: 0, txsReleased: 0, batchesCutByPace: 0 };

  constructor(
    private readonly opts: ProposerOptions,
    private readonly deps: ProposerDeps,
  ) {
    this.minBatchFill = opts.minBatchFill ?? Math.max(1, Math.floor(opts.maxBatchTxs / 8));
    this.batchDelayMs = opts.batchDelayMs ?? 20;
  }

  // ---- the fact ---------------------------------------------------------------------------------

  has(hashHex: string): boolean {
    this.refresh();
    return this.holds.has(hashHex);
  }

  countIn(pool: { has(hashHex: string): boolean }): number {
    this.refresh();
    if (this.inPool?.pool !== pool) {
      let count = 0;
      for (const h of this.holds.keys()) if (pool.has(h)) count++;
      this.inPool = { pool, count };
    }
    return this.inPool.count;
  }

  /** how many transactions are in flight (for status and tests) */
  get size(): number {
    this.refresh();
    return this.holds.size;
  }

  private hold(hashes: readonly string[]): void {
    for (const h of hashes) this.holds.set(h, (this.holds.get(h) ?? 0) + 1);
    this.inPool = undefined;
  }

  private release(hashes: readonly string[]): void {
    for (const h of hashes) {
      const n = this.holds.get(h);
      if (n === undefined) continue;
      if (n > 1) this.holds.set(h, n - 1);
      else {
        this.holds.delete(h);
        this.stats.txsReleased++;
      }
    }
    this.inPool = undefined;
  }

  /** Brings the core's part up to date: new accepted batches are held, dropped ones released. */
  private refresh(): void {
    if (!this.coreStale) return;
    this.coreStale = false;
    const next = new Map<bigint, { payload: Uint8Array; txs: string[] }>();
    for (const b of this.deps.coreBatches()) {
      const known = this.core.get(b.seq);
      if (known && known.payload === b.payload) {
        next.set(b.seq, known);
        this.core.delete(b.seq);
        continue;
      }
      const txs = this.deps.decode(b.payload);
      const entry = { payload: b.payload, txs: txs instanceof Error ? [] : txs.map((t) => t.hashHex) };
      this.hold(entry.txs);
      next.set(b.seq, entry);
    }
    // Left over: delivered (their transactions are held by `executing` now) or dropped undelivered
    // by a view change (back to the pool).
    for (const gone of this.core.values()) this.release(gone.txs);
    this.core = next;
  }

  // ---- inputs from the driver ---------------------------------------------------------------------

  /** The core stepped events: its accepted batches may have changed (read again when next asked). */
  coreChanged(): void {
    this.coreStale = true;
  }

  /** Our cut batch was stepped into the core: from now on the core's batches say whether it is in flight. */
  queuedStepped(): void {
    if (this.queued) this.release(this.queued);
    this.queued = undefined;
    this.coreStale = true;
    // the core answers it with a new request-batch if it has room for another
    this.wanted = false;
  }

  /** A block was delivered: its transactions stay in flight until it is executed. */
  delivered(seq: bigint, txs: readonly Tx[]): void {
    if (this.executing.has(seq)) return;
    const hashes = txs.map((t) => t.hashHex);
    this.executing.set(seq, hashes);
    this.hold(hashes);
  }

  /** The block at `seq` was executed (or skipped as already executed): its transactions leave flight. */
  executed(seq: bigint): void {
    const hashes = this.executing.get(seq);
    if (hashes) {
      this.executing.delete(seq);
      this.release(hashes);
    }
    this.inPool = undefined; // the pool dropped the committed transactions
  }

  /** A block of `txs` transactions took `ms` to execute here (wall time): the pace batches are cut to. */
  executedIn(txs: number, ms: number): void {
    if (txs <= 0 || !(ms >= 0)) return;
    this.pace.push([txs, ms]);
    this.paceTxs += txs;
    this.paceMs += ms;
    if (this.pace.length > PACE_BLOCKS) {
      const [t, m] = this.pace.shift()!;
      this.paceTxs -= t;
      this.paceMs -= m;
    }
  }

  /** The most transactions a batch takes now: maxBatchTxs, or fewer when the recent pace says the node would take longer than maxBatchExecMs. */
  get batchTxs(): number {
    const budget = this.opts.maxBatchExecMs;
    if (budget === undefined || this.paceMs <= 0) return this.opts.maxBatchTxs;
    const paced = Math.floor((budget * this.paceTxs) / this.paceMs);
    return Math.max(Math.min(MIN_PACED_BATCH, this.opts.maxBatchTxs), Math.min(this.opts.maxBatchTxs, paced));
  }

  /** The view changed: a batch the old primary asked for will not be taken. */
  viewChanged(): void {
    this.wanted = false;
  }

  /** The core has room for a batch (request-batch). */
  requested(): void {
    this.wanted = true;
    this.maybeCut();
  }

  /** How many pool transactions wait for a batch. */
  get waiting(): number {
    return this.deps.pool.available;
  }

  /** Transactions were admitted (or released): a primary that was asked may cut now. */
  poolChanged(): void {
    if (this.wanted) this.maybeCut();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.wanted = false;
  }

  // ---- cutting ------------------------------------------------------------------------------------

  private maybeCut(force = false): void {
    if (!this.wanted || !this.deps.canPropose()) return;
    // A batch still waiting in the driver's queue is not among the core's batches yet; the core asks
    // again once it has taken it, and the in-flight set already holds its transactions.
    if (this.queued) return;
    this.refresh();
    const maxTxs = this.batchTxs;
    if (!force) {
      const waiting = this.waiting;
      const sinceCut = this.deps.clock.monotonic() - this.lastCutAt;
      const idle = this.core.size === 0 && sinceCut >= this.batchDelayMs;
      if (waiting < Math.min(this.minBatchFill, maxTxs) && !idle) {
        if (waiting > 0 && !this.timer) {
          // in flight: the oldest waits batchDelayMs; idle but too soon: the rest of the interval
          const wait = this.core.size > 0 ? this.batchDelayMs : Math.max(0, this.batchDelayMs - sinceCut);
          this.timer = this.deps.clock.setTimeout(() => {
            this.timer = undefined;
            this.maybeCut(true);
          }, wait);
        }
        return;
      }
    }
    const txs = this.deps.pool.reap(maxTxs, this.opts.maxBatchBytes - 16 * this.opts.maxBatchTxs);
    if (txs.length === 0) return;
    const byPace = maxTxs < this.opts.maxBatchTxs && txs.length === maxTxs;
    if (byPace) this.stats.batchesCutByPace++;
    this.timer?.cancel();
    this.timer = undefined;
    this.wanted = false;
    this.lastCutAt = this.deps.clock.monotonic();
    this.queued = txs.map((t) => t.hashHex);
    this.hold(this.queued);
    this.stats.batchesCut++;
    this.deps.propose(encodeBatch(txs.map((t) => t.bytes)), txs, { bound: maxTxs, byPace });
  }
}
