// Block sync, `/tradeledger/sync/1`: one request/response per stream, varint length-prefixed
// (lpStream). p2p moves opaque bytes and enforces sizes, counts and deadlines; it does not
// interpret blocks. The requester MUST verify every block (height sequence, hash chain, commit
// certificate against the validator set) before applying it: the server may be Byzantine.
//
//   request  = frame( from:u64be | to:u64be | maxBytes:u32be )                  20 bytes
//   response = frame( status:u8 = 0 | count:u32be | totalBytes:u32be )         9 bytes
//              frame( block ) * count                                         heights from, from+1, ...
//            | frame( status:u8 != 0 | reason:utf8 )                          refused
//
// Snapshot pages, `/tradeledger/snapshot/1` (state transfer of a certified checkpoint snapshot,
// docs/consensus.md §4.5), the same way: the request is one opaque frame of at most 1 KiB that the
// node interprets (node/net/snapshot.ts), the response has the same status/count/size header and
// frames, and the requester MUST verify everything it receives.
//
// Epoch links, `/tradeledger/epoch-links/1` (the proofs of the validator-set switches a node lacks,
// docs/governance.md §5): the same again, with a request of at most 64 bytes and at most 64 frames
// (node/net/epoch-links.ts); each link proves itself from the genesis set, so any peer may answer.
import "./polyfill.js";
import { lpStream } from "@libp2p/utils";
import type { Connection, PeerId, Stream } from "@libp2p/interface";
import type { Counters } from "./metrics.js";
import type { PeerDirectory } from "./peers.js";
import type { BlockServer, EpochLinksServer, Logger, PenaltyReason, RequestBlocksOptions, SnapshotServer, SyncOptions } from "./types.js";

export const SYNC_PROTOCOL = "/tradeledger/sync/1";
export const SNAPSHOT_PROTOCOL = "/tradeledger/snapshot/1";
/** Largest snapshot page request (opaque to p2p). */
export const MAX_SNAPSHOT_REQUEST_BYTES = 1024;
/** Most frames in one snapshot page. */
export const MAX_SNAPSHOT_FRAMES = 65_536;
export const EPOCH_LINKS_PROTOCOL = "/tradeledger/epoch-links/1";
/** Largest epoch-links request (opaque to p2p). */
export const MAX_EPOCH_LINKS_REQUEST_BYTES = 64;
/** Most frames (links) in one epoch-links answer. */
export const MAX_EPOCH_LINK_FRAMES = 64;

