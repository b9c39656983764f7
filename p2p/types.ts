// The p2p module's public contract: what the node passes in and what it gets back. Implementations
// live in the sibling files; nothing here imports libp2p, so consensus-side code can depend on
// these types without pulling the network stack in (js-libp2p keeps interfaces apart the same way).

/** Structured logger injected by the node: `log.info("peer connected", { peerId })`. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export type MetricLabels = Record<string, string>;

/**
 * Optional metrics sink (e.g. prom-client behind it). Names and label sets are listed in
 * P2P_METRICS (metrics.ts) so the node can register them up front. May be null.
 */
export interface P2PMetrics {
  incCounter(name: string, labels: MetricLabels, value: number): void;
  setGauge(name: string, labels: MetricLabels, value: number): void;
}

/** Who a frame came from, as the node sees it. `validatorId` is set for genesis validators. */
export interface PeerRef {
  peerId: string;
  validatorId?: string;
}

/**
 * One entry of the allow-list: a genesis validator (validatorId set) or a configured observer.
 * `publicKey` is the raw 32-byte ed25519 node key; the libp2p peer id is derived from it.
 * Entries with `addrs` are dialled and redialled; entries without are only accepted inbound.
 */
export interface PeerEntry {
  publicKey: Uint8Array;
  validatorId?: string;
  /** For logs only (e.g. an observer's operator name). */
  name?: string;
  /** TCP multiaddrs, e.g. "/ip4/10.0.0.5/tcp/26656" or "/dns4/val1.bank-a.example/tcp/26656"; a /p2p suffix must match the key. */
  addrs?: string[];
}

/** What a channel does when a peer's outbound queue is full (the peer reads too slowly). */
export type OverflowPolicy = "drop-oldest" | "disconnect";

/**
 * A named message channel: one libp2p protocol, one long-lived stream per peer and direction.
 * `decode` runs at the edge on every received frame, before any other code sees it: it must check
 * everything that can be checked without state (CometBFT's ValidateBasic) and throw or return an
 * Error for bad bytes. Such frames are dropped, counted and the sender is penalised.
 */
export interface ChannelSpec<T> {
  /** Short name used in send()/broadcast(), logs and metric labels, e.g. "consensus". */
  name: string;
  /** libp2p protocol id, e.g. "/tradeledger/consensus/1". */
  protocol: string;
  /** Largest frame payload accepted or sent, in bytes. A larger length prefix resets the stream. */
  maxFrameBytes: number;
  decode(bytes: Uint8Array): T | Error;
  /**
   * Receives frames in the order the peer sent them. If it returns a promise, the stream is paused
   * (yamux stops granting window to the sender) until it settles: that is how a slow consumer
   * pushes back. A throwing handler is our bug, not the peer's: logged and counted, no penalty.
   */
  handler(from: PeerRef, msg: T, raw: Uint8Array): void | Promise<void>;
  /** Outbound queue bound per peer; defaults in DEFAULT_CHANNEL_QUEUE. */
  queue?: Partial<ChannelQueueLimits>;
}

export interface ChannelQueueLimits {
  maxFrames: number;
  maxBytes: number;
  overflow: OverflowPolicy;
}

/** Verdict of the node's transaction validator for gossip. */
export type TxVerdict = "accept" | "reject" | "ignore";

/**
 * Validates a gossiped transaction before it is delivered or forwarded. "reject" only for bytes
 * that are invalid whatever the ledger state (malformed, wrong chain id, bad signature): the
 * relaying peer is penalised. "ignore" for state-dependent refusals (unknown signer yet, mempool
 * full, already committed): not forwarded, nobody penalised.
 */
export type TxValidator = (bytes: Uint8Array, from: PeerRef) => TxVerdict | Promise<TxVerdict>;

export type TxHandler = (from: PeerRef, bytes: Uint8Array) => void;

/**
 * Serves block sync. Returns encoded blocks (with their commit certificates) for consecutive
 * heights starting at `fromHeight`, at most up to `toHeight`, whose sizes sum to at most
 * `maxBytes`; fewer (even none) if the node does not have them. p2p truncates anything beyond the
 * limits and never sends a single block above `maxBlockBytes`.
 */
export type BlockServer = (fromHeight: bigint, toHeight: bigint, maxBytes: number) => Uint8Array[] | Promise<Uint8Array[]>;

/**
 * Serves one snapshot page (`/tradeledger/snapshot/1`): the request and the returned frames are
 * opaque to p2p (node/net/snapshot.ts). Throws to refuse: an error whose code is
 * BAD_SNAPSHOT_REQUEST blames the requester, any other is "unavailable". p2p truncates the frames
 * to `maxBytes` and maxBlockBytes each.
 */
