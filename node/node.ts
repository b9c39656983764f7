// The composition root (STYLE rules 8, 17; Lodestar's nodejs.ts): the one place that builds the
// node from its config - store -> chain (executor) -> query model -> parties -> mempool -> p2p ->
// driver (validator) or follower (observer) -> NodeApi service -> rpc - and stops it in the
// reverse order. It only wires: every module receives what it needs through its constructor, the
// API is served by node/service.ts, the p2p policies live in node/net/. One crypto instance is
// built here (or injected) and passed down.
import "../p2p/polyfill.js";
import { join } from "node:path";
import { equalBytes, fromHex, toHex } from "../sdk/bytes.js";
import type { Validator } from "../sdk/commit.js";
import type { Crypto } from "../sdk/crypto.js";
import type { Party } from "../sdk/types.js";
import { txBodyFormatError } from "../sdk/validate.js";
import type { ConsensusConfig } from "../consensus/types.js";
import { createP2P, peerIdFromNodePublicKey, type P2PNetwork, type PeerEntry } from "../p2p/index.js";
import type { Genesis, NodeConfig } from "../config/schema.js";
import { keyFileInfo, loadGenesis, loadKeyFile, loadNodeConfig } from "../config/load.js";
import { readPassphrase } from "./keys/passphrase.js";
import type { NodeApi } from "./api.js";
import { Chain, genesisHash } from "./chain/chain.js";
import { ConsensusLog } from "./driver/consensus-log.js";
import { checkpointCertificateOf, type ConsensusDriver, type ConsensusTransport, type MessageTransport } from "./driver/driver.js";
import { EpochRunner, type EpochEnded } from "./driver/epoch-runner.js";
import type { ValidatorSetRecord } from "./ledger/governance.js";
import type { ConsensusMessage } from "../consensus/index.js";
import { SignedMessageLog } from "./driver/signed-log.js";
import { Follower } from "./driver/follower.js";
import type { CheckpointCertificate } from "../sdk/certified.js";
import { createLogger, type Logger } from "./log.js";
import { Mempool } from "./driver/mempool.js";
import { VerifyPool } from "./driver/verify-pool.js";
import { PartyKeys } from "./parties.js";
import { SignatureCache } from "./driver/sigcache.js";
import { privateDirectory, Store } from "./store/store.js";
import { BlockSync, type CertifiedExecution, type NextBlockSet } from "./driver/state-transfer.js";
import { nodeCrypto } from "./crypto.js";
import { VERSION } from "./version.js";
import type { NodeMetrics } from "./metrics.js";
import { LedgerQuery } from "./query/query.js";
import type { QueryModel } from "./query/types.js";
import { NodeService, type ConsensusStatus } from "./service.js";
import { LedgerValidators, ValidatorPeers } from "./net/validators.js";
import { encodeConsensusFrame } from "./net/wire.js";
import { consensusTransport, registerConsensusChannel } from "./net/consensus-channel.js";
import { TxGossip, handPendingToPrimary } from "./net/tx-gossip.js";
import { certifiedBlockServer, syncPeers } from "./net/block-sync.js";
import { AdmittedObservers, ObserverAdmission } from "./net/observers.js";
import { snapshotServer } from "./net/snapshot.js";
import { epochLinksServer } from "./net/epoch-links.js";
import { SnapshotSync } from "./driver/snapshot-sync.js";
import { EpochLinks, type EpochLinkPeer } from "./epochs.js";

export { CONSENSUS_CHANNEL, CONSENSUS_PROTOCOL } from "./net/consensus-channel.js";

/** An HTTP server over NodeApi (rpc/ provides one); started last, stopped first. */
export interface RpcServer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** the URL it listens on, known after start() */
  url(): string;
}
export type RpcFactory = (api: NodeApi, deps: { config: NodeConfig; logger: Logger; crypto: Crypto }) => RpcServer;

