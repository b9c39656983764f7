// The operator CLI as a user runs it: a separate process, real files, exit codes and messages.
import t from "tap";
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createDevnet } from "../config/devnet.js";
import { parseOutputs, payeeAccountHashOf, quantityOf, titleKindOf } from "../node/cli/cli-client.js";
import { toHex } from "../sdk/bytes.js";

const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "node", "cli", "cli.js");
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
/** The same with a key passphrase in the environment (as a service gets it), no terminal. */
const PASSPHRASE = "an operator's long passphrase";
const runWithPassphrase = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...process.env, TRADELEDGER_KEY_PASSPHRASE: PASSPHRASE } });
const dir = mkdtempSync(join(tmpdir(), "tl-cli-"));

t.test("--help lists the operator and client commands", async (t) => {
  const out = execFileSync(process.execPath, [CLI, "--help"], { encoding: "utf8" });
  for (const cmd of [
    "start", "devnet", "init", "keys", "genesis", "register", "attest", "finance", "repay", "cancel", "show", "history",
    "attest-stock", "issue-title", "transfer-title", "offer-pledge", "accept-pledge", "release-pledge", "surrender-title", "show-title", "show-lot", "titles",
    "acknowledge", "dispute", "resolve-dispute", "notify-assignment", "alerts", "rule",
    "status", "block", "tx", "events", "party", "sign-request",
  ]) t.match(out, new RegExp(`\\n\\s+${cmd}\\b`), cmd);
  t.match(run("start", "--help").stdout, /--config <file>/);
  t.match(run("party", "--help").stdout, /register \[options\] <id>/);
  // --json on every command that prints (start and devnet run nodes: their output is the log)
  const { buildCli } = await import("../node/cli/cli.js");
  type Cmd = { name(): string; commands: readonly Cmd[]; options: readonly { long?: string }[] };
  const leaves = (c: Cmd, path: string[]): string[][] =>
    c.commands.length === 0 ? [[path.join(" "), c.options.some((o) => o.long === "--json") ? "json" : "no"]] : c.commands.flatMap((sub) => leaves(sub, [...path, sub.name()]));
  const all = (buildCli() as unknown as Cmd).commands.flatMap((c) => leaves(c, [c.name()]));
  t.ok(all.length > 40, `${all.length} commands`);
  t.same(all.filter(([name, json]) => json !== "json" && name !== "start" && name !== "devnet"), [], "every command but start and devnet takes --json");
});

t.test("keys generate writes a 0600 key file, show never prints the seed, nothing is overwritten", async (t) => {
  const file = join(dir, "bank-x.json");
  const gen = run("keys", "generate", "--party", "bank-x", "--out", file, "--plaintext");
  t.match(gen.stdout, /PLAINTEXT development key/);
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
  // by default the key is encrypted, and without a terminal the passphrase must come from somewhere
  const encrypted = join(dir, "bank-y.json");
  const noPass = run("keys", "generate", "--party", "bank-y", "--out", encrypted);
  t.equal(noPass.status, 78);
  t.match(noPass.stderr, /needs a passphrase: --passphrase-file, TRADELEDGER_KEY_PASSPHRASE_FILE/);
  const passFile = join(dir, "pass.txt");
  writeFileSync(passFile, "from a file\n", { mode: 0o600 });
  const genEnc = run("keys", "generate", "--party", "bank-y", "--out", encrypted, "--passphrase-file", passFile);
  t.equal(genEnc.status, 0, genEnc.stderr);
  t.match(genEnc.stdout, /\(encrypted\)/);
  const text = readFileSync(encrypted, "utf8");
  t.match(JSON.parse(text), { format: "tradeledger-keystore/v1", partyId: "bank-y", kdf: { name: "scrypt", N: 131072 }, cipher: { name: "xchacha20-poly1305" } });
  t.notOk(JSON.parse(text).seed);
  t.match(JSON.parse(run("keys", "show", encrypted).stdout), { partyId: "bank-y", encrypted: true }, "show needs no passphrase");
});

t.test("init creates a node key and a config the node accepts; refuses to overwrite", async (t) => {
  const net = createDevnet({ dir: join(dir, "net"), rpcBasePort: 41001, p2pBasePort: 42001 });
  const nodeDir = join(dir, "bank-a-host");
  const init = runWithPassphrase("init", "--dir", nodeDir, "--validator-id", "bank-a", "--genesis", net.genesisFile, "--rpc-port", "41999");
  t.equal(init.status, 0, init.stderr);
  t.match(init.stdout, /node public key \(put it in the genesis validators\/observers list\): [0-9a-f]{64}/);
  const config = JSON.parse(readFileSync(join(nodeDir, "node.json"), "utf8"));
  t.match(config, { mode: "validator", validatorId: "bank-a", rpc: { port: 41999 } });
  t.equal(statSync(join(nodeDir, "node-key.json")).mode & 0o777, 0o600);
  t.match(JSON.parse(readFileSync(join(nodeDir, "node-key.json"), "utf8")), { format: "tradeledger-keystore/v1", kind: "node" }, "encrypted by default");
  const locked = run("start", "--config", join(nodeDir, "node.json"));
  t.equal(locked.status, 78, "an encrypted node key without its passphrase stops the start");
  t.match(locked.stderr, /needs a passphrase/);
  // Its fresh key is not bank-a's key in this genesis: start refuses clearly instead of joining.
  const start = runWithPassphrase("start", "--config", join(nodeDir, "node.json"));
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
  writeFileSync(join(net, "genesis.json"), JSON.stringify(h.genesis())); // the validators --verify trusts
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
  // Histories proven complete: the offered piece's (offers, a decline, a withdrawal, its financing, a
  // refused financing), the line's (with its refused adjustment), the warrant's.
  const pieceHistory = await tl("history", mine, "--kind", "piece", "--verify");
  t.match(pieceHistory, { code: 0, out: { kind: "piece", id: mine, verification: { ok: true, problems: [] } } }, "history --kind piece --verify");
  t.ok(pieceHistory.out.items.some((e: { code: string }) => e.code === "UNAUTHORIZED"), "the refused financing is in it");
  t.equal(pieceHistory.out.verification.checked, pieceHistory.out.items.length);
  const lineHistory = await tl("history", "cli-line-1", "--kind", "line", "--verify");
  t.match(lineHistory, { code: 0, out: { kind: "line", verification: { ok: true } } }, "history --kind line --verify");
  t.ok(lineHistory.out.items.some((e: { code: string }) => e.code === "LIMIT_BELOW_OUTSTANDING"));
  t.match(await tl("history", root, "--kind", "warrant", "--verify"), { code: 0, out: { kind: "warrant", verification: { ok: true } } }, "history --kind warrant --verify");
});

