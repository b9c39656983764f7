// The server-sent event stream of committed ledger events (GET /v1/events). Each stream
// subscribes to committed blocks first, then replays stored blocks from its resume point, then
// streams live blocks in height order: no block is skipped or sent twice across the switch. Every
// event is checked against the caller's visibility (rpc/access.ts) and the stream's filter. A
// consumer too slow to keep up is disconnected; it resumes with Last-Event-ID, so nothing is lost.
import type { ServerResponse } from "node:http";
import { ALERT_EVENT, EVENT_TYPES, REJECTED_EVENT } from "../sdk/api/primitives.js";
import type { AlertJson, LedgerEventJson } from "../sdk/api/schemas.js";
import { toJsonView } from "../sdk/json.js";
import { decodeTx, type Tx } from "../sdk/tx.js";
import type { CreditLine, Event, Lot, Piece, Receipt, Receivable, Title, Warrant } from "../sdk/types.js";
import type { Crypto } from "../sdk/crypto.js";
import type { CommittedBlockEvent, NodeApi } from "../node/api.js";
import type { Logger } from "../node/log.js";
import { objectsNamed } from "../node/query/types.js";
import { canSeeObject, canSeeReceivable, isSupervisor, isTitleStep, objectEventNames, objectsOfEvent, partiesOfObjectEvent, type Lookups } from "./access.js";
import type { Caller } from "./auth.js";
import { ApiError, malformed } from "./errors.js";

const RECEIVABLE_ID_RE = /^[0-9a-f]{64}$/;

export interface EventFilter {
  receivable?: string;
  party?: string;
  /** event types (and txRejected); all when absent */
  types?: ReadonlySet<string>;
}

/** The last event a client received: `height:index:event` (event "r" for a rejection). */
export interface StreamPosition {
  height: bigint;
  index: number;
  event: number;
}

/** Rejections sort after the events of their transaction (they have none). */
const REJECTION_SLOT = 0x10000;
/** A transaction's alerts (supervision) sort after its events or rejection: slot ALERT_SLOT + k, id `a<k>`. */
const ALERT_SLOT = 0x10001;
/** Index of a position marker `height:4294967295:r`: after every transaction of the block. */
const END_OF_BLOCK = 0xffffffff;

export function parseEventId(id: string): StreamPosition {
  const m = /^([0-9]{1,20}):([0-9]{1,10}):([0-9]{1,5}|r|a[0-9]{1,5})$/.exec(id);
  if (!m) throw malformed(`Last-Event-ID ${JSON.stringify(id.slice(0, 80))} is not height:index:event`);
  const height = BigInt(m[1]!);
  const index = Number(m[2]);
  const alert = m[3]!.startsWith("a") ? Number(m[3]!.slice(1)) : undefined;
  const event = m[3] === "r" ? REJECTION_SLOT : alert !== undefined ? ALERT_SLOT + alert : Number(m[3]);
  // Heights are u64, indexes within a block u32, events (and alerts) within a transaction below 65536.
  if (height >= 1n << 64n || index > END_OF_BLOCK || (m[3] !== "r" && alert === undefined && event >= REJECTION_SLOT) || (alert !== undefined && alert >= 0x10000)) {
    throw malformed(`Last-Event-ID ${JSON.stringify(id)} is out of range (height < 2^64, index < 2^32, event < 65536)`);
  }
  return { height, index, event };
}

function after(a: StreamPosition, b: StreamPosition): boolean {
  if (a.height !== b.height) return a.height > b.height;
  if (a.index !== b.index) return a.index > b.index;
  return a.event > b.event;
}

export interface EventStreamOptions {
  /** decodes stored transactions on replay */
  crypto: Crypto;
  maxStreams: number;
  maxStreamsPerParty: number;
  /** of maxStreams, streams only supervisors (auditors) may take: other parties share the rest */
  reservedForSupervisors: number;
  heartbeatMs: number;
  /** stored blocks a stream may replay before going live */
  maxReplayBlocks: number;
  /**
   * unsent bytes a stream may accumulate before it is dropped as too slow. A stream stops producing
   * (replay and live alike) when the socket asks it to (write() returned false) and resumes on
   * "drain", so only a consumer that stops reading for good (or a live block queue of 1,000 blocks) reaches it.
   */
  maxBufferedBytes: number;
  /** blocks a replay reads and sends before it yields to the event loop */
  replayChunkBlocks: number;
  /** replays running at once; later resumes wait for a slot (their live blocks queue meanwhile) */
  maxConcurrentReplays: number;
  logger: Logger;
  onCountChange?: (streams: number) => void;
}

