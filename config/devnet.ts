// Generates a local development network (DESIGN §5 "Devnet contract"): keys for every sample party
// and validator node, one genesis, one config per node, and network.json listing RPC URLs and
// parties. Created once; later runs reuse it so the chain continues.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { toHex } from "../sdk/bytes.js";
import type { Role } from "../sdk/types.js";
import type { SetRuleInput } from "../sdk/transactions/index.js";
import { nodeCrypto } from "../node/crypto.js";
import { genesisSchema, nodeConfigSchema, type Genesis, type NodeConfig } from "./schema.js";
import { readJsonFile, writeJsonFile, writeKeyFile, parseWith } from "./load.js";

export interface DevnetOptions {
  dir: string;
  validators?: 4 | 7;
  rpcBasePort?: number;
  p2pBasePort?: number;
  chainId?: string;
  /** consensus parameter overrides (tests use shorter timeouts) */
  consensus?: Partial<Genesis["consensus"]>;
  ledger?: Partial<Genesis["ledger"]>;
  now?: number;
  /**
   * Per node: the IPv4 address its p2p listens on (and genesis lists) and the host its RPC binds.
   * Default 127.0.0.1 for both; the fault campaign gives each node its own network namespace.
   */
  hosts?: { p2p: string; rpc: string }[];
  /**
   * Parties registered at genesis besides DEVNET_PARTIES, each with a key file like theirs (e.g. the
   * banks of a validator-set change that run no validator yet: test/validator-reconfig-devnet.test.ts).
   */
  extraParties?: Omit<DevnetParty, "publicKey" | "keyFile">[];
}

export interface DevnetNode {
  id: string;
  rpcUrl: string;
  rpcPort: number;
  p2p: string;
  configFile: string;
  dataDir: string;
}

export interface DevnetParty {
  id: string;
  role: Role;
  name: string;
  country: string;
  publicKey: string;
  keyFile: string;
}

export interface Network {
  chainId: string;
  genesisFile: string;
  nodes: DevnetNode[];
  parties: DevnetParty[];
}

/** The sample parties; the first four run the validators (two banks, customs, a core enterprise). */
export const DEVNET_PARTIES: Omit<DevnetParty, "publicKey" | "keyFile">[] = [
  { id: "bank-a", role: "BANK", name: "Hanseatic Trade Bank AG", country: "DE" },
  { id: "bank-b", role: "BANK", name: "Pearl River Commercial Bank", country: "CN" },
  { id: "customs", role: "CUSTOMS", name: "Ningbo Customs District", country: "CN" },
  { id: "core-enterprise", role: "ENTERPRISE", name: "Zhejiang Motor Group Co., Ltd.", country: "CN" },
  { id: "exporter-hz-textiles", role: "ENTERPRISE", name: "Hangzhou Silkroad Textiles Co., Ltd.", country: "CN" },
  { id: "exporter-sz-electronics", role: "ENTERPRISE", name: "Shenzhen Brightway Electronics Co., Ltd.", country: "CN" },
  { id: "auditor", role: "AUDITOR", name: "Trade Finance Supervisory Office", country: "CN" },
  // The supply chain of the digital-warrant example (examples/warrant-chain.mjs, docs/warrants.md):
  // a car maker with a bank credit line, its seat supplier, two suppliers of that supplier, and a
  // supplier of one of them. Appended after the first seven so their ids and order never change.
  { id: "carmaker", role: "ENTERPRISE", name: "Eastlake Automobile Co., Ltd.", country: "CN" },
  { id: "tier1-seating", role: "ENTERPRISE", name: "Yongkang Seating Systems Co., Ltd.", country: "CN" },
  { id: "tier2-foam", role: "ENTERPRISE", name: "Cixi Polyurethane Foam Co., Ltd.", country: "CN" },
  { id: "tier2-frames", role: "ENTERPRISE", name: "Taizhou Seat Frame Metalworks Co., Ltd.", country: "CN" },
  { id: "tier3-tubes", role: "ENTERPRISE", name: "Ningbo Precision Steel Tube Co., Ltd.", country: "CN" },
  // Title documents and pledges (examples/pledge.mjs, docs/titles.md): a bonded warehouse and an
  // ocean carrier, both CUSTODIAN; and the buyer's word (examples/buyer.mjs, docs/ledger.md): a
  // domestic buyer on the network. Appended after the supply chain, for the same reason.
  { id: "warehouse-qd", role: "CUSTODIAN", name: "Qingdao Harbour Bonded Warehousing Co., Ltd.", country: "CN" },
  { id: "carrier-eastsea", role: "CUSTODIAN", name: "East Sea Container Lines Co., Ltd.", country: "CN" },
  { id: "buyer-sh-retail", role: "ENTERPRISE", name: "Shanghai Huaxin Department Stores Co., Ltd.", country: "CN" },
  // Supervision (DESIGN.md §11, docs/supervision.md): a banking regulator, registered at genesis (the
  // only way until governance, §12), with the devnet's sample supervision rules (examples/regulator.mjs).
  { id: "regulator", role: "REGULATOR", name: "Zhejiang Banking Supervision Bureau", country: "CN" },
];
const EXTRA_VALIDATORS = ["validator-5", "validator-6", "validator-7"];