// ---- title documents and pledges (docs/titles.md), the buyer's word (docs/ledger.md) ---------------

t.test("title and buyer inputs: quantities, kinds, payee accounts, parsed strictly", async (t) => {
  t.equal(quantityOf("1000", { allowZero: false }), 1000n);
  t.equal(quantityOf("0", { allowZero: true }), 0n);
  t.throws(() => quantityOf("0", { allowZero: false }), /must be greater than 0/);
  for (const bad of ["1.5", "-3", "1e3", "01", " 7", "abc"]) t.throws(() => quantityOf(bad, { allowZero: true }), /a whole count of the lot's unit/, bad);
  t.throws(() => quantityOf("18446744073709551616", { allowZero: true }), /above 2\^64-1/);
  t.throws(() => quantityOf(undefined, { allowZero: true }), /pass --quantity <n>/);
  t.equal(titleKindOf(undefined), "WAREHOUSE_RECEIPT");
  t.equal(titleKindOf("bill-of-lading"), "BILL_OF_LADING");
  t.equal(titleKindOf("BILL_OF_LADING"), "BILL_OF_LADING");
  t.equal(titleKindOf("wr"), "WAREHOUSE_RECEIPT");
  t.throws(() => titleKindOf("airway-bill"), /warehouse-receipt \(wr\) or bill-of-lading \(bl\)/);
  // An IBAN's print form and its electronic form: one hash.
  t.equal(toHex(payeeAccountHashOf("DE89 3704 0044 0532 0130 00")), toHex(payeeAccountHashOf("de89370400440532013000")));
  t.throws(() => payeeAccountHashOf("   "), /the payee account/);
});

t.test("title and buyer commands: usage errors are clear and exit 2 before anything is sent", async (t) => {
  const net = join(dir, "net");
  const cli = (...args: string[]) => run(...args, "--devnet", net, "--url", "http://127.0.0.1:9");
  const usage = (r: ReturnType<typeof run>, message: RegExp, what: string) => {
    t.equal(r.status, 2, `${what}: exit 2 (${r.stderr.trim().slice(0, 200)})`);
    t.match(JSON.parse(r.stderr || "{}"), { error: { code: "USAGE", message } }, what);
  };
  const title = "ab".repeat(32);
  usage(cli("attest-stock", "Lot 1", "--party", "warehouse-qd", "--quantity", "10"), /lot id "Lot 1": 2-63 characters/, "a bad lot id");
  usage(cli("attest-stock", "lot-1", "--party", "warehouse-qd", "--quantity", "1.5"), /a whole count of the lot's unit/, "a decimal quantity");
  usage(cli("attest-stock", "lot-1", "--party", "warehouse-qd"), /pass --quantity <n>/, "no quantity");
  usage(cli("attest-stock", "lot-1", "--party", "warehouse-qd", "--quantity", "10", "--description", "x.json", "--description-hash", title), /exclude each other/, "two descriptions");
  usage(cli("attest-stock", "lot-1", "--quantity", "10"), /attest-stock: pass --party <id>/, "no signer");
  usage(cli("attest-stock", "lot-1", "--party", "warehouse-qd", "--quantity", "10", "--hs-code", "7403", "--unit", "TNE", "--description-hash", title), /goods\.hsCode: .*Harmonized System code/, "a malformed HS code is caught before signing");
  usage(cli("issue-title", "--party", "warehouse-qd", "--lot", "lot-1", "--holder", "trader", "--quantity", "10"), /exactly one of --number .* or --fingerprint/, "no number");
  usage(cli("issue-title", "--party", "carrier-eastsea", "--lot", "lot-1", "--holder", "trader", "--quantity", "10", "--kind", "bl", "--number", "ESCL123"), /pass --scac <carrier code>/, "a B/L without its carrier");
  usage(cli("issue-title", "--party", "warehouse-qd", "--lot", "lot-1", "--holder", "trader", "--quantity", "0", "--number", "WR-1"), /--quantity must be greater than 0/, "an empty title");
  usage(cli("issue-title", "--party", "warehouse-qd", "--lot", "lot-1", "--holder", "trader", "--quantity", "5", "--kind", "receipt", "--number", "WR-1"), /--kind receipt/, "an unknown kind");
  usage(cli("issue-title", "--party", "warehouse-qd", "--lot", "lot-1", "--holder", "trader", "--quantity", "5", "--number", "---"), /receiptNumber: /, "a number with nothing to fingerprint");
  usage(cli("transfer-title", "t-1", "--party", "exporter-hz-textiles", "--to", "x"), /title id "t-1": 64 lower-case hex digits/, "a bad title id");
  usage(cli("offer-pledge", title, "--party", "exporter-hz-textiles", "--bank", "bank-a", "--currency", "USD", "--expiry", "2027-01-01"), /exactly one of --amount .* or --minor/, "no secured amount");
  usage(cli("offer-pledge", title, "--party", "exporter-hz-textiles", "--bank", "bank-a", "--currency", "USD", "--amount", "10.001", "--expiry", "2027-01-01"), /not an exact amount of USD/, "sub-cent amount");
  usage(cli("offer-pledge", title, "--party", "exporter-hz-textiles", "--bank", "bank-a", "--currency", "USD", "--amount", "10", "--expiry", "2027-02-30"), /expiryDate: /, "no such day");
  usage(cli("titles", "bank-a", "--status", "SURRENDERED"), /--status SURRENDERED: one of HELD, PLEDGE_OFFERED, PLEDGED/, "a surrendered title is no one's");
  usage(cli("titles", "bank-a", "--limit", "0"), /--limit 0: 1 to 1000/, "page size");
  usage(cli("show-lot", "LOT"), /lot id "LOT"/, "a bad lot id to read");
  usage(cli("history", "cu-lot-1", "--kind", "vessel"), /--kind vessel: one of receivable, piece, warrant, line, title, lot/, "an unknown history kind");
  usage(cli("history", "LOT", "--kind", "lot"), /lot id "LOT"/, "a bad lot id for its history");
  usage(cli("history", "t-1", "--kind", "piece"), /piece id "t-1": 64 lower-case hex digits/, "a bad piece id for its history");
  usage(cli("dispute", "r-1", "--party", "core-enterprise", "--reason", "short delivery"), /receivable id "r-1"/, "a bad receivable id");
  usage(cli("dispute", title, "--party", "core-enterprise", "--reason", ""), /reason: /, "an empty reason");
  usage(cli("notify-assignment", title), /exactly one of --account .* or --account-hash/, "no payee");
  usage(cli("notify-assignment", title, "--account-hash", "12"), /--account-hash 12: 64 lower-case hex digits/, "a short hash");
  usage(cli("resolve-dispute", title), /resolve-dispute: pass --party <id>/, "no buyer");
  const missing = cli("dispute", title, "--party", "core-enterprise");
  t.not(missing.status, 0);
  t.match(missing.stderr, /--reason/);
  t.match(run("finance", "--help").stdout, /--require-ack/);
});

t.test("title and buyer commands against a node: stock, receipts, pledges, surrender; acknowledgement, financing on it, notice, dispute", async (t) => {
  const { RpcHarness, invoice, day } = await import("./rpc-harness.js");
  const { writeKeyFile } = await import("../config/load.js");
  const { Command } = await import("commander");
  const { addClientCommands } = await import("../node/cli/cli-client.js");
  const { createClient } = await import("../sdk/client.js");
  const { tx } = await import("../sdk/builders.js");
  const { signerFromSeed } = await import("../sdk/signer.js");
  const { sha256 } = await import("../sdk/crypto.js");
  const { utf8 } = await import("../sdk/bytes.js");
  const h = await RpcHarness.create();
  const { server, url } = await h.serve();
  t.teardown(async () => {
    await server.stop();
    await h.close();
  });
  const net = join(dir, "title-net");
  for (const p of Object.values(h.parties)) writeKeyFile(join(net, "keys", `${p.id}.json`), { partyId: p.id, seed: p.seed });
  writeFileSync(join(net, "genesis.json"), JSON.stringify(h.genesis())); // the validators --verify trusts
  // The harness's genesis predates the custodians: bank-a onboards them, as on an older devnet.
  const bankA = createClient({ url, signer: h.party("bank-a").signer });
  for (const id of ["warehouse-qd", "carrier-eastsea"]) {
    const seed = sha256(utf8(`cli-test/${id}`));
    writeKeyFile(join(net, "keys", `${id}.json`), { partyId: id, seed });
    await bankA.submit(tx.registerParty({ id, role: "CUSTODIAN", name: `${id} (test)`, country: "CN", publicKey: signerFromSeed(id, seed).publicKey }));
  }
  const tl = async (...args: string[]) => {
    let out = "";
    let err = "";
    let code = 0;
    const program = new Command("tradeledger").exitOverride();
    addClientCommands(program, { devnetDir: net, out: (s) => (out += s), err: (s) => (err += s), exit: (c) => (code = c), env: { TRADELEDGER_URL: url } });
    await program.parseAsync(args, { from: "user" });
    return { code, out: out ? JSON.parse(out) : undefined, err: err ? JSON.parse(err) : undefined };
  };
  const ok = (r: { code: number; err?: unknown }, what: string) => t.equal(r.code, 0, `${what}: ${JSON.stringify(r.err)}`);
  const trader = "exporter-hz-textiles";
  const other = "exporter-sz-electronics";

  // Stock: a new lot needs its goods; a later attestation keeps them.
  const goods = join(net, "copper.json");
  writeFileSync(goods, JSON.stringify({ goods: "copper cathodes, grade A", standard: "LME registered brand", origin: "CL" }));
  const attested = await tl("attest-stock", "cu-lot-1", "--party", "warehouse-qd", "--quantity", "1000", "--hs-code", "740311", "--unit", "TNE", "--description", goods);
  ok(attested, "attest-stock");
  t.match(attested.out, { lotId: "cu-lot-1", custodian: "warehouse-qd", goods: { hsCode: "740311", unit: "TNE", descriptionHash: /^[0-9a-f]{64}$/ }, quantity: "1000", titled: "0" });
  t.match(await tl("attest-stock", "cu-lot-2", "--party", "warehouse-qd", "--quantity", "5"), { code: 2, err: { error: { code: "USAGE", message: /cu-lot-2 is a new lot/ } } });
  t.match(await tl("attest-stock", "cu-lot-1", "--party", "carrier-eastsea", "--quantity", "5", "--hs-code", "740311", "--unit", "TNE", "--description", goods), { code: 1, err: { error: { code: "UNAUTHORIZED", status: 403 } } });

  // Receipts: up to the stock; beyond it EXCEEDS_STOCK (the empty pledge); a number twice DUPLICATE_TITLE.
  const wr1 = await tl("issue-title", "--party", "warehouse-qd", "--lot", "cu-lot-1", "--holder", trader, "--quantity", "600", "--number", "WR-2026/0042");
  ok(wr1, "issue-title");
  t.match(wr1.out, { titleId: /^[0-9a-f]{64}$/, kind: "WAREHOUSE_RECEIPT", lotTitled: "600", status: "HELD", holder: trader });
  const title = wr1.out.titleId as string;
  t.match(await tl("issue-title", "--party", "warehouse-qd", "--lot", "cu-lot-1", "--holder", other, "--quantity", "500", "--number", "WR-2026/0043"), { code: 1, err: { error: { code: "EXCEEDS_STOCK", status: 409 } } });
  t.match(await tl("issue-title", "--party", "warehouse-qd", "--lot", "cu-lot-1", "--holder", other, "--quantity", "10", "--number", "wr 2026 0042"), { code: 1, err: { error: { code: "DUPLICATE_TITLE", receipt: { target: title } } } });
  t.match(await tl("attest-stock", "cu-lot-1", "--party", "warehouse-qd", "--quantity", "599"), { code: 1, err: { error: { code: "EXCEEDS_STOCK" } } });
  t.match(await tl("attest-stock", "cu-lot-1", "--party", "warehouse-qd", "--quantity", "900"), { code: 0, out: { quantity: "900", titled: "600" } });
  const wr2 = await tl("issue-title", "--party", "warehouse-qd", "--lot", "cu-lot-1", "--holder", other, "--quantity", "300", "--kind", "warehouse-receipt", "--number", "WR-2026/0043");
  ok(wr2, "issue up to the stock");

  // Pledges: one offer at a time (TITLE_PLEDGED), only the offered bank accepts.
  const offer = await tl("offer-pledge", title, "--party", trader, "--bank", "bank-a", "--currency", "USD", "--amount", "4500000.00", "--expiry", day(90));
  ok(offer, "offer-pledge");
  t.match(offer.out, { status: "PLEDGE_OFFERED", bank: "bank-a", securedAmount: "450000000" });
  t.match(await tl("offer-pledge", title, "--party", trader, "--bank", "bank-b", "--currency", "USD", "--minor", "100", "--expiry", day(90)), { code: 1, err: { error: { code: "TITLE_PLEDGED" } } });
  t.match(await tl("accept-pledge", title, "--party", "bank-b"), { code: 1, err: { error: { code: "UNAUTHORIZED" } } });
  t.match(await tl("transfer-title", title, "--party", trader, "--to", other), { code: 1, err: { error: { code: "TITLE_PLEDGED" } } });
  t.match(await tl("accept-pledge", title), { code: 0, out: { status: "PLEDGED", bank: "bank-a", holder: trader } });
  t.match(await tl("release-pledge", title, "--party", trader), { code: 1, err: { error: { code: "UNAUTHORIZED" } } });
  t.match(await tl("surrender-title", title, "--party", "warehouse-qd"), { code: 1, err: { error: { code: "TITLE_PLEDGED" } } });

  // Reads: the pledgee sees the title and lists it; the holder its titles; the custodian the lot.
  const shown = await tl("show-title", title, "--party", "bank-a");
  ok(shown, "show-title");
  t.match(shown.out, { title: { id: title, status: "PLEDGED", holderId: trader, quantity: "600" }, goods: { unit: "TNE" }, pledges: [{ bankId: "bank-a", outcome: "PLEDGED", securedAmount: "450000000" }] });
  t.match(await tl("show-title", title, "--party", "bank-b"), { code: 1, err: { error: { code: "FORBIDDEN", status: 403 } } });
  t.match(await tl("titles", "bank-a"), { code: 0, out: { partyId: "bank-a", as: "pledgee", items: [{ id: title, status: "PLEDGED" }] } });
  t.match(await tl("titles", trader, "--status", "pledged"), { code: 0, out: { as: "holder", items: [{ id: title }] } });
  t.match(await tl("titles", trader, "--party", other), { code: 1, err: { error: { code: "FORBIDDEN" } } });
  const lot = await tl("show-lot", "cu-lot-1", "--party", "warehouse-qd");
  t.match(lot.out, { lot: { id: "cu-lot-1", quantity: "900", titled: "900" }, available: "0", complete: true });
  t.equal(lot.out.items.length, 2);
  t.match(await tl("show-lot", "cu-lot-1", "--party", other), { code: 0, out: { complete: false, items: [{ holderId: other }] } });

  // Release, pass on, deliver.
  t.match(await tl("release-pledge", title), { code: 0, out: { status: "HELD", releasedBy: "bank-a", wasAccepted: true } });
  t.match(await tl("transfer-title", title, "--party", trader, "--to", other), { code: 0, out: { holder: other } });
  t.match(await tl("surrender-title", title, "--party", "warehouse-qd"), { code: 0, out: { status: "SURRENDERED", lotTitled: "300", quantity: "600" } });
  t.match(await tl("surrender-title", title, "--party", "warehouse-qd"), { code: 1, err: { error: { code: "INVALID_STATE" } } });
  const history = await tl("show-title", title);
  t.match(history.out, { title: { status: "SURRENDERED" }, pledges: [{ bankId: "bank-a", outcome: "RELEASED", accepted: { signer: "bank-a" }, released: { signer: "bank-a" } }] });
  // --verify: the title's and the lot's whole histories proven complete against the genesis validators
  const verifiedTitle = await tl("show-title", title, "--verify");
  t.match(verifiedTitle, { code: 0, out: { title: { status: "SURRENDERED" }, verification: { ok: true, problems: [] } } }, "show-title --verify");
  t.match(verifiedTitle.out.verification.completeThrough, /^[1-9][0-9]*$/, "complete up to a certified height");
  t.match(await tl("show-lot", "cu-lot-1", "--party", "warehouse-qd", "--verify"), { code: 0, out: { verification: { ok: true, problems: [] } } }, "show-lot --verify");
  const titleHistory = await tl("history", title, "--kind", "title", "--verify");
  t.match(titleHistory, { code: 0, out: { kind: "title", id: title, verification: { ok: true } } }, "history --kind title --verify");
  t.ok(titleHistory.out.items.some((e: { code: string }) => e.code === "TITLE_PLEDGED"), "its rejected attempts included");

  // A carrier's bill of lading: the carrier code is part of its number's fingerprint.
  t.match(await tl("attest-stock", "voy-2611e", "--party", "carrier-eastsea", "--quantity", "40", "--hs-code", "620342", "--unit", "C62", "--description-hash", "cd".repeat(32)), { code: 0 });
  const bl = await tl("issue-title", "--party", "carrier-eastsea", "--lot", "voy-2611e", "--holder", trader, "--quantity", "30", "--kind", "bill-of-lading", "--scac", "ESCL", "--number", "ESCL NBO 2611 0417");
  ok(bl, "a bill of lading");
  t.match(await tl("issue-title", "--party", "carrier-eastsea", "--lot", "voy-2611e", "--holder", other, "--quantity", "1", "--kind", "bl", "--scac", "escl", "--number", "NBO26110417"), { code: 1, err: { error: { code: "DUPLICATE_TITLE", receipt: { target: bl.out.titleId } } } });

  // The buyer's word: core-enterprise buys from exporter-hz-textiles, at home (no export declaration).
  const buyer = "core-enterprise";
  const doc = join(net, "domestic.json");
  writeFileSync(doc, JSON.stringify(invoice("DOM-1", { seller: trader, amount: "100000.00", issueDate: day(0), dueDate: day(60) })));
  const reg = await tl("register", doc, "--party", trader, "--buyer-party", buyer);
  ok(reg, "register with a buyer on the network");
  const rid = reg.out.receivableId as string;
  t.match(await tl("finance", rid, "--amount", "10000.00"), { code: 1, err: { error: { code: "NOT_ATTESTED" } } });
  t.match(await tl("acknowledge", rid, "--party", other, "--amount", "80000.00"), { code: 1, err: { error: { code: "FORBIDDEN" } } });
  t.match(await tl("acknowledge", rid, "--party", buyer, "--amount", "100000.01"), { code: 1, err: { error: { code: "EXCEEDS_FACE_VALUE" } } });
  const ack = await tl("acknowledge", rid, "--party", buyer, "--amount", "80000.00");
  ok(ack, "acknowledge");
  t.match(ack.out, { acknowledgedAmount: "8000000", currency: "USD", dueDate: day(60), faceValue: "10000000" });
  t.match(await tl("finance", rid, "--amount", "90000.00", "--require-ack"), { code: 1, err: { error: { code: "NOT_ACKNOWLEDGED" } } });
  t.match(await tl("finance", rid, "--amount", "50000.00", "--require-ack"), { code: 0, out: { requireAcknowledgement: true, liveFinanced: "5000000" } });
  t.match(await tl("finance", rid, "--party", "bank-b", "--amount", "30000.01"), { code: 1, err: { error: { code: "NOT_ACKNOWLEDGED" } } });
  t.match(await tl("finance", rid, "--party", "bank-b", "--amount", "20000.00"), { code: 0, out: { liveFinanced: "7000000" } });
  const notice = await tl("notify-assignment", rid, "--account", "DE89 3704 0044 0532 0130 00");
  t.match(notice, { code: 0, out: { payeeBankId: "bank-a", payeeAccountHash: toHex(payeeAccountHashOf("DE89370400440532013000")), buyerPartyId: buyer } });
  t.match(await tl("notify-assignment", rid, "--party", "bank-b", "--account", "CN12 3456"), { code: 1, err: { error: { code: "PAYEE_LOCKED" } } });
  t.match(await tl("dispute", rid, "--party", buyer, "--reason", "short delivery: 20 of 100 bales missing"), { code: 0, out: { disputed: true } });
  t.match(await tl("finance", rid, "--party", "bank-b", "--amount", "5000.00"), { code: 1, err: { error: { code: "DISPUTED" } } });
  t.match(await tl("acknowledge", rid, "--party", buyer, "--amount", "80000.00"), { code: 1, err: { error: { code: "DISPUTED" } } });
  t.match(await tl("dispute", rid, "--party", buyer, "--reason", "again"), { code: 1, err: { error: { code: "DISPUTED" } } });
  t.match(await tl("resolve-dispute", rid, "--party", buyer), { code: 0, out: { disputed: false } });
  t.match(await tl("resolve-dispute", rid, "--party", buyer), { code: 1, err: { error: { code: "INVALID_STATE" } } });
  t.match(await tl("finance", rid, "--party", "bank-b", "--amount", "10000.00", "--require-ack"), { code: 0, out: { liveFinanced: "8000000" } });
  const seen = await tl("show", rid, "--party", buyer);
  t.match(seen.out, { receivable: { acknowledgedAmount: "8000000", disputed: false, payeeBankId: "bank-a", buyerPartyId: buyer } });
});

t.test("supervision commands against a node: rule set, list, retire; alerts; usage errors exit 2", async (t) => {
  const { RpcHarness, day, attestPayload } = await import("./rpc-harness.js");
  const { writeKeyFile } = await import("../config/load.js");
  const { Command } = await import("commander");
  const { addClientCommands } = await import("../node/cli/cli-client.js");
  const { createClient } = await import("../sdk/client.js");
  const { tx } = await import("../sdk/builders.js");
  const { randomBytes } = await import("../sdk/crypto.js");
  const h = await RpcHarness.create();
  const { server, url } = await h.serve();
  t.teardown(async () => {
    await server.stop();
    await h.close();
  });
  const net = join(dir, "supervision-net");
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
  const set = await tl("rule", "set", "big-loan", "--kind", "LARGE_EXPOSURE", "--currency", "USD", "--amount", "500.00", "--severity", "BLOCK");
  t.equal(set.code, 0, JSON.stringify(set.err));
  t.match(set.out, { ruleId: "big-loan", kind: "LARGE_EXPOSURE", severity: "BLOCK", params: { amount: "50000", currency: "USD" }, setBy: "regulator" });
  t.equal((await tl("rule", "set", "fast", "--kind", "VELOCITY", "--hours", "24")).code, 0);
  t.match(await tl("rule", "set", "bad", "--kind", "VELOCITY"), { code: 2, err: { error: { code: "USAGE", message: /VELOCITY requires hours/ } } });
  t.match(await tl("rule", "set", "bad", "--kind", "VELOCITY", "--hours", "1.5"), { code: 2, err: { error: { code: "USAGE", message: /--hours 1.5: a whole number/ } } });
  t.match(await tl("rule", "set", "nope", "--kind", "CYCLE", "--party", "bank-a"), { code: 1, err: { error: { code: "UNAUTHORIZED", status: 403 } } });
  t.match(await tl("rule", "list", "--party", "bank-a"), { code: 0, out: { items: [{ ruleId: "big-loan" }, { ruleId: "fast" }] } });

  const exporter = createClient({ url, signer: h.party("exporter-hz-textiles").signer });
  const r = await exporter.submit(tx.registerReceivable({ documentHash: randomBytes(32), fingerprint: randomBytes(32), buyerId: "b-1", amount: 100_000n, currency: "USD", issueDate: day(-1), dueDate: day(30) }));
  await createClient({ url, signer: h.party("customs").signer }).submit(attestPayload("4242", { exporter: "exporter-hz-textiles", amount: "1000.00", receivableIds: [r.receipt.target] }));
  t.match(await tl("finance", r.receipt.target, "--party", "bank-a", "--amount", "600.00", "--currency", "USD"), { code: 1, err: { error: { code: "BLOCKED_BY_RULE", status: 409, receipt: { alerts: [{ ruleId: "big-loan" }] } } } });
  t.equal((await tl("finance", r.receipt.target, "--party", "bank-a", "--amount", "100.00", "--currency", "USD")).code, 0);
  const alerts = await tl("alerts");
  t.equal(alerts.code, 0, JSON.stringify(alerts.err));
  t.same(alerts.out.items.map((a: { ruleId: string; code: string }) => [a.ruleId, a.code]), [["big-loan", "BLOCKED_BY_RULE"], ["fast", "OK"]]);
  t.same((await tl("alerts", "--rule", "fast")).out.items.length, 1);
  t.match(await tl("alerts", "--from-height", "x"), { code: 2 });
  t.same((await tl("alerts", "--party", "bank-a")).out.items.length, 2, "a bank: the alerts naming it");
  t.match(await tl("rule", "retire", "fast"), { code: 0, out: { ruleId: "fast", retired: true } });
  t.match(await tl("rule", "retire", "fast"), { code: 1, err: { error: { code: "NOT_FOUND" } } });
});

// ---- the node commands, ISO times, --json, sign-request (docs/api.md §3 and "Signed requests with curl") ----

t.test("output: epoch-ms time fields become ISO 8601 (0: not set), everything else is left alone", async (t) => {
  const { withIsoTimes, render } = await import("../node/cli/output.js");
  t.same(withIsoTimes({ time: "1764946991250", headTime: 1764946991250, registeredAt: "0", disputedSince: 0n, amount: "1764946991250", dueDate: "2027-01-01", nested: [{ createdAt: 1n }] }), {
    time: "2025-12-05T15:03:11.250Z",
    headTime: "2025-12-05T15:03:11.250Z",
    registeredAt: null,
    disputedSince: null,
    amount: "1764946991250",
    dueDate: "2027-01-01",
    nested: [{ createdAt: "1970-01-01T00:00:00.001Z" }],
  });
  t.equal(render({ a: { b: ["x", { c: 1 }] }, e: "", f: [] }, "text"), 'a:\n  b:\n    - x\n    - c: 1\ne: ""\nf: []\n');
});

t.test("node commands against a node: party register (a bank onboards an exporter), status, block, tx, events; ISO times; --json", async (t) => {
  const { RpcHarness, invoice } = await import("./rpc-harness.js");
  const { writeKeyFile } = await import("../config/load.js");
  const { Command } = await import("commander");
  const { addClientCommands } = await import("../node/cli/cli-client.js");
  const { signerFromSeed } = await import("../sdk/signer.js");
  const { sha256 } = await import("../sdk/crypto.js");
  const { utf8 } = await import("../sdk/bytes.js");
  const h = await RpcHarness.create();
  const { server, url } = await h.serve();
  t.teardown(async () => {
    await server.stop();
    await h.close();
  });
  const net = join(dir, "node-net");
  for (const p of Object.values(h.parties)) writeKeyFile(join(net, "keys", `${p.id}.json`), { partyId: p.id, seed: p.seed });
  const tl = async (args: string[], o: { tty?: boolean; signal?: AbortSignal } = {}) => {
    let out = "";
    let err = "";
    let code = 0;
    const program = new Command("tradeledger").exitOverride();
    addClientCommands(program, { devnetDir: net, out: (s) => (out += s), err: (s) => (err += s), exit: (c) => (code = c), env: { TRADELEDGER_URL: url }, tty: o.tty ?? false, ...(o.signal ? { signal: o.signal } : {}) });
    await program.parseAsync(args, { from: "user" });
    const json = (text: string) => {
      try {
        return text && !o.tty ? JSON.parse(text) : undefined;
      } catch {
        return undefined; // JSON lines (events)
      }
    };
    return { code, text: out, errText: err, out: json(out), err: json(err) };
  };
  const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
  const EPOCH_MS = /\b1[0-9]{12}\b/; // a time in epoch ms (2001-2286)

  // The exporter makes its key and sends the bank its public key; the bank onboards it.
  const seed = sha256(utf8("cli-test/exporter-new"));
  writeKeyFile(join(net, "keys", "exporter-new.json"), { partyId: "exporter-new", seed });
  const publicKey = toHex(signerFromSeed("exporter-new", seed).publicKey);
  const onboard = await tl(["party", "register", "exporter-new", "--name", "New Exporter Ltd", "--country", "CN", "--public-key", publicKey]);
  t.equal(onboard.code, 0, JSON.stringify(onboard.err));
  t.match(onboard.out, { partyId: "exporter-new", role: "ENTERPRISE", registeredBy: "bank-a", publicKey, height: /^\d+$/, time: ISO });
  // It can act at once: it registers an invoice of its own.
  const doc = join(net, "new-invoice.json");
  writeFileSync(doc, JSON.stringify(invoice("NEW-1", { seller: "exporter-new", amount: "1000.00" })));
  const reg = await tl(["register", doc, "--party", "exporter-new"]);
  t.equal(reg.code, 0, JSON.stringify(reg.err));
  // Only banks onboard; the key is given exactly once; the id is checked before signing.
  t.match(await tl(["party", "register", "exporter-x", "--party", "exporter-hz-textiles", "--name", "X", "--country", "CN", "--public-key", toHex(signerFromSeed("exporter-x", sha256(utf8("x"))).publicKey)]), { code: 1, err: { error: { code: "UNAUTHORIZED", status: 403 } } });
  t.match(await tl(["party", "register", "exporter-y", "--name", "Y", "--country", "CN"]), { code: 2, err: { error: { code: "USAGE", message: /exactly one of --public-key/ } } });
  t.match(await tl(["party", "register", "Bad Id", "--name", "Y", "--country", "CN", "--public-key", publicKey]), { code: 2, err: { error: { code: "USAGE", message: /id/ } } });
  t.match(await tl(["party", "register", "exporter-z", "--name", "Z", "--country", "CN", "--public-key", "12"]), { code: 2, err: { error: { message: /64 lower-case hex digits/ } } });
  const shown = await tl(["party", "show", "exporter-new"]);
  t.match(shown.out, { id: "exporter-new", registeredBy: "bank-a", registeredAt: ISO });

  // status, block, tx: times as ISO, never epoch ms.
  const status = await tl(["status"]);
  t.match(status.out, { chainId: h.chainId, height: String(h.chain.height), headTime: ISO, ready: true });
  t.notMatch(status.text, EPOCH_MS);
  const latest = await tl(["block", "latest"]);
  t.match(latest.out, { height: String(h.chain.height), header: { time: ISO, txCount: 1 }, certificate: { commits: [{}, {}, {}] } });
  t.notMatch(latest.text, EPOCH_MS);
  const withTxs = await tl(["block", reg.out.height, "--txs"]);
  t.match(withTxs.out.txs, [{ txHash: reg.out.txHash, signer: "exporter-new", type: "registerReceivable", code: "OK" }]);
  t.match(await tl(["block", "0"]), { code: 2, err: { error: { code: "USAGE" } } });
  t.match(await tl(["block", String(h.chain.height + 5n)]), { code: 1, err: { error: { code: "NOT_FOUND" } } });
  const txJson = await tl(["tx", onboard.out.txHash]);
  t.match(txJson.out, { txHash: onboard.out.txHash, signer: "bank-a", type: "registerParty", time: ISO, body: { createdAt: ISO }, receipt: { code: "OK" } });
  t.match(await tl(["tx", "nope"]), { code: 2 });
  t.match(await tl(["tx", onboard.out.txHash, "--party", "exporter-sz-electronics"]), { code: 1, err: { error: { code: "FORBIDDEN" } } });

  // At a terminal: a readable outline; --json there gives JSON; errors as one line.
  const text = await tl(["status"], { tty: true });
  t.match(text.text, new RegExp(`^node: bank-a \\(validator\\) at ${url.replace(/[.]/g, "\\.")}\\nchainId: ${h.chainId}\\nheight: \\d+\\nheadTime: \\d{4}-\\d{2}-\\d{2}T`));
  t.notMatch(text.text, EPOCH_MS);
  const txText = await tl(["tx", onboard.out.txHash], { tty: true });
  t.match(txText.text, /^txHash: [0-9a-f]{64}\ntype: registerParty\nsigner: bank-a\n/);
  t.match(txText.text, /\ntime: \d{4}-\d{2}-\d{2}T/);
  t.same(JSON.parse((await tl(["status", "--json"], { tty: true })).text).chainId, h.chainId);
  const refused = await tl(["tx", onboard.out.txHash, "--party", "exporter-sz-electronics"], { tty: true });
  t.match(refused.errText, /^error: \[FORBIDDEN\] /);

  // events: follows the stream; one JSON line per event (--max ends it here, Ctrl-C at a terminal).
  const events = await tl(["events", "--from", "1", "--max", "2"]);
  t.equal(events.code, 0, events.errText);
  const lines = events.text.trim().split("\n").map((l) => JSON.parse(l));
  t.equal(lines.length, 2);
  t.match(lines[0], { type: "partyRegistered", height: "1", time: ISO, signer: "bank-a" });
  t.match(lines[1], { type: "receivableRegistered", signer: "exporter-new" });
  // Live: an event committed after the command started; aborting ends it cleanly.
  const stop = new AbortController();
  const live = tl(["events", "--type", "receivableRegistered", "--involving", "exporter-new"], { tty: true, signal: stop.signal });
  await new Promise((r) => setTimeout(r, 300));
  const second = join(net, "new-invoice-2.json");
  writeFileSync(second, JSON.stringify(invoice("NEW-2", { seller: "exporter-new", amount: "2000.00" })));
  const reg2 = await tl(["register", second, "--party", "exporter-new"]);
  for (let i = 0; i < 50; i++) await new Promise((r) => setTimeout(r, 100));
  stop.abort();
  const followed = await live;
  t.equal(followed.code, 0, followed.errText);
  t.match(followed.text, new RegExp(`^\\d{4}-\\d{2}-\\d{2}T\\S+  ${reg2.out.height}:0  receivableRegistered  exporter-new  ${reg2.out.receivableId}\\n$`), "the one new event, as a line");
  t.match(await tl(["events", "--from", "x"]), { code: 2 });
});

t.test("sign-request: docs/api.md's curl example runs with real curl against a node", async (t) => {
  const { RpcHarness } = await import("./rpc-harness.js");
  const { writeKeyFile } = await import("../config/load.js");
  const { ROOT } = await import("./devnet-harness.js");
  const { signRequest, shellQuote } = await import("../node/cli/cli-client.js");
  const h = await RpcHarness.create();
  const { server, url } = await h.serve();
  t.teardown(async () => {
    await server.stop();
    await h.close();
  });
  const net = join(dir, "curl-net");
  for (const p of Object.values(h.parties)) writeKeyFile(join(net, "keys", `${p.id}.json`), { partyId: p.id, seed: p.seed });

  // The helper itself: a command a shell runs as one request, quoting every header.
  t.equal(shellQuote("it's"), `'it'\\''s'`);
  const s = await signRequest(h.party("auditor").signer, { chainId: h.chainId, method: "get", url: `${url}/v1/receivables?exporter=exporter-hz-textiles&limit=2`, time: 1n, nonce: new Uint8Array(16) });
  t.equal(s.target, "/v1/receivables?exporter=exporter-hz-textiles&limit=2");
  t.match(s.curl, /^curl -sS -w '\\n' -H 'x-tl-party: auditor' -H 'x-tl-time: 1' -H 'x-tl-nonce: 0{32}' -H 'x-tl-signature: [0-9a-f]{128}' /);
  await t.rejects(signRequest(h.party("auditor").signer, { chainId: h.chainId, method: "DELETE", url }), /GET or POST/);

  // The documented example, verbatim but for the devnet's URL (the test node's instead).
  const docs = readFileSync(join(ROOT, "docs", "api.md"), "utf8");
  const block = /<!-- sign-request example: test\/cli\.test\.ts runs it -->\s*```sh\n([\s\S]*?)```/.exec(docs);
  t.ok(block, "docs/api.md has the example");
  const script = block![1]!.replaceAll("http://127.0.0.1:7001", url);
  t.match(script, /npx tradeledger sign-request/);
  // The node runs in this process: children are awaited, never run synchronously.
  const sh = (cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
    new Promise<{ status: number; stdout: string; stderr: string }>((resolve) =>
      execFile(cmd, args, { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env }, timeout: 120_000 }, (e, stdout, stderr) =>
        resolve({ status: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );
  const r = await sh("bash", ["-euo", "pipefail", "-c", script], { TRADELEDGER_DEVNET: net, TRADELEDGER_URL: url });
  t.equal(r.status, 0, r.stderr);
  // It prints the headers, a receivable list read with them, and a party read with curl's -H @file.
  t.match(r.stdout, /^x-tl-party: auditor\nx-tl-time: \d+\nx-tl-nonce: [0-9a-f]{32}\nx-tl-signature: [0-9a-f]{128}\n/);
  const answers = r.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  t.match(answers, [{ items: [], asOf: { height: /\d+/ } }, { id: "bank-a", role: "BANK" }]);
  t.notMatch(r.stdout, /"error"/);
  // A signature opens one request: the same headers again are refused (replay).
  const headers = await sh(process.execPath, [CLI, "sign-request", "GET", "/v1/parties/bank-a", "--party", "auditor", "--devnet", net, "--url", url]);
  t.equal(headers.status, 0, headers.stderr);
  const file = join(net, "headers.txt");
  writeFileSync(file, headers.stdout);
  const once = await sh("curl", ["-sS", "-H", `@${file}`, `${url}/v1/parties/bank-a`]);
  t.match(JSON.parse(once.stdout), { id: "bank-a" });
  const twice = await sh("curl", ["-sS", "-H", `@${file}`, `${url}/v1/parties/bank-a`]);
  t.match(JSON.parse(twice.stdout), { error: { code: "UNAUTHENTICATED", message: /replay|nonce/i } });
  t.match(run("sign-request", "GET", "v1/status", "--party", "auditor").stderr, /starts with \//);
});

t.test("devnet console: the audit lines of reads stay in node.log (shown with --verbose)", async (t) => {
  const { formatLogLine } = await import("../node/cli/devnet.js");
  const read = JSON.stringify({ level: "info", time: "2026-12-05T14:03:11.250Z", msg: "read", party: "auditor", route: "getReceivable", object: "ab", status: 200 });
  t.equal(formatLogLine("bank-a", read, false), null);
  t.match(formatLogLine("bank-a", read, true), /read  party=auditor route=getReceivable object=ab status=200/);
  t.match(formatLogLine("bank-a", JSON.stringify({ level: "info", time: "2026-12-05T14:03:11.250Z", msg: "rpc listening", url: "http://x" }), false), /rpc listening/);
});

t.test("governance propose rotate: a validator's node key replaced in its place, through the CLI against a node; usage errors first", async (t) => {
  const { RpcHarness } = await import("./rpc-harness.js");
  const { writeKeyFile } = await import("../config/load.js");
  const { Command } = await import("commander");
  const { addClientCommands } = await import("../node/cli/cli-client.js");
  const { nodeCrypto } = await import("../node/crypto.js");
  const { toHex } = await import("../sdk/bytes.js");
  const h = await RpcHarness.create({ governance: true });
  const { server, url } = await h.serve();
  t.teardown(async () => {
    await server.stop();
    await h.close();
  });
  const net = join(dir, "rotate-net");
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
  const before = (await tl("governance", "status", "--party", "auditor", "--json")).out as { validators: { partyId: string; nodePublicKey: string }[] };
  const current = before.validators[1]!;
  t.equal(current.partyId, "bank-b");
  const nextSeed = new Uint8Array(32).fill(9);
  const next = toHex(nodeCrypto.publicKeyFromSeed(nextSeed));
  // bank-b's operator proves it holds the next key (the chain id from the node's status)
  const nextFile = join(net, "node-key.next.json");
  writeKeyFile(nextFile, { seed: nextSeed });
  t.match((await tl("keys", "node-possession", "--json")).err, { error: { code: "USAGE", message: /the next node key file or --config/ } });
  t.match((await tl("keys", "node-possession", nextFile, "--json")).err, { error: { code: "USAGE", message: /pass --for <partyId>/ } });
  const possession = await tl("keys", "node-possession", nextFile, "--for", "bank-b", "--json");
  t.equal(possession.code, 0, JSON.stringify(possession.err));
  t.match(possession.out, { partyId: "bank-b", chainId: h.chainId, newNodePublicKey: next, newNodeKeyProof: /^[0-9a-f]{128}$/ });
  const proof = possession.out.newNodeKeyProof as string;

  const missing = await tl("governance", "propose", "rotate", "--node-key", current.nodePublicKey, "--validator-party", "bank-b", "--party", "bank-a", "--json");
  t.equal(missing.code, 2);
  t.match(missing.err, { error: { code: "USAGE", message: /--new-node-key and --new-node-key-proof are required/ } });
  const unproven = await tl("governance", "propose", "rotate", "--node-key", current.nodePublicKey, "--new-node-key", next, "--validator-party", "bank-b", "--party", "bank-a", "--json");
  t.equal(unproven.code, 2, "the new key without its proof");
  const forProof = await tl("keys", "node-possession", nextFile, "--for", "customs", "--json");
  const misbound = await tl("governance", "propose", "rotate", "--node-key", current.nodePublicKey, "--new-node-key", next, "--new-node-key-proof", forProof.out.newNodeKeyProof as string, "--validator-party", "bank-b", "--party", "bank-a", "--json");
  t.not(misbound.code, 0, "a proof made for another party's validator");
  t.match(misbound.err, { error: { code: "KEY_NOT_PROVEN" } });
  const stray = await tl("governance", "propose", "add", "--node-key", next, "--new-node-key", next, "--validator-party", "auditor", "--party", "bank-a", "--json");
  t.equal(stray.code, 2);
  t.match(stray.err, { error: { code: "USAGE", message: /for rotate only/ } });

  const proposed = await tl("governance", "propose", "rotate", "--node-key", current.nodePublicKey, "--new-node-key", next, "--new-node-key-proof", proof, "--validator-party", "bank-b", "--party", "bank-a", "--json");
  t.equal(proposed.code, 0, JSON.stringify(proposed.err));
  t.match(proposed.out, { change: "ROTATE_KEY", partyId: "bank-b", nodePublicKey: current.nodePublicKey, newNodePublicKey: next, approvals: ["bank-a"], needed: 3 });
  const id = proposed.out.proposalId as string;
  t.match((await tl("governance", "approve", id, "--party", "bank-b", "--json")).out, { approvals: 2, decided: false });
  t.match((await tl("governance", "approve", id, "--party", "customs", "--json")).out, { approvals: 3, decided: true, validators: 4, version: "1" });
  const after = (await tl("governance", "status", id, "--party", "auditor", "--json")).out as { validators: { partyId: string; nodePublicKey: string }[]; proposal: { newNodePublicKey: string } };
  t.same(after.validators.map((v) => v.partyId), before.validators.map((v) => v.partyId), "same members, same order");
  t.equal(after.validators[1]!.nodePublicKey, next, "bank-b's place holds the new key");
  t.equal(after.proposal.newNodePublicKey, next);
});