interface BlockData {
  height: bigint;
  time: bigint;
  txs: Tx[];
  receipts: Receipt[];
}

/** A counting semaphore: at most `size` holders; the others wait in order. */
class Slots {
  private used = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly size: number) {}
  async take(): Promise<() => void> {
    if (this.used >= this.size) await new Promise<void>((r) => this.waiting.push(r));
    else this.used++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.used--;
    };
  }
}

/** Live blocks a stream may fall behind by (while it replays or its consumer is slow) before it is dropped. */
const MAX_PENDING_BLOCKS = 1_000;

export class EventStreams {
  private readonly streams = new Set<EventStream>();
  private readonly replays: Slots;

  constructor(
    private readonly api: NodeApi,
    private readonly opts: EventStreamOptions,
  ) {
    this.replays = new Slots(Math.max(1, opts.maxConcurrentReplays));
  }

  get count(): number {
    return this.streams.size;
  }

  /**
   * Starts a stream on `res` (the caller has authenticated and validated the request). Throws an
   * ApiError before anything is written if limits or the resume point refuse it.
   */
  open(res: ServerResponse, caller: Caller, filter: EventFilter, start: { after?: StreamPosition; fromHeight?: bigint }): void {
    if (this.streams.size >= this.opts.maxStreams) throw new ApiError("RATE_LIMITED", `the node serves at most ${this.opts.maxStreams} event streams`, { retryAfterMs: 5000 });
    // Auditors have a reserve of their own: registered parties (a bank onboards exporters at will)
    // can never take every stream and leave supervision without one.
    let mine = 0;
    let others = 0;
    for (const s of this.streams) {
      if (s.caller.id === caller.id) mine++;
      if (!isSupervisor(s.caller)) others++;
    }
    const shared = this.opts.maxStreams - this.opts.reservedForSupervisors;
    if (!isSupervisor(caller) && others >= shared) {
      throw new ApiError("RATE_LIMITED", `the event streams open to non-auditor parties (${shared} of ${this.opts.maxStreams}) are all taken`, { retryAfterMs: 5000 });
    }
    if (mine >= this.opts.maxStreamsPerParty) throw new ApiError("RATE_LIMITED", `at most ${this.opts.maxStreamsPerParty} event streams per party`, { retryAfterMs: 5000 });
    const head = this.api.query.head().height;
    const first = start.after ? start.after.height : (start.fromHeight ?? head + 1n);
    if (first < 1n && start.fromHeight !== undefined) throw malformed("fromHeight starts at 1");
    if (head + 1n - first > BigInt(this.opts.maxReplayBlocks)) {
      throw malformed(`resuming ${head + 1n - first} blocks back exceeds the ${this.opts.maxReplayBlocks}-block replay limit: read the history endpoints, then stream from the head`);
    }
    const stream = new EventStream(this.api, this.opts, this.replays, res, caller, filter, first < 1n ? 1n : first, start.after, () => {
      this.streams.delete(stream);
      this.opts.onCountChange?.(this.streams.size);
    });
    this.streams.add(stream);
    this.opts.onCountChange?.(this.streams.size);
    stream.start();
  }

  /** Ends every stream (node stopping); clients reconnect elsewhere with Last-Event-ID. */
  closeAll(): void {
    for (const s of [...this.streams]) s.close("node stopping");
  }
}

class EventStream {
  private next: bigint;
  private replaying = true;
  private readonly pending: CommittedBlockEvent[] = [];
  private work: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly unsubscribe: () => void;
  private readonly heartbeat: NodeJS.Timeout;
  private sent = 0;
  /** the last block whose end was announced to the client as a position */
  private marked = 0n;

