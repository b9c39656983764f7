// Routes of the node and the chain: probes, status, submission, blocks and their certificates, the OpenAPI document, metrics.
// Each route is a value of its own (sdk/api/routes.ts collects them): a client that sends a few of them
// carries those and their schemas only. Browser-safe.
import * as z from "zod/mini";
import { Empty, MinHeight, PROTOBUF_CONTENT_TYPE, READ_ERRORS, SubmitBatchBody, SubmitBody, WaitCertifiedMs, route } from "../route-parts.js";
import { Hex32, TimeMs, U64, described } from "../primitives.js";
import { BatchItemView, ReceiptView, StatusView, SubmitResultView } from "../views/core.js";

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

const WaitQuery = /* @__PURE__ */ z.object({
  wait: described(z.optional(z.enum(["commit", "none"])), "commit: wait for the block and return the receipt"),
  timeoutMs: described(z.optional(z.pipe(z.pipe(/* @__PURE__ */ z
    .string().check(z.regex(/^[0-9]{1,6}$/, "an integer of ms")), z.transform(Number)), /* @__PURE__ */ z.int().check(z.gte(0)).check(z.lte(120_000)))), "how long to wait for the commit, 0..120000 ms (default 30000)"),
});

export const submitTx = /* @__PURE__ */ route({
  method: "POST",
  path: "/v1/txs",
  access: "tx",
  summary: "Submit a signed transaction",
  description:
    "Admits a SignedTx (hex). Without `wait` it answers 202 once admitted. With `wait=commit` it waits up to `timeoutMs` for the block: 200 with the receipt when the ledger accepted it, the status of the receipt's code (409 for domain rejections, 403, 404, 400) with the receipt in the error when it rejected it, 202 if still pending. Resubmitting a committed transaction returns its receipt (idempotent retries).",
  params: Empty,
  query: WaitQuery,
  body: SubmitBody,
  response: SubmitResultView,
  produces: "json",
  success: 200,
  errors: [400, 401, 403, 404, 409, 413, 429, 503],
});

export const submitTxBatch = /* @__PURE__ */ route({
  method: "POST",
  path: "/v1/txs/batch",
  access: "tx",
  summary: "Submit many signed transactions in one request",
  description:
    "Admits each transaction in order as POST /v1/txs would; `results` holds each one's outcome (one bad transaction never fails the others). With `wait=commit`, answers once all admitted are in a block or `timeoutMs` passed. Limits: GET /v1/status `submission`. docs/api.md, Submitting in bulk.",
  params: Empty,
  query: WaitQuery,
  body: SubmitBatchBody,
  response: z.object({ results: z.array(BatchItemView) }),
  produces: "json",
  success: 200,
  errors: [400, 413, 429, 503],
  binaryBody: { contentType: PROTOBUF_CONTENT_TYPE, message: "TxSubmission", description: "a TxSubmission message (proto/tradeledger.proto)" },
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

