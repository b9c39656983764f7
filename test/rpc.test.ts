// The RPC (rpc/) over a real Chain, Store and Mempool (test/rpc-harness.ts), through real HTTP:
// every endpoint, every error status, signed reads and role visibility, pagination, the event
// stream, OpenAPI parity with the routes, metrics, CORS and the body and rate limits. The server
// checks every JSON response against its route's schema (checkResponses), so a view that drifts
// from sdk/api/ fails here too.
import t from "tap";
import { openApiDocument, openApiPath } from "../sdk/api/openapi.js";
import { routes, type RouteDef } from "../sdk/api/routes.js";
import { AUTH_HEADERS, signedReadHeaders } from "../sdk/api/signed-reads.js";
import { toHex } from "../sdk/bytes.js";
import { tx, buildTxBody } from "../sdk/builders.js";
import { createClient, type TradeLedgerClient } from "../sdk/client.js";
import { randomBytes } from "../sdk/crypto.js";
import { LedgerError } from "../sdk/errors.js";
import { dayAfter } from "../sdk/checks.js";
import { signerFromSeed, signTransactionSync, type Signer } from "../sdk/signer.js";
import { validatorSetFromGenesis, verifyHistory, verifyTx } from "../sdk/verify.js";
import { NodeMetrics } from "../node/metrics.js";
import { DEFAULT_DUE_DATE, RpcHarness, attestPayload, day, invoice, registerPayload } from "./rpc-harness.js";

const metrics = new NodeMetrics({ processMetrics: false });
const h = await RpcHarness.create({ metrics });
const { server, url } = await h.serve({ metrics, corsOrigins: ["http://app.example"] });
t.teardown(async () => {
  await server.stop();
  await h.close();
});

const signer = (id: string) => h.party(id).signer;
const as = (id: string): TradeLedgerClient => createClient({ url, signer: signer(id) });
const open = createClient({ url });
const exporter = as("exporter-hz-textiles");
const other = as("exporter-sz-electronics");
const bankA = as("bank-a");
const bankB = as("bank-b");
const customs = as("customs");
const auditor = as("auditor");

/** Resolves to the LedgerError a promise rejects with (fails the test if it resolves). */
async function failure(p: Promise<unknown>): Promise<LedgerError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof LedgerError) return err;
    throw err;
  }
  throw new Error("expected a LedgerError");
}

