// The ledger's rules (docs/ledger.md), one test per rule and per rejection code. Each test drives the
// state machine through transactions built and signed with the SDK, exactly as a client would.
import t from "tap";
import { nodeCrypto } from "../node/crypto.js";
import {
  accessKeys,
  applyTx,
  executeBlock,
  genesisWrites,
  LedgerInvariantError,
  MAX_FINANCINGS_PER_RECEIVABLE,
  MAX_RECEIVABLES_PER_DECLARATION,
  takesTxHash,
  type BlockContext,
} from "../node/ledger/execute.js";
import { decodeReceipt, decodeReceivable, encodeReceipt, encodeReceivable } from "../node/ledger/records.js";
import { isOverdue, liveFinanced } from "../sdk/domain.js";
import { KEY, MemoryState, Overlay } from "../node/ledger/state.js";
import { tx } from "../sdk/builders.js";
import { toHex } from "../sdk/bytes.js";
import { SUPERVISION_KEY } from "../node/ledger/supervision.js";
import { RESULT_CODES, type Receipt, type ResultCode } from "../sdk/types.js";
import { type TxPayload } from "../sdk/transactions/index.js";
import { CHAIN_ID, DAY, T0, TestChain, codes, guardedReader, h32, invoiceFingerprint, makeParty, pk32, prefetchKeys, stateHash } from "./ledger-harness.js";

const BUYER = "DE-HRB-204871";

/** The assertions the helpers below use (any tap Test). */
interface Asserts {
  equal(found: unknown, wanted: unknown, message: string): boolean;
}

let documentCounter = 0;

function newChain(opts: ConstructorParameters<typeof TestChain>[1] = {}): TestChain {
  return new TestChain(
    [
      makeParty("bank-a", "BANK", "DE"),
      makeParty("bank-b", "BANK", "CN"),
      makeParty("customs", "CUSTOMS"),
      makeParty("customs-2", "CUSTOMS"),
      makeParty("exporter-a", "ENTERPRISE"),
      makeParty("exporter-b", "ENTERPRISE"),
      makeParty("auditor", "AUDITOR"),
    ],
    opts,
  );
}

interface InvoiceOpts {
  label?: string;
  number?: string;
  seller?: string;
  amount?: bigint;
  currency?: string;
  issueDate?: string;
  dueDate?: string;
  documentHash?: Uint8Array;
}

function invoice(exporterId: string, o: InvoiceOpts = {}) {
  const number = o.number ?? `INV-${o.label ?? "001"}`;
  const currency = o.currency ?? "USD";
  return tx.registerReceivable({
    documentHash: o.documentHash ?? h32(`invoice/${exporterId}/${o.label ?? number}/${documentCounter++}`),
    fingerprint: invoiceFingerprint(o.seller ?? exporterId, BUYER, number, currency),
    buyerId: BUYER,
    amount: o.amount ?? 100_000n,
    currency,
    issueDate: o.issueDate ?? "2026-10-02",
    dueDate: o.dueDate ?? "2026-12-31",
  });
}

function expectOk(t: Asserts, r: Receipt, what?: string): Receipt {
  t.equal(r.code, "OK", what ? `${what}: ${r.message}` : r.message);
  return r;
}

/** Registers an invoice for `exporterId`; returns the receivable id. */
function register(t: Asserts, c: TestChain, exporterId: string, o: InvoiceOpts = {}): string {
  const r = expectOk(t, c.submit(exporterId, invoice(exporterId, o)));
  return r.target;
}

interface DeclOpts {
  label?: string;
  value?: bigint;
  currency?: string;
  exportDate?: string;
  hash?: Uint8Array;
}

function declaration(exporterId: string, receivableIds: string[], o: DeclOpts = {}) {
  const label = o.label ?? "decl-1";
  return tx.attestShipment({
    declarationFingerprint: h32(`declfp/${label}`),
    declarationHash: o.hash ?? h32(`declhash/${label}`),
    exporterId,
    declaredValue: o.value ?? 1_000_000n,
    currency: o.currency ?? "USD",
    exportDate: o.exportDate ?? "2026-10-05",
    receivableIds,
  });
}

/** Registers and attests an invoice; returns the receivable id. */
function attested(t: Asserts, c: TestChain, exporterId: string, o: InvoiceOpts & { decl?: DeclOpts } = {}): string {
  const id = register(t, c, exporterId, o);
  expectOk(t, c.submit("customs", declaration(exporterId, [id], { label: `decl-${id}`, ...o.decl })));
  return id;
}

const finance = (receivableId: string, amount: bigint, currency = "USD") => tx.financeReceivable({ receivableId, amount, currency });
const repay = (receivableId: string, financingId: string, amount: bigint) => tx.recordRepayment({ receivableId, financingId, amount });
const cancel = (receivableId: string) => tx.cancelReceivable({ receivableId, reason: "wrong buyer" });

// ---------------------------------------------------------------------------------------------
// Envelope

t.test("envelope: WRONG_CHAIN, UNKNOWN_SIGNER, BAD_SIGNATURE", async (t) => {
  const c = newChain();
  t.equal(c.run(c.sign("exporter-a", invoice("exporter-a"), { chainId: "other-chain" })).code, "WRONG_CHAIN");

  const stranger = c.offChainParty("exporter-x");
  const r = c.run(c.sign(stranger.id, invoice(stranger.id)));
  t.equal(r.code, "UNKNOWN_SIGNER");

  // forged: a valid envelope signed with a key that is not the signer's
  const good = c.sign("exporter-a", invoice("exporter-a", { label: "forged" }));
  const forgedSig = nodeCrypto.sign(c.party("exporter-b").seed, Uint8Array.from([...new TextEncoder().encode("tradeledger/tx/v1\u0000"), ...good.bodyBytes]));
  t.equal(c.run({ ...good, signature: forgedSig }).code, "BAD_SIGNATURE");
  const flipped = Uint8Array.from(good.signature);
  flipped[10]! ^= 1;
  t.equal(c.run({ ...good, signature: flipped }).code, "BAD_SIGNATURE");
  t.equal(c.run({ ...good, signature: new Uint8Array(3) }).code, "BAD_SIGNATURE");
  // the forged copies did not take the hash: the genuine transaction still goes through
  t.equal(c.run(good).code, "OK");
});

t.test("a forged copy ahead of the genuine transaction in one block does not block it", async (t) => {
  const c = newChain();
  const good = c.sign("exporter-a", invoice("exporter-a"));
  const forged = { ...good, signature: new Uint8Array(64) };
  t.same(codes(c.block([forged, good]).receipts), ["BAD_SIGNATURE", "OK"]);
  t.notOk(takesTxHash("BAD_SIGNATURE"));
  t.ok(takesTxHash("DOUBLE_FINANCING"));
});

