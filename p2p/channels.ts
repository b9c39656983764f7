// Named channels: one libp2p protocol each, carried by one long-lived outbound stream per peer
// (reopened when it dies) and read from the peer's own outbound stream. Frames are varint
// length-prefixed (framing.ts) and decoded at this edge; bad ones are dropped, counted and
// penalised. Sending never blocks the caller: frames wait in a bounded per-peer queue that a
// pump drains into the stream only while the stream accepts data (the 'drain' event, not
// stream.onDrain(), which in @libp2p/utils 7.4.1 resolves immediately after its first use).
import "./polyfill.js";
import type { Connection, PeerId, Stream, StreamCloseEvent, StreamMessageEvent } from "@libp2p/interface";
import { FrameDecoder, FrameError, encodeVarint } from "./framing.js";
import type { Counters } from "./metrics.js";
import type { PeerDirectory } from "./peers.js";
import type { ChannelQueueLimits, ChannelSpec, Logger, PenaltyReason, PeerRef } from "./types.js";

export const DEFAULT_CHANNEL_QUEUE: ChannelQueueLimits = {
  maxFrames: 10_000,
  maxBytes: 16 * 1024 * 1024,
  overflow: "drop-oldest",
};

/** Frames queued in the same tick are written with one stream.send(), up to this many bytes. */
const MAX_BATCH_BYTES = 256 * 1024;
const OPEN_TIMEOUT_MS = 10_000;
const REOPEN_BACKOFF_BASE_MS = 100;
const REOPEN_BACKOFF_MAX_MS = 5_000;
/** Concurrent streams per protocol and connection; we use one, the margin covers a reopen race. */
const MAX_STREAMS_PER_CONNECTION = 4;

/** What the channel service needs from libp2p (the Libp2p node satisfies it). */
export interface ChannelHost {
  handle(protocol: string, handler: (stream: Stream, connection: Connection) => void | Promise<void>, options?: { maxInboundStreams?: number; maxOutboundStreams?: number }): Promise<void>;
  unhandle(protocol: string): Promise<void>;
  getConnections(peerId?: PeerId): Connection[];
}

export interface ChannelServiceComponents {
  host: ChannelHost;
  directory: PeerDirectory;
  counters: Counters;
  logger: Logger;
  peerIdOf(peerId: string): PeerId;
  penalize(peerId: string, reason: PenaltyReason): void;
  isBanned(peerId: string): boolean;
  isConnected(peerId: string): boolean;
  /** Close every connection to a peer (slow-peer policy). */
  disconnect(peerId: string, why: string): void;
}

interface Channel {
  spec: ChannelSpec<unknown>;
  limits: ChannelQueueLimits;
  handled: boolean;
  /** The peer's current inbound stream; a newer one supersedes it. */
  inbound: Map<string, Stream>;
}

/** A FIFO of payloads with O(1) shift (an array with a moving head, compacted as it drains). */
class FrameQueue {
  private items: Uint8Array[] = [];
  private head = 0;
  bytes = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(frame: Uint8Array): void {
    this.items.push(frame);
    this.bytes += frame.length;
  }

  shift(): Uint8Array | undefined {
    if (this.head >= this.items.length) return undefined;
    const frame = this.items[this.head]!;
    this.items[this.head++] = EMPTY;
    this.bytes -= frame.length;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return frame;
  }

  peek(): Uint8Array | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  clear(): number {
    const n = this.length;
    this.items = [];
    this.head = 0;
    this.bytes = 0;
    return n;
  }
}

const EMPTY = new Uint8Array(0);

/** The outbound side of one (peer, channel): queue, stream and pump state. */
interface Link {
  peerId: string;
  channel: Channel;
  queue: FrameQueue;
  stream: Stream | null;
  pumping: boolean;
  scheduled: boolean;
  everOpened: boolean;
  failures: number;
  retryAt: number;
  retryTimer: ReturnType<typeof setTimeout> | null;
}

export class ChannelService {
  private readonly channels = new Map<string, Channel>();
  private readonly protocols = new Set<string>();
  private readonly links = new Map<string, Link>(); // `${peerId}\n${channel}`
  private readonly droppedIn = new Map<string, Map<string, number>>();
  private started = false;
  private stopped = false;

