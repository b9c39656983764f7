// The web explorer follows the chain of validator sets (docs/explorer.md "Which validators",
// docs/governance.md §5). The network is the in-process node of test/rpc-harness.ts (store,
// executor, query model, RPC, and the built explorer served at /explorer/), whose blocks are signed
// by the set of their epoch, as in test/epoch-links.test.ts: the four genesis validators add the
// regulator's node (epoch 1, five validators), then remove core-enterprise's (epoch 2), and
// node/epochs.ts keeps the link of each switch. Headless Chromium (Debian's, through
// playwright-core) opens the explorer as a reader would and checks that it
//   - proves epochs 1 and 2 from the genesis set it pinned and shows each set with its heights;
//   - verifies the blocks of every epoch, each with its epoch's set (the genesis set alone would
//     refuse epochs 1 and 2: the first test shows the page does not);
//   - shows a forged link as such, and every block after it unverified, while blocks before it
//     still verify; and a switch whose link the node does not serve likewise;
//   - exports a signed evidence bundle of a refusal made after the switches that carries both epoch
//     links and verifies offline with the genesis set alone, and refuses to hand one over when the
//     node withholds a link the bundle needs.
// The forged and withheld links are what a lying node would serve: the test rewrites the page's
// GET /v1/validator-sets answer in the browser (playwright's request routing), so nothing in the
// node is made to lie.
//
// Needs Chromium at /usr/bin/chromium (Debian: `apt-get install -y chromium`) and the built explorer
// (npm run build).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { tx } from "../sdk/builders.js";
import { fromHex, toHex, utf8 } from "../sdk/bytes.js";
import { readFileSync } from "node:fs";
import { validatorSetFromGenesis } from "../sdk/verify.js";
import { verifyEvidence, type EvidenceBundle } from "../sdk/evidence.js";
import type { EpochLinkJson } from "../sdk/epochs.js";
import { epochEndFor } from "../consensus/replica.js";
import { nodeCrypto } from "../node/crypto.js";
import { EpochLinks } from "../node/epochs.js";
import { silentLogger } from "../node/log.js";
import { defaultExplorerDir } from "../rpc/explorer.js";
import { createClient } from "../sdk/client.js";
import { ROOT } from "./devnet-harness.js";
import { attestPayload, decideValidatorChange, invoice, registerPayload, RpcHarness } from "./rpc-harness.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS = process.env.EXPLORER_SCREENSHOTS ?? join(ROOT, ".tap", "explorer");
if (!existsSync(join(defaultExplorerDir(), "index.html"))) {
  t.fail("the explorer is not built: npm run build (vite) writes dist/explorer/");
  process.exit(1);
}
if (!existsSync(CHROMIUM)) {
  t.fail(`Chromium not found at ${CHROMIUM}: install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH`);
  process.exit(1);
}
mkdirSync(SHOTS, { recursive: true });

// ---- a network that switched sets twice ------------------------------------------------------------
const K = 4;
const L = 8;
const h = await RpcHarness.create({ governance: true, ledgerParams: { checkpointInterval: K, watermarkWindow: L } });
const { server, url } = await h.serve({ explorerDir: defaultExplorerDir() });
t.teardown(async () => {
  await server.stop();
  await h.close();
});
const as = (id: string) => createClient({ url, signer: h.party(id).signer });
const genesis = validatorSetFromGenesis(h.genesis());
const links = new EpochLinks({ store: h.store, genesis, crypto: nodeCrypto, logger: silentLogger });
const regulatorNodeSeed = new Uint8Array(createHash("sha256").update(utf8("explorer-epochs/node/regulator")).digest());

/** The switch at `seq`, as the node's epoch runner hands it over: the ending set's stable checkpoint. */
const endEpoch = async (epoch: bigint, nextEpoch: bigint, seq: bigint) => links.onEpochEnded({ epoch, nextEpoch, checkpoint: await h.stableCheckpoint(seq) });
const decide = (change: "ADD" | "REMOVE", partyId: string, nodePublicKey: Uint8Array) => decideValidatorChange(as, change, partyId, nodePublicKey);