t.test("envelope: TX_EXPIRED bounds createdAt against the block time, not the local clock", async (t) => {
  const c = newChain({ params: { txMaxAgeMs: 60_000n, txMaxFutureMs: 5_000n } });
  const at = c.time;
  t.equal(c.run(c.sign("exporter-a", invoice("exporter-a", { label: "a" }), { createdAt: at - 60_001n })).code, "TX_EXPIRED");
  t.equal(c.run(c.sign("exporter-a", invoice("exporter-a", { label: "b" }), { createdAt: c.time + 5_001n })).code, "TX_EXPIRED");
  t.equal(c.run(c.sign("exporter-a", invoice("exporter-a", { label: "c" }), { createdAt: c.time - 60_000n })).code, "OK");
  t.equal(c.run(c.sign("exporter-a", invoice("exporter-a", { label: "d" }), { createdAt: c.time + 5_000n })).code, "OK");
  // the same signed transaction is fresh in one block and expired in a block an hour later
  const d = newChain();
  const late = d.sign("exporter-a", invoice("exporter-a"), { createdAt: d.time });
  t.equal(d.block([late], d.time + 3_600_001n).receipts[0]!.code, "TX_EXPIRED");
  const e = newChain();
  t.equal(e.block([late], e.time + 3_600_000n).receipts[0]!.code, "OK");
  // default future bound is 5 minutes
  const f = newChain();
  t.equal(f.run(f.sign("exporter-a", invoice("exporter-a"), { createdAt: f.time + 300_001n })).code, "TX_EXPIRED");
});

t.test("each hash has one taker: expired copies never take it, a too-early transaction passes when its time comes", async (t) => {
  const c = newChain();
  const early = c.sign("exporter-a", invoice("exporter-a"), { createdAt: c.time + 300_001n });
  const rs = c.block([early, early]).receipts;
  t.same(codes(rs), ["TX_EXPIRED", "TX_EXPIRED"]);
  t.notOk(takesTxHash("TX_EXPIRED"));
  t.equal(c.block([early], c.time + 1n).receipts[0]!.code, "OK", "fresh now: its hash was not taken by the rejected copies");
  t.equal(c.run(early).code, "DUPLICATE_TX");
  const old = c.sign("exporter-a", invoice("exporter-a", { label: "old" }), { createdAt: c.time - 3_600_001n });
  t.same(codes(c.block([old, old]).receipts), ["TX_EXPIRED", "TX_EXPIRED"]);
  t.equal(c.run(old).code, "TX_EXPIRED", "expired stays expired and never takes the hash");
});

t.test("envelope: DUPLICATE_TX within a block and across blocks, including a rejected transaction", async (t) => {
  const c = newChain();
  const reg = c.sign("exporter-a", invoice("exporter-a"));
  t.same(codes(c.block([reg, reg]).receipts), ["OK", "DUPLICATE_TX"]);
  t.equal(c.run(reg).code, "DUPLICATE_TX");
  const id = reg.hashHex;
  // a rejected financing is ordered evidence: replaying it later (once it would pass) is still refused
  const early = c.sign("bank-a", finance(id, 1n));
  t.equal(c.run(early).code, "NOT_ATTESTED");
  expectOk(t, c.submit("customs", declaration("exporter-a", [id])));
  t.equal(c.run(early).code, "DUPLICATE_TX");
  // the same payload with a fresh nonce is a new transaction
  t.equal(c.submit("bank-a", finance(id, 1n)).code, "OK");
});

t.test("envelope checks run in the documented order", async (t) => {
  const c = newChain();
  const stranger = c.offChainParty("exporter-x");
  // wrong chain beats unknown signer
  t.equal(c.run(c.sign(stranger.id, invoice(stranger.id), { chainId: "other-chain" })).code, "WRONG_CHAIN");
  // unknown signer beats expiry
  t.equal(c.run(c.sign(stranger.id, invoice(stranger.id), { createdAt: 0n })).code, "UNKNOWN_SIGNER");
  // bad signature beats expiry
  const old = c.sign("exporter-a", invoice("exporter-a"), { createdAt: 0n });
  t.equal(c.run({ ...old, signature: new Uint8Array(64) }).code, "BAD_SIGNATURE");
  // expiry beats duplicate
  const reg = c.sign("exporter-a", invoice("exporter-a", { label: "dup" }));
  expectOk(t, c.run(reg));
  t.equal(c.block([reg], c.time + 2n * 3_600_000n).receipts[0]!.code, "TX_EXPIRED");
  // duplicate beats malformed; malformed beats unauthorized
  const bad = c.signRaw("auditor", { ...finance("ab".repeat(32), 1n), amount: 0n });
  t.equal(c.run(bad).code, "MALFORMED");
  t.equal(c.run(bad).code, "DUPLICATE_TX");
  // unauthorized beats the domain rules (receivable does not exist: would be NOT_FOUND)
  t.equal(c.submit("auditor", finance("ab".repeat(32), 1n)).code, "UNAUTHORIZED");
});

t.test("MALFORMED: payload formats are checked in consensus with the SDK's own checks", async (t) => {
  const c = newChain();
  const id = register(t, c, "exporter-a");
  const good = invoice("exporter-a", { label: "m" });
  const cases: [string, string, TxPayload][] = [
    ["bank-a", "party id", { ...tx.registerParty({ id: "ok-id", role: "ENTERPRISE", name: "X", country: "CN", publicKey: pk32("k") }), id: "Bad_Id" }],
    ["bank-a", "country", { ...tx.registerParty({ id: "ok-id", role: "ENTERPRISE", name: "X", country: "CN", publicKey: pk32("k") }), country: "cn" }],
    ["bank-a", "name too long", { ...tx.registerParty({ id: "ok-id", role: "ENTERPRISE", name: "X", country: "CN", publicKey: pk32("k") }), name: "x".repeat(201) }],
    ["bank-a", "public key length", { ...tx.registerParty({ id: "ok-id", role: "ENTERPRISE", name: "X", country: "CN", publicKey: pk32("k") }), publicKey: new Uint8Array(31) }],
    // the identity point: of small order, it would verify forged signatures
    ["bank-a", "small-order public key", { ...tx.registerParty({ id: "ok-id", role: "ENTERPRISE", name: "X", country: "CN", publicKey: pk32("k") }), publicKey: Uint8Array.of(1, ...new Uint8Array(31)) }],
    ["bank-a", "role", { ...tx.registerParty({ id: "ok-id", role: "ENTERPRISE", name: "X", country: "CN", publicKey: pk32("k") }), role: "ROLE_UNSPECIFIED" as never }],
    ["exporter-a", "currency", { ...good, currency: "usd" }],
    ["exporter-a", "date", { ...good, issueDate: "2026-02-30" }],
    ["exporter-a", "due before issue", { ...good, issueDate: "2026-10-02", dueDate: "2026-10-01" }],
    ["exporter-a", "hash length", { ...good, documentHash: new Uint8Array(31) }],
    ["exporter-a", "fingerprint length", { ...good, fingerprint: new Uint8Array(33) }],
    ["exporter-a", "zero amount", { ...good, amount: 0n }],
    ["exporter-a", "buyer control char", { ...good, buyerId: "DE\u0000X" }],
    ["customs", "empty list", { ...declaration("exporter-a", [id]), receivableIds: [] }],
    ["customs", "over 100", { ...declaration("exporter-a", [id]), receivableIds: Array.from({ length: 101 }, (_, i) => toHex(h32(`r${i}`))) }],
    ["customs", "duplicate ids", { ...declaration("exporter-a", [id]), receivableIds: [id, id] }],
    ["customs", "receivable id format", { ...declaration("exporter-a", [id]), receivableIds: [id.toUpperCase()] }],
    ["bank-a", "financing id", { ...repay(id, id, 1n), financingId: "f1" }],
    ["exporter-a", "reason length", { ...cancel(id), reason: "r".repeat(501) }],
    ["exporter-a", "reserved document type", { type: "anchorDocument", documentHash: h32("d1"), documentType: "INVOICE", receivableId: "", billOfLadingFingerprint: new Uint8Array(0) }],
    ["customs", "reserved document type", { type: "anchorDocument", documentHash: h32("d1"), documentType: "EXPORT_DECLARATION", receivableId: "", billOfLadingFingerprint: new Uint8Array(0) }],
    ["exporter-a", "document type format", { type: "anchorDocument", documentHash: h32("d1"), documentType: "bill_of_lading", receivableId: "", billOfLadingFingerprint: new Uint8Array(0) }],
    ["exporter-a", "B/L fingerprint on another type", { type: "anchorDocument", documentHash: h32("d1"), documentType: "PACKING_LIST", receivableId: "", billOfLadingFingerprint: h32("bl") }],
  ];
  const before = c.stateHash();
  for (const [signer, what, payload] of cases) {
    const r = c.run(c.signRaw(signer, payload));
    t.equal(r.code, "MALFORMED", `${what}: ${r.message}`);
    t.same(r.events, []);
  }
  t.equal(c.run(c.signRaw("exporter-a", good, { nonce: new Uint8Array(15) })).code, "MALFORMED", "nonce must be 16 bytes");
  t.equal(c.stateHash(), before, "malformed transactions change nothing");
  // and the good payload passes
  t.equal(c.run(c.signRaw("exporter-a", good)).code, "OK");
});

