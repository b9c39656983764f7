// The operator CLI as a user runs it: a separate process, real files, exit codes and messages.
import t from "tap";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createDevnet } from "../config/devnet.js";

const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "node", "cli", "cli.js");
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
const dir = mkdtempSync(join(tmpdir(), "tl-cli-"));

t.test("--help lists the operator and client commands", async (t) => {
  const out = execFileSync(process.execPath, [CLI, "--help"], { encoding: "utf8" });
  for (const cmd of ["start", "devnet", "init", "keys", "genesis", "register", "attest", "finance", "repay", "cancel", "show", "history"]) t.match(out, new RegExp(`\\n\\s+${cmd}\\b`), cmd);
  t.match(run("start", "--help").stdout, /--config <file>/);
});

t.test("keys generate writes a 0600 key file, show never prints the seed, nothing is overwritten", async (t) => {
  const file = join(dir, "bank-x.json");
  const gen = run("keys", "generate", "--party", "bank-x", "--out", file);
  t.equal(gen.status, 0, gen.stderr);
  t.equal(statSync(file).mode & 0o777, 0o600);
  const seed = JSON.parse(readFileSync(file, "utf8")).seed as string;
  const show = run("keys", "show", file);
  t.equal(show.status, 0);
  t.match(JSON.parse(show.stdout), { partyId: "bank-x", publicKey: /^[0-9a-f]{64}$/, peerId: /^12D3KooW/ });
  t.notMatch(show.stdout, seed, "the seed is not printed");
  const again = run("keys", "generate", "--party", "bank-x", "--out", file);
  t.not(again.status, 0);
  t.match(again.stderr, /refusing to overwrite/);
});

t.test("init creates a node key and a config the node accepts; refuses to overwrite", async (t) => {
  const net = createDevnet({ dir: join(dir, "net"), rpcBasePort: 41001, p2pBasePort: 42001 });
  const nodeDir = join(dir, "bank-a-host");
  const init = run("init", "--dir", nodeDir, "--validator-id", "bank-a", "--genesis", net.genesisFile, "--rpc-port", "41999");
  t.equal(init.status, 0, init.stderr);
  t.match(init.stdout, /node public key \(put it in the genesis validators\/observers list\): [0-9a-f]{64}/);
  const config = JSON.parse(readFileSync(join(nodeDir, "node.json"), "utf8"));
  t.match(config, { mode: "validator", validatorId: "bank-a", rpc: { port: 41999 } });
  t.equal(statSync(join(nodeDir, "node-key.json")).mode & 0o777, 0o600);
  // Its fresh key is not bank-a's key in this genesis: start refuses clearly instead of joining.
  const start = run("start", "--config", join(nodeDir, "node.json"));
  t.equal(start.status, 1);
  t.match(start.stderr, /is not validator bank-a's key in the genesis/);
  t.not(run("init", "--dir", nodeDir, "--validator-id", "bank-a").status, 0, "an existing node folder is not overwritten");
});

t.test("genesis validate names the offending field; start exits 78 on a bad config", async (t) => {
  const net = createDevnet({ dir: join(dir, "net2"), rpcBasePort: 43001, p2pBasePort: 44001 });
  const ok = run("genesis", "validate", net.genesisFile);
  t.equal(ok.status, 0);
  t.match(ok.stdout, /4 validators \(f = 1\): valid/);
  const g = JSON.parse(readFileSync(net.genesisFile, "utf8"));
  const bad = join(dir, "bad-genesis.json");
  writeFileSync(bad, JSON.stringify({ ...g, consensus: { ...g.consensus, watermarkWindow: 5 } }));
  const res = run("genesis", "validate", bad);
  t.equal(res.status, 78);
  t.match(res.stderr, /consensus\.watermarkWindow: must be at least 2 x checkpointInterval/);
  const cfg = JSON.parse(readFileSync(net.nodes[0]!.configFile, "utf8"));
  const badCfg = join(dirname(net.nodes[0]!.configFile), "bad.json");
  writeFileSync(badCfg, JSON.stringify({ ...cfg, rpc: { ...cfg.rpc, port: 70000 } }));
  const start = run("start", "--config", badCfg);
  t.equal(start.status, 78);
  t.match(start.stderr, /bad\.json: rpc\.port: Too big/);
});
