// What the campaign checks, after every cycle and at the end, using only what any client or
// auditor can see (the RPC of each node) and the validators' signed-message logs:
//   - no loss: every transaction acknowledged as committed is in the block at the acknowledged
//     height with the acknowledged result code (read from one honest node's block listing), and
//     every honest node holds that very block (same header hash, which commits to the transactions
//     and receipts root), so it is on every honest node; a sample is also looked up by hash
//     (the transaction index) on every node;
//   - no divergence: every honest node has the same block (header hash, hence the same parent,
//     transactions, receipts and state root) at every height, and the reference chain links;
//   - no conflicting signature: no slot (pre-prepare/prepare/commit per view and sequence number,
//     checkpoint per sequence number, view-change and new-view per view) signed with two values by
//     one validator (node/driver/signed-log.ts); the Byzantine build's evidence is checked the same way and
//     must show its equivocations, so the detector is known to work;
//   - progress: the longest interval without a new block while the load had work outstanding.
import { existsSync, openSync, readSync, closeSync, statSync } from "node:fs";
import { createClient, type TradeLedgerClient } from "../../sdk/client.js";
import type { Signer } from "../../sdk/signer.js";
import type { Acked } from "./load.js";
import { sleep } from "../cluster.js";

export interface ChainView {
  size: number;
  url(i: number): string;
  id(i: number): string;
  auditor: Signer;
}

interface RefBlock {
  hash: string;
  prevHash: string;
  stateRoot: string;
  /** node that first reported it */
  from: number;
}

export interface Divergence {
  node: string;
  height: bigint;
  hash: string;
  expected: string;
}

export interface Conflict {
  node: string;
  slot: string;
  values: string[];
}

/** Runs `fn` over items with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

async function fetchJson<T>(url: string, timeoutMs = 10_000, attempts = 3): Promise<T | undefined> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      if (res.status === 404) return undefined;
      if (res.ok) return (await res.json()) as T;
    } catch {
      /* retried */
    }
    await sleep(200);
  }
  throw new Error(`GET ${url} failed`);
}

export class ChainAuditor {
  private readonly ref = new Map<bigint, RefBlock>();
  /** per node: every height up to this one matched the reference */
  private readonly checkedTo: bigint[];
  /** acknowledged transactions found in their block with their code */
  private readonly ackVerified = new Set<string>();
  readonly divergences: Divergence[] = [];
  readonly lost: { node: string; hash: string; height: bigint; why: string }[] = [];
  private readonly clients = new Map<number, TradeLedgerClient>();
  blocksCompared = 0;

  constructor(private readonly view: ChainView) {
    this.checkedTo = Array.from({ length: view.size }, () => 0n);
  }

  private client(i: number): TradeLedgerClient {
    let c = this.clients.get(i);
    if (!c) {
      c = createClient({ url: this.view.url(i), signer: this.view.auditor, timeoutMs: 15_000 });
      this.clients.set(i, c);
    }
    return c;
  }

  /** Node i's store was damaged and rebuilt (torn write, restore): check all its blocks again. */
  forget(i: number): void {
    this.checkedTo[i] = 0n;
  }

  async height(i: number): Promise<bigint | undefined> {
    const s = await fetchJson<{ height: string }>(`${this.view.url(i)}/v1/status`, 3000, 2).catch(() => undefined);
    return s ? BigInt(s.height) : undefined;
  }

