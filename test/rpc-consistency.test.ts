// Reads across nodes and from browsers, over the real node of test/rpc-harness.ts and real HTTP:
// `minHeight` (a node behind waits, bounded, else 503 HEIGHT_NOT_REACHED with Retry-After), the
// X-TL-Height every answer carries, the SDK client's read-your-writes and its failover between
// nodes, CORS from the node config (@koa/cors, preflights), the audit log of reads at the default
// level (the real pino logger writing a file) and the OpenAPI document linted by @redocly/cli.
import t from "tap";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { openApiDocument } from "../sdk/api/openapi.js";
import { routes, type RouteDef } from "../sdk/api/routes.js";
import { signedReadHeaders } from "../sdk/api/signed-reads.js";
import { createClient } from "../sdk/client.js";
import { randomBytes } from "../sdk/crypto.js";
import { LedgerError } from "../sdk/errors.js";
import { nodeConfigSchema } from "../config/schema.js";
import { createLogger } from "../node/log.js";
import { ROOT } from "./devnet-harness.js";
import { RpcHarness, invoice, registerPayload } from "./rpc-harness.js";

const h = await RpcHarness.create();
const main = await h.serve({ corsOrigins: ["https://app.example"] });
t.teardown(async () => {
  await main.server.stop();
  await h.close();
});
const url = main.url;
const signer = (id: string) => h.party(id).signer;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function failure(p: Promise<unknown>): Promise<LedgerError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof LedgerError) return err;
    throw err;
  }
  throw new Error("expected a LedgerError");
}

async function signedGet(base: string, path: string, party: string, headers: Record<string, string> = {}): Promise<Response> {
  const auth = await signedReadHeaders(signer(party), { chainId: h.chainId, time: BigInt(Date.now()), nonce: randomBytes(16), method: "GET", target: path });
  return fetch(base + path, { headers: { ...auth, ...headers } });
}

let seq = 0;
/** Registers a fresh receivable as the exporter; resolves with its id and the receipt's height. */
async function register(): Promise<{ id: string; height: bigint }> {
  const c = createClient({ url, signer: signer("exporter-hz-textiles") });
  const r = await c.submit(registerPayload(invoice(`CONS-${++seq}`)).payload);
  return { id: r.receipt.target, height: BigInt(r.height) };
}

// ---- minHeight on the server ---------------------------------------------------------------------

t.test("minHeight: answered at once when applied, after the block when it comes, else 503 with Retry-After", async (t) => {
  const { id, height } = await register();
  const path = `/v1/receivables/${id}`;
  const now = await signedGet(url, `${path}?minHeight=${height}`, "auditor");
  t.equal(now.status, 200, "a height already applied is answered at once");
  t.equal(now.headers.get("x-tl-height"), String(h.chain.height), "every answer carries the node's height");

  // A read for the next block waits for it: the block comes 300 ms later.
  const next = h.chain.height + 1n;
  const started = performance.now();
  const waiting = signedGet(url, `/v1/parties/bank-a?minHeight=${next}`, "auditor");
  await sleep(300);
  t.equal(h.chain.height, next - 1n, "no block yet");
  await register();
  const answered = await waiting;
  t.equal(answered.status, 200, "answered once the block is applied");
  t.ok(BigInt(answered.headers.get("x-tl-height")!) >= next, "at or after the height asked for");
  t.ok(performance.now() - started >= 300, "it waited for the block");

  // No block comes: a node with a short bound answers 503 HEIGHT_NOT_REACHED with Retry-After.
  const short = await h.serve({ minHeightWaitMs: 200 });
  t.teardown(() => short.server.stop());
  const far = h.chain.height + 5n;
  const refused = await signedGet(short.url, `${path}?minHeight=${far}`, "auditor");
  t.equal(refused.status, 503);
  t.equal(refused.headers.get("retry-after"), "1");
  t.equal(refused.headers.get("x-tl-height"), String(h.chain.height));
  t.match(await refused.json(), { error: { code: "HEIGHT_NOT_REACHED", height: String(h.chain.height), minHeight: String(far), retryAfterMs: 1000, message: /not yet/ } });

  // Open reads take it too; malformed heights are 400; routes that are not reads refuse it.
  t.equal((await fetch(`${short.url}/v1/blocks/latest?minHeight=${far}`)).status, 503);
  t.equal((await fetch(`${url}/v1/blocks/latest?minHeight=1`)).status, 200);
  t.equal((await signedGet(url, `${path}?minHeight=-1`, "auditor")).status, 400);
  t.equal((await signedGet(url, `${path}?minHeight=99999999999999999999999`, "auditor")).status, 400);
  t.equal((await fetch(`${url}/v1/status?minHeight=1`)).status, 400, "status is not a read of ledger state");
  // Every signed read takes it (a new read route must too).
  const reads = (Object.entries(routes) as [string, RouteDef][]).filter(([, r]) => r.method === "GET" && r.access === "signed" && r.produces === "json");
  t.ok(reads.length >= 19, `${reads.length} signed reads`);
  for (const [id, r] of reads) t.ok(Object.hasOwn((r.query as unknown as { shape: object }).shape, "minHeight"), `${id} takes minHeight`);
});

