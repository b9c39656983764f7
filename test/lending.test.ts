// Before, during and after lending (DESIGN.md §10, docs/lending.md): proposeExtension,
// acceptExtension, writeOff, attestFinancials, grantConsent — one table test per rule and per code,
// through the real applyTx with transactions built and signed by the SDK; every rejection writes
// nothing and emits nothing. Then what DEFAULTED means for the existing rules, the running
// aggregates (bank books, credit facts) against the receivables, aging, indicators and scorecards.
import t from "tap";
import { tx } from "../sdk/builders.js";
import { toHex } from "../sdk/bytes.js";
import { agingBucket, daysPastDue, liveFinanced } from "../sdk/domain.js";
import { agingOf, assembleBook, isBookKeyOf, concentrationOf, EXAMPLE_SCORECARD, hhiBp, indicatorsOf, scoreParty, scorecardHash, wholeMonths } from "../sdk/lending.js";
import { TX_FORMATS, type TxPayload, type TxType } from "../sdk/transactions/index.js";
import type { BankBook, CreditFacts, Event, Receipt, ResultCode } from "../sdk/types.js";
import type { Tx } from "../sdk/tx.js";
import { aggregatesOf } from "../node/ledger/aggregates.js";
import { decodeConsent, decodeCreditFacts, decodeReceivable } from "../node/ledger/records.js";
import { KEY } from "../node/ledger/state.js";
import { executeBlock } from "../node/ledger/execute.js";
import { DAY, T0, TestChain, codes, guardedReader, h32, invoiceFingerprint, makeParty, prefetchKeys } from "./ledger-harness.js";

interface Asserts {
  equal(found: unknown, wanted: unknown, message: string): boolean;
  same(found: unknown, wanted: unknown, message: string): boolean;
  match(found: unknown, wanted: unknown, message: string): boolean;
}

function newChain(): TestChain {
  return new TestChain([
    makeParty("bank-a", "BANK", "DE"),
    makeParty("bank-b", "BANK", "CN"),
    makeParty("customs", "CUSTOMS"),
    makeParty("seller", "ENTERPRISE"),
    makeParty("other-seller", "ENTERPRISE"),
    makeParty("buyer", "ENTERPRISE", "DE"),
    makeParty("auditor", "AUDITOR"),
    makeParty("warehouse", "CUSTODIAN"),
  ]);
}

let counter = 0;

function ok(t: Asserts, r: Receipt, what = ""): Receipt {
  t.equal(r.code, "OK", `${what} ${r.message}`.trim());
  return r;
}

/** `seller` registers an invoice; customs attests it unless `attested: false`. Returns its id. */
function invoice(t: Asserts, c: TestChain, o: { seller?: string; amount?: bigint; dueDate?: string; attested?: boolean; buyerPartyId?: string; buyerId?: string; currency?: string } = {}): string {
  const n = ++counter;
  const seller = o.seller ?? "seller";
  const currency = o.currency ?? "USD";
  const r = c.submit(
    seller,
    tx.registerReceivable({
      documentHash: h32(`lend-inv/${n}`),
      fingerprint: invoiceFingerprint(seller, "b", `L-${n}`, currency),
      buyerId: o.buyerId ?? "acme-gmbh",
      ...(o.buyerPartyId ? { buyerPartyId: o.buyerPartyId } : {}),
      amount: o.amount ?? 100n,
      currency,
      issueDate: "2026-10-01",
      dueDate: o.dueDate ?? "2026-12-31",
    }),
  );
  const id = ok(t, r, "register").target;
  if (o.attested !== false) {
    ok(
      t,
      c.submit(
        "customs",
        tx.attestShipment({
          declarationFingerprint: h32(`lend-decl/${id}`),
          declarationHash: h32(`lend-declhash/${id}`),
          exporterId: seller,
          declaredValue: 1_000_000_000n,
          currency,
          exportDate: "2026-10-01",
          receivableIds: [id],
        }),
      ),
      "attest",
    );
  }
  return id;
}

