// The SDK side of the ledger: payload builders (validated with the ledger's own checks), transaction
// bodies, signers (noble by default, byte-identical with the node's crypto) and the calendar-date
// arithmetic both sides share.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import t from "tap";
import { nodeCrypto } from "../node/crypto.js";
import { buildTxBody, tx } from "../sdk/builders.js";
import { toHex } from "../sdk/bytes.js";
import { nobleCrypto } from "../sdk/crypto.js";
import { LedgerError } from "../sdk/errors.js";
import { generateSigner, signerFromSeed, signTransaction, signTransactionSync } from "../sdk/signer.js";
import { decodeTx, verifyTxSignature } from "../sdk/tx.js";
import { checkPayload, dayNumber, isCalendarDate, MalformedError, txBodyFormatError, utcDayOf } from "../sdk/validate.js";
import { CHAIN_ID, T0, TestChain, h32, makeParty, pk32 } from "./ledger-harness.js";

const HASH = toHex(h32("doc"));
const PUBLIC_KEY = toHex(pk32("x"));
const invoice = {
  documentHash: HASH,
  fingerprint: h32("fp"),
  buyerId: "DE-HRB-204871",
  amount: "152500",
  currency: "USD",
  issueDate: "2026-10-02",
  dueDate: "2026-12-31",
};

function malformed(fn: () => unknown): MalformedError {
  try {
    fn();
  } catch (err) {
    if (err instanceof MalformedError) return err;
    throw err;
  }
  throw new Error("expected a MalformedError");
}

async function malformedAsync(fn: () => Promise<unknown>): Promise<MalformedError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof MalformedError) return err;
    throw err;
  }
  throw new Error("expected a MalformedError");
}

t.test("builders accept amounts as bigint or decimal strings and hashes as bytes or hex", async (t) => {
  const p = tx.registerReceivable(invoice);
  t.equal(p.type, "registerReceivable");
  t.equal(p.amount, 152_500n);
  t.same(p.documentHash, h32("doc"));
  t.same(tx.registerReceivable({ ...invoice, amount: 152_500n, documentHash: HASH.toUpperCase() }), p);
  t.equal(tx.financeReceivable({ receivableId: HASH, amount: "18446744073709551615", currency: "USD" }).amount, 2n ** 64n - 1n);
  const bytes = h32("doc");
  const q = tx.registerReceivable({ ...invoice, documentHash: bytes });
  bytes[0]! ^= 1;
  t.same(q.documentHash, h32("doc"), "the payload holds a copy of the caller's bytes");
  t.same(tx.cancelReceivable({ receivableId: HASH }), { type: "cancelReceivable", receivableId: HASH, reason: "" });
  t.same(tx.anchorDocument({ documentHash: HASH, documentType: "PACKING_LIST" }), {
    type: "anchorDocument",
    documentHash: h32("doc"),
    documentType: "PACKING_LIST",
    receivableId: "",
    billOfLadingFingerprint: new Uint8Array(0),
  });
  t.equal(tx.registerParty({ id: "exporter-x", role: "ENTERPRISE", name: "X", country: "CN", publicKey: PUBLIC_KEY }).lei, "");
  t.same(tx.recordRepayment({ receivableId: HASH, financingId: HASH, amount: 5n }).amount, 5n);
  t.same(tx.attestShipment({ declarationFingerprint: HASH, declarationHash: HASH, exporterId: "exporter-x", declaredValue: "10", currency: "USD", exportDate: "2026-10-05", receivableIds: [HASH] }).declaredValue, 10n);
});