t.test("a read waiting for a height ends when the node stops: 503, not a hang", async (t) => {
  const s = await h.serve({ minHeightWaitMs: 30_000 });
  const pending = signedGet(s.url, `/v1/parties/bank-a?minHeight=${h.chain.height + 100n}`, "auditor").then(
    (r) => r.status,
    () => "closed",
  );
  await sleep(100);
  const started = performance.now();
  await s.server.stop();
  t.ok(performance.now() - started < 5_000, "stopped without waiting out the read");
  t.match(await pending, /^(503|closed)$/);
});

// ---- the SDK client: read-your-writes and failover -------------------------------------------------

t.test("SDK: reads carry the highest height the client has seen; as() shares it; readYourWrites: false sends none", async (t) => {
  const sent: string[] = [];
  const recording: typeof fetch = (input, init) => {
    sent.push(String(input));
    return fetch(input, init);
  };
  const exporter = createClient({ url, signer: signer("exporter-hz-textiles"), fetch: recording });
  t.equal(exporter.seenHeight(), 0n);
  const r = await exporter.submit(registerPayload(invoice(`CONS-${++seq}`)).payload);
  t.equal(exporter.seenHeight(), BigInt(h.chain.height), "the receipt's height (or the answer's, later) is seen");
  t.ok(exporter.seenHeight() >= BigInt(r.height));
  sent.length = 0;
  await exporter.getReceivable(r.receipt.target);
  t.match(sent[0], new RegExp(`[?&]minHeight=${exporter.seenHeight()}(&|$)`), "the read asks for it");
  // The same session as another party.
  sent.length = 0;
  await exporter.as(signer("auditor")).listReceivables({ exporter: "exporter-hz-textiles", limit: 1 });
  t.match(sent[0], /minHeight=/, "as() shares what the client has seen");
  // An explicit minHeight above what was seen wins; below it, the seen height does.
  sent.length = 0;
  await exporter.getParty("bank-a", { minHeight: 1 });
  t.match(sent[0], new RegExp(`minHeight=${exporter.seenHeight()}`));
  const fresh = createClient({ url, signer: signer("auditor"), fetch: recording });
  sent.length = 0;
  await fresh.getParty("bank-a");
  t.notMatch(sent[0], /minHeight/, "nothing seen yet: no minHeight");
  t.ok(fresh.seenHeight() > 0n, "the answer's X-TL-Height is seen");
  const loose = createClient({ url, signer: signer("auditor"), fetch: recording, readYourWrites: false });
  loose.observeHeight(h.chain.height);
  sent.length = 0;
  await loose.getParty("bank-a");
  t.notMatch(sent[0], /minHeight/, "readYourWrites: false");
  t.throws(() => loose.observeHeight("-3"), /a block height/);
  // A height this node will not reach: HEIGHT_NOT_REACHED with its retry hint.
  const short = await h.serve({ minHeightWaitMs: 100 });
  t.teardown(() => short.server.stop());
  const behind = createClient({ url: short.url, signer: signer("auditor") });
  const err = await failure(behind.getParty("bank-a", { minHeight: h.chain.height + 10n }));
  t.match(err, { code: "HEIGHT_NOT_REACHED", status: 503, retryAfterMs: 1000 });
});

