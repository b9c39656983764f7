// Transaction gossip: a validated flood over a channel (`/tradeledger/tx/1/<chain id>`).
//
// Why not @libp2p/gossipsub (measured and read, see docs/p2p.md §Transaction gossip): on this
// machine it delivered ~2-3k tx/s where a channel stream carries ~50k frames/s; its outbound
// stream writes without back-pressure ("TODO: backpressure" in its stream.js), so a slow peer
// grows memory without bound or, with a buffer cap, has its stream reset — and gossipsub never
// reopens a reset stream while the connection lives, silently ending gossip to that peer; and it
// depends on @libp2p/identify, which this project does not ship. Validators form a full mesh of a
// few dozen peers at most, where a mesh overlay saves nothing. A channel already gives one
// long-lived stream per peer that is reopened when it dies, a bounded queue, edge decoding and
// peer scoring.
//
// Rules: every hop runs the node's validator before delivering or forwarding, so an invalid
// transaction stops at the first honest node; a transaction is forwarded once, to every
// validator except the peers it came from; ids are sha256(bytes) and recently seen ids are
// dropped before validation. Observers publish to validators and receive nothing.
import { hash } from "node:crypto";
import type { ChannelService } from "./channels.js";
import type { Counters } from "./metrics.js";
import type { PeerDirectory } from "./peers.js";
import type { GossipOptions, Logger, PenaltyReason, PeerRef, TxHandler, TxValidator } from "./types.js";

export const TX_CHANNEL = "tx";

export const DEFAULT_GOSSIP: GossipOptions = {
  maxTxBytes: 64 * 1024,
  seenCacheSize: 100_000,
  maxQueuedTxs: 20_000,
};

export function txProtocol(chainId: string): string {
  return `/tradeledger/tx/1/${chainId}`;
}

export interface TxGossipComponents {
  channels: ChannelService;
  directory: PeerDirectory;
  counters: Counters;
  logger: Logger;
  validateTx: TxValidator;
  /** forwarding targets for an accepted transaction (P2PComponents.relayTxTo); default every validator */
  relayTo?: (from: PeerRef) => readonly string[] | undefined;
  penalize(peerId: string, reason: PenaltyReason): void;
}

/** A bounded set of recently seen ids; the oldest is forgotten first. */
class SeenCache {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity: number) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    if (this.ids.has(id)) return;
    if (this.ids.size >= this.capacity) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    this.ids.add(id);
  }
}

export class TxGossip {
  private readonly handlers = new Set<TxHandler>();
  private readonly seen: SeenCache;
  private readonly opts: GossipOptions;
  readonly protocol: string;

  constructor(
    private readonly c: TxGossipComponents,
    chainId: string,
    opts: Partial<GossipOptions> = {},
  ) {
    this.opts = { ...DEFAULT_GOSSIP, ...opts };
    const o = this.opts;
    if (!Number.isSafeInteger(o.maxTxBytes) || o.maxTxBytes < 1) throw new RangeError("gossip.maxTxBytes must be a positive integer");
    if (!Number.isSafeInteger(o.seenCacheSize) || o.seenCacheSize < 1) throw new RangeError("gossip.seenCacheSize must be a positive integer");
    if (!Number.isSafeInteger(o.maxQueuedTxs) || o.maxQueuedTxs < 1) throw new RangeError("gossip.maxQueuedTxs must be a positive integer");
    this.seen = new SeenCache(o.seenCacheSize);
    this.protocol = txProtocol(chainId);
    c.channels.register<Uint8Array>({
      name: TX_CHANNEL,
      protocol: this.protocol,
      maxFrameBytes: o.maxTxBytes,
      // Nothing to decode at this layer: the validator below is the edge check for transactions.
      decode: (bytes) => (bytes.length === 0 ? new Error("empty transaction") : bytes),
      handler: (from, bytes) => this.receive(from, bytes),
      // Transactions are retried by clients; under overload the oldest are the least useful.
      queue: { maxFrames: o.maxQueuedTxs, maxBytes: Math.max(16 * 1024 * 1024, o.maxTxBytes), overflow: "drop-oldest" },
    });
  }

  /** Send a transaction the node has admitted to every validator. Returns how many queues took it. */
  publish(bytes: Uint8Array): number {
    if (!(bytes instanceof Uint8Array) || bytes.length === 0 || bytes.length > this.opts.maxTxBytes) {
      throw new RangeError(`a gossiped transaction is 1..${this.opts.maxTxBytes} bytes`);
    }
    const id = txId(bytes);
    if (this.seen.has(id)) return 0; // already flooded (or received): peers have it
    this.seen.add(id);
    this.c.counters.gossipTx("published");
    return this.forward(bytes, null);
  }

  onTx(handler: TxHandler): () => void {
    this.handlers.add(handler);
    return () => {
      this.handlers.delete(handler);
    };
  }

  stop(): void {
    this.handlers.clear();
  }

  /** Returns a promise while validating: the peer's stream pauses meanwhile (back-pressure). */
  private receive(from: PeerRef, bytes: Uint8Array): void | Promise<void> {
    const id = txId(bytes);
    if (this.seen.has(id)) {
      this.c.counters.gossipTx("duplicate");
      return;
    }
    // Marked before validating, so a copy arriving from another peer meanwhile is not validated twice.
    this.seen.add(id);
    let verdict: ReturnType<TxValidator>;
    try {
      verdict = this.c.validateTx(bytes, from);
    } catch (err) {
      this.validatorFailed(from, err);
      return;
    }
    if (typeof verdict === "string") return this.settle(from, bytes, verdict);
    return Promise.resolve(verdict).then(
      (v) => this.settle(from, bytes, v),
      (err: unknown) => this.validatorFailed(from, err),
    );
  }

  private settle(from: PeerRef, bytes: Uint8Array, verdict: string): void {
    if (verdict === "accept") {
      this.c.counters.gossipTx("received");
      for (const handler of this.handlers) {
        try {
          handler(from, bytes);
        } catch (err) {
          this.c.logger.error("p2p tx handler threw", { error: (err as Error)?.message ?? String(err) });
        }
      }
      const targets = this.c.relayTo?.(from);
      if (targets === undefined) this.forward(bytes, from.peerId);
      else for (const peerId of targets) if (peerId !== from.peerId) this.c.channels.send(peerId, TX_CHANNEL, bytes);
      return;
    }
    if (verdict === "reject") {
      this.c.counters.gossipTx("rejected");
      this.c.logger.warn("p2p invalid gossiped transaction", { peerId: from.peerId, validatorId: from.validatorId, bytes: bytes.length });
      this.c.penalize(from.peerId, "invalid_tx");
      return;
    }
    this.c.counters.gossipTx("ignored");
  }

  private validatorFailed(from: PeerRef, err: unknown): void {
    // The validator is ours: its failure is not the peer's fault. Not forwarded.
    this.c.counters.gossipTx("ignored");
    this.c.logger.error("p2p tx validator threw", { peerId: from.peerId, error: (err as Error)?.message ?? String(err) });
  }

  private forward(bytes: Uint8Array, except: string | null): number {
    let n = 0;
    for (const peer of this.c.directory.remotes()) {
      if (peer.ref.validatorId === undefined || peer.ref.peerId === except) continue;
      if (this.c.channels.send(peer.ref.peerId, TX_CHANNEL, bytes)) n++;
    }
    return n;
  }
}

function txId(bytes: Uint8Array): string {
  return hash("sha256", bytes, "base64");
}
