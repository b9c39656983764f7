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

t.test("OpenAPI names: a schema derived from a named one has its own shape, not a reference to its parent", async (t) => {
  const { openApiDocument } = await import("../sdk/api/openapi.js");
  const doc = openApiDocument({ version: "0.1.0" }) as { components: { schemas: Record<string, any> } };
  const s = doc.components.schemas;
  t.ok(s.HistoryEntry?.properties?.event && s.HistoryEntry?.properties?.txHash, "HistoryEntry extends TxEntry with its event");
  t.ok(s.Transaction?.properties?.proof?.properties?.header, "a transaction's proof is an InclusionProof with the header");
  t.equal(s.AsOf?.description?.startsWith("the head block"), true, "a named schema keeps its description");
  t.equal(s.CurrencyAmounts?.description, "amounts by ISO 4217 currency");
});

t.test("TxType: the clients read any type name (a node newer than the SDK); the OpenAPI document lists this version's", async (t) => {
  const { openApiDocument } = await import("../sdk/api/openapi.js");
  const { TX_TYPES } = await import("../sdk/transactions/index.js");
  const { TxEntryView } = await import("../sdk/api/views/core.js");
  const { TxTypeSchema } = await import("../sdk/api/tx-payloads.js");
  const doc = openApiDocument({ version: "0.1.0" }) as { components: { schemas: Record<string, any> } };
  t.same(doc.components.schemas.TxType, { type: "string", enum: [...TX_TYPES] }, "one TxType schema with every type");
  t.ok(JSON.stringify(doc.components.schemas.TxEntry).includes('"#/components/schemas/TxType"'), "entries refer to it");
  t.equal(TxTypeSchema.safeParse("aTypeAddedLater").success, true, "a type this SDK does not know still parses");
  t.equal(TxTypeSchema.safeParse(7).success, false, "a type is a string");
  t.ok(TxEntryView, "TxEntry view exported");
});

t.test("a call that knows its type checks the body with that type's format alone (registerInvoice)", async (t) => {
  const { checkTxBodyWith, checkTxBody } = await import("../sdk/validate.js");
  const { registerReceivableTx } = await import("../sdk/transactions/register-receivable.js");
  const { signCheckedTransaction, signerFromSeed } = await import("../sdk/signer.js");
  const { unsignedTxBody } = await import("../sdk/tx.js");
  const signer = signerFromSeed("exporter-a", "11".repeat(32));
  const { payload } = invoiceRegistration(invoice("TYPED-1"));
  const body = unsignedTxBody(payload, { chainId: "tl-test", signer, createdAt: 1_700_000_000_000 });
  const only = (b: typeof body) => checkTxBodyWith(b, (p) => (p.type === "registerReceivable" ? registerReceivableTx.check(p) : { field: "type", message: "expected registerReceivable" }));
  t.equal(only(body), undefined, "well-formed");
  t.same(only(body), checkTxBody(body), "the same verdict as the check of any type");
  const bad = { ...body, payload: { ...payload, amount: 0n } };
  t.same(only(bad), checkTxBody(bad), "the same issue, named the same way");
  t.match(only(bad), { field: "payload.amount" });
  t.same(only({ ...body, payload: null as never }), { field: "payload", message: "missing" });
  t.same(only({ ...body, chainId: "X" }), checkTxBody({ ...body, chainId: "X" }), "envelope fields first");
  await t.rejects(signCheckedTransaction(signer, bad, only), { code: "MALFORMED", field: "payload.amount" }, "never signed");
  const signed = await signCheckedTransaction(signer, body, only);
  const { signTransaction } = await import("../sdk/signer.js");
  t.equal(signed.hashHex, (await signTransaction(signer, body)).hashHex, "the same transaction as signTransaction's");
});