t.test("SDK failover: a node that refuses connections or answers 503 is skipped for the next", async (t) => {
  // A port nobody listens on.
  const dead = createServer();
  await new Promise<void>((r) => dead.listen(0, "127.0.0.1", r));
  const deadUrl = `http://127.0.0.1:${(dead.address() as { port: number }).port}`;
  await new Promise((r) => dead.close(r));

  const c = createClient({ url: [deadUrl, url], signer: signer("auditor") });
  t.equal(c.url, deadUrl);
  t.match(await c.getParty("bank-a"), { id: "bank-a", role: "BANK" }, "answered by the second node");
  t.equal(c.url, url, "and that node is used from then on");
  t.match(await c.status(), { chainId: h.chainId });

  // Transactions fail over too (a resubmission is idempotent).
  const w = createClient({ url: [deadUrl, url], signer: signer("exporter-hz-textiles") });
  const r = await w.submit(registerPayload(invoice(`CONS-${++seq}`)).payload);
  t.equal(r.receipt.code, "OK");

  // A node behind (short bound: 503) and one that waits for the block: the read is answered.
  const behind = await h.serve({ minHeightWaitMs: 50 });
  const patient = await h.serve({ minHeightWaitMs: 10_000 });
  t.teardown(async () => {
    await behind.server.stop();
    await patient.server.stop();
  });
  const both = createClient({ url: [behind.url, patient.url], signer: signer("auditor") });
  const next = h.chain.height + 1n;
  const read = both.getParty("bank-a", { minHeight: next });
  await sleep(200);
  await register();
  t.match(await read, { id: "bank-a", role: "BANK" });
  t.equal(both.url, patient.url, "the 503 moved the client to the next node");
  // Every node behind: the last answer's error.
  const none = createClient({ url: [behind.url, behind.url], signer: signer("auditor") });
  t.match(await failure(none.getParty("bank-a", { minHeight: h.chain.height + 50n })), { code: "HEIGHT_NOT_REACHED" });
  // Every node down: NETWORK.
  t.match(await failure(createClient({ url: [deadUrl, deadUrl] }).status()), { code: "NETWORK" });
  t.throws(() => createClient({ url: [] }), /non-empty list/);
  t.throws(() => createClient({ url: ["ftp://x"] }), /http\(s\) URL/);
});

// ---- CORS ----------------------------------------------------------------------------------------

