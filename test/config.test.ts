import t from "tap";
import { mkdtempSync, statSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { auditLogFile } from "../rpc/server.js";
import { createDevnet, ensureDevnet } from "../config/devnet.js";
import { ConfigError, loadGenesis, loadKeyFile, loadNodeConfig, writeJsonFile } from "../config/load.js";

function caught(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

const dir = mkdtempSync(join(tmpdir(), "tl-config-"));
const net = createDevnet({ dir, now: 1_760_000_000_000 });

t.test("a devnet has 4 validators, the sample parties, keys readable only by the owner", async (t) => {
  t.equal(net.nodes.length, 4);
  t.same(net.nodes.map((n) => n.rpcUrl), ["http://127.0.0.1:7001", "http://127.0.0.1:7002", "http://127.0.0.1:7003", "http://127.0.0.1:7004"]);
  t.same(
    net.parties.map((p) => p.role).sort(),
    ["AUDITOR", "BANK", "BANK", "CUSTODIAN", "CUSTODIAN", "CUSTOMS", ...Array(9).fill("ENTERPRISE"), "REGULATOR"],
  );
  t.same(
    net.parties.slice(0, 7).map((p) => p.id),
    ["bank-a", "bank-b", "customs", "core-enterprise", "exporter-hz-textiles", "exporter-sz-electronics", "auditor"],
    "the first seven sample parties keep their ids and order",
  );
  t.same(net.parties.slice(7, 12).map((p) => p.id), ["carmaker", "tier1-seating", "tier2-foam", "tier2-frames", "tier3-tubes"], "the warrant example's supply chain");
  t.same(
    net.parties.slice(12).map((p) => [p.id, p.role]),
    [
      ["warehouse-qd", "CUSTODIAN"],
      ["carrier-eastsea", "CUSTODIAN"],
      ["buyer-sh-retail", "ENTERPRISE"],
      ["regulator", "REGULATOR"],
    ],
    "the pledge example's warehouse and carrier, the buyer example's buyer, the supervision example's regulator",
  );
  for (const p of net.parties) {
    t.equal(statSync(p.keyFile).mode & 0o777, 0o600, `${p.id} key is 0600`);
    t.equal(Buffer.from(loadKeyFile(p.keyFile).publicKey).toString("hex"), p.publicKey);
  }
  const genesis = loadGenesis(net.genesisFile);
  t.equal(genesis.validators.length, 4);
  t.equal(genesis.consensus.checkpointInterval, 10, "defaults filled in");
  const again = ensureDevnet({ dir });
  t.equal(again.created, false, "an existing devnet is reused, never regenerated");
  t.same(again.missingParties, []);
  t.same(again.network.parties.map((p) => p.publicKey), net.parties.map((p) => p.publicKey));
});

t.test("node config: relative paths resolve against the file, env overrides apply", async (t) => {
  const file = net.nodes[0]!.configFile;
  const cfg = loadNodeConfig(file, {});
  t.equal(cfg.dataDir, net.nodes[0]!.dataDir);
  t.equal(cfg.rpc.port, 7001);
  const over = loadNodeConfig(file, { TRADELEDGER_RPC_PORT: "9100", TRADELEDGER_LOG_LEVEL: "debug", TRADELEDGER_P2P_LISTEN: "/ip4/0.0.0.0/tcp/1, /ip4/0.0.0.0/tcp/2" });
  t.equal(over.rpc.port, 9100);
  t.equal(over.log.level, "debug");
  t.same(over.p2p.listen, ["/ip4/0.0.0.0/tcp/1", "/ip4/0.0.0.0/tcp/2"]);
  t.equal(cfg.log.audit, undefined, "no audit path: the RPC writes audit.log in the data directory");
  t.equal(auditLogFile(cfg), join(net.nodes[0]!.dataDir, "audit.log"));
  const raw = JSON.parse(readFileSync(file, "utf8"));
  const withAudit = join(dirname(file), "node-audit.json");
  writeJsonFile(withAudit, { ...raw, log: { ...raw.log, audit: "logs/reads.log" } });
  t.equal(loadNodeConfig(withAudit, {}).log.audit, join(dirname(file), "logs", "reads.log"), "log.audit resolves against the config file");
});

t.test("errors name the file and the offending field", async (t) => {
  const file = net.nodes[0]!.configFile;
  let err = caught(() => loadNodeConfig(file, { TRADELEDGER_RPC_PORT: "70000" }));
  t.match(err.message, /node\.json: rpc\.port: Too big/);
  err = caught(() => loadNodeConfig(file, { TRADELEDGER_RPC_PORT: "seven" }));
  t.match(err.issues[0], { path: "rpc.port" });

  const g = JSON.parse(readFileSync(net.genesisFile, "utf8"));
  const bad = join(dir, "bad-genesis.json");
  writeJsonFile(bad, { ...g, validators: g.validators.slice(0, 3) });
  t.match(caught(() => loadGenesis(bad)).message, /validators: PBFT needs n = 3f \+ 1/);
  writeJsonFile(bad, { ...g, parties: [...g.parties, { ...g.parties[0], publicKey: "ab".repeat(32) }] });
  t.match(caught(() => loadGenesis(bad)).message, /parties\[16\]\.id: duplicate party id bank-a/);
  writeJsonFile(bad, { ...g, parties: [{ ...g.parties[0], country: "Germany" }, ...g.parties.slice(1)] });
  t.match(caught(() => loadGenesis(bad)).message, /parties\[0\]\.country/);
  // the identity point (small order): anyone could forge signatures under it
  writeJsonFile(bad, { ...g, parties: [{ ...g.parties[0], publicKey: "01" + "00".repeat(31) }, ...g.parties.slice(1)] });
  t.match(caught(() => loadGenesis(bad)).message, /parties\[0\]\.publicKey: not a usable ed25519 public key/);
  writeJsonFile(bad, { ...g, validators: [{ ...g.validators[0], nodePublicKey: "01" + "00".repeat(31) }, ...g.validators.slice(1)] });
  t.match(caught(() => loadGenesis(bad)).message, /validators\[0\]\.nodePublicKey: not a usable/);
  writeJsonFile(bad, { ...g, surprise: true });
  t.match(caught(() => loadGenesis(bad)).message, /Unrecognized key/);
  writeFileSync(bad, "{ not json");
  t.match(caught(() => loadGenesis(bad)).message, /not valid JSON/);
  t.match(caught(() => loadGenesis(join(dir, "missing.json"))).message, /cannot read: ENOENT/);
});

t.test("a key file whose public key does not match its seed is refused", async (t) => {
  const keyFile = net.parties[0]!.keyFile;
  const k = JSON.parse(readFileSync(keyFile, "utf8"));
  const bad = join(dir, "bad-key.json");
  writeJsonFile(bad, { ...k, publicKey: "00".repeat(32) }, 0o600);
  t.match(caught(() => loadKeyFile(bad)).issues, [{ path: "publicKey", message: "does not match the seed" }]);
  writeJsonFile(bad, { ...k, seed: "xyz" }, 0o600);
  t.match(caught(() => loadKeyFile(bad)).issues, [{ path: "seed" }]);
});

t.test("ledger genesis parameters of digital warrants: defaults and validation", async (t) => {
  const genesis = loadGenesis(net.genesisFile);
  t.match(genesis.ledger, { maxWarrantTenorDays: 365, minWarrantPieceMajorUnits: 100, maxWarrantDepth: 12 }, "defaults of DESIGN.md §7");
  const g = JSON.parse(readFileSync(net.genesisFile, "utf8"));
  const file = join(dir, "warrant-genesis.json");
  writeJsonFile(file, { ...g, ledger: { maxWarrantTenorDays: 90, minWarrantPieceMajorUnits: 1, maxWarrantDepth: 3 } });
  t.match(loadGenesis(file).ledger, { maxWarrantTenorDays: 90, minWarrantPieceMajorUnits: 1, maxWarrantDepth: 3, txMaxAgeMs: 3_600_000, stateTreeDepth: 20 }, "set ones kept, others defaulted");
  const bad = (ledger: Record<string, unknown>) => {
    writeJsonFile(file, { ...g, ledger: { ...g.ledger, ...ledger } });
    return caught(() => loadGenesis(file)).message;
  };
  t.match(bad({ maxWarrantTenorDays: 0 }), /ledger\.maxWarrantTenorDays: Too small/);
  t.match(bad({ maxWarrantTenorDays: 30.5 }), /ledger\.maxWarrantTenorDays: .*expected int/);
  t.match(bad({ maxWarrantTenorDays: "365" }), /ledger\.maxWarrantTenorDays: .*expected number, received string/);
  t.match(bad({ minWarrantPieceMajorUnits: 0 }), /ledger\.minWarrantPieceMajorUnits: Too small/);
  t.match(bad({ minWarrantPieceMajorUnits: 1e12 }), /ledger\.minWarrantPieceMajorUnits: Too big/);
  t.match(bad({ maxWarrantDepth: 0 }), /ledger\.maxWarrantDepth: Too small/);
  t.match(bad({ maxWarrantDepth: 65 }), /ledger\.maxWarrantDepth: Too big/);
  t.match(bad({ maxWarrantDeep: 3 }), /Unrecognized key/);
  const devnet = createDevnet({ dir: join(dir, "short-tenor"), ledger: { maxWarrantTenorDays: 30 }, now: 1_760_000_000_000 });
  t.equal(loadGenesis(devnet.genesisFile).ledger.maxWarrantTenorDays, 30, "createDevnet passes ledger overrides to genesis");
});

t.test("an older devnet is kept as is; the sample parties it lacks are reported", async (t) => {
  const old = join(dir, "older");
  const made = createDevnet({ dir: old, now: 1_760_000_000_000 });
  // What a devnet created before the warrant parties existed looks like.
  const first7 = made.parties.slice(0, 7);
  writeJsonFile(join(old, "network.json"), { ...made, parties: first7 });
  const g = JSON.parse(readFileSync(made.genesisFile, "utf8"));
  writeJsonFile(made.genesisFile, { ...g, parties: g.parties.slice(0, 7) });
  const before = readFileSync(made.genesisFile, "utf8");
  const again = ensureDevnet({ dir: old });
  t.equal(again.created, false);
  t.same(again.missingParties, ["carmaker", "tier1-seating", "tier2-foam", "tier2-frames", "tier3-tubes", "warehouse-qd", "carrier-eastsea", "buyer-sh-retail", "regulator"]);
  t.equal(readFileSync(made.genesisFile, "utf8"), before, "its genesis is not rewritten");
  // One created with the warrant parties, before the custodians and the buyer existed.
  const warrantEra = join(dir, "warrant-era");
  const made2 = createDevnet({ dir: warrantEra, now: 1_760_000_000_000 });
  writeJsonFile(join(warrantEra, "network.json"), { ...made2, parties: made2.parties.slice(0, 12) });
  const again2 = ensureDevnet({ dir: warrantEra });
  t.same(again2.missingParties, ["warehouse-qd", "carrier-eastsea", "buyer-sh-retail", "regulator"]);
});