// ---------------------------------------------------------------------------------------------
// Roles

t.test("UNAUTHORIZED: every transaction is authorised by role; an auditor never writes", async (t) => {
  const c = newChain();
  const id = attested(t, c, "exporter-a");
  const fin = expectOk(t, c.submit("bank-a", finance(id, 10n))).events[0]!;
  const financingId = fin.type === "receivableFinanced" ? fin.financingId : "";
  const writes: TxPayload[] = [
    tx.registerParty({ id: "exporter-z", role: "ENTERPRISE", name: "Z", country: "CN", publicKey: pk32("z") }),
    invoice("auditor"),
    declaration("exporter-a", [id], { label: "other" }),
    finance(id, 1n),
    repay(id, financingId, 1n),
    cancel(id),
    tx.anchorDocument({ documentHash: h32("aud-doc"), documentType: "PACKING_LIST" }),
  ];
  for (const p of writes) t.equal(c.submit("auditor", p).code, "UNAUTHORIZED", `auditor ${p.type}`);
  t.equal(c.submit("customs", finance(id, 1n)).code, "UNAUTHORIZED", "customs cannot finance");
  const other = register(t, c, "exporter-a", { label: "other" });
  t.equal(c.submit("bank-a", declaration("exporter-a", [other], { label: "bank-attest" })).code, "UNAUTHORIZED", "a bank cannot attest");
  t.equal(c.submit("exporter-a", declaration("exporter-a", [other], { label: "self-attest" })).code, "UNAUTHORIZED", "an exporter cannot attest");
  t.equal(c.submit("bank-a", invoice("bank-a")).code, "UNAUTHORIZED", "a bank does not register receivables");
  t.equal(c.submit("exporter-a", finance(id, 1n)).code, "UNAUTHORIZED", "an exporter cannot finance");
  t.equal(c.submit("exporter-a", tx.registerParty({ id: "exporter-z", role: "ENTERPRISE", name: "Z", country: "CN", publicKey: pk32("z") })).code, "UNAUTHORIZED");
  t.equal(c.submit("customs", tx.registerParty({ id: "exporter-z", role: "ENTERPRISE", name: "Z", country: "CN", publicKey: pk32("z") })).code, "UNAUTHORIZED");
  t.equal(c.submit("bank-a", repay(id, financingId, 1n)).code, "OK", "the financing bank may");
});

// ---------------------------------------------------------------------------------------------
// registerParty

t.test("registerParty: a bank onboards an enterprise, who can then sign; DUPLICATE_PARTY by id or key", async (t) => {
  const c = newChain();
  const newcomer = c.offChainParty("exporter-new");
  t.equal(c.run(c.sign(newcomer.id, invoice(newcomer.id))).code, "UNKNOWN_SIGNER");
  const onboard = tx.registerParty({ id: newcomer.id, role: "ENTERPRISE", name: "New Co", country: "VN", publicKey: newcomer.signer.publicKey, lei: "3003009W5WXV7C1UHM80" });
  const r = expectOk(t, c.submit("bank-a", onboard));
  t.same(r.events, [{ type: "partyRegistered", partyId: newcomer.id, role: "ENTERPRISE" }]);
  t.equal(r.target, newcomer.id);
  const rec = c.partyRecord(newcomer.id)!;
  t.equal(rec.registeredBy, "bank-a");
  t.equal(rec.lei, "3003009W5WXV7C1UHM80");
  t.equal(c.run(c.sign(newcomer.id, invoice(newcomer.id))).code, "OK", "the onboarded exporter can register");

  t.equal(c.submit("bank-b", onboard).code, "DUPLICATE_PARTY", "same id");
  t.equal(c.submit("bank-b", { ...onboard, id: "exporter-new-2" }).code, "DUPLICATE_PARTY", "same public key under another id");
  t.equal(c.submit("bank-b", { ...onboard, id: "exporter-a", publicKey: pk32("fresh") }).code, "DUPLICATE_PARTY", "a genesis id");
  t.equal(c.submit("bank-b", { ...onboard, id: "exporter-new-3", publicKey: c.party("bank-a").signer.publicKey }).code, "DUPLICATE_PARTY", "a genesis key");
  for (const role of ["BANK", "CUSTOMS", "AUDITOR"] as const) {
    t.equal(c.submit("bank-a", { ...onboard, id: `p-${role.toLowerCase()}`, role, publicKey: pk32(role) }).code, "UNAUTHORIZED", `a bank cannot onboard a ${role}`);
  }
});

t.test("registerParty: a bank onboards a CUSTODIAN (carrier, warehouse) as it does an enterprise; nobody else may", async (t) => {
  const c = newChain();
  const keeper = c.offChainParty("warehouse-qd", "CUSTODIAN");
  const onboard = tx.registerParty({ id: keeper.id, role: "CUSTODIAN", name: "Qingdao Port Warehousing", country: "CN", publicKey: keeper.signer.publicKey });
  t.equal(c.submit("exporter-a", onboard).code, "UNAUTHORIZED", "an enterprise onboards nobody");
  t.equal(c.submit("customs", onboard).code, "UNAUTHORIZED", "customs onboards nobody");
  const r = expectOk(t, c.submit("bank-a", onboard));
  t.same(r.events, [{ type: "partyRegistered", partyId: keeper.id, role: "CUSTODIAN" }]);
  t.match(c.partyRecord(keeper.id), { role: "CUSTODIAN", registeredBy: "bank-a" });
  t.equal(c.submit("bank-b", { ...onboard, id: "warehouse-qd-2" }).code, "DUPLICATE_PARTY", "same public key under another id");
  t.equal(c.run(c.sign(keeper.id, invoice(keeper.id))).code, "UNAUTHORIZED", "a custodian signs only its own types");
});

