// The web explorer (explorer/, docs/explorer.md) end to end: a real devnet (four validator
// processes, test/devnet-harness.ts) serves the built page at /explorer/, and headless Chromium
// (Debian's, through playwright-core; never a downloaded browser) drives it as its readers would:
// an exporter loads its key, opens its receivable and sees the history verified in the browser
// against the validators; the same exporter is refused another exporter's receivable; a node
// configured with the tampering test hook (rpc.testHooks.tamperHistory) serves a history whose
// failure the page shows with the entry; an auditor exports the rejections as CSV and as a signed
// evidence bundle that verifies offline here; a regulator sees an alert appear live. Every page is
// screenshotted into .tap/explorer/ (tap's output folder, not committed; EXPLORER_SCREENSHOTS
// overrides it) for a person to look at.
//
// Needs Chromium at /usr/bin/chromium (Debian: `apt-get install -y chromium`); .ci/run installs it.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { chromium, type Browser, type Page } from "playwright-core";
import { tx } from "../sdk/builders.js";
import { TxPendingError, type CommittedTx } from "../sdk/client.js";
import { LedgerError } from "../sdk/errors.js";
import { DEVNET_RULES } from "../config/devnet.js";
import { randomBytes } from "../sdk/crypto.js";
import { validatorSetFromGenesis, verifyHistory, verifyTx } from "../sdk/verify.js";
import { verifyEvidence, type EvidenceBundle } from "../sdk/evidence.js";
import { encryptKey } from "../sdk/keystore.js";
import { EXPLORER_CSP } from "../rpc/explorer.js";
import { ROOT, runProcess, startTestDevnet } from "./devnet-harness.js";
import { day } from "./rpc-harness.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS = process.env.EXPLORER_SCREENSHOTS ?? join(ROOT, ".tap", "explorer");
const TAMPERING_NODE = 3;

if (!existsSync(join(ROOT, "dist", "explorer", "index.html"))) {
  t.fail("the explorer is not built: npm run build (vite) writes dist/explorer/");
  process.exit(1);
}
if (!existsSync(CHROMIUM)) {
  t.fail(`Chromium not found at ${CHROMIUM}: install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH`);
  process.exit(1);
}
rmSync(SHOTS, { recursive: true, force: true });
mkdirSync(SHOTS, { recursive: true });

const net = await startTestDevnet(t, "tl-explorer-", {
  beforeStart(network) {
    // One node lies about histories: the test hook, off by default, on only in this node's config.
    const n = network.nodes[TAMPERING_NODE]!;
    const config = JSON.parse(readFileSync(n.configFile, "utf8"));
    config.rpc = { ...config.rpc, testHooks: { tamperHistory: true } };
    writeFileSync(n.configFile, JSON.stringify(config, null, 2));
  },
});
const genesis = JSON.parse(readFileSync(join(net.dir, "genesis.json"), "utf8"));
const validators = validatorSetFromGenesis(genesis);
const url = (node: number) => `${net.network.nodes[node]!.rpcUrl}/explorer/`;
const keyFile = (party: string) => readFileSync(join(net.dir, "keys", `${party}.json`), "utf8");

// ---- the ledger's story, written with the SDK ----------------------------------------------------


type Client = ReturnType<typeof net.clientOf>;
/** Submits and waits for the commit (a loaded machine may take longer than one wait: keep waiting). */
async function commit(client: Client, payload: Parameters<Client["submit"]>[0]): Promise<CommittedTx> {
  try {
    return await client.submit(payload);
  } catch (err) {
    if (!(err instanceof TxPendingError)) throw err;
    const done = await client.waitForTx(err.txHash, { timeoutMs: 120_000 });
    if (!done.ok) throw new LedgerError(done.receipt.code as never, done.receipt.message, done.receipt as never, 409);
    return done;
  }
}

const exporter = net.clientOf("exporter-hz-textiles", 0);
const register = (client: Client, amount: bigint) =>
  commit(client, tx.registerReceivable({ documentHash: randomBytes(32), fingerprint: randomBytes(32), buyerId: "DE-HRB-77", amount, currency: "USD", issueDate: day(-2), dueDate: day(60) }));
const attest = (ids: string[], value: bigint, exporterId = "exporter-hz-textiles") =>
  commit(net.clientOf("customs", 1), tx.attestShipment({ declarationFingerprint: randomBytes(32), declarationHash: randomBytes(32), exporterId, declaredValue: value, currency: "USD", exportDate: day(-2), receivableIds: ids }));