export interface NodeOptions {
  config: NodeConfig;
  genesis: Genesis;
  /** the node key's seed, or `nodeKey` (a key held in an HSM) */
  nodeSeed?: Uint8Array;
  nodeKey?: NodeSigningKey;
  /**
   * A validator's next node key (config `nextNodeKeyFile`; docs/governance.md §4 ROTATE_KEY): the
   * node signs with it instead of `nodeSeed` once the set in force has it in place of the current
   * key, i.e. when it starts after the switch. At the switch itself the running node calls
   * `onNodeKeyRotated`: its libp2p identity is its node key, so it is restarted with the next key.
   */
  nextNodeSeed?: Uint8Array;
  /** the next node key held in an HSM (config `nextNodeKeyPkcs11`), instead of `nextNodeSeed` */
  nextNodeKey?: NodeSigningKey;
  /** the validator's node key left the set in force and `nextNodeSeed`'s key took its place: restart the node (tradeledger start does it in process) */
  onNodeKeyRotated?: (e: { epoch: bigint; publicKey: Uint8Array }) => void;
  logger?: Logger;
  rpc?: RpcFactory | null;
  /** the node's Prometheus registry (node/metrics.ts); the RPC serves it at /metrics */
  metrics?: NodeMetrics | null;
  /** wall clock, ms (tests) */
  now?: () => number;
  /** the node's one crypto instance, passed to every module that signs, verifies or hashes (node:crypto by default) */
  crypto?: Crypto;
  /** the fault campaign's seam into consensus traffic (see ConsensusTap); never set by the CLI */
  consensusTap?: ConsensusTap | null;
  /**
   * State transfer of certified snapshots (docs/consensus.md §4.5): keep a snapshot every
   * `everyCheckpoints` checkpoint intervals (default 10), and adopt one into an empty store only
   * if it is at least `minBlocks` above (default 1,000). Tests make them small.
   */
  snapshots?: { everyCheckpoints?: number; minBlocks?: number };
  /**
   * Called at each validator-set switch, awaited before the next epoch's replica starts, while the
   * node's state is exactly at the old epoch's end (node/driver/epoch-runner.ts).
   */
  onEpochEnded?: (e: EpochEnded) => Promise<void> | void;
}

/** Checkpoint intervals between the snapshots a node keeps for peers restored from scratch. */
export const SNAPSHOT_EVERY_CHECKPOINTS = 10;

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