  constructor(private readonly c: ChannelServiceComponents) {}

  register<T>(spec: ChannelSpec<T>): void {
    checkSpec(spec);
    if (this.channels.has(spec.name)) throw new Error(`channel ${spec.name} is already registered`);
    if (this.protocols.has(spec.protocol)) throw new Error(`protocol ${spec.protocol} is already registered`);
    const limits: ChannelQueueLimits = { ...DEFAULT_CHANNEL_QUEUE, ...spec.queue };
    if (!(limits.maxFrames >= 1) || !(limits.maxBytes >= spec.maxFrameBytes)) throw new RangeError(`channel ${spec.name}: queue must hold at least one frame of maxFrameBytes`);
    if (limits.overflow !== "drop-oldest" && limits.overflow !== "disconnect") throw new RangeError(`channel ${spec.name}: unknown overflow policy`);
    const channel: Channel = { spec: spec as ChannelSpec<unknown>, limits, handled: false, inbound: new Map() };
    this.channels.set(spec.name, channel);
    this.protocols.add(spec.protocol);
    this.c.counters.channel(spec.name);
    if (this.started) {
      this.handle(channel).catch((err: unknown) => {
        this.c.logger.error("p2p channel registration failed", { channel: spec.name, protocol: spec.protocol, error: (err as Error)?.message ?? String(err) });
      });
    }
  }

  async start(): Promise<void> {
    this.started = true;
    await Promise.all([...this.channels.values()].map((ch) => this.handle(ch)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const link of this.links.values()) {
      if (link.retryTimer) clearTimeout(link.retryTimer);
      link.retryTimer = null;
      link.queue.clear();
      link.stream?.abort(new Error("p2p stopping"));
      link.stream = null;
    }
    for (const channel of this.channels.values()) {
      for (const stream of channel.inbound.values()) stream.abort(new Error("p2p stopping"));
      channel.inbound.clear();
    }
    await Promise.all(
      [...this.channels.values()].filter((ch) => ch.handled).map((ch) => this.c.host.unhandle(ch.spec.protocol).catch(() => undefined)),
    );
  }

  hasChannel(name: string): boolean {
    return this.channels.has(name);
  }

  send(peerId: string, channelName: string, bytes: Uint8Array): boolean {
    const channel = this.channels.get(channelName);
    if (!channel) throw new Error(`unknown channel ${channelName}`);
    if (!(bytes instanceof Uint8Array) || bytes.length > channel.spec.maxFrameBytes || this.stopped || !this.c.directory.isRemote(peerId) || this.c.isBanned(peerId)) {
      this.c.counters.dropped(channelName, "unsendable");
      return false;
    }
    const link = this.link(peerId, channel);
    const { limits } = channel;
    if (link.queue.length + 1 > limits.maxFrames || link.queue.bytes + bytes.length > limits.maxBytes) {
      if (limits.overflow === "disconnect" && this.c.isConnected(peerId)) {
        // The peer is connected but not reading: cut it off rather than keep stale traffic.
        const dropped = link.queue.clear();
        this.c.counters.dropped(channelName, "queue_full", dropped);
        this.c.counters.slowPeerDisconnect(channelName);
        this.c.logger.warn("p2p slow peer disconnected", { peerId, channel: channelName, droppedFrames: dropped });
        link.stream?.abort(new Error("outbound queue overflow"));
        link.stream = null;
        this.c.disconnect(peerId, "outbound queue overflow");
      } else {
        let dropped = 0;
        while (link.queue.length > 0 && (link.queue.length + 1 > limits.maxFrames || link.queue.bytes + bytes.length > limits.maxBytes)) {
          link.queue.shift();
          dropped++;
        }
        this.c.counters.dropped(channelName, "queue_full", dropped);
      }
    }
    link.queue.push(bytes);
    this.schedule(link);
    return true;
  }

  /** A peer connected: flush whatever waited for it. */
  onPeerConnected(peerId: string): void {
    for (const channel of this.channels.values()) {
      const link = this.links.get(linkKey(peerId, channel.spec.name));
      if (link && link.queue.length > 0) {
        link.retryAt = 0;
        this.schedule(link);
      }
    }
  }

  /** A peer was banned: forget what we queued for it and drop its streams. */
  onPeerBanned(peerId: string): void {
    for (const channel of this.channels.values()) {
      const link = this.links.get(linkKey(peerId, channel.spec.name));
      if (link) {
        const n = link.queue.clear();
        if (n > 0) this.c.counters.dropped(channel.spec.name, "unsendable", n);
        link.stream?.abort(new Error("peer banned"));
        link.stream = null;
      }
      channel.inbound.get(peerId)?.abort(new Error("peer banned"));
      channel.inbound.delete(peerId);
    }
  }

  queued(peerId: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const name of this.channels.keys()) out[name] = this.links.get(linkKey(peerId, name))?.queue.length ?? 0;
    return out;
  }

