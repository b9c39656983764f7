// Routes of the node and the chain: probes, status, submission, blocks and their certificates, the OpenAPI document, metrics.
// Each route is a value of its own (sdk/api/routes.ts collects them): a client that sends a few of them
// carries those and their schemas only. Browser-safe.
import * as z from "zod/mini";
import { Empty, MinHeight, READ_ERRORS, ReadQuery, SubmitBody, WaitCertifiedMs, route } from "../route-parts.js";
import { described, Hex32, TimeMs, U64 } from "../primitives.js";
import { BlockView, CertifiedHeaderView, HealthView, ReadinessView, ReceiptView, StatusView, SubmitResultView } from "../schemas.js";

export const getHealth = /* @__PURE__ */ route({
  method: "GET",
  path: "/healthz",
  access: "open",
  summary: "Liveness probe: the process serves requests",
  description: "Always 200 while the node's HTTP server runs. For orchestrators' liveness checks (restart the process when it stops answering).",
  params: Empty,
  query: Empty,
  body: null,
  response: HealthView,
  produces: "json",
  success: 200,
  errors: [429],
});

export const getReadiness = /* @__PURE__ */ route({
  method: "GET",
  path: "/readyz",
  access: "open",
  summary: "Readiness probe: 200 when the node can serve and accept transactions, else 503 with why",
  description:
    "503 while starting, catching up (state transfer or observer sync), halted on a broken invariant, or connected to fewer validator peers than it needs (a validator: 2f, so that with itself it makes a quorum; an observer: f+1, so that it can follow certified blocks). For load balancers: route clients only to ready nodes.",
  params: Empty,
  query: Empty,
  body: null,
  response: ReadinessView,
  produces: "json",
  success: 200,
  errors: [429, 503],
});

export const getStatus = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/status",
  access: "open",
  summary: "Node and chain status",
  description: "Chain id, head block, PBFT view, validators, peers, mempool, readiness. Open (loopback).",
  params: Empty,
  query: Empty,
  body: null,
  response: StatusView,
  produces: "json",
  success: 200,
  errors: [429],
});

export const submitTx = /* @__PURE__ */ route({
  method: "POST",
  path: "/v1/txs",
  access: "tx",
  summary: "Submit a signed transaction",
  description:
    "Admits a SignedTx (hex). Without `wait` it answers 202 once admitted. With `wait=commit` it waits up to `timeoutMs` for the block: 200 with the receipt when the ledger accepted it, the status of the receipt's code (409 for domain rejections, 403, 404, 400) with the receipt in the error when it rejected it, 202 if still pending. Resubmitting a committed transaction returns its receipt (idempotent retries).",
  params: Empty,
  query: z.object({
    wait: described(z.optional(z.enum(["commit", "none"])), "commit: wait for the block and return the receipt"),
    timeoutMs: described(z.optional(z.pipe(z.pipe(/* @__PURE__ */ z
      .string().check(z.regex(/^[0-9]{1,6}$/, "an integer of ms")), z.transform(Number)), /* @__PURE__ */ z.int().check(z.gte(0)).check(z.lte(120_000)))), "how long to wait for the commit, 0..120000 ms (default 30000)"),
  }),
  body: SubmitBody,
  response: SubmitResultView,
  produces: "json",
  success: 200,
  errors: [400, 401, 403, 404, 409, 413, 429, 503],
});

/**
 * GET /v1/txs/:hash read for where the transaction was committed and its receipt only (checked; the
 * body and proofs in the answer are not parsed): what waitForTx polls, so that an app waiting for
 * its transactions does not carry the JSON view of every transaction type. getTx (routes/txs.ts) is
 * the same request with the whole answer checked; only it is in the route table.
 */
export const getTxReceipt = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/txs/:hash",
  access: "signed",
  summary: "A committed transaction's receipt and place in the chain",
  description: "The answer of GET /v1/txs/:hash, read for its receipt.",
  params: z.object({ hash: Hex32 }),
  query: z.object({ minHeight: MinHeight, waitCertifiedMs: WaitCertifiedMs }),
  body: null,
  response: z.object({ txHash: Hex32, height: U64, index: /* @__PURE__ */ z.int().check(z.gte(0)), time: TimeMs, blockHash: Hex32, receipt: ReceiptView }),
  produces: "json",
  success: 200,
  errors: READ_ERRORS,
});

export const getBlock = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/blocks/:height",
  access: "open",
  summary: "A block header with its hash and commit certificate",
  description: "`latest` for the head. Headers carry roots and counts only, no commercial data. Open (loopback).",
  params: z.object({ height: /* @__PURE__ */ z.string().check(z.regex(/^(?:latest|[1-9][0-9]{0,19})$/, "a height >= 1 or 'latest'")) }),
  query: ReadQuery,
  body: null,
  response: BlockView,
  produces: "json",
  success: 200,
  errors: [400, 404, 429, 503],
});

export const getCertifiedHeader = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/blocks/:height/certified",
  access: "open",
  summary: "A block header certified with its results: the headers above it and a checkpoint certificate",
  description:
    "The header (with its receipts root and state root), the headers above it up to the nearest checkpointed block, and 2f+1 validators' CHECKPOINT signatures over that block's hash: check with verifyCertifiedHeader (sdk/certified.ts) against the genesis validator set. 404 while the block is not certified yet (wait with `waitMs`) or not stored here; an observer holds no checkpoint certificates (ask a validator). Open (loopback).",
  params: z.object({ height: /* @__PURE__ */ z.string().check(z.regex(/^(?:latest|[1-9][0-9]{0,19})$/, "a height >= 1 or 'latest'")) }),
  query: z.object({ waitMs: WaitCertifiedMs }),
  body: null,
  response: CertifiedHeaderView,
  produces: "json",
  success: 200,
  errors: [400, 404, 429],
});

export const getOpenApi = /* @__PURE__ */ route({
  method: "GET",
  path: "/v1/openapi.json",
  access: "open",
  summary: "This API as an OpenAPI 3.1 document",
  description: "Generated from the route definitions in sdk/api/routes.ts.",
  params: Empty,
  query: Empty,
  body: null,
  response: z.record(z.string(), z.unknown()),
  produces: "json",
  success: 200,
  errors: [429],
});

export const getMetrics = /* @__PURE__ */ route({
  method: "GET",
  path: "/metrics",
  access: "open",
  summary: "Prometheus metrics",
  description: "Text exposition format (loopback).",
  params: Empty,
  query: Empty,
  body: null,
  response: z.string(),
  produces: "text",
  success: 200,
  errors: [429],
});
