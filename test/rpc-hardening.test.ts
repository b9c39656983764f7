// The RPC edge against hostile clients (issue 18, findings 1, 2, 3, 4 and 7): stalled bodies and
// connection caps, the rate limiter in front of every route with bounded refusal logs, per-party
// event-stream limits with a reserve for auditors and a paced replay, trusted proxies, and numeric
// parameters, aborted uploads and request ids that never become 500s or raw log lines. Real HTTP
// over the real node of test/rpc-harness.ts; raw sockets where a well-behaved client cannot misbehave.
import t from "tap";
import { connect, type Socket } from "node:net";
import { request, type IncomingMessage } from "node:http";
import { signedReadHeaders } from "../sdk/api/signed-reads.js";
import { buildTxBody } from "../sdk/builders.js";
import { randomBytes } from "../sdk/crypto.js";
import { signerFromSeed, signTransactionSync, type Signer } from "../sdk/signer.js";
import type { LogFields, Logger } from "../node/log.js";
import type { RpcOptions } from "../rpc/server.js";
import { RpcHarness, invoice, registerPayload } from "./rpc-harness.js";

const h = await RpcHarness.create();
t.teardown(() => h.close());

/** Serves with options the harness type may not know (the same test runs against older servers). */
async function serve(t: { teardown(fn: () => unknown): void }, extra: Record<string, unknown>): Promise<{ url: string; port: number }> {
  const s = await h.serve(extra as Partial<RpcOptions>);
  t.teardown(() => s.server.stop());
  return { url: s.url, port: Number(new URL(s.url).port) };
}

interface Line {
  level: string;
  msg: string;
  fields: LogFields;
  bytes: number;
}
/** A logger that keeps every line (every level) and how many bytes pino would have written. */
function captureLogger(): Logger & { lines: Line[]; bytes(): number } {
  const lines: Line[] = [];
  const at =
    (level: string) =>
    (msg: string, fields: LogFields = {}) => {
      const text = JSON.stringify({ level, msg, ...fields }, (_k, v) => (typeof v === "bigint" ? v.toString() : v instanceof Error ? { message: v.message, stack: v.stack } : v));
      lines.push({ level, msg, fields, bytes: text.length + 1 });
    };
  const logger = {
    lines,
    bytes: () => lines.reduce((n, l) => n + l.bytes, 0),
    trace: at("trace"),
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: () => logger,
  };
  return logger;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const signer = (id: string) => h.party(id).signer;

async function signed(s: Signer, path: string, now = Date.now()): Promise<Record<string, string>> {
  return signedReadHeaders(s, { chainId: h.chainId, time: BigInt(now), nonce: randomBytes(16), method: "GET", target: path });
}

/** An HTTP request from a chosen source address (127.0.0.0/8 is all loopback on Linux). */
function get(port: number, path: string, o: { from?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: IncomingMessage["headers"]; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { connection: "close", ...(o.headers ?? {}) }, ...(o.from ? { localAddress: o.from } : {}) }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** A raw socket from `from`; resolves once connected. */
function rawSocket(port: number, from = "127.0.0.1"): Promise<Socket & { closedAt?: number }> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port, localAddress: from }) as Socket & { closedAt?: number };
    s.on("close", () => (s.closedAt = Date.now()));
    s.on("error", () => {});
    s.resume(); // read (and drop) whatever the server answers, so its close is seen
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
}

async function closedWithin(s: Socket & { closedAt?: number }, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (s.closedAt === undefined && Date.now() < until) await sleep(20);
  return s.closedAt !== undefined;
}

// ---- finding 1 ----------------------------------------------------------------------------------