/** A raw signed request (so tests can break what the SDK would get right). */
async function signedFetch(path: string, s: Signer, o: { method?: string; time?: bigint; chainId?: string; target?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  const method = o.method ?? "GET";
  const headers = await signedReadHeaders(s, { chainId: o.chainId ?? h.chainId, time: o.time ?? BigInt(Date.now()), nonce: randomBytes(16), method, target: o.target ?? path });
  return fetch(url + path, { method, headers: { ...headers, ...(o.headers ?? {}) } });
}

async function errorOf(res: Response): Promise<{ status: number; code: string; message: string; body: any }> {
  const body = (await res.json()) as any;
  return { status: res.status, code: body.error?.code, message: body.error?.message, body };
}

const usd = (major: number) => BigInt(major) * 100n;

// Shared state built by the lifecycle test and read by the later ones.
let receivableId = "";
let financeA = "";
let invoiceHash = "";
let invoiceFingerprint = "";

t.test("status and block headers are open; the chain id and validators are served", async (t) => {
  const s = await open.status();
  t.equal(s.chainId, h.chainId);
  t.equal(s.validators.length, 4);
  t.equal(s.validators[0]!.publicKey, toHex(h.validators[0]!.publicKey));
  t.equal(s.ready, true);
  const e = await failure(open.getBlock("latest"));
  t.equal(e.status, 404, "no block before the first");
});

t.test("probes: /healthz while the process serves; /readyz 503 with why until the node has a quorum of validator peers", async (t) => {
  const health = await fetch(`${url}/healthz`);
  t.equal(health.status, 200);
  t.same(await health.json(), { status: "ok" });
  // The harness is one validator of four with no peers: it answers reads but cannot make a quorum.
  const ready = await fetch(`${url}/readyz`);
  t.equal(ready.status, 503);
  const body = (await ready.json()) as { ready: boolean; reasons: string[]; validatorPeers: number; quorumPeers: number };
  t.match(body, { ready: false, validatorPeers: 0, quorumPeers: 2 });
  t.match(body.reasons.join("; "), /connected to 0 validator peer\(s\), needs 2/);
  t.equal((await open.status()).ready, true, "while /v1/status still says what it says (ready to accept transactions)");
});

t.test("a receivable's lifecycle through the RPC and every read endpoint", async (t) => {
  const doc = invoice("00417");
  const { payload, commitment } = registerPayload(doc);
  invoiceHash = commitment.rootHex;
  invoiceFingerprint = toHex(payload.fingerprint);
  const reg = await exporter.submit(payload);
  t.equal(reg.receipt.code, "OK");
  receivableId = reg.receipt.target;
  t.equal(receivableId, reg.txHash, "a receivable's id is its registration's hash");

  const mine = await exporter.getReceivable(receivableId);
  t.match(mine, { receivable: { status: "REGISTERED", amount: "15250000", currency: "USD", exporterId: "exporter-hz-textiles" }, available: "0", financeable: false, overdue: false, declaration: null });

  t.match(await failure(other.getReceivable(receivableId)), { code: "FORBIDDEN", status: 403 }, "an exporter cannot read another's receivable");
  t.match(await failure(open.getReceivable(receivableId)), { code: "UNAUTHENTICATED" }, "the SDK refuses to send an unsigned read");
  t.match(await errorOf(await fetch(`${url}/v1/receivables/${receivableId}`)), { status: 401, code: "UNAUTHENTICATED" }, "and so does the node");

  const att = await customs.submit(attestPayload("1", { exporter: "exporter-hz-textiles", amount: "152500.00", receivableIds: [receivableId] }));
  t.equal(att.receipt.events[0]!.type, "receivableAttested");

  const checked = await bankA.getReceivable(receivableId);
  t.match(checked, { receivable: { status: "ATTESTED", attestedBy: "customs" }, available: "15250000", financeable: true, declaration: { exporterId: "exporter-hz-textiles", declaredValue: "15250000", customsId: "customs" } }, "a bank looks a receivable up by id before financing");

  const fa = await bankA.submit(tx.financeReceivable({ receivableId, amount: usd(100_000), currency: "USD" }));
  financeA = fa.txHash;
  t.match(fa.receipt.events[0], { type: "receivableFinanced", bankId: "bank-a", amount: "10000000", liveFinanced: "10000000" });

  const over = await failure(bankB.submit(tx.financeReceivable({ receivableId, amount: usd(60_000), currency: "USD" })));
  t.equal(over.code, "DOUBLE_FINANCING");
  t.equal(over.status, 409, "a domain rejection is 409");
  t.equal(over.receipt?.code, "DOUBLE_FINANCING", "the error carries the receipt");
  t.equal(over.receipt?.target, receivableId);

  const fb = await bankB.submit(tx.financeReceivable({ receivableId, amount: usd(52_500), currency: "USD" }));
  t.equal(fb.receipt.code, "OK");
  t.match(await bankB.getReceivable(receivableId), { receivable: { status: "FINANCED" }, liveFinanced: "15250000", available: "0", financeable: false });

  const cancel = await failure(exporter.submit(tx.cancelReceivable({ receivableId, reason: "typo" })));
  t.match(cancel, { code: "INVALID_STATE", status: 409 });

  // exposure: the shared credit information
  const exp = await bankB.getExposure("exporter-hz-textiles");
  t.match(exp, { partyId: "exporter-hz-textiles", receivables: { total: 1, byStatus: { FINANCED: 1 } }, outstanding: { USD: "15250000" }, outstandingByBank: { "bank-a": { USD: "10000000" }, "bank-b": { USD: "5250000" } }, overdue: {} });
  t.match(exp.rejectedAttempts, { total: 1, byCode: { INVALID_STATE: 1 } }, "the exporter's own rejected attempts are counted");
  t.match(await failure(customs.getExposure("exporter-hz-textiles")), { status: 403 });
  t.match(await failure(other.getExposure("exporter-hz-textiles")), { status: 403 });
  t.equal((await exporter.getExposure("exporter-hz-textiles")).partyId, "exporter-hz-textiles");
  t.match(await failure(auditor.getExposure("nobody-here")), { status: 404 });

  // documents and fingerprints: lookups by what the lender holds
  const d = await bankB.getDocument(invoiceHash);
  t.match(d, { documentHash: invoiceHash, document: { documentType: "INVOICE", anchoredBy: "exporter-hz-textiles", receivableId } });
  t.equal(d.items.length, 1);
  t.match(await failure(other.getDocument(invoiceHash)), { status: 403 });
  t.match(await failure(bankB.getDocument("00".repeat(32))), { status: 404 });
  t.match(await bankA.getFingerprint(invoiceFingerprint), { receivableId, items: [{ code: "OK", signer: "exporter-hz-textiles" }] });
  t.match(await failure(other.getFingerprint(invoiceFingerprint)), { status: 403 });

  // parties
  t.match(await other.getParty("bank-a"), { id: "bank-a", role: "BANK" });
  t.match(await failure(other.getParty("no-such-party")), { status: 404, code: "NOT_FOUND" });

  // transactions, with proofs a client checks itself
  const txv = await bankA.getTx(financeA);
  t.match(txv, { txHash: financeA, signer: "bank-a", type: "financeReceivable", receipt: { code: "OK" }, certificate: { seq: txv.height } });
  t.same(verifyTx(txv, validatorSetFromGenesis(h.genesis())), { ok: true, checked: 1, certifiedBlocks: 1, problems: [] });
  t.match(await failure(other.getTx(financeA)), { status: 403 });
  t.equal((await exporter.getTx(financeA)).txHash, financeA, "the exporter sees transactions on its receivable");
  t.match(await failure(bankA.getTx("ab".repeat(32))), { status: 404 });

  // blocks: headers open, contents by visibility
  const latest = await open.getBlock("latest");
  t.equal(latest.height, String(h.chain.height));
  t.ok(latest.certificate, "a block is served with its commit certificate");
  const b1 = await open.getBlock(1);
  t.equal(b1.header.txCount, 1);
  t.match(await failure(open.getBlock(999)), { status: 404 });
  t.equal((await auditor.getBlockTxs(1)).items.length, 1);
  t.equal((await other.getBlockTxs(1)).items.length, 0, "block contents are filtered by what the caller may list");
  t.equal((await fetch(`${url}/v1/blocks/1/txs`)).status, 401);

  // repayments settle it
  await bankA.submit(tx.recordRepayment({ receivableId, financingId: financeA, amount: usd(100_000) }));
  const settle = await bankB.submit(tx.recordRepayment({ receivableId, financingId: fb.txHash, amount: usd(52_500) }));
  t.same(settle.receipt.events.map((e) => e.type), ["repaymentRecorded", "receivableSettled"]);
  t.match(await exporter.getReceivable(receivableId), { receivable: { status: "SETTLED" }, liveFinanced: "0", available: "0" });

  // the history: every event and every rejected attempt, in chain order, verifiable
  const hist = await auditor.getFullHistory(receivableId);
  const kinds = hist.items.map((e) => e.event?.type ?? `rejected:${e.code}`);
  t.same(kinds, ["receivableRegistered", "receivableAttested", "receivableFinanced", "rejected:DOUBLE_FINANCING", "receivableFinanced", "rejected:INVALID_STATE", "repaymentRecorded", "repaymentRecorded", "receivableSettled"]);
  t.same(verifyHistory(hist, validatorSetFromGenesis(h.genesis())).problems, []);
  const plain = await exporter.getHistory(receivableId);
  t.equal(plain.blocks, undefined, "proofs only on request");
  t.equal(plain.items[0]!.proof, undefined);
  t.match(await failure(other.getHistory(receivableId)), { status: 403 });
});

t.test("lists: by exporter, bank, status, due dates and overdue, as each role may list", async (t) => {
  // a second exporter's receivable, due today, attested, then overdue a day later (registration
  // refuses a due date already past: the ledger's OVERDUE, docs/ledger.md)
  const lateDue = day(0);
  const late = registerPayload(invoice("LATE-1", { seller: "exporter-sz-electronics", amount: "5000.00", issueDate: day(-30), dueDate: lateDue }));
  const r2 = (await other.submit(late.payload)).receipt.target;
  await customs.submit(attestPayload("2", { exporter: "exporter-sz-electronics", amount: "5000.00", receivableIds: [r2] }));
  h.timeOffsetMs = 86_400_000;
  await other.submit(tx.anchorDocument({ documentHash: randomBytes(32), documentType: "PACKING_LIST" })); // a block a day later
  t.match(await other.getReceivable(r2), { overdue: true, financeable: false });
  t.match(await failure(bankA.submit(tx.financeReceivable({ receivableId: r2, amount: 100n, currency: "USD" }))), { code: "OVERDUE", status: 409 });

  const ids = (p: { items: { receivable: { id: string } }[] }) => p.items.map((i) => i.receivable.id);
  t.same(ids(await exporter.listReceivables()), [receivableId], "an exporter lists its own");
  t.same(ids(await other.listReceivables()), [r2]);
  t.match(await failure(exporter.listReceivables({ exporter: "exporter-sz-electronics" })), { status: 403 });
  t.same(ids(await bankA.listReceivables()), [receivableId], "a bank lists what it financed");
  t.same(ids(await bankB.listReceivables({ exporter: "exporter-hz-textiles" })), [receivableId]);
  t.same(ids(await bankB.listReceivables({ exporter: "exporter-sz-electronics" })), [], "not what it did not finance");
  t.match(await failure(bankA.listReceivables({ bank: "bank-b" })), { status: 403 });
  t.same(ids(await customs.listReceivables({ status: "ATTESTED" })), [r2], "customs lists what it attested");
  t.same(ids(await auditor.listReceivables({ status: "SETTLED" })), [receivableId]);
  t.same(ids(await auditor.listReceivables({ overdue: true })), [r2]);
  t.same(ids(await auditor.listReceivables({ overdue: false })), [receivableId]);
  t.same(ids(await auditor.listReceivables({ dueFrom: lateDue, dueTo: lateDue })), [r2], "due-date bounds are inclusive");
  t.same(ids(await auditor.listReceivables({ dueFrom: dayAfter(lateDue)!, dueTo: day(89) })), [], "nothing due between the late one and the default due date");
  t.same(ids(await auditor.listReceivables({ dueTo: DEFAULT_DUE_DATE })).sort(), [receivableId, r2].sort());
  t.ok(ids(await auditor.listReceivables({ dueTo: "9999-12-31" })).includes(receivableId), "the last calendar day bounds nothing out (no day after it to overflow into)");
  t.match(await failure(auditor.listReceivables({ dueFrom: "2026-02-30" })), { status: 400, code: "MALFORMED" });

  // exposure with an overdue financed receivable: finance today's receivable, then time passes
  // (the chain is a day ahead of the wall clock since LATE-1)
  const soon = registerPayload(invoice("SOON-1", { seller: "exporter-sz-electronics", amount: "2000.00", issueDate: day(-10), dueDate: day(1) }));
  const r3 = (await other.submit(soon.payload)).receipt.target;
  await customs.submit(attestPayload("3", { exporter: "exporter-sz-electronics", amount: "2000.00", receivableIds: [r3] }));
  await bankA.submit(tx.financeReceivable({ receivableId: r3, amount: usd(1500), currency: "USD" }));
  h.timeOffsetMs = 4 * 86_400_000;
  await other.submit(tx.anchorDocument({ documentHash: randomBytes(32), documentType: "PACKING_LIST" })); // a block three days later
  const exp = await auditor.getExposure("exporter-sz-electronics");
  t.match(exp, { outstanding: { USD: "150000" }, overdue: { USD: "150000" }, overdueReceivables: 1, receivables: { total: 2 } });
  t.match(await bankA.getReceivable(r3), { overdue: true, liveFinanced: "150000", available: "50000", financeable: false });
  h.timeOffsetMs = 0;
});

t.test("rejections: auditors see all; others their own and attempts on receivables they may see", async (t) => {
  const all = await auditor.getRejections();
  t.ok(all.items.some((e) => e.code === "DOUBLE_FINANCING" && e.signer === "bank-b" && e.target === receivableId));
  t.same(
    (await auditor.getRejections({ code: "DOUBLE_FINANCING" })).items.map((e) => e.signer),
    ["bank-b"],
  );
  t.same((await auditor.getRejections({ signer: "exporter-hz-textiles" })).items.map((e) => e.code), ["INVALID_STATE"]);
  t.same((await auditor.getRejections({ signer: "bank-b", code: "OVERDUE" })).items, []);
  t.same((await bankA.getRejections()).items.map((e) => e.code), ["OVERDUE"], "a bank's own rejections by default");
  const aimed = await exporter.getRejections({ target: receivableId });
  t.same(aimed.items.map((e) => `${e.signer}:${e.code}`), ["bank-b:DOUBLE_FINANCING", "exporter-hz-textiles:INVALID_STATE"], "attempts aimed at the exporter's receivable");
  t.same((await other.getRejections({ target: receivableId })).items, [], "not at another exporter's");
  t.match(await failure(exporter.getRejections({ signer: "bank-b" })), { status: 403 });
  t.same((await auditor.getRejections({ target: receivableId, code: "INVALID_STATE" })).items.length, 1);
  const res = await signedFetch("/v1/rejections?code=NOPE", signer("auditor"));
  t.match(await errorOf(res), { status: 400, code: "MALFORMED" });
});

t.test("pagination: every list pages with an opaque cursor and a limit", async (t) => {
  const made: string[] = [];
  for (let i = 0; i < 7; i++) made.push((await other.submit(registerPayload(invoice(`PG-${i}`, { seller: "exporter-sz-electronics", amount: "100.00" })).payload, undefined, { wait: "none" })).txHash);
  await h.settle();
  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await other.listReceivables({ limit: 3, status: "REGISTERED", ...(cursor ? { cursor } : {}) });
    t.ok(page.items.length <= 3);
    seen.push(...page.items.map((i) => i.receivable.id));
    cursor = page.cursor;
    pages++;
  } while (cursor);
  t.equal(pages, 3);
  t.same(seen.sort(), made.sort(), "every item once, none skipped");

  const first = await other.listReceivables({ limit: 2 });
  t.ok(first.cursor);
  t.match(await failure(auditor.getRejections({ cursor: first.cursor! })), { status: 400, code: "MALFORMED" }, "a cursor of another query is refused");
  t.match(await failure(other.listReceivables({ limit: 2, cursor: "x.zz" })), { status: 400 });

  const h1 = await auditor.getHistory(receivableId, { limit: 4 });
  const h2 = await auditor.getHistory(receivableId, { limit: 4, cursor: h1.cursor! });
  const h3 = await auditor.getHistory(receivableId, { limit: 4, cursor: h2.cursor! });
  t.same([h1.items.length, h2.items.length, h3.items.length, h3.cursor], [4, 4, 1, undefined]);
  const r1 = await auditor.getRejections({ limit: 1 });
  const r2 = await auditor.getRejections({ limit: 1, cursor: r1.cursor! });
  t.not(r1.items[0]!.txHash, r2.items[0]!.txHash);
  const bt = await auditor.getBlockTxs(h.chain.height - 1n, { limit: 1 });
  t.ok(bt.items.length <= 1);
  for (const limit of ["0", "1001", "abc"]) t.match(await errorOf(await signedFetch(`/v1/receivables?limit=${limit}`, signer("auditor"))), { status: 400 }, `limit=${limit}`);
});