// epoch 0: the genesis four; a receivable whose history will span the three epochs
const exporter = as("exporter-hz-textiles");
const receivableId = (await exporter.submit(registerPayload(invoice("X-1")).payload)).receipt.target;
const E1 = epochEndFor(await decide("ADD", "regulator", nodeCrypto.publicKeyFromSeed(regulatorNodeSeed)), K, L);
await h.advanceTo(E1);
await endEpoch(0n, 1n, E1);
// epoch 1: five validators
h.signing = { epoch: 1n, seeds: [...h.validatorSeeds, regulatorNodeSeed] };
await as("customs").submit(attestPayload("X1", { exporter: "exporter-hz-textiles", amount: "152500.00", receivableIds: [receivableId] }));
const E2 = epochEndFor(await decide("REMOVE", "core-enterprise", nodeCrypto.publicKeyFromSeed(h.validatorSeeds[3]!)), K, L);
await h.advanceTo(E2);
await endEpoch(1n, 2n, E2);
// epoch 2: core-enterprise's node removed
h.signing = { epoch: 2n, seeds: [h.validatorSeeds[0]!, h.validatorSeeds[1]!, h.validatorSeeds[2]!, regulatorNodeSeed] };
await as("bank-a").submit(tx.financeReceivable({ receivableId, amount: 10_000_000n, currency: "USD" }));
// a second bank's financing beyond what is left: refused (DOUBLE_FINANCING), evidence of epoch 2
const refused = await as("bank-b").submit(tx.financeReceivable({ receivableId, amount: 10_000_000n, currency: "USD" })).then(
  () => null,
  (e: { code?: string }) => e.code,
);
await h.advanceTo(h.chain.height + 3n);
const head = h.chain.height;
const epochOf = (height: bigint) => (height > E2 ? 2 : height > E1 ? 1 : 0);

// ---- the browser -------------------------------------------------------------------------------------
const browser: Browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
t.teardown(() => browser.close());

/**
 * A fresh browser (its own storage: the genesis set pinned on first use) on the explorer, with the
 * node's answer to GET /v1/validator-sets rewritten by `lie` when given, and page errors collected.
 */
async function open(hash = "#/", lie?: ((links: EpochLinkJson[]) => EpochLinkJson[]) | "refuse"): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  if (lie) {
    await context.route("**/v1/validator-sets*", async (route) => {
      if (lie === "refuse") return route.fulfill({ status: 404, json: { error: { code: "NOT_FOUND", message: "no such route" } } });
      const answer = await route.fetch();
      const body = (await answer.json()) as { links: EpochLinkJson[] };
      await route.fulfill({ response: answer, json: { ...body, links: lie(body.links) } });
    });
  }
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    // a refused or missing resource is logged by the browser itself; the pages show those
    if (m.type() === "error" && !/status of 40[134]/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  await page.goto(`${url}/explorer/${hash}`);
  return { context, page, problems };
}

/** The latest blocks as the network page shows them: height, epoch, badge state and text. */
async function blockRows(page: Page): Promise<{ height: bigint; epoch: string | null; ok: boolean; text: string }[]> {
  await page.locator("[data-testid=blocks] tbody tr .badge:not(.pending)").first().waitFor();
  return page.locator("[data-testid=blocks] tbody tr").evaluateAll((rows) =>
    rows.map((r) => {
      const badge = r.querySelector(".badge");
      return { height: r.querySelector("td")!.textContent!, epoch: r.getAttribute("data-epoch"), ok: !!badge?.classList.contains("ok"), text: badge?.textContent ?? "" };
    }),
  ).then((rows) => rows.map((r) => ({ ...r, height: BigInt(r.height) })));
}

/** Loads a harness party's key in the page (#/key, pasted as a key file). */
async function loadKey(page: Page, id: string): Promise<void> {
  const p = h.party(id);
  await page.goto(`${url}/explorer/#/key`);
  await page.getByLabel("Or paste the key").fill(JSON.stringify({ partyId: p.id, seed: p.seedHex, publicKey: toHex(p.signer.publicKey) }));
  await page.getByRole("button", { name: "Use this key" }).click();
  await page.getByText(`Reading as ${p.id}`).waitFor({ timeout: 20_000 });
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `epochs-${name}.png`), fullPage: true });
const flipHex = (hex: string): string => {
  const b = fromHex(hex);
  b[0] = b[0]! ^ 1;
  return toHex(b);
};