  droppedFrom(peerId: string): Record<string, number> {
    return Object.fromEntries(this.droppedIn.get(peerId) ?? []);
  }

  // ---- inbound ---------------------------------------------------------------------------

  private async handle(channel: Channel): Promise<void> {
    if (channel.handled || this.stopped) return;
    channel.handled = true;
    await this.c.host.handle(channel.spec.protocol, (stream, connection) => this.accept(channel, stream, connection), {
      maxInboundStreams: MAX_STREAMS_PER_CONNECTION,
      maxOutboundStreams: MAX_STREAMS_PER_CONNECTION,
    });
  }

  private accept(channel: Channel, stream: Stream, connection: Connection): void {
    const peerId = connection.remotePeer.toString();
    const known = this.c.directory.get(peerId);
    if (this.stopped || !known || !this.c.directory.isRemote(peerId) || this.c.isBanned(peerId)) {
      stream.abort(new Error("peer not admitted"));
      return;
    }
    const from = known.ref;
    const name = channel.spec.name;
    // The sender writes to one stream at a time and opens a new one only after the old one
    // died on its side, so a newer inbound stream supersedes the older.
    channel.inbound.get(peerId)?.abort(new Error("superseded by a newer stream"));
    channel.inbound.set(peerId, stream);

    const decoder = new FrameDecoder(channel.spec.maxFrameBytes);
    let busy = false;
    let dead = false;

    const pump = (): void => {
      while (!busy && !dead && !this.stopped) {
        let frame: Uint8Array | null;
        try {
          frame = decoder.next();
        } catch (err) {
          // Framing is lost: nothing after this point can be trusted to be aligned.
          dead = true;
          const kind = err instanceof FrameError ? err.kind : "bad_length";
          this.c.counters.dropped(name, kind === "oversized" ? "oversized" : "malformed");
          this.countDropIn(peerId, name);
          this.c.logger.warn("p2p frame rejected, stream reset", { peerId, validatorId: from.validatorId, channel: name, error: (err as Error).message });
          stream.abort(err as Error);
          this.c.penalize(peerId, kind === "oversized" ? "oversized_frame" : "protocol_violation");
          return;
        }
        if (frame === null) return;
        const pending = this.deliver(channel, from, frame);
        if (pending) {
          busy = true;
          safely(() => stream.pause());
          void pending.then(() => {
            busy = false;
            if (dead || this.stopped) return;
            safely(() => stream.resume());
            pump();
          });
        }
      }
    };

    stream.addEventListener("message", (evt: StreamMessageEvent) => {
      if (dead) return;
      decoder.push(evt.data);
      pump();
    });
    // The sender closed its side (it is stopping): close ours so the stream is released.
    stream.addEventListener("remoteCloseWrite", () => {
      void stream.close().catch(() => undefined);
    });
    stream.addEventListener("close", (evt: StreamCloseEvent) => {
      if (evt.error != null) dead = true;
      if (channel.inbound.get(peerId) === stream) channel.inbound.delete(peerId);
    });
  }