t.test("builders throw a MALFORMED LedgerError naming the bad field", async (t) => {
  const cases: [string, () => unknown][] = [
    ["amount", () => tx.registerReceivable({ ...invoice, amount: "1525.00" })],
    ["amount", () => tx.registerReceivable({ ...invoice, amount: "-1" })],
    ["amount", () => tx.registerReceivable({ ...invoice, amount: "1e3" })],
    ["amount", () => tx.registerReceivable({ ...invoice, amount: "007" })],
    ["amount", () => tx.registerReceivable({ ...invoice, amount: "0" })],
    ["amount", () => tx.registerReceivable({ ...invoice, amount: 12 as unknown as bigint })],
    ["amount", () => tx.financeReceivable({ receivableId: HASH, amount: "18446744073709551616", currency: "USD" })],
    ["documentHash", () => tx.registerReceivable({ ...invoice, documentHash: "abc" })],
    ["documentHash", () => tx.registerReceivable({ ...invoice, documentHash: "0x" + HASH })],
    ["documentHash", () => tx.registerReceivable({ ...invoice, documentHash: HASH.slice(2) })],
    ["currency", () => tx.registerReceivable({ ...invoice, currency: "US$" })],
    ["issueDate", () => tx.registerReceivable({ ...invoice, issueDate: "2026-13-01" })],
    ["dueDate", () => tx.registerReceivable({ ...invoice, dueDate: "2026-09-30" })],
    ["buyerId", () => tx.registerReceivable({ ...invoice, buyerId: "" })],
    ["buyerId", () => tx.registerReceivable({ ...invoice, buyerId: "b".repeat(129) })],
    ["receivableIds", () => tx.attestShipment({ declarationFingerprint: HASH, declarationHash: HASH, exporterId: "e-1", declaredValue: 1n, currency: "USD", exportDate: "2026-10-05", receivableIds: [] })],
    ["exporterId", () => tx.attestShipment({ declarationFingerprint: HASH, declarationHash: HASH, exporterId: "E", declaredValue: 1n, currency: "USD", exportDate: "2026-10-05", receivableIds: [HASH] })],
    ["receivableId", () => tx.financeReceivable({ receivableId: "r-1", amount: 1n, currency: "USD" })],
    ["role", () => tx.registerParty({ id: "exporter-x", role: "ADMIN" as never, name: "X", country: "CN", publicKey: PUBLIC_KEY })],
    ["lei", () => tx.registerParty({ id: "exporter-x", role: "ENTERPRISE", name: "X", country: "CN", publicKey: PUBLIC_KEY, lei: "lei" })],
    ["name", () => tx.registerParty({ id: "exporter-x", role: "ENTERPRISE", name: "a\nb", country: "CN", publicKey: PUBLIC_KEY })],
    ["documentType", () => tx.anchorDocument({ documentHash: HASH, documentType: "INVOICE" })],
    ["billOfLadingFingerprint", () => tx.anchorDocument({ documentHash: HASH, documentType: "PACKING_LIST", billOfLadingFingerprint: HASH })],
    ["reason", () => tx.cancelReceivable({ receivableId: HASH, reason: "x".repeat(501) })],
  ];
  for (const [field, fn] of cases) {
    const err = malformed(fn);
    t.ok(err instanceof LedgerError, `${field} is a LedgerError`);
    t.equal(err.code, "MALFORMED");
    t.equal(err.field, field, err.message);
    t.match(err.message, new RegExp(`^${field}: `));
  }
  // the name cap counts characters (code points), not UTF-16 units
  t.doesNotThrow(() => tx.registerParty({ id: "exporter-x", role: "ENTERPRISE", name: "😀".repeat(200), country: "CN", publicKey: PUBLIC_KEY }));
});

