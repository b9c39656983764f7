// POST /v1/txs/batch (many signed transactions in one request) over the RPC harness's real node
// (test/rpc-harness.ts): each transaction admitted in order with its own outcome, JSON and protobuf
// bodies, duplicates inside one batch, the limits and the rate limit per transaction, garbage
// bodies; NodeApi.submitMany and waitForCommits on the real NodeService and Mempool; and the SDK's
// submitMany cut to the node's limits. The server checks every JSON answer against its schema.
import t from "tap";
import { PROTOBUF_CONTENT_TYPE } from "../sdk/api/routes.js";
import { toHex } from "../sdk/bytes.js";
import { tx, buildTxBody } from "../sdk/builders.js";
import { createClient, TxPendingError, type CommittedTx, type PendingTx } from "../sdk/client.js";
import { encode } from "../sdk/codec.js";
import { randomBytes } from "../sdk/crypto.js";
import { LedgerError } from "../sdk/errors.js";
import { signerFromSeed, signTransactionSync } from "../sdk/signer.js";
import type { Tx } from "../sdk/tx.js";
import { NodeService } from "../node/service.js";
import { silentLogger } from "../node/log.js";
import { invoiceRegistration } from "../sdk/transactions/register-receivable.js";
import { RpcHarness, invoice, servedHarness } from "./rpc-harness.js";

type Item = { txHash?: string; status: string; height?: string; index?: number; receipt?: { code: string }; error?: { code: string; message: string } };

function harnessTools(h: RpcHarness, url: string) {
  const signed = (signerId: string, payload: Parameters<typeof buildTxBody>[0], o: { chainId?: string; seed?: Uint8Array; createdAt?: number } = {}): Tx => {
    const s = o.seed ? signerFromSeed(signerId, o.seed) : h.party(signerId).signer;
    return signTransactionSync(s, buildTxBody(payload, { chainId: o.chainId ?? h.chainId, signer: s, ...(o.createdAt ? { createdAt: o.createdAt } : {}) }));
  };
  const anchor = () => tx.anchorDocument({ documentHash: randomBytes(32), documentType: "PACKING_LIST" });
  const postJson = (body: unknown, query = "?wait=commit", headers: Record<string, string> = { "content-type": "application/json" }) =>
    fetch(`${url}/v1/txs/batch${query}`, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
  const postProto = (bytes: Uint8Array, query = "?wait=commit") => fetch(`${url}/v1/txs/batch${query}`, { method: "POST", headers: { "content-type": PROTOBUF_CONTENT_TYPE }, body: bytes as Uint8Array<ArrayBuffer> });
  const results = async (res: Response): Promise<Item[]> => {
    const body = (await res.json()) as { results?: Item[]; error?: unknown };
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${JSON.stringify(body)}`);
    return body.results!;
  };
  const errorOf = async (res: Response) => ({ status: res.status, ...(((await res.json()) as { error: { code: string; message: string } }).error ?? {}) });
  return { signed, anchor, postJson, postProto, results, errorOf };
}

t.test("a mixed batch: each transaction its own outcome, in order, JSON and protobuf alike", async (t) => {
  const { h, url } = await servedHarness(t);
  const { signed, anchor, postJson, postProto, results } = harnessTools(h, url);
  for (const form of ["json", "protobuf"] as const) {
    const good = signed("exporter-hz-textiles", anchor());
    const wrongChain = signed("exporter-hz-textiles", anchor(), { chainId: "other-chain" });
    const badSignature = signed("exporter-hz-textiles", anchor(), { seed: randomBytes(32) });
    const expired = signed("exporter-hz-textiles", anchor(), { createdAt: Date.now() - 2 * 3_600_000 });
    const auditorWrite = signed("auditor", anchor());
    const good2 = signed("exporter-sz-electronics", anchor());
    const list = [good.bytes, wrongChain.bytes, badSignature.bytes, Uint8Array.of(0, 0x11), expired.bytes, new Uint8Array(70_000), auditorWrite.bytes, good2.bytes];
    const res = form === "json" ? await postJson({ txs: list.map(toHex) }) : await postProto(encode("TxSubmission", { txs: list }));
    const out = await results(res);
    t.equal(out.length, list.length, `${form}: one result per transaction`);
    t.match(out[0], { txHash: good.hashHex, status: "committed", receipt: { code: "OK" } }, `${form}: admitted and committed`);
    t.match(out[1], { txHash: wrongChain.hashHex, status: "refused", error: { code: "WRONG_CHAIN" } });
    t.match(out[2], { txHash: badSignature.hashHex, status: "refused", error: { code: "BAD_SIGNATURE", message: "signature does not verify for the claimed signer", status: 401 } }, "with the status POST /v1/txs would answer");
    t.match(out[3], { status: "refused", error: { code: "MALFORMED" } }, `${form}: bytes that are no transaction`);
    t.notOk(out[3]!.txHash, "no hash for what is not a transaction");
    t.match(out[4], { txHash: expired.hashHex, status: "refused", error: { code: "TX_EXPIRED", status: 400 } });
    t.match(out[5], { status: "refused", error: { code: "TOO_LARGE" } }, `${form}: a transaction above 64 KiB`);
    t.match(out[6], { txHash: auditorWrite.hashHex, status: "committed", receipt: { code: "UNAUTHORIZED" } }, `${form}: the ledger's refusal is a committed receipt`);
    t.match(out[7], { txHash: good2.hashHex, status: "committed", receipt: { code: "OK" } });
    // admitted in the order given: one block, in request order
    t.equal(out[0]!.height, out[7]!.height, `${form}: one notice, one block`);
    t.ok(out[0]!.index! < out[6]!.index! && out[6]!.index! < out[7]!.index!, `${form}: in the order of the request`);
  }
});

