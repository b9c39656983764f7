// The composition root of the network boundary: one libp2p node (TCP + noise + yamux) with the
// allow-list gater, and the services built on it — channels, transaction gossip (a channel),
// block sync, the redialer and peer scoring. Built in start() and torn down in reverse in stop().
import "./polyfill.js";
import { createLibp2p, type Libp2p } from "libp2p";
import { tcp } from "@libp2p/tcp";
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { peerIdFromString } from "@libp2p/peer-id";
import type { PeerId } from "@libp2p/interface";
import { nobleCrypto } from "../sdk/crypto.js";
import { ChannelService } from "./channels.js";
import { Dialer } from "./dialer.js";
import { createConnectionGater } from "./gater.js";
import { TxGossip } from "./gossip.js";
import { peerIdFromNodePublicKey, privateKeyFromExternalKey, privateKeyFromNodeSeed } from "./identity.js";
import { Counters } from "./metrics.js";
import { PeerDirectory } from "./peers.js";
import { DEFAULT_SCORING, PENALTY_POINTS, PeerScorer } from "./scoring.js";
import { SyncService } from "./sync.js";
import type { ChannelSpec, LedgerObserver, LedgerValidator, Logger, P2PComponents, P2PNetwork, P2POptions, P2PStats, PeerRef, PenaltyReason, RequestBlocksOptions, TxHandler } from "./types.js";

export const DEFAULT_REDIAL_BASE_MS = 500;
export const DEFAULT_REDIAL_MAX_MS = 30_000;
export const DEFAULT_DIAL_TIMEOUT_MS = 10_000;
/** Room for observers admitted on the ledger after start (the allow-list grows as blocks commit). */
const LEDGER_OBSERVER_CONNECTIONS = 64;

/** yamux's per-stream receive window ceiling; a paused stream buffers at most this much. */
const YAMUX_MAX_STREAM_WINDOW = 2 * 1024 * 1024;
const YAMUX_MAX_READ_BUFFER = 8 * 1024 * 1024;

const SILENT: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export function createP2P(opts: P2POptions, components: P2PComponents): P2PNetwork {
  return new Network(opts, components);
}

class Network implements P2PNetwork {
  readonly peerId: string;
  private readonly log: Logger;
  private readonly counters: Counters;
  private readonly directory: PeerDirectory;
  private readonly scorer: PeerScorer;
  private readonly channels: ChannelService;
  private readonly sync: SyncService;
  private readonly dialer: Dialer;
  private readonly gossip: TxGossip;
  private readonly peerIds = new Map<string, PeerId>();
  private node: Libp2p | null = null;
  private state: "new" | "starting" | "started" | "stopping" | "stopped" = "new";
  private lastRefusalLog = 0;
  private suppressedRefusals = 0;

  constructor(
    private readonly opts: P2POptions,
    private readonly components: P2PComponents,
  ) {
    checkOptions(opts, components);
    this.log = components.logger ?? SILENT;
    this.counters = new Counters(components.metrics ?? null);
    this.peerId = peerIdFromNodePublicKey(opts.nodeKey ? opts.nodeKey.publicKey : nobleCrypto.publicKeyFromSeed(opts.nodeKeySeed!));
    this.directory = new PeerDirectory(opts.peers, this.peerId);
    this.scorer = new PeerScorer({ ...DEFAULT_SCORING, ...opts.scoring });

    const host = {
      handle: (...args: Parameters<Libp2p["handle"]>) => this.libp2p().handle(...args),
      unhandle: (protocol: string) => this.libp2p().unhandle(protocol),
      getConnections: (peer?: PeerId) => this.libp2p().getConnections(peer),
    };
    const shared = {
      host,
      directory: this.directory,
      counters: this.counters,
      logger: this.log,
      peerIdOf: (id: string) => this.peerIdOf(id),
      penalize: (id: string, reason: PenaltyReason) => this.penalize(id, reason),
      isBanned: (id: string) => this.scorer.isBanned(id),
    };
    this.channels = new ChannelService({
      ...shared,
      isConnected: (id) => this.isConnected(id),
      disconnect: (id, why) => this.disconnect(id, why),
    });
    this.gossip = new TxGossip(
      {
        channels: this.channels,
        directory: this.directory,
        counters: this.counters,
        logger: this.log,
        validateTx: components.validateTx,
        ...(components.relayTxTo ? { relayTo: components.relayTxTo } : {}),
        penalize: (id, reason) => this.penalize(id, reason),
      },
      opts.chainId,
      opts.gossip,
    );
    this.sync = new SyncService({ ...shared, serveBlocks: components.serveBlocks, ...(components.serveSnapshot ? { serveSnapshot: components.serveSnapshot } : {}), ...(components.serveEpochLinks ? { serveEpochLinks: components.serveEpochLinks } : {}) }, opts.sync);
    this.dialer = new Dialer(
      {
        dial: async (id, signal) => {
          await this.libp2p().dial(this.peerIdOf(id), { signal });
        },
        isConnected: (id) => this.isConnected(id),
        banRemainingMs: (id) => this.scorer.banRemainingMs(id),
        counters: this.counters,
        logger: this.log,
      },
      this.directory.remotes().filter((p) => p.addrs.length > 0).map((p) => p.ref),
      {
        baseMs: opts.redialBaseMs ?? DEFAULT_REDIAL_BASE_MS,
        maxMs: opts.redialMaxMs ?? DEFAULT_REDIAL_MAX_MS,
        timeoutMs: opts.dialTimeoutMs ?? DEFAULT_DIAL_TIMEOUT_MS,
      },
    );
  }