t.test("buildTxBody validates the envelope and fills in nonce and time", async (t) => {
  const payload = tx.registerReceivable(invoice);
  const signer = signerFromSeed("exporter-a", h32("seed"));
  const body = buildTxBody(payload, { chainId: CHAIN_ID, signer });
  t.equal(body.signer, "exporter-a");
  t.equal(body.nonce.length, 16);
  t.type(body.createdAt, "bigint");
  t.not(toHex(buildTxBody(payload, { chainId: CHAIN_ID, signer }).nonce), toHex(body.nonce), "fresh nonce each time");
  const fixed = buildTxBody(payload, { chainId: CHAIN_ID, signer: "exporter-a", createdAt: 1_790_000_000_000, nonce: "00".repeat(16) });
  t.equal(fixed.createdAt, 1_790_000_000_000n);
  t.equal(malformed(() => buildTxBody(payload, { chainId: "Bad Chain", signer })).field, "chainId");
  t.equal(malformed(() => buildTxBody(payload, { chainId: CHAIN_ID, signer: "X" })).field, "signer");
  t.equal(malformed(() => buildTxBody(payload, { chainId: CHAIN_ID, signer, nonce: "00" })).field, "nonce");
  t.equal(malformed(() => buildTxBody(payload, { chainId: CHAIN_ID, signer, createdAt: 1.5 })).field, "createdAt");
  t.equal(malformed(() => buildTxBody({ ...payload, amount: 0n }, { chainId: CHAIN_ID, signer })).field, "payload.amount");
  t.equal(txBodyFormatError(fixed), null);
  t.equal(txBodyFormatError({ ...fixed, nonce: new Uint8Array(4) }), "nonce: must be 16 bytes, got 4");
  t.match(checkPayload({ type: "mint" } as never), { field: "payload.type" });
  t.match(checkPayload({ type: "toString" } as never), { field: "payload.type" });
});

t.test("signers: deterministic from a seed, identical keys and signatures with node:crypto, seed not exposed", async (t) => {
  const seed = h32("seed");
  const a = signerFromSeed("exporter-a", toHex(seed));
  const b = signerFromSeed("exporter-a", seed, nodeCrypto);
  t.same(a.publicKey, nodeCrypto.publicKeyFromSeed(seed));
  t.same(a.publicKey, b.publicKey);
  const msg = new TextEncoder().encode("hello");
  t.same(await a.sign(msg), await b.sign(msg), "RFC 8032 signatures are deterministic");
  t.same(await a.sign(msg), a.signSync(msg), "the asynchronous and synchronous paths of a key in memory agree");
  t.ok(nodeCrypto.verify(a.publicKey, msg, await a.sign(msg)));
  t.notMatch(JSON.stringify(a), toHex(seed), "serialising a signer does not leak its seed");
  t.ok(Object.isFrozen(a));
  const g = generateSigner("bank-x");
  t.same(signerFromSeed("bank-x", g.exportSeedHex()).publicKey, g.publicKey);
  t.not(generateSigner("bank-x").exportSeedHex(), g.exportSeedHex());
  t.equal(malformed(() => signerFromSeed("exporter-a", "zz")).field, "seed");
  t.equal(malformed(() => signerFromSeed("exporter-a", new Uint8Array(31))).field, "seed");
  t.equal(malformed(() => signerFromSeed("Exporter A", seed)).field, "partyId");
});