  /** Decode at the edge and hand to the node. Returns a promise if the handler is async. */
  private deliver(channel: Channel, from: PeerRef, frame: Uint8Array): Promise<void> | undefined {
    const { spec } = channel;
    let msg: unknown;
    try {
      msg = spec.decode(frame);
    } catch (err) {
      msg = err instanceof Error ? err : new Error(String(err));
    }
    if (msg instanceof Error) {
      this.c.counters.dropped(spec.name, "malformed");
      this.countDropIn(from.peerId, spec.name);
      this.c.logger.warn("p2p malformed frame dropped", { peerId: from.peerId, validatorId: from.validatorId, channel: spec.name, bytes: frame.length, error: msg.message });
      this.c.penalize(from.peerId, "malformed_frame");
      return undefined;
    }
    this.c.counters.frameIn(spec.name, frame.length);
    try {
      const result = spec.handler(from, msg, frame);
      if (result != null && typeof (result as Promise<void>).then === "function") {
        return (result as Promise<void>).then(undefined, (err: unknown) => this.handlerFailed(spec.name, from, err));
      }
    } catch (err) {
      this.handlerFailed(spec.name, from, err);
    }
    return undefined;
  }

  private handlerFailed(channel: string, from: PeerRef, err: unknown): void {
    this.c.counters.handlerError(channel);
    this.c.logger.error("p2p channel handler threw", { channel, peerId: from.peerId, error: err instanceof Error ? err.message : String(err) });
  }

  private countDropIn(peerId: string, channel: string): void {
    let perChannel = this.droppedIn.get(peerId);
    if (!perChannel) {
      perChannel = new Map();
      this.droppedIn.set(peerId, perChannel);
    }
    perChannel.set(channel, (perChannel.get(channel) ?? 0) + 1);
  }

  // ---- outbound --------------------------------------------------------------------------

  private link(peerId: string, channel: Channel): Link {
    const key = linkKey(peerId, channel.spec.name);
    let link = this.links.get(key);
    if (!link) {
      link = { peerId, channel, queue: new FrameQueue(), stream: null, pumping: false, scheduled: false, everOpened: false, failures: 0, retryAt: 0, retryTimer: null };
      this.links.set(key, link);
    }
    return link;
  }

  /**
   * Pump after the current turn of the event loop (setImmediate), so frames queued by every
   * callback of this turn leave in one write: under load many transactions and votes arrive per
   * turn, and each write costs a noise encryption, a yamux frame, a syscall and the peer's
   * window update, whatever its size. It adds no timer delay.
   */
  private schedule(link: Link): void {
    if (link.scheduled || link.pumping || this.stopped) return;
    link.scheduled = true;
    setImmediate(() => {
      link.scheduled = false;
      this.pump(link).catch((err: unknown) => {
        // Not expected (every await inside is guarded); never let it become an unhandled rejection.
        this.c.logger.error("p2p outbound pump failed", { peerId: link.peerId, channel: link.channel.spec.name, error: (err as Error)?.message ?? String(err) });
      });
    });
  }

  private async pump(link: Link): Promise<void> {
    if (link.pumping || this.stopped) return;
    link.pumping = true;
    const name = link.channel.spec.name;
    try {
      while (!this.stopped && link.queue.length > 0) {
        let stream = link.stream;
        if (stream === null || stream.status !== "open" || stream.writeStatus !== "writable") {
          link.stream = null;
          stream = await this.open(link);
          if (stream === null) return;
          continue; // re-check: frames may have been dropped or the peer banned while opening
        }
        if (stream.writableNeedsDrain) {
          await drained(stream);
          continue;
        }
        const { bytes, frames } = takeBatch(link.queue);
        let accepted: boolean;
        try {
          accepted = stream.send(bytes);
        } catch (err) {
          // The stream closed between the status check and the write: these frames are lost.
          this.c.counters.dropped(name, "unsendable", frames.count);
          this.c.logger.debug("p2p stream write failed", { peerId: link.peerId, channel: name, error: (err as Error).message });
          if (link.stream === stream) link.stream = null;
          continue;
        }
        this.c.counters.framesOut(name, frames.count, frames.payloadBytes);
        if (!accepted) await drained(stream);
      }
    } finally {
      link.pumping = false;
    }
    // Frames queued while the last await was pending, with nobody left to pump them.
    if (!this.stopped && link.queue.length > 0 && link.stream !== null) this.schedule(link);
  }

