// The node's HTTP API (koa): the routes of sdk/api/routes.ts, each request validated at the edge with the
// route's zod schemas, answered from the NodeApi, with the error envelope and statuses of DESIGN §5,
// a body-size limit, per-client token buckets, signed reads (rpc/auth.ts) with role visibility
// (rpc/access.ts), server-sent events (rpc/events.ts), Prometheus metrics and one structured log
// line per request. node/node.ts starts it last and stops it first.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { setMaxListeners } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import Koa from "koa";
import Router from "@koa/router";
import cors from "@koa/cors";
import type * as z from "zod/mini";
import { openApiDocument } from "../sdk/api/openapi.js";
import { httpStatusOf } from "../sdk/api/errors.js";
import { HISTORY_ROUTES, PROTOBUF_CONTENT_TYPE, routes, type RouteDef, type RouteId } from "../sdk/api/routes.js";
import type { ObjectKind } from "../sdk/history-chain.js";
import type { BatchItemJson, StatusJson, SubmitResultJson } from "../sdk/api/schemas.js";
import { AUTH_HEADERS } from "../sdk/api/signed-reads.js";
import { equalBytes, fromHex, toHex } from "../sdk/bytes.js";
import { sameJson, toJsonView } from "../sdk/json.js";
import { MAX_TX_BYTES, type Tx } from "../sdk/tx.js";
import type { NodeConfig } from "../config/schema.js";
import type { Crypto } from "../sdk/crypto.js";
import type { Receipt } from "../sdk/types.js";
import type { NodeApi, NodeStatus } from "../node/api.js";
import type { Logger, LogFields } from "../node/log.js";
import type { TxRecord } from "../node/query/types.js";
import { isSupervisor } from "./access.js";
import { ReadAuditLog, type ReadAudit } from "./audit.js";
import { ReadAuthenticator, type Caller } from "./auth.js";
import { ApiError, ClientGone, envelope, malformed, notFound, toApiError } from "./errors.js";
import { EventStreams, parseEventId, STREAM_EVENT_TYPES } from "./events.js";
import { RateLimiter } from "./ratelimit.js";
import { ProxyTrust, addressKey, normalizeAddress } from "./client.js";
import { Reads } from "./reads.js";
import { parseInput, parseJsonText, parseTxBatch } from "./input.js";
import { LendingReads } from "./lending.js";
import { defaultExplorerDir, explorerFiles, EXPLORER_PATH } from "./explorer.js";
import { tamperHistory } from "./test-hooks.js";

/** What the RPC reports to the node's metrics (node/metrics.ts implements it; may be null). */
export interface RpcMetrics {
  rpcRequest(method: string, route: string, status: number, seconds: number): void;
  eventStreams(count: number): void;
  txSubmitted(outcome: string): void;
  /** node status gauges (height, mempool, peers) sampled at each scrape */
  sampleStatus(source: () => NodeStatus): void;
  /** the Prometheus text exposition */
  exposition(): Promise<{ contentType: string; text: string }>;
}

export interface RpcOptions {
  host: string;
  port: number;
  maxBodyBytes: number;
  rateLimitPerMinute: number;
  /** transactions one POST /v1/txs/batch may carry (default 1000; at most rateLimitPerMinute take effect) */
  maxBatchTxs?: number;
  /** largest body of POST /v1/txs/batch (default 1 MiB) */
  maxBatchBytes?: number;
  /** the request's headers must arrive within this (default 20 s) */
  headersTimeoutMs?: number;
  /** the whole request, headers and body, must arrive within this (default 30 s); responses are not bounded by it */
  requestTimeoutMs?: number;
  /** idle keep-alive connections are closed after this (default 65 s) */
  keepAliveTimeoutMs?: number;
  /** open connections at once (default 4096) */
  maxConnections?: number;
  /** open connections at once per client address, an IPv6 /64 (default 512); trusted proxies are exempt */
  maxConnectionsPerAddress?: number;
  /** addresses or CIDR blocks of proxies whose X-Forwarded-For names the client (default none) */
  trustProxy?: readonly string[];
  /** of maxEventStreams, streams only AUDITOR parties may take (default 32, at most maxEventStreams / 8 when that is smaller) */
  eventStreamsReservedForAuditors?: number;
  /** unsent bytes an event stream may hold before it is dropped as too slow (default 256 KiB) */
  eventStreamBufferBytes?: number;
  /** blocks a resume replays before it yields to the event loop (default 16) */
  replayChunkBlocks?: number;
  /** resumes replaying at once; the others wait their turn (default 4) */
  maxConcurrentReplays?: number;
  /** log lines of refused or failed requests per minute (default 60) */
  refusalLogsPerMinute?: number;
  logger: Logger;
  /** the node's crypto (request signatures, transaction decoding) */
  crypto: Crypto;
  metrics?: RpcMetrics | null;
  /** the audit log of supervisory reads (rpc/audit.ts): every signed read by a REGULATOR or AUDITOR; none when absent */
  audit?: ReadAudit | null;
  /** browser origins allowed to call the API (CORS); none by default */
  corsOrigins?: readonly string[];
  /** how long a read with ?minHeight waits for the node to apply that block before 503 HEIGHT_NOT_REACHED (default 5 s) */
  minHeightWaitMs?: number;
  /** one info line per authenticated read (party, route, object, status); default true, false logs them at debug */
  auditReads?: boolean;
  /** the node's clock (ms) for request-signature freshness and rate limits; injectable for tests */
  clock?: () => number;
  /** software version reported in status and the OpenAPI document */
  version?: string;
  /** check every JSON response against its route's schema (tests); a mismatch is a 500 */
  checkResponses?: boolean;
  /** default and maximum wait for POST /v1/txs?wait=commit */
  defaultWaitMs?: number;
  maxEventStreams?: number;
  maxEventStreamsPerParty?: number;
  /** stored blocks an event stream may replay on resume */
  maxReplayBlocks?: number;
  heartbeatMs?: number;
  /** the web explorer's built files, served at /explorer/ (rpc/explorer.ts); null or absent: not served */
  explorerDir?: string | null;
  /** TEST ONLY (config rpc.testHooks): misbehaviours a verifier must catch; never on a real node */
  testHooks?: { tamperHistory?: boolean };
}