  constructor(
    private readonly api: NodeApi,
    private readonly opts: EventStreamOptions,
    private readonly replays: Slots,
    private readonly res: ServerResponse,
    readonly caller: Caller,
    private readonly filter: EventFilter,
    first: bigint,
    private readonly resumeAfter: StreamPosition | undefined,
    private readonly onClose: () => void,
  ) {
    this.next = first;
    // Subscribe before reading the head, so a block committed meanwhile is queued, not missed.
    this.unsubscribe = api.onBlock((b) => this.onLive(b));
    this.heartbeat = setInterval(() => this.keepalive(), opts.heartbeatMs);
    this.heartbeat.unref();
    // The response's "close" fires when the client goes away (the request's fires once its body is read).
    res.on("close", () => this.close("client closed"));
    res.on("error", () => this.close("socket error"));
  }

  start(): void {
    this.res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    this.write("retry: 2000\n: connected\n\n");
    if (!this.resumeAfter) this.mark();
    this.work = this.replay().catch((err) => this.fail(err));
  }

  /**
   * Announces "everything up to the end of block N was delivered" as an event id without data: it
   * updates the client's Last-Event-ID (WHATWG HTML §9.2.6) but dispatches nothing, so a client
   * that saw no matching event for a while still resumes from where it was, not from the start.
   */
  private mark(): void {
    const done = this.next - 1n;
    if (done > this.marked && done >= 1n) {
      this.marked = done;
      this.write(`id: ${done}:${END_OF_BLOCK}:r\n\n`);
    }
  }

  private keepalive(): void {
    this.write(": keepalive\n\n");
    this.mark();
  }

  /**
   * Replays stored blocks from the resume point in chunks: `replayChunkBlocks` blocks, then a turn
   * of the event loop (setImmediate: consensus messages and other requests are served between
   * chunks), never more than the socket takes (it waits for "drain"), and at most
   * `maxConcurrentReplays` streams replaying at once. The whole replay is bounded by maxReplayBlocks.
   */
  private async replay(): Promise<void> {
    const query = this.api.query;
    if (this.next <= query.head().height) {
      const release = await this.replays.take();
      try {
        let inChunk = 0;
        while (!this.closed && this.next <= query.head().height) {
          const stored = await query.getBlock(this.next);
          if (!stored) throw new Error(`block ${this.next} is not stored`);
          await this.emit({ height: stored.header.height, time: stored.header.time, txs: stored.txs.map((b) => decodeTx(this.opts.crypto, b)), receipts: stored.receipts });
          if (++inChunk >= this.opts.replayChunkBlocks) {
            inChunk = 0;
            await new Promise<void>((r) => setImmediate(r));
          }
        }
      } finally {
        release();
      }
    }
    this.replaying = false;
    // Live blocks that arrived meanwhile, then the ones that keep arriving, through one queue.
    const queued = this.pending.splice(0);
    for (const b of queued) this.queueLive(b);
  }

  private onLive(b: CommittedBlockEvent): void {
    if (this.closed) return;
    if (this.replaying) {
      if (this.pending.length >= MAX_PENDING_BLOCKS) return this.dropSlow();
      this.pending.push(b);
      return;
    }
    this.queueLive(b);
  }

  private queued = 0;
  private queueLive(b: CommittedBlockEvent): void {
    if (this.queued >= MAX_PENDING_BLOCKS) return this.dropSlow();
    this.queued++;
    this.work = this.work
      .then(() => this.emitLive(b))
      .finally(() => this.queued--)
      .catch((err) => this.fail(err));
  }

  private dropSlow(): void {
    this.opts.logger.warn("event stream dropped: consumer too slow", { party: this.caller.id, buffered: this.res.writableLength, behindBlocks: this.pending.length + this.queued });
    this.close("slow consumer");
  }

