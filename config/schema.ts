// Schemas of the two files an operator edits: the network's genesis (identical on every node) and
// the node's own config. Validated with zod at load; every error names the offending field.
import { isIP } from "node:net";
import { z } from "zod";
import { isStrongPublicKey } from "../sdk/crypto.js";
import { fromHex } from "../sdk/bytes.js";

const PARTY_ID = /^[a-z0-9][a-z0-9-]{1,62}$/;
const HEX32 = /^[0-9a-f]{64}$/;

export const partyId = z.string().regex(PARTY_ID, "a party id is 2-63 chars of a-z, 0-9 and '-', starting with a letter or digit");
const hex32 = z.string().regex(HEX32, "expected 32 bytes as 64 lower-case hex digits");
// A small-order or non-canonical ed25519 key lets anyone forge signatures that verify under it
// (docs/hashing.md §7): such keys never enter the ledger, from genesis or by registration.
const publicKeyHex = hex32.refine((v) => isStrongPublicKey(fromHex(v)), "not a usable ed25519 public key (small order or non-canonical encoding)");
const multiaddr = z.string().regex(/^\/(ip4|ip6|dns4|dns6|dns)\/[^/]+\/tcp\/\d{1,5}(\/.*)?$/, "expected a TCP multiaddr like /ip4/10.0.0.5/tcp/26601");

export const roleSchema = z.enum(["BANK", "CUSTOMS", "ENTERPRISE", "AUDITOR", "CUSTODIAN", "REGULATOR"]);

export const genesisPartySchema = z
  .object({
    id: partyId,
    role: roleSchema,
    name: z.string().min(1).max(200),
    country: z.string().regex(/^[A-Z]{2}$/, "ISO 3166-1 alpha-2 country code, e.g. DE"),
    publicKey: publicKeyHex.describe("the party's ed25519 public key (transactions)"),
    lei: z
      .string()
      .regex(/^[0-9A-Z]{20}$/, "a LEI is 20 upper-case alphanumerics")
      .optional(),
  })
  .strict();

export const validatorSchema = z
  .object({
    id: partyId.describe("validator id; by convention the id of the party that runs it"),
    nodePublicKey: publicKeyHex.describe("ed25519 node key: signs consensus messages and is the libp2p identity"),
    addresses: z.array(multiaddr).min(1),
  })
  .strict();

export const consensusParamsSchema = z
  .object({
    checkpointInterval: z.number().int().min(1).max(10_000).default(10),
    watermarkWindow: z.number().int().min(2).max(100_000).default(40),
    maxBatchesInFlight: z.number().int().min(1).max(64).default(4),
    maxBatchTxs: z.number().int().min(1).max(20_000).default(1000),
    maxBatchBytes: z.number().int().min(64 * 1024).describe("at least the 64 KiB cap of one transaction, so every admitted tx fits a batch").max(64 * 1024 * 1024).default(4 * 1024 * 1024),
    requestTimeoutMs: z.number().int().min(50).max(600_000).default(2000),
    viewChangeTimeoutMs: z.number().int().min(50).max(600_000).default(2000),
    maxViewChangeTimeoutMs: z.number().int().min(50).max(3_600_000).default(30_000),
    maxTimestampDriftMs: z.number().int().min(0).max(3_600_000).default(30_000),
  })
  .strict();

export const ledgerParamsSchema = z
  .object({
    txMaxAgeMs: z.number().int().min(1000).default(3_600_000),
    txMaxFutureMs: z.number().int().min(0).default(300_000),
    stateTreeDepth: z.number().int().min(4).max(24).default(20).describe("bits of the state tree bucket index; fixed at genesis (docs/storage.md: 20 keeps >= 80% of empty-ledger throughput at 1M receivables)"),
    // Digital warrants (docs/warrants.md): rule parameters every validator must apply identically.
    maxWarrantTenorDays: z.number().int().min(1).max(3660).default(365).describe("a warrant matures at most this many days after the block date it is issued in"),
    minWarrantPieceMajorUnits: z
      .number()
      .int()
      .min(1)
      .max(1_000_000_000)
      .default(100)
      .describe("smallest piece a transfer may create (and smallest remainder it may leave), in major units of the warrant's currency"),
    maxWarrantDepth: z.number().int().min(1).max(64).default(12).describe("deepest a piece may be below its warrant's first piece (tiers of the supply chain)"),
  })
  .strict();

