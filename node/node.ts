// The composition root (STYLE rule 8; Lodestar's nodejs.ts): the one place that builds the node
// from its config - store -> chain -> parties -> mempool -> consensus log -> driver (validator) or
// follower (observer) -> p2p -> rpc - and stops it in the reverse order. Every module receives
// what it needs through its constructor; nothing here decides consensus or ledger rules.
import "../p2p/polyfill.js";
import { join } from "node:path";
import { mkdirSync } from "node:fs";
import { fromHex, toHex } from "../sdk/bytes.js";
import type { CommitCertificate, Validator } from "../sdk/commit.js";
import type { Party } from "../sdk/types.js";
import { txBodyFormatError } from "../sdk/validate.js";
import type { ConsensusConfig } from "../consensus/types.js";
import { TX_CHANNEL, createP2P, peerIdFromNodePublicKey, type P2PNetwork, type PeerEntry, type PeerRef } from "../p2p/index.js";
import type { Genesis, NodeConfig } from "../config/schema.js";
import { loadGenesis, loadKeyFile, loadNodeConfig } from "../config/load.js";
import type { CommitWait, CommittedBlockEvent, NodeApi, NodeStatus } from "./api.js";
import { Chain, genesisHash } from "./chain.js";
import { ConsensusLog } from "./driver/consensus-log.js";
import { ConsensusDriver, wireTransport, type ConsensusTransport } from "./driver/driver.js";
import type { ConsensusMessage } from "../consensus/index.js";
import { SignedMessageLog } from "./driver/signed-log.js";
import { Follower } from "./follower.js";
import { createLogger, type Logger } from "./log.js";
import { Mempool, type Admission } from "./driver/mempool.js";
import { PartyKeys } from "./parties.js";
import { SignatureCache } from "./driver/sigcache.js";
import { Store } from "./store/store.js";
import { BlockSync, type CertifiedExecution } from "./sync.js";
import { decodeConsensusMessage, encodeCertifiedBlock } from "./wire.js";
import { nodeCrypto } from "./crypto.js";
import { VERSION } from "./version.js";
import type { NodeMetrics } from "./metrics.js";

export const CONSENSUS_CHANNEL = "consensus";
export const CONSENSUS_PROTOCOL = "/tradeledger/consensus/1";
/** A NEW-VIEW may carry every prepared batch of the window: room for many batches per frame. */
const CONSENSUS_MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** An HTTP server over NodeApi (rpc/ provides one); started last, stopped first. */
export interface RpcServer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** the URL it listens on, known after start() */
  url(): string;
}
export type RpcFactory = (api: NodeApi, config: NodeConfig, logger: Logger) => RpcServer;

export interface NodeOptions {
  config: NodeConfig;
  genesis: Genesis;
  nodeSeed: Uint8Array;
  logger?: Logger;
  rpc?: RpcFactory | null;
  /** the node's Prometheus registry (node/metrics.ts); the RPC serves it at /metrics */
  metrics?: NodeMetrics | null;
  /** wall clock, ms (tests) */
  now?: () => number;
  /** the fault campaign's seam into consensus traffic (see ConsensusTap); never set by the CLI */
  consensusTap?: ConsensusTap | null;
}

/**
 * A seam for the fault campaign only (tools/chaos/): a Byzantine build
 * (tools/chaos/byzantine-node.ts) rewrites, adds or replays what this validator sends, and a
 * partition filter drops consensus traffic to and from chosen validators where network namespaces
 * are unavailable. Off by default; the production CLI (`tradeledger start`) never sets it.
 */
export interface ConsensusTap {
  /** wraps the transport the driver sends through */
  outbound?(inner: ConsensusTransport): ConsensusTransport;
  /** sees every decoded consensus message from validator `from` before the driver; false drops it */
  inbound?(from: number, message: ConsensusMessage): boolean;
}

export function genesisParties(genesis: Genesis): Party[] {
  return genesis.parties.map((p) => ({
    id: p.id,
    role: p.role,
    name: p.name,
    country: p.country,
    publicKey: fromHex(p.publicKey),
    lei: p.lei ?? "",
    registeredBy: "",
    registeredAt: 0n,
  }));
}

