// Block sync, `/tradeledger/sync/1`: one request/response per stream, varint length-prefixed
// (lpStream). p2p moves opaque bytes and enforces sizes, counts and deadlines; it does not
// interpret blocks. The requester MUST verify every block (height sequence, hash chain, commit
// certificate against the validator set) before applying it: the server may be Byzantine.
//
//   request  = frame( from:u64be | to:u64be | maxBytes:u32be )                  20 bytes
//   response = frame( status:u8 = 0 | count:u32be | totalBytes:u32be )         9 bytes
//              frame( block ) * count                                         heights from, from+1, ...
//            | frame( status:u8 != 0 | reason:utf8 )                          refused
import "./polyfill.js";
import { lpStream } from "@libp2p/utils";
import type { Connection, PeerId, Stream } from "@libp2p/interface";
import type { Counters } from "./metrics.js";
import type { PeerDirectory } from "./peers.js";
import type { BlockServer, Logger, PenaltyReason, RequestBlocksOptions, SyncOptions } from "./types.js";

export const SYNC_PROTOCOL = "/tradeledger/sync/1";

export const DEFAULT_SYNC: SyncOptions = {
  maxBlocksPerRequest: 256,
  maxBlockBytes: 4 * 1024 * 1024,
  maxResponseBytes: 16 * 1024 * 1024,
  requestTimeoutMs: 30_000,
  serveTimeoutMs: 30_000,
};

const REQUEST_BYTES = 20;
const OK_HEADER_BYTES = 9;
const MAX_REASON_BYTES = 200;
const U64_MAX = (1n << 64n) - 1n;
/** Concurrent sync streams one peer may hold per connection; more are reset by libp2p. */
const MAX_SYNC_STREAMS = 2;

export const SyncStatus = { Ok: 0, BadRequest: 1, Unavailable: 2 } as const;
export type SyncStatus = (typeof SyncStatus)[keyof typeof SyncStatus];

export type SyncErrorCode = "INVALID_RANGE" | "NOT_CONNECTED" | "REFUSED" | "TIMEOUT" | "BAD_RESPONSE" | "STREAM_ERROR" | "STOPPED";

export class SyncError extends Error {
  override readonly name = "SyncError";
  constructor(
    readonly code: SyncErrorCode,
    message: string,
    readonly peerId?: string,
  ) {
    super(message);
  }
}

export interface SyncHost {
  handle(protocol: string, handler: (stream: Stream, connection: Connection) => void | Promise<void>, options?: { maxInboundStreams?: number; maxOutboundStreams?: number }): Promise<void>;
  unhandle(protocol: string): Promise<void>;
  getConnections(peerId?: PeerId): Connection[];
}

export interface SyncServiceComponents {
  host: SyncHost;
  directory: PeerDirectory;
  counters: Counters;
  logger: Logger;
  serveBlocks: BlockServer;
  peerIdOf(peerId: string): PeerId;
  penalize(peerId: string, reason: PenaltyReason): void;
  isBanned(peerId: string): boolean;
}

export function encodeSyncRequest(from: bigint, to: bigint, maxBytes: number): Uint8Array {
  const out = new Uint8Array(REQUEST_BYTES);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, from);
  view.setBigUint64(8, to);
  view.setUint32(16, maxBytes);
  return out;
}

export class SyncService {
  private readonly opts: SyncOptions;
  private readonly inflight = new Set<Stream>();
  private readonly stopping = new AbortController();
  private handled = false;

  constructor(
    private readonly c: SyncServiceComponents,
    opts: Partial<SyncOptions> = {},
  ) {
    this.opts = { ...DEFAULT_SYNC, ...opts };
    const o = this.opts;
    if (!(o.maxBlocksPerRequest >= 1) || !(o.maxBlockBytes >= 1) || !(o.maxResponseBytes >= o.maxBlockBytes) || o.maxResponseBytes > 0xffffffff) {
      throw new RangeError("sync options: need maxBlocksPerRequest >= 1 and maxBlockBytes <= maxResponseBytes < 4 GiB");
    }
  }

  async start(): Promise<void> {
    this.handled = true;
    await this.c.host.handle(SYNC_PROTOCOL, (stream, connection) => this.serve(stream, connection), {
      maxInboundStreams: MAX_SYNC_STREAMS,
      maxOutboundStreams: MAX_SYNC_STREAMS,
    });
  }

  async stop(): Promise<void> {
    this.stopping.abort(new SyncError("STOPPED", "p2p stopping"));
    for (const stream of this.inflight) stream.abort(new Error("p2p stopping"));
    this.inflight.clear();
    if (this.handled) await this.c.host.unhandle(SYNC_PROTOCOL).catch(() => undefined);
  }

  // ---- requester -------------------------------------------------------------------------

