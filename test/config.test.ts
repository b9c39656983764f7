import t from "tap";
import { mkdtempSync, statSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
    ["AUDITOR", "BANK", "BANK", "CUSTOMS", "ENTERPRISE", "ENTERPRISE", "ENTERPRISE"],
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
  t.match(caught(() => loadGenesis(bad)).message, /parties\[7\]\.id: duplicate party id bank-a/);
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