t.test("CORS: corsOrigins in the node config; preflights and answers for those origins only", async (t) => {
  const base = { dataDir: "d", genesisFile: "g.json", nodeKeyFile: "k.json", validatorId: "bank-a", p2p: { listen: ["/ip4/127.0.0.1/tcp/1"] } };
  const cfg = nodeConfigSchema.parse({ ...base, rpc: { corsOrigins: ["https://app.example", "http://localhost:5173"] } });
  t.same(cfg.rpc.corsOrigins, ["https://app.example", "http://localhost:5173"], "the schema takes corsOrigins");
  t.same(nodeConfigSchema.parse(base).rpc.corsOrigins, [], "none by default");
  for (const bad of ["https://app.example/", "https://app.example/path", "app.example", "*", "ftp://x.example"]) {
    const r = nodeConfigSchema.safeParse({ ...base, rpc: { corsOrigins: [bad] } });
    t.notOk(r.success, `${bad} is refused`);
    if (!r.success) t.match(r.error.issues[0]?.message, /a browser origin/);
  }

  // The preflight of a signed read with a minHeight, as a browser sends it.
  const pre = await fetch(`${url}/v1/receivables?minHeight=3`, {
    method: "OPTIONS",
    headers: { origin: "https://app.example", "access-control-request-method": "GET", "access-control-request-headers": "x-tl-party,x-tl-time,x-tl-nonce,x-tl-signature" },
  });
  t.equal(pre.status, 204);
  t.equal(pre.headers.get("access-control-allow-origin"), "https://app.example");
  t.match(pre.headers.get("access-control-allow-methods"), /GET/);
  t.match(pre.headers.get("access-control-allow-methods"), /POST/);
  for (const hdr of ["x-tl-party", "x-tl-time", "x-tl-nonce", "x-tl-signature", "content-type", "last-event-id"]) t.match(pre.headers.get("access-control-allow-headers"), hdr);
  t.equal(pre.headers.get("access-control-max-age"), "600");
  t.match(pre.headers.get("vary"), /Origin/);
  // The preflight of a transaction submission.
  const prePost = await fetch(`${url}/v1/txs`, { method: "OPTIONS", headers: { origin: "https://app.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type" } });
  t.equal(prePost.status, 204);

  // A foreign origin's preflight gets no CORS headers (the browser then refuses to send).
  const foreign = await fetch(`${url}/v1/receivables`, { method: "OPTIONS", headers: { origin: "https://evil.example", "access-control-request-method": "GET" } });
  t.equal(foreign.headers.get("access-control-allow-origin"), null);
  t.equal(foreign.headers.get("access-control-allow-headers"), null);

  // The actual answers: allowed origin, and what a page may read (X-TL-Height for read-your-writes).
  const get = await signedGet(url, "/v1/parties/bank-a", "auditor", { origin: "https://app.example" });
  t.equal(get.status, 200);
  t.equal(get.headers.get("access-control-allow-origin"), "https://app.example");
  t.match(get.headers.get("access-control-expose-headers"), /x-tl-height/);
  t.match(get.headers.get("access-control-expose-headers"), /retry-after/);
  // Errors carry them too, so a page can read a 404 or a 503.
  const missing = await signedGet(url, `/v1/receivables/${"ab".repeat(32)}`, "auditor", { origin: "https://app.example" });
  t.equal(missing.status, 404);
  t.equal(missing.headers.get("access-control-allow-origin"), "https://app.example");
  t.equal((await fetch(`${url}/v1/status`, { headers: { origin: "https://evil.example" } })).headers.get("access-control-allow-origin"), null);

  // Preflights are charged to the client like any request.
  const limited = await h.serve({ corsOrigins: ["https://app.example"], rateLimitPerMinute: 2 });
  t.teardown(() => limited.server.stop());
  const preflight = () => fetch(`${limited.url}/v1/status`, { method: "OPTIONS", headers: { origin: "https://app.example", "access-control-request-method": "GET" } }).then((r) => r.status);
  t.same([await preflight(), await preflight(), await preflight()], [204, 204, 429]);
});

// ---- the audit log of reads ------------------------------------------------------------------------

t.test("audit log: every authenticated read at the default level (party, route, object, status), bounded", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tl-audit-"));
  const file = join(dir, "node.log");
  const logger = createLogger({ file }); // the default level, info
  const s = await h.serve({ logger, rateLimitPerMinute: 20 });
  t.teardown(() => s.server.stop());
  const { id } = await register();
  t.equal((await signedGet(s.url, `/v1/receivables/${id}`, "auditor")).status, 200);
  t.equal((await signedGet(s.url, `/v1/receivables/${id}`, "exporter-sz-electronics")).status, 403);
  t.equal((await signedGet(s.url, `/v1/receivables?exporter=exporter-hz-textiles&limit=5`, "bank-a")).status, 200);
  t.equal((await signedGet(s.url, `/v1/parties/${"x".repeat(3000)}`, "bank-b")).status, 400);
  t.equal((await fetch(`${s.url}/v1/status`)).status, 200);
  // Past the party's rate limit: refusals are not audit lines (the refusal budget takes them).
  for (let i = 0; i < 30; i++) await signedGet(s.url, "/v1/parties/bank-a", "customs");
  await sleep(300); // pino writes asynchronously
  const lines = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const reads = lines.filter((l) => l.msg === "read");
  t.match(reads[0], { level: "info", party: "auditor", route: "getReceivable", object: id, status: 200, requestId: /./, time: /^\d{4}-\d{2}-\d{2}T/ });
  t.match(reads[1], { level: "info", party: "exporter-sz-electronics", route: "getReceivable", object: id, status: 403, code: "FORBIDDEN" });
  t.match(reads[2], { party: "bank-a", route: "listReceivables", query: "exporter=exporter-hz-textiles&limit=5", status: 200 });
  t.match(reads[3], { party: "bank-b", route: "getParty", status: 400 });
  t.ok(reads[3].object.length < 160, "a long object is clipped");
  t.equal(reads.filter((l) => l.party === "customs").length, 20, "the party's 20 allowed reads, not its 10 refusals");
  t.notOk(lines.some((l) => l.msg === "read" && l.route === "getStatus"), "open routes are not party reads");
  t.ok(lines.every((l) => JSON.stringify(l).length < 1000), "every line is short");

  // auditReads: false keeps them at debug (off at the default level).
  const quietFile = join(dir, "quiet.log");
  const quiet = await h.serve({ logger: createLogger({ file: quietFile }), auditReads: false });
  t.teardown(() => quiet.server.stop());
  t.equal((await signedGet(quiet.url, "/v1/parties/bank-a", "auditor")).status, 200);
  await sleep(300);
  t.notMatch(readFileSync(quietFile, "utf8"), /"msg":"read"/);
});