/** A request/response protocol whose request and frames are the node's (snapshot pages, epoch links). */
interface OpaqueProtocol {
  protocol: string;
  what: "snapshot" | "epoch links";
  server: SnapshotServer | EpochLinksServer;
  maxRequestBytes: number;
  maxFrames: number;
  /** the error code with which the node's server blames the requester */
  badRequestCode: string;
}

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
  /** serves snapshot pages; absent: the protocol is not offered */
  serveSnapshot?: SnapshotServer;
  /** serves epoch links; absent: the protocol is not offered */
  serveEpochLinks?: EpochLinksServer;
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
  /** the opaque request/response protocols this node offers */
  private readonly opaque: OpaqueProtocol[] = [];

  constructor(
    private readonly c: SyncServiceComponents,
    opts: Partial<SyncOptions> = {},
  ) {
    this.opts = { ...DEFAULT_SYNC, ...opts };
    const o = this.opts;
    if (!(o.maxBlocksPerRequest >= 1) || !(o.maxBlockBytes >= 1) || !(o.maxResponseBytes >= o.maxBlockBytes) || o.maxResponseBytes > 0xffffffff) {
      throw new RangeError("sync options: need maxBlocksPerRequest >= 1 and maxBlockBytes <= maxResponseBytes < 4 GiB");
    }
    if (c.serveSnapshot) {
      this.opaque.push({ protocol: SNAPSHOT_PROTOCOL, what: "snapshot", server: c.serveSnapshot, maxRequestBytes: MAX_SNAPSHOT_REQUEST_BYTES, maxFrames: MAX_SNAPSHOT_FRAMES, badRequestCode: "BAD_SNAPSHOT_REQUEST" });
    }
    if (c.serveEpochLinks) {
      this.opaque.push({ protocol: EPOCH_LINKS_PROTOCOL, what: "epoch links", server: c.serveEpochLinks, maxRequestBytes: MAX_EPOCH_LINKS_REQUEST_BYTES, maxFrames: MAX_EPOCH_LINK_FRAMES, badRequestCode: "BAD_EPOCH_LINKS_REQUEST" });
    }
  }

  async start(): Promise<void> {
    this.handled = true;
    await this.c.host.handle(SYNC_PROTOCOL, (stream, connection) => this.serve(stream, connection), {
      maxInboundStreams: MAX_SYNC_STREAMS,
      maxOutboundStreams: MAX_SYNC_STREAMS,
    });
    for (const p of this.opaque) {
      await this.c.host.handle(p.protocol, (stream, connection) => this.serveOpaque(p, stream, connection), {
        maxInboundStreams: MAX_SYNC_STREAMS,
        maxOutboundStreams: MAX_SYNC_STREAMS,
      });
    }
  }

  async stop(): Promise<void> {
    this.stopping.abort(new SyncError("STOPPED", "p2p stopping"));
    for (const stream of this.inflight) stream.abort(new Error("p2p stopping"));
    this.inflight.clear();
    if (this.handled) await this.c.host.unhandle(SYNC_PROTOCOL).catch(() => undefined);
    if (this.handled) for (const p of this.opaque) await this.c.host.unhandle(p.protocol).catch(() => undefined);
  }

  // ---- requester -------------------------------------------------------------------------

  async requestBlocks(peerId: string, fromIn: bigint | number, toIn: bigint | number, options: RequestBlocksOptions = {}): Promise<Uint8Array[]> {
    const from = toHeight(fromIn, "from");
    const to = toHeight(toIn, "to");
    if (from > to) throw new SyncError("INVALID_RANGE", `from ${from} is above to ${to}`, peerId);
    if (to - from + 1n > BigInt(this.opts.maxBlocksPerRequest)) throw new SyncError("INVALID_RANGE", `range of ${to - from + 1n} blocks exceeds ${this.opts.maxBlocksPerRequest}`, peerId);
    const maxBytes = options.maxBytes ?? this.opts.maxResponseBytes;
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 1 || maxBytes > 0xffffffff) throw new SyncError("INVALID_RANGE", "maxBytes must be in [1, 2^32)", peerId);
    return this.exchange(peerId, SYNC_PROTOCOL, encodeSyncRequest(from, to, maxBytes), Number(to - from + 1n), maxBytes, options, "block");
  }

  /**
   * One snapshot page from a peer (the request and the frames are the node's, node/net/snapshot.ts).
   * Rejects with a SyncError like requestBlocks.
   */
  async requestSnapshot(peerId: string, request: Uint8Array, options: RequestBlocksOptions = {}): Promise<Uint8Array[]> {
    if (!(request instanceof Uint8Array) || request.length < 1 || request.length > MAX_SNAPSHOT_REQUEST_BYTES) {
      throw new SyncError("INVALID_RANGE", `a snapshot request is 1..${MAX_SNAPSHOT_REQUEST_BYTES} bytes`, peerId);
    }
    const maxBytes = options.maxBytes ?? this.opts.maxResponseBytes;
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 1 || maxBytes > 0xffffffff) throw new SyncError("INVALID_RANGE", "maxBytes must be in [1, 2^32)", peerId);
    return this.exchange(peerId, SNAPSHOT_PROTOCOL, request, MAX_SNAPSHOT_FRAMES, maxBytes, options, "snapshot");
  }

  /**
   * One answer of epoch links from a peer (the request and the frames are the node's,
   * node/net/epoch-links.ts): at most `maxFrames` frames (≤ 64). Rejects with a SyncError like
   * requestBlocks; a peer that does not offer the protocol (an older node) gives STREAM_ERROR.
   */
  async requestEpochLinks(peerId: string, request: Uint8Array, options: RequestBlocksOptions & { maxFrames?: number } = {}): Promise<Uint8Array[]> {
    if (!(request instanceof Uint8Array) || request.length < 1 || request.length > MAX_EPOCH_LINKS_REQUEST_BYTES) {
      throw new SyncError("INVALID_RANGE", `an epoch-links request is 1..${MAX_EPOCH_LINKS_REQUEST_BYTES} bytes`, peerId);
    }
    const maxFrames = options.maxFrames ?? MAX_EPOCH_LINK_FRAMES;
    if (!Number.isSafeInteger(maxFrames) || maxFrames < 1 || maxFrames > MAX_EPOCH_LINK_FRAMES) throw new SyncError("INVALID_RANGE", `maxFrames must be in [1, ${MAX_EPOCH_LINK_FRAMES}]`, peerId);
    const maxBytes = options.maxBytes ?? this.opts.maxResponseBytes;
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 1 || maxBytes > 0xffffffff) throw new SyncError("INVALID_RANGE", "maxBytes must be in [1, 2^32)", peerId);
    return this.exchange(peerId, EPOCH_LINKS_PROTOCOL, request, maxFrames, maxBytes, options, "epoch links");
  }

  /** Sends one request frame and reads the status header and up to `maxItems` frames within `maxBytes`. */
  private async exchange(peerId: string, protocol: string, request: Uint8Array, maxItems: number, maxBytes: number, options: RequestBlocksOptions, what: "block" | OpaqueProtocol["what"]): Promise<Uint8Array[]> {
    if (this.stopping.signal.aborted) throw new SyncError("STOPPED", "p2p stopped", peerId);
    if (!this.c.directory.isRemote(peerId)) throw new SyncError("NOT_CONNECTED", "peer is not on the allow-list", peerId);
    const connection = this.c.host.getConnections(this.c.peerIdOf(peerId)).find((conn) => conn.status === "open");
    if (!connection) throw new SyncError("NOT_CONNECTED", "peer is not connected", peerId);

    const timeoutMs = options.timeoutMs ?? this.opts.requestTimeoutMs;
    const signals = [AbortSignal.timeout(timeoutMs), this.stopping.signal];
    if (options.signal) signals.push(options.signal);
    const signal = AbortSignal.any(signals);

    let stream: Stream | undefined;
    let items: Uint8Array[] = [];
    try {
      stream = await connection.newStream(protocol, { signal });
      this.inflight.add(stream);
      const lp = lpStream(stream, { maxDataLength: this.opts.maxBlockBytes, maxBufferSize: this.opts.maxBlockBytes + 4 * 1024 * 1024 });
      await lp.write(request, { signal });
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
      if (count > maxItems) throw this.badResponse(peerId, `${count} ${what} frames, at most ${maxItems} asked for`);
      if (totalBytes > maxBytes) throw this.badResponse(peerId, `${totalBytes} bytes announced, budget ${maxBytes}`);
      let remaining = totalBytes;
      for (let i = 0; i < count; i++) {
        const item = (await lp.read({ signal })).subarray();
        if (item.length > remaining) throw this.badResponse(peerId, `${what} frames exceed the announced size`);
        remaining -= item.length;
        items.push(item);
      }
      if (remaining !== 0) throw this.badResponse(peerId, `${what} frames smaller than the announced size`);
      await stream.close({ signal }).catch(() => undefined);
      this.c.counters.syncRequest(true, what === "block" ? items.length : 0);
      return items;
    } catch (err) {
      items = [];
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
      served = await this.respond(lp, stream, blocks, Number(to - from + 1n), budget, signal);
      this.c.counters.syncServed(true, served);
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)));
      if (!this.stopping.signal.aborted) this.c.logger.debug("p2p sync serve aborted", { peerId, error: (err as Error)?.message ?? String(err) });
    } finally {
      this.inflight.delete(stream);
    }
  }

  /** Writes the status header and the longest prefix of `items` within `limit` frames and `budget` bytes. */
  private async respond(lp: ReturnType<typeof lpStream>, stream: Stream, items: Uint8Array[], limit: number, budget: number, signal: AbortSignal): Promise<number> {
    const out: Uint8Array[] = [];
    let total = 0;
    for (const item of items) {
      if (out.length >= limit) break;
      if (!(item instanceof Uint8Array) || item.length > this.opts.maxBlockBytes || total + item.length > budget) {
        if (item instanceof Uint8Array && item.length > this.opts.maxBlockBytes) {
          this.c.logger.error("p2p server returned a frame above maxBlockBytes; truncating the response", { bytes: item.length, maxBlockBytes: this.opts.maxBlockBytes });
        }
        break;
      }
      out.push(item);
      total += item.length;
    }
    const header = new Uint8Array(OK_HEADER_BYTES);
    const hv = new DataView(header.buffer);
    hv.setUint8(0, SyncStatus.Ok);
    hv.setUint32(1, out.length);
    hv.setUint32(5, total);
    await lp.write(header, { signal });
    // lpStream.write waits for 'drain' whenever the stream's buffer is full: memory stays
    // bounded by one frame however slowly the requester reads.
    for (const item of out) await lp.write(item, { signal });
    await stream.close({ signal });
    return out.length;
  }

  private async serveOpaque(p: OpaqueProtocol, stream: Stream, connection: Connection): Promise<void> {
    const peerId = connection.remotePeer.toString();
    const server = p.server;
    if (!this.c.directory.isRemote(peerId) || this.c.isBanned(peerId) || this.stopping.signal.aborted) {
      stream.abort(new Error("peer not admitted"));
      return;
    }
    this.inflight.add(stream);
    const signal = AbortSignal.any([AbortSignal.timeout(this.opts.serveTimeoutMs), this.stopping.signal]);
    const lp = lpStream(stream, { maxDataLength: p.maxRequestBytes, maxBufferSize: 64 * 1024 });
    try {
      let request: Uint8Array;
      try {
        request = (await lp.read({ signal })).subarray();
      } catch (err) {
        const name = (err as Error)?.name;
        if (name === "InvalidDataLengthError" || name === "InvalidDataLengthLengthError" || name === "InvalidMessageLengthError") {
          await this.refuse(lp, stream, peerId, SyncStatus.BadRequest, `${p.what} request too long`, signal);
          return;
        }
        throw err;
      }
      let frames: Uint8Array[];
      try {
        frames = await server(request, this.opts.maxResponseBytes);
        if (!Array.isArray(frames)) throw new TypeError(`the ${p.what} server must return an array`);
      } catch (err) {
        // The node's typed refusals (a malformed request, a snapshot no longer kept) carry a reason.
        const reason = (err as Error)?.message ?? String(err);
        const badRequest = (err as { code?: string })?.code === p.badRequestCode;
        if (!badRequest) this.c.logger.debug(`p2p ${p.what} not served`, { peerId, reason });
        await this.refuse(lp, stream, peerId, badRequest ? SyncStatus.BadRequest : SyncStatus.Unavailable, reason, signal, badRequest);
        return;
      }
      await this.respond(lp, stream, frames, p.maxFrames, this.opts.maxResponseBytes, signal);
      this.c.counters.syncServed(true, 0);
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)));
      if (!this.stopping.signal.aborted) this.c.logger.debug(`p2p ${p.what} serve aborted`, { peerId, error: (err as Error)?.message ?? String(err) });
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