export const genesisSchema = z
  .object({
    chainId: z.string().regex(/^[a-z0-9][a-z0-9-]{2,62}$/, "a chain id is 3-63 chars of a-z, 0-9 and '-'"),
    genesisTime: z.number().int().min(0).describe("ms since the Unix epoch; the first block's time must not precede it"),
    parties: z.array(genesisPartySchema).min(1),
    validators: z.array(validatorSchema).min(4),
    consensus: consensusParamsSchema.default(consensusParamsSchema.parse({})),
    ledger: ledgerParamsSchema.default(ledgerParamsSchema.parse({})),
  })
  .strict()
  .superRefine((g, ctx) => {
    const ids = new Set<string>();
    g.parties.forEach((p, i) => {
      if (ids.has(p.id)) ctx.addIssue({ code: "custom", path: ["parties", i, "id"], message: `duplicate party id ${p.id}` });
      ids.add(p.id);
    });
    const keys = new Set<string>();
    g.parties.forEach((p, i) => {
      if (keys.has(p.publicKey)) ctx.addIssue({ code: "custom", path: ["parties", i, "publicKey"], message: "public key used by two parties" });
      keys.add(p.publicKey);
    });
    const vids = new Set<string>();
    const nodeKeys = new Set<string>();
    g.validators.forEach((v, i) => {
      if (vids.has(v.id)) ctx.addIssue({ code: "custom", path: ["validators", i, "id"], message: `duplicate validator id ${v.id}` });
      vids.add(v.id);
      if (nodeKeys.has(v.nodePublicKey)) ctx.addIssue({ code: "custom", path: ["validators", i, "nodePublicKey"], message: "node key used by two validators" });
      nodeKeys.add(v.nodePublicKey);
    });
    if ((g.validators.length - 1) % 3 !== 0) {
      ctx.addIssue({
        code: "custom",
        path: ["validators"],
        message: `PBFT needs n = 3f + 1 validators (4, 7, 10, ...); got ${g.validators.length}`,
      });
    }
    if (!g.parties.some((p) => p.role === "BANK")) ctx.addIssue({ code: "custom", path: ["parties"], message: "genesis needs at least one BANK (only banks onboard exporters)" });
    if (g.consensus.watermarkWindow < 2 * g.consensus.checkpointInterval) {
      ctx.addIssue({ code: "custom", path: ["consensus", "watermarkWindow"], message: "must be at least 2 x checkpointInterval (PBFT §4.3)" });
    }
  });

export const observerSchema = z
  .object({
    id: z.string().min(1).max(64),
    nodePublicKey: hex32,
    addresses: z.array(multiaddr).default([]),
  })
  .strict();