t.test("signed reads: missing, stale, replayed, forged, unknown", async (t) => {
  const path = `/v1/receivables/${receivableId}`;
  const s = signer("exporter-hz-textiles");
  t.equal((await signedFetch(path, s)).status, 200);
  t.match(await errorOf(await fetch(url + path)), { status: 401, code: "UNAUTHENTICATED" });
  t.match(await errorOf(await signedFetch(path, s, { time: BigInt(Date.now() - 61_000) })), { status: 401, code: "UNAUTHENTICATED" }, "outside the 60 s window");
  t.match(await errorOf(await signedFetch(path, s, { time: BigInt(Date.now() + 61_000) })), { status: 401, code: "UNAUTHENTICATED" });
  t.match(await errorOf(await signedFetch(path, s, { target: "/v1/receivables" })), { status: 401, code: "BAD_SIGNATURE" }, "a signature opens one path");
  t.match(await errorOf(await signedFetch(path, s, { chainId: "another-chain" })), { status: 401, code: "BAD_SIGNATURE" }, "and one chain");
  t.match(await errorOf(await signedFetch(path, signerFromSeed("exporter-hz-textiles", randomBytes(32)))), { status: 401, code: "BAD_SIGNATURE" }, "another key");
  // An unknown party is answered like another key, word for word: party ids cannot be enumerated.
  const ghost = await errorOf(await signedFetch(path, signerFromSeed("ghost-party", randomBytes(32))));
  const forged = await errorOf(await signedFetch(path, signerFromSeed("exporter-hz-textiles", randomBytes(32))));
  t.match(ghost, { status: 401, code: "BAD_SIGNATURE" }, "an unknown party");
  t.equal(String(ghost.message).replace("ghost-party", "P"), String(forged.message).replace("exporter-hz-textiles", "P"), "the same answer as a forged signature of a real party");
  const headers = await signedReadHeaders(s, { chainId: h.chainId, time: BigInt(Date.now()), nonce: randomBytes(16), method: "GET", target: path });
  t.equal((await fetch(url + path, { headers })).status, 200);
  t.match(await errorOf(await fetch(url + path, { headers })), { status: 401, code: "UNAUTHENTICATED" }, "a replayed request is refused");
  const { [AUTH_HEADERS.nonce]: _n, ...noNonce } = headers;
  t.match(await errorOf(await fetch(url + path, { headers: noNonce })), { status: 401 });
  const q = `/v1/receivables?status=SETTLED`;
  t.equal((await signedFetch(q, signer("auditor"))).status, 200, "the query string is part of what is signed");
  t.match(await errorOf(await signedFetch(q, signer("auditor"), { target: "/v1/receivables?status=FINANCED" })), { status: 401, code: "BAD_SIGNATURE" });
});