export interface RpcServer {
  /** listens; resolves with the bound address (port 0 picks a free one) */
  start(): Promise<{ host: string; port: number; url: string }>;
  /** stops accepting, ends event streams and pending waits, then closes every connection */
  stop(): Promise<void>;
  /** the URL it listens on, once started */
  url(): string;
}

export interface RpcFactoryDeps {
  metrics?: RpcMetrics | null;
  corsOrigins?: readonly string[];
}

/** The node's audit log of supervisory reads: config log.audit, else audit.log in the data directory. */
export function auditLogFile(config: Pick<NodeConfig, "dataDir" | "log">): string {
  return config.log.audit ?? join(config.dataDir, "audit.log");
}

/**
 * The RPC as node/node.ts takes it (NodeOptions.rpc, an RpcFactory): listening on the node
 * config's rpc.host and rpc.port with its body and rate limits.
 */
export function rpcFactory(
  deps: RpcFactoryDeps = {},
): (api: NodeApi, node: { config: NodeConfig; logger: Logger; crypto: Crypto }) => { start(): Promise<void>; stop(): Promise<void>; url(): string } {
  return (api, { config, logger, crypto }) => {
    const r = config.rpc;
    let audit: ReadAuditLog | undefined;
    const server = createRpcServer(api, {
      host: r.host,
      port: r.port,
      maxBodyBytes: r.maxBodyBytes,
      rateLimitPerMinute: r.rateLimitPerMinute,
      maxBatchTxs: r.maxBatchTxs,
      maxBatchBytes: r.maxBatchBytes,
      headersTimeoutMs: r.headersTimeoutMs,
      requestTimeoutMs: r.requestTimeoutMs,
      keepAliveTimeoutMs: r.keepAliveTimeoutMs,
      maxConnections: r.maxConnections,
      maxConnectionsPerAddress: r.maxConnectionsPerAddress,
      trustProxy: r.trustProxy,
      maxEventStreams: r.maxEventStreams,
      maxEventStreamsPerParty: r.maxEventStreamsPerParty,
      eventStreamsReservedForAuditors: r.eventStreamsReservedForAuditors,
      maxReplayBlocks: r.maxReplayBlocks,
      eventStreamBufferBytes: r.eventStreamBufferBytes,
      refusalLogsPerMinute: r.refusalLogsPerMinute,
      minHeightWaitMs: r.minHeightWaitMs,
      auditReads: r.auditReads,
      corsOrigins: r.corsOrigins,
      explorerDir: r.explorer ? defaultExplorerDir() : null,
      ...(r.testHooks.tamperHistory ? { testHooks: { tamperHistory: true } } : {}),
      logger,
      crypto,
      metrics: deps.metrics ?? null,
      audit: { record: (e) => audit?.record(e), close: () => {} },
      ...(deps.corsOrigins ? { corsOrigins: deps.corsOrigins } : {}),
    });
    return {
      start: async () => {
        audit = new ReadAuditLog(auditLogFile(config));
        await server.start();
      },
      stop: async () => {
        await server.stop();
        audit?.close();
        audit = undefined;
      },
      url: () => server.url(),
    };
  };
}

interface Handled {
  status?: number;
  body: unknown;
}

interface RequestInput {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
  caller: Caller | undefined;
}

type Ctx = Koa.ParameterizedContext<{ route: string; party?: string; caller?: Caller; requestId: string; client: string }>;

type Handler = (ctx: Ctx, input: RequestInput) => Promise<Handled | void>;

/** The handler of every kind's history route (sdk/api/routes.ts HISTORY_ROUTES), from one per kind. */
function historyHandlers(of: (kind: ObjectKind) => Handler): Record<(typeof HISTORY_ROUTES)[ObjectKind], Handler> {
  return Object.fromEntries((Object.keys(HISTORY_ROUTES) as ObjectKind[]).map((kind) => [HISTORY_ROUTES[kind], of(kind)])) as Record<(typeof HISTORY_ROUTES)[ObjectKind], Handler>;
}

const STOP_GRACE_MS = 5_000;
/** A client's x-request-id is kept only if it is this; anything else is replaced, never logged. */
const REQUEST_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;
/** Paths in log lines and error messages are cut to this many characters. */
const MAX_LOGGED_PATH = 200;
const clip = (s: string) => (s.length > MAX_LOGGED_PATH ? `${s.slice(0, MAX_LOGGED_PATH)}...(${s.length} chars)` : s);
/** The response header carrying the node's applied height (sdk/api/routes.ts, MinHeight). */
export const HEIGHT_HEADER = "x-tl-height";
/** An audited object id or query is cut to this (ids are at most 64 characters when valid). */
const MAX_AUDIT_FIELD = 128;
const clipAudit = (s: string) => (s.length > MAX_AUDIT_FIELD ? `${s.slice(0, MAX_AUDIT_FIELD)}...(${s.length} chars)` : s);
/** What a read was about: its path parameters (the id, hash or height) and its query, both clipped. */
function auditObject(ctx: { params?: Record<string, string>; querystring: string }): { object?: string; query?: string } {
  const values = Object.values(ctx.params ?? {});
  return {
    ...(values.length > 0 ? { object: clipAudit(values.join("/")) } : {}),
    ...(ctx.querystring ? { query: clipAudit(ctx.querystring) } : {}),
  };
}
/** Statuses that are a client's noise rather than an operator's concern: logged at debug. */
const DEBUG_STATUSES = new Set([401, 404, 429]);
/** The status logged and counted for a request its client abandoned (nothing is sent). */
const CLIENT_CLOSED = 499;