t.test("duplicates inside one batch, resubmission, wait=none and a commit wait that runs out", async (t) => {
  const { h, url } = await servedHarness(t);
  const { signed, anchor, postJson, postProto, results } = harnessTools(h, url);
  const one = signed("exporter-hz-textiles", anchor());
  // another envelope of the same body (a signature that does not verify): not the admitted copy
  const otherEnvelope = encode("SignedTx", { body: one.bodyBytes, signature: new Uint8Array(64).fill(7) });
  h.autoProduce = false;
  const admitted = await results(await postJson({ txs: [toHex(one.bytes), toHex(one.bytes), toHex(otherEnvelope)] }, ""));
  t.same(admitted[0], { txHash: one.hashHex, status: "pending" }, "without wait: admitted");
  t.same(admitted[1], { txHash: one.hashHex, status: "pending" }, "the same bytes twice: the same transaction, admitted once");
  t.match(admitted[2], { txHash: one.hashHex, status: "refused", error: { code: "DUPLICATE_TX" } }, "another envelope of a pending body");
  t.equal(h.mempool.size, 1, "one transaction pending");

  const late = signed("exporter-hz-textiles", anchor());
  const timedOut = await results(await postProto(encode("TxSubmission", { txs: [late.bytes, one.bytes] }), "?wait=commit&timeoutMs=30"));
  t.same(timedOut, [{ txHash: late.hashHex, status: "pending" }, { txHash: one.hashHex, status: "pending" }], "not committed within the wait: pending");

  // a commit wait answers once every admitted transaction is in a block
  const waiting = postJson({ txs: [toHex(one.bytes), toHex(late.bytes), toHex(one.bytes)] }, "?wait=commit&timeoutMs=30000");
  await new Promise((r) => setTimeout(r, 50));
  h.autoProduce = true;
  await h.produce();
  const done = await results(await waiting);
  t.match(done, [
    { txHash: one.hashHex, status: "committed", receipt: { code: "OK" } },
    { txHash: late.hashHex, status: "committed", receipt: { code: "OK" } },
    { txHash: one.hashHex, status: "committed", receipt: { code: "OK" } },
  ]);
  t.same(done[2], done[0], "a duplicate answers as its first copy");
  const again = await results(await postJson({ txs: [toHex(late.bytes)] }, ""));
  t.match(again, [{ txHash: late.hashHex, status: "committed", receipt: { code: "OK", txHash: late.hashHex } }], "resubmitting a committed transaction answers its receipt");
});