  async requestBlocks(peerId: string, fromIn: bigint | number, toIn: bigint | number, options: RequestBlocksOptions = {}): Promise<Uint8Array[]> {
    const from = toHeight(fromIn, "from");
    const to = toHeight(toIn, "to");
    if (from > to) throw new SyncError("INVALID_RANGE", `from ${from} is above to ${to}`, peerId);
    if (to - from + 1n > BigInt(this.opts.maxBlocksPerRequest)) throw new SyncError("INVALID_RANGE", `range of ${to - from + 1n} blocks exceeds ${this.opts.maxBlocksPerRequest}`, peerId);
    const maxBytes = options.maxBytes ?? this.opts.maxResponseBytes;
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 1 || maxBytes > 0xffffffff) throw new SyncError("INVALID_RANGE", "maxBytes must be in [1, 2^32)", peerId);
    if (this.stopping.signal.aborted) throw new SyncError("STOPPED", "p2p stopped", peerId);
    if (!this.c.directory.isRemote(peerId)) throw new SyncError("NOT_CONNECTED", "peer is not on the allow-list", peerId);
    const connection = this.c.host.getConnections(this.c.peerIdOf(peerId)).find((conn) => conn.status === "open");
    if (!connection) throw new SyncError("NOT_CONNECTED", "peer is not connected", peerId);

    const timeoutMs = options.timeoutMs ?? this.opts.requestTimeoutMs;
    const signals = [AbortSignal.timeout(timeoutMs), this.stopping.signal];
    if (options.signal) signals.push(options.signal);
    const signal = AbortSignal.any(signals);