t.test("a party onboarded earlier in the same block can sign later in it", async (t) => {
  const c = newChain();
  const n = c.offChainParty("exporter-new");
  const onboard = c.sign("bank-a", tx.registerParty({ id: n.id, role: "ENTERPRISE", name: "N", country: "CN", publicKey: n.signer.publicKey }));
  const reg = c.sign(n.id, invoice(n.id));
  t.same(codes(c.block([reg, onboard, c.sign(n.id, invoice(n.id, { label: "2" }))]).receipts), ["UNKNOWN_SIGNER", "OK", "OK"]);
  // the UNKNOWN_SIGNER copy did not take its hash
  t.equal(c.run(reg).code, "OK");
});

// ---------------------------------------------------------------------------------------------
// registerReceivable

t.test("registerReceivable writes the receivable, its fingerprint and its invoice document", async (t) => {
  const c = newChain();
  const p = invoice("exporter-a");
  const reg = c.sign("exporter-a", p);
  const r = expectOk(t, c.run(reg));
  t.equal(r.target, reg.hashHex, "the receivable id is the registering transaction's hash");
  t.same(r.events, [{ type: "receivableRegistered", receivableId: reg.hashHex, exporterId: "exporter-a", amount: 100_000n, currency: "USD", dueDate: "2026-12-31" }]);
  const rec = c.receivable(reg.hashHex);
  t.match(rec, { id: reg.hashHex, exporterId: "exporter-a", buyerId: BUYER, amount: 100_000n, status: "REGISTERED", financings: [] });
  t.equal(c.fingerprintHolder(p.fingerprint), reg.hashHex);
  t.match(c.document(p.documentHash), { documentType: "INVOICE", anchoredBy: "exporter-a", receivableId: reg.hashHex });
});

t.test("DUPLICATE_RECEIVABLE: the same invoice re-spelled, by the same and by another exporter", async (t) => {
  const c = newChain();
  const id = register(t, c, "exporter-a", { number: "INV-001" });
  const same = c.submit("exporter-a", invoice("exporter-a", { number: "inv 001" }));
  t.equal(same.code, "DUPLICATE_RECEIVABLE");
  t.equal(same.target, id, "the rejection targets the receivable it duplicates");
  // another exporter registering the same invoice (its seller is exporter-a): the lender recomputes
  // the fingerprint from the document, so a different fingerprint would be caught there
  const other = c.submit("exporter-b", invoice("exporter-b", { seller: "exporter-a", number: "Inv.001" }));
  t.equal(other.code, "DUPLICATE_RECEIVABLE");
  t.equal(other.target, id);
  t.equal(c.submit("exporter-b", invoice("exporter-b", { seller: "exporter-a", number: "ＩＮＶ－００１" })).code, "DUPLICATE_RECEIVABLE", "full-width digits (NFKC)");
  t.equal(c.submit("exporter-a", invoice("exporter-a", { number: "INV-002" })).code, "OK", "a different invoice is fine");
});

t.test("DUPLICATE_DOCUMENT: an invoice whose document hash was anchored before, by anyone", async (t) => {
  const c = newChain();
  const doc = h32("invoice-doc");
  const id = register(t, c, "exporter-a", { documentHash: doc, number: "A-1" });
  const r = c.submit("exporter-b", invoice("exporter-b", { documentHash: doc, number: "B-1" }));
  t.equal(r.code, "DUPLICATE_DOCUMENT");
  t.equal(r.target, id);
  const other = h32("bl-doc");
  expectOk(t, c.submit("bank-a", tx.anchorDocument({ documentHash: other, documentType: "BILL_OF_LADING" })));
  t.equal(c.submit("exporter-a", invoice("exporter-a", { documentHash: other, number: "A-2" })).code, "DUPLICATE_DOCUMENT", "anchored by a bank as another type");
  // document check comes before the fingerprint check
  t.equal(c.submit("exporter-a", invoice("exporter-a", { documentHash: doc, number: "A-1" })).code, "DUPLICATE_DOCUMENT");
});

// ---------------------------------------------------------------------------------------------
// attestShipment

t.test("attestShipment binds a declaration to receivables and anchors the declaration", async (t) => {
  const c = newChain();
  const a = register(t, c, "exporter-a", { label: "1", amount: 60n });
  const b = register(t, c, "exporter-a", { label: "2", amount: 40n });
  const p = declaration("exporter-a", [a, b], { value: 150n });
  const r = expectOk(t, c.submit("customs", p));
  t.equal(r.target, a);
  t.same(
    r.events.map((e) => e.type === "receivableAttested" && e.receivableId),
    [a, b],
  );
  t.match(c.receivable(a), { status: "ATTESTED", attestedBy: "customs" });
  t.equal(toHex(c.receivable(b).declarationFingerprint), toHex(p.declarationFingerprint));
  t.match(c.declaration(p.declarationFingerprint), { exporterId: "exporter-a", customsId: "customs", attestedTotal: 100n, declaredValue: 150n, receivableIds: [a, b] });
  t.match(c.document(p.declarationHash), { documentType: "EXPORT_DECLARATION", anchoredBy: "customs" });
  // a second attestation of the same declaration adds to it (another customs office may do it)
  const d = register(t, c, "exporter-a", { label: "3", amount: 50n });
  expectOk(t, c.submit("customs-2", declaration("exporter-a", [d], { value: 150n })));
  t.match(c.declaration(p.declarationFingerprint), { attestedTotal: 150n, receivableIds: [a, b, d], customsId: "customs" });
});

t.test("EXCEEDS_DECLARED_VALUE: two attestations of one declaration above its declared value", async (t) => {
  const c = newChain();
  const a = register(t, c, "exporter-a", { label: "1", amount: 700n });
  const b = register(t, c, "exporter-a", { label: "2", amount: 301n });
  const b2 = register(t, c, "exporter-a", { label: "3", amount: 300n });
  expectOk(t, c.submit("customs", declaration("exporter-a", [a], { value: 1000n })));
  const r = c.submit("customs", declaration("exporter-a", [b], { value: 1000n }));
  t.equal(r.code, "EXCEEDS_DECLARED_VALUE");
  t.equal(c.receivable(b).status, "REGISTERED");
  t.equal(c.declaration(h32("declfp/decl-1"))!.attestedTotal, 700n);
  t.equal(c.submit("customs", declaration("exporter-a", [b2], { value: 1000n })).code, "OK", "up to the declared value exactly");
  // in one attestation too
  const x = register(t, c, "exporter-a", { label: "4", amount: 6n });
  const y = register(t, c, "exporter-a", { label: "5", amount: 5n });
  t.equal(c.submit("customs", declaration("exporter-a", [x, y], { label: "small", value: 10n })).code, "EXCEEDS_DECLARED_VALUE");
});