t.test("transactions: every admission and ledger outcome has its status", async (t) => {
  const post = (body: unknown, query = "?wait=commit", headers: Record<string, string> = { "content-type": "application/json" }) =>
    fetch(`${url}/v1/txs${query}`, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
  const signed = (signerId: string, payload: Parameters<typeof buildTxBody>[0], o: { chainId?: string; seed?: Uint8Array; createdAt?: number } = {}) => {
    const s = o.seed ? signerFromSeed(signerId, o.seed) : signer(signerId);
    return signTransactionSync(s, buildTxBody(payload, { chainId: o.chainId ?? h.chainId, signer: s, ...(o.createdAt ? { createdAt: o.createdAt } : {}) }));
  };
  const anchor = () => tx.anchorDocument({ documentHash: randomBytes(32), documentType: "PACKING_LIST" });

  t.match(await errorOf(await post({ tx: "zz" })), { status: 400, code: "MALFORMED", body: { error: { details: [{ path: "body.tx" }] } } });
  t.match(await errorOf(await post({ tx: "0011" })), { status: 400, code: "MALFORMED" }, "undecodable bytes");
  t.match(await errorOf(await post({})), { status: 400 });
  t.match(await errorOf(await post("{not json")), { status: 400, code: "MALFORMED" });
  t.match(await errorOf(await post({ tx: "00" }, "", { "content-type": "text/plain" })), { status: 400 });
  t.match(await errorOf(await post({ tx: "00" }, "?wait=soon")), { status: 400 });
  t.match(await errorOf(await post({ tx: "00" }, "?colour=blue")), { status: 400, message: /unknown query parameter/ });
  t.match(await errorOf(await post({ tx: signed("exporter-hz-textiles", anchor(), { chainId: "other-chain" }).bytes.reduce((s, b) => s + b.toString(16).padStart(2, "0"), "") })), { status: 400, code: "WRONG_CHAIN" });
  t.match(await errorOf(await post({ tx: toHex(signed("exporter-hz-textiles", anchor(), { seed: randomBytes(32) }).bytes) })), { status: 401, code: "BAD_SIGNATURE" });
  // an unknown signer is answered as a bad signature: party ids cannot be enumerated (docs/security.md §1)
  t.match(await errorOf(await post({ tx: toHex(signed("ghost-party", anchor(), { seed: randomBytes(32) }).bytes) })), { status: 401, code: "BAD_SIGNATURE", message: "signature does not verify for the claimed signer" });
  t.match(await errorOf(await post({ tx: toHex(signed("exporter-hz-textiles", anchor(), { createdAt: Date.now() - 2 * 3_600_000 }).bytes) })), { status: 400, code: "TX_EXPIRED" });
  t.match(await errorOf(await post({ tx: "00".repeat(70_000) })), { status: 413, code: "TOO_LARGE" }, "a transaction above 64 KiB");
  t.match(await errorOf(await post({ tx: "00".repeat(200_000) })), { status: 413, code: "TOO_LARGE" }, "a body above the limit");

  // ledger outcomes, with the receipt in the error
  const auditorWrite = await errorOf(await post({ tx: toHex(signed("auditor", anchor()).bytes) }));
  t.match(auditorWrite, { status: 403, code: "UNAUTHORIZED", body: { error: { receipt: { code: "UNAUTHORIZED" } } } }, "an auditor never writes");
  const missing = await errorOf(await post({ tx: toHex(signed("bank-a", tx.financeReceivable({ receivableId: "cd".repeat(32), amount: 1n, currency: "USD" })).bytes) }));
  t.match(missing, { status: 404, code: "NOT_FOUND", body: { error: { receipt: { code: "NOT_FOUND", target: "cd".repeat(32) }, height: /^\d+$/ } } });

  // pending, idempotent resubmission, commit
  h.autoProduce = false;
  const pending = signed("exporter-hz-textiles", anchor());
  const p1 = await post({ tx: toHex(pending.bytes) }, "?wait=commit&timeoutMs=20");
  t.equal(p1.status, 202, "not committed within the wait");
  t.same(await p1.json(), { txHash: pending.hashHex, status: "pending" });
  const p2 = await post({ tx: toHex(pending.bytes) }, "");
  t.equal(p2.status, 202, "without wait: admitted");
  const waiting = post({ tx: toHex(pending.bytes) }, "?wait=commit&timeoutMs=30000");
  while (h.mempool.size === 0) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 20));
  h.autoProduce = true;
  await h.produce();
  const done = await waiting;
  t.equal(done.status, 200);
  t.match(await done.json(), { txHash: pending.hashHex, status: "committed", receipt: { code: "OK" } });
  const again = await post({ tx: toHex(pending.bytes) }, "");
  t.equal(again.status, 200, "resubmitting a committed transaction returns its receipt");
  t.match(await again.json(), { status: "committed", receipt: { code: "OK", txHash: pending.hashHex } });
  const rejectedAgain = await errorOf(await post({ tx: toHex(signed("auditor", anchor()).bytes) }));
  t.equal(rejectedAgain.status, 403);

  h.ready = false;
  t.match(await errorOf(await post({ tx: toHex(signed("exporter-hz-textiles", anchor()).bytes) })), { status: 503, code: "NOT_READY" });
  h.ready = true;

  t.match(await errorOf(await fetch(`${url}/v1/nothing-here`)), { status: 404, code: "NOT_FOUND" });
  const del = await fetch(`${url}/v1/status`, { method: "DELETE" });
  t.equal(del.status, 405);
  t.equal(del.headers.get("allow"), "GET");
  t.match(await errorOf(await signedFetch("/v1/receivables/not-an-id", signer("auditor"))), { status: 400, code: "MALFORMED" });
});

