// Counters kept as a plain object (always, for stats() and tests) and mirrored to the optional
// injected metrics sink. Names carry their unit; every label set is bounded (channels are a
// handful of names registered by the node, reasons are the enums below).
import type { ChannelStats, MetricLabels, P2PMetrics, PenaltyReason } from "./types.js";

export interface MetricDefinition {
  name: string;
  type: "counter" | "gauge";
  help: string;
  labelNames: string[];
}

/** Every metric p2p reports, for registration with prom-client (or similar) by the node. */
export const P2P_METRICS: readonly MetricDefinition[] = [
  { name: "p2p_frames_received_total", type: "counter", help: "Channel frames received and accepted by the edge decoder", labelNames: ["channel"] },
  { name: "p2p_frames_sent_total", type: "counter", help: "Channel frames written to a peer stream", labelNames: ["channel"] },
  { name: "p2p_received_bytes_total", type: "counter", help: "Channel payload bytes received (accepted frames)", labelNames: ["channel"] },
  { name: "p2p_sent_bytes_total", type: "counter", help: "Channel payload bytes written", labelNames: ["channel"] },
  { name: "p2p_frames_dropped_total", type: "counter", help: "Channel frames dropped: malformed, oversized (in), queue_full, unsendable (out)", labelNames: ["channel", "reason"] },
  { name: "p2p_handler_errors_total", type: "counter", help: "Channel handlers that threw (a local bug)", labelNames: ["channel"] },
  { name: "p2p_streams_opened_total", type: "counter", help: "Outbound channel streams opened (first or reopened)", labelNames: ["channel", "kind"] },
  { name: "p2p_peers_connected", type: "gauge", help: "Allow-listed peers with at least one open connection", labelNames: [] },
  { name: "p2p_connections_refused_total", type: "counter", help: "Connections refused by the gater (not allow-listed or banned)", labelNames: ["direction"] },
  { name: "p2p_dials_total", type: "counter", help: "Dial attempts to configured peers", labelNames: ["result"] },
  { name: "p2p_connections_closed_at_once_total", type: "counter", help: "Connections to configured peers that the peer closed right after the handshake (its allow-list refused this node)", labelNames: [] },
  { name: "p2p_peer_penalties_total", type: "counter", help: "Penalties applied to peers", labelNames: ["reason"] },
  { name: "p2p_peer_bans_total", type: "counter", help: "Peers disconnected and temporarily banned", labelNames: [] },
  { name: "p2p_slow_peer_disconnects_total", type: "counter", help: "Peers disconnected because their outbound queue overflowed", labelNames: ["channel"] },
  { name: "p2p_gossip_txs_total", type: "counter", help: "Gossiped transactions: published, received (accepted), rejected, ignored, duplicate", labelNames: ["result"] },
  { name: "p2p_sync_requests_total", type: "counter", help: "Block sync requests made by this node", labelNames: ["result"] },
  { name: "p2p_sync_served_total", type: "counter", help: "Block sync requests served to peers", labelNames: ["result"] },
  { name: "p2p_sync_blocks_total", type: "counter", help: "Blocks moved by block sync", labelNames: ["direction"] },
];

export type DropReason = "malformed" | "oversized" | "queue_full" | "unsendable";

export function emptyChannelStats(): ChannelStats {
  return {
    framesIn: 0,
    framesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    droppedMalformed: 0,
    droppedOversized: 0,
    droppedQueueFull: 0,
    droppedUnsendable: 0,
    handlerErrors: 0,
    streamsOpened: 0,
    streamsReopened: 0,
  };
}

export class Counters {
  readonly channels = new Map<string, ChannelStats>();
  peersConnected = 0;
  connectionsRefused = 0;
  dials = 0;
  dialFailures = 0;
  connectionsClosedAtOnce = 0;
  penalties = 0;
  bans = 0;
  slowPeerDisconnects = 0;
  readonly gossip = { published: 0, received: 0, rejected: 0, ignored: 0, duplicates: 0 };
  readonly sync = { requests: 0, failures: 0, served: 0, refused: 0, blocksServed: 0, blocksReceived: 0 };