    let stream: Stream | undefined;
    let blocks: Uint8Array[] = [];
    try {
      stream = await connection.newStream(SYNC_PROTOCOL, { signal });
      this.inflight.add(stream);
      const lp = lpStream(stream, { maxDataLength: this.opts.maxBlockBytes, maxBufferSize: this.opts.maxBlockBytes + 4 * 1024 * 1024 });
      await lp.write(encodeSyncRequest(from, to, maxBytes), { signal });
      const header = (await lp.read({ signal })).subarray();
      if (header.length < 1) throw this.badResponse(peerId, "empty response header");
      if (header[0] !== SyncStatus.Ok) {
        const reason = new TextDecoder("utf-8", { fatal: false }).decode(header.subarray(1, 1 + MAX_REASON_BYTES));
        throw new SyncError("REFUSED", `peer refused: status ${header[0]} ${reason}`, peerId);
      }
      if (header.length !== OK_HEADER_BYTES) throw this.badResponse(peerId, `response header of ${header.length} bytes`);
      const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
      const count = view.getUint32(1);
      const totalBytes = view.getUint32(5);
      if (BigInt(count) > to - from + 1n) throw this.badResponse(peerId, `${count} blocks for a range of ${to - from + 1n}`);
      if (totalBytes > maxBytes) throw this.badResponse(peerId, `${totalBytes} bytes announced, budget ${maxBytes}`);
      let remaining = totalBytes;
      for (let i = 0; i < count; i++) {
        const block = (await lp.read({ signal })).subarray();
        if (block.length > remaining) throw this.badResponse(peerId, "blocks exceed the announced size");
        remaining -= block.length;
        blocks.push(block);
      }
      if (remaining !== 0) throw this.badResponse(peerId, "blocks smaller than the announced size");
      await stream.close({ signal }).catch(() => undefined);
      this.c.counters.syncRequest(true, blocks.length);
      return blocks;
    } catch (err) {
      blocks = [];
      stream?.abort(err instanceof Error ? err : new Error(String(err)));
      this.c.counters.syncRequest(false, 0);
      throw this.classify(peerId, err, signal);
    } finally {
      if (stream) this.inflight.delete(stream);
    }
  }

  private badResponse(peerId: string, detail: string): SyncError {
    this.c.penalize(peerId, "bad_sync_response");
    return new SyncError("BAD_RESPONSE", detail, peerId);
  }

  private classify(peerId: string, err: unknown, signal: AbortSignal): SyncError {
    if (err instanceof SyncError) return err;
    if (this.stopping.signal.aborted) return new SyncError("STOPPED", "p2p stopped", peerId);
    if (signal.aborted) return new SyncError("TIMEOUT", "block sync request timed out or was aborted", peerId);
    const name = (err as Error)?.name;
    if (name === "InvalidDataLengthError" || name === "InvalidDataLengthLengthError" || name === "InvalidMessageLengthError") {
      return this.badResponse(peerId, (err as Error).message);
    }
    return new SyncError("STREAM_ERROR", (err as Error)?.message ?? String(err), peerId);
  }

  // ---- server ----------------------------------------------------------------------------

  private async serve(stream: Stream, connection: Connection): Promise<void> {
    const peerId = connection.remotePeer.toString();
    if (!this.c.directory.isRemote(peerId) || this.c.isBanned(peerId) || this.stopping.signal.aborted) {
      stream.abort(new Error("peer not admitted"));
      return;
    }
    this.inflight.add(stream);
    const signal = AbortSignal.any([AbortSignal.timeout(this.opts.serveTimeoutMs), this.stopping.signal]);
    const lp = lpStream(stream, { maxDataLength: REQUEST_BYTES, maxBufferSize: 64 * 1024 });
    let served = 0;
    try {
      let request: Uint8Array;
      try {
        request = (await lp.read({ signal })).subarray();
      } catch (err) {
        const name = (err as Error)?.name;
        if (name === "InvalidDataLengthError" || name === "InvalidDataLengthLengthError" || name === "InvalidMessageLengthError") {
          await this.refuse(lp, stream, peerId, SyncStatus.BadRequest, "request too long", signal);
          return;
        }
        throw err;
      }
      if (request.length !== REQUEST_BYTES) {
        await this.refuse(lp, stream, peerId, SyncStatus.BadRequest, `request of ${request.length} bytes`, signal);
        return;
      }
      const view = new DataView(request.buffer, request.byteOffset, request.byteLength);
      const from = view.getBigUint64(0);
      const to = view.getBigUint64(8);
      const maxBytes = view.getUint32(16);
      if (from > to || to - from + 1n > BigInt(this.opts.maxBlocksPerRequest) || maxBytes === 0) {
        await this.refuse(lp, stream, peerId, SyncStatus.BadRequest, `range [${from}, ${to}] of at most ${this.opts.maxBlocksPerRequest} blocks with maxBytes > 0 required`, signal);
        return;
      }
      const budget = Math.min(maxBytes, this.opts.maxResponseBytes);
      let blocks: Uint8Array[];
      try {
        blocks = await this.c.serveBlocks(from, to, budget);
        if (!Array.isArray(blocks)) throw new TypeError("serveBlocks must return an array");
      } catch (err) {
        this.c.logger.error("p2p serveBlocks failed", { peerId, from: String(from), to: String(to), error: (err as Error)?.message ?? String(err) });
        await this.refuse(lp, stream, peerId, SyncStatus.Unavailable, "blocks unavailable", signal, false);
        return;
      }
      // Enforce the contract whatever the node returned: a consecutive prefix within budget.
      const limit = Number(to - from + 1n);
      const out: Uint8Array[] = [];
      let total = 0;
      for (const block of blocks) {
        if (out.length >= limit) break;
        if (!(block instanceof Uint8Array) || block.length > this.opts.maxBlockBytes || total + block.length > budget) {
          if (block instanceof Uint8Array && block.length > this.opts.maxBlockBytes) {
            this.c.logger.error("p2p serveBlocks returned a block above maxBlockBytes; truncating the response", { bytes: block.length, maxBlockBytes: this.opts.maxBlockBytes });
          }
          break;
        }
        out.push(block);
        total += block.length;
      }
      const header = new Uint8Array(OK_HEADER_BYTES);
      const hv = new DataView(header.buffer);
      hv.setUint8(0, SyncStatus.Ok);
      hv.setUint32(1, out.length);
      hv.setUint32(5, total);
      await lp.write(header, { signal });
      // lpStream.write waits for 'drain' whenever the stream's buffer is full: memory stays
      // bounded by one block however slowly the requester reads.
      for (const block of out) await lp.write(block, { signal });
      await stream.close({ signal });
      served = out.length;
      this.c.counters.syncServed(true, served);
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)));
      if (!this.stopping.signal.aborted) this.c.logger.debug("p2p sync serve aborted", { peerId, error: (err as Error)?.message ?? String(err) });
    } finally {
      this.inflight.delete(stream);
    }
  }

  private async refuse(
    lp: ReturnType<typeof lpStream>,
    stream: Stream,
    peerId: string,
    status: SyncStatus,
    reason: string,
    signal: AbortSignal,
    peerAtFault = true,
  ): Promise<void> {
    this.c.counters.syncServed(false, 0);
    if (peerAtFault) {
      this.c.logger.warn("p2p bad sync request", { peerId, reason });
      this.c.penalize(peerId, "bad_sync_request");
    }
    const text = new TextEncoder().encode(reason).subarray(0, MAX_REASON_BYTES);
    const frame = new Uint8Array(1 + text.length);
    frame[0] = status;
    frame.set(text, 1);
    try {
      await lp.write(frame, { signal });
      await stream.close({ signal });
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

function toHeight(value: bigint | number, what: string): bigint {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) throw new SyncError("INVALID_RANGE", `${what} must be a non-negative integer`);
    return BigInt(value);
  }
  if (typeof value !== "bigint" || value < 0n || value > U64_MAX) throw new SyncError("INVALID_RANGE", `${what} must be a uint64`);
  return value;
}