t.test("rate limits: a token bucket per address, per party and for failed authentications", async (t) => {
  const now = Date.now();
  const limited = await h.serve({ rateLimitPerMinute: 3, clock: () => now });
  t.teardown(() => limited.server.stop());
  for (let i = 0; i < 3; i++) t.equal((await fetch(`${limited.url}/v1/status`)).status, 200);
  const res = await fetch(`${limited.url}/v1/status`);
  t.match(await errorOf(res), { status: 429, code: "RATE_LIMITED" });
  t.equal(res.headers.get("retry-after"), "20", "one token per 20 s at 3 per minute");
  const read = async (s: Signer) => {
    const path = "/v1/parties/bank-a";
    return fetch(limited.url + path, { headers: await signedReadHeaders(s, { chainId: h.chainId, time: BigInt(now), nonce: randomBytes(16), method: "GET", target: path }) });
  };
  for (let i = 0; i < 3; i++) t.equal((await read(signer("auditor"))).status, 200, "signed reads count against the party, not the address");
  t.match(await errorOf(await read(signer("auditor"))), { status: 429 });
  t.equal((await read(signer("bank-a"))).status, 200, "another party has its own bucket");
  const forger = signerFromSeed("bank-b", randomBytes(32));
  for (let i = 0; i < 3; i++) t.equal((await read(forger)).status, 401);
  t.match(await errorOf(await read(forger)), { status: 429 }, "failed authentications are limited before verification");
});