  constructor(private readonly sink: P2PMetrics | null) {}

  channel(name: string): ChannelStats {
    let stats = this.channels.get(name);
    if (!stats) {
      stats = emptyChannelStats();
      this.channels.set(name, stats);
    }
    return stats;
  }

  frameIn(channel: string, bytes: number): void {
    const s = this.channel(channel);
    s.framesIn++;
    s.bytesIn += bytes;
    this.inc("p2p_frames_received_total", { channel });
    this.inc("p2p_received_bytes_total", { channel }, bytes);
  }

  framesOut(channel: string, frames: number, bytes: number): void {
    const s = this.channel(channel);
    s.framesOut += frames;
    s.bytesOut += bytes;
    this.inc("p2p_frames_sent_total", { channel }, frames);
    this.inc("p2p_sent_bytes_total", { channel }, bytes);
  }

  dropped(channel: string, reason: DropReason, frames = 1): void {
    const s = this.channel(channel);
    if (reason === "malformed") s.droppedMalformed += frames;
    else if (reason === "oversized") s.droppedOversized += frames;
    else if (reason === "queue_full") s.droppedQueueFull += frames;
    else s.droppedUnsendable += frames;
    this.inc("p2p_frames_dropped_total", { channel, reason }, frames);
  }

  handlerError(channel: string): void {
    this.channel(channel).handlerErrors++;
    this.inc("p2p_handler_errors_total", { channel });
  }

  streamOpened(channel: string, reopened: boolean): void {
    const s = this.channel(channel);
    s.streamsOpened++;
    if (reopened) s.streamsReopened++;
    this.inc("p2p_streams_opened_total", { channel, kind: reopened ? "reopen" : "first" });
  }

  setPeersConnected(n: number): void {
    this.peersConnected = n;
    if (this.sink === null) return;
    try {
      this.sink.setGauge("p2p_peers_connected", {}, n);
    } catch {
      // see inc()
    }
  }

  connectionRefused(direction: "inbound" | "outbound"): void {
    this.connectionsRefused++;
    this.inc("p2p_connections_refused_total", { direction });
  }

  dial(ok: boolean): void {
    this.dials++;
    if (!ok) this.dialFailures++;
    this.inc("p2p_dials_total", { result: ok ? "ok" : "failed" });
  }

  closedAtOnce(): void {
    this.connectionsClosedAtOnce++;
    this.inc("p2p_connections_closed_at_once_total", {});
  }

  penalty(reason: PenaltyReason): void {
    this.penalties++;
    this.inc("p2p_peer_penalties_total", { reason });
  }

  ban(): void {
    this.bans++;
    this.inc("p2p_peer_bans_total", {});
  }

  slowPeerDisconnect(channel: string): void {
    this.slowPeerDisconnects++;
    this.inc("p2p_slow_peer_disconnects_total", { channel });
  }

  gossipTx(result: "published" | "received" | "rejected" | "ignored" | "duplicate"): void {
    if (result === "duplicate") this.gossip.duplicates++;
    else this.gossip[result]++;
    this.inc("p2p_gossip_txs_total", { result });
  }

  syncRequest(ok: boolean, blocks: number): void {
    this.sync.requests++;
    if (!ok) this.sync.failures++;
    this.sync.blocksReceived += blocks;
    this.inc("p2p_sync_requests_total", { result: ok ? "ok" : "failed" });
    if (blocks > 0) this.inc("p2p_sync_blocks_total", { direction: "received" }, blocks);
  }

  syncServed(ok: boolean, blocks: number): void {
    if (ok) this.sync.served++;
    else this.sync.refused++;
    this.sync.blocksServed += blocks;
    this.inc("p2p_sync_served_total", { result: ok ? "ok" : "refused" });
    if (blocks > 0) this.inc("p2p_sync_blocks_total", { direction: "served" }, blocks);
  }

  private inc(name: string, labels: MetricLabels, value = 1): void {
    if (this.sink === null) return;
    try {
      this.sink.incCounter(name, labels, value);
    } catch {
      // a broken metrics sink must never break the network path
    }
  }
}