let mine = "";
let theirs = "";
let browser: Browser | undefined;

t.test("the devnet comes up and the story is written with the SDK", async (t) => {
  t.same(await net.waitReady(), [], "every node is ready");
  // The devnet's regulator sets the sample supervision rules once the network is up (the alert test
  // trips one of them); wait for them, which also shows the chain commits.
  const regulatorClient = net.clientOf("regulator", 0);
  let rules = 0;
  for (let i = 0; i < 600 && rules < DEVNET_RULES.length; i++) {
    rules = (await regulatorClient.getRules().catch(() => ({ items: [] }))).items.length;
    if (rules < DEVNET_RULES.length) await new Promise((r) => setTimeout(r, 100));
  }
  t.equal(rules, DEVNET_RULES.length, "the sample supervision rules are active");
  mine = (await register(exporter, 152_500_00n)).receipt.target;
  await attest([mine], 152_500_00n);
  await commit(net.clientOf("bank-a", 0), tx.financeReceivable({ receivableId: mine, amount: 100_000_00n, currency: "USD" }));
  const refused = await commit(net.clientOf("bank-b", 2), tx.financeReceivable({ receivableId: mine, amount: 60_000_00n, currency: "USD" })).catch((e) => e);
  t.equal(refused.code, "DOUBLE_FINANCING", "bank-b's financing beyond the value is refused: a rejection on the ledger");
  await commit(net.clientOf("bank-b", 2), tx.financeReceivable({ receivableId: mine, amount: 52_500_00n, currency: "USD" }));
  await commit(net.clientOf("bank-a", 0), tx.recordRepayment({ receivableId: mine, financingId: (await exporter.getReceivable(mine)).receivable.financings[0]!.id, amount: 40_000_00n }));
  theirs = (await register(net.clientOf("exporter-sz-electronics", 1), 20_000_00n)).receipt.target;
  // a warrant split down three tiers, and a warehouse receipt pledged, for the warrants and titles pages
  for (const example of ["warrant-chain", "pledge"]) {
    const r = await runProcess(process.execPath, [`examples/${example}.mjs`], { TRADELEDGER_DEVNET: net.dir }, 300_000);
    if (r.code !== 0) t.comment(r.err.slice(-2000) || r.out.slice(-2000));
    t.equal(r.code, 0, `examples/${example}.mjs ran against the devnet`);
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});
t.teardown(() => browser?.close());

/** A fresh browser context (its own storage) on node `node`, collecting page errors and CSP refusals. */
async function open(node: number): Promise<{ page: Page; problems: string[] }> {
  const context = await browser!.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/status of 40[134]/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  await page.goto(url(node));
  await page.getByRole("heading", { name: "Network", level: 1 }).waitFor();
  return { page, problems };
}

async function loadKey(page: Page, party: string): Promise<void> {
  await page.getByRole("link", { name: "Load key" }).click();
  await page.getByLabel("Or paste the key").fill(keyFile(party));
  await page.getByRole("button", { name: "Use this key" }).click();
  await page.getByText(`Reading as ${party}`).waitFor({ timeout: 20_000 });
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

t.test("every node serves the explorer: content types, caching, CSP", async (t) => {
  const base = net.network.nodes[0]!.rpcUrl;
  const index = await fetch(`${base}/explorer/`);
  t.equal(index.status, 200);
  t.equal(index.headers.get("content-type"), "text/html; charset=utf-8");
  t.equal(index.headers.get("cache-control"), "no-cache", "the page is revalidated, so a new build is picked up");
  t.equal(index.headers.get("content-security-policy"), EXPLORER_CSP);
  t.ok(index.headers.get("etag"));
  const html = await index.text();
  const script = /src="(\/explorer\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  const style = /href="(\/explorer\/assets\/[^"]+\.css)"/.exec(html)?.[1];
  t.ok(script && style, "the page names its hashed script and stylesheet");
  const js = await fetch(base + script!);
  t.equal(js.headers.get("content-type"), "text/javascript; charset=utf-8");
  t.equal(js.headers.get("content-encoding"), "gzip", "sent gzipped to a client that accepts it");
  const plain = await fetch(base + script!, { headers: { "accept-encoding": "identity" } });
  t.equal(plain.headers.get("content-encoding"), null, "and as is to one that does not");
  t.equal((await plain.arrayBuffer()).byteLength, (await js.arrayBuffer()).byteLength, "the same script either way");
  t.comment(`explorer script: ${plain.headers.get("content-length")} bytes, ${js.headers.get("content-length") ?? "?"} gzipped`);
  t.equal(js.headers.get("cache-control"), "public, max-age=31536000, immutable", "hashed assets are cached for good");
  t.equal((await fetch(base + style!)).headers.get("content-type"), "text/css; charset=utf-8");
  const again = await fetch(`${base}/explorer/`, { headers: { "if-none-match": index.headers.get("etag")! } });
  t.equal(again.status, 304, "revalidation answers 304");
  t.equal((await fetch(`${base}/explorer/assets/nothing.js`)).status, 404);
  t.equal((await fetch(`${base}/explorer/%2e%2e/package.json`)).status, 404, "no path from a request reaches the disk");
  t.equal((await fetch(`${base}/explorer/../../package.json`)).status, 404);
  t.equal((await fetch(`${base}/explorer/`, { method: "POST" })).status, 405);
  const bare = await fetch(`${base}/explorer`, { redirect: "manual" });
  t.equal(bare.status, 301);
  t.equal(bare.headers.get("location"), "/explorer/");
  t.equal((await fetch(`${base}/v1/status`)).headers.get("content-security-policy"), null, "the API's answers are untouched");
});

t.test("the network page, without a key: blocks with their certificates verified in the browser", async (t) => {
  const { page, problems } = await open(0);
  await page.locator("[data-testid=blocks] .badge.ok").first().waitFor();
  t.ok((await page.locator("[data-testid=blocks] .badge.ok").count()) > 0, "certificates verified");
  t.equal(await page.locator("[data-testid=blocks] .badge.bad").count(), 0, "none failed");
  await shot(page, "01-network");
  await page.locator("[data-testid=blocks] tbody tr a").first().click();
  await page.locator("#block-certificate.ok").waitFor();
  t.match(await page.locator("#block-certificate").textContent(), /verified: signed by/);
  t.match(await page.textContent("main"), /Key needed: .*load your party key/, "the block's transactions need a key, and the page says so");
  await shot(page, "02-block-no-key");
  // from one block to another whose answer is held back: the page never shows the first block's
  // facts under the second's heading while it waits
  const shown = await page.locator("main dl.facts dd").first().textContent();
  const other = /^1\b/.test(shown ?? "") ? 2 : 1;
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route(new RegExp(`/v1/blocks/${other}(\\?|$)`), async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(`${url(0)}#/block/${other}`);
  await page.getByRole("heading", { name: `Block ${other}`, level: 1 }).waitFor();
  await page.getByText("Loading the block").waitFor();
  t.equal(await page.locator("#block-certificate").count(), 0, "while the block is loading, no certificate (of the block before) is shown");
  t.equal(await page.locator("main dl.facts").count(), 0, "nor its facts");
  release();
  await page.locator("#block-certificate.ok").waitFor();
  t.match(await page.locator("main dl.facts dd").first().textContent(), new RegExp(`^${other}\\b`), "then the block asked for");
  await page.unrouteAll();
  // the key page itself
  await page.getByRole("link", { name: "Load key" }).click();
  await page.getByLabel("Or paste the key").waitFor();
  await shot(page, "03-key");
  t.same(problems, []);
});

t.test("an exporter loads its key, opens its receivable, sees the verified badge", async (t) => {
  const { page, problems } = await open(0);
  await loadKey(page, "exporter-hz-textiles");
  await page.goto(`${url(0)}#/receivables`);
  await page.locator(`[data-testid=receivables] a[title="${mine}"]`).click();
  const badge = page.locator("#history-verified");
  await badge.waitFor({ timeout: 30_000 });
  await page.locator("#history-verified.ok").waitFor({ timeout: 30_000 });
  t.match(await badge.textContent(), /verified against the validators: \d+ entries, complete through block \d+/);
  t.equal(await page.getByTestId("receivable-status").textContent(), "PARTIALLY_FINANCED", "152,500.00 financed, 40,000.00 repaid");
  const history = await page.locator("[data-testid=history] tbody tr").allTextContents();
  t.ok(history.some((r) => /receivableRegistered/.test(r) && /152,500\.00/.test(r)), "the registration, its amount in USD with cents");
  t.ok(history.some((r) => /DOUBLE_FINANCING/.test(r)), "the refused financing is in the history");
  t.ok(history.some((r) => /repaymentRecorded/.test(r) && /40,000\.00/.test(r)), "the repayment");
  t.match(await page.textContent("main"), /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/, "times in ISO 8601");
  await shot(page, "04-receivable-verified");
  // the receivables list, a transaction, the party page, as this exporter
  await page.goto(`${url(0)}#/receivables`);
  await page.locator("[data-testid=receivables]").waitFor();
  await shot(page, "05-receivables");
  await page.goto(`${url(0)}#/party/exporter-hz-textiles`);
  await page.getByRole("heading", { name: "Credit indicators" }).waitFor();
  await page.getByText("Outstanding financing").waitFor();
  await shot(page, "06-party");
  await page.goto(`${url(0)}#/tx/${mine}`);
  await page.locator("#tx-verified.ok").waitFor({ timeout: 30_000 });
  await shot(page, "07-tx");
  t.same(problems, []);
});

t.test("keys as people hold them: a PKCS#8 paste, an encrypted key file with its passphrase", async (t) => {
  const { page, problems } = await open(2);
  // customs' key as PKCS#8 PEM (RFC 8410: the fixed Ed25519 prefix, then the 32-byte seed)
  const seed = JSON.parse(keyFile("customs")).seed as string;
  const der = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), Buffer.from(seed, "hex")]);
  const pem = `-----BEGIN PRIVATE KEY-----\n${der.toString("base64")}\n-----END PRIVATE KEY-----\n`;
  await page.getByRole("link", { name: "Load key" }).click();
  await page.getByLabel("Or paste the key").fill(pem);
  await page.getByRole("button", { name: "Use this key" }).click();
  await page.getByText("a PKCS#8 key names no party: give the party id").waitFor();
  await page.getByLabel(/^Party id/).fill("customs");
  await page.getByRole("button", { name: "Use this key" }).click();
  await page.getByText("Reading as customs").waitFor({ timeout: 20_000 });
  await page.getByRole("button", { name: "Forget key" }).click();
  await page.getByRole("link", { name: "Load key" }).waitFor();
  // bank-a's key sealed with a passphrase (the smallest scrypt cost the format allows, for test time)
  const sealed = encryptKey(Buffer.from(JSON.parse(keyFile("bank-a")).seed, "hex"), "correct horse", { kind: "party", partyId: "bank-a", scrypt: { N: 2 ** 14, r: 8, p: 1 } });
  await page.getByRole("link", { name: "Load key" }).click();
  await page.setInputFiles("#key-file", { name: "bank-a.keystore.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(sealed)) });
  await page.getByLabel("Passphrase of the encrypted key file").fill("wrong");
  await page.getByRole("button", { name: "Use this key" }).click();
  await page.locator("p.error[role=alert]").waitFor({ timeout: 30_000 });
  t.match(await page.locator("p.error[role=alert]").textContent(), /passphrase/i, "a wrong passphrase is said as such");
  await page.getByLabel("Passphrase of the encrypted key file").fill("correct horse");
  await page.getByRole("button", { name: "Use this key" }).click();
  await page.getByText("Reading as bank-a").waitFor({ timeout: 30_000 });
  // a key that is not the party's registered key is refused
  await page.getByRole("link", { name: "bank-a" }).first().waitFor();
  await page.goto(`${url(2)}#/key`);
  await page.getByLabel("Or paste the key").fill(JSON.stringify({ partyId: "bank-b", seed: "11".repeat(32) }));
  await page.getByRole("button", { name: "Use this key" }).click();
  await page.getByText("this key is not bank-b's registered key").waitFor({ timeout: 20_000 });
  t.same(problems, []);
});

t.test("an exporter cannot open another exporter's receivable", async (t) => {
  const { page } = await open(1);
  await loadKey(page, "exporter-hz-textiles");
  await page.goto(`${url(1)}#/receivable/${theirs}`);
  const note = page.locator(".hidden-note", { hasText: "may not see this" }).first();
  await note.waitFor({ timeout: 20_000 });
  t.match(await note.textContent(), /your role \(ENTERPRISE, as exporter-hz-textiles\) may not see this/);
  t.equal(await page.locator("#history-verified").count(), 0, "no history shown");
  t.notMatch(await page.textContent("main"), /20,000\.00/, "nothing of the receivable leaks");
  await shot(page, "08-receivable-forbidden");
});

t.test("a node serving a tampered history: the page shows the failure and the entry", async (t) => {
  const { page } = await open(TAMPERING_NODE);
  await loadKey(page, "exporter-hz-textiles");
  await page.goto(`${url(TAMPERING_NODE)}#/receivable/${mine}`);
  await page.locator("#history-verified.bad").waitFor({ timeout: 30_000 });
  t.match(await page.locator("#history-verified").textContent(), /verification failed/);
  const problems = await page.getByTestId("problems").textContent();
  // the hook raised the newest amount, the repayment's: its event no longer is the certified receipt's
  const entries = await exporter.getFullHistory(mine);
  const repaid = entries.items.findIndex((e) => e.event?.type === "repaymentRecorded");
  t.match(problems, new RegExp(`EVENT_MISMATCH at entry ${repaid} \\(block ${entries.items[repaid]!.height}, repaymentRecorded\\)`), "the failing entry is named, with its block and type");
  t.equal(await page.locator(`#entry-${repaid}.failed`).count(), 1, "and marked in the table");
  t.equal(await page.locator("tr.failed").count(), 1, "only that one");
  await shot(page, "09-receivable-tampered");
  // the same history from an honest node verifies (the hook is off elsewhere)
  t.ok(verifyHistory(await exporter.getFullHistory(mine, { waitCertifiedMs: 10_000 }), validators).ok);
});

t.test("an auditor filters the rejections and exports them as CSV and as a signed evidence bundle", async (t) => {
  const { page, problems } = await open(2);
  await loadKey(page, "auditor");
  await page.goto(`${url(2)}#/rejections`);
  await page.getByLabel("Code").selectOption("DOUBLE_FINANCING");
  await page.getByRole("button", { name: "Filter" }).click();
  await page.getByTestId("rejection-count").filter({ hasText: "1 rejection" }).waitFor();
  const [csv] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
  const text = readFileSync((await csv.path())!, "utf8");
  const lines = text.trim().split("\r\n");
  t.equal(lines[0], "height,index,time,txHash,signer,type,code,message,target");
  t.equal(lines.length, 2);
  t.match(lines[1], new RegExp(`,bank-b,financeReceivable,DOUBLE_FINANCING,.*,${mine}$`));
  const [dl] = await Promise.all([page.waitForEvent("download", { timeout: 60_000 }), page.getByRole("button", { name: "Export signed evidence bundle" }).click()]);
  const bundle = JSON.parse(readFileSync((await dl.path())!, "utf8")) as EvidenceBundle;
  await page.getByTestId("bundle-status").filter({ hasText: "Evidence bundle signed by auditor: 1 rejection proven, 1 history included" }).waitFor();
  await shot(page, "10-rejections");
  // offline, here: nothing but the genesis file's validator set and the auditor's key
  t.equal(bundle.compiledBy, "auditor");
  t.equal(bundle.histories.length, 1);
  const report = verifyHistory(bundle.histories[0]!, validators);
  t.ok(report.ok, `verifyHistory accepts the bundle's history offline: ${JSON.stringify(report.problems)}`);
  t.ok(bundle.histories[0]!.items.some((e) => e.txHash === bundle.rejections[0]!.txHash && e.code === "DOUBLE_FINANCING"), "the history holds the rejected attempt");
  t.ok(verifyTx(bundle.transactions[0]!, validators).ok, "verifyTx accepts the rejected transaction");
  const auditorKey = JSON.parse(keyFile("auditor")).publicKey as string;
  const check = verifyEvidence(bundle, validators, { compilerKey: auditorKey });
  t.same(check, { ok: true, problems: [], proven: 1, histories: 1, epochs: 1 }, "signed by the auditor, every rejection proven");
  t.equal(bundle.format, "tradeledger-evidence/v2");
  t.same(bundle.links, [], "a chain whose set never changed: no epoch link needed");
  const forged = structuredClone(bundle);
  forged.rejections[0]!.signer = "bank-a";
  t.notOk(verifyEvidence(forged, validators).ok, "an edited bundle does not verify");
  t.same(problems, []);
});

t.test("the regulator sees an alert appear live; warrants, titles and reports pages", async (t) => {
  const { page, problems } = await open(0);
  await loadKey(page, "regulator");
  await page.goto(`${url(0)}#/alerts`);
  await page.getByTestId("alerts-state").filter({ hasText: "Live" }).waitFor({ timeout: 30_000 });
  const before = await page.locator("[data-testid=alerts] tbody tr").count();
  // fast financing after registration trips the devnet's sample VELOCITY rule (docs/supervision.md)
  const fresh = (await register(exporter, 30_000_00n)).receipt.target;
  await attest([fresh], 30_000_00n);
  const financed = await commit(net.clientOf("bank-a", 0), tx.financeReceivable({ receivableId: fresh, amount: 10_000_00n, currency: "USD" }));
  t.match(financed.receipt.alerts, [{ ruleId: "fast-financing" }], "the financing raised an alert");
  const row = page.locator("[data-testid=alerts] tbody tr.new", { hasText: "fast-financing" });
  await row.first().waitFor({ timeout: 30_000 });
  t.equal(await page.locator("[data-testid=alerts] tbody tr").count(), before + financed.receipt.alerts!.length, "the new alert was added without a reload");
  t.match(await row.first().textContent(), new RegExp(`^${financed.height}`), "in the financing's block");
  await shot(page, "11-alerts-live");
  // a warrant's tree, from the pieces a tier-1 supplier holds; one piece verified in the browser
  await page.goto(`${url(0)}#/warrants`);
  await page.getByLabel("Pieces held by").fill("tier1-seating");
  await page.getByRole("button", { name: "Show" }).click();
  await page.getByRole("heading", { name: "Pieces held by tier1-seating" }).waitFor();
  await shot(page, "12-warrants");
  // the split warrant (the example also leaves a whole one on another line): tier1-seating kept 30,000.00 of it
  await page.locator("table tr", { hasText: "30,000.00" }).locator("a[href^='#/warrant/']").first().click();
  await page.getByRole("heading", { name: "Tree of pieces" }).waitFor();
  const tiers = await page.locator("ul.tree .tier").allTextContents();
  t.ok(tiers.includes("first holder") && tiers.includes("depth 2"), `the tree goes down the tiers: ${tiers.join(", ")}`);
  await page.locator("ul.tree button", { hasText: "Verify" }).last().click();
  await page.locator("ul.tree .badge.ok").first().waitFor({ timeout: 30_000 });
  t.match(await page.locator("ul.tree .badge.ok").first().textContent(), /verified: \d+ steps/);
  await shot(page, "13-warrant-tree");
  // a title with its pledge history: the one the pledge example tried to pledge twice
  const auditor = net.clientOf("auditor", 0);
  const pledged = (await auditor.getRejections({ code: "TITLE_PLEDGED" })).items[0]!;
  await page.goto(`${url(0)}#/title/${pledged.target}`);
  await page.getByRole("heading", { name: "Pledges" }).waitFor();
  await page.locator("table", { hasText: "RELEASED" }).waitFor({ timeout: 20_000 });
  await shot(page, "14-title");
  await page.goto(`${url(0)}#/rejections`);
  await page.getByTestId("rejection-count").waitFor();
  await shot(page, "14b-rejections-regulator");
  await page.goto(`${url(0)}#/reports`);
  await page.locator("#aging-verified.ok").waitFor({ timeout: 30_000 });
  await page.locator("#concentration-verified.ok").waitFor({ timeout: 30_000 });
  t.ok((await page.locator(".chart canvas").count()) >= 2, "charts drawn");
  await shot(page, "15-reports");
  t.same(problems, []);
});

t.test("a bank sees its own book and is told what it may not see", async (t) => {
  const { page, problems } = await open(0);
  await loadKey(page, "bank-b");
  await page.goto(`${url(0)}#/reports`);
  await page.locator("#aging-verified.ok").waitFor({ timeout: 30_000 });
  t.match(await page.textContent("main"), /you see bank-b's own book/);
  await shot(page, "16-reports-bank");
  await page.goto(`${url(0)}#/party/exporter-sz-electronics`);
  await page.getByRole("heading", { name: "Credit indicators" }).waitFor();
  await page.locator(".hidden-note", { hasText: "Indicators are shown to" }).waitFor({ timeout: 20_000 });
  await shot(page, "17-party-bank");
  t.same(problems, []);
});