  /** Compares node i's blocks above what was already checked with the reference chain. */
  async checkBlocks(i: number): Promise<void> {
    const head = await this.height(i);
    if (head === undefined) throw new Error(`${this.view.id(i)} does not answer`);
    const heights: bigint[] = [];
    for (let h = this.checkedTo[i]! + 1n; h <= head; h++) heights.push(h);
    const bad = new Set<bigint>();
    await pool(heights, 16, async (h) => {
      const b = await fetchJson<{ hash: string; header: { prevHash: string; stateRoot: string } }>(`${this.view.url(i)}/v1/blocks/${h}`);
      if (!b) {
        bad.add(h);
        this.divergences.push({ node: this.view.id(i), height: h, hash: "(missing)", expected: this.ref.get(h)?.hash ?? "?" });
        return;
      }
      this.blocksCompared++;
      const known = this.ref.get(h);
      if (!known) {
        this.ref.set(h, { hash: b.hash, prevHash: b.header.prevHash, stateRoot: b.header.stateRoot, from: i });
      } else if (known.hash !== b.hash) {
        bad.add(h);
        this.divergences.push({ node: this.view.id(i), height: h, hash: b.hash, expected: known.hash });
      }
    });
    // The reference chain must link (each header names its parent's hash).
    for (const h of heights) {
      const cur = this.ref.get(h);
      const prev = this.ref.get(h - 1n);
      if (cur && prev && cur.prevHash !== prev.hash && !bad.has(h)) {
        bad.add(h);
        this.divergences.push({ node: this.view.id(cur.from), height: h, hash: `prevHash ${cur.prevHash}`, expected: prev.hash });
      }
    }
    if (bad.size === 0) this.checkedTo[i] = head;
    else this.checkedTo[i] = [...bad].reduce((a, b) => (b < a ? b : a)) - 1n;
  }

  /**
   * Every acknowledged transaction at or below node i's checked height must be in that block
   * (one paged listing of node i per block) with the acknowledged code. Node i's blocks match the
   * reference chain (checkBlocks first), so what is in them is in every honest node's.
   */
  async checkAcked(i: number, acked: readonly Acked[]): Promise<void> {
    const upTo = this.checkedTo[i]!;
    const byHeight = new Map<bigint, Acked[]>();
    for (const a of acked) {
      if (a.height > upTo || this.ackVerified.has(a.hash)) continue;
      let list = byHeight.get(a.height);
      if (!list) byHeight.set(a.height, (list = []));
      list.push(a);
    }
    await pool([...byHeight.keys()], 16, async (h) => {
      const found = new Map<string, string>();
      let cursor: string | undefined;
      do {
        const page = await this.client(i).getBlockTxs(h, { limit: 1000, ...(cursor ? { cursor } : {}) });
        for (const item of page.items) found.set(item.txHash, item.code);
        cursor = page.cursor;
      } while (cursor);
      for (const a of byHeight.get(h)!) {
        const code = found.get(a.hash);
        if (code === a.code) this.ackVerified.add(a.hash);
        else this.lost.push({ node: this.view.id(i), hash: a.hash, height: h, why: code === undefined ? "not in the block" : `code ${code}, acknowledged ${a.code}` });
      }
    });
  }

  /** A random sample of acknowledged transactions looked up by hash (the tx index) on node i. */
  async sampleTxIndex(i: number, acked: readonly Acked[], count: number, rand: () => number): Promise<void> {
    const upTo = this.checkedTo[i]!;
    const candidates = acked.filter((a) => a.height <= upTo);
    for (let k = 0; k < Math.min(count, candidates.length); k++) {
      const a = candidates[Math.floor(rand() * candidates.length)]!;
      try {
        const t = await this.client(i).getTx(a.hash);
        if (BigInt(t.height) !== a.height || t.receipt.code !== a.code) this.lost.push({ node: this.view.id(i), hash: a.hash, height: a.height, why: `GET /v1/txs: height ${t.height} code ${t.receipt.code}` });
      } catch (err) {
        this.lost.push({ node: this.view.id(i), hash: a.hash, height: a.height, why: `GET /v1/txs: ${(err as Error).message}` });
      }
    }
  }

  /** Acknowledged transactions above what node i holds (after the final catch-up: lost on node i). */
  missingOn(i: number, acked: readonly Acked[]): Acked[] {
    return acked.filter((a) => a.height > this.checkedTo[i]!);
  }

  get verifiedCount(): number {
    return this.ackVerified.size;
  }

  checkedHeight(i: number): bigint {
    return this.checkedTo[i]!;
  }

  get referenceHeight(): bigint {
    let h = 0n;
    for (const k of this.ref.keys()) if (k > h) h = k;
    return h;
  }
}

/** Reads signed-message logs incrementally and finds slots signed with two values. */
export class SignatureAuditor {
  private readonly slots = new Map<string, Map<string, Set<string>>>();
  private readonly offsets = new Map<string, number>();
  private readonly partial = new Map<string, string>();
  linesRead = 0;