t.test("attestShipment: NOT_FOUND, EXPORTER_MISMATCH, CURRENCY_MISMATCH, INVALID_STATE", async (t) => {
  const c = newChain();
  const a = register(t, c, "exporter-a", { label: "1" });
  const eur = register(t, c, "exporter-a", { label: "2", currency: "EUR" });
  const b = register(t, c, "exporter-b", { label: "3" });
  t.equal(c.submit("customs", declaration("exporter-zz", [a])).code, "NOT_FOUND", "unknown exporter");
  t.equal(c.submit("customs", declaration("bank-a", [a])).code, "NOT_FOUND", "the exporter must be an ENTERPRISE");
  const missing = toHex(h32("nope"));
  const nf = c.submit("customs", declaration("exporter-a", [a, missing]));
  t.equal(nf.code, "NOT_FOUND");
  t.equal(nf.target, missing, "targets the offending receivable");
  t.equal(c.receivable(a).status, "REGISTERED", "all or nothing");
  const em = c.submit("customs", declaration("exporter-a", [a, b]));
  t.equal(em.code, "EXPORTER_MISMATCH");
  t.equal(em.target, b);
  t.equal(c.submit("customs", declaration("exporter-a", [eur])).code, "CURRENCY_MISMATCH");
  expectOk(t, c.submit("customs", declaration("exporter-a", [a])));
  t.equal(c.submit("customs", declaration("exporter-a", [a])).code, "INVALID_STATE", "already attested: no double counting");
  t.equal(c.declaration(h32("declfp/decl-1"))!.attestedTotal, 100_000n);
  expectOk(t, c.submit("exporter-b", cancel(b)));
  t.equal(c.submit("customs", declaration("exporter-b", [b], { label: "decl-b" })).code, "INVALID_STATE", "cancelled");
});

t.test("DECLARATION_REUSED and DECLARATION_CONFLICT; DUPLICATE_DOCUMENT for a new declaration", async (t) => {
  const c = newChain();
  const a = register(t, c, "exporter-a", { label: "1", amount: 10n });
  const a2 = register(t, c, "exporter-a", { label: "2", amount: 10n });
  const b = register(t, c, "exporter-b", { label: "3", amount: 10n });
  expectOk(t, c.submit("customs", declaration("exporter-a", [a], { value: 100n })));
  t.equal(c.submit("customs", declaration("exporter-b", [b], { value: 100n })).code, "DECLARATION_REUSED", "another exporter's declaration");
  const conflicts: [string, DeclOpts][] = [
    ["value", { value: 101n }],
    ["currency", { value: 100n, currency: "EUR" }],
    ["export date", { value: 100n, exportDate: "2026-10-06" }],
    ["document hash", { value: 100n, hash: h32("other-decl-doc") }],
  ];
  for (const [what, o] of conflicts) t.equal(c.submit("customs", declaration("exporter-a", [a2], o)).code, "DECLARATION_CONFLICT", what);
  t.equal(c.submit("customs", declaration("exporter-a", [a2], { value: 100n })).code, "OK", "the same declaration again");
  // a new declaration whose document hash is already anchored
  const anchored = h32("anchored-decl");
  expectOk(t, c.submit("exporter-b", tx.anchorDocument({ documentHash: anchored, documentType: "CERTIFICATE_OF_ORIGIN" })));
  t.equal(c.submit("customs", declaration("exporter-b", [b], { label: "new", hash: anchored })).code, "DUPLICATE_DOCUMENT");
  t.equal(c.submit("customs", declaration("exporter-b", [b], { label: "new2", hash: h32("declhash/decl-1") })).code, "DUPLICATE_DOCUMENT", "another declaration's document");
});

// ---------------------------------------------------------------------------------------------
// financeReceivable

t.test("two banks finance parts up to face value; one more minor unit is DOUBLE_FINANCING", async (t) => {
  const c = newChain();
  const id = attested(t, c, "exporter-a", { amount: 100_000n });
  const r1 = expectOk(t, c.submit("bank-a", finance(id, 60_000n)));
  t.match(r1.events[0], { type: "receivableFinanced", bankId: "bank-a", amount: 60_000n, liveFinanced: 60_000n });
  t.equal(c.receivable(id).status, "PARTIALLY_FINANCED");
  const r2 = expectOk(t, c.submit("bank-b", finance(id, 40_000n)));
  t.match(r2.events[0], { type: "receivableFinanced", bankId: "bank-b", liveFinanced: 100_000n });
  t.equal(c.receivable(id).status, "FINANCED");
  t.equal(liveFinanced(c.receivable(id)), 100_000n);
  const r3 = c.submit("bank-b", finance(id, 1n));
  t.equal(r3.code, "DOUBLE_FINANCING");
  t.equal(r3.target, id);
  t.same(r3.events, []);
  t.equal(c.submit("bank-a", finance(id, 1n)).code, "DOUBLE_FINANCING", "by either bank");
  // partly financed: the rest fits, one more unit does not
  const id2 = attested(t, c, "exporter-a", { label: "2", amount: 100n });
  expectOk(t, c.submit("bank-a", finance(id2, 30n)));
  t.equal(c.submit("bank-b", finance(id2, 71n)).code, "DOUBLE_FINANCING");
  expectOk(t, c.submit("bank-b", finance(id2, 70n)));
  t.equal(c.receivable(id2).financings.length, 2);
});

t.test("EXCEEDS_FACE_VALUE: a first financing above face value", async (t) => {
  const c = newChain();
  const id = attested(t, c, "exporter-a", { amount: 100n });
  t.equal(c.submit("bank-a", finance(id, 101n)).code, "EXCEEDS_FACE_VALUE");
  t.equal(c.receivable(id).status, "ATTESTED");
  expectOk(t, c.submit("bank-a", finance(id, 100n)));
});

t.test("NOT_ATTESTED: financing a receivable with no customs-attested shipment", async (t) => {
  const c = newChain();
  const id = register(t, c, "exporter-a");
  const r = c.submit("bank-a", finance(id, 1n));
  t.equal(r.code, "NOT_ATTESTED");
  t.equal(r.target, id);
  t.equal(c.receivable(id).financings.length, 0);
});

t.test("finance: NOT_FOUND, INVALID_STATE (cancelled, settled), CURRENCY_MISMATCH", async (t) => {
  const c = newChain();
  t.equal(c.submit("bank-a", finance(toHex(h32("none")), 1n)).code, "NOT_FOUND");
  const cancelled = attested(t, c, "exporter-a", { label: "1" });
  expectOk(t, c.submit("exporter-a", cancel(cancelled)));
  t.equal(c.submit("bank-a", finance(cancelled, 1n)).code, "INVALID_STATE");
  const settled = attested(t, c, "exporter-a", { label: "2", amount: 10n });
  const fid = c.sign("bank-a", finance(settled, 4n));
  expectOk(t, c.run(fid));
  expectOk(t, c.submit("bank-a", repay(settled, fid.hashHex, 4n)));
  t.equal(c.receivable(settled).status, "SETTLED");
  t.equal(c.submit("bank-b", finance(settled, 1n)).code, "INVALID_STATE", "settled, although 6 were never financed");
  const id = attested(t, c, "exporter-a", { label: "3" });
  t.equal(c.submit("bank-a", finance(id, 1n, "EUR")).code, "CURRENCY_MISMATCH");
});