// ---- OpenAPI -----------------------------------------------------------------------------------------

t.test("OpenAPI: servers, license, one signing scheme, and @redocly/cli lint finds nothing (offline)", async (t) => {
  const doc = openApiDocument({ version: "0.1.0" }) as any;
  t.match(doc.info.license, { name: "Apache-2.0", identifier: "Apache-2.0" });
  t.match(doc.servers, [{ url: "{scheme}://{host}:{port}", variables: { port: { default: "7001" } } }]);
  t.same(Object.keys(doc.components.securitySchemes), ["signedRead"], "request signing is one scheme");
  t.match(doc.components.securitySchemes.signedRead, { type: "apiKey", in: "header", name: "x-tl-signature", description: /x-tl-party.*x-tl-time.*x-tl-nonce/s });
  t.same(doc.paths["/v1/receivables/{id}"].get.security, [{ signedRead: [] }]);
  t.same(doc.paths["/v1/status"].get.security, []);
  t.ok(doc.paths["/v1/receivables/{id}"].get.parameters.some((p: any) => p.name === "minHeight" && p.in === "query"), "reads document minHeight");
  t.same(Object.keys(doc.paths["/v1/receivables/{id}"].get.responses["200"].headers), ["X-TL-Height"]);
  t.same(Object.keys(doc.paths["/v1/receivables/{id}"].get.responses["503"].headers), ["X-TL-Height", "Retry-After"]);
  t.match(doc.paths["/v1/events"].get.responses["200"].content["text/event-stream"].schema, { type: "string", contentSchema: { $ref: "#/components/schemas/LedgerEvent" } });

  const dir = mkdtempSync(join(tmpdir(), "tl-openapi-"));
  const file = join(dir, "openapi.json");
  writeFileSync(file, JSON.stringify(doc, null, 2));
  const cli = join(ROOT, "node_modules", "@redocly", "cli", "bin", "cli.js");
  // Offline: no telemetry, no update check; the repository's redocly.yaml (the recommended rules).
  const env = { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" };
  const run = (target: string) =>
    promisify(execFile)(process.execPath, [cli, "lint", target, "--config", join(ROOT, "redocly.yaml"), "--format", "stylish"], { env, cwd: dir, timeout: 120_000 }).then(
      (r) => ({ code: 0, out: r.stdout + r.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, out: `${e.stdout ?? ""}${e.stderr ?? ""}` }),
    );
  const lint = await run(file);
  t.equal(lint.code, 0, lint.out.slice(-3000));
  t.match(lint.out, /Your API description is valid/);
  t.notMatch(lint.out, /^\s*\d+:\d+\s+(?:error|warning)\s/m, "no problem of any rule, warnings included");
  // The lint is not vacuous: a document without license and servers fails it.
  const bare = join(dir, "bare.json");
  const { servers: _s, ...rest } = doc;
  writeFileSync(bare, JSON.stringify({ ...rest, info: { ...doc.info, license: undefined } }));
  const failed = await run(bare);
  t.not(failed.code, 0);
  t.match(failed.out, /^\s*\d+:\d+\s+error\s+no-empty-servers\s/m);
  t.match(failed.out, /^\s*\d+:\d+\s+warning\s+info-license\s/m);
});