  /** Reads what was appended to `file` (the signed messages of validator `node`) since last time. */
  read(node: string, file: string): void {
    if (!existsSync(file)) return;
    const size = statSync(file).size;
    let offset = this.offsets.get(file) ?? 0;
    if (size <= offset) return;
    const fd = openSync(file, "r");
    try {
      let text = this.partial.get(file) ?? "";
      const buf = Buffer.alloc(1 << 20);
      while (offset < size) {
        const n = readSync(fd, buf, 0, Math.min(buf.length, size - offset), offset);
        if (n <= 0) break;
        offset += n;
        text += buf.subarray(0, n).toString("utf8");
        const lines = text.split("\n");
        text = lines.pop()!;
        for (const line of lines) this.line(node, line);
      }
      this.partial.set(file, text);
      this.offsets.set(file, offset);
    } finally {
      closeSync(fd);
    }
  }

  private line(node: string, line: string): void {
    if (!line.trim()) return;
    let e: { k: string; d: string };
    try {
      e = JSON.parse(line) as { k: string; d: string };
    } catch {
      return; // a line cut by kill -9 mid-write
    }
    this.linesRead++;
    let slots = this.slots.get(node);
    if (!slots) this.slots.set(node, (slots = new Map()));
    let values = slots.get(e.k);
    if (!values) slots.set(e.k, (values = new Set()));
    values.add(e.d);
  }

  conflicts(): Conflict[] {
    const out: Conflict[] = [];
    for (const [node, slots] of this.slots) for (const [slot, values] of slots) if (values.size > 1) out.push({ node, slot, values: [...values] });
    return out;
  }
}

/** Samples the highest block of the honest nodes and measures the longest time without a new one. */
export class ProgressMonitor {
  private timer?: NodeJS.Timeout;
  private lastHeight = -1n;
  private lastProgressAt = Date.now();
  /** the fault kind under way when the current stall began (a stall is charged to what caused it) */
  private kindAtProgress = "start";
  private whereAtProgress = "start";
  private running = false;
  private stallRunning = false;
  maxStallMs = 0;
  maxStallWhere = "";
  /** the longest stall charged to each fault kind ("start" before the first fault), ms */
  readonly maxStallByKind = new Map<string, { ms: number; where: string }>();
  current = "start";
  currentKind = "start";

  constructor(
    private readonly view: ChainView,
    private readonly honest: () => number[],
    /** false while the load is paused or has nothing outstanding: no progress is expected then */
    private readonly expecting: () => boolean,
  ) {}

  /** Names the fault now under way; stalls that begin from here on are charged to it. */
  setFault(kind: string, where: string): void {
    this.currentKind = kind;
    this.current = where;
    // with no stall running, the new fault's account starts now; a running one stays charged to
    // the fault it began under (the aftermath of the previous cycle)
    if (!this.stallRunning) {
      this.kindAtProgress = kind;
      this.whereAtProgress = where;
    }
  }

  start(): void {
    this.running = true;
    const tick = async () => {
      if (!this.running) return;
      const heights = await Promise.all(
        this.honest().map((i) =>
          fetchJson<{ height: string }>(`${this.view.url(i)}/v1/status`, 400, 1)
            .then((s) => (s ? BigInt(s.height) : -1n))
            .catch(() => -1n),
        ),
      );
      const now = Date.now();
      const top = heights.reduce((a, b) => (b > a ? b : a), -1n);
      if (top > this.lastHeight || !this.expecting()) {
        if (top > this.lastHeight) this.lastHeight = top;
        this.lastProgressAt = now;
        this.stallRunning = false;
        this.kindAtProgress = this.currentKind;
        this.whereAtProgress = this.current;
      } else {
        this.stallRunning = true;
        const stall = now - this.lastProgressAt;
        if (stall > this.maxStallMs) {
          this.maxStallMs = stall;
          this.maxStallWhere = this.whereAtProgress;
        }
        const kind = this.maxStallByKind.get(this.kindAtProgress);
        if (!kind || stall > kind.ms) this.maxStallByKind.set(this.kindAtProgress, { ms: stall, where: this.whereAtProgress });
      }
      if (this.running) this.timer = setTimeout(() => void tick(), 200);
    };
    void tick();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
  }
}