  async start(): Promise<void> {
    if (this.state !== "new") throw new Error(`p2p cannot start: it is ${this.state}`);
    this.state = "starting";
    try {
      const privateKey = this.opts.nodeKey ? privateKeyFromExternalKey(this.opts.nodeKey) : await privateKeyFromNodeSeed(this.opts.nodeKeySeed!);
      const remotes = this.directory.remotes();
      const node = await createLibp2p({
        start: false,
        privateKey,
        addresses: { listen: this.opts.listen },
        transports: [tcp()],
        connectionEncrypters: [noise()],
        streamMuxers: [
          yamux({
            maxInboundStreams: 256,
            maxOutboundStreams: 256,
            streamOptions: { maxStreamWindowSize: YAMUX_MAX_STREAM_WINDOW, maxReadBufferLength: YAMUX_MAX_READ_BUFFER },
          }),
        ],
        connectionGater: createConnectionGater({
          isAllowed: (id) => this.directory.isRemote(id),
          isBanned: (id) => this.scorer.isBanned(id),
          onRefused: (id, direction, why) => this.refused(id, direction, why),
        }),
        connectionManager: {
          // Two per peer covers simultaneous dials; the gater keeps everyone else out anyway.
          maxConnections: Math.max(8, remotes.length * 2 + 4) + LEDGER_OBSERVER_CONNECTIONS,
          dialTimeout: this.opts.dialTimeoutMs ?? DEFAULT_DIAL_TIMEOUT_MS,
          // libp2p's default of 5 inbound connections per host per second is too low when a
          // whole test network or several validators share one host and restart together.
          inboundConnectionThreshold: Math.max(5, remotes.length * 2 + 2),
        },
      });
      this.node = node;
      for (const p of remotes) {
        if (p.addrs.length > 0) await node.peerStore.merge(this.peerIdOf(p.ref.peerId), { multiaddrs: p.addrs });
      }
      node.addEventListener("peer:connect", this.onPeerConnect);
      node.addEventListener("peer:disconnect", this.onPeerDisconnect);
      // Handlers first, then listen: no inbound stream can arrive for an unregistered protocol.
      await this.channels.start();
      await this.sync.start();
      await node.start();
      this.dialer.start();
      this.state = "started";
      this.log.info("p2p started", { peerId: this.peerId, listen: this.listenAddrs(), peers: remotes.length });
    } catch (err) {
      this.state = "started"; // let stop() release whatever was built
      await this.stop().catch(() => undefined);
      throw err;
    }
  }

  async stop(): Promise<void> {
    if (this.state === "stopped" || this.state === "stopping" || this.state === "new") {
      this.state = "stopped";
      return;
    }
    this.state = "stopping";
    this.dialer.stop();
    this.gossip.stop();
    await this.channels.stop();
    await this.sync.stop();
    const node = this.node;
    if (node) {
      node.removeEventListener("peer:connect", this.onPeerConnect);
      node.removeEventListener("peer:disconnect", this.onPeerDisconnect);
      await node.stop();
    }
    this.counters.setPeersConnected(0);
    this.state = "stopped";
    this.log.info("p2p stopped", { peerId: this.peerId });
  }

  listenAddrs(): string[] {
    return this.node ? this.node.getMultiaddrs().map((ma) => ma.toString()) : [];
  }

  registerChannel<T>(spec: ChannelSpec<T>): void {
    if (this.state === "stopping" || this.state === "stopped") throw new Error("p2p is stopped");
    this.channels.register(spec);
  }

  send(peerId: string, channel: string, bytes: Uint8Array): boolean {
    return this.channels.send(peerId, channel, bytes);
  }

