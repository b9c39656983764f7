// The operator CLI as a user runs it: a separate process, real files, exit codes and messages.
import t from "tap";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createDevnet } from "../config/devnet.js";
import { parseOutputs } from "../node/cli/cli-client.js";

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

// ---- digital warrants (docs/warrants.md) ----------------------------------------------------------

t.test("transfer outputs: --to party:amount:tradeRef, parsed strictly", async (t) => {
  const ref = "ab".repeat(32);
  t.same(parseOutputs([`tier2-foam:40000.00:${ref}`, "bank-b:100"]), [
    { to: "tier2-foam", amount: "40000.00", tradeRef: ref },
    { to: "bank-b", amount: "100", tradeRef: "" },
  ]);
  t.throws(() => parseOutputs([]), /at least one --to/);
  t.throws(() => parseOutputs(["tier2-foam"]), /expected party:amount:tradeRef/);
  t.throws(() => parseOutputs(["tier2-foam::" + ref]), /expected party:amount:tradeRef/);
  t.throws(() => parseOutputs(["a:1:2:3"]), /expected party:amount:tradeRef/);
  t.throws(() => parseOutputs(["tier2-foam:1:INV-7"]), /the tradeRef is a receivable id/);
});

t.test("warrant commands: usage errors are clear and exit 2 before anything is sent", async (t) => {
  const net = join(dir, "net");
  const cli = (...args: string[]) => run(...args, "--devnet", net, "--url", "http://127.0.0.1:9");
  const piece = "cd".repeat(32);
  const bad = cli("transfer-warrant", piece, "--party", "tier1-seating", "--currency", "USD", "--to", "tier2-foam");
  t.equal(bad.status, 2, bad.stderr);
  t.match(JSON.parse(bad.stderr), { error: { code: "USAGE", message: /expected party:amount:tradeRef/ } });
  t.match(cli("transfer-warrant", piece, "--party", "tier1-seating").stderr, /at least one --to/);
  // Major units need the piece's currency: --currency, or a read of the piece (no node here: NETWORK).
  t.match(cli("transfer-warrant", piece, "--party", "tier1-seating", "--to", "tier2-foam:100").stderr, /pass --currency <code> \(the piece's\)|NETWORK/);
  t.match(cli("issue-warrant", "--party", "carmaker", "--line", "l-1", "--holder", "tier1-seating", "--currency", "USD", "--maturity", "2027-01-01", "--source", piece).stderr, /exactly one of --amount .* or --minor/);
  t.match(cli("grant-line", "l-1", "--obligor", "carmaker", "--currency", "USD", "--amount", "1.001", "--expiry", "2027-01-01").stderr, /not an exact amount of USD/);
  // Without --expiry the line is read for it (no node here: NETWORK); a line that cannot be read asks for --expiry.
  t.match(cli("adjust-line", "l-1", "--minor", "100").stderr, /pass --expiry|NETWORK/);
  t.match(cli("confirm-payment", piece).stderr, /confirm-payment: pass --party <id>/);
  const missing = cli("offer-warrant", piece, "--party", "tier1-seating");
  t.not(missing.status, 0);
  t.match(missing.stderr, /--bank/);
  t.match(run("--help").stdout, /transfer-warrant/);
});

t.test("warrant commands against a node: line, issue, split, offer, finance, bank sale, pay; refusals carry their code", async (t) => {
  const { RpcHarness, invoice, day } = await import("./rpc-harness.js");
  const { writeKeyFile } = await import("../config/load.js");
  const { Command } = await import("commander");
  const { addClientCommands } = await import("../node/cli/cli-client.js");
  const h = await RpcHarness.create();
  const { server, url } = await h.serve();
  t.teardown(async () => {
    await server.stop();
    await h.close();
  });
  // The harness's parties: core-enterprise is the car maker, exporter-hz-textiles its tier-1
  // supplier, exporter-sz-electronics a tier-2 supplier of the tier-1.
  const net = join(dir, "warrant-net");
  for (const p of Object.values(h.parties)) writeKeyFile(join(net, "keys", `${p.id}.json`), { partyId: p.id, seed: p.seed });
  const tl = async (...args: string[]) => {
    let out = "";
    let err = "";
    let code = 0;
    const program = new Command("tradeledger").exitOverride();
    addClientCommands(program, { devnetDir: net, out: (s) => (out += s), err: (s) => (err += s), exit: (c) => (code = c), env: { TRADELEDGER_URL: url } });
    await program.parseAsync(args, { from: "user" });
    return { code, out: out ? JSON.parse(out) : undefined, err: err ? JSON.parse(err) : undefined };
  };
  const doc = (n: string, seller: string, amount: string) => {
    const file = join(net, `${n}.json`);
    writeFileSync(file, JSON.stringify(invoice(n, { seller, amount, issueDate: day(0), dueDate: day(90) })));
    return file;
  };
  const [obligor, t1, t2] = ["core-enterprise", "exporter-hz-textiles", "exporter-sz-electronics"];

  t.match(await tl("grant-line", "cli-line-1", "--obligor", obligor, "--currency", "USD", "--amount", "500000.00", "--expiry", day(200)), { code: 0, out: { lineId: "cli-line-1", limit: "50000000" } });
  const inv1 = await tl("register", doc("W-1", t1, "200000.00"), "--party", t1, "--buyer-party", obligor);
  t.match(inv1, { code: 0, out: { buyerPartyId: obligor } });
  const issued = await tl("issue-warrant", "--party", obligor, "--line", "cli-line-1", "--holder", t1, "--currency", "USD", "--amount", "200000.00", "--maturity", day(30), "--source", inv1.out.receivableId);
  t.equal(issued.code, 0, JSON.stringify(issued.err));
  t.match(issued.out, { warrantId: /^[0-9a-f]{64}$/, lineOutstanding: "20000000" });
  const root = issued.out.pieceId as string;
  t.equal(root, issued.out.warrantId, "the first piece's id is the warrant's");

  const inv2 = await tl("register", doc("W-2", t2, "80000.00"), "--party", t2, "--buyer-party", t1);
  const split = await tl("transfer-warrant", root, "--party", t1, "--currency", "USD", "--to", `${t2}:80000.00:${inv2.out.receivableId}`);
  t.equal(split.code, 0, JSON.stringify(split.err));
  t.match(split.out.pieces, [
    { holder: t2, amount: "8000000", depth: 1, tradeRef: inv2.out.receivableId },
    { holder: t1, amount: "12000000", depth: 1 },
  ]);
  const [mine, remainder] = split.out.pieces.map((p: { pieceId: string }) => p.pieceId);
  // The same invoice again: TRADE_REF_USED; financing it by the receivable route: TRADE_REF_USED.
  t.match(await tl("transfer-warrant", remainder, "--party", t1, "--minor-amounts", "--to", `${t2}:1000000:${inv2.out.receivableId}`), { code: 1, err: { error: { code: "TRADE_REF_USED", status: 409 } } });
  t.match(await tl("finance", inv2.out.receivableId, "--amount", "1000.00"), { code: 1, err: { error: { code: "TRADE_REF_USED" } } });
  // Offer, decline, offer, withdraw, offer, finance (bank-b), sell on to bank-a.
  t.match(await tl("offer-warrant", mine, "--party", t2, "--bank", "bank-b"), { code: 0, out: { status: "OFFERED" } });
  t.match(await tl("finance-warrant", mine, "--party", "bank-a", "--minor", "100"), { code: 1, err: { error: { code: "UNAUTHORIZED" } } });
  t.match(await tl("decline-offer", mine, "--party", "bank-b"), { code: 0, out: { status: "HELD" } });
  t.match(await tl("offer-warrant", mine, "--party", t2, "--bank", "bank-b"), { code: 0 });
  t.match(await tl("withdraw-offer", mine, "--party", t2), { code: 0, out: { status: "HELD" } });
  t.match(await tl("offer-warrant", mine, "--party", t2, "--bank", "bank-b"), { code: 0 });
  t.match(await tl("finance-warrant", mine, "--party", "bank-b", "--amount", "78000.00", "--currency", "USD"), { code: 0, out: { status: "FINANCED", seller: t2, advance: "7800000" } });
  const sale = await tl("transfer-warrant", mine, "--party", "bank-b", "--currency", "USD", "--to", "bank-a:80000.00");
  t.equal(sale.code, 0, JSON.stringify(sale.err));
  const sold = sale.out.pieces[0].pieceId as string;
  // Adjusting the line below what is outstanding is refused; above, fine.
  t.match(await tl("adjust-line", "cli-line-1", "--minor", "100", "--expiry", day(200)), { code: 1, err: { error: { code: "LIMIT_BELOW_OUTSTANDING" } } });
  t.match(await tl("adjust-line", "cli-line-1", "--amount", "600000.00", "--currency", "USD", "--expiry", day(200)), { code: 0, out: { outstanding: "20000000" } });
  // Payment: each holder confirms; the last settles the warrant and frees the line.
  t.match(await tl("confirm-payment", sold, "--party", "bank-a"), { code: 0, out: { lineOutstanding: "12000000", warrantSettled: false } });
  t.match(await tl("confirm-payment", remainder, "--party", t1), { code: 0, out: { lineOutstanding: "0", warrantSettled: true } });
  t.match(await tl("confirm-payment", remainder, "--party", t1), { code: 1, err: { error: { code: "INVALID_STATE" } } });
});