t.test("slow clients: a stalled body is closed after the request timeout; per-address and total connection caps", async (t) => {
  const { port } = await serve(t, { headersTimeoutMs: 400, requestTimeoutMs: 800, maxConnectionsPerAddress: 4, maxConnections: 12, heartbeatMs: 200 });

  const stalled = await rawSocket(port);
  stalled.write(`POST /v1/txs HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"tx":"`);
  const opened = Date.now();
  t.ok(await closedWithin(stalled, 3000), "a request whose body stalls is closed");
  t.ok(stalled.closedAt! - opened >= 700, `not before the request timeout (closed after ${stalled.closedAt! - opened} ms)`);

  const headersOnly = await rawSocket(port);
  headersOnly.write("GET /v1/status HTTP/1.1\r\nhost: x\r\n");
  t.ok(await closedWithin(headersOnly, 3000), "a request whose headers stall is closed");

  // An event stream is a complete request: the request timeout does not end it.
  const sseHeaders = await signed(signer("auditor"), "/v1/events");
  const sse = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/v1/events", headers: sseHeaders }, resolve);
    req.on("error", reject);
    req.end();
  });
  t.equal(sse.statusCode, 200);
  let streamed = "";
  sse.on("data", (c: Buffer) => (streamed += c.toString()));
  await sleep(1500);
  t.equal(sse.destroyed, false, "an event stream outlives the request timeout");
  t.match(streamed, /keepalive/, "and keeps receiving");
  sse.destroy();
  await sleep(50);

  // Four connections from 127.0.0.2 are the cap: the fifth is refused, another address is served.
  const held = await Promise.all([1, 2, 3, 4].map(() => rawSocket(port, "127.0.0.2")));
  const fifth = await rawSocket(port, "127.0.0.2");
  t.ok(await closedWithin(fifth, 1000), "the connection beyond the per-address cap is closed");
  t.equal(held.filter((s) => s.closedAt !== undefined).length, 0, "the ones within the cap stay open");
  t.equal((await get(port, "/v1/status", { from: "127.0.0.3" })).status, 200, "another address is served meanwhile");
  for (const s of held) s.destroy();
  await sleep(100);
  t.equal((await get(port, "/v1/status", { from: "127.0.0.2" })).status, 200, "the address is served again once its connections close");

  // The total: 12 at once from three addresses; the 13th from a fourth address is refused.
  const many = (await Promise.all(["127.0.0.4", "127.0.0.5", "127.0.0.6"].map((a) => Promise.all([1, 2, 3, 4].map(() => rawSocket(port, a)))))).flat();
  await sleep(100);
  const over = await rawSocket(port, "127.0.0.7");
  t.ok(await closedWithin(over, 1000), "a connection beyond the total cap is closed");
  for (const s of many) s.destroy();
});

// ---- finding 2 ----------------------------------------------------------------------------------

t.test("the rate limiter is in front of every route; refusal logs are bounded", async (t) => {
  const log = captureLogger();
  const now = Date.now();
  const { url } = await serve(t, { rateLimitPerMinute: 100, logger: log, clock: () => now });
  const long = "/x/" + "ab".repeat(2000);
  const statuses = new Map<number, number>();
  for (let batch = 0; batch < 2000; batch += 50) {
    const answers = await Promise.all(Array.from({ length: 50 }, () => fetch(url + long).then(async (r) => (await r.arrayBuffer(), r.status))));
    for (const s of answers) statuses.set(s, (statuses.get(s) ?? 0) + 1);
  }
  t.equal(statuses.get(404), 100, "a minute's allowance of unknown paths is answered 404");
  t.equal(statuses.get(429), 1900, "the rest are rate limited");
  const bytes = log.bytes();
  t.ok(bytes < 64 * 1024, `2,000 requests to long unknown paths wrote ${bytes} bytes of log lines (every level)`);
  t.notOk(log.lines.some((l) => JSON.stringify(l.fields).includes("ab".repeat(150))), "no log line carries the long path");
  t.notOk(
    log.lines.some((l) => l.level === "info" && (l.fields.status === 404 || l.fields.status === 401)),
    "404 and 401 are debug noise",
  );
  // Malformed requests spend the same budget.
  const limited = await serve(t, { rateLimitPerMinute: 2 });
  t.equal((await fetch(`${limited.url}/v1/status?nonsense=1`)).status, 400);
  t.equal((await fetch(`${limited.url}/v1/blocks/zz`)).status, 400);
  t.equal((await fetch(`${limited.url}/v1/blocks/zz`)).status, 429, "a malformed request is rate limited");
});

// ---- finding 3 ----------------------------------------------------------------------------------

/** Opens a raw event stream; resolves with the status and the open response. */
async function openStream(port: number, s: Signer, query = ""): Promise<IncomingMessage> {
  const path = `/v1/events${query}`;
  const headers = await signed(s, path);
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers }, resolve);
    req.on("error", reject);
    req.end();
  });
}