const finance = (receivableId: string, amount: bigint, currency = "USD") => tx.financeReceivable({ receivableId, amount, currency });
const propose = (receivableId: string, newDueDate: string) => tx.proposeExtension({ receivableId, newDueDate });
const accept = (receivableId: string, newDueDate: string) => tx.acceptExtension({ receivableId, newDueDate });
const writeOff = (receivableId: string, financingId: string) => tx.writeOff({ receivableId, financingId });
const repay = (receivableId: string, financingId: string, amount: bigint) => tx.recordRepayment({ receivableId, financingId, amount });
const NOWHERE = toHex(h32("no such receivable"));

/** Finances and returns the financing id. */
function financed(t: Asserts, c: TestChain, bank: string, id: string, amount: bigint): string {
  const r = ok(t, c.submit(bank, finance(id, amount)), "finance");
  return (r.events[0] as Extract<Event, { type: "receivableFinanced" }>).financingId;
}

function refused(t: Asserts, c: TestChain, signer: string, payload: TxPayload, code: ResultCode, pattern?: RegExp): Receipt {
  const before = c.stateHash();
  const r = c.submit(signer, payload);
  t.equal(r.code, code, `${payload.type} by ${signer}: ${r.message}`);
  t.same(r.events, [], "a rejection emits no event");
  t.equal(c.stateHash(), before, "a rejection writes nothing");
  if (pattern) t.match(r.message, pattern, `the message says why: ${pattern}`);
  return r;
}

/** Runs an accepted transaction and checks each event against it (what verifyHistory does). */
function run(t: Asserts, c: TestChain, signer: string, payload: TxPayload): Receipt {
  const signed: Tx = c.sign(signer, payload);
  const r = ok(t, c.run(signed), payload.type);
  const format = TX_FORMATS[signed.body.payload.type as TxType];
  for (const e of r.events) {
    const check = (format.events as Record<string, (e: Event, p: unknown, tx: { hashHex: string; signer: string }) => string | null>)[e.type];
    t.equal(check?.(e, signed.body.payload, { hashHex: signed.hashHex, signer: signed.body.signer }), null, `${e.type} checks against its ${signed.body.payload.type}`);
  }
  return r;
}

const book = (c: TestChain, bank: string): BankBook | undefined => {
  if (!c.state.get(KEY.bankBook(bank))) return undefined;
  return assembleBook(bank, new Map([...c.state.map].filter(([k]) => isBookKeyOf(k, bank))), "all");
};
const facts = (c: TestChain, party: string): CreditFacts | undefined => {
  const b = c.state.get(KEY.creditFacts(party));
  return b && decodeCreditFacts(b);
};

/** Every receivable record of the chain's state. */
function allReceivables(c: TestChain) {
  return [...c.state.map.entries()].filter(([k]) => k.startsWith("r/")).map(([, v]) => decodeReceivable(v));
}