export function createRpcServer(api: NodeApi, opts: RpcOptions): RpcServer {
  const log = opts.logger;
  const clock = opts.clock ?? Date.now;
  const metrics = opts.metrics ?? null;
  const audit = opts.audit ?? null;
  const limiter = new RateLimiter(opts.rateLimitPerMinute, clock);
  const proxies = new ProxyTrust(opts.trustProxy ?? []);
  // Lines about refused or failed requests: a budget per minute, so a flood cannot fill the disk.
  // Internal errors have their own budget, so noise cannot hide them.
  const logBudget = new RateLimiter(opts.refusalLogsPerMinute ?? 60, clock, 16);
  const suppressed = { refusal: 0, internal: 0 };
  const budgetedLog = (kind: "refusal" | "internal", write: (extra: LogFields) => void) => {
    if (!logBudget.take(kind).ok) {
      suppressed[kind]++;
      return;
    }
    const n = suppressed[kind];
    suppressed[kind] = 0;
    write(n > 0 ? { suppressed: n } : {});
  };
  const maxStreams = opts.maxEventStreams ?? 256;
  const auth = new ReadAuthenticator({ chainId: api.chainId, getParty: (id) => api.query.getParty(id), verify: opts.crypto.verify, clock });
  const reads = new Reads(api, opts.crypto);
  const lending = new LendingReads(() => api.query);
  const streams = new EventStreams(api, {
    crypto: opts.crypto,
    maxStreams,
    maxStreamsPerParty: opts.maxEventStreamsPerParty ?? 16,
    reservedForSupervisors: opts.eventStreamsReservedForAuditors ?? Math.min(32, Math.floor(maxStreams / 8)),
    heartbeatMs: opts.heartbeatMs ?? 15_000,
    maxReplayBlocks: opts.maxReplayBlocks ?? 10_000,
    maxBufferedBytes: opts.eventStreamBufferBytes ?? 256 * 1024,
    replayChunkBlocks: opts.replayChunkBlocks ?? 16,
    maxConcurrentReplays: opts.maxConcurrentReplays ?? 4,
    logger: log,
    onCountChange: (n) => metrics?.eventStreams(n),
  });
  const corsOrigins = new Set(opts.corsOrigins ?? []);
  const defaultWaitMs = opts.defaultWaitMs ?? 30_000;
  // A batch is charged a token per transaction: one larger than a bucket could never pass.
  const maxBatchTxs = Math.min(opts.maxBatchTxs ?? 1000, opts.rateLimitPerMinute);
  const maxBatchBytes = opts.maxBatchBytes ?? 1024 * 1024;
  const minHeightWaitMs = opts.minHeightWaitMs ?? 5_000;
  const auditReads = opts.auditReads ?? true;
  const stopping = new AbortController();
  // One listener per request waiting for a commit or a height: as many as there are connections
  // (maxConnections bounds them), not a leak; without this Node warns past 10.
  setMaxListeners(0, stopping.signal);
  // Request ids: random per server start, then a counter (8 random bytes per request cost a syscall).
  const bootId = toHex(randomBytes(4));
  let requestSeq = 0;
  let openApi: Record<string, unknown> | undefined;
  metrics?.sampleStatus(() => api.status());

  // ---- read-your-writes ------------------------------------------------------------------------

  /**
   * Waits until this node has applied block `minHeight` (a read that follows a write committed
   * elsewhere), at most minHeightWaitMs; then 503 HEIGHT_NOT_REACHED with Retry-After, so the client
   * retries or asks another node instead of reading state older than what it has seen.
   */
  const reachHeight = async (ctx: Ctx, minHeight: bigint): Promise<void> => {
    if (api.query.head().height >= minHeight) return;
    const outcome = await new Promise<"reached" | "timeout" | "stopping" | "gone">((resolve) => {
      const finish = (o: "reached" | "timeout" | "stopping" | "gone") => {
        clearTimeout(timer);
        unsubscribe();
        stopping.signal.removeEventListener("abort", onStop);
        ctx.res.off("close", onClose);
        resolve(o);
      };
      const unsubscribe = api.onBlock(() => {
        if (api.query.head().height >= minHeight) finish("reached");
      });
      const timer = setTimeout(() => finish("timeout"), minHeightWaitMs);
      const onStop = () => finish("stopping");
      const onClose = () => {
        if (!ctx.res.writableFinished) finish("gone");
      };
      stopping.signal.addEventListener("abort", onStop);
      ctx.res.once("close", onClose);
    });
    if (outcome === "reached") return;
    if (outcome === "gone") throw new ClientGone();
    if (outcome === "stopping") {
      ctx.set("connection", "close"); // so the stop need not wait for this keep-alive connection
      throw new ApiError("NOT_READY", "the node is stopping: read from another node", { retryAfterMs: 1000 });
    }
    const height = api.query.head().height;
    throw new ApiError("HEIGHT_NOT_REACHED", `this node has applied blocks up to ${height}, not yet ${minHeight} (waited ${minHeightWaitMs} ms): retry, or read from another node`, {
      height: height.toString(),
      minHeight: minHeight.toString(),
      retryAfterMs: 1000,
    });
  };

  // ---- handlers ------------------------------------------------------------------------------

  const committed = async (rec: TxRecord): Promise<Handled> => committedReceipt(recordAt(rec));

  type CommittedAt = { txHash: string; height: bigint; index: number; time: bigint; blockHash: Uint8Array; receipt: Receipt };
  const committedView = (c: CommittedAt) => {
    metrics?.txSubmitted(c.receipt.code === "OK" ? "committed" : "rejected");
    return {
      txHash: c.txHash,
      status: "committed" as const,
      height: c.height.toString(),
      index: c.index,
      time: c.time.toString(),
      blockHash: toHex(c.blockHash),
      receipt: toJsonView(c.receipt) as NonNullable<SubmitResultJson["receipt"]>,
    };
  };
  const recordAt = (rec: TxRecord): CommittedAt => ({ txHash: rec.tx.hashHex, height: rec.height, index: rec.index, time: rec.header.time, blockHash: rec.blockHash, receipt: rec.receipt });

  const committedReceipt = (c: CommittedAt): Handled => {
    const base: SubmitResultJson = committedView(c);
    if (c.receipt.code === "OK") return { status: 200, body: base };
    throw new ApiError(c.receipt.code, c.receipt.message || `the ledger rejected the transaction: ${c.receipt.code}`, {
      txHash: base.txHash,
      height: base.height!,
      receipt: base.receipt!,
    });
  };

  /** A batch entry the node did not admit, with the code POST /v1/txs would answer. */
  const refusedItem = (code: string, message: string, txHash?: string): BatchItemJson => {
    metrics?.txSubmitted(`refused:${code}`);
    return { ...(txHash ? { txHash } : {}), status: "refused", error: { code, message, status: httpStatusOf(code) } };
  };

  /** The committed copy of `bytes` with its receipt, whether or not it took its hash. */
  const committedRecord = async (hash: Uint8Array, bytes: Uint8Array, height?: bigint): Promise<TxRecord | undefined> => {
    const taker = await api.query.getTx(hash);
    if (taker && equalBytes(taker.tx.bytes, bytes)) return taker;
    // Rejected before taking its hash (bad signature, unknown signer, expired) or another envelope took it.
    for (const a of await api.query.getTxAttempts(hash)) {
      if (height !== undefined && a.height !== height) continue;
      const rec = await api.query.txAt(a.height, a.index);
      if (rec && equalBytes(rec.tx.bytes, bytes)) return rec;
    }
    // Another envelope of the same body (a different signature) is not this submission's record.
    return undefined;
  };

  const handlers: { [K in RouteId]: Handler } = {
    async getHealth() {
      return { body: { status: "ok" } };
    },

    async getReadiness() {
      const s = api.status();
      // the quorum of the set that orders blocks now: after a switch to 7 validators (f = 2) a
      // validator needs 4 peers, not the genesis set's 2
      const n = (api.validatorsInForce?.() ?? api.validators).length;
      const f = Math.floor((n - 1) / 3);
      // A validator needs 2f peers to make a quorum with itself; an observer f+1 to trust what it follows.
      const quorumPeers = s.mode === "validator" ? 2 * f : f + 1;
      const validatorPeers = s.peers.filter((p) => p.validator).length;
      const reasons: string[] = [];
      if (s.halted) reasons.push(`consensus halted: ${s.halted}`);
      if (s.notAdmitted) reasons.push(s.notAdmitted);
      if (s.syncing) reasons.push("catching up with the network");
      if (validatorPeers < quorumPeers) reasons.push(`connected to ${validatorPeers} validator peer(s), needs ${quorumPeers}`);
      if (!s.ready && reasons.length === 0) reasons.push("starting");
      const ready = reasons.length === 0;
      return { status: ready ? 200 : 503, body: { ready, reasons, height: s.height.toString(), validatorPeers, quorumPeers } };
    },

    async getStatus() {
      const s = api.status();
      const view = toJsonView(s) as unknown as StatusJson;
      view.validators = api.validators.map((v) => ({ id: v.id, publicKey: toHex(v.publicKey) }));
      view.submission = { maxTxBytes: MAX_TX_BYTES, maxBodyBytes: opts.maxBodyBytes, maxBatchTxs, maxBatchBytes };
      if (opts.version && !s.version) view.version = opts.version;
      return { body: view };
    },

    async submitTx(ctx, { query, body }) {
      if (!api.acceptingTxs()) throw new ApiError("NOT_READY", "the node is not ready to accept transactions (starting, syncing or halted)", { retryAfterMs: 1000 });
      const hex = (body as { tx: string }).tx;
      if (hex.length > 2 * MAX_TX_BYTES) throw new ApiError("TOO_LARGE", `a transaction is at most ${MAX_TX_BYTES} bytes`);
      // The body schema admitted lower-case hex of even length: Buffer's decoder is ~20x sdk's fromHex.
      const bytes = new Uint8Array(Buffer.from(hex, "hex"));
      const admission = await api.submit(bytes);
      if (!admission.ok) {
        if (admission.code === "DUPLICATE_TX" && admission.txHash) {
          // Resubmitting a committed transaction answers with its receipt: retries are idempotent.
          const rec = await committedRecord(fromHex(admission.txHash), bytes);
          if (rec) return committed(rec);
        }
        metrics?.txSubmitted(`refused:${admission.code}`);
        throw new ApiError(admission.code, admission.message, admission.txHash ? { txHash: admission.txHash } : {});
      }
      const tx = admission.tx;
      const pending: Handled = { status: 202, body: { txHash: tx.hashHex, status: "pending" } satisfies SubmitResultJson };
      if (query.wait !== "commit") {
        metrics?.txSubmitted("admitted");
        return pending;
      }
      const abort = new AbortController();
      const onStop = () => abort.abort();
      const onClose = () => {
        if (!ctx.res.writableFinished) abort.abort();
      };
      stopping.signal.addEventListener("abort", onStop);
      ctx.res.once("close", onClose);
      try {
        const timeoutMs = Math.min((query.timeoutMs as number | undefined) ?? defaultWaitMs, 120_000);
        const done = await api.waitForCommit(tx.hashHex, timeoutMs, abort.signal);
        if (!done) {
          metrics?.txSubmitted("pending");
          return pending;
        }
        const c = done.committed;
        if (c && equalBytes(c.bytes, tx.bytes)) {
          // Seen in the executing block: answer from it (reading the block back would cost a pass
          // over all its transactions per submitter, O(n^2) per block).
          return committedReceipt({ txHash: tx.hashHex, height: done.height, index: c.index, time: c.time, blockHash: c.blockHash, receipt: c.receipt });
        }
        const rec = await committedRecord(tx.hash, tx.bytes, done.height);
        if (!rec) throw new Error(`transaction ${tx.hashHex} reported committed at ${done.height} but is not stored there`);
        return committed(rec);
      } finally {
        stopping.signal.removeEventListener("abort", onStop);
        ctx.res.off("close", onClose);
      }
    },

    async submitTxBatch(ctx, { query, body }) {
      if (!api.acceptingTxs()) throw new ApiError("NOT_READY", "the node is not ready to accept transactions (starting, syncing or halted)", { retryAfterMs: 1000 });
      const txs = (body as { txs: Uint8Array[] }).txs;
      // The edge charged the request one token; the rate limit counts transactions.
      if (txs.length > 1) {
        const d = limiter.take(`ip:${ctx.state.client}`, txs.length - 1);
        if (!d.ok) throw new ApiError("RATE_LIMITED", `rate limit of ${opts.rateLimitPerMinute} transactions per minute exceeded (this batch holds ${txs.length})`, { retryAfterMs: d.retryAfterMs });
      }
      const results: BatchItemJson[] = new Array(txs.length);
      const admitted: number[] = [];
      const sized = txs.flatMap((bytes, i) => {
        if (bytes.length <= MAX_TX_BYTES) return [i];
        results[i] = refusedItem("TOO_LARGE", `a transaction is at most ${MAX_TX_BYTES} bytes (this one: ${bytes.length})`);
        return [];
      });
      const admissions = await api.submitMany(sized.map((i) => txs[i]!));
      const admittedTxs: Tx[] = [];
      for (let k = 0; k < sized.length; k++) {
        const i = sized[k]!;
        const a = admissions[k]!;
        if (a.ok) {
          results[i] = { txHash: a.tx.hashHex, status: "pending" };
          admitted.push(i);
          admittedTxs.push(a.tx);
          continue;
        }
        if (a.code === "DUPLICATE_TX" && a.txHash) {
          // A resubmission of a committed transaction: its receipt, as POST /v1/txs answers.
          const rec = await committedRecord(fromHex(a.txHash), txs[i]!);
          if (rec) {
            results[i] = committedView(recordAt(rec));
            continue;
          }
        }
        results[i] = refusedItem(a.code, a.message, a.txHash);
      }
      if (query.wait !== "commit" || admitted.length === 0) {
        for (let k = 0; k < admitted.length; k++) metrics?.txSubmitted("admitted");
        return { body: { results } };
      }
      const abort = new AbortController();
      const onStop = () => abort.abort();
      const onClose = () => {
        if (!ctx.res.writableFinished) abort.abort();
      };
      stopping.signal.addEventListener("abort", onStop);
      ctx.res.once("close", onClose);
      try {
        const timeoutMs = Math.min((query.timeoutMs as number | undefined) ?? defaultWaitMs, 120_000);
        // One wait for the whole batch: answered when every admitted transaction is in a block.
        const done = await api.waitForCommits(admittedTxs.map((t) => t.hashHex), timeoutMs, abort.signal);
        for (let k = 0; k < admitted.length; k++) {
          const tx = admittedTxs[k]!;
          const at = done[k];
          if (!at) {
            metrics?.txSubmitted("pending");
            continue;
          }
          const c = at.committed;
          if (c && equalBytes(c.bytes, tx.bytes)) {
            results[admitted[k]!] = committedView({ txHash: tx.hashHex, height: at.height, index: c.index, time: c.time, blockHash: c.blockHash, receipt: c.receipt });
            continue;
          }
          const rec = await committedRecord(tx.hash, tx.bytes, at.height);
          if (rec) results[admitted[k]!] = committedView(recordAt(rec));
          else log.error("a transaction reported committed is not stored there", { tx: tx.hashHex, height: at.height.toString() });
        }
        return { body: { results } };
      } finally {
        stopping.signal.removeEventListener("abort", onStop);
        ctx.res.off("close", onClose);
      }
    },

    getTx: async (_ctx, { params, query, caller }) => ({ body: await reads.tx(caller!, params.hash as string, query) }),
    getBlock: async (_ctx, { params }) => ({ body: await reads.block(params.height as string) }),
    getCertifiedHeader: async (_ctx, { params, query }) => ({ body: await reads.certifiedHeader(params.height as string, query) }),
    getBlockTxs: async (_ctx, { params, query, caller }) => ({ body: await reads.blockTxs(caller!, params.height as string, query) }),
    getReceivable: async (_ctx, { params, caller }) => ({ body: await reads.receivable(caller!, params.id as string) }),
    getHistory: async (_ctx, { params, query, caller }) => {
      const body = await reads.history(caller!, params.id as string, query);
      if (opts.testHooks?.tamperHistory) tamperHistory(body);
      return { body };
    },
    listReceivables: async (_ctx, { query, caller }) => ({ body: await reads.listReceivables(caller!, query, query) }),
    getDocument: async (_ctx, { params, query, caller }) => ({ body: await reads.document(caller!, params.hash as string, query) }),
    getFingerprint: async (_ctx, { params, query, caller }) => ({ body: await reads.fingerprint(caller!, params.fingerprint as string, query) }),
    getParty: async (_ctx, { params }) => ({ body: await reads.party(params.id as string) }),
    getExposure: async (_ctx, { params, caller }) => ({ body: await reads.exposure(caller!, params.id as string) }),
    listRejections: async (_ctx, { query, caller }) => ({ body: await reads.rejections(caller!, query, query) }),
    getIndicators: async (_ctx, { params, query, caller }) => ({ body: await lending.indicators(caller!, params.id as string, query) }),
    getFinancials: async (_ctx, { params, query, caller }) => ({ body: await lending.financials(caller!, params.id as string, query) }),
    getAgingReport: async (_ctx, { query, caller }) => ({ body: await lending.report("aging", caller!, query) }),
    getConcentrationReport: async (_ctx, { query, caller }) => ({ body: await lending.report("concentration", caller!, query) }),
    getCreditLine: async (_ctx, { params, caller }) => ({ body: await reads.creditLine(caller!, params.id as string) }),
    getWarrant: async (_ctx, { params, caller }) => ({ body: await reads.warrant(caller!, params.id as string) }),
    getPiece: async (_ctx, { params, query, caller }) => ({ body: await reads.piece(caller!, params.id as string, query) }),
    listPieces: async (_ctx, { params, query, caller }) => ({ body: await reads.listPieces(caller!, params.id as string, query, query) }),
    getTitle: async (_ctx, { params, caller }) => ({ body: await reads.title(caller!, params.id as string) }),
    listAlerts: async (_ctx, { query, caller }) => ({ body: await reads.alerts(caller!, query, query) }),
    listRules: async () => ({ body: await reads.rules() }),
    getGovernance: async (_ctx, { query }) => ({ body: await reads.governance(query.proposal as string | undefined) }),
    listObservers: async () => ({ body: await reads.observers() }),
    getValidatorSets: async () => ({ body: await reads.validatorSets() }),
    getLot: async (_ctx, { params, query, caller }) => ({ body: await reads.lot(caller!, params.id as string, query) }),
    listTitles: async (_ctx, { params, query, caller }) => ({ body: await reads.listTitles(caller!, params.id as string, query, query) }),
    ...historyHandlers((kind) => async (_ctx, { params, query, caller }) => ({ body: await reads.objectHistory(caller!, kind, params.id as string, query) })),

    async streamEvents(ctx, { query, caller }) {
      const lastEventId = ctx.get("last-event-id") || (query.lastEventId as string | undefined);
      const types = query.type === undefined ? undefined : new Set((query.type as string).split(","));
      if (types) for (const t of types) if (!STREAM_EVENT_TYPES.includes(t)) throw malformed(`unknown event type ${t}`);
      const start = lastEventId ? { after: parseEventId(lastEventId) } : query.fromHeight !== undefined ? { fromHeight: BigInt(query.fromHeight as string) } : {};
      const filter = {
        ...(query.receivable ? { receivable: query.receivable as string } : {}),
        ...(query.party ? { party: query.party as string } : {}),
        ...(types ? { types } : {}),
      };
      // Limits and the resume point are checked before the stream takes over the response.
      ctx.respond = false;
      try {
        streams.open(ctx.res, caller!, filter, start);
      } catch (err) {
        ctx.respond = true;
        throw err;
      }
      log.info("event stream opened", { party: caller!.id, requestId: ctx.state.requestId, ...(lastEventId ? { lastEventId } : {}) });
    },

    async getOpenApi() {
      openApi ??= openApiDocument({ version: opts.version ?? "0.1.0" });
      return { body: openApi };
    },

    async getMetrics(ctx) {
      if (!metrics) throw notFound("metrics are not enabled on this node");
      const { contentType, text } = await metrics.exposition();
      ctx.type = contentType;
      return { body: text };
    },
  };

  // ---- edge checks --------------------------------------------------------------------------

  const rateLimit = (key: string) => {
    const d = limiter.take(key);
    if (!d.ok) throw new ApiError("RATE_LIMITED", `rate limit of ${opts.rateLimitPerMinute} requests per minute exceeded`, { retryAfterMs: d.retryAfterMs });
  };

  /** Routes by method and path, to charge a request before it is routed. */
  const routeTable = (Object.values(routes) as RouteDef[]).map((r) => ({ def: r, re: new RegExp(`^${r.path.replace(/:[A-Za-z]+/g, "[^/]+")}$`) }));
  const signedRoute = (method: string, path: string) => routeTable.some((r) => r.def.access === "signed" && r.def.method === method && r.re.test(path));

  const gate = async (ctx: Ctx, def: RouteDef): Promise<Caller | undefined> => {
    // Everything but signed reads was charged to the client at the edge (before routing).
    if (def.access !== "signed") return undefined;
    // Failed authentications spend their own per-client bucket: once it is empty, signed requests
    // from that client are refused before any signature is checked (forgery floods cost little).
    const failures = `authfail:${ctx.state.client}`;
    if (!limiter.hasToken(failures)) rateLimit(failures);
    let caller: Caller;
    try {
      caller = await auth.authenticate(ctx.headers, ctx.method, ctx.originalUrl);
    } catch (err) {
      limiter.take(failures);
      throw err;
    }
    ctx.state.party = caller.id;
    ctx.state.caller = caller;
    rateLimit(`party:${caller.id}`);
    return caller;
  };

  const parse = parseInput;

  /** The request body, at most `limit` bytes (else 413 TOO_LARGE, and the connection is closed). */
  const readBody = async (ctx: Ctx, limit: number): Promise<Buffer> => {
    const declared = Number(ctx.get("content-length") || NaN);
    if (declared > limit) {
      ctx.set("connection", "close");
      throw new ApiError("TOO_LARGE", `body of ${declared} bytes exceeds the ${limit}-byte limit`);
    }
    // Plain events rather than an async iterator over the request (a stream per request costs more
    // than parsing a transaction's JSON).
    return new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const req = ctx.req;
      req.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          req.removeAllListeners("data");
          req.resume();
          ctx.set("connection", "close");
          reject(new ApiError("TOO_LARGE", `body exceeds the ${limit}-byte limit`));
          return;
        }
        chunks.push(chunk);
      });
      req.once("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
      // The client went away (or the request timeout closed it) before the body was complete.
      const gone = () => reject(new ClientGone());
      req.once("error", gone);
      req.once("close", () => {
        if (!req.complete) gone();
      });
    });
  };

  const readJsonBody = async (ctx: Ctx): Promise<unknown> => {
    if (!ctx.is("application/json")) throw malformed("the body must be JSON (content-type: application/json)");
    return parseJsonText((await readBody(ctx, opts.maxBodyBytes)).toString("utf8"));
  };

  /**
   * POST /v1/txs/batch: JSON (`txs`, hex) or protobuf (TxSubmission), within maxBatchBytes and
   * maxBatchTxs; the transactions as bytes, each still to be checked on its own.
   */
  const readTxBatch = async (ctx: Ctx): Promise<{ txs: Uint8Array[] }> => {
    const form = ctx.is(PROTOBUF_CONTENT_TYPE) ? "protobuf" : ctx.is("application/json") ? "json" : undefined;
    if (!form) throw malformed(`the body must be JSON (content-type: application/json) or a TxSubmission message (content-type: ${PROTOBUF_CONTENT_TYPE})`);
    return { txs: parseTxBatch(await readBody(ctx, maxBatchBytes), form, maxBatchTxs) };
  };

  /** Routes whose body is read by a reader of their own rather than as JSON against the route's schema. */
  const bodyReaders: Partial<Record<RouteId, (ctx: Ctx) => Promise<unknown>>> = { submitTxBatch: readTxBatch };

  // ---- the app ----------------------------------------------------------------------------------

  const app = new Koa();
  // Koa's own proxy support believes the leftmost X-Forwarded-For entry whoever the peer is: off.
  // The client address is ctx.state.client (rpc/client.ts: trusted proxies only, read from the right).
  app.proxy = false;
  // What Koa reports after a response (a client that went away mid-response, a request timed out):
  // the client's doing, at debug and within the log budget, never Koa's default stderr print.
  app.silent = true;
  app.on("error", (err: unknown) => budgetedLog("refusal", (extra) => log.debug("rpc connection error", { err: err instanceof Error ? err.message : String(err), ...extra })));

  app.use(async (ctx: Ctx, next) => {
    const started = performance.now();
    const given = ctx.get("x-request-id");
    ctx.state.requestId = REQUEST_ID_RE.test(given) ? given : `${bootId}-${(++requestSeq).toString(36)}`;
    ctx.state.client = proxies.clientOf(ctx.req.socket.remoteAddress ?? "", ctx.req.headers["x-forwarded-for"]);
    ctx.state.route = "unmatched";
    ctx.set("x-request-id", ctx.state.requestId);
    ctx.set("x-content-type-options", "nosniff");
    ctx.set("cache-control", "no-store");
    let code: string | undefined;
    try {
      await next();
      if (ctx.respond !== false && ctx.body === undefined && ctx.status === 404) throw notFound(`no route ${ctx.method} ${clip(ctx.path)} (see /v1/openapi.json)`);
    } catch (err) {
      if (err instanceof ClientGone) {
        // The client abandoned its request (or was timed out): nothing to answer, not a server error.
        ctx.respond = false;
        metrics?.rpcRequest(ctx.method, ctx.state.route, CLIENT_CLOSED, (performance.now() - started) / 1000);
        budgetedLog("refusal", (extra) => log.debug("rpc request abandoned by the client", { method: ctx.method, route: ctx.state.route, path: clip(ctx.path), ip: ctx.state.client, requestId: ctx.state.requestId, ...extra }));
        return;
      }
      const { error, internal } = toApiError(err);
      if (internal) budgetedLog("internal", (extra) => log.error("rpc handler failed", { route: ctx.state.route, requestId: ctx.state.requestId, err: err instanceof Error ? err : new Error(String(err)), ...extra }));
      code = error.code;
      if (error.extra.retryAfterMs !== undefined) ctx.set("retry-after", String(Math.max(1, Math.ceil(error.extra.retryAfterMs / 1000))));
      ctx.respond = true;
      ctx.status = error.status;
      ctx.body = envelope(error);
    }
    // The height this answer was read at or below (read after the handler): a client that sends it
    // back as ?minHeight to any node never reads older state than it has seen.
    if (ctx.respond !== false) ctx.set(HEIGHT_HEADER, api.query.head().height.toString());
    const seconds = (performance.now() - started) / 1000;
    metrics?.rpcRequest(ctx.method, ctx.state.route, ctx.status, seconds);
    // Answered requests are counted in the metrics; one line each (thousands a second under load,
    // each a synchronous write) only at debug. Refusals and failures stay at info.
    const line = () => ({
      method: ctx.method,
      route: ctx.state.route,
      path: clip(ctx.path),
      status: ctx.status,
      ms: Math.round(seconds * 1e4) / 10,
      ip: ctx.state.client,
      requestId: ctx.state.requestId,
      ...(ctx.state.party ? { party: ctx.state.party } : {}),
      ...(code ? { code } : {}),
    });
    // Who read what, when, with everything in sight: the audit log (rpc/audit.ts). An event stream
    // (ctx.respond false) is recorded when it opens.
    const caller = ctx.state.caller;
    if (audit && caller && isSupervisor(caller)) {
      audit.record({
        time: clock(),
        party: caller.id,
        role: caller.role,
        method: ctx.method,
        path: ctx.originalUrl,
        route: ctx.state.route,
        status: ctx.respond === false && code === undefined ? 200 : ctx.status,
        requestId: ctx.state.requestId,
      });
    }
    // The audit trail of reads: every authenticated read, answered or refused, at info. Its volume is
    // bounded by the party's rate limit (a rate-limited request is not a read: the refusal budget
    // takes it), and every field by its route's schema or a clip.
    if (ctx.state.party && ctx.status !== 429) {
      const audit = {
        party: ctx.state.party,
        route: ctx.state.route,
        ...auditObject(ctx),
        status: ctx.status,
        ...(code ? { code } : {}),
        requestId: ctx.state.requestId,
        ip: ctx.state.client,
        ms: Math.round(seconds * 1e4) / 10,
      };
      if (auditReads) log.info("read", audit);
      else log.debug("read", audit);
    } else if (ctx.status < 400) log.debug("rpc request", line());
    else if (DEBUG_STATUSES.has(ctx.status)) budgetedLog("refusal", (extra) => log.debug("rpc request", { ...line(), ...extra }));
    else budgetedLog("refusal", (extra) => log.info("rpc request", { ...line(), ...extra }));
  });

  // CORS (@koa/cors) for the configured origins only; any other origin gets no CORS header, so a
  // browser keeps its page from reading the answer. A preflight is answered here (204), charged to
  // its client first like any request.
  const allowedOrigin = (ctx: Koa.Context) => {
    const origin = ctx.get("origin");
    return origin && corsOrigins.has(origin) ? origin : "";
  };
  app.use(async (ctx: Ctx, next) => {
    if (ctx.method === "OPTIONS" && ctx.get("access-control-request-method") && allowedOrigin(ctx)) {
      ctx.state.route = "preflight";
      rateLimit(`ip:${ctx.state.client}`);
    }
    return next();
  });
  app.use(
    cors({
      origin: allowedOrigin,
      allowMethods: ["GET", "POST"],
      allowHeaders: ["content-type", "last-event-id", "x-request-id", ...Object.values(AUTH_HEADERS)],
      exposeHeaders: ["x-request-id", "retry-after", HEIGHT_HEADER],
      maxAge: 600,
    }),
  );

  // The rate limiter in front of every route, unknown ones (404) and malformed requests included:
  // a request is charged to its client here, unless it is a signed read, which is charged after
  // authentication to its party (or, failing authentication, to the client's failure bucket).
  app.use(async (ctx: Ctx, next) => {
    if (ctx.state.route === "preflight") return next();
    if (!signedRoute(ctx.method, ctx.path)) rateLimit(`ip:${ctx.state.client}`);
    return next();
  });

  // The web explorer (rpc/explorer.ts): static files of the build, read once, never a path from the request.
  const explorer = opts.explorerDir ? explorerFiles(opts.explorerDir) : null;
  app.use(async (ctx: Ctx, next) => {
    if (ctx.path !== EXPLORER_PATH.slice(0, -1) && !ctx.path.startsWith(EXPLORER_PATH)) return next();
    ctx.state.route = "explorer";
    if (ctx.method !== "GET" && ctx.method !== "HEAD") {
      ctx.set("allow", "GET, HEAD");
      throw new ApiError("MALFORMED", `${ctx.method} is not allowed on ${clip(ctx.path)} (allowed: GET, HEAD)`, {}, 405);
    }
    if (!explorer) throw notFound("the explorer is off on this node (rpc.explorer)");
    if (!explorer.built()) throw notFound(`the explorer is not built in ${opts.explorerDir}: run npm run build`);
    if (ctx.path === EXPLORER_PATH.slice(0, -1)) {
      ctx.status = 301;
      ctx.redirect(EXPLORER_PATH);
      return;
    }
    const file = explorer.get(ctx.path.slice(EXPLORER_PATH.length));
    if (!file) throw notFound(`no explorer file ${clip(ctx.path)}`);
    for (const [k, v] of Object.entries(file.headers)) ctx.set(k, v);
    const gzip = file.gzip && ctx.acceptsEncodings("gzip", "identity") === "gzip" ? file.gzip : undefined;
    // one ETag per encoding of the file (RFC 9110 §8.8.3)
    const etag = gzip ? `${file.headers.etag!.slice(0, -1)}-gz"` : file.headers.etag!;
    ctx.set("etag", etag);
    if (ctx.get("if-none-match") === etag) {
      ctx.status = 304;
      return;
    }
    if (gzip) ctx.set("content-encoding", "gzip");
    ctx.status = 200;
    ctx.body = gzip ?? file.body;
  });

  const router = new Router();
  for (const [id, def] of Object.entries(routes) as [RouteId, RouteDef][]) {
    const handle = async (ctx: Ctx) => {
      ctx.state.route = id;
      const caller = await gate(ctx, def);
      const params = parse(def.params, { ...ctx.params }, "path");
      const { minHeight, ...query } = parse(def.query, { ...ctx.query }, "query");
      const reader = bodyReaders[id];
      const body = def.body ? (reader ? await reader(ctx) : parse(def.body, await readJsonBody(ctx), "body")) : undefined;
      if (minHeight !== undefined) await reachHeight(ctx, BigInt(minHeight as string));
      const out = await handlers[id](ctx, { params, query, body, caller });
      if (!out) return;
      if (opts.checkResponses && def.produces === "json") {
        const checked = def.response.safeParse(out.body);
        if (!checked.success || !sameJson(checked.data, out.body)) {
          throw new Error(`response of ${id} does not match its schema: ${checked.success ? "extra or altered fields" : checked.error.message}`);
        }
      }
      ctx.status = out.status ?? def.success;
      ctx.body = out.body;
    };
    if (def.method === "GET") router.get(def.path, handle);
    else router.post(def.path, handle);
  }
  app.use(router.routes());
  app.use(async (ctx: Ctx, next) => {
    // A known path with another method: 405 with the methods it has.
    const allowed = routeTable.filter((r) => r.re.test(ctx.path)).map((r) => r.def.method);
    if (allowed.length > 0) {
      ctx.set("allow", [...new Set(allowed)].join(", "));
      throw new ApiError("MALFORMED", `${ctx.method} is not allowed on ${clip(ctx.path)} (allowed: ${[...new Set(allowed)].join(", ")})`, {}, 405);
    }
    return next();
  });

  // ---- lifecycle --------------------------------------------------------------------------------

  let server: Server | undefined;
  const sockets = new Set<Socket>();
  let url = "";

  return {
    url: () => url,
    async start() {
      if (server) throw new Error("the RPC server is already started");
      // Receiving a request is bounded (headers, then the whole request); answering it is not:
      // Node's requestTimeout ends when the request is complete, so waits (at most 120 s) and
      // event streams (heartbeats, a send buffer and a count limit) keep their own bounds.
      const headersTimeout = opts.headersTimeoutMs ?? 20_000;
      const requestTimeout = opts.requestTimeoutMs ?? 30_000;
      const s = createServer({
        headersTimeout,
        requestTimeout,
        // how often Node looks for requests past their timeouts (its default, 30 s, would let a
        // stalled body live up to 30 s past requestTimeout)
        connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(Math.min(headersTimeout, requestTimeout) / 4))),
        // Idle keep-alive connections are closed after 65 s by default: longer than the idle
        // timeout of common HTTP clients and load balancers (60 s), so the server is not the side
        // that closes a connection a client is about to reuse (the client would see ECONNRESET on a POST).
        keepAliveTimeout: opts.keepAliveTimeoutMs ?? 65_000,
      }, app.callback());
      // The total: Node refuses (closes) connections beyond it.
      s.maxConnections = opts.maxConnections ?? 4096;
      const perAddress = opts.maxConnectionsPerAddress ?? 512;
      const open = new Map<string, number>();
      s.on("connection", (sock: Socket) => {
        const peer = normalizeAddress(sock.remoteAddress ?? "");
        // A trusted proxy carries many clients: it is bounded by the total only (and by its own limits).
        const key = proxies.trusts(peer) ? undefined : addressKey(peer);
        if (key !== undefined) {
          const n = open.get(key) ?? 0;
          if (n >= perAddress) {
            budgetedLog("refusal", (extra) => log.debug("rpc connection refused: too many from one address", { ip: key, open: n, ...extra }));
            sock.destroy();
            return;
          }
          open.set(key, n + 1);
        }
        sockets.add(sock);
        sock.on("close", () => {
          sockets.delete(sock);
          if (key === undefined) return;
          const n = (open.get(key) ?? 1) - 1;
          if (n <= 0) open.delete(key);
          else open.set(key, n);
        });
      });
      await new Promise<void>((resolve, reject) => {
        s.once("error", reject);
        s.listen(opts.port, opts.host, () => {
          s.off("error", reject);
          resolve();
        });
      });
      server = s;
      const addr = s.address() as AddressInfo;
      const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
      url = `http://${host}:${addr.port}`;
      log.info("rpc listening", { url });
      return { host: addr.address, port: addr.port, url };
    },
    async stop() {
      const s = server;
      if (!s) return;
      server = undefined;
      stopping.abort();
      streams.closeAll();
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      s.closeIdleConnections();
      const timer = setTimeout(() => {
        for (const sock of sockets) sock.destroy();
      }, STOP_GRACE_MS);
      timer.unref();
      await closed;
      clearTimeout(timer);
      log.info("rpc stopped", {});
    },
  };
}