t.test("event streams: parties cannot take the auditor's streams", async (t) => {
  const { port } = await serve(t, { maxEventStreams: 8, maxEventStreamsPerParty: 2, eventStreamsReservedForAuditors: 2 });
  const open: IncomingMessage[] = [];
  t.teardown(() => open.forEach((r) => r.destroy()));
  const statuses: number[] = [];
  for (const id of ["bank-a", "bank-b", "customs", "core-enterprise", "exporter-hz-textiles", "exporter-sz-electronics"]) {
    for (let i = 0; i < 2; i++) {
      const res = await openStream(port, signer(id));
      statuses.push(res.statusCode!);
      if (res.statusCode === 200) open.push(res);
      else res.resume();
    }
  }
  t.equal(statuses.filter((s) => s === 200).length, 6, "the other parties share what the reserve leaves");
  t.equal(statuses.filter((s) => s === 429).length, 6);
  for (let i = 0; i < 2; i++) {
    const res = await openStream(port, signer("auditor"));
    t.equal(res.statusCode, 200, "the auditor still gets a stream");
    open.push(res);
  }
  const third = await openStream(port, signer("auditor"));
  t.equal(third.statusCode, 429, "within its own per-party limit");
  third.resume();
});

t.test("event streams: a resume is replayed in paced chunks a slow consumer can follow, within a bounded buffer", async (t) => {
  const exporter = signer("exporter-hz-textiles");
  const from = h.chain.height + 1n;
  const total = 240;
  for (let b = 0; b < total / 12; b++) {
    const txs = Array.from({ length: 12 }, (_, i) => signTransactionSync(exporter, buildTxBody(registerPayload(invoice(`RP${b * 12 + i}`)).payload, { chainId: h.chainId, signer: exporter })));
    await h.executeBlock(txs);
  }
  const { port } = await serve(t, { eventStreamBufferBytes: 64 * 1024, replayChunkBlocks: 4 });
  const res = await openStream(port, signer("auditor"), `?fromHeight=${from}&type=receivableRegistered`);
  t.equal(res.statusCode, 200);
  res.pause(); // a consumer that does not read for a while
  await sleep(800);
  const ids: string[] = [];
  let text = "";
  await new Promise<void>((resolve) => {
    res.on("data", (c: Buffer) => {
      text += c.toString();
      for (const m of text.matchAll(/^id: (\d+:\d+:\d+)\nevent: receivableRegistered/gm)) if (!ids.includes(m[1]!)) ids.push(m[1]!);
      if (ids.length >= total) resolve();
    });
    res.on("close", () => resolve());
    res.resume();
  });
  res.destroy();
  t.equal(ids.length, total, "every event of the replay arrives; the slow consumer is not dropped");
  t.same(ids, [...ids].sort((a, b) => (BigInt(a.split(":")[0]!) === BigInt(b.split(":")[0]!) ? Number(a.split(":")[1]) - Number(b.split(":")[1]) : BigInt(a.split(":")[0]!) < BigInt(b.split(":")[0]!) ? -1 : 1)), "in order");
});

// ---- finding 4 ----------------------------------------------------------------------------------

t.test("trusted proxies: budgets are keyed by the real client, forged reads of one client do not lock out another", async (t) => {
  const now = Date.now();
  const { port } = await serve(t, { rateLimitPerMinute: 3, trustProxy: ["127.0.0.1"], clock: () => now });
  const path = "/v1/parties/bank-a";
  const forger = signerFromSeed("bank-b", randomBytes(32));
  const via = async (client: string, s: Signer, from = "127.0.0.1") => get(port, path, { from, headers: { ...(await signed(s, path, now)), "x-forwarded-for": client } });
  for (let i = 0; i < 3; i++) t.equal((await via("203.0.113.5", forger)).status, 401);
  t.equal((await via("203.0.113.5", forger)).status, 429, "the forging client is limited");
  t.equal((await via("203.0.113.5", signer("auditor"))).status, 429, "its signed reads too (failed authentications first)");
  t.equal((await via("203.0.113.6", signer("bank-a"))).status, 200, "another client behind the same proxy is served");
  t.equal((await via("203.0.113.6", forger)).status, 401, "and has its own failed-authentication budget");
  t.equal((await via("198.51.100.1, 203.0.113.7", forger)).status, 401, "the rightmost untrusted address is the client: a forged X-Forwarded-For prefix does not pick a bucket");

  // A peer that is not a trusted proxy cannot choose its key with X-Forwarded-For.
  for (let i = 0; i < 3; i++) t.equal((await via("203.0.113.9", forger, "127.0.0.2")).status, 401);
  t.equal((await via("203.0.113.10", forger, "127.0.0.2")).status, 429, "an untrusted peer is keyed by its own address");

  // Open routes and transactions are keyed by the client too.
  const open = (client: string) => get(port, "/v1/status", { headers: { "x-forwarded-for": client } });
  for (let i = 0; i < 3; i++) t.equal((await open("192.0.2.1")).status, 200);
  t.equal((await open("192.0.2.1")).status, 429);
  t.equal((await open("192.0.2.2")).status, 200, "one client's open requests do not spend another's");
});