export function consensusConfigOf(genesis: Genesis): ConsensusConfig {
  const c = genesis.consensus;
  return {
    chainId: genesis.chainId,
    validators: genesis.validators.map((v) => ({ id: v.id, publicKey: fromHex(v.nodePublicKey) })),
    genesisTime: BigInt(genesis.genesisTime),
    genesisStateDigest: genesisHash(genesis.chainId, genesis.ledger.stateTreeDepth, genesisParties(genesis)),
    checkpointInterval: c.checkpointInterval,
    watermarkWindow: c.watermarkWindow,
    maxBatchesInFlight: c.maxBatchesInFlight,
    requestTimeoutMs: c.requestTimeoutMs,
    viewChangeTimeoutMs: c.viewChangeTimeoutMs,
    maxViewChangeTimeoutMs: c.maxViewChangeTimeoutMs,
    maxTimestampDriftMs: c.maxTimestampDriftMs,
  };
}

export class TradeLedgerNode implements NodeApi {
  readonly chainId: string;
  readonly validators: readonly Validator[];
  readonly nodeId: string;
  readonly mode: "validator" | "observer";
  private readonly listeners = new Set<(b: CommittedBlockEvent) => void>();
  private readonly waiters = new Map<string, Set<(at: CommitWait | undefined) => void>>();
  private driver?: ConsensusDriver;
  private follower?: Follower;
  private rpc?: RpcServer;
  private signedLog?: SignedMessageLog;
  private stopping = false;

  private constructor(
    private readonly opts: NodeOptions,
    readonly store: Store,
    readonly chain: Chain,
    readonly mempool: Mempool,
    readonly p2p: P2PNetwork,
    readonly logger: Logger,
    private readonly self: number,
  ) {
    this.chainId = opts.genesis.chainId;
    this.mode = opts.config.mode;
    this.validators = consensusConfigOf(opts.genesis).validators;
    this.nodeId = opts.config.validatorId ?? `observer-${p2p.peerId.slice(-8)}`;
  }

  /** Loads config, genesis and key from files (the `tradeledger start` path) and starts the node. */
  static async fromConfigFile(file: string, opts: { logger?: Logger; rpc?: RpcFactory | null; metrics?: NodeMetrics | null; env?: NodeJS.ProcessEnv; consensusTap?: ConsensusTap } = {}): Promise<TradeLedgerNode> {
    const config = loadNodeConfig(file, opts.env ?? process.env);
    const genesis = loadGenesis(config.genesisFile);
    const key = loadKeyFile(config.nodeKeyFile);
    const logger = opts.logger ?? createLogger({ level: config.log.level, name: config.validatorId ?? "observer", ...(config.log.file ? { file: config.log.file } : {}) });
    return TradeLedgerNode.start({ config, genesis, nodeSeed: key.seed, logger, rpc: opts.rpc ?? null, metrics: opts.metrics ?? null, ...(opts.consensusTap ? { consensusTap: opts.consensusTap } : {}) });
  }