/** An IPv4 or IPv6 address, or a CIDR block of either (`10.0.0.0/8`, `fd00::/8`). */
const addressOrCidr = z.string().refine((v) => {
  const [addr, bits, ...rest] = v.split("/");
  const family = isIP(addr ?? "");
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^[0-9]{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}, "expected an IP address or a CIDR block such as 10.0.0.0/8");

/** A browser origin as a browser sends it in the Origin header: scheme, host and port, no path. */
const webOrigin = z.string().refine((v) => {
  try {
    const u = new URL(v);
    return (u.protocol === "http:" || u.protocol === "https:") && u.origin === v;
  } catch {
    return false;
  }
}, "expected a browser origin such as https://app.example.com or http://localhost:5173 (scheme, host and port; no path or trailing slash)");

// The RPC's edge limits (docs/security.md §5 lists each with its default and why).
export const rpcConfigSchema = z
  .object({
    host: z.string().min(1).default("127.0.0.1"),
    port: z.number().int().min(0).max(65535).default(7001),
    maxBodyBytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(256 * 1024),
    rateLimitPerMinute: z.number().int().min(1).default(6000),
    maxBatchTxs: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(1000)
      .describe("signed transactions one POST /v1/txs/batch may carry (at most rateLimitPerMinute take effect: a batch is charged one token per transaction)"),
    maxBatchBytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024)
      .describe("largest body of POST /v1/txs/batch (JSON or protobuf); 1 MiB holds 1,000 typical transactions either way"),
    headersTimeoutMs: z.number().int().min(100).max(600_000).default(20_000).describe("a request's headers must arrive within this time of the connection's first byte"),
    requestTimeoutMs: z.number().int().min(100).max(3_600_000).default(30_000).describe("the whole request (headers and body) must arrive within this time; responses (waits, event streams) are not bounded by it"),
    keepAliveTimeoutMs: z
      .number()
      .int()
      .min(1000)
      .max(600_000)
      .default(65_000)
      .describe("idle keep-alive connections are closed after this; longer than the 60 s of common clients and load balancers, so the server is not the side that closes a connection a client reuses"),
    maxConnections: z.number().int().min(1).max(1_000_000).default(4096).describe("open connections at once, all clients together"),
    maxConnectionsPerAddress: z.number().int().min(1).max(1_000_000).default(512).describe("open connections at once from one client address (an IPv6 /64); a trusted proxy is exempt"),
    trustProxy: z.array(addressOrCidr).default([]).describe("addresses of TLS proxies in front of the node: from these peers only, the client address is taken from X-Forwarded-For"),
    maxEventStreams: z.number().int().min(1).max(100_000).default(256),
    maxEventStreamsPerParty: z.number().int().min(1).max(100_000).default(16),
    eventStreamsReservedForAuditors: z.number().int().min(0).max(100_000).default(32).describe("of maxEventStreams, held back for AUDITOR parties: other parties share the rest"),
    maxReplayBlocks: z.number().int().min(0).max(1_000_000).default(10_000).describe("stored blocks an event stream may replay on resume"),
    eventStreamBufferBytes: z.number().int().min(64 * 1024).max(64 * 1024 * 1024).default(256 * 1024).describe("unsent bytes an event stream may hold before it is dropped as too slow"),
    refusalLogsPerMinute: z.number().int().min(1).max(1_000_000).default(60).describe("log lines of refused or failed requests (>= 400) per minute; the rest are counted and reported in the next line"),
    corsOrigins: z.array(webOrigin).max(100).default([]).describe("browser origins allowed to call the API (CORS); none by default"),
    minHeightWaitMs: z
      .number()
      .int()
      .min(0)
      .max(60_000)
      .default(5_000)
      .describe("how long a read with ?minHeight waits for this node to apply that block before answering 503 HEIGHT_NOT_REACHED"),
    auditReads: z.boolean().default(true).describe("one info log line per authenticated read: party, route, object, status (docs/operator.md, the audit log)"),
    explorer: z.boolean().default(true).describe("serve the web explorer (the build's dist/explorer/) at /explorer/ (docs/explorer.md)"),
    testHooks: z
      .object({
        tamperHistory: z.boolean().default(false).describe("TEST ONLY: alter one amount in every receivable history this node serves, so a verifier must catch it"),
      })
      .strict()
      .default({ tamperHistory: false })
      .describe("test hooks, all off by default; never set them on a real node (docs/explorer.md, 'The tampering test hook')"),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.headersTimeoutMs > r.requestTimeoutMs) ctx.addIssue({ code: "custom", path: ["headersTimeoutMs"], message: "must not exceed requestTimeoutMs" });
    if (r.maxConnectionsPerAddress > r.maxConnections) ctx.addIssue({ code: "custom", path: ["maxConnectionsPerAddress"], message: "must not exceed maxConnections" });
    if (r.eventStreamsReservedForAuditors >= r.maxEventStreams) ctx.addIssue({ code: "custom", path: ["eventStreamsReservedForAuditors"], message: "must leave streams for other parties (less than maxEventStreams)" });
  });