t.test("the event stream delivers committed events by visibility and filter, and resumes", async (t) => {
  const abort = new AbortController();
  t.teardown(() => abort.abort());
  const bankStream = bankA.events({ receivable: receivableId }, { signal: abort.signal, reconnect: false });
  const otherStream = other.events({}, { signal: abort.signal, reconnect: false });
  const auditStream = auditor.events({ types: ["receivableRegistered", "txRejected"] }, { signal: abort.signal, reconnect: false });
  const nextOf = (it: AsyncIterableIterator<any>) => it.next().then((r) => r.value);
  const bankNext = nextOf(bankStream);
  const otherNext = nextOf(otherStream);
  const auditNext = nextOf(auditStream);
  await new Promise((r) => setTimeout(r, 100)); // the streams are open before the blocks below

  await exporter.submit(tx.anchorDocument({ documentHash: randomBytes(32), documentType: "PACKING_LIST", receivableId }));
  const hz = await exporter.submit(registerPayload(invoice("EV-1")).payload);
  const sz = await other.submit(registerPayload(invoice("EV-2", { seller: "exporter-sz-electronics" })).payload);

  const b = await bankNext;
  t.match(b, { type: "documentAnchored", receivableId, signer: "exporter-hz-textiles", event: { documentType: "PACKING_LIST" } }, "a bank following a receivable it looked up");
  const o = await otherNext;
  t.match(o, { type: "receivableRegistered", txHash: sz.txHash, receivableId: sz.txHash }, "another exporter's events are not delivered");
  const a1 = await auditNext;
  t.match(a1, { type: "receivableRegistered", txHash: hz.txHash });
  const a2 = await nextOf(auditStream);
  t.match(a2, { type: "receivableRegistered", txHash: sz.txHash });

  // resume after a1 with Last-Event-ID: the next registration is the first event again
  const resumed = auditor.events({ types: ["receivableRegistered"] }, { signal: abort.signal, lastEventId: a1.id, reconnect: false });
  t.match(await nextOf(resumed), { id: a2.id, txHash: sz.txHash });
  // replay from a height
  const replay = auditor.events({ types: ["receivableRegistered"] }, { signal: abort.signal, fromHeight: 1, reconnect: false });
  t.match(await nextOf(replay), { height: "1", receivableId });
  await replay.return!();

  // a rejection reaches the auditor as txRejected
  await failure(bankB.submit(tx.financeReceivable({ receivableId, amount: 1n, currency: "USD" })));
  const rej = await nextOf(auditStream);
  t.match(rej, { type: "txRejected", signer: "bank-b", rejection: { code: "INVALID_STATE", target: receivableId } });

  for (const bad of ["?type=nonsense", "?lastEventId=1:2", "?fromHeight=0&receivable=zz"]) {
    t.equal((await signedFetch(`/v1/events${bad}`, signer("auditor"))).status, 400, bad);
  }
  t.equal((await fetch(`${url}/v1/events`)).status, 401);
  await bankStream.return!();
  await otherStream.return!();
  await auditStream.return!();
  await resumed.return!();
});