t.test("the network switched sets twice, and the latest blocks span epochs 1 and 2", async (t) => {
  t.ok(E1 < E2 && E2 < head);
  t.ok(head - 11n <= E2 && head - 11n > E1, `the network page's 12 latest blocks (${head - 11n}..${head}) include both sides of the switch at ${E2}`);
  t.equal((await as("auditor").getValidatorSets()).links.length, 2);
  const unsigned = await fetch(`${url}/v1/validator-sets`);
  t.equal(unsigned.status, 200, "the chain of sets is open, like the blocks it certifies: the keyless pages need it");
});

t.test("the explorer proves the sets from the genesis set it pinned and verifies every epoch's blocks with its set", async (t) => {
  const { context, page, problems } = await open();
  const card = page.getByTestId("sets");
  await page.locator("[data-testid=sets][data-state=proven]").waitFor();
  const rows = await card.locator("tbody tr").evaluateAll((rs) => rs.map((r) => Array.from(r.querySelectorAll("td"), (td) => td.textContent)));
  t.same(
    rows.map((r) => r.slice(0, 3)),
    [
      ["0", `heights 1 to ${E1}`, "bank-a, bank-b, customs, core-enterprise"],
      ["1", `heights ${E1 + 1n} to ${E2}`, "bank-a, bank-b, customs, core-enterprise, regulator"],
      ["2", `from height ${E2 + 1n} on`, "bank-a, bank-b, customs, regulator"],
    ],
    "each epoch's set with its heights",
  );
  t.match(rows[1]![3], `proven: epoch 0's checkpoint at height ${E1}`);
  t.match(rows[2]![3], `proven: epoch 1's checkpoint at height ${E2}`);
  t.equal(await card.locator(".badge.ok").count(), 3, "all three sets proven");
  t.match(await page.getByTestId("sets-summary").textContent(), `In force: epoch 2 from height ${E2 + 1n} on, bank-a, bank-b, customs, regulator (4 validators, a quorum is 3)`);
  t.equal(await page.getByTestId("sets-warning").count(), 0, "no warning");

  const blocks = await blockRows(page);
  t.equal(blocks.length, 12);
  t.same(blocks.map((b) => b.epoch), blocks.map((b) => String(epochOf(b.height))), "each block shows its certificate's epoch");
  t.same(blocks.filter((b) => !b.ok), [], "every block verified, epochs 1 and 2 included");
  for (const b of blocks) t.match(b.text, `verified: ${epochOf(b.height) === 1 ? "4 of 5" : "3 of 4"} validators signed`, `block ${b.height}`);
  await shot(page, "01-network");

  // the block page: an epoch-1 block, its set, its commit certificate and its checkpoint
  await page.goto(`${url}/explorer/#/block/${E1 + 1n}`);
  await page.locator("#block-certificate.ok").waitFor();
  t.match(await page.getByTestId("block-epoch").textContent(), `epoch 1, heights ${E1 + 1n} to ${E2}: bank-a, bank-b, customs, core-enterprise, regulator`);
  t.match(await page.locator("#block-certificate").textContent(), "(2f+1 of 5)");
  await page.getByText(/certified by epoch 1's checkpoint at height \d+/).waitFor();
  await page.goto(`${url}/explorer/#/block/${head}`);
  await page.locator("#block-certificate.ok").waitFor();
  t.match(await page.getByTestId("block-epoch").textContent(), `epoch 2, from height ${E2 + 1n} on: bank-a, bank-b, customs, regulator`);
  await page.getByText(/certified by epoch 2's checkpoint at height \d+/).waitFor();
  await shot(page, "02-block-epoch-2");

  // a history across the three epochs, verified with the chain (a key: the harness's exporter)
  const p = h.party("exporter-hz-textiles");
  await page.goto(`${url}/explorer/#/key`);
  await page.getByLabel("Or paste the key").fill(JSON.stringify({ partyId: p.id, seed: p.seedHex, publicKey: toHex(p.signer.publicKey) }));
  await page.getByRole("button", { name: "Use this key" }).click();
  await page.getByText(`Reading as ${p.id}`).waitFor({ timeout: 20_000 });
  await page.goto(`${url}/explorer/#/receivable/${receivableId}`);
  await page.locator("#history-verified.ok").waitFor({ timeout: 30_000 });
  t.match(await page.locator("#history-verified").textContent(), /verified against the validators: \d+ entries/, "registered in epoch 0, attested in epoch 1, financed in epoch 2");
  t.same(problems, []);
  await context.close();
});

t.test("a forged link is shown as such; the blocks after it stay unverified, the ones before it still verify", async (t) => {
  // the link of epoch 2 with one of epoch 1's checkpoint signatures forged
  const { context, page, problems } = await open("#/", (ls) => {
    ls[1]!.checkpoint.signatures[0]!.signature = flipHex(ls[1]!.checkpoint.signatures[0]!.signature);
    return ls;
  });
  await page.locator("[data-testid=sets][data-state=broken]").waitFor();
  t.same(await page.locator("[data-testid=sets] tbody tr[data-epoch]").evaluateAll((rs) => rs.map((r) => r.getAttribute("data-epoch"))), ["0", "1"], "epochs 0 and 1 proven");
  t.match(await page.getByTestId("sets-broken").textContent(), /^2.*not proven.*link 1 \(of 2 served, for epoch 2\) does not verify: CHECKPOINT_INVALID, link 1: epoch 1's checkpoint at \d+: bad checkpoint signature/);
  t.match(await page.getByTestId("sets-summary").textContent(), `In force as far as proven: epoch 1 from height ${E1 + 1n} on`);
  t.match(await page.getByTestId("sets-warning").textContent(), /does not verify at link 1 \(of 2 served, for epoch 2\): CHECKPOINT_INVALID.*later epoch than 1 stay unverified/, "every page says so");
  const blocks = await blockRows(page);
  const after = blocks.filter((b) => b.height > E2);
  const before = blocks.filter((b) => b.height <= E2);
  t.ok(after.length > 0 && before.length > 0);
  t.same(after.filter((b) => b.ok), [], "no block of epoch 2 passes");
  for (const b of after) t.match(b.text, "unverified: epoch 2 is not proven", `block ${b.height}`);
  t.same(before.filter((b) => !b.ok), [], "epoch 1's blocks still verify");
  await shot(page, "03-forged-link");
  await page.goto(`${url}/explorer/#/block/${head}`);
  await page.locator("#block-certificate.bad").waitFor();
  t.match(await page.getByTestId("block-epoch").textContent(), "epoch 2: not proven from the genesis set you pinned");
  await page.getByText("unverified: epoch 2 is not proven").last().waitFor();
  t.same(problems, []);
  await context.close();

  // the first link forged (its set record swapped for the second's): nothing after the genesis set's end verifies
  const second = await open("#/", (ls) => [{ ...ls[0]!, setRecord: ls[1]!.setRecord, proof: ls[1]!.proof }, ls[1]!]);
  await second.page.locator("[data-testid=sets][data-state=broken]").waitFor();
  t.match(await second.page.getByTestId("sets-broken").textContent(), /link 0 \(of 2 served, for epoch 1\) does not verify: SET_NOT_PROVEN/);
  const rows = await blockRows(second.page);
  t.same(rows.filter((b) => b.ok), [], "the latest blocks, all after the first switch, are unverified");
  t.ok(rows.every((b) => /unverified: epoch [12] is not proven/.test(b.text)));
  await second.context.close();
});

t.test("a switch whose link the node does not serve: later blocks stay unverified, and the page says why", async (t) => {
  const { context, page, problems } = await open("#/", (ls) => ls.slice(0, 1));
  await page.locator("[data-testid=sets][data-state=proven]").waitFor();
  t.match(await page.getByTestId("sets-warning").textContent(), `This node says its validator set is epoch 2 since height ${E2 + 1n}, but serves no link that proves it`);
  t.match(await page.getByTestId("sets-missing").textContent(), `2from height ${E2 + 1n} on, as this node saysnot proven✗ this node serves no link for it`);
  const blocks = await blockRows(page);
  t.same(blocks.filter((b) => b.height > E2 && b.ok), [], "epoch 2's blocks are not passed");
  t.same(blocks.filter((b) => b.height <= E2 && !b.ok), [], "epoch 1's are");
  await shot(page, "04-withheld-link");
  t.same(problems, []);
  await context.close();

  // a node that does not serve the chain of sets at all (an older node): only the genesis set's blocks verify
  const refused = await open("#/", "refuse");
  await refused.page.locator("[data-testid=sets][data-state=unavailable]").waitFor();
  t.match(await refused.page.getByTestId("sets-unavailable").textContent(), "the chain of sets could not be read");
  t.match(await refused.page.getByTestId("sets-warning").textContent(), "only the genesis set's blocks (epoch 0) verify");
  const rows = await blockRows(refused.page);
  t.same(rows.filter((b) => b.ok), [], "no block of epochs 1 and 2 passes");
  t.same(refused.problems, []);
  await refused.context.close();
});

t.test("an evidence bundle exported after the switches carries the epoch links and verifies offline with the genesis set alone", async (t) => {
  t.equal(refused, "DOUBLE_FINANCING", "bank-b's financing beyond what is left was refused in epoch 2");
  const { context, page, problems } = await open();
  await page.locator("[data-testid=sets][data-state=proven]").waitFor();
  await loadKey(page, "auditor");
  await page.goto(`${url}/explorer/#/rejections`);
  await page.getByLabel("Code").selectOption("DOUBLE_FINANCING");
  await page.getByRole("button", { name: "Filter" }).click();
  await page.getByTestId("rejection-count").filter({ hasText: "1 rejection" }).waitFor();
  const [dl] = await Promise.all([page.waitForEvent("download", { timeout: 60_000 }), page.getByRole("button", { name: "Export signed evidence bundle" }).click()]);
  const bundle = JSON.parse(readFileSync((await dl.path())!, "utf8")) as EvidenceBundle;
  await page.getByTestId("bundle-status").filter({ hasText: "1 rejection proven, 1 history included, 2 epoch links carried (validator-set epochs 0 to 2), verified here before download with the genesis set alone" }).waitFor();
  await shot(page, "05-evidence-bundle");
  t.equal(bundle.format, "tradeledger-evidence/v2");
  t.same(bundle.links.map((l) => l.epoch), ["1", "2"], "both links: the refusal is certified by epoch 2");
  t.ok(BigInt(bundle.rejections[0]!.height) > E2);
  // offline, here: the genesis file and the auditor's key, nothing from the node
  const genesisFile = validatorSetFromGenesis(JSON.parse(JSON.stringify(h.genesis())));
  t.same(verifyEvidence(bundle, genesisFile, { compilerKey: toHex(h.party("auditor").signer.publicKey) }), { ok: true, problems: [], proven: 1, histories: 1, epochs: 3 });
  const forged = structuredClone(bundle);
  forged.links[1]!.checkpoint.signatures[0]!.signature = flipHex(forged.links[1]!.checkpoint.signatures[0]!.signature);
  t.match(verifyEvidence(forged, genesisFile).problems.slice(0, 2), [{ code: "BAD_SIGNATURE" }, { code: "LINK_INVALID", cause: "CHECKPOINT_INVALID", link: 1 }], "a link edited in the file is refused");
  t.same(problems, []);
  await context.close();

  // a node that withholds the second link: the page cannot prove the bundle from the genesis set, and does not hand it over
  const withheld = await open("#/", (ls) => ls.slice(0, 1));
  await withheld.page.locator("[data-testid=sets][data-state=proven]").waitFor();
  await loadKey(withheld.page, "auditor");
  await withheld.page.goto(`${url}/explorer/#/rejections`);
  await withheld.page.getByTestId("rejection-count").filter({ hasText: /\d+ rejection/ }).waitFor();
  let downloaded = false;
  withheld.page.on("download", () => (downloaded = true));
  await withheld.page.getByRole("button", { name: "Export signed evidence bundle" }).click();
  const error = withheld.page.locator("p.error[role=alert]").filter({ hasText: "the bundle does not verify" });
  await error.waitFor({ timeout: 60_000 });
  t.match(await error.textContent(), /the bundle does not verify: LINK_MISSING: the bundle's certificates name epoch 2, but its links prove the sets only up to epoch 1/);
  t.equal(downloaded, false, "no bundle handed over");
  await shot(withheld.page, "06-evidence-link-withheld");
  await withheld.context.close();
});