// ---- finding 7 ----------------------------------------------------------------------------------

t.test("out-of-range and garbage numbers are 400, never 500", async (t) => {
  const log = captureLogger();
  const { url, port } = await serve(t, { logger: log });
  const auditor = signer("auditor");
  for (const path of ["/v1/blocks/18446744073709551616", "/v1/blocks/99999999999999999999", "/v1/blocks/-1", "/v1/blocks/1e3", "/v1/blocks/0x10", "/v1/blocks/%ff"]) {
    const res = await fetch(url + path);
    const body = (await res.json()) as any;
    t.equal(res.status, 400, path);
    t.equal(body.error.code, "MALFORMED", path);
    t.notMatch(JSON.stringify(body), /at .*\.js/, "no stack trace");
  }
  for (const path of [
    "/v1/blocks/18446744073709551616/txs",
    "/v1/events?fromHeight=18446744073709551616",
    "/v1/events?lastEventId=18446744073709551616:0:0",
    "/v1/events?lastEventId=1:4294967296:0",
    "/v1/events?lastEventId=1:0:70000",
    "/v1/blocks/1/txs?cursor=i.1e400",
    "/v1/receivables?limit=100000",
  ]) {
    const res = await get(port, path, { headers: await signed(auditor, path) });
    t.equal(res.status, 400, path);
  }
  const header = await get(port, "/v1/events", { headers: { ...(await signed(auditor, "/v1/events")), "last-event-id": "18446744073709551616:0:0" } });
  t.equal(header.status, 400, "Last-Event-ID header out of range");
  t.equal(log.lines.filter((l) => l.level === "error").length, 0, "nothing logged as an error");
});

t.test("an aborted upload is not a server error", async (t) => {
  const log = captureLogger();
  const { port } = await serve(t, { logger: log });
  const s = await rawSocket(port);
  s.write(`POST /v1/txs HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{"tx":"${"ab".repeat(500)}`);
  await sleep(100);
  s.destroy();
  await sleep(300);
  t.equal(log.lines.filter((l) => l.level === "error" || l.level === "warn").length, 0, "no error or warning is logged");
  t.notOk(log.lines.some((l) => l.fields.status === 500), "no 500 recorded");
});

t.test("x-request-id: accepted only when it matches a strict pattern, never echoed raw", async (t) => {
  const log = captureLogger();
  const { port } = await serve(t, { logger: log });
  const good = await get(port, "/v1/status", { headers: { "x-request-id": "req-1.2_AB" } });
  t.equal(good.headers["x-request-id"], "req-1.2_AB", "a well-formed id is kept");
  for (const bad of ['x","level":"fatal', "a b", "é", "x".repeat(65), "\u202eabc"]) {
    const res = await get(port, "/v1/nowhere", { headers: { "x-request-id": Buffer.from(bad, "utf8").toString("latin1") } });
    const id = res.headers["x-request-id"] as string;
    t.match(id, /^[A-Za-z0-9._-]{1,64}$/, `replaced: ${JSON.stringify(bad)}`);
    t.not(id, bad);
  }
  t.notOk(log.lines.some((l) => JSON.stringify(l.fields).includes("level\\\":\\\"fatal") || String(l.fields.requestId).includes('"')), "never in a log line");
});

t.test("config: the rpc limits have defaults and are cross-checked", async (t) => {
  const { rpcConfigSchema } = await import("../config/schema.js");
  t.match(rpcConfigSchema.parse({}), {
    headersTimeoutMs: 20_000,
    requestTimeoutMs: 30_000,
    keepAliveTimeoutMs: 65_000,
    maxConnections: 4096,
    maxConnectionsPerAddress: 512,
    trustProxy: [],
    maxEventStreams: 256,
    maxEventStreamsPerParty: 16,
    eventStreamsReservedForAuditors: 32,
    eventStreamBufferBytes: 256 * 1024,
    refusalLogsPerMinute: 60,
  });
  t.ok(rpcConfigSchema.safeParse({ trustProxy: ["10.0.0.0/8", "127.0.0.1", "fd00::/8"] }).success);
  for (const bad of [{ trustProxy: ["proxy.example"] }, { trustProxy: ["10.0.0.0/33"] }, { headersTimeoutMs: 40_000 }, { maxConnectionsPerAddress: 5000 }, { eventStreamsReservedForAuditors: 256 }]) {
    t.notOk(rpcConfigSchema.safeParse(bad).success, JSON.stringify(bad));
  }
});