export type SnapshotServer = (request: Uint8Array, maxBytes: number) => Uint8Array[] | Promise<Uint8Array[]>;

/**
 * Serves one answer of epoch links (`/tradeledger/epoch-links/1`): the request and the returned
 * frames are opaque to p2p (node/net/epoch-links.ts). Throws to refuse: an error whose code is
 * BAD_EPOCH_LINKS_REQUEST blames the requester, any other is "unavailable". p2p sends at most 64
 * frames within `maxBytes`.
 */
export type EpochLinksServer = (request: Uint8Array, maxBytes: number) => Uint8Array[] | Promise<Uint8Array[]>;

/** An ed25519 node key whose private part this process does not hold (node/keys/pkcs11.ts). */
export interface ExternalNodeKey {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

export interface P2POptions {
  chainId: string;
  /** The node key's 32-byte ed25519 seed; becomes the libp2p identity. Give this or `nodeKey`. */
  nodeKeySeed?: Uint8Array;
  /** A node key held elsewhere (an HSM): its public key and a signer; the noise handshake signs with it. */
  nodeKey?: ExternalNodeKey;
  /** Listen multiaddrs, e.g. ["/ip4/0.0.0.0/tcp/26656"]. */
  listen: string[];
  /** Allow-list: genesis validators (with addrs) and the configured observers. May include self. */
  peers: PeerEntry[];
  /** Redial backoff: first retry after `redialBaseMs`, doubling up to `redialMaxMs` (±20% jitter). */
  redialBaseMs?: number;
  redialMaxMs?: number;
  dialTimeoutMs?: number;
  scoring?: Partial<ScoringOptions>;
  gossip?: Partial<GossipOptions>;
  sync?: Partial<SyncOptions>;
}

export interface ScoringOptions {
  /** A peer whose penalty score reaches this is disconnected and banned. */
  banThreshold: number;
  /** Penalties decay exponentially with this half-life, so rare faults never add up to a ban. */
  decayHalfLifeMs: number;
  /** First ban length; each further ban of the same peer doubles it, up to maxBanMs. */
  banMs: number;
  maxBanMs: number;
}

export interface GossipOptions {
  /** Largest transaction accepted from gossip or published. */
  maxTxBytes: number;
  /** How many recent transaction ids are remembered to drop duplicates before validation. */
  seenCacheSize: number;
  /** Per-peer outbound queue of the tx channel, in transactions (drop-oldest beyond). */
  maxQueuedTxs: number;
}

export interface SyncOptions {
  /** Largest height range one request may ask for (to - from + 1). */
  maxBlocksPerRequest: number;
  /** Largest single encoded block. */
  maxBlockBytes: number;
  /** Largest total response, and the default budget of requestBlocks(). */
  maxResponseBytes: number;
  /** requestBlocks() default overall deadline. */
  requestTimeoutMs: number;
  /** How long a server waits for a request, and how long it may take to serve one. */
  serveTimeoutMs: number;
}

export interface P2PComponents {
  logger?: Logger | null;
  metrics?: P2PMetrics | null;
  /** Edge validator for transaction gossip. */
  validateTx: TxValidator;
  /** Block source for the sync protocol. */
  serveBlocks: BlockServer;
  /** Snapshot pages for state transfer; absent: the snapshot protocol is not offered. */
  serveSnapshot?: SnapshotServer;
  /** Epoch links (the proofs of validator-set switches); absent: the protocol is not offered. */
  serveEpochLinks?: EpochLinksServer;
  /**
   * The peers a transaction accepted from gossip is forwarded to (never back to `from`). Absent,
   * or returning undefined: every validator (a flood). A validator node returns just the current
   * PBFT primary: whoever published the transaction sent it to every validator already, and the
   * forward only guards against a publisher that left the primary out.
   */
  relayTxTo?: (from: PeerRef) => readonly string[] | undefined;
}

export interface RequestBlocksOptions {
  timeoutMs?: number;
  maxBytes?: number;
  signal?: AbortSignal;
}

/** An observer admitted on the ledger: its node key (32 bytes) and, for logs, its operator. */
export interface LedgerObserver {
  publicKey: Uint8Array;
  name?: string;
}

/** A validator in the set in ledger state (docs/governance.md §5): its node key and validator id. */
export interface LedgerValidator {
  publicKey: Uint8Array;
  validatorId: string;
}

/** Penalty reasons, each with a default weight (scoring.ts). */
export type PenaltyReason =
  | "malformed_frame"
  | "oversized_frame"
  | "bad_sync_request"
  | "bad_sync_response"
  | "invalid_tx"
  | "protocol_violation"
  | "invalid_message";

export interface P2PNetwork {
  readonly peerId: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The multiaddrs actually listened on (with the /p2p suffix), known after start(). */
  listenAddrs(): string[];
  /** Register a channel. Allowed before or after start(); a name or protocol may be used once. */
  registerChannel<T>(spec: ChannelSpec<T>): void;
  /**
   * Queue one frame to one peer. Never blocks. Returns false (and counts it) when the peer is not
   * on the allow-list, is ourselves, or the frame exceeds the channel's maxFrameBytes. Frames for
   * a peer that is not connected wait in its bounded queue until it is. Throws for an unknown
   * channel (a programming error). `bytes` is queued by reference, not copied: do not modify it
   * afterwards.
   */
  send(peerId: string, channel: string, bytes: Uint8Array): boolean;
  /** send() to every allow-listed peer except ourselves; returns how many queues accepted it. */
  broadcast(channel: string, bytes: Uint8Array): number;
  /**
   * Flood a transaction the node has already admitted to every validator peer. Never blocks;
   * returns how many peer queues took it (0 if it was already published or received).
   * Throws RangeError for an empty or oversized transaction.
   */
  publishTx(bytes: Uint8Array): number;
  /** Receive gossiped transactions accepted by validateTx. Returns an unsubscribe function. */
  onTx(handler: TxHandler): () => void;
  /** Ask one peer for blocks [from, to]; rejects with a SyncError (sync.ts). */
  requestBlocks(peerId: string, from: bigint | number, to: bigint | number, opts?: RequestBlocksOptions): Promise<Uint8Array[]>;
  /** Ask one peer for a snapshot page (request and frames are the node's); rejects with a SyncError. */
  requestSnapshot(peerId: string, request: Uint8Array, opts?: RequestBlocksOptions): Promise<Uint8Array[]>;
  /** Ask one peer for epoch links (request and frames are the node's; at most maxFrames ≤ 64); rejects with a SyncError. */
  requestEpochLinks(peerId: string, request: Uint8Array, opts?: RequestBlocksOptions & { maxFrames?: number }): Promise<Uint8Array[]>;
  /** Report a peer for a fault found after the edge (e.g. a forged consensus signature). */
  penalize(peerId: string, reason: PenaltyReason, points?: number): void;
  /** Allow-listed peers currently connected. */
  connectedPeers(): PeerRef[];
  /** Resolve a peer id to its allow-list identity (undefined if not allow-listed). */
  peerRef(peerId: string): PeerRef | undefined;
  /**
   * The observers admitted and removed on the ledger (DESIGN.md §12), replacing the previous ones:
   * admitted keys are accepted from now on; a peer no longer allowed is disconnected at once.
   */
  setLedgerObservers(admitted: readonly LedgerObserver[], removed: readonly Uint8Array[]): void;
  /**
   * The validators of the set in ledger state (the epoch in force and a decided set whose switch is
   * pending), replacing the genesis validators as the validators this node accepts: an added one is
   * accepted from now on (it dials in), a genesis validator not in it is disconnected and refused
   * (unless admitted as an observer). Never called: the genesis validators, as configured.
   */
  setLedgerValidators(validators: readonly LedgerValidator[]): void;
  /** A snapshot of every counter, for /metrics and tests. */
  stats(): P2PStats;
}

export interface ChannelStats {
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  droppedMalformed: number;
  droppedOversized: number;
  droppedQueueFull: number;
  droppedUnsendable: number;
  handlerErrors: number;
  streamsOpened: number;
  streamsReopened: number;
}

export interface PeerStats {
  peerId: string;
  validatorId?: string;
  connected: boolean;
  score: number;
  banned: boolean;
  bans: number;
  /** Frames dropped from this peer at the edge, per channel. */
  droppedIn: Record<string, number>;
  /** Frames waiting in this peer's outbound queue, per channel. */
  queued: Record<string, number>;
}

export interface P2PStats {
  peersConnected: number;
  connectionsRefused: number;
  dials: number;
  dialFailures: number;
  /** connections a configured peer closed right after the handshake: its allow-list refuses this node */
  connectionsClosedAtOnce: number;
  penalties: number;
  bans: number;
  slowPeerDisconnects: number;
  channels: Record<string, ChannelStats>;
  peers: PeerStats[];
  gossip: { published: number; received: number; rejected: number; ignored: number; duplicates: number };
  sync: { requests: number; failures: number; served: number; refused: number; blocksServed: number; blocksReceived: number };
}