/**
 * The devnet's sample supervision rules (docs/supervision.md), set by its regulator once the network
 * is up (node/cli/devnet.ts). All ALERT: they never change what the examples' transactions do.
 */
export const DEVNET_RULES: readonly SetRuleInput[] = [
  { ruleId: "fast-financing", kind: "VELOCITY", params: { hours: 1 } },
  { ruleId: "large-exposure", kind: "LARGE_EXPOSURE", params: { amount: 500_000_00n, currency: "USD" } },
  { ruleId: "rejection-burst", kind: "REJECTION_BURST", params: { count: 3, windowMinutes: 10 } },
];

export function networkFile(dir: string): string {
  return join(resolve(dir), "network.json");
}

export function loadNetwork(dir: string): Network {
  return readJsonFile(networkFile(dir)) as Network;
}

/**
 * Creates the devnet under `dir` unless network.json already exists; returns the network. An
 * existing devnet is never changed: its genesis is part of its chain's identity (a node refuses a
 * store made from another genesis), so sample parties added to DEVNET_PARTIES after it was created
 * are listed in `missingParties` (the supervisor says so; recreate the devnet to get them).
 */
export function ensureDevnet(opts: DevnetOptions): { network: Network; created: boolean; missingParties: string[] } {
  const dir = resolve(opts.dir);
  if (existsSync(networkFile(dir))) {
    const network = loadNetwork(dir);
    const have = new Set(network.parties.map((p) => p.id));
    return { network, created: false, missingParties: DEVNET_PARTIES.filter((p) => !have.has(p.id)).map((p) => p.id) };
  }
  return { network: createDevnet({ ...opts, dir }), created: true, missingParties: [] };
}

export function createDevnet(opts: DevnetOptions): Network {
  const dir = resolve(opts.dir);
  const n = opts.validators ?? 4;
  const rpcBase = opts.rpcBasePort ?? 7001;
  const p2pBase = opts.p2pBasePort ?? 26601;
  const chainId = opts.chainId ?? "tradeledger-devnet";

  const parties: DevnetParty[] = [...DEVNET_PARTIES, ...(opts.extraParties ?? [])].map((p) => {
    const seed = new Uint8Array(randomBytes(32));
    const keyFile = join(dir, "keys", `${p.id}.json`);
    writeKeyFile(keyFile, { partyId: p.id, seed });
    return { ...p, publicKey: toHex(nodeCrypto.publicKeyFromSeed(seed)), keyFile };
  });

  const validatorIds = [...DEVNET_PARTIES.slice(0, 4).map((p) => p.id), ...EXTRA_VALIDATORS].slice(0, n);
  const nodes: DevnetNode[] = [];
  const validators: Genesis["validators"] = [];
  validatorIds.forEach((id, i) => {
    const nodeDir = join(dir, "nodes", id);
    const seed = new Uint8Array(randomBytes(32));
    writeKeyFile(join(nodeDir, "node-key.json"), { seed });
    const host = opts.hosts?.[i] ?? { p2p: "127.0.0.1", rpc: "127.0.0.1" };
    const p2p = `/ip4/${host.p2p}/tcp/${p2pBase + i}`;
    validators.push({ id, nodePublicKey: toHex(nodeCrypto.publicKeyFromSeed(seed)), addresses: [p2p] });
    const config: NodeConfig = parseWith(
      nodeConfigSchema,
      {
        dataDir: "data",
        genesisFile: "../../genesis.json",
        nodeKeyFile: "node-key.json",
        mode: "validator",
        validatorId: id,
        p2p: { listen: [p2p] },
        rpc: { host: host.rpc, port: rpcBase + i },
        log: { level: "info" },
      },
      "devnet node config",
    );
    const configFile = join(nodeDir, "node.json");
    writeJsonFile(configFile, config);
    nodes.push({ id, rpcUrl: `http://${host.rpc}:${rpcBase + i}`, rpcPort: rpcBase + i, p2p, configFile, dataDir: join(nodeDir, "data") });
  });

  const genesis = parseWith(
    genesisSchema,
    {
      chainId,
      genesisTime: opts.now ?? Date.now(),
      parties: parties.map((p) => ({ id: p.id, role: p.role, name: p.name, country: p.country, publicKey: p.publicKey })),
      validators,
      consensus: opts.consensus ?? {},
      ledger: opts.ledger ?? {},
    },
    "devnet genesis",
  );
  const genesisFile = join(dir, "genesis.json");
  writeJsonFile(genesisFile, genesis);
  const network: Network = { chainId, genesisFile, nodes, parties };
  // network.json last: its presence means the devnet is complete.
  writeJsonFile(networkFile(dir), network);
  return network;
}