/** The aggregates in state equal those summed afresh from every receivable record. */
function aggregatesAgree(t: Asserts, c: TestChain, what: string): void {
  const fresh = aggregatesOf(allReceivables(c));
  const inState = new Map([...c.state.map.entries()].filter(([k]) => /^(g|gb|ge|go|gd|i)\//.test(k)));
  t.same([...inState.keys()].sort(), [...fresh.keys()].sort(), `${what}: the same aggregate records`);
  for (const [k, v] of fresh) t.equal(toHex(inState.get(k) ?? new Uint8Array()), toHex(v), `${what}: ${k} equals the sum over the receivables`);
}

// ---- proposeExtension / acceptExtension -------------------------------------------------------------

t.test("proposeExtension then acceptExtension moves the due date; each refusal code", async (t) => {
  const c = newChain();
  const id = invoice(t, c);
  refused(t, c, "bank-a", propose(NOWHERE, "2027-01-31"), "NOT_FOUND");
  refused(t, c, "bank-a", propose(id, "2027-01-31"), "UNAUTHORIZED", /no live financing/);
  const fa = financed(t, c, "bank-a", id, 60n);
  refused(t, c, "bank-b", propose(id, "2027-01-31"), "UNAUTHORIZED", /no live financing/);
  refused(t, c, "seller", propose(id, "2027-01-31"), "UNAUTHORIZED", /ENTERPRISE may not/);
  refused(t, c, "bank-a", propose(id, "2026-12-31"), "EXTENSION_INVALID", /not after the current one/);
  refused(t, c, "bank-a", propose(id, "2026-12-01"), "EXTENSION_INVALID", /not after/);
  refused(t, c, "seller", accept(id, "2027-01-31"), "INVALID_STATE", /no extension .* pending/);

  const p = run(t, c, "bank-a", propose(id, "2027-01-31"));
  t.same(p.events, [{ type: "extensionProposed", receivableId: id, bankId: "bank-a", dueDate: "2026-12-31", newDueDate: "2027-01-31" }]);
  t.match(c.receivable(id), { dueDate: "2026-12-31", extensionBankId: "bank-a", extensionDueDate: "2027-01-31" });
  refused(t, c, "other-seller", accept(id, "2027-01-31"), "UNAUTHORIZED", /only its exporter/);
  refused(t, c, "bank-a", accept(id, "2027-01-31"), "UNAUTHORIZED", /BANK may not/);
  refused(t, c, "seller", accept(id, "2027-02-28"), "EXTENSION_INVALID", /pending proposal is 2027-01-31/);
  // a second bank joins: the proposal is stale, and no single bank may move the date now
  financed(t, c, "bank-b", id, 10n);
  refused(t, c, "seller", accept(id, "2027-01-31"), "INVALID_STATE", /stale/);
  refused(t, c, "bank-a", propose(id, "2027-02-28"), "INVALID_STATE", /financed by bank-a, bank-b/);
  const fb = c.receivable(id).financings[1]!.id;
  ok(t, c.submit("bank-b", repay(id, fb, 10n)));
  const a = run(t, c, "seller", accept(id, "2027-01-31"));
  t.same(a.events, [{ type: "extensionAccepted", receivableId: id, exporterId: "seller", bankId: "bank-a", previousDueDate: "2026-12-31", dueDate: "2027-01-31" }]);
  t.match(c.receivable(id), { dueDate: "2027-01-31", extensions: 1, extensionBankId: "", extensionDueDate: "", extensionProposedAt: 0n });
  refused(t, c, "seller", accept(id, "2027-01-31"), "INVALID_STATE", /no extension/);
  // the bank's book now ages the financing at the new date
  t.same(book(c, "bank-a")!.currencies[0]!.due, [{ dueDate: "2027-01-31", count: 1, amount: 60n }]);
  t.equal(facts(c, "seller")!.extended, 1);
  // a proposed date that has passed by the time the exporter accepts
  const late = invoice(t, c, { dueDate: "2026-10-10" });
  financed(t, c, "bank-a", late, 5n);
  ok(t, c.submit("bank-a", propose(late, "2026-10-20")));
  c.time = T0 + 30n * DAY;
  refused(t, c, "seller", accept(late, "2026-10-20"), "EXTENSION_INVALID", /has passed/);
  refused(t, c, "bank-a", propose(late, "2026-10-25"), "EXTENSION_INVALID", /before the block's date/);
  // settled: terms no longer change
  ok(t, c.submit("bank-a", repay(id, fa, 60n)));
  t.equal(c.receivable(id).status, "SETTLED");
  refused(t, c, "bank-a", propose(id, "2027-03-31"), "INVALID_STATE", /SETTLED/);
  aggregatesAgree(t, c, "after extensions");
});

// ---- writeOff ------------------------------------------------------------------------------------------

t.test("writeOff: the outstanding becomes a loss and the receivable DEFAULTED; each refusal code", async (t) => {
  const c = newChain();
  const id = invoice(t, c, { amount: 100n });
  const fa = financed(t, c, "bank-a", id, 60n);
  const fb = financed(t, c, "bank-b", id, 30n);
  ok(t, c.submit("bank-a", repay(id, fa, 20n)));
  refused(t, c, "bank-a", writeOff(NOWHERE, fa), "NOT_FOUND");
  refused(t, c, "bank-a", writeOff(id, toHex(h32("no financing"))), "NOT_FOUND", /no financing/);
  refused(t, c, "bank-b", writeOff(id, fa), "UNAUTHORIZED", /only that bank/);
  refused(t, c, "seller", writeOff(id, fa), "UNAUTHORIZED", /ENTERPRISE may not/);
  refused(t, c, "auditor", writeOff(id, fa), "UNAUTHORIZED");
  const w = run(t, c, "bank-a", writeOff(id, fa));
  t.same(w.events, [
    { type: "financingWrittenOff", receivableId: id, financingId: fa, bankId: "bank-a", amount: 40n },
    { type: "receivableDefaulted", receivableId: id },
  ]);
  const r = c.receivable(id);
  t.match(r, { status: "DEFAULTED" });
  t.match(r.financings[0], { amount: 60n, repaid: 20n, writtenOff: 40n });
  t.ok(r.financings[0]!.writtenOffAt > 0n);
  t.equal(liveFinanced(r), 30n, "only bank-b's financing is live");
  refused(t, c, "bank-a", writeOff(id, fa), "INVALID_STATE", /written off already/);
  // what DEFAULTED means for the other rules
  refused(t, c, "bank-a", repay(id, fa, 1n), "INVALID_STATE", /written off/);
  refused(t, c, "bank-a", finance(id, 10n), "INVALID_STATE", /DEFAULTED/);
  refused(t, c, "bank-b", finance(id, 10n), "INVALID_STATE", /DEFAULTED/);
  refused(t, c, "seller", tx.cancelReceivable({ receivableId: id, reason: "x" }), "INVALID_STATE");
  refused(t, c, "bank-b", propose(id, "2027-01-31"), "INVALID_STATE", /DEFAULTED/);
  // the other bank is still repaid, and a second write-off adds its loss without a second default event
  ok(t, c.submit("bank-b", repay(id, fb, 10n)));
  t.equal(c.receivable(id).status, "DEFAULTED", "repayment does not undo a default");
  const w2 = run(t, c, "bank-b", writeOff(id, fb));
  t.same(w2.events, [{ type: "financingWrittenOff", receivableId: id, financingId: fb, bankId: "bank-b", amount: 20n }]);
  refused(t, c, "bank-b", writeOff(id, fb), "INVALID_STATE");
  // a repaid financing has nothing to write off
  const other = invoice(t, c);
  const fo = financed(t, c, "bank-a", other, 50n);
  ok(t, c.submit("bank-a", repay(other, fo, 50n)));
  refused(t, c, "bank-a", writeOff(other, fo), "INVALID_STATE", /repaid/);
  // the books: losses recorded, nothing live left on the defaulted receivable
  t.match(book(c, "bank-a")!.currencies[0], { outstanding: 0n, receivables: 0, writtenOff: 40n, writtenOffCount: 1 });
  t.match(book(c, "bank-b")!.currencies[0], { outstanding: 0n, writtenOff: 20n, writtenOffCount: 1 });
  t.match(facts(c, "seller"), { defaulted: 1, settledOnTime: 1 });
  // the fingerprint of a defaulted invoice stays taken
  t.equal(c.fingerprintHolder(r.fingerprint), id);
  aggregatesAgree(t, c, "after write-offs");
});

// ---- grantConsent and attestFinancials -----------------------------------------------------------------

t.test("grantConsent: a party lets a bank read until a date; UNKNOWN_PARTY, UNAUTHORIZED", async (t) => {
  const c = newChain();
  refused(t, c, "seller", tx.grantConsent({ bank: "customs", expiryDate: "2027-06-30" }), "UNKNOWN_PARTY", /not a registered BANK/);
  refused(t, c, "seller", tx.grantConsent({ bank: "nobody", expiryDate: "2027-06-30" }), "UNKNOWN_PARTY");
  refused(t, c, "bank-a", tx.grantConsent({ bank: "bank-b", expiryDate: "2027-06-30" }), "UNAUTHORIZED");
  refused(t, c, "auditor", tx.grantConsent({ bank: "bank-b", expiryDate: "2027-06-30" }), "UNAUTHORIZED");
  const r = run(t, c, "seller", tx.grantConsent({ bank: "bank-a", expiryDate: "2027-06-30" }));
  t.same(r.events, [{ type: "consentGranted", partyId: "seller", bankId: "bank-a", expiryDate: "2027-06-30" }]);
  t.equal(r.target, "bank-a");
  t.match(decodeConsent(c.state.get(KEY.consent("seller", "bank-a"))!), { partyId: "seller", bankId: "bank-a", expiryDate: "2027-06-30" });
  run(t, c, "seller", tx.grantConsent({ bank: "bank-a", expiryDate: "2026-01-01" }));
  t.equal(decodeConsent(c.state.get(KEY.consent("seller", "bank-a"))!).expiryDate, "2026-01-01", "a later grant replaces the earlier one (a past date revokes)");
  run(t, c, "warehouse", tx.grantConsent({ bank: "bank-b", expiryDate: "2027-01-01" }));
});

t.test("attestFinancials: a BANK or AUDITOR attests another party's figures; MALFORMED, UNKNOWN_PARTY, UNAUTHORIZED", async (t) => {
  const c = newChain();
  const stmt = (partyId: string, figures: { name: string; amount: bigint | string }[] = [{ name: "revenue", amount: "125000000" }, { name: "net_income", amount: "-3000000" }]) =>
    tx.attestFinancials({ partyId, periodStart: "2025-01-01", periodEnd: "2025-12-31", currency: "USD", figures, documentHash: h32(`stmt/${partyId}`) });
  const r = run(t, c, "auditor", stmt("seller"));
  t.same(r.events, [{ type: "financialsAttested", partyId: "seller", attestedBy: "auditor", periodEnd: "2025-12-31", documentHash: h32("stmt/seller") }]);
  run(t, c, "bank-a", stmt("seller"));
  refused(t, c, "seller", stmt("seller"), "UNAUTHORIZED", /ENTERPRISE may not/);
  refused(t, c, "customs", stmt("seller"), "UNAUTHORIZED");
  refused(t, c, "bank-a", stmt("bank-a"), "UNAUTHORIZED", /its own/);
  refused(t, c, "bank-a", stmt("nobody"), "UNKNOWN_PARTY");
  t.throws(() => stmt("seller", []), /figures/, "the builder refuses an empty statement");
  t.throws(() => stmt("seller", [{ name: "Revenue", amount: 1n }]), /name/);
  t.throws(() => stmt("seller", [{ name: "a", amount: 1n }, { name: "a", amount: 2n }]), /repeats/);
  t.throws(() => stmt("seller", [{ name: "a", amount: "1.5" }]), /amount/);
  t.throws(() => tx.attestFinancials({ partyId: "seller", periodStart: "2026-01-01", periodEnd: "2025-12-31", currency: "USD", figures: [{ name: "a", amount: 1n }], documentHash: h32("x") }), /periodEnd/);
  // a hand-built body with a bad figure is MALFORMED in consensus
  const raw = c.signRaw("bank-a", { type: "attestFinancials", partyId: "seller", periodStart: "2025-01-01", periodEnd: "2025-12-31", currency: "USD", figures: [{ name: "Net Income", amount: 1n }], documentHash: h32("raw") } as TxPayload);
  t.equal(c.run(raw).code, "MALFORMED");
});

// ---- prefetch --------------------------------------------------------------------------------------------

t.test("accessKeys prefetches the aggregates a lending transaction moves", async (t) => {
  const c = newChain();
  const id = invoice(t, c);
  const fa = financed(t, c, "bank-a", id, 60n);
  const other = invoice(t, c);
  const txs = [
    c.sign("bank-a", propose(id, "2027-01-31")),
    c.sign("seller", accept(id, "2027-01-31")),
    c.sign("bank-b", finance(other, 10n)),
    c.sign("bank-a", writeOff(id, fa)),
    c.sign("seller", tx.grantConsent({ bank: "bank-a", expiryDate: "2027-01-01" })),
    c.sign("seller", tx.registerReceivable({ documentHash: h32("pf"), fingerprint: h32("pffp"), buyerId: "x", amount: 5n, currency: "EUR", issueDate: "2026-10-01", dueDate: "2026-12-31" })),
  ];
  const misses: string[] = [];
  const { receipts } = executeBlock(guardedReader(c.state, prefetchKeys(c.state, txs), (k) => misses.push(k)), txs, c.blockContext(), c.deps);
  t.same(codes(receipts), ["OK", "OK", "OK", "OK", "OK", "OK"]);
  t.same(misses, [], "every key read was prefetched");
});

// ---- aging, reports, indicators ---------------------------------------------------------------------------

t.test("agingBucket: current, 1-30, 31-90, more than 90 days past due", async (t) => {
  t.same([0, 1, 30, 31, 90, 91, 4000].map((d) => agingBucket(BigInt(d))), ["current", "1-30", "1-30", "31-90", "31-90", ">90", ">90"]);
  const at = (date: string) => BigInt(Date.parse(`${date}T12:00:00Z`));
  t.equal(daysPastDue("2026-12-31", at("2026-12-31")), 0n, "on the due date: current");
  t.equal(daysPastDue("2026-12-31", at("2027-01-01")), 1n);
  t.equal(daysPastDue("2026-12-31", at("2027-03-31")), 90n);
  t.equal(daysPastDue("2026-12-31", at("2027-04-01")), 91n);
  t.equal(daysPastDue("2026-12-31", at("2026-06-01")), 0n, "before the due date");
});

t.test("aging and concentration of a bank's book; NPL ratio in basis points", async (t) => {
  const c = newChain();
  const a = invoice(t, c, { amount: 1000n, dueDate: "2026-10-31", buyerPartyId: "buyer" });
  const b = invoice(t, c, { amount: 1000n, dueDate: "2026-11-15" });
  const d = invoice(t, c, { seller: "other-seller", amount: 1000n, dueDate: "2027-03-01" });
  financed(t, c, "bank-a", a, 600n);
  financed(t, c, "bank-a", b, 300n);
  financed(t, c, "bank-a", d, 100n);
  const bk = book(c, "bank-a")!;
  const time = BigInt(Date.parse("2027-02-15T00:00:00Z"));
  const [usd] = agingOf(bk, time);
  // a: 107 days past due (NPL), b: 92 (NPL), d: current
  t.match(usd, { currency: "USD", outstanding: 1000n, receivables: 3, nplRatioBp: 9000n });
  t.same(usd!.buckets, { current: { count: 1, amount: 100n }, "1-30": { count: 0, amount: 0n }, "31-90": { count: 0, amount: 0n }, ">90": { count: 2, amount: 900n } });
  const [aged] = agingOf(bk, BigInt(Date.parse("2026-11-20T00:00:00Z")));
  t.same(aged!.buckets["1-30"], { count: 2, amount: 900n }, "20 and 5 days past due");
  const [conc] = concentrationOf(bk);
  t.same(
    conc!.byExporter.map((l) => [l.partyId, l.amount, l.shareBp]),
    [
      ["seller", 900n, 9000n],
      ["other-seller", 100n, 1000n],
    ],
  );
  t.same(
    conc!.byObligor.map((l) => [l.partyId, l.shareBp]),
    [
      ["buyer:acme-gmbh", 4000n],
      ["buyer", 6000n],
    ].sort((x, y) => Number(y[1]) - Number(x[1])),
  );
  t.equal(conc!.exporterHhiBp, 8200n, "0.9² + 0.1² = 0.82");
  t.equal(hhiBp([1n, 1n, 1n, 1n]), 2500n);
  t.equal(hhiBp([]), 0n);
});

t.test("credit indicators from the running facts; scoreParty with the example scorecard", async (t) => {
  const c = newChain();
  // four receivables on two buyers: one settled on time, one late, one defaulted, one live and overdue
  const onTime = invoice(t, c, { amount: 100n, dueDate: "2026-10-20", buyerPartyId: "buyer" });
  const late = invoice(t, c, { amount: 100n, dueDate: "2026-10-10", buyerPartyId: "buyer" });
  const bad = invoice(t, c, { amount: 100n, dueDate: "2026-10-15" });
  const open = invoice(t, c, { amount: 200n, dueDate: "2026-10-25", attested: false, buyerPartyId: "buyer" });
  ok(t, c.submit("buyer", tx.acknowledgeReceivable({ receivableId: open, amount: 200n, dueDate: "2026-10-25" })));
  const f1 = financed(t, c, "bank-a", onTime, 100n);
  const f2 = financed(t, c, "bank-a", late, 100n);
  const f3 = financed(t, c, "bank-b", bad, 50n);
  financed(t, c, "bank-b", open, 150n);
  ok(t, c.submit("bank-a", repay(onTime, f1, 100n)));
  c.time = T0 + 20n * DAY; // 2026-10-22
  ok(t, c.submit("bank-a", repay(late, f2, 100n)));
  ok(t, c.submit("bank-b", writeOff(bad, f3)));
  refused(t, c, "seller", tx.cancelReceivable({ receivableId: NOWHERE, reason: "x" }), "NOT_FOUND");
  const f = facts(c, "seller")!;
  t.match(f, { receivables: 4, attested: 3, acknowledged: 1, settledOnTime: 1, settledLate: 1, defaulted: 1 });
  const time = BigInt(Date.parse("2027-01-01T00:00:00Z"));
  const ind = indicatorsOf({ facts: f, party: { id: "seller", registeredAt: 0n }, timeMs: time, genesisTimeMs: T0, rejectedAttempts: 1 });
  t.match(ind, {
    version: 2,
    receivables: 4,
    settledOnTime: 1,
    settledLate: 1,
    writtenOff: 1,
    overdueCount: 1,
    attestedShareBp: 7500n,
    acknowledgedShareBp: 2500n,
    // buyer (3 receivables) and buyer:acme-gmbh (1): (9 + 1) / 16
    buyerHhiBp: 6250n,
    buyers: 2,
    rejectedAttempts: 1,
    monthsOnNetwork: 3, // from the genesis time, 2026-10-01
  });
  t.match(ind.currencies[0], { currency: "USD", outstanding: 150n, overdueAmount: 150n, overdueCount: 1, attestedExports12m: 300n, leverageBp: 5000n, writtenOff: 50n });
  const again = indicatorsOf({ facts: f, party: { id: "seller", registeredAt: 0n }, timeMs: time, genesisTimeMs: T0, rejectedAttempts: 1 });
  t.same(again, ind, "a pure function of its inputs");
  // a year on, the attested exports have left the 12-month window
  const later = indicatorsOf({ facts: f, party: { id: "seller", registeredAt: 0n }, timeMs: BigInt(Date.parse("2027-11-01T00:00:00Z")), genesisTimeMs: T0, rejectedAttempts: 1 });
  t.match(later.currencies[0], { attestedExports12m: 0n, leverageBp: null });
  const score = scoreParty(ind, EXAMPLE_SCORECARD);
  // base 600; onTime 50% -60; writtenOff 1 -120; overdue 1 -30; attested 75% 0; acknowledged 25% 0;
  // HHI 6250 -30; rejected 1 -20; months 2 -20; leverage 50% 0
  t.equal(score.score, 600 - 60 - 120 - 30 + 0 + 0 - 30 - 20 - 20 + 0);
  t.equal(score.scorecardHash, scorecardHash(EXAMPLE_SCORECARD));
  t.equal(score.scorecardHash.length, 64);
  t.equal(score.lines.length, EXAMPLE_SCORECARD.characteristics.length);
  t.throws(() => scoreParty(ind, { id: "x", base: 0, characteristics: [{ indicator: "nope" as never, bins: [{ min: "0", points: 1 }] }] }), /indicator/);
  t.throws(() => scoreParty(ind, { id: "x", base: 0, characteristics: [{ indicator: "writtenOff", bins: [{ min: "5", points: 1 }, { min: "1", points: 2 }] }] }), /ascend/);
  t.equal(wholeMonths(BigInt(Date.parse("2026-01-31T00:00:00Z")), BigInt(Date.parse("2026-02-28T00:00:00Z"))), 0);
  t.equal(wholeMonths(BigInt(Date.parse("2026-01-15T00:00:00Z")), BigInt(Date.parse("2027-01-15T00:00:00Z"))), 12);
  aggregatesAgree(t, c, "after the indicator story");
});