export const nodeConfigSchema = z
  .object({
    dataDir: z.string().min(1).describe("LevelDB and consensus records; relative paths are resolved against the config file"),
    genesisFile: z.string().min(1),
    nodeKeyFile: z.string().min(1).optional().describe("the node key: an encrypted keystore (tradeledger init) or a plaintext dev key, mode 0600; or nodeKeyPkcs11"),
    nodeKeyPkcs11: z
      .object({
        module: z.string().min(1).describe("the PKCS#11 module (.so) of the HSM"),
        tokenLabel: z.string().min(1).max(32),
        keyLabel: z.string().min(1).max(128),
      })
      .strict()
      .optional()
      .describe("the node key in an HSM (PIN from TRADELEDGER_PKCS11_PIN_FILE or TRADELEDGER_PKCS11_PIN)"),
    mode: z.enum(["validator", "observer"]).default("validator"),
    validatorId: partyId.optional().describe("required in validator mode: which genesis validator this node is"),
    p2p: z
      .object({
        listen: z.array(multiaddr).min(1),
        observers: z.array(observerSchema).default([]).describe("non-voting peers this node admits (auditors, regulators)"),
        extraPeers: z.array(observerSchema).default([]).describe("peers to dial besides the genesis validators (an observer lists validators it may not be allowed to reach directly)"),
      })
      .strict(),
    rpc: rpcConfigSchema.default(rpcConfigSchema.parse({})),
    mempool: z
      .object({
        maxTxs: z.number().int().min(1).default(100_000),
        maxBytes: z.number().int().min(1024).default(256 * 1024 * 1024),
        maxTxsPerParty: z.number().int().min(1).default(1_000).describe("pending transactions one signer may submit through this node (docs/security.md §5)"),
        maxBytesPerParty: z.number().int().min(64 * 1024).default(4 * 1024 * 1024).describe("pending bytes one signer may submit through this node; at least one 64 KiB transaction"),
        verifyWorkers: z
          .number()
          .int()
          .min(0)
          .max(64)
          .default(0)
          .describe("worker threads that check the signatures of admitted transactions, off the event loop; 0 checks them inline (docs/performance.md: worth it only where the node has cores to itself)"),
      })
      .strict()
      .default({ maxTxs: 100_000, maxBytes: 256 * 1024 * 1024, maxTxsPerParty: 1_000, maxBytesPerParty: 4 * 1024 * 1024, verifyWorkers: 0 }),
    store: z
      .object({
        cacheBytes: z.number().int().min(0).max(4 * 2 ** 30).default(16 * 2 ** 20).describe("LevelDB's block cache (docs/performance.md, Memory at scale)"),
        writeBufferBytes: z.number().int().min(2 ** 20).max(2 ** 30).default(16 * 2 ** 20).describe("LevelDB's memtable; up to two are in memory while one is written out"),
        maxOpenFiles: z.number().int().min(74).max(50_000).default(74).describe("LevelDB table files kept open: each is mapped, and what was read of it counts in the node's RSS (~2 MiB per table at most)"),
        recordCacheBytes: z.number().int().min(0).max(4 * 2 ** 30).default(32 * 2 ** 20).describe("verified state records kept across blocks"),
        bucketCacheBytes: z.number().int().min(0).max(4 * 2 ** 30).default(32 * 2 ** 20).describe("verified state-tree buckets kept across blocks"),
      })
      .strict()
      .default({ cacheBytes: 16 * 2 ** 20, writeBufferBytes: 16 * 2 ** 20, maxOpenFiles: 74, recordCacheBytes: 32 * 2 ** 20, bucketCacheBytes: 32 * 2 ** 20 })
      .describe("the node's store: what it may hold in memory (docs/performance.md, Memory at scale)"),
    log: z
      .object({
        level: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
        file: z.string().optional(),
        signed: z.string().optional().describe("append one JSON line per consensus message this validator signs (evidence; node/driver/signed-log.ts); relative to the config file"),
        audit: z.string().optional().describe("the audit log of supervisory reads: one JSON line per signed read by a REGULATOR or AUDITOR (who, what, when; rpc/audit.ts); default audit.log in dataDir; relative to the config file"),
      })
      .strict()
      .default({ level: "info" }),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.mode === "validator" && !c.validatorId) {
      ctx.addIssue({ code: "custom", path: ["validatorId"], message: "required when mode is validator" });
    }
    if ((c.nodeKeyFile === undefined) === (c.nodeKeyPkcs11 === undefined)) {
      ctx.addIssue({ code: "custom", path: ["nodeKeyFile"], message: "give exactly one of nodeKeyFile and nodeKeyPkcs11" });
    }
  });

export type Genesis = z.infer<typeof genesisSchema>;
export type GenesisParty = z.infer<typeof genesisPartySchema>;
export type GenesisValidator = z.infer<typeof validatorSchema>;
export type ConsensusParams = z.infer<typeof consensusParamsSchema>;
export type LedgerParamsConfig = z.infer<typeof ledgerParamsSchema>;
export type NodeConfig = z.infer<typeof nodeConfigSchema>;
export type RpcConfig = z.infer<typeof rpcConfigSchema>;
export type ObserverConfig = z.infer<typeof observerSchema>;