  broadcast(channel: string, bytes: Uint8Array): number {
    if (!this.channels.hasChannel(channel)) throw new Error(`unknown channel ${channel}`);
    let n = 0;
    for (const p of this.directory.remotes()) if (this.channels.send(p.ref.peerId, channel, bytes)) n++;
    return n;
  }

  publishTx(bytes: Uint8Array): number {
    return this.gossip.publish(bytes);
  }

  onTx(handler: TxHandler): () => void {
    return this.gossip.onTx(handler);
  }

  requestBlocks(peerId: string, from: bigint | number, to: bigint | number, opts?: RequestBlocksOptions): Promise<Uint8Array[]> {
    return this.sync.requestBlocks(peerId, from, to, opts);
  }

  requestSnapshot(peerId: string, request: Uint8Array, opts?: RequestBlocksOptions): Promise<Uint8Array[]> {
    return this.sync.requestSnapshot(peerId, request, opts);
  }

  requestEpochLinks(peerId: string, request: Uint8Array, opts?: RequestBlocksOptions & { maxFrames?: number }): Promise<Uint8Array[]> {
    return this.sync.requestEpochLinks(peerId, request, opts);
  }

  penalize(peerId: string, reason: PenaltyReason, points?: number): void {
    if (!this.directory.isRemote(peerId) || this.scorer.isBanned(peerId)) return;
    const weight = points ?? PENALTY_POINTS[reason];
    if (weight === undefined) throw new TypeError(`unknown penalty reason ${String(reason)}`);
    this.counters.penalty(reason);
    const outcome = this.scorer.penalize(peerId, weight);
    const known = this.directory.get(peerId);
    this.log.debug("p2p peer penalised", { peerId, validatorId: known?.ref.validatorId, reason, score: outcome.score });
    if (outcome.bannedForMs === undefined) return;
    this.counters.ban();
    this.log.warn("p2p peer banned", { peerId, validatorId: known?.ref.validatorId, reason, banMs: outcome.bannedForMs, bans: this.scorer.bans(peerId) });
    this.channels.onPeerBanned(peerId);
    this.dialer.onBanned(peerId, outcome.bannedForMs);
    this.disconnect(peerId, "banned");
  }

  connectedPeers(): PeerRef[] {
    if (!this.node) return [];
    const out: PeerRef[] = [];
    for (const id of this.node.getPeers()) {
      const known = this.directory.get(id.toString());
      if (known && this.directory.isRemote(known.ref.peerId)) out.push({ ...known.ref });
    }
    return out;
  }

  setLedgerObservers(admitted: readonly LedgerObserver[], removed: readonly Uint8Array[]): void {
    const dropped = this.directory.setLedgerObservers(admitted, removed);
    for (const id of dropped) {
      this.log.info("p2p peer no longer admitted: disconnecting", { peerId: id });
      this.channels.onPeerBanned(id); // its queues and streams go with it
      this.disconnect(id, "no longer admitted");
    }
    this.updatePeerGauge();
  }

  setLedgerValidators(validators: readonly LedgerValidator[]): void {
    const dropped = this.directory.setLedgerValidators(validators);
    for (const id of dropped) {
      this.log.info("p2p peer no longer a validator: disconnecting", { peerId: id });
      this.channels.onPeerBanned(id);
      this.disconnect(id, "no longer a validator");
    }
    // a validator's rotated key now dialable at its validator's configured address (PeerDirectory.setLedgerValidators)
    for (const p of this.directory.remotes()) {
      if (p.addrs.length === 0 || this.dialer.has(p.ref.peerId)) continue;
      const ref = p.ref;
      if (!this.node) {
        this.dialer.add(ref); // start() puts its addresses in the peer store and dials it
        continue;
      }
      void this.node.peerStore.merge(this.peerIdOf(ref.peerId), { multiaddrs: p.addrs }).then(
        () => this.dialer.add(ref),
        (err: unknown) => this.log.warn("p2p: cannot record a validator's address", { peerId: ref.peerId, err: String(err) }),
      );
    }
    this.updatePeerGauge();
  }

  peerRef(peerId: string): PeerRef | undefined {
    const known = this.directory.get(peerId);
    return known ? { ...known.ref } : undefined;
  }