t.test("stopping the server ends event streams", async (t) => {
  // The server reports its open streams (as to the metrics): stop once the stream is open, not after
  // a guess at how long opening takes (a first request on a fresh server can take a few hundred ms).
  let open = 0;
  const s = await h.serve({
    metrics: { rpcRequest: () => {}, eventStreams: (n: number) => void (open = n), txSubmitted: () => {}, sampleStatus: () => {}, exposition: async () => ({ contentType: "text/plain", text: "" }) },
  });
  const c = createClient({ url: s.url, signer: signer("auditor") });
  const it = c.events({}, { reconnect: false });
  const first = it.next();
  for (let i = 0; i < 200 && open === 0; i++) await new Promise((r) => setTimeout(r, 50));
  t.equal(open, 1, "the stream is open");
  await s.server.stop();
  t.same(await first, { done: true, value: undefined }, "the iterator ends when the node stops");
});

t.test("OpenAPI 3.1: every route is documented and every documented operation is a route", async (t) => {
  const doc = (await open.openApi()) as any;
  t.equal(doc.openapi, "3.1.0");
  const documented = new Set<string>();
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) for (const [m, op] of Object.entries(ops)) documented.add(`${m.toUpperCase()} ${path} ${op.operationId}`);
  const defined = new Set(Object.entries(routes as Record<string, RouteDef>).map(([id, r]) => `${r.method} ${openApiPath(r.path)} ${id}`));
  t.same([...documented].sort(), [...defined].sort());
  t.same(doc, openApiDocument({ version: "0.1.0" }), "served as generated");
  // every $ref resolves
  const refs: string[] = [];
  JSON.stringify(doc, (k, v) => (k === "$ref" && refs.push(v), v));
  t.ok(refs.length > 20);
  for (const ref of new Set(refs)) t.ok(doc.components.schemas[ref.replace("#/components/schemas/", "")], ref);
  // every route answers on the server (nothing documented is missing from the router)
  for (const [id, r] of Object.entries(routes as Record<string, RouteDef>)) {
    if (r.produces === "sse") continue;
    const path = r.path.replace(":hash", "ab".repeat(32)).replace(":id", r.path.includes("parties") ? "bank-a" : receivableId).replace(":height", "1").replace(":fingerprint", invoiceFingerprint);
    const res = r.access === "signed" ? await signedFetch(path, signer("auditor"), { method: r.method }) : await fetch(url + path, { method: r.method, ...(r.method === "POST" ? { headers: { "content-type": "application/json" }, body: "{}" } : {}) });
    const body = res.headers.get("content-type")?.includes("json") ? ((await res.json()) as any) : await res.text();
    t.notMatch(String(body?.error?.message ?? ""), /^no route/, `${id} is served`);
  }
});