t.test("limits: transactions and bytes per request, malformed bodies refused whole, the rate limit counts transactions", async (t) => {
  const h = await RpcHarness.create();
  const { server, url } = await h.serve({ maxBatchTxs: 5, maxBatchBytes: 8 * 1024, rateLimitPerMinute: 20 });
  t.teardown(async () => {
    await server.stop();
    await h.close();
  });
  const { signed, anchor, postJson, postProto, results, errorOf } = harnessTools(h, url);
  const status = (await (await fetch(`${url}/v1/status`)).json()) as { submission: unknown };
  t.same(status.submission, { maxTxBytes: 65_536, maxBodyBytes: 256 * 1024, maxBatchTxs: 5, maxBatchBytes: 8 * 1024 }, "the limits are in the status");
  const six = Array.from({ length: 6 }, () => toHex(signed("exporter-hz-textiles", anchor()).bytes));
  t.match(await errorOf(await postJson({ txs: six })), { status: 413, code: "TOO_LARGE", message: /at most 5 transactions/ });
  t.match(await errorOf(await postProto(encode("TxSubmission", { txs: [new Uint8Array(9000)] }))), { status: 413, code: "TOO_LARGE", message: /8192-byte limit/ });
  t.match(await errorOf(await postJson({ txs: [] })), { status: 400, code: "MALFORMED" }, "no transaction");
  t.match(await errorOf(await postProto(new Uint8Array(0))), { status: 400, code: "MALFORMED" }, "an empty protobuf body");
  t.match(await errorOf(await postProto(Uint8Array.of(0x0a, 0x05, 1, 2))), { status: 400, code: "MALFORMED", message: /TxSubmission/ }, "truncated protobuf");
  t.match(await errorOf(await postProto(Uint8Array.of(0x12, 0x01, 0x00))), { status: 400, code: "MALFORMED" }, "an unknown field");
  t.match(await errorOf(await postJson({ txs: ["zz"] })), { status: 400, code: "MALFORMED" }, "not hex: the body is malformed");
  t.match(await errorOf(await postJson({ tx: six[0] })), { status: 400, code: "MALFORMED" }, "the single route's body");
  t.match(await errorOf(await postJson("{not json")), { status: 400, code: "MALFORMED" });
  t.match(await errorOf(await postJson("garbage", "", { "content-type": "text/plain" })), { status: 400, code: "MALFORMED", message: /x-protobuf/ });
  t.match(await errorOf(await postJson({ txs: six.slice(0, 1) }, "?colour=blue")), { status: 400, message: /unknown query parameter/ });
  t.equal((await fetch(`${url}/v1/txs/batch`)).status, 401, "GET is the transaction read (signed)");

  // 12 requests charged so far, one token each, of a bucket of 20: a batch of 5 takes 5 of the 8 left
  const ok = await results(await postJson({ txs: six.slice(0, 5) }, ""));
  t.equal(ok.filter((r) => r.status === "pending").length, 5);
  const others = Array.from({ length: 5 }, () => signed("exporter-sz-electronics", anchor()));
  const refused = await errorOf(await postJson({ txs: others.map((o) => toHex(o.bytes)) }, ""));
  t.match(refused, { status: 429, code: "RATE_LIMITED", message: /20 transactions per minute exceeded \(this batch holds 5\)/ }, "a batch spends a token per transaction");
  await h.settle();
  for (const o of others) t.notOk(await h.query.locateTx(o.hash), "nothing of a refused batch was admitted");

  h.ready = false;
  t.match(await errorOf(await postJson({ txs: six.slice(0, 1) })), { status: 503, code: "NOT_READY" });
  h.ready = true;
});

t.test("NodeApi: submitMany admits in order and tells consensus once per slice; waitForCommits is one wait for the lot", async (t) => {
  const h = await RpcHarness.create({ autoProduce: false });
  t.teardown(() => h.close());
  let notices = 0;
  const api = new NodeService({
    chainId: h.chainId,
    nodeId: "bank-a",
    mode: "validator",
    validators: h.validators,
    version: "test",
    query: h.query,
    mempool: h.mempool,
    network: { publishTx: () => 0, connectedPeers: () => [] },
    consensus: () => ({ running: true, syncing: false }),
    onTransactionsAvailable: () => notices++,
    logger: silentLogger,
  });
  const s = h.party("exporter-hz-textiles").signer;
  const txs = Array.from({ length: 40 }, () => signTransactionSync(s, buildTxBody(tx.anchorDocument({ documentHash: randomBytes(32), documentType: "PACKING_LIST" }), { chainId: h.chainId, signer: s })));
  const admissions = await api.submitMany([...txs.map((x) => x.bytes), txs[0]!.bytes, Uint8Array.of(1, 2, 3)]);
  t.equal(admissions.length, 42);
  t.ok(admissions.slice(0, 41).every((a) => a.ok));
  t.match(admissions[41], { ok: false, code: "MALFORMED" });
  t.equal(notices, 2, "40 fresh transactions in slices of 32: two notices, not 40");
  t.same([...h.mempool.pendingTxs()].map((x) => x.hashHex), txs.map((x) => x.hashHex), "pending in the order given");

  // the harness's own service sees the blocks: wait there for a committed one, a pending one, one twice
  await h.api.submitMany(txs.slice(0, 2).map((x) => x.bytes));
  const timedOut = await h.api.waitForCommits([txs[0]!.hashHex], 20);
  t.same(timedOut, [undefined], "not committed within the wait");
  const block = h.executeBlock([txs[0]!]);
  await block;
  const waiting = h.api.waitForCommits([txs[0]!.hashHex, txs[1]!.hashHex, txs[1]!.hashHex], 10_000);
  await new Promise((r) => setTimeout(r, 20));
  await h.executeBlock([txs[1]!]);
  const done = await waiting;
  t.equal(done[0]!.height, 1n, "already committed: found in the store");
  t.equal(done[1]!.height, 2n);
  t.equal(done[1]!.committed!.index, 0);
  t.equal(done[2], done[1], "a hash named twice is answered twice");
  const abort = new AbortController();
  const aborted = h.api.waitForCommits([txs[5]!.hashHex], 10_000, abort.signal);
  abort.abort();
  t.same(await aborted, [undefined], "an abort ends the wait");
});