  private async open(link: Link): Promise<Stream | null> {
    const { peerId } = link;
    const name = link.channel.spec.name;
    // Before start() there is no libp2p node: frames wait and onPeerConnected() flushes them.
    if (!this.started || this.c.isBanned(peerId)) return null;
    const now = Date.now();
    if (now < link.retryAt) {
      this.retryLater(link, link.retryAt - now);
      return null;
    }
    const connection = this.c.host.getConnections(this.c.peerIdOf(peerId)).find((conn) => conn.status === "open");
    if (!connection) return null; // onPeerConnected() resumes the pump
    let stream: Stream;
    try {
      stream = await connection.newStream(link.channel.spec.protocol, { signal: AbortSignal.timeout(OPEN_TIMEOUT_MS) });
    } catch (err) {
      link.failures++;
      const backoff = Math.min(REOPEN_BACKOFF_BASE_MS * 2 ** (link.failures - 1), REOPEN_BACKOFF_MAX_MS);
      link.retryAt = Date.now() + backoff;
      this.c.logger.debug("p2p stream open failed", { peerId, channel: name, error: (err as Error).message, retryInMs: backoff });
      this.retryLater(link, backoff);
      return null;
    }
    if (this.stopped || this.c.isBanned(peerId)) {
      stream.abort(new Error("p2p stopping"));
      return null;
    }
    link.failures = 0;
    link.retryAt = 0;
    link.stream = stream;
    this.c.counters.streamOpened(name, link.everOpened);
    if (link.everOpened) this.c.logger.info("p2p channel stream reopened", { peerId, channel: name });
    link.everOpened = true;
    // Channel streams are one-way: a peer writing back on our stream breaks the protocol.
    stream.addEventListener("message", () => {
      stream.abort(new Error("peer wrote on a one-way channel stream"));
      this.c.penalize(peerId, "protocol_violation");
    });
    stream.addEventListener("close", () => {
      if (link.stream !== stream) return;
      link.stream = null;
      if (!this.stopped && link.queue.length > 0) this.schedule(link);
    });
    return stream;
  }

  private retryLater(link: Link, ms: number): void {
    if (link.retryTimer || this.stopped) return;
    link.retryTimer = setTimeout(() => {
      link.retryTimer = null;
      this.schedule(link);
    }, ms);
  }
}

function linkKey(peerId: string, channel: string): string {
  return `${peerId}\n${channel}`;
}

/** Take frames off the queue (at least one) and lay them out prefix+payload in one buffer. */
function takeBatch(queue: FrameQueue): { bytes: Uint8Array; frames: { count: number; payloadBytes: number } } {
  const parts: Uint8Array[] = [];
  let size = 0;
  let payloadBytes = 0;
  while (queue.length > 0) {
    const next = queue.peek()!;
    const prefix = encodeVarint(next.length);
    if (parts.length > 0 && size + prefix.length + next.length > MAX_BATCH_BYTES) break;
    queue.shift();
    parts.push(prefix, next);
    size += prefix.length + next.length;
    payloadBytes += next.length;
  }
  const bytes = new Uint8Array(size);
  let off = 0;
  for (const p of parts) {
    bytes.set(p, off);
    off += p.length;
  }
  return { bytes, frames: { count: parts.length / 2, payloadBytes } };
}

/** Resolves on the stream's next 'drain' or 'close', whichever comes first. */
function drained(stream: Stream): Promise<void> {
  if (!stream.writableNeedsDrain || stream.status !== "open") return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      stream.removeEventListener("drain", done);
      stream.removeEventListener("close", done);
      resolve();
    };
    stream.addEventListener("drain", done);
    stream.addEventListener("close", done);
  });
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // pause()/resume() throw on a stream that closed meanwhile; nothing left to do then
  }
}

function checkSpec(spec: ChannelSpec<unknown>): void {
  if (typeof spec.name !== "string" || !/^[a-z][a-z0-9_-]{0,31}$/.test(spec.name)) throw new TypeError(`channel name must match ^[a-z][a-z0-9_-]{0,31}$: ${String(spec.name)}`);
  if (typeof spec.protocol !== "string" || !spec.protocol.startsWith("/")) throw new TypeError(`channel ${spec.name}: protocol must start with "/"`);
  if (!Number.isSafeInteger(spec.maxFrameBytes) || spec.maxFrameBytes < 1 || spec.maxFrameBytes > 64 * 1024 * 1024) throw new RangeError(`channel ${spec.name}: maxFrameBytes must be in [1, 64 MiB]`);
  if (typeof spec.decode !== "function" || typeof spec.handler !== "function") throw new TypeError(`channel ${spec.name}: decode and handler are required`);
}
