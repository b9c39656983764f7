// Networks of real nodes for tests: a devnet in a temp folder on free ports, validators (and an
// optional observer) started in this process over real libp2p, LevelDB and timers. Multi-process
// tests use the same devnet files with `tradeledger start` child processes.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { createDevnet, type Network } from "../config/devnet.js";
import { loadGenesis, loadKeyFile, loadNodeConfig, parseWith } from "../config/load.js";
import { nodeConfigSchema, type Genesis, type NodeConfig } from "../config/schema.js";
import { TradeLedgerNode, type NodeOptions, type RpcFactory } from "../node/node.js";
import { createLogger, silentLogger, type Logger } from "../node/log.js";
import { nodeCrypto } from "../node/crypto.js";
import { toHex } from "../sdk/bytes.js";
import { signerFromSeed, signTransactionSync, type LocalSigner } from "../sdk/signer.js";
import { buildTxBody } from "../sdk/builders.js";
import type { TxPayload } from "../sdk/transactions/index.js";
import type { Tx } from "../sdk/tx.js";

/** Ports the OS says are free right now (bind to 0, read, close). */
export async function freePorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<import("node:net").Server>((resolve, reject) => {
      const s = createServer();
      s.once("error", reject);
      s.listen(0, "127.0.0.1", () => resolve(s));
    })),
  );
  for (const s of servers) ports.push((s.address() as import("node:net").AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

import { freePortRange } from "../tools/cluster.js";
export { freePortRange };

export interface TestNetworkOptions {
  validators?: 4 | 7;
  consensus?: Partial<Genesis["consensus"]>;
  observer?: boolean;
  rpc?: RpcFactory | null;
  /** log to the console at this level (default: silent) */
  logLevel?: "debug" | "info" | "warn" | "error";
  /** snapshot policy of every node (NodeOptions.snapshots) */
  snapshots?: NodeOptions["snapshots"];
  /** the mempool settings of validator i (e.g. signature checks on worker threads) */
  mempoolOf?: (i: number) => Partial<NodeConfig["mempool"]>;
}

export interface TestNetwork {
  dir: string;
  net: Network;
  genesis: Genesis;
  nodes: (TradeLedgerNode | undefined)[];
  observer?: TradeLedgerNode;
  configs: NodeConfig[];
  observerConfig?: NodeConfig;
  signer(partyId: string): LocalSigner;
  /** builds and signs a transaction of `partyId` (node:crypto, like the SDK's noble signer) */
  sign(partyId: string, payload: TxPayload, createdAt?: bigint): Tx;
  startValidator(i: number): Promise<TradeLedgerNode>;
  /** starts the observer again (after observer.stop()), e.g. on an emptied data folder */
  restartObserver(): Promise<TradeLedgerNode>;
  stop(): Promise<void>;
}

/** Fast timeouts so view changes in tests take about a second, not the production defaults. */
export const TEST_CONSENSUS: Partial<Genesis["consensus"]> = {
  requestTimeoutMs: 1000,
  viewChangeTimeoutMs: 1000,
  maxViewChangeTimeoutMs: 8000,
  checkpointInterval: 5,
  watermarkWindow: 20,
};

export async function startTestNetwork(opts: TestNetworkOptions = {}): Promise<TestNetwork> {
  const n = opts.validators ?? 4;
  const dir = mkdtempSync(join(tmpdir(), "tl-net-"));
  const rpcBase = await freePortRange(n + 1);
  const p2pBase = await freePortRange(n + 1);
  const net = createDevnet({ dir, validators: n, rpcBasePort: rpcBase, p2pBasePort: p2pBase, consensus: { ...TEST_CONSENSUS, ...opts.consensus } });
  const genesis = loadGenesis(net.genesisFile);
  const logger = (name: string): Logger => (opts.logLevel ? createLogger({ level: opts.logLevel, name }) : silentLogger);

  let observerKey: { seed: Uint8Array; publicKey: Uint8Array } | undefined;
  if (opts.observer) {
    const seed = new Uint8Array(randomBytes(32));
    observerKey = { seed, publicKey: nodeCrypto.publicKeyFromSeed(seed) };
  }
  const observerEntry = observerKey ? [{ id: "auditor-node", nodePublicKey: toHex(observerKey.publicKey), addresses: [`/ip4/127.0.0.1/tcp/${p2pBase + n}`] }] : [];
  const configs = net.nodes.map((node) => {
    const c = loadNodeConfig(node.configFile, {});
    const i = net.nodes.indexOf(node);
    return { ...c, p2p: { ...c.p2p, observers: observerEntry }, mempool: { ...c.mempool, ...opts.mempoolOf?.(i) } };
  });
  const seeds = net.nodes.map((node) => loadKeyFile(configs[net.nodes.indexOf(node)]!.nodeKeyFile!).seed);
  const nodes: (TradeLedgerNode | undefined)[] = Array(n).fill(undefined);
  const startValidator = async (i: number) => {
    const node = await TradeLedgerNode.start({ config: configs[i]!, genesis, nodeSeed: seeds[i]!, logger: logger(net.nodes[i]!.id), rpc: opts.rpc ?? null, ...(opts.snapshots ? { snapshots: opts.snapshots } : {}) });
    nodes[i] = node;
    return node;
  };
  for (let i = 0; i < n; i++) await startValidator(i);

  let observer: TradeLedgerNode | undefined;
  let observerConfig: NodeConfig | undefined;
  if (observerKey) {
    observerConfig = parseWith(
      nodeConfigSchema,
      {
        dataDir: join(dir, "observer", "data"),
        genesisFile: net.genesisFile,
        nodeKeyFile: join(dir, "observer", "node-key.json"),
        mode: "observer",
        p2p: { listen: [`/ip4/127.0.0.1/tcp/${p2pBase + n}`] },
        rpc: { host: "127.0.0.1", port: rpcBase + n },
      },
      "observer config",
    );
    observer = await TradeLedgerNode.start({ config: observerConfig, genesis, nodeSeed: observerKey.seed, logger: logger("observer"), rpc: opts.rpc ?? null, ...(opts.snapshots ? { snapshots: opts.snapshots } : {}) });
  }
  const restartObserver = async () => {
    if (!observerKey || !observerConfig) throw new Error("this network has no observer");
    observer = await TradeLedgerNode.start({ config: observerConfig, genesis, nodeSeed: observerKey.seed, logger: logger("observer"), rpc: opts.rpc ?? null, ...(opts.snapshots ? { snapshots: opts.snapshots } : {}) });
    result.observer = observer;
    return observer;
  };

  const signers = new Map<string, LocalSigner>();
  const signer = (partyId: string): LocalSigner => {
    let s = signers.get(partyId);
    if (!s) {
      const party = net.parties.find((p) => p.id === partyId);
      if (!party) throw new Error(`no devnet party ${partyId}`);
      s = signerFromSeed(partyId, loadKeyFile(party.keyFile).seed, nodeCrypto);
      signers.set(partyId, s);
    }
    return s;
  };

  const result: TestNetwork = {
    dir,
    net,
    genesis,
    nodes,
    configs,
    ...(observer ? { observer } : {}),
    ...(observerConfig ? { observerConfig } : {}),
    signer,
    sign: (partyId, payload, createdAt) =>
      signTransactionSync(signer(partyId), buildTxBody(payload, { chainId: net.chainId, signer: partyId, ...(createdAt !== undefined ? { createdAt } : {}) }), nodeCrypto),
    startValidator,
    restartObserver,
    async stop() {
      await observer?.stop();
      await Promise.all(nodes.map((node) => node?.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return result;
}

/** Polls until `check` holds or the deadline passes; returns whether it held. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 15_000, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Submits `signed` to `node`, waits for its commit and returns its height; throws unless its receipt is OK. */
export async function commitOk(node: TradeLedgerNode, signed: Tx): Promise<bigint> {
  const admission = await node.api.submit(signed.bytes);
  if (!admission.ok) throw new Error(`refused ${admission.code}: ${admission.message}`);
  const at = await node.api.waitForCommit(signed.hashHex, 30_000);
  if (!at) throw new Error(`tx ${signed.hashHex} not committed in time`);
  const rec = await node.query.getTx(signed.hash);
  if (rec!.receipt.code !== "OK") throw new Error(`${signed.body.payload.type}: ${rec!.receipt.code} ${rec!.receipt.message}`);
  return rec!.height;
}