t.test("OVERDUE is judged by the block's date, not the local clock", async (t) => {
  const c = newChain();
  const id = attested(t, c, "exporter-a", { dueDate: "2026-10-03" });
  const endOfDueDay = T0 + 3n * DAY - 1n; // 2026-10-03T23:59:59.999Z
  const onDueDate = c.sign("bank-a", finance(id, 1n), { createdAt: endOfDueDay });
  t.equal(c.block([onDueDate], endOfDueDay).receipts[0]!.code, "OK", "the due date itself is not overdue");
  const nextDay = c.sign("bank-a", finance(id, 1n), { createdAt: endOfDueDay + 1n });
  const r = c.block([nextDay], endOfDueDay + 1n).receipts[0]!;
  t.equal(r.code, "OVERDUE");
  t.match(r.message, /2026-10-03/);
  t.ok(isOverdue(c.receivable(id), endOfDueDay + 1n));
  t.notOk(isOverdue(c.receivable(id), endOfDueDay));
  t.notOk(isOverdue({ ...c.receivable(id), status: "SETTLED" }, endOfDueDay + DAY));
});

t.test("the financings cap bounds a receivable's record", async (t) => {
  const c = newChain();
  const id = attested(t, c, "exporter-a", { amount: 1000n });
  const txs = Array.from({ length: MAX_FINANCINGS_PER_RECEIVABLE }, () => c.sign("bank-a", finance(id, 1n)));
  t.ok(c.block(txs).receipts.every((r) => r.code === "OK"));
  t.equal(c.submit("bank-b", finance(id, 1n)).code, "INVALID_STATE");
});

t.test("the declaration cap bounds a declaration's record", async (t) => {
  const c = newChain();
  const regs = Array.from({ length: MAX_RECEIVABLES_PER_DECLARATION + 1 }, (_, i) => c.sign("exporter-a", invoice("exporter-a", { label: `cap-${i}`, amount: 1n })));
  t.ok(c.block(regs).receipts.every((r) => r.code === "OK"));
  const ids = regs.map((r) => r.hashHex);
  const attests = [];
  for (let i = 0; i < MAX_RECEIVABLES_PER_DECLARATION; i += 100) attests.push(c.sign("customs", declaration("exporter-a", ids.slice(i, i + 100), { value: 10_000n })));
  t.ok(c.block(attests).receipts.every((r) => r.code === "OK"));
  t.equal(c.declaration(h32("declfp/decl-1"))!.receivableIds.length, MAX_RECEIVABLES_PER_DECLARATION);
  t.equal(c.submit("customs", declaration("exporter-a", [ids.at(-1)!], { value: 10_000n })).code, "INVALID_STATE");
});

// ---------------------------------------------------------------------------------------------
// recordRepayment

t.test("repayment: partial, by the financing bank only, never above outstanding; all repaid settles", async (t) => {
  const c = newChain();
  const id = attested(t, c, "exporter-a", { amount: 100n });
  const fa = c.sign("bank-a", finance(id, 60n));
  const fb = c.sign("bank-b", finance(id, 40n));
  t.same(codes(c.block([fa, fb]).receipts), ["OK", "OK"]);
  t.equal(c.submit("bank-b", repay(id, fa.hashHex, 1n)).code, "UNAUTHORIZED", "another bank's financing");
  t.equal(c.submit("bank-a", repay(toHex(h32("none")), fa.hashHex, 1n)).code, "NOT_FOUND", "no receivable");
  t.equal(c.submit("bank-a", repay(id, toHex(h32("nofin")), 1n)).code, "NOT_FOUND", "no financing");
  t.equal(c.submit("bank-a", repay(id, fa.hashHex, 61n)).code, "REPAYMENT_EXCEEDS_OUTSTANDING");
  const r1 = expectOk(t, c.submit("bank-a", repay(id, fa.hashHex, 50n)));
  t.same(r1.events, [{ type: "repaymentRecorded", receivableId: id, financingId: fa.hashHex, bankId: "bank-a", amount: 50n, financingOutstanding: 10n }]);
  t.equal(c.receivable(id).status, "PARTIALLY_FINANCED");
  t.equal(c.submit("bank-a", repay(id, fa.hashHex, 11n)).code, "REPAYMENT_EXCEEDS_OUTSTANDING");
  expectOk(t, c.submit("bank-a", repay(id, fa.hashHex, 10n)));
  t.equal(c.receivable(id).status, "PARTIALLY_FINANCED", "bank-b is still outstanding");
  t.equal(c.submit("bank-a", repay(id, fa.hashHex, 1n)).code, "REPAYMENT_EXCEEDS_OUTSTANDING", "fully repaid");
  const last = expectOk(t, c.submit("bank-b", repay(id, fb.hashHex, 40n)));
  t.same(
    last.events.map((e) => e.type),
    ["repaymentRecorded", "receivableSettled"],
  );
  t.equal(c.receivable(id).status, "SETTLED");
  t.equal(liveFinanced(c.receivable(id)), 0n);
  t.equal(c.submit("bank-b", repay(id, fb.hashHex, 1n)).code, "REPAYMENT_EXCEEDS_OUTSTANDING");
});

t.test("a partly repaid FINANCED receivable returns to PARTIALLY_FINANCED and its freed room can be financed", async (t) => {
  const c = newChain();
  const id = attested(t, c, "exporter-a", { amount: 100n });
  const fa = c.sign("bank-a", finance(id, 100n));
  expectOk(t, c.run(fa));
  t.equal(c.receivable(id).status, "FINANCED");
  expectOk(t, c.submit("bank-a", repay(id, fa.hashHex, 30n)));
  t.equal(c.receivable(id).status, "PARTIALLY_FINANCED");
  t.equal(c.submit("bank-b", finance(id, 31n)).code, "DOUBLE_FINANCING");
  expectOk(t, c.submit("bank-b", finance(id, 30n)));
  t.equal(c.receivable(id).status, "FINANCED");
});

// ---------------------------------------------------------------------------------------------
// cancelReceivable; fingerprints after cancel and settle

t.test("cancel frees the fingerprint and document; settle keeps them forever", async (t) => {
  const c = newChain();
  const doc = h32("inv-doc");
  const id = register(t, c, "exporter-a", { number: "INV-7", documentHash: doc });
  const r = expectOk(t, c.submit("exporter-a", cancel(id)));
  t.same(r.events, [{ type: "receivableCancelled", receivableId: id }]);
  t.equal(c.receivable(id).status, "CANCELLED");
  t.equal(c.fingerprintHolder(invoiceFingerprint("exporter-a", BUYER, "INV-7", "USD")), undefined);
  t.equal(c.document(doc), undefined);
  const corrected = register(t, c, "exporter-a", { number: "inv 7", documentHash: doc });
  t.not(corrected, id);

  const settledDoc = h32("settled-doc");
  const s = attested(t, c, "exporter-a", { number: "INV-8", documentHash: settledDoc, amount: 5n });
  const f = c.sign("bank-a", finance(s, 5n));
  expectOk(t, c.run(f));
  expectOk(t, c.submit("bank-a", repay(s, f.hashHex, 5n)));
  t.equal(c.receivable(s).status, "SETTLED");
  t.equal(c.submit("exporter-a", invoice("exporter-a", { number: "INV 8" })).code, "DUPLICATE_RECEIVABLE");
  t.equal(c.submit("exporter-b", invoice("exporter-b", { seller: "exporter-a", number: "inv8" })).code, "DUPLICATE_RECEIVABLE");
  t.equal(c.submit("exporter-a", invoice("exporter-a", { number: "INV-9", documentHash: settledDoc })).code, "DUPLICATE_DOCUMENT");
  t.equal(c.submit("exporter-a", cancel(s)).code, "INVALID_STATE", "a settled receivable cannot be cancelled");
});