  stats(): P2PStats {
    const c = this.counters;
    const channels: P2PStats["channels"] = {};
    for (const [name, s] of c.channels) channels[name] = { ...s };
    return {
      peersConnected: c.peersConnected,
      connectionsRefused: c.connectionsRefused,
      dials: c.dials,
      dialFailures: c.dialFailures,
      connectionsClosedAtOnce: c.connectionsClosedAtOnce,
      penalties: c.penalties,
      bans: c.bans,
      slowPeerDisconnects: c.slowPeerDisconnects,
      channels,
      peers: this.directory.remotes().map((p) => {
        const id = p.ref.peerId;
        const stats: P2PStats["peers"][number] = {
          peerId: id,
          connected: this.isConnected(id),
          score: this.scorer.score(id),
          banned: this.scorer.isBanned(id),
          bans: this.scorer.bans(id),
          droppedIn: this.channels.droppedFrom(id),
          queued: this.channels.queued(id),
        };
        if (p.ref.validatorId !== undefined) stats.validatorId = p.ref.validatorId;
        return stats;
      }),
      gossip: { ...c.gossip },
      sync: { ...c.sync },
    };
  }

  // ---- internals -------------------------------------------------------------------------

  private libp2p(): Libp2p {
    if (!this.node) throw new Error("p2p is not started");
    return this.node;
  }

  private peerIdOf(id: string): PeerId {
    let peer = this.peerIds.get(id);
    if (!peer) {
      peer = peerIdFromString(id);
      // Only allow-listed ids are ever cached: the map cannot grow with attacker input.
      if (this.directory.get(id)) this.peerIds.set(id, peer);
    }
    return peer;
  }

  private isConnected(id: string): boolean {
    return this.node !== null && this.node.getConnections(this.peerIdOf(id)).some((c) => c.status === "open");
  }

  private disconnect(id: string, why: string): void {
    const node = this.node;
    if (!node) return;
    for (const conn of node.getConnections(this.peerIdOf(id))) conn.abort(new Error(`disconnected: ${why}`));
  }

  private updatePeerGauge(): void {
    if (!this.node) return;
    const n = this.node.getPeers().filter((id) => this.directory.isRemote(id.toString())).length;
    this.counters.setPeersConnected(n);
  }

  private readonly onPeerConnect = (evt: CustomEvent<PeerId>): void => {
    const id = evt.detail.toString();
    if (!this.directory.isRemote(id)) return;
    this.updatePeerGauge();
    this.log.info("p2p peer connected", { peerId: id, validatorId: this.directory.get(id)?.ref.validatorId });
    this.dialer.onConnected(id);
    this.channels.onPeerConnected(id);
  };

  private readonly onPeerDisconnect = (evt: CustomEvent<PeerId>): void => {
    const id = evt.detail.toString();
    if (!this.directory.isRemote(id)) return;
    this.updatePeerGauge();
    if (this.state !== "started") return;
    this.log.info("p2p peer disconnected", { peerId: id, validatorId: this.directory.get(id)?.ref.validatorId });
    this.dialer.onDisconnected(id);
  };

  private refused(id: string, direction: "inbound" | "outbound", why: "unknown" | "banned"): void {
    this.counters.connectionRefused(direction);
    // Anyone can knock on the port with fresh keys: log at most one refusal per 10 s.
    const now = Date.now();
    if (now - this.lastRefusalLog < 10_000) {
      this.suppressedRefusals++;
      return;
    }
    this.lastRefusalLog = now;
    this.log.warn("p2p connection refused", { peerId: id, direction, reason: why, suppressedSinceLast: this.suppressedRefusals });
    this.suppressedRefusals = 0;
  }
}

function checkOptions(opts: P2POptions, components: P2PComponents): void {
  if (typeof opts.chainId !== "string" || !/^[A-Za-z0-9._-]{1,64}$/.test(opts.chainId)) throw new TypeError("chainId: 1-64 characters of [A-Za-z0-9._-]");
  if ((opts.nodeKeySeed === undefined) === (opts.nodeKey === undefined)) throw new TypeError("give one of nodeKeySeed and nodeKey");
  if (opts.nodeKeySeed !== undefined && (!(opts.nodeKeySeed instanceof Uint8Array) || opts.nodeKeySeed.length !== 32)) throw new TypeError("nodeKeySeed: 32 bytes");
  if (opts.nodeKey !== undefined && (!(opts.nodeKey.publicKey instanceof Uint8Array) || opts.nodeKey.publicKey.length !== 32 || typeof opts.nodeKey.sign !== "function")) throw new TypeError("nodeKey: a 32-byte publicKey and a sign function");
  if (!Array.isArray(opts.listen)) throw new TypeError("listen: an array of multiaddrs");
  if (!Array.isArray(opts.peers)) throw new TypeError("peers: an array");
  if (typeof components.validateTx !== "function") throw new TypeError("components.validateTx is required");
  if (typeof components.serveBlocks !== "function") throw new TypeError("components.serveBlocks is required");
}