/** The genesis as the executor takes it (Chain.open): the node and the bench's preloaded stores build it here, so their genesis hashes agree. */
export function chainGenesisOf(genesis: Genesis) {
  return {
    chainId: genesis.chainId,
    parties: genesisParties(genesis),
    stateTreeDepth: genesis.ledger.stateTreeDepth,
    genesisTime: BigInt(genesis.genesisTime),
    // the validator set as ledger state: what governance changes (by convention a validator's id is its party's)
    validators: genesis.validators.map((v) => ({ partyId: v.id, nodePublicKey: fromHex(v.nodePublicKey) })),
  };
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

/** How this node takes part in the chain: a validator votes through its driver; an observer follows. */
export type NodeMode =
  | { kind: "validator"; runner: EpochRunner; signedLog: SignedMessageLog | undefined; following: () => Follower | undefined }
  | { kind: "observer"; follower: Follower; admission: ObserverAdmission };

export class TradeLedgerNode {
  private rpc?: RpcServer;
  private stopping = false;
  /** an HSM session this node opened (fromConfigFile), closed last at stop */
  private ownedKeys: NodeSigningKey[] = [];
  /** the signature workers of admission (config mempool.verifyWorkers), if any */
  verifyPool?: VerifyPool;
  /** state transfer of certified snapshots into an empty store (docs/consensus.md §4.5); `last` is the one adopted */
  snapshots?: SnapshotSync;
  /** the proofs of the validator sets (node/epochs.ts): built at switches, learnt by block sync and on request */
  epochLinks?: EpochLinks;
  private stopProvingLinks: (() => void) | undefined;

  private constructor(
    readonly nodeId: string,
    readonly store: Store,
    /** the block executor: owns the head, the only writer */
    readonly chain: Chain,
    /** every read of the committed chain */
    readonly query: QueryModel,
    readonly mempool: Mempool,
    readonly p2p: P2PNetwork,
    readonly mode: NodeMode,
    /** what the RPC serves (node/service.ts) */
    readonly api: NodeService,
    readonly logger: Logger,
  ) {}

  /**
   * Loads config, genesis and key from files (the `tradeledger start` path) and starts the node.
   * With `nextNodeKeyFile` (or `nextNodeKeyPkcs11`) configured, both keys are opened now (one
   * passphrase prompt each, once): `onNodeKeyRotated` gets a `restart` that starts the node again with
   * them, the next key in force. Keys in an HSM stay open across that restart and close with the last node.
   */
  static async fromConfigFile(
    file: string,
    opts: { logger?: Logger; rpc?: RpcFactory | null; metrics?: NodeMetrics | null; env?: NodeJS.ProcessEnv; consensusTap?: ConsensusTap; onNodeKeyRotated?: (restart: () => Promise<TradeLedgerNode>) => void } = {},
  ): Promise<TradeLedgerNode> {
    const config = loadNodeConfig(file, opts.env ?? process.env);
    const genesis = loadGenesis(config.genesisFile);
    const env = opts.env ?? process.env;
    // An encrypted node key (the default of `tradeledger init`) is opened with its passphrase from
    // TRADELEDGER_KEY_PASSPHRASE_FILE (systemd LoadCredential=), TRADELEDGER_KEY_PASSPHRASE or a prompt.
    let nodeKey: { nodeSeed: Uint8Array } | { nodeKey: NodeSigningKey };
    if (config.nodeKeyPkcs11) {
      const { Pkcs11Key, pinFromEnvironment } = await import("./keys/pkcs11.js");
      nodeKey = { nodeKey: Pkcs11Key.open({ ...config.nodeKeyPkcs11, pin: pinFromEnvironment(env) }) };
    } else {
      const file = config.nodeKeyFile!;
      const encrypted = keyFileInfo(file).encrypted;
      nodeKey = { nodeSeed: loadKeyFile(file, encrypted ? await readPassphrase({ env, what: `the node key ${file}` }) : undefined).seed };
    }
    let next: { nextNodeSeed: Uint8Array } | { nextNodeKey: NodeSigningKey } | undefined;
    if (config.nextNodeKeyFile) {
      const nextFile = config.nextNodeKeyFile;
      next = { nextNodeSeed: loadKeyFile(nextFile, keyFileInfo(nextFile).encrypted ? await readPassphrase({ env, what: `the next node key ${nextFile}` }) : undefined).seed };
    } else if (config.nextNodeKeyPkcs11) {
      const { Pkcs11Key, pinFromEnvironment } = await import("./keys/pkcs11.js");
      try {
        next = { nextNodeKey: Pkcs11Key.open({ ...config.nextNodeKeyPkcs11, pin: pinFromEnvironment(env) }) };
      } catch (err) {
        if ("nodeKey" in nodeKey) nodeKey.nodeKey.close?.();
        throw err;
      }
    }
    // the keys this call opened in an HSM: closed by the node that stops for good, not by one that restarts with the next key
    const owned = [...("nodeKey" in nodeKey ? [nodeKey.nodeKey] : []), ...(next && "nextNodeKey" in next ? [next.nextNodeKey] : [])];
    const logger = opts.logger ?? createLogger({ level: config.log.level, name: config.validatorId ?? "observer", ...(config.log.file ? { file: config.log.file } : {}) });
    const onRotated = opts.onNodeKeyRotated;
    const startNode = async (): Promise<TradeLedgerNode> => {
      let started: TradeLedgerNode | undefined;
      started = await TradeLedgerNode.start({
        config,
        genesis,
        ...nodeKey,
        ...next,
        ...(onRotated
          ? {
              onNodeKeyRotated: () => {
                if (started) started.ownedKeys = []; // the restarted node takes them over
                onRotated(startNode);
              },
            }
          : {}),
        logger,
        rpc: opts.rpc ?? null,
        metrics: opts.metrics ?? null,
        ...(opts.consensusTap ? { consensusTap: opts.consensusTap } : {}),
      });
      started.ownedKeys = owned;
      return started;
    };
    try {
      return await startNode();
    } catch (err) {
      for (const k of owned) k.close?.();
      throw err;
    }
  }

  static async start(opts: NodeOptions): Promise<TradeLedgerNode> {
    const { config, genesis } = opts;
    const logger = opts.logger ?? createLogger({ level: config.log.level, name: config.validatorId ?? "observer" });
    const crypto = opts.crypto ?? nodeCrypto;
    const consensus = consensusConfigOf(genesis);
    let nodeKey = nodeSigningKey(opts, crypto);
    let nodeSeed = opts.nodeSeed;

    // 1. storage, the executor and the query model
    privateDirectory(config.dataDir); // 0700: the data directory holds every party's book
    const store = await Store.open(join(config.dataDir, "ledger"), { ...config.store, snapshotEvery: consensus.checkpointInterval * (opts.snapshots?.everyCheckpoints ?? SNAPSHOT_EVERY_CHECKPOINTS) });
    if (store.droppedInterruptedSnapshot) logger.warn("a snapshot load was interrupted (the node stopped before it was verified): its copy was dropped, the store starts from genesis again");
    const sigCache = new SignatureCache(crypto);
    opts.metrics?.sampleSignatureCache(() => sigCache);
    let chain: Chain;
    try {
      chain = await Chain.open(
        store,
        chainGenesisOf(genesis),
        {
          crypto,
          verifySignature: (tx, pk) => sigCache.verify(tx, pk),
          params: {
            txMaxAgeMs: BigInt(genesis.ledger.txMaxAgeMs),
            txMaxFutureMs: BigInt(genesis.ledger.txMaxFutureMs),
            maxWarrantTenorDays: BigInt(genesis.ledger.maxWarrantTenorDays),
            minWarrantPieceMajorUnits: BigInt(genesis.ledger.minWarrantPieceMajorUnits),
            maxWarrantDepth: genesis.ledger.maxWarrantDepth,
            // where an epoch ends after a validator-set decision (docs/governance.md §5)
            checkpointInterval: genesis.consensus.checkpointInterval,
            watermarkWindow: genesis.consensus.watermarkWindow,
          },
        },
      );
    } catch (err) {
      await store.close();
      throw err;
    }
    // a rotated validator (ROTATE_KEY): the next key once the set in force has it in place of the current one
    const nextKey = config.mode !== "validator" ? undefined : (opts.nextNodeKey ?? (opts.nextNodeSeed ? nodeSigningKey({ nodeSeed: opts.nextNodeSeed }, crypto) : undefined));
    const inForce = (members: readonly { publicKey: Uint8Array }[] | undefined, key: NodeSigningKey) => members?.some((m) => equalBytes(m.publicKey, key.publicKey)) === true;
    {
      const e = chain.nextBlockEpoch();
      const members = e ? validatorsOf(e.members) : consensus.validators;
      if (nextKey && !inForce(members, nodeKey) && inForce(members, nextKey)) {
        logger.info("this validator's node key was rotated: it signs with the next node key (nextNodeKeyFile) from now on", { epoch: e?.epoch ?? 0n, nodePublicKey: toHex(nextKey.publicKey) });
        nodeKey = nextKey;
        nodeSeed = opts.nextNodeKey ? undefined : opts.nextNodeSeed;
      }
    }
    if (config.mode === "validator") {
      try {
        genesisValidatorKeyCheck(config, consensus.validators, nodeKey.publicKey, chain.validatorSet);
      } catch (err) {
        await store.close();
        throw err;
      }
    }
    const query = new LedgerQuery(store, chain, crypto);
    const parties = new PartyKeys(query);
    // signature checks of admission on worker threads, when configured (docs/performance.md)
    const verifyPool =
      config.mempool.verifyWorkers > 0
        ? new VerifyPool(config.mempool.verifyWorkers, (pk, message, signature) => crypto.verify(pk, message, signature), (reason) => logger.warn("a signature worker failed: replaced, its checks done inline", { reason }))
        : undefined;
    for (const p of genesis.parties) await parties.key(p.id);
    const mempool = new Mempool(
      { maxTxs: config.mempool.maxTxs, maxBytes: config.mempool.maxBytes, maxTxsPerParty: config.mempool.maxTxsPerParty, maxBytesPerParty: config.mempool.maxBytesPerParty, txMaxAgeMs: genesis.ledger.txMaxAgeMs, txMaxFutureMs: genesis.ledger.txMaxFutureMs },
      {
        crypto,
        sigCache,
        ...(verifyPool ? { verifyPool } : {}),
        chainId: genesis.chainId,
        partyKey: (id) => parties.key(id),
        retiredKeys: (id) => parties.retired(id),
        isCommitted: (h) => query.hasCommittedTx(fromHex(h)),
        checkFormat: (tx) => txBodyFormatError(tx.body),
        ...(opts.now ? { now: opts.now } : {}),
      },
    );

    // 2. the network, with the node's policies (node/net/); edge decoding happens in the channel and tx validators
    const peers: PeerEntry[] = [
      ...genesis.validators.map((v) => ({ publicKey: fromHex(v.nodePublicKey), validatorId: v.id, addrs: v.addresses })),
      ...config.p2p.observers.map((o) => ({ publicKey: fromHex(o.nodePublicKey), name: o.id, addrs: o.addresses })),
      ...config.p2p.extraPeers.map((o) => ({ publicKey: fromHex(o.nodePublicKey), name: o.id, addrs: o.addresses })),
    ];
    const validatorPeers = new ValidatorPeers(consensus.validators);
    const txGossip = new TxGossip(mempool);
    // the proofs of the validator sets for light clients: built at the switches, served and learnt with block sync
    const epochLinks = new EpochLinks({ store, genesis: { chainId: genesis.chainId, validators: consensus.validators }, crypto, logger: logger.child({ module: "epochs" }) });
    const p2p = createP2P(
      { chainId: genesis.chainId, ...(nodeSeed ? { nodeKeySeed: nodeSeed } : { nodeKey }), listen: config.p2p.listen, peers },
      {
        logger: logger.child({ module: "p2p" }),
        metrics: opts.metrics?.p2p() ?? null,
        relayTxTo: txGossip.relayTxTo,
        validateTx: txGossip.validateTx,
        serveBlocks: certifiedBlockServer(query, epochLinks),
        // snapshots whose certificate's epoch this node proves from genesis (so it can serve the links too)
        serveSnapshot: snapshotServer(store, async (c) => (await epochLinks.proven()).chain.epochs.some((e) => e.epoch === (c.epoch ?? 0n))),
        // the links this node proves from genesis, to any peer that lacks some
        serveEpochLinks: epochLinksServer(epochLinks),
      },
    );
    let mode: NodeMode | undefined;
    let followerExecute: ((b: CertifiedExecution) => Promise<import("./chain/chain.js").ExecutedBlock>) | undefined;
    const execute = (b: CertifiedExecution) => (mode!.kind === "validator" ? mode!.runner.executeWith(b, followerExecute!) : mode!.follower.executeCertified(b));
    const peersForSync = syncPeers(p2p, validatorPeers, logger, (links, from) => void epochLinks.offer(links, from));
    // each synced block's certificate against the set of its epoch, from the state it executes on
    const nextBlockSet: NextBlockSet = () => {
      const e = chain.nextBlockEpoch();
      return e ? { epoch: e.epoch, validators: validatorsOf(e.members) } : { epoch: 0n, validators: consensus.validators };
    };
    const sync = new BlockSync(crypto, genesis.chainId, nextBlockSet, chain, execute, peersForSync, logger.child({ module: "sync" }));
    // a snapshot of a later epoch is checked with the chain of sets; its server is asked for the links lacking
    const linkPeer = (peerId: string, name: string): EpochLinkPeer => ({
      name,
      request: (request, o) => p2p.requestEpochLinks(peerId, request, o),
      penalize: (reason) => {
        logger.warn("peer penalised", { peer: name, reason });
        p2p.penalize(peerId, "invalid_message");
      },
    });
    const snapshots = new SnapshotSync(crypto, genesis.chainId, consensus.validators, chain, peersForSync, logger.child({ module: "snapshot" }), {
      sets: {
        proving: async (epoch, peer) => {
          await epochLinks.askPeer(linkPeer(validatorPeers.peerId(peer), validatorPeers.name(peer)), epoch);
          return (await epochLinks.proven()).chain;
        },
      },
      ...(opts.snapshots?.minBlocks !== undefined ? { minBlocks: opts.snapshots.minBlocks } : {}),
    });
    sync.useSnapshots(snapshots);
    const nodeId = config.validatorId ?? `observer-${p2p.peerId.slice(-8)}`;
    const api = new NodeService({
      chainId: genesis.chainId,
      nodeId,
      mode: config.mode,
      validators: consensus.validators,
      validatorsInForce: () => validatorPeers.validators,
      version: VERSION,
      query,
      mempool,
      network: p2p,
      consensus: () => consensusStatus(mode, () => validatorPeers.validators),
      onTransactionsAvailable: () => {
        if (mode?.kind === "validator") mode.runner.onTransactionsAvailable();
      },
      logger,
    });
    const onBlock = api.blockCommitted;
    // the observers admitted on the ledger join the allow-list before the network starts, and as blocks commit
    const admittedObservers = new AdmittedObservers({ query, p2p, logger: logger.child({ module: "observers" }) });
    await admittedObservers.refresh();
    api.onBlock(admittedObservers.onBlock);
    // the validators of the set in state join the allow-list (an added one is accepted, a removed one refused after its switch)
    const ledgerValidators = new LedgerValidators({ peers: validatorPeers, p2p, setInState: () => chain.validatorSet?.members });
    ledgerValidators.refresh();
    api.onBlock((b) => {
      if (b.executed.receipts.some((r) => r.events.some((e) => e.type === "validatorSetChanged"))) ledgerValidators.refresh();
    });
    // an observer follows the epoch of its head (a validator: the epoch its runner is in)
    let headEpoch = chain.nextBlockEpoch()?.epoch ?? 0n;
    const followHeadEpoch = () => {
      const e = chain.nextBlockEpoch();
      if (!e || e.epoch === headEpoch) return;
      headEpoch = e.epoch;
      ledgerValidators.epochStarted(validatorsOf(e.members));
      ledgerValidators.refresh();
    };
    if (config.mode !== "validator") {
      const e = chain.nextBlockEpoch();
      if (e && e.epoch > 0n) ledgerValidators.epochStarted(validatorsOf(e.members));
      api.onBlock(followHeadEpoch);
    }
    // the checkpoint certificates a follower keeps: 2f+1 of the set of the checkpoint's epoch
    const checkpoints = {
      validatorsFor: (seq: bigint) => {
        const e = chain.nextBlockEpoch();
        if (!e) return { chainId: genesis.chainId, validators: consensus.validators };
        if (seq <= e.baseSeq) return undefined; // certified by an earlier set than the one in force: not checked here
        // the certificate names its epoch; verifyCheckpointCertificate signs over epochSigningChainId for it
        return { chainId: genesis.chainId, validators: validatorsOf(e.members), epoch: e.epoch };
      },
      verify: (pk: Uint8Array, bytes: Uint8Array, sig: Uint8Array) => crypto.verify(pk, bytes, sig),
      header: async (h: bigint) => {
        const r = await query.getHeader(h);
        return r && { hash: r.hash, time: r.header.time };
      },
      newest: (h: bigint) => query.checkpointAtOrBelow(h),
      keep: (c: CheckpointCertificate) => store.putCheckpointCertificate(c),
      peers: peersForSync,
    };
    const connected = () => p2p.connectedPeers().flatMap((p) => {
      const r = validatorPeers.replicaOf(p.peerId);
      return r === undefined ? [] : [r];
    });

    // 3. consensus (validators: the epoch runner, which votes or follows by the set in state) or following (observers)
    if (config.mode === "validator") {
      const { log } = await ConsensusLog.open(store.consensus);
      const genesisSelf = consensus.validators.findIndex((v) => toHex(v.publicKey) === toHex(nodeKey.publicKey));
      const signedLog = config.log.signed ? new SignedMessageLog(config.log.signed, genesis.chainId, genesisSelf) : undefined;
      const tap = opts.consensusTap ?? undefined;
      let runner!: EpochRunner;
      const follower = (): Follower =>
        new Follower(chain, sync, {
          mempool,
          parties,
          logger: logger.child({ module: "follower" }),
          onBlock: (b) => {
            onBlock(b);
            runner.blockExecuted();
          },
          connected,
          checkpoints,
        });
      let following: Follower | undefined;
      followerExecute = follower().executeCertified;
      // each epoch's transport: frames carry the epoch; replica i is the epoch's validators[i]
      const transportFor = (epoch: bigint, validators: readonly Validator[]): MessageTransport => {
        const peerIds = validators.map((v) => peerIdFromNodePublicKey(v.publicKey));
        const self = validators.findIndex((v) => toHex(v.publicKey) === toHex(nodeKey.publicKey));
        const direct: ConsensusTransport = consensusTransport(p2p, peerIds, self);
        const bytes = epoch === 0n && tap?.outbound ? tap.outbound(direct) : direct;
        return {
          sendTo: (replica, message) => bytes.sendTo(replica, encodeConsensusFrame(message, epoch)),
          broadcast: (message) => bytes.broadcast(encodeConsensusFrame(message, epoch)),
        };
      };
      runner = new EpochRunner(
        { config: consensus, nodePublicKey: nodeKey.publicKey, maxBatchTxs: genesis.consensus.maxBatchTxs, maxBatchBytes: genesis.consensus.maxBatchBytes },
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
          onViewInstalled: (view, primary) => handPendingToPrimary({ mempool, p2p, peers: validatorPeers, self: runner.self ?? -1, logger })(view, primary),
          // kept naming the epoch whose set signed it, so clients check it with that set (sdk/epochs.ts)
          onCertified: (checkpoint) => store.putCheckpointCertificate(withEpoch(checkpointCertificateOf(checkpoint), runner.epoch.epoch)),
          // the signed-message log keys slots by view and seq of the genesis set: it records epoch 0
          onSend: signedLog ? (m) => runner.epoch.epoch === 0n && signedLog.record(m) : null,
          // the replica signs with this validator's node key through the node's one crypto
          crypto: { sign: (bytes) => nodeKey.signSync(bytes), verify: (pk, bytes, sig) => crypto.verify(pk, bytes, sig), hash: (bytes) => crypto.sha256(bytes) },
          ...(opts.now ? { now: opts.now } : {}),
          headEpoch: () => {
            const e = chain.nextBlockEpoch();
            return e && { epoch: e.epoch, members: validatorsOf(e.members), baseSeq: e.baseSeq };
          },
          headerAt: (h) => chain.headerAt(h),
          transportFor,
          peerIdOf: (pk) => peerIdFromNodePublicKey(pk),
          follow: () => {
            following = follower();
            following.start();
            const f = following;
            return {
              stop: async () => {
                await f.stop();
                if (following === f) following = undefined;
              },
            };
          },
          onEpochStarted: (e) => {
            ledgerValidators.epochStarted(e.validators);
            ledgerValidators.refresh();
            // this validator's key was rotated at this switch: its next key votes from here, under a new libp2p identity
            if (e.self === undefined && nextKey && nextKey !== nodeKey && inForce(e.validators, nextKey)) {
              logger.info("this validator's node key was rotated at the switch: restarting with the next node key (nextNodeKeyFile)", { epoch: e.epoch, nodePublicKey: toHex(nextKey.publicKey) });
              opts.onNodeKeyRotated?.({ epoch: e.epoch, publicKey: nextKey.publicKey });
            }
          },
          // the link that proves the next epoch's set to light clients (node/epochs.ts), built while the state is at E
          onEpochEnded: async (e) => {
            try {
              await epochLinks.onEpochEnded(e);
            } finally {
              await opts.onEpochEnded?.(e);
            }
          },
        },
      );
      mode = { kind: "validator", runner, signedLog, following: () => following };
      txGossip.onAdmitted(() => runner.onTransactionsAvailable());
      txGossip.followPrimary(() => {
        const replica = runner.driver?.replica;
        if (!replica || !replica.viewActive) return undefined;
        return replica.primary === runner.self ? "" : validatorPeers.peerId(replica.primary);
      });
      registerConsensusChannel(p2p, {
        validatorsIn: (epoch) => runner.validatorsIn(epoch),
        deliver: (from, epoch, msg) => {
          if (tap?.inbound && epoch === 0n) {
            const r = validatorPeers.replicaOf(from.peerId);
            if (r !== undefined && !tap.inbound(r, msg)) return "dropped";
          }
          return runner.onMessage(from.peerId, epoch, msg);
        },
      });
    } else {
      const admission = new ObserverAdmission({
        nodePublicKey: nodeKey.publicKey,
        peerId: p2p.peerId,
        observers: admittedObservers,
        connectedValidators: () => connected().length,
        refusals: () => {
          const s = p2p.stats();
          return { dialFailures: s.dialFailures, closedAtOnce: s.connectionsClosedAtOnce };
        },
        height: () => chain.height,
        logger: logger.child({ module: "observers" }),
      });
      mode = { kind: "observer", follower: new Follower(chain, sync, { mempool, parties, logger: logger.child({ module: "follower" }), onBlock, connected, checkpoints }), admission };
    }
    const node = new TradeLedgerNode(nodeId, store, chain, query, mempool, p2p, mode, api, logger);
    node.verifyPool = verifyPool;
    node.snapshots = snapshots;
    node.epochLinks = epochLinks;
    opts.metrics?.sampleStatus(() => api.status());

    // 4. start: network, then consensus, then the API
    try {
      await p2p.start();
      // whenever this node lacks links (restored from a snapshot past a switch, a link held after a
      // gap), its connected peers are asked for them until it proves genesis to the epoch in force
      node.stopProvingLinks = epochLinks.keepProving({
        inForce: () => chain.nextBlockEpoch()?.epoch ?? 0n,
        peers: () => p2p.connectedPeers().map((p) => linkPeer(p.peerId, p.validatorId ?? p.peerId)),
      });
      if (mode.kind === "validator") await mode.runner.start();
      else {
        mode.follower.start();
        mode.admission.start();
      }
      if (opts.rpc) {
        node.rpc = opts.rpc(api, { config, logger: logger.child({ module: "rpc" }), crypto });
        await node.rpc.start();
      }
    } catch (err) {
      await node.stop();
      throw err;
    }
    logger.info("node started", {
      chainId: genesis.chainId,
      mode: config.mode,
      nodeId,
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
    const mode = this.mode;
    this.api.close();
    this.stopProvingLinks?.();
    await step("rpc", () => this.rpc?.stop());
    if (mode.kind === "validator") await step("consensus", () => mode.runner.stop());
    else {
      mode.admission.stop();
      await step("follower", () => mode.follower.stop());
    }
    await step("p2p", () => this.p2p.stop());
    await step("signature workers", () => this.verifyPool?.close());
    await step("store", () => this.store.close());
    if (mode.kind === "validator") await step("signed-message log", () => mode.signedLog?.close());
    await step("node key", () => {
      for (const k of this.ownedKeys) k.close?.();
    });
    this.logger.info("node stopped", {});
  }

  rpcUrl(): string | undefined {
    return this.rpc?.url();
  }

  /** The running epoch's driver (undefined on an observer, and on a validator not in the set in force: it follows). */
  get consensusDriver(): ConsensusDriver | undefined {
    return this.mode.kind === "validator" ? this.mode.runner.driver : undefined;
  }

  /** The epoch runner of a validator node (node/driver/epoch-runner.ts). */
  get epochRunner(): EpochRunner | undefined {
    return this.mode.kind === "validator" ? this.mode.runner : undefined;
  }
}

/**
 * The node key: a seed in memory, or a key in an HSM. Consensus signs inside the replica's step,
 * synchronously (docs/security.md §8: an HSM's latency is paid on every message this node sends).
 */
export interface NodeSigningKey {
  readonly publicKey: Uint8Array;
  signSync(message: Uint8Array): Uint8Array;
  sign(message: Uint8Array): Promise<Uint8Array>;
  close?(): void;
}

function nodeSigningKey(opts: Pick<NodeOptions, "nodeSeed" | "nodeKey">, crypto: Crypto): NodeSigningKey {
  if ((opts.nodeSeed === undefined) === (opts.nodeKey === undefined)) throw new TypeError("give one of nodeSeed and nodeKey");
  if (opts.nodeKey) return opts.nodeKey;
  const seed = opts.nodeSeed!;
  return { publicKey: crypto.publicKeyFromSeed(seed), signSync: (m) => crypto.sign(seed, m), sign: async (m) => crypto.sign(seed, m) };
}

/**
 * A validator node's key against the genesis and the set in state: a node configured as a genesis validator must hold that validator's key, unless the set in
 * state has this node's key (its party replaced its node key through governance). A validatorId
 * that is no genesis validator is a bank joining: it follows until a set that has its key takes over.
 */
function genesisValidatorKeyCheck(config: NodeConfig, validators: readonly Validator[], nodePublicKey: Uint8Array, inState: ValidatorSetRecord | undefined): void {
  const at = validators.findIndex((v) => v.id === config.validatorId);
  if (at < 0 || toHex(validators[at]!.publicKey) === toHex(nodePublicKey)) return;
  if (inState?.members.some((m) => toHex(m.nodePublicKey) === toHex(nodePublicKey))) return;
  throw new Error(`the node key in ${config.nodeKeyFile ?? `PKCS#11 token ${config.nodeKeyPkcs11?.tokenLabel}/${config.nodeKeyPkcs11?.keyLabel}`} is not validator ${config.validatorId}'s key in the genesis`);
}

/** The members of a set in state as consensus names them (by convention a validator's id is its party's). */
function validatorsOf(members: readonly { partyId: string; nodePublicKey: Uint8Array }[]): Validator[] {
  return members.map((m) => ({ id: m.partyId, publicKey: m.nodePublicKey }));
}

/** What the running mode reports for status (none yet while the node is being built). */
function consensusStatus(mode: NodeMode | undefined, validators: () => readonly Validator[]): ConsensusStatus {
  if (mode === undefined) return { running: false, syncing: false };
  if (mode.kind === "observer") {
    const notAdmitted = mode.admission.current;
    return { running: true, syncing: mode.follower.syncing, ...(notAdmitted ? { notAdmitted } : {}) };
  }
  const driver = mode.runner.driver;
  if (!driver) return { running: true, syncing: mode.following()?.syncing ?? false };
  const replica = driver.replica;
  const halted = driver.haltReason;
  return {
    running: true,
    view: replica.view,
    primary: validators()[replica.primary]?.id ?? "",
    viewActive: replica.viewActive,
    ...(halted ? { halted } : {}),
    syncing: replica.stateTransferPending !== undefined,
  };
}

/** A stable checkpoint's certificate naming the epoch whose set signed it (absent for 0, as on the wire). */
function withEpoch(c: CheckpointCertificate, epoch: bigint): CheckpointCertificate {
  return epoch === 0n ? c : { ...c, epoch };
}