t.test("cancel: only the exporter, only while nothing is financed; an attested one lowers the declaration", async (t) => {
  const c = newChain();
  t.equal(c.submit("exporter-a", cancel(toHex(h32("none")))).code, "NOT_FOUND");
  const a = register(t, c, "exporter-a", { label: "1", amount: 60n });
  const b = register(t, c, "exporter-a", { label: "2", amount: 40n });
  const extra = register(t, c, "exporter-a", { label: "3", amount: 60n });
  expectOk(t, c.submit("customs", declaration("exporter-a", [a, b], { value: 100n })));
  t.equal(c.submit("exporter-b", cancel(a)).code, "UNAUTHORIZED", "another exporter");
  t.equal(c.submit("exporter-a", declaration("exporter-a", [extra], { value: 100n })).code, "UNAUTHORIZED");
  t.equal(c.submit("customs", declaration("exporter-a", [extra], { value: 100n })).code, "EXCEEDS_DECLARED_VALUE");
  expectOk(t, c.submit("exporter-a", cancel(a)));
  t.match(c.declaration(h32("declfp/decl-1")), { attestedTotal: 40n, receivableIds: [b] });
  t.equal(c.submit("exporter-a", cancel(a)).code, "INVALID_STATE", "already cancelled");
  expectOk(t, c.submit("customs", declaration("exporter-a", [extra], { value: 100n })));
  t.match(c.declaration(h32("declfp/decl-1")), { attestedTotal: 100n, receivableIds: [b, extra] });
  expectOk(t, c.submit("bank-a", finance(b, 1n)));
  t.equal(c.submit("exporter-a", cancel(b)).code, "INVALID_STATE", "financed");
  t.equal(c.receivable(b).status, "PARTIALLY_FINANCED");
});

// ---------------------------------------------------------------------------------------------
// anchorDocument

t.test("anchorDocument: any writing party, links, DUPLICATE_DOCUMENT, NOT_FOUND, UNAUTHORIZED", async (t) => {
  const c = newChain();
  const id = register(t, c, "exporter-a");
  const doc = h32("packing-list");
  const r = expectOk(t, c.submit("exporter-a", tx.anchorDocument({ documentHash: doc, documentType: "PACKING_LIST", receivableId: id })));
  t.equal(r.target, toHex(doc));
  t.same(r.events, [{ type: "documentAnchored", documentHash: doc, documentType: "PACKING_LIST", receivableId: id }]);
  t.match(c.document(doc), { documentType: "PACKING_LIST", anchoredBy: "exporter-a", receivableId: id });
  t.equal(c.submit("bank-a", tx.anchorDocument({ documentHash: doc, documentType: "INSURANCE_CERTIFICATE" })).code, "DUPLICATE_DOCUMENT");
  t.equal(c.submit("bank-a", tx.anchorDocument({ documentHash: h32("x"), documentType: "PACKING_LIST", receivableId: toHex(h32("none")) })).code, "NOT_FOUND");
  t.equal(
    c.submit("exporter-b", tx.anchorDocument({ documentHash: h32("y"), documentType: "PACKING_LIST", receivableId: id })).code,
    "UNAUTHORIZED",
    "an enterprise links only its own receivables",
  );
  expectOk(t, c.submit("bank-b", tx.anchorDocument({ documentHash: h32("y"), documentType: "CREDIT_MEMO", receivableId: id })));
  expectOk(t, c.submit("customs", tx.anchorDocument({ documentHash: h32("z"), documentType: "CERTIFICATE_OF_ORIGIN", receivableId: id })));
});

t.test("BILL_OF_LADING_REUSED: a bill of lading number backs one exporter's receivables only", async (t) => {
  const c = newChain();
  const a1 = register(t, c, "exporter-a", { label: "1" });
  const a2 = register(t, c, "exporter-a", { label: "2" });
  const b1 = register(t, c, "exporter-b", { label: "3" });
  const bl = h32("bl/NBOHAM2610417");
  const anchor = (label: string, receivableId?: string) =>
    tx.anchorDocument({ documentHash: h32(`bl-doc/${label}`), documentType: "BILL_OF_LADING", billOfLadingFingerprint: bl, ...(receivableId ? { receivableId } : {}) });
  expectOk(t, c.submit("exporter-a", anchor("1", a1)));
  t.equal(c.state.get(KEY.billOfLading(toHex(bl))) !== undefined, true);
  expectOk(t, c.submit("bank-a", anchor("2", a2)), "same exporter, another receivable, anchored by a bank");
  expectOk(t, c.submit("exporter-a", anchor("3")), "the exporter itself without a link");
  t.equal(c.submit("exporter-b", anchor("4", b1)).code, "BILL_OF_LADING_REUSED");
  t.equal(c.submit("bank-b", anchor("5", b1)).code, "BILL_OF_LADING_REUSED", "whoever anchors it");
  t.equal(c.submit("exporter-b", anchor("6")).code, "BILL_OF_LADING_REUSED", "the other exporter without a link");
  const r = c.submit("customs", anchor("7"));
  t.equal(r.code, "MALFORMED", "no link and not an enterprise: no exporter to bind");
});

// ---------------------------------------------------------------------------------------------
// State, receipts, block execution

t.test("a rejected transaction leaves state byte-identical and yields a receipt with no events", async (t) => {
  const c = newChain();
  const id = attested(t, c, "exporter-a", { amount: 100n });
  expectOk(t, c.submit("bank-a", finance(id, 100n)));
  const before = c.stateHash();
  const snapshot = new Map(c.state.map);
  const attempts = [
    c.sign("bank-b", finance(id, 1n)), // DOUBLE_FINANCING
    c.sign("customs", declaration("exporter-a", [id], { label: "again" })), // INVALID_STATE, after writing d/ in scratch
    c.sign("exporter-a", cancel(id)), // INVALID_STATE
    c.sign("exporter-a", invoice("exporter-a")), // DUPLICATE_RECEIVABLE (same number INV-001)
  ];
  const { receipts, writes } = c.block(attempts);
  t.same(codes(receipts), ["DOUBLE_FINANCING", "INVALID_STATE", "INVALID_STATE", "DUPLICATE_RECEIVABLE"]);
  for (const r of receipts) t.same(r.events, []);
  t.equal(writes.size, 0);
  t.equal(c.stateHash(), before);
  t.same(c.state.map, snapshot);
  // applyTx on a bare state writer, too
  const m = new MemoryState();
  for (const [k, v] of snapshot) m.put(k, v);
  const ctx: BlockContext = { chainId: CHAIN_ID, height: 99n, time: c.time, proposer: "bank-a" };
  const r = applyTx(m, c.sign("bank-b", finance(id, 5n)), ctx, c.deps);
  t.equal(r.code, "DOUBLE_FINANCING");
  t.equal(stateHash(m), before);
});

