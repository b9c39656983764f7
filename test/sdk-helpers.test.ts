// The SDK's helpers against a real node (the RPC harness): retryAfterMs on errors, waitForTx,
// submitMany with a refusal and a malformed payload, invoiceRegistration's inputs, typed events.
import t from "tap";
import { createClient, TxPendingError, type CommittedTx } from "../sdk/client.js";
import { LedgerError } from "../sdk/errors.js";
import { invoiceRegistration } from "../sdk/transactions/register-receivable.js";
import { tx } from "../sdk/builders.js";
import { fingerprintInvoice } from "../sdk/fingerprint.js";
import { toHex } from "../sdk/bytes.js";
import { hashDocument } from "../sdk/hashing/document-hash.js";
import { RpcHarness, invoice, servedHarness } from "./rpc-harness.js";

t.test("a rate-limited request carries retryAfterMs", async (t) => {
  const h = await RpcHarness.create();
  const { server, url } = await h.serve({ rateLimitPerMinute: 1 });
  t.teardown(async () => {
    await server.stop();
    await h.close();
  });
  const client = createClient({ url });
  await client.status();
  const err = await client.status().then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof LedgerError, "refused");
  const le = err as LedgerError;
  t.equal(le.code, "RATE_LIMITED");
  t.equal(le.status, 429);
  t.ok(le.retryAfterMs !== undefined && le.retryAfterMs > 0 && le.retryAfterMs <= 60_000, `retryAfterMs ${le.retryAfterMs}`);
});

t.test("retryAfterMs from the Retry-After header when the body has none", async (t) => {
  const answer = (headers: Record<string, string>) => async () => new Response("busy", { status: 503, headers });
  const seconds = await createClient({ url: "http://node.invalid", fetch: answer({ "retry-after": "3" }) }).status().catch((e: LedgerError) => e);
  t.match(seconds, { code: "NOT_READY", status: 503, retryAfterMs: 3000 });
  const clock = Date.parse("2026-12-05T12:00:00Z");
  const date = await createClient({ url: "http://node.invalid", clock: () => clock, fetch: answer({ "retry-after": "Sat, 05 Dec 2026 12:00:10 GMT" }) })
    .status()
    .catch((e: LedgerError) => e);
  t.match(date, { code: "NOT_READY", retryAfterMs: 10_000 }, "an HTTP date, from the client's clock");
  const none = await createClient({ url: "http://node.invalid", fetch: answer({}) }).status().catch((e: LedgerError) => e);
  t.equal((none as LedgerError).retryAfterMs, undefined, "no hint, no figure");
});

t.test("waitForTx: the receipt once committed, accepted or refused; TxPendingError for one never sent", async (t) => {
  const { h, as } = await servedHarness(t);
  const exporter = as("exporter-hz-textiles");
  const { payload } = invoiceRegistration(invoice("WAIT-1"));
  const pending = await exporter.submit(payload, undefined, { wait: "none" });
  const done: CommittedTx = await exporter.waitForTx(pending.txHash);
  t.match(done, { txHash: pending.txHash, ok: true, code: "OK" });
  t.equal(done.receipt.target, pending.txHash, "a registration's target is its own hash");
  t.ok(BigInt(done.height) >= 1n);
  // the same invoice again, fresh salts: committed, refused by its fingerprint
  const again = await exporter.submit(invoiceRegistration(invoice("WAIT-1")).payload, undefined, { wait: "none" });
  t.match(await exporter.waitForTx(again.txHash), { ok: false, code: "DUPLICATE_RECEIVABLE" });
  const never = await exporter.waitForTx("ab".repeat(32), { timeoutMs: 300, pollMs: 50 }).catch((e: unknown) => e);
  t.ok(never instanceof TxPendingError, "not committed within the wait");
  void h;
});

t.test("submitMany: one entry per payload, in order, never throwing for one", async (t) => {
  const { as } = await servedHarness(t);
  const exporter = as("exporter-hz-textiles");
  const doc = invoice("MANY-1");
  const good = invoiceRegistration(doc).payload;
  const dup = invoiceRegistration(doc).payload;
  const malformed = { ...invoiceRegistration(invoice("MANY-2")).payload, currency: "usd" };
  const out = await exporter.submitMany([good, malformed, dup]);
  t.equal(out.length, 3);
  t.match(out[0], { ok: true, code: "OK" });
  t.ok(out[1] instanceof LedgerError && out[1].code === "MALFORMED", "the malformed one is refused before signing");
  t.match(out[2], { ok: false, code: "DUPLICATE_RECEIVABLE" }, "the refusal is a receipt");
  const heights = [out[0], out[2]].map((r) => BigInt((r as CommittedTx).height));
  t.ok(heights[0]! <= heights[1]!, "admitted in the order given");
  const pending = await exporter.submitMany([invoiceRegistration(invoice("MANY-3")).payload], undefined, { wait: "none" });
  t.match(pending, [{ status: "pending" }]);
});

t.test("invoiceRegistration: the values a hand-built registration would anchor; bad invoices named", async (t) => {
  const doc = invoice("REG-1");
  const salts = hashDocument(doc).salts;
  const r = invoiceRegistration(doc, { salts });
  const fingerprint = fingerprintInvoice({ sellerId: doc.seller.partyId, buyerId: doc.buyer.identifier, invoiceNumber: doc.invoiceNumber, currency: doc.currency });
  t.same(r.payload, tx.registerReceivable({ documentHash: hashDocument(doc, { salts }).root, fingerprint, buyerId: doc.buyer.identifier, amount: r.payload.amount, currency: doc.currency, issueDate: doc.issueDate, dueDate: doc.dueDate }));
  t.equal(toHex(r.fingerprint), toHex(fingerprint));
  t.equal(typeof r.payload.amount, "bigint");
  t.throws(() => invoiceRegistration({ ...doc, totalAmount: "1.234" }), { code: "MALFORMED", field: "totalAmount" }, "USD has 2 decimals");
  t.throws(() => invoiceRegistration({ ...doc, seller: {} }), { code: "MALFORMED", field: "seller.partyId" });
  t.throws(() => invoiceRegistration([doc]), { code: "MALFORMED", field: "document" });
});

t.test("typed events: only the types asked for, each with its own payload", async (t) => {
  const { as } = await servedHarness(t);
  const exporter = as("exporter-hz-textiles");
  const abort = new AbortController();
  t.teardown(() => abort.abort());
  const stream = exporter.events({ types: ["receivableRegistered"] }, { signal: abort.signal });
  const first = stream.next();
  await new Promise((r) => setTimeout(r, 200));
  const r = await exporter.registerInvoice(invoice("EVT-1"));
  const e = (await first).value!;
  t.equal(e.type, "receivableRegistered");
  // compiles only because `event` is typed by the filter's type: a receivableRegistered payload
  const amount: string | undefined = e.event?.amount;
  t.equal(e.event?.receivableId, r.receivableId);
  t.ok(amount && BigInt(amount) > 0n);
  await stream.return?.();
});