t.test("metrics: Prometheus text with units in the names", async (t) => {
  const res = await fetch(`${url}/metrics`);
  t.equal(res.status, 200);
  t.match(res.headers.get("content-type"), /text\/plain/);
  const text = await res.text();
  for (const name of [
    `tradeledger_block_height ${h.chain.height}`,
    "tradeledger_commit_latency_seconds_bucket",
    "tradeledger_view_changes_total",
    "tradeledger_mempool_transactions 0",
    'tradeledger_peers{kind="validator"} 0',
    'tradeledger_tx_rejections_total{code="DOUBLE_FINANCING"} 1',
    'tradeledger_rpc_request_duration_seconds_bucket{le="0.001",method="GET",route="getReceivable",status="200"}',
    'tradeledger_rpc_tx_submissions_total{outcome="rejected"}',
    "tradeledger_rpc_event_streams",
  ]) {
    t.ok(text.includes(name), name);
  }
});

t.test("CORS: allowed origins get the headers a browser needs for signed reads", async (t) => {
  const pre = await fetch(`${url}/v1/receivables`, { method: "OPTIONS", headers: { origin: "http://app.example", "access-control-request-method": "GET", "access-control-request-headers": "x-tl-party" } });
  t.equal(pre.status, 204);
  t.equal(pre.headers.get("access-control-allow-origin"), "http://app.example");
  t.match(pre.headers.get("access-control-allow-headers"), /x-tl-signature/);
  const get = await fetch(`${url}/v1/status`, { headers: { origin: "http://app.example" } });
  t.equal(get.headers.get("access-control-allow-origin"), "http://app.example");
  const foreign = await fetch(`${url}/v1/status`, { headers: { origin: "http://evil.example" } });
  t.equal(foreign.headers.get("access-control-allow-origin"), null);
});
