// The SDK in a browser: sdk/index.ts (compiled) is bundled with esbuild for the browser platform,
// failing if anything pulls a node:* module or another Node builtin, served from its own origin,
// and run in headless Chromium against a real node behind the RPC (test/rpc-harness.ts, with CORS
// for that origin): hash a document, sign and submit a transaction, read it back with a signed
// request, follow the event stream and verify the history, all inside the page.
//
// Needs Chromium at /usr/bin/chromium (Debian: `apt-get install -y chromium`); .ci/run installs it.
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import t from "tap";
import { build, type Plugin } from "esbuild";
import { chromium } from "playwright-core";
import { fingerprintInvoice } from "../sdk/fingerprint.js";
import { hashDocument } from "../sdk/hashing/document-hash.js";
import { RpcHarness, invoice } from "./rpc-harness.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const entry = fileURLToPath(new URL("../sdk/index.js", import.meta.url));

t.test("the SDK bundles for the browser without Node modules", async (t) => {
  const refused: string[] = [];
  const noNode: Plugin = {
    name: "no-node-builtins",
    setup(b) {
      b.onResolve({ filter: /^node:/ }, (args) => {
        refused.push(`${args.path} (from ${args.importer})`);
        return { errors: [{ text: `${args.path} is a Node module: the SDK must stay browser-safe` }] };
      });
    },
  };
  const out = await build({ entryPoints: [entry], bundle: true, platform: "browser", format: "esm", target: "es2022", write: false, metafile: true, minify: true, plugins: [noNode], logLevel: "silent" });
  t.same(refused, [], "no node:* import anywhere under sdk/ or its dependencies");
  const inputs = Object.keys(out.metafile.inputs);
  t.ok(inputs.some((i) => i.includes("sdk/client.js")) && inputs.some((i) => i.includes("@noble/curves")), "the client and noble are in the bundle");
  const own = inputs.filter((i) => i.startsWith("dist/")).map((i) => i.slice("dist/".length));
  t.same(own.filter((i) => !/^(sdk|proto\/gen)\//.test(i)), [], "nothing of ours but sdk/ and the generated schema");
  t.comment(`bundle: ${(out.outputFiles[0]!.contents.length / 1024).toFixed(0)} KiB minified, ${inputs.length} modules`);
});

t.test("in headless Chromium: hash, sign, submit, read back, stream and verify", async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.fail(`Chromium not found at ${CHROMIUM}: install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH`);
    return;
  }
  const bundle = await build({ entryPoints: [entry], bundle: true, platform: "browser", format: "esm", target: "es2022", write: false, logLevel: "silent" });
  const js = bundle.outputFiles[0]!.contents;
  const page = `<!doctype html><meta charset="utf-8"><title>TradeLedger SDK</title><script type="module">import * as sdk from "/sdk.js"; window.sdk = sdk; window.sdkReady = true;</script>`;
  const web = createServer((req, res) => {
    if (req.url === "/sdk.js") {
      res.writeHead(200, { "content-type": "text/javascript" });
      res.end(js);
    } else {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(page);
    }
  });
  await new Promise<void>((r) => web.listen(0, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${(web.address() as { port: number }).port}`;
  const h = await RpcHarness.create();
  const { server, url } = await h.serve({ corsOrigins: [origin] });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  t.teardown(async () => {
    await browser.close();
    await server.stop();
    await h.close();
    web.close();
  });
  const tab = await browser.newPage();
  const consoleErrors: string[] = [];
  tab.on("pageerror", (e) => consoleErrors.push(e.message));
  await tab.goto(origin);
  await tab.waitForFunction(() => (window as unknown as { sdkReady?: boolean }).sdkReady === true);

  const doc = invoice("BROWSER-1");
  const inNode = hashDocument(doc);
  const exporter = h.party("exporter-hz-textiles");
  const result = await tab.evaluate(
    async ({ rpcUrl, seedHex, doc, salts, genesis }) => {
      const sdk = (window as any).sdk;
      const signer = sdk.signerFromSeed("exporter-hz-textiles", seedHex);
      const client = sdk.createClient({ url: rpcUrl, signer });
      const hashed = sdk.hashDocument(doc, { salts });
      const fingerprint = sdk.fingerprintInvoice({ sellerId: doc.seller.partyId, buyerId: doc.buyer.identifier, invoiceNumber: doc.invoiceNumber, currency: doc.currency });
      const abort = new AbortController();
      const events = client.events({ types: ["receivableRegistered"] }, { signal: abort.signal });
      const firstEvent = events.next();
      await new Promise((r) => setTimeout(r, 200));
      const payload = sdk.tx.registerReceivable({
        documentHash: hashed.root,
        fingerprint,
        buyerId: doc.buyer.identifier,
        amount: sdk.decimalToMinorUnits(doc.totalAmount, doc.currency),
        currency: doc.currency,
        issueDate: doc.issueDate,
        dueDate: doc.dueDate,
      });
      const committed = await client.submit(payload, signer, { wait: "commit" });
      const id = committed.receipt.target;
      const view = await client.getReceivable(id);
      const event = (await firstEvent).value;
      abort.abort();
      let duplicate = null;
      try {
        await client.submit(payload, signer, { wait: "commit" });
      } catch (e: any) {
        duplicate = { name: e.name, code: e.code, status: e.status, receiptCode: e.receipt?.code };
      }
      const history = await client.getFullHistory(id);
      const report = sdk.verifyHistory(history, sdk.validatorSetFromGenesis(genesis));
      return { rootHex: hashed.rootHex, fingerprint: sdk.toHex(fingerprint), id, txHash: committed.txHash, status: view.receivable.status, eventTx: event?.txHash, duplicate, verified: report.ok, problems: report.problems };
    },
    { rpcUrl: url, seedHex: exporter.seedHex, doc, salts: inNode.salts, genesis: h.genesis() },
  );
  t.equal(result.rootHex, inNode.rootHex, "the browser hashes the document to the same root as Node");
  t.equal(result.fingerprint, Buffer.from(fingerprintInvoice({ sellerId: doc.seller.partyId, buyerId: doc.buyer.identifier, invoiceNumber: doc.invoiceNumber, currency: doc.currency })).toString("hex"));
  t.equal(result.id, result.txHash);
  t.equal(result.status, "REGISTERED", "read back with a signed request from the page");
  t.equal(result.eventTx, result.txHash, "the event stream works over fetch streaming");
  t.same(result.duplicate, { name: "LedgerError", code: "DUPLICATE_DOCUMENT", status: 409, receiptCode: "DUPLICATE_DOCUMENT" });
  t.equal(result.verified, true, JSON.stringify(result.problems));
  const stored = await h.query.getReceivable(result.id);
  t.equal(stored?.exporterId, "exporter-hz-textiles", "the node stored what the browser signed");

  // The asynchronous Signer in the browser: a non-extractable WebCrypto Ed25519 key (the page can
  // sign with it but never read it), onboarded by a bank, signs a transaction and a signed read.
  const webcrypto = await tab.evaluate(
    async ({ rpcUrl, bankSeedHex }) => {
      const sdk = (window as any).sdk;
      const keys = (await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"])) as CryptoKeyPair;
      const publicKey = new Uint8Array(await crypto.subtle.exportKey("raw", keys.publicKey));
      let exportable = true;
      try {
        await crypto.subtle.exportKey("pkcs8", keys.privateKey);
      } catch {
        exportable = false;
      }
      const signer = { partyId: "exporter-webcrypto", publicKey, sign: async (m: Uint8Array) => new Uint8Array(await crypto.subtle.sign("Ed25519", keys.privateKey, m as Uint8Array<ArrayBuffer>)) };
      const bank = sdk.signerFromSeed("bank-a", bankSeedHex);
      const client = sdk.createClient({ url: rpcUrl, signer: bank });
      await client.submit(sdk.tx.registerParty({ id: "exporter-webcrypto", role: "ENTERPRISE", name: "WebCrypto Exporter", country: "CN", publicKey }), bank, { wait: "commit" });
      const anchored = await client.submit(sdk.tx.anchorDocument({ documentHash: sdk.sha256(sdk.utf8("packing list, browser")), documentType: "PACKING_LIST" }), signer, { wait: "commit" });
      const party = await client.as(signer).getParty("exporter-webcrypto");
      return { exportable, code: anchored.receipt.code, partyId: party.id, registeredBy: party.registeredBy };
    },
    { rpcUrl: url, bankSeedHex: h.party("bank-a").seedHex },
  );
  t.equal(webcrypto.exportable, false, "the page cannot read the private key");
  t.equal(webcrypto.code, "OK", "a transaction signed by a WebCrypto key through the asynchronous Signer is committed");
  t.equal(webcrypto.partyId, "exporter-webcrypto", "and a signed read with it is answered");
  t.equal(webcrypto.registeredBy, "bank-a");
  t.same(consoleErrors, []);
});