t.test("signTransaction produces wire bytes the node decodes and verifies, and the ledger accepts", async (t) => {
  const exporter = makeParty("exporter-a", "ENTERPRISE");
  const chain = new TestChain([makeParty("bank-a", "BANK"), exporter]);
  const signer = signerFromSeed("exporter-a", exporter.seed); // noble, as in a browser
  const body = buildTxBody(tx.registerReceivable(invoice), { chainId: CHAIN_ID, signer, createdAt: T0 });
  const signed = await signTransaction(signer, body);
  const received = decodeTx(nodeCrypto, signed.bytes);
  t.equal(received.hashHex, signed.hashHex);
  t.same(received.body, body);
  t.ok(verifyTxSignature(nodeCrypto, signer.publicKey, received));
  t.ok(verifyTxSignature(nobleCrypto, signer.publicKey, received));
  t.same((await signTransaction(signerFromSeed("exporter-a", exporter.seed, nodeCrypto), body, nodeCrypto)).bytes, signed.bytes, "node and noble sign identically");
  t.same(signTransactionSync(signer, body).bytes, signed.bytes, "signTransactionSync gives the same bytes");
  const receipt = chain.run(received);
  t.equal(receipt.code, "OK", receipt.message);
  t.equal(receipt.target, signed.hashHex);
  t.equal((await malformedAsync(() => signTransaction(signerFromSeed("exporter-b", exporter.seed), body))).field, "signer");
  t.equal((await malformedAsync(() => signTransaction(signer, { ...body, payload: { ...body.payload, currency: "usd" } as never }))).field, "payload.currency");
  t.equal(malformed(() => signTransactionSync(signer, { ...body, payload: { ...body.payload, currency: "usd" } as never })).field, "payload.currency");
  // a remote signer (an HSM, a KMS) is any object with an asynchronous sign
  let asked = 0;
  const remote = { partyId: "exporter-a", publicKey: signer.publicKey, sign: async (m: Uint8Array) => (asked++, await new Promise((r) => setTimeout(r, 5)), signer.signSync(m)) };
  t.same((await signTransaction(remote, body)).bytes, signed.bytes, "an asynchronous signer gives the same transaction");
  t.equal(asked, 1);
  await t.rejects(signTransaction({ ...remote, sign: async () => new Uint8Array(10) }, body), TypeError, "a signer returning no 64-byte signature is refused");
  t.equal((await malformedAsync(() => signTransaction(remote, { ...body, signer: "exporter-b" }))).field, "signer");
  t.equal(asked, 1, "a malformed body never reaches the signer");
});

t.test("calendar dates: real dates only, day numbers by integer arithmetic", async (t) => {
  for (const d of ["2024-02-29", "2000-02-29", "2026-12-31", "0001-01-01", "9999-12-31", "1970-01-01"]) t.ok(isCalendarDate(d), d);
  for (const d of ["2025-02-29", "1900-02-29", "2026-04-31", "2026-00-10", "2026-1-01", "0000-01-01", "20260101", " 2026-01-01", "2026-01-01T00:00", 20260101]) {
    t.notOk(isCalendarDate(d), String(d));
  }
  t.equal(dayNumber("1970-01-01"), 0n);
  t.equal(dayNumber("1969-12-31"), -1n);
  t.equal(dayNumber("2000-03-01"), 11_017n);
  t.equal(dayNumber("2026-10-01"), T0 / 86_400_000n);
  // agrees with Date.UTC over a wide range
  for (let y = 1; y <= 9999; y += 37) {
    for (const [m, d] of [[1, 1], [2, 28], [3, 1], [12, 31]] as const) {
      const iso = `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
      const date = new Date(0);
      date.setUTCFullYear(y, m - 1, d);
      date.setUTCHours(0, 0, 0, 0);
      if (dayNumber(iso) !== BigInt(date.getTime() / 86_400_000)) t.fail(iso);
    }
  }
  t.equal(utcDayOf(0n), 0n);
  t.equal(utcDayOf(86_399_999n), 0n);
  t.equal(utcDayOf(86_400_000n), 1n);
  t.equal(utcDayOf(-1n), -1n);
  t.throws(() => dayNumber("2026-02-30"), RangeError);
});

t.test("the SDK's ledger modules stay browser-safe (no node:* imports)", async (t) => {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = readFileSync(join(root, file), "utf8");
    t.notMatch(src, /from\s+["']node:|require\(|from\s+["'](fs|path|crypto|os)["']/, `${file} imports nothing node-only`);
    for (const m of src.matchAll(/from\s+["'](\.[^"']+)\.js["']/g)) {
      const next = join(dirname(file), `${m[1]}.ts`);
      if (next.startsWith("sdk/")) visit(next);
    }
  };
  for (const f of ["sdk/validate.ts", "sdk/builders.ts", "sdk/signer.ts"]) visit(f);
  t.ok(seen.size >= 6);
});