t.test("executeBlock does not touch its input state and returns net writes", async (t) => {
  const c = newChain();
  const before = c.stateHash();
  const reg = c.sign("exporter-a", invoice("exporter-a"));
  const can = c.sign("exporter-a", cancel(reg.hashHex));
  const { receipts, writes } = executeBlock(c.state, [reg, can], c.blockContext(), c.deps);
  t.same(codes(receipts), ["OK", "OK"]);
  t.equal(c.stateHash(), before, "input state unchanged");
  // f/ and d/ were created and deleted within the block: no net write for them
  t.same([...writes.keys()].map((k) => k.slice(0, 2)), ["r/"]);
});

t.test("receipts round-trip through the proto Receipt (events wrapped in oneof kind)", async (t) => {
  const c = newChain();
  const id = attested(t, c, "exporter-a", { amount: 10n });
  const f = c.sign("bank-a", finance(id, 10n));
  expectOk(t, c.run(f));
  const r = expectOk(t, c.submit("bank-a", repay(id, f.hashHex, 10n)));
  const back = decodeReceipt(encodeReceipt(r));
  t.same(back, r);
  const rejected = c.submit("bank-a", finance(id, 1n));
  t.same(decodeReceipt(encodeReceipt(rejected)), rejected);
  t.ok(rejected.message.length > 0);
  for (const code of RESULT_CODES) {
    const x: Receipt = { txHash: f.hash, code: code as ResultCode, message: "m", target: "t", events: [] };
    t.same(decodeReceipt(encodeReceipt(x)).code, code);
  }
});

t.test("accessKeys covers every key applyTx reads, including keys found in loaded records", async (t) => {
  const c = newChain();
  const id = attested(t, c, "exporter-a", { amount: 10n });
  const other = register(t, c, "exporter-a", { label: "2" });
  const fin = c.sign("bank-a", finance(other, 1n));
  const txs = [
    c.sign("exporter-a", cancel(id)),
    c.sign("exporter-a", cancel(other)),
    c.sign("exporter-a", tx.anchorDocument({ documentHash: h32("bl"), documentType: "BILL_OF_LADING", receivableId: id, billOfLadingFingerprint: h32("blfp") })),
    fin,
    c.sign("customs", declaration("exporter-a", [other], { label: "late" })),
    c.sign("bank-a", tx.registerParty({ id: "exporter-q", role: "ENTERPRISE", name: "Q", country: "CN", publicKey: pk32("q") })),
    c.sign("exporter-a", invoice("exporter-a", { label: "3" })),
  ];
  const withoutLoaded = accessKeys(txs[0]!);
  // the signer, the rule's keys, the exporter's running credit facts its change moves (node/ledger/aggregates.ts),
  // and the supervision rule set every transaction is checked against (docs/supervision.md)
  t.same(withoutLoaded.sort(), [KEY.party("exporter-a"), KEY.receivable(id), KEY.creditFacts("exporter-a"), SUPERVISION_KEY.rules].sort());
  const prefetched = prefetchKeys(c.state, txs);
  t.ok(prefetched.has(KEY.declaration(toHex(h32(`declfp/decl-${id}`)))), "the cancelled receivable's declaration");
  const misses: string[] = [];
  const guarded = guardedReader(c.state, prefetched, (k) => misses.push(k));
  const { receipts } = executeBlock(guarded, txs, c.blockContext(), c.deps);
  t.same(codes(receipts), ["OK", "OK", "OK", "INVALID_STATE", "INVALID_STATE", "OK", "OK"]);
  t.same(misses, []);
  // without the loaded round, cancel would read keys the store never fetched
  const firstRound = new Set(txs.flatMap((x) => accessKeys(x)));
  const misses2: string[] = [];
  executeBlock(guardedReader(c.state, firstRound, (k) => misses2.push(k)), txs, c.blockContext(), c.deps);
  t.ok(misses2.length > 0);
});

t.test("corrupt state halts execution with LedgerInvariantError instead of a receipt", async (t) => {
  const c = newChain();
  const id = register(t, c, "exporter-a");
  c.state.del(KEY.fingerprint(toHex(c.receivable(id).fingerprint)));
  t.throws(() => c.submit("exporter-a", cancel(id)), LedgerInvariantError);
  const d = newChain();
  const id2 = register(t, d, "exporter-a");
  // a receivable whose declaration vanished
  d.state.put(KEY.receivable(id2), encodeReceivable({ ...decodeReceivable(d.state.get(KEY.receivable(id2))!), status: "ATTESTED", declarationFingerprint: h32("gone") }));
  t.throws(() => d.submit("exporter-a", cancel(id2)), LedgerInvariantError);
});

t.test("genesisWrites validates parties and indexes public keys", async (t) => {
  const a = makeParty("bank-a", "BANK");
  const b = makeParty("exporter-a", "ENTERPRISE");
  const w = genesisWrites([a.party, b.party]);
  t.same([...w.keys()], ["p/bank-a", `k/${toHex(a.party.publicKey)}`, "p/exporter-a", `k/${toHex(b.party.publicKey)}`]);
  t.throws(() => genesisWrites([a.party, a.party]), /duplicate party id/);
  t.throws(() => genesisWrites([a.party, { ...b.party, publicKey: a.party.publicKey }]), /public key/);
  t.throws(() => genesisWrites([{ ...a.party, id: "Bank A" }]), /id/);
  t.throws(() => genesisWrites([{ ...a.party, publicKey: new Uint8Array(31) }]), /publicKey/);
});

t.test("the signature check can be delegated to the node's cache", async (t) => {
  const c = newChain();
  const seen: string[] = [];
  const deps = { ...c.deps, verifySignature: (x: { hashHex: string }) => (seen.push(x.hashHex), false) };
  const reg = c.sign("exporter-a", invoice("exporter-a"));
  const r = executeBlock(c.state, [reg], c.blockContext(), deps);
  t.equal(r.receipts[0]!.code, "BAD_SIGNATURE");
  t.same(seen, [reg.hashHex]);
});

t.test("liveFinanced sums outstanding principal over financings", async (t) => {
  t.equal(liveFinanced({ financings: [] }), 0n);
  t.equal(
    liveFinanced({
      financings: [
        { id: "a", bankId: "b", amount: 10n, repaid: 3n, financedAt: 0n, writtenOff: 0n, writtenOffAt: 0n },
        { id: "b", bankId: "b", amount: 2n ** 63n, repaid: 0n, financedAt: 0n, writtenOff: 0n, writtenOffAt: 0n },
      ],
    }),
    7n + 2n ** 63n,
  );
});

t.test("overlay forks are the unit of atomicity", async (t) => {
  const base = new MemoryState();
  base.put("a", Uint8Array.of(1));
  const o = new Overlay(base);
  const f = o.fork();
  f.put("b", Uint8Array.of(2));
  t.equal(o.get("b"), undefined);
  f.commitTo(o);
  t.same(o.get("b"), Uint8Array.of(2));
});