  static async start(opts: NodeOptions): Promise<TradeLedgerNode> {
    const { config, genesis } = opts;
    const logger = opts.logger ?? createLogger({ level: config.log.level, name: config.validatorId ?? "observer" });
    const consensus = consensusConfigOf(genesis);
    const nodePublicKey = nodeCrypto.publicKeyFromSeed(opts.nodeSeed);
    let self = -1;
    if (config.mode === "validator") {
      self = consensus.validators.findIndex((v) => v.id === config.validatorId);
      if (self < 0) throw new Error(`validatorId ${config.validatorId} is not a validator of genesis ${genesis.chainId}`);
      if (toHex(consensus.validators[self]!.publicKey) !== toHex(nodePublicKey)) {
        throw new Error(`the node key in ${config.nodeKeyFile} is not validator ${config.validatorId}'s key in the genesis`);
      }
    }

    // 1. storage and the chain
    mkdirSync(config.dataDir, { recursive: true });
    const store = await Store.open(join(config.dataDir, "ledger"));
    const sigCache = new SignatureCache(nodeCrypto);
    opts.metrics?.sampleSignatureCache(() => sigCache);
    let chain: Chain;
    try {
      chain = await Chain.open(
        store,
        { chainId: genesis.chainId, parties: genesisParties(genesis), stateTreeDepth: genesis.ledger.stateTreeDepth, genesisTime: BigInt(genesis.genesisTime) },
        {
          crypto: nodeCrypto,
          verifySignature: (tx, pk) => sigCache.verify(tx, pk),
          params: { txMaxAgeMs: BigInt(genesis.ledger.txMaxAgeMs), txMaxFutureMs: BigInt(genesis.ledger.txMaxFutureMs) },
        },
      );
    } catch (err) {
      await store.close();
      throw err;
    }
    const parties = new PartyKeys(chain);
    for (const p of genesis.parties) await parties.key(p.id);
    const mempool = new Mempool(
      { maxTxs: config.mempool.maxTxs, maxBytes: config.mempool.maxBytes, txMaxAgeMs: genesis.ledger.txMaxAgeMs, txMaxFutureMs: genesis.ledger.txMaxFutureMs },
      {
        crypto: nodeCrypto,
        sigCache,
        chainId: genesis.chainId,
        partyKey: (id) => parties.key(id),
        isCommitted: (h) => chain.hasCommittedTx(fromHex(h)),
        checkFormat: (tx) => txBodyFormatError(tx.body),
        ...(opts.now ? { now: opts.now } : {}),
      },
    );

    // 2. the network (edge decoding happens in the channel and tx validators)
    const peers: PeerEntry[] = [
      ...genesis.validators.map((v) => ({ publicKey: fromHex(v.nodePublicKey), validatorId: v.id, addrs: v.addresses })),
      ...config.p2p.observers.map((o) => ({ publicKey: fromHex(o.nodePublicKey), name: o.id, addrs: o.addresses })),
      ...config.p2p.extraPeers.map((o) => ({ publicKey: fromHex(o.nodePublicKey), name: o.id, addrs: o.addresses })),
    ];
    let node: TradeLedgerNode | undefined;
    // Transactions a validator accepts from gossip go on to the current primary only: their
    // publisher sent them to every validator, and this forward is what still gets a transaction to
    // the primary if the publisher left it out (a flood would cost every node n-2 extra copies of
    // every transaction). While views change, and on observers, the flood stays.
    let primaryPeer: (() => string | undefined) | undefined;
    const p2p = createP2P(
      { chainId: genesis.chainId, nodeKeySeed: opts.nodeSeed, listen: config.p2p.listen, peers },
      {
        logger: logger.child({ module: "p2p" }),
        metrics: opts.metrics?.p2p() ?? null,
        relayTxTo: () => {
          const peer = primaryPeer?.();
          return peer === undefined ? undefined : peer === "" ? [] : [peer];
        },
        validateTx: async (bytes) => {
          const admission = await mempool.admit(bytes);
          if (admission.ok) {
            if (!admission.alreadyPending) node?.driver?.onTransactionsAvailable();
            return "accept";
          }
          // Only state-independent faults mark the relaying peer as bad.
          return admission.code === "MALFORMED" || admission.code === "WRONG_CHAIN" ? "reject" : "ignore";
        },
        serveBlocks: async (from, to, maxBytes) => {
          const out: Uint8Array[] = [];
          let bytes = 0;
          for (let h = from; h <= to && h <= chain.height; h++) {
            const block = await chain.getBlock(h);
            const certificate = await store.blocks.certificate(h);
            if (!block || !certificate) break;
            const item = encodeCertifiedBlock({ height: h, time: block.header.time, view: certificate.view, txs: block.txs, certificate, headerHash: block.hash });
            if (bytes + item.length > maxBytes && out.length > 0) break;
            bytes += item.length;
            out.push(item);
          }
          return out;
        },
      },
    );
    node = new TradeLedgerNode(opts, store, chain, mempool, p2p, logger, self);
    const n = node;
    const peerIdOf = consensus.validators.map((v) => peerIdFromNodePublicKey(v.publicKey));
    const replicaOf = new Map(peerIdOf.map((id, i) => [id, i]));
    const syncPeers = {
      requestBlocks: (peer: number, from: bigint, to: bigint) => p2p.requestBlocks(peerIdOf[peer]!, from, to),
      penalize: (peer: number, reason: string) => {
        logger.warn("peer penalised", { peer: consensus.validators[peer]?.id, reason });
        p2p.penalize(peerIdOf[peer]!, "invalid_message");
      },
      name: (peer: number) => consensus.validators[peer]?.id ?? `replica-${peer}`,
    };
    const execute = (b: CertifiedExecution) => (n.driver ? n.driver.executeCertified(b) : n.follower!.executeCertified(b));
    const sync = new BlockSync(genesis.chainId, consensus.validators, chain, execute, syncPeers, logger.child({ module: "sync" }));
    const onBlock = (b: CommittedBlockEvent) => n.blockCommitted(b);

    // 3. consensus (validators) or following (observers)
    if (config.mode === "validator") {
      const { log, records } = await ConsensusLog.open(store.consensus);
      const signedLog = config.log.signed ? new SignedMessageLog(config.log.signed, genesis.chainId, self) : undefined;
      node.signedLog = signedLog;
      const direct: ConsensusTransport = {
        sendTo: (replica, bytes) => void p2p.send(peerIdOf[replica]!, CONSENSUS_CHANNEL, bytes),
        broadcast: (bytes) => {
          for (let i = 0; i < peerIdOf.length; i++) if (i !== self) p2p.send(peerIdOf[i]!, CONSENSUS_CHANNEL, bytes);
        },
      };
      const tap = opts.consensusTap ?? undefined;
      node.driver = new ConsensusDriver(
        { config: consensus, self, nodeSeed: opts.nodeSeed, maxBatchTxs: genesis.consensus.maxBatchTxs, maxBatchBytes: genesis.consensus.maxBatchBytes },
        {
          chain,
          log,
          mempool,
          parties,
          sigCache,
          sync,
          logger: logger.child({ module: "consensus" }),
          metrics: opts.metrics ?? null,
          onBlock,
          onViewInstalled: (view, primary) => {
            // The new primary may lack transactions only this node holds (their publisher left it
            // out and the old primary was the one they were forwarded to): hand it every pending one.
            if (primary === self) return;
            let n = 0;
            for (const tx of mempool.pendingTxs()) if (p2p.send(peerIdOf[primary]!, TX_CHANNEL, tx.bytes)) n++;
            if (n > 0) logger.info("pending transactions handed to the new primary", { view, primary: consensus.validators[primary]?.id, txs: n });
          },
          transport: wireTransport(tap?.outbound ? tap.outbound(direct) : direct),
          onSend: signedLog ? (m) => signedLog.record(m) : null,
          ...(opts.now ? { now: opts.now } : {}),
        },
        records,
      );
      const driver = node.driver;
      primaryPeer = () => {
        const replica = driver.replica;
        if (!replica.viewActive) return undefined;
        return replica.primary === self ? "" : peerIdOf[replica.primary];
      };
      p2p.registerChannel({
        name: CONSENSUS_CHANNEL,
        protocol: CONSENSUS_PROTOCOL,
        maxFrameBytes: CONSENSUS_MAX_FRAME_BYTES,
        // Drop-oldest is safe for PBFT: the core's status exchange retransmits whatever is lost.
        queue: { maxFrames: 20_000, maxBytes: 2 * CONSENSUS_MAX_FRAME_BYTES, overflow: "drop-oldest" },
        decode: (bytes) => decodeConsensusMessage(bytes, consensus.validators.length),
        handler: (from: PeerRef, msg) => {
          // Consensus comes from validators only (signatures are checked by the core).
          const replica = replicaOf.get(from.peerId);
          if (replica === undefined) {
            p2p.penalize(from.peerId, "protocol_violation");
            return;
          }
          if (tap?.inbound && !tap.inbound(replica, msg)) return;
          driver.onMessage(msg);
        },
      });
    } else {
      node.follower = new Follower(chain, sync, { mempool, parties, logger: logger.child({ module: "follower" }), onBlock, connected: () => p2p.connectedPeers().flatMap((p) => (p.validatorId !== undefined ? [replicaOf.get(p.peerId)!] : [])) });
    }

    opts.metrics?.sampleStatus(() => n.status());

    // 4. start: network, then consensus, then the API
    try {
      await p2p.start();
      node.driver?.start();
      node.follower?.start();
      if (opts.rpc) {
        node.rpc = opts.rpc(node, config, logger.child({ module: "rpc" }));
        await node.rpc.start();
      }
    } catch (err) {
      await node.stop();
      throw err;
    }
    logger.info("node started", {
      chainId: genesis.chainId,
      mode: config.mode,
      nodeId: node.nodeId,
      height: chain.height,
      peerId: p2p.peerId,
      listen: p2p.listenAddrs(),
      ...(node.rpc ? { rpc: node.rpc.url() } : {}),
    });
    return node;
  }