t.test("SDK submitMany: one request per cut of the node's limits, in order, both encodings, halving on 413", async (t) => {
  const h = await RpcHarness.create();
  const { server, url } = await h.serve({ maxBatchTxs: 3 });
  t.teardown(async () => {
    await server.stop();
    await h.close();
  });
  const requests: { path: string; type: string | null; count?: number }[] = [];
  const counting = (strip: boolean): typeof fetch => async (input, init) => {
    const u = new URL(String(input));
    requests.push({ path: u.pathname, type: new Headers(init?.headers).get("content-type") });
    const res = await fetch(input, init);
    if (!strip || u.pathname !== "/v1/status") return res;
    // a node (or proxy) that does not announce its limits: the SDK's defaults, then 413s
    const body = (await res.json()) as Record<string, unknown>;
    delete body.submission;
    return new Response(JSON.stringify(body), { status: res.status, headers: res.headers });
  };
  const payloads = Array.from({ length: 7 }, (_, i) => invoiceRegistration(invoice(`BATCH-SDK-${i}`)).payload);
  const bad = { ...invoiceRegistration(invoice("BATCH-SDK-X")).payload, currency: "usd" };
  const dup = invoiceRegistration(invoice("BATCH-SDK-1")).payload;
  const exporter = createClient({ url, signer: h.party("exporter-hz-textiles").signer, fetch: counting(false) });
  const out = await exporter.submitMany([...payloads.slice(0, 3), bad, ...payloads.slice(3), dup]);
  t.equal(out.length, 9);
  t.ok(out[3] instanceof LedgerError && (out[3] as LedgerError).code === "MALFORMED", "refused before signing");
  const committed = out.filter((o): o is CommittedTx => !(o instanceof LedgerError));
  t.equal(committed.length, 8);
  t.ok(committed.slice(0, 7).every((c) => c.ok && c.code === "OK"));
  t.match(out[8], { ok: false, code: "DUPLICATE_RECEIVABLE" }, "a ledger refusal is a receipt");
  const order = committed.map((c) => [BigInt(c.height), c.index] as const);
  t.ok(order.every((o, i) => i === 0 || o[0] > order[i - 1]![0] || (o[0] === order[i - 1]![0] && o[1] > order[i - 1]![1])), "committed in the order given");
  const batches = requests.filter((r) => r.path === "/v1/txs/batch");
  t.equal(batches.length, 3, "8 transactions in cuts of 3");
  t.ok(batches.every((b) => b.type === PROTOBUF_CONTENT_TYPE), "protobuf by default");
  t.ok(exporter.seenHeight() >= BigInt(committed.at(-1)!.height), "receipts raise the height reads wait for");

  requests.length = 0;
  const json = await exporter.submitMany([invoiceRegistration(invoice("BATCH-SDK-J")).payload], undefined, { encoding: "json", wait: "none" });
  t.match(json, [{ status: "pending" }]);
  t.same(requests.filter((r) => r.path === "/v1/txs/batch").map((r) => r.type), ["application/json"]);
  await h.settle();

  requests.length = 0;
  const blind = createClient({ url, signer: h.party("exporter-sz-electronics").signer, fetch: counting(true) });
  const halved = await blind.submitMany(Array.from({ length: 5 }, (_, i) => invoiceRegistration(invoice(`BATCH-HALF-${i}`, { seller: "exporter-sz-electronics" })).payload));
  t.ok(halved.every((o) => !(o instanceof LedgerError) && (o as CommittedTx).ok), "all committed after halving");
  t.equal(requests.filter((r) => r.path === "/v1/txs/batch").length, 3, "5 refused whole (413), then 3 and 2");

  // a commit wait that runs out: TxPendingError for those not in a block
  h.autoProduce = false;
  const pending = await exporter.submitMany([invoiceRegistration(invoice("BATCH-SDK-P")).payload], undefined, { timeoutMs: 20 });
  t.ok(pending[0] instanceof TxPendingError, "admitted, not committed within the wait");
  const none: (PendingTx | LedgerError)[] = await exporter.submitMany([invoiceRegistration(invoice("BATCH-SDK-Q")).payload], undefined, { wait: "none" });
  t.match(none, [{ status: "pending" }]);
  h.autoProduce = true;
  await h.settle();
});