  /**
   * Node's backpressure: once a write returned false (the socket holds its high-water mark, 16 KiB)
   * the stream stops producing until "drain". So a live consumer's buffer stays near 16 KiB plus one
   * event, and only a consumer that stops reading for good reaches maxBufferedBytes.
   */
  private async flowControl(): Promise<void> {
    while (!this.closed && this.res.writableNeedDrain) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.res.off("drain", done);
          this.res.off("close", done);
          resolve();
        };
        this.res.on("drain", done);
        this.res.on("close", done);
      });
    }
  }

  private async emitLive(b: CommittedBlockEvent): Promise<void> {
    const height = b.executed.header.height;
    if (height < this.next) return; // already replayed
    // A gap (a listener call lost to a restart of the subscription) is filled from the store.
    while (!this.closed && this.next < height) {
      const stored = await this.api.query.getBlock(this.next);
      if (!stored) throw new Error(`block ${this.next} is not stored`);
      await this.emit({ height: stored.header.height, time: stored.header.time, txs: stored.txs.map((t) => decodeTx(this.opts.crypto, t)), receipts: stored.receipts });
    }
    await this.emit({ height, time: b.executed.header.time, txs: b.txs, receipts: b.executed.receipts });
  }

  private async emit(block: BlockData): Promise<void> {
    if (this.closed) return;
    // Records as they are after the block (the stream is live): read once per block.
    const cached = <T>(get: (id: string) => Promise<T | undefined>) => {
      const seen = new Map<string, Promise<T | undefined>>();
      return (id: string) => {
        let r = seen.get(id);
        if (!r) seen.set(id, (r = get(id)));
        return r;
      };
    };
    const query = this.api.query;
    const receivable = cached<Receivable>((id) => query.getReceivable(id));
    const look: Lookups = {
      receivable,
      piece: cached<Piece>((id) => query.getPieceRecord(id)),
      warrant: cached<Warrant>(async (id) => (await query.getWarrant(id))?.warrant),
      line: cached<CreditLine>((id) => query.getCreditLine(id)),
      title: cached<Title>((id) => query.getTitleRecord(id)),
      lot: cached<Lot>((id) => query.getLot(id)),
      holdsTitleOn: async (partyId, lotId) => (await query.listTitles(partyId, { limit: 1 }, lotId)).items.length > 0,
    };
    for (let i = 0; i < block.txs.length; i++) {
      const tx = block.txs[i]!;
      const receipt = block.receipts[i]!;
      if (receipt.code === "OK") {
        for (let e = 0; e < receipt.events.length; e++) {
          const event = receipt.events[e]!;
          const pos = { height: block.height, index: i, event: e };
          if (this.resumeAfter && !after(pos, this.resumeAfter)) continue;
          const id = "receivableId" in event ? event.receivableId : "";
          const r = id ? await receivable(id) : undefined;
          if (!this.wanted(event.type, id, tx.body.signer, event, r)) continue;
          if (!(await this.visible(tx, id, r, event, look))) continue;
          await this.flowControl();
          this.send({
            id: `${block.height}:${i}:${e}`,
            type: event.type,
            height: block.height.toString(),
            index: i,
            time: block.time.toString(),
            txHash: tx.hashHex,
            signer: tx.body.signer,
            receivableId: id,
            event: toJsonView(event),
          });
        }
      } else if (await this.rejectionWanted(block.height, i, tx, receipt, receivable, look)) {
        const id = RECEIVABLE_ID_RE.test(receipt.target) ? receipt.target : "";
        await this.flowControl();
        this.send({
          id: `${block.height}:${i}:r`,
          type: REJECTED_EVENT,
          height: block.height.toString(),
          index: i,
          time: block.time.toString(),
          txHash: tx.hashHex,
          signer: tx.body.signer,
          receivableId: id,
          rejection: { code: receipt.code, message: receipt.message, target: receipt.target },
        });
      }
      // Supervision alerts (DESIGN.md §11): supervisors see all; a party those naming it.
      const alerts = receipt.alerts ?? [];
      for (let k = 0; k < alerts.length && !this.closed; k++) {
        const alert = alerts[k]!;
        const pos = { height: block.height, index: i, event: ALERT_SLOT + k };
        if (this.resumeAfter && !after(pos, this.resumeAfter)) continue;
        if (!this.wantedAlert(alert.parties)) continue;
        await this.flowControl();
        this.send({
          id: `${block.height}:${i}:a${k}`,
          type: ALERT_EVENT,
          height: block.height.toString(),
          index: i,
          time: block.time.toString(),
          txHash: tx.hashHex,
          signer: tx.body.signer,
          receivableId: "",
          alert: toJsonView(alert) as unknown as AlertJson,
          code: receipt.code,
        });
      }
      if (this.closed) return;
    }
    this.next = block.height + 1n;
  }

  private async rejectionWanted(height: bigint, i: number, tx: Tx, receipt: Receipt, receivable: (id: string) => Promise<Receivable | undefined>, look: Lookups): Promise<boolean> {
    const pos = { height, index: i, event: REJECTION_SLOT };
    if (this.resumeAfter && !after(pos, this.resumeAfter)) return false;
    const id = RECEIVABLE_ID_RE.test(receipt.target) ? receipt.target : "";
    const r = id ? await receivable(id) : undefined;
    if (!this.wanted(REJECTED_EVENT, id, tx.body.signer, undefined, r)) return false;
    return this.visible(tx, id, r, undefined, look, receipt);
  }

  private wantedAlert(parties: readonly string[]): boolean {
    const f = this.filter;
    if (f.types && !f.types.has(ALERT_EVENT)) return false;
    if (f.receivable !== undefined) return false; // an alert is about parties, not one receivable's events
    if (f.party !== undefined && !parties.includes(f.party)) return false;
    return isSupervisor(this.caller) || parties.includes(this.caller.id);
  }

  private wanted(type: string, receivableId: string, signer: string, event: Event | undefined, r: Receivable | undefined): boolean {
    const f = this.filter;
    if (f.types && !f.types.has(type)) return false;
    if (f.receivable !== undefined && receivableId !== f.receivable) return false;
    if (f.party !== undefined) {
      const involved = new Set<string>([signer]);
      if (r) {
        involved.add(r.exporterId);
        if (r.buyerPartyId) involved.add(r.buyerPartyId);
        if (r.attestedBy) involved.add(r.attestedBy);
        for (const x of r.financings) involved.add(x.bankId);
      }
      if (event) for (const k of ["exporterId", "bankId", "customsId", "partyId", "buyerPartyId"] as const) if (k in event) involved.add((event as Record<string, unknown>)[k] as string);
      if (event) for (const p of partiesOfObjectEvent(event)) involved.add(p);
      if (!involved.has(f.party)) return false;
    }
    return true;
  }

  private async visible(tx: Tx, receivableId: string, r: Receivable | undefined, event: Event | undefined, look: Lookups, rejected?: Receipt): Promise<boolean> {
    const c = this.caller;
    if (isSupervisor(c) || tx.body.signer === c.id) return true;
    if (event?.type === "partyRegistered") return event.partyId === c.id;
    // Warrant and title events: the parties they name, the piece's holder, the tree's obligor and bank,
    // the line's; a title's custodian, holder and pledgee; a lot's custodian and (for the lot's own
    // events, not its titles') the holders of its titles.
    const objects = event ? objectsOfEvent(event) : rejected ? objectsNamed(tx.body.payload, rejected.target) : [];
    if (event && objects.length > 0 && objectEventNames(event, c.id)) return true;
    const titleStep = isTitleStep(objects);
    for (const o of objects) if (await canSeeObject(c, o, look, { titleStep })) return true;
    if (event && objects.length > 0) return false;
    if (!r) return false;
    // Naming a receivable in the filter is a lookup; a general stream enumerates.
    return canSeeReceivable(c, r, this.filter.receivable === receivableId ? "lookup" : "list");
  }

  private send(e: LedgerEventJson): void {
    this.sent++;
    this.marked = BigInt(e.height) - 1n; // an event id is a position too; the block's end comes later
    this.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
  }

  private write(chunk: string): void {
    if (this.closed) return;
    this.res.write(chunk);
    if (this.res.writableLength > this.opts.maxBufferedBytes) this.dropSlow();
  }

  private fail(err: unknown): void {
    this.opts.logger.error("event stream failed", { party: this.caller.id, err: err instanceof Error ? err : new Error(String(err)) });
    if (!this.closed) this.write(`event: error\ndata: ${JSON.stringify({ code: "INTERNAL", message: "stream failed; reconnect with Last-Event-ID" })}\n\n`);
    this.close("error");
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    clearInterval(this.heartbeat);
    this.pending.length = 0;
    this.opts.logger.info("event stream closed", { party: this.caller.id, reason, sent: this.sent });
    if (!this.res.writableEnded) this.res.end();
    this.onClose();
  }
}

export const STREAM_EVENT_TYPES: readonly string[] = [...EVENT_TYPES, REJECTED_EVENT, ALERT_EVENT];