  /** Stops in reverse order of start: API, consensus, network, storage. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.logger.info("node stopping", { height: this.chain.height });
    const step = async (what: string, fn: () => Promise<void> | void) => {
      try {
        await fn();
      } catch (err) {
        this.logger.error(`stopping ${what} failed`, { err });
      }
    };
    await step("rpc", () => this.rpc?.stop());
    await step("consensus", () => this.driver?.stop());
    await step("follower", () => this.follower?.stop());
    await step("p2p", () => this.p2p.stop());
    await step("store", () => this.store.close());
    await step("signed-message log", () => this.signedLog?.close());
    for (const set of this.waiters.values()) for (const w of [...set]) w(undefined);
    this.waiters.clear();
    this.logger.info("node stopped", {});
  }

  rpcUrl(): string | undefined {
    return this.rpc?.url();
  }

  get consensusDriver(): ConsensusDriver | undefined {
    return this.driver;
  }

  // ---- NodeApi ----------------------------------------------------------------------------------

  status(): NodeStatus {
    const replica = this.driver?.replica;
    const halted = this.driver?.haltReason;
    return {
      chainId: this.chainId,
      nodeId: this.nodeId,
      mode: this.mode,
      height: this.chain.height,
      headHash: this.chain.headHash,
      headTime: this.chain.height === 0n ? BigInt(this.opts.genesis.genesisTime) : this.chain.headTime,
      stateRoot: this.chain.stateRoot,
      ...(replica ? { view: replica.view, primary: this.validators[replica.primary]?.id ?? "", viewActive: replica.viewActive } : {}),
      validators: this.validators.map((v) => v.id),
      peers: this.p2p.connectedPeers().map((p) => ({ id: p.validatorId ?? p.peerId, validator: p.validatorId !== undefined })),
      mempool: { txs: this.mempool.size, bytes: this.mempool.sizeBytes },
      ...(halted ? { halted } : {}),
      syncing: replica ? replica.stateTransferPending !== undefined : (this.follower?.syncing ?? false),
      ready: this.acceptingTxs(),
      version: VERSION,
    };
  }

  acceptingTxs(): boolean {
    return !this.stopping && !this.driver?.haltReason;
  }

  async submit(bytes: Uint8Array): Promise<Admission> {
    const admission = await this.mempool.admit(bytes);
    if (admission.ok && !admission.alreadyPending) {
      try {
        this.p2p.publishTx(admission.tx.bytes);
      } catch (err) {
        this.logger.warn("could not gossip a transaction", { err, tx: admission.tx.hashHex });
      }
      this.driver?.onTransactionsAvailable();
    }
    return admission;
  }

  async waitForCommit(txHashHex: string, timeoutMs: number, signal?: AbortSignal): Promise<CommitWait | undefined> {
    // The waiter goes in first, so a block committing while the store is read cannot be missed.
    const result = new Promise<CommitWait | undefined>((resolve) => {
      let set = this.waiters.get(txHashHex);
      if (!set) this.waiters.set(txHashHex, (set = new Set()));
      const done = (at: CommitWait | undefined) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", abort);
        set!.delete(done);
        if (set!.size === 0 && this.waiters.get(txHashHex) === set) this.waiters.delete(txHashHex);
        resolve(at);
      };
      const abort = () => done(undefined);
      const timer = setTimeout(abort, timeoutMs);
      signal?.addEventListener("abort", abort);
      set.add(done);
      // A transaction still in the pool is not in a stored block: only others need the lookup.
      if (!this.mempool.has(txHashHex)) {
        this.store.blocks.txLocation(fromHex(txHashHex)).then(
          (loc) => loc && done({ height: loc.height }),
          () => undefined,
        );
      }
    });
    return result;
  }

  onBlock(listener: (b: CommittedBlockEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  certificate(height: bigint): Promise<CommitCertificate | undefined> {
    return this.store.blocks.certificate(height);
  }

  private blockCommitted(b: CommittedBlockEvent): void {
    const height = b.executed.header.height;
    if (this.waiters.size > 0) {
      const { executed } = b;
      b.txs.forEach((tx, index) => {
        const set = this.waiters.get(tx.hashHex);
        if (!set) return;
        const at: CommitWait = { height, committed: { index, bytes: tx.bytes, receipt: executed.receipts[index]!, time: executed.header.time, blockHash: executed.hash } };
        for (const w of [...set]) w(at);
      });
    }
    for (const l of this.listeners) {
      try {
        l(b);
      } catch (err) {
        this.logger.error("block listener failed", { err });
      }
    }
  }
}
