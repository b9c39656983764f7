// The buyer's word (DESIGN.md §9, docs/ledger.md): acknowledgement, dispute, notice of assignment, and
// what they change in financing. One table test per rule and per code, through the real applyTx, with
// transactions built and signed by the SDK as a client would. Every rejection is checked to write
// nothing and emit nothing.
import t from "tap";
import { tx } from "../sdk/builders.js";
import { toHex } from "../sdk/bytes.js";
import { availableToFinance, financeBlocker, financingCeiling, tradeBacking } from "../sdk/domain.js";
import { TX_FORMATS, type TxPayload, type TxType } from "../sdk/transactions/index.js";
import type { Event, Receipt, ResultCode } from "../sdk/types.js";
import { executeBlock } from "../node/ledger/execute.js";
import { type Tx } from "../sdk/tx.js";
import { T0, DAY, TestChain, codes, guardedReader, h32, invoiceFingerprint, makeParty, prefetchKeys } from "./ledger-harness.js";

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
    makeParty("buyer", "ENTERPRISE", "DE"),
    makeParty("stranger", "ENTERPRISE"),
    makeParty("auditor", "AUDITOR"),
  ]);
}

let counter = 0;

/** `seller` registers an invoice owed by `buyer` (a party id; "" for a buyer off the network); returns its id. */
function invoice(t: Asserts, c: TestChain, o: { seller?: string; buyer?: string; amount?: bigint; dueDate?: string } = {}): string {
  const n = ++counter;
  const seller = o.seller ?? "seller";
  const buyer = o.buyer ?? "buyer";
  const r = c.submit(
    seller,
    tx.registerReceivable({
      documentHash: h32(`buyer-inv/${n}`),
      fingerprint: invoiceFingerprint(seller, buyer || "off-network", `B-${n}`, "USD"),
      buyerId: `${buyer || "off-network"}-erp`,
      ...(buyer ? { buyerPartyId: buyer } : {}),
      amount: o.amount ?? 100n,
      currency: "USD",
      issueDate: "2026-10-01",
      dueDate: o.dueDate ?? "2026-12-31",
    }),
  );
  return ok(t, r, "register").target;
}

function attest(t: Asserts, c: TestChain, id: string, seller = "seller"): void {
  const r = c.submit(
    "customs",
    tx.attestShipment({
      declarationFingerprint: h32(`decl/${id}`),
      declarationHash: h32(`declhash/${id}`),
      exporterId: seller,
      declaredValue: 1_000_000n,
      currency: "USD",
      exportDate: "2026-10-02",
      receivableIds: [id],
    }),
  );
  ok(t, r, "attest");
}

function ok(t: Asserts, r: Receipt, what = ""): Receipt {
  t.equal(r.code, "OK", `${what} ${r.message}`.trim());
  return r;
}

/** Runs a transaction that must be rejected with `code`: no events, and state byte-identical. */
function refused(t: Asserts, c: TestChain, signer: string, payload: TxPayload, code: ResultCode, pattern?: RegExp): Receipt {
  const before = c.stateHash();
  const r = c.submit(signer, payload);
  t.equal(r.code, code, `${payload.type} by ${signer}: ${r.message}`);
  t.same(r.events, [], "a rejection emits no event");
  t.equal(c.stateHash(), before, "a rejection writes nothing");
  if (pattern) t.match(r.message, pattern, `the message says why: ${pattern}`);
  return r;
}

const ack = (receivableId: string, amount: bigint, dueDate = "2026-12-31") => tx.acknowledgeReceivable({ receivableId, amount, dueDate });
const dispute = (receivableId: string, reason = "goods not delivered") => tx.disputeReceivable({ receivableId, reason });
const resolve = (receivableId: string) => tx.resolveDispute({ receivableId });
const notify = (receivableId: string, account = "acct-a") => tx.notifyAssignment({ receivableId, payeeAccountHash: h32(`account/${account}`) });
const finance = (receivableId: string, amount: bigint, requireAcknowledgement?: boolean) =>
  tx.financeReceivable({ receivableId, amount, currency: "USD", ...(requireAcknowledgement === undefined ? {} : { requireAcknowledgement }) });
const NOWHERE = toHex(h32("no such receivable"));

/** Each event checks out against the transaction that emitted it (what verifyHistory does). */
function eventsCheck(t: Asserts, signed: Tx, r: Receipt): void {
  const format = TX_FORMATS[signed.body.payload.type as TxType];
  for (const e of r.events) {
    const check = (format.events as Record<string, (e: Event, p: unknown, tx: { hashHex: string; signer: string }) => string | null>)[e.type];
    t.equal(check?.(e, signed.body.payload, { hashHex: signed.hashHex, signer: signed.body.signer }), null, `${e.type} checks against its ${signed.body.payload.type}`);
  }
}

function run(t: Asserts, c: TestChain, signer: string, payload: TxPayload): Receipt {
  const signed = c.sign(signer, payload);
  const r = ok(t, c.run(signed), payload.type);
  eventsCheck(t, signed, r);
  return r;
}

// ---- registration --------------------------------------------------------------------------------

t.test("registerReceivable: the buyer must be a registered ENTERPRISE other than the seller (UNKNOWN_PARTY)", async (t) => {
  const c = newChain();
  const reg = (buyerPartyId: string) =>
    tx.registerReceivable({ documentHash: h32(`r/${buyerPartyId}`), fingerprint: h32(`rf/${buyerPartyId}`), buyerId: "x", buyerPartyId, amount: 1n, currency: "USD", issueDate: "2026-10-01", dueDate: "2026-12-31" });
  for (const [buyer, why] of [
    ["seller", /its own buyer/],
    ["bank-a", /not a registered ENTERPRISE/],
    ["auditor", /not a registered ENTERPRISE/],
    ["nobody", /not a registered ENTERPRISE/],
  ] as const) {
    refused(t, c, "seller", reg(buyer), "UNKNOWN_PARTY", why);
  }
  const id = ok(t, c.submit("seller", reg("buyer"))).target;
  t.match(c.receivable(id), { buyerPartyId: "buyer", acknowledgedAmount: 0n, disputed: false, payeeBankId: "" });
});

// ---- acknowledgeReceivable ------------------------------------------------------------------------

t.test("acknowledgeReceivable: the buyer confirms what it owes and when", async (t) => {
  const c = newChain();
  const id = invoice(t, c, { amount: 100n });
  const r = run(t, c, "buyer", ack(id, 90n, "2027-01-15"));
  t.same(r.events, [{ type: "receivableAcknowledged", receivableId: id, buyerPartyId: "buyer", amount: 90n, dueDate: "2027-01-15" }]);
  t.match(c.receivable(id), { status: "REGISTERED", acknowledgedAmount: 90n, acknowledgedDueDate: "2027-01-15", dueDate: "2026-12-31" });
  t.ok(c.receivable(id).acknowledgedAt > 0n, "the time of the acknowledgement is kept");
  // a later acknowledgement replaces it, up to the face value
  run(t, c, "buyer", ack(id, 100n, "2027-01-31"));
  t.match(c.receivable(id), { acknowledgedAmount: 100n, acknowledgedDueDate: "2027-01-31" });
  run(t, c, "buyer", ack(id, 40n));
  t.match(c.receivable(id), { acknowledgedAmount: 40n });
});

t.test("acknowledgeReceivable: NOT_FOUND, UNAUTHORIZED, INVALID_STATE, DISPUTED, EXCEEDS_FACE_VALUE", async (t) => {
  const c = newChain();
  const id = invoice(t, c, { amount: 100n });
  const offNetwork = invoice(t, c, { buyer: "" });
  const cancelled = invoice(t, c);
  ok(t, c.submit("seller", tx.cancelReceivable({ receivableId: cancelled })));
  const settled = invoice(t, c, { amount: 10n });
  attest(t, c, settled);
  const fin = c.sign("bank-a", finance(settled, 10n));
  ok(t, c.run(fin));
  ok(t, c.submit("bank-a", tx.recordRepayment({ receivableId: settled, financingId: fin.hashHex, amount: 10n })));
  const disputed = invoice(t, c);
  ok(t, c.submit("buyer", dispute(disputed)));
  const cases: [string, string, TxPayload, ResultCode, RegExp?][] = [
    ["no such receivable", "buyer", ack(NOWHERE, 1n), "NOT_FOUND"],
    ["the seller speaks for its buyer", "seller", ack(id, 1n), "UNAUTHORIZED", /owed by buyer/],
    ["another enterprise", "stranger", ack(id, 1n), "UNAUTHORIZED", /owed by buyer/],
    ["a buyer off the network", "buyer", ack(offNetwork, 1n), "UNAUTHORIZED", /no buyer on the network/],
    ["a bank (by role)", "bank-a", ack(id, 1n), "UNAUTHORIZED", /BANK may not acknowledgeReceivable/],
    ["an auditor (by role)", "auditor", ack(id, 1n), "UNAUTHORIZED"],
    ["cancelled", "buyer", ack(cancelled, 1n), "INVALID_STATE", /CANCELLED/],
    ["settled", "buyer", ack(settled, 1n), "INVALID_STATE", /SETTLED/],
    ["disputed: resolve first", "buyer", ack(disputed, 1n), "DISPUTED"],
    ["above face value", "buyer", ack(id, 101n), "EXCEEDS_FACE_VALUE"],
  ];
  for (const [what, signer, payload, code, pattern] of cases) {
    t.test(what, async (t) => void refused(t, c, signer, payload, code, pattern));
  }
});

t.test("acknowledgeReceivable: a later acknowledgement never goes below the live financing (INVALID_STATE): a buyer that owes less disputes", async (t) => {
  const c = newChain();
  const id = invoice(t, c, { amount: 100n });
  ok(t, c.submit("buyer", ack(id, 80n)));
  ok(t, c.submit("bank-a", finance(id, 60n)), "domestic financing on the buyer's word");
  refused(t, c, "buyer", ack(id, 59n), "INVALID_STATE", /is a dispute/);
  run(t, c, "buyer", ack(id, 60n));
  t.equal(c.receivable(id).acknowledgedAmount, 60n, "down to the live financing is allowed");
  // the same holds for an attested receivable financed without the buyer's word
  const att = invoice(t, c, { amount: 100n });
  attest(t, c, att);
  ok(t, c.submit("bank-b", finance(att, 70n)));
  refused(t, c, "buyer", ack(att, 69n), "INVALID_STATE");
  run(t, c, "buyer", ack(att, 70n));
  // the way to say "I owe less": a dispute, which stops new financing
  run(t, c, "buyer", dispute(att, "credit note CN-7 for 30 USD"));
  refused(t, c, "bank-a", finance(att, 1n), "DISPUTED");
});

// ---- disputeReceivable and resolveDispute ------------------------------------------------------------

t.test("disputeReceivable: a flag with a reason and a time, on any live receivable, financed too", async (t) => {
  const c = newChain();
  const id = invoice(t, c, { amount: 100n });
  attest(t, c, id);
  ok(t, c.submit("bank-a", finance(id, 100n)));
  const r = run(t, c, "buyer", dispute(id, "short delivery: 40 of 100 cartons"));
  t.same(r.events, [{ type: "receivableDisputed", receivableId: id, buyerPartyId: "buyer", reason: "short delivery: 40 of 100 cartons" }]);
  const rec = c.receivable(id);
  t.match(rec, { status: "FINANCED", disputed: true, disputeReason: "short delivery: 40 of 100 cartons" }, "the status is unchanged: a dispute is a flag");
  t.ok(rec.disputedSince > 0n);
  // repayment goes on while disputed
  ok(t, c.submit("bank-a", tx.recordRepayment({ receivableId: id, financingId: rec.financings[0]!.id, amount: 50n })));
  t.match(c.receivable(id), { status: "PARTIALLY_FINANCED", disputed: true });
});

t.test("disputeReceivable: NOT_FOUND, UNAUTHORIZED, INVALID_STATE, DISPUTED", async (t) => {
  const c = newChain();
  const id = invoice(t, c);
  const offNetwork = invoice(t, c, { buyer: "" });
  const cancelled = invoice(t, c);
  ok(t, c.submit("seller", tx.cancelReceivable({ receivableId: cancelled })));
  const already = invoice(t, c);
  ok(t, c.submit("buyer", dispute(already)));
  const cases: [string, string, TxPayload, ResultCode, RegExp?][] = [
    ["no such receivable", "buyer", dispute(NOWHERE), "NOT_FOUND"],
    ["the seller", "seller", dispute(id), "UNAUTHORIZED"],
    ["another enterprise", "stranger", dispute(id), "UNAUTHORIZED"],
    ["a buyer off the network", "buyer", dispute(offNetwork), "UNAUTHORIZED"],
    ["customs (by role)", "customs", dispute(id), "UNAUTHORIZED"],
    ["cancelled", "buyer", dispute(cancelled), "INVALID_STATE", /CANCELLED/],
    ["already disputed", "buyer", dispute(already), "DISPUTED", /already disputed/],
  ];
  for (const [what, signer, payload, code, pattern] of cases) {
    t.test(what, async (t) => void refused(t, c, signer, payload, code, pattern));
  }
});

t.test("resolveDispute: the buyer withdraws its dispute; NOT_FOUND, UNAUTHORIZED, INVALID_STATE", async (t) => {
  const c = newChain();
  const id = invoice(t, c);
  attest(t, c, id);
  refused(t, c, "buyer", resolve(id), "INVALID_STATE", /not disputed/);
  ok(t, c.submit("buyer", dispute(id)));
  refused(t, c, "buyer", resolve(NOWHERE), "NOT_FOUND");
  refused(t, c, "seller", resolve(id), "UNAUTHORIZED");
  refused(t, c, "stranger", resolve(id), "UNAUTHORIZED");
  refused(t, c, "bank-a", resolve(id), "UNAUTHORIZED");
  refused(t, c, "bank-a", finance(id, 1n), "DISPUTED");
  const r = run(t, c, "buyer", resolve(id));
  t.same(r.events, [{ type: "disputeResolved", receivableId: id, buyerPartyId: "buyer" }]);
  t.match(c.receivable(id), { disputed: false, disputeReason: "", disputedSince: 0n });
  ok(t, c.submit("bank-a", finance(id, 1n)), "financeable again");
  refused(t, c, "buyer", resolve(id), "INVALID_STATE");
  // a dispute left open until the receivable settled can still be closed
  const s = invoice(t, c, { amount: 5n });
  attest(t, c, s);
  const fin = c.sign("bank-a", finance(s, 5n));
  ok(t, c.run(fin));
  ok(t, c.submit("buyer", dispute(s)));
  ok(t, c.submit("bank-a", tx.recordRepayment({ receivableId: s, financingId: fin.hashHex, amount: 5n })));
  t.equal(c.receivable(s).status, "SETTLED");
  refused(t, c, "buyer", dispute(s), "INVALID_STATE", /SETTLED/);
  run(t, c, "buyer", resolve(s));
});

// ---- financing ------------------------------------------------------------------------------------

t.test("financeReceivable on a disputed receivable: DISPUTED, after INVALID_STATE and TRADE_REF_USED, before NOT_ATTESTED", async (t) => {
  const c = newChain();
  // attested, disputed
  const a = invoice(t, c);
  attest(t, c, a);
  ok(t, c.submit("buyer", dispute(a)));
  refused(t, c, "bank-a", finance(a, 1n), "DISPUTED", /disputed by its buyer buyer/);
  refused(t, c, "bank-a", finance(a, 1n, true), "DISPUTED");
  // neither attested nor acknowledged, disputed: the dispute is what answers
  const r = invoice(t, c);
  ok(t, c.submit("buyer", dispute(r)));
  refused(t, c, "bank-a", finance(r, 1n), "DISPUTED");
  // cancelled while disputed: INVALID_STATE first
  ok(t, c.submit("seller", tx.cancelReceivable({ receivableId: r })));
  refused(t, c, "bank-a", finance(r, 1n), "INVALID_STATE");
  // committed to a warrant, then disputed: TRADE_REF_USED first
  ok(t, c.submit("bank-a", tx.grantCreditLine({ lineId: "line-1", obligor: "buyer", currency: "USD", limit: 1_000_000n, expiryDate: "2027-12-31" })));
  const w = invoice(t, c, { amount: 100n });
  ok(t, c.submit("buyer", tx.issueWarrant({ lineId: "line-1", holder: "seller", amount: 100n, currency: "USD", maturityDate: "2027-03-31", sources: [w] })));
  ok(t, c.submit("buyer", dispute(w)));
  refused(t, c, "bank-a", finance(w, 1n), "TRADE_REF_USED");
  t.equal(availableToFinance(c.receivable(w)), 0n, "a receivable committed to a warrant has no room to finance");
});

t.test("requireAcknowledgement: live + amount within the acknowledged amount (NOT_ACKNOWLEDGED)", async (t) => {
  const c = newChain();
  const id = invoice(t, c, { amount: 100n });
  attest(t, c, id);
  refused(t, c, "bank-a", finance(id, 1n, true), "NOT_ACKNOWLEDGED", /has not acknowledged/);
  ok(t, c.submit("buyer", ack(id, 60n)));
  refused(t, c, "bank-a", finance(id, 61n, true), "NOT_ACKNOWLEDGED", /acknowledged 60 USD/);
  ok(t, c.submit("bank-a", finance(id, 40n, true)));
  refused(t, c, "bank-b", finance(id, 21n, true), "NOT_ACKNOWLEDGED", /on top of 40 USD/);
  ok(t, c.submit("bank-b", finance(id, 20n, true)));
  // without the requirement, an attested receivable is financed up to its face value
  t.equal(availableToFinance(c.receivable(id)), 40n);
  ok(t, c.submit("bank-b", finance(id, 40n)));
  t.equal(c.receivable(id).status, "FINANCED");
  // face value and double financing are judged first: they are the graver attempts
  refused(t, c, "bank-a", finance(id, 1n, true), "DOUBLE_FINANCING");
  const big = invoice(t, c, { amount: 10n });
  attest(t, c, big);
  refused(t, c, "bank-a", finance(big, 11n, true), "EXCEEDS_FACE_VALUE");
  // requireAcknowledgement = false is the default
  t.equal(tx.financeReceivable({ receivableId: big, amount: 1n, currency: "USD" }).requireAcknowledgement, false);
});

t.test("domestic trade: a REGISTERED receivable its buyer acknowledged is financed without customs, up to the acknowledged amount", async (t) => {
  const c = newChain();
  const id = invoice(t, c, { amount: 100n });
  t.equal(tradeBacking(c.receivable(id)), undefined);
  refused(t, c, "bank-a", finance(id, 1n), "NOT_ATTESTED", /its buyer has not acknowledged it/);
  refused(t, c, "bank-a", finance(id, 1n, true), "NOT_ATTESTED", undefined);
  const offNetwork = invoice(t, c, { buyer: "" });
  refused(t, c, "bank-a", finance(offNetwork, 1n), "NOT_ATTESTED", /no customs-attested shipment$/);

  ok(t, c.submit("buyer", ack(id, 70n)));
  t.equal(tradeBacking(c.receivable(id)), "buyer");
  t.same(financingCeiling(c.receivable(id)), { amount: 70n, by: "acknowledgement" });
  t.equal(availableToFinance(c.receivable(id)), 70n, "the view's room is the acknowledged amount");
  refused(t, c, "bank-a", finance(id, 71n), "NOT_ACKNOWLEDGED", /acknowledged 70 USD/);
  const f1 = run(t, c, "bank-a", finance(id, 50n));
  t.match(f1.events[0], { type: "receivableFinanced", amount: 50n, liveFinanced: 50n });
  t.match(c.receivable(id), { status: "PARTIALLY_FINANCED", attestedBy: "" });
  refused(t, c, "bank-b", finance(id, 21n), "NOT_ACKNOWLEDGED", /on top of 50 USD/);
  ok(t, c.submit("bank-b", finance(id, 20n)));
  t.equal(availableToFinance(c.receivable(id)), 0n);
  t.equal(c.receivable(id).status, "PARTIALLY_FINANCED", "70 of 100 financed");
  // the buyer raises its acknowledgement: the room follows
  ok(t, c.submit("buyer", ack(id, 100n)));
  t.equal(availableToFinance(c.receivable(id)), 30n);
  ok(t, c.submit("bank-a", finance(id, 30n)));
  t.equal(c.receivable(id).status, "FINANCED");
  refused(t, c, "bank-a", finance(id, 1n), "DOUBLE_FINANCING");
  // once financed on the buyer's word it can no longer be attested (nor cancelled)
  refused(t, c, "customs", tx.attestShipment({ declarationFingerprint: h32("late"), declarationHash: h32("late-h"), exporterId: "seller", declaredValue: 1000n, currency: "USD", exportDate: "2026-10-02", receivableIds: [id] }), "INVALID_STATE");
  refused(t, c, "seller", tx.cancelReceivable({ receivableId: id }), "INVALID_STATE");
});

t.test("domestic trade keeps the other finance rules: OVERDUE, CURRENCY_MISMATCH, and a dispute stops it", async (t) => {
  const c = newChain();
  const id = invoice(t, c, { amount: 100n, dueDate: "2026-10-01" });
  ok(t, c.submit("buyer", ack(id, 100n, "2026-10-15")));
  refused(t, c, "bank-a", tx.financeReceivable({ receivableId: id, amount: 1n, currency: "EUR" }), "CURRENCY_MISMATCH");
  // the invoice's due date decides OVERDUE, not the buyer's payment date
  c.time = T0 + 2n * DAY;
  refused(t, c, "bank-a", finance(id, 1n), "OVERDUE");
  const d = invoice(t, c, { amount: 100n });
  ok(t, c.submit("buyer", ack(d, 100n)));
  ok(t, c.submit("buyer", dispute(d)));
  t.equal(financeBlocker(c.receivable(d)), "DISPUTED");
  t.equal(availableToFinance(c.receivable(d)), 0n, "a disputed receivable has no room to finance");
  refused(t, c, "bank-a", finance(d, 1n), "DISPUTED");
  ok(t, c.submit("buyer", resolve(d)));
  ok(t, c.submit("bank-a", finance(d, 100n)));
});

// ---- notifyAssignment -------------------------------------------------------------------------------

t.test("notifyAssignment: a financing bank tells the buyer whom to pay; PAYEE_LOCKED for another bank while it finances", async (t) => {
  const c = newChain();
  const id = invoice(t, c, { amount: 100n });
  attest(t, c, id);
  refused(t, c, "bank-a", notify(id), "UNAUTHORIZED", /no live financing/);
  const fa = c.sign("bank-a", finance(id, 60n));
  ok(t, c.run(fa));
  ok(t, c.submit("bank-b", finance(id, 40n)));
  const r = run(t, c, "bank-a", notify(id, "a-1"));
  t.same(r.events, [{ type: "assignmentNotified", receivableId: id, bankId: "bank-a", payeeAccountHash: h32("account/a-1"), buyerPartyId: "buyer" }]);
  t.match(c.receivable(id), { payeeBankId: "bank-a", payeeAccountHash: h32("account/a-1") });
  t.ok(c.receivable(id).payeeNotifiedAt > 0n);
  refused(t, c, "bank-b", notify(id, "b-1"), "PAYEE_LOCKED", /set by bank-a/);
  run(t, c, "bank-a", notify(id, "a-2"));
  t.same(c.receivable(id).payeeAccountHash, h32("account/a-2"), "the notifying bank may change it");
  // a dispute does not stop the notice
  ok(t, c.submit("buyer", dispute(id)));
  run(t, c, "bank-a", notify(id, "a-3"));
  // once bank-a is repaid, the lock lapses for a bank that still finances the receivable
  ok(t, c.submit("bank-a", tx.recordRepayment({ receivableId: id, financingId: fa.hashHex, amount: 60n })));
  refused(t, c, "bank-a", notify(id, "a-4"), "UNAUTHORIZED", /no live financing/);
  run(t, c, "bank-b", notify(id, "b-1"));
  t.match(c.receivable(id), { payeeBankId: "bank-b", payeeAccountHash: h32("account/b-1") });
});

t.test("notifyAssignment: NOT_FOUND, UNAUTHORIZED by role and without a live financing", async (t) => {
  const c = newChain();
  const id = invoice(t, c, { amount: 10n });
  attest(t, c, id);
  const fin = c.sign("bank-a", finance(id, 10n));
  ok(t, c.run(fin));
  const cases: [string, string, TxPayload, ResultCode, RegExp?][] = [
    ["no such receivable", "bank-a", notify(NOWHERE), "NOT_FOUND"],
    ["a bank that does not finance it", "bank-b", notify(id), "UNAUTHORIZED", /no live financing/],
    ["the buyer (by role)", "buyer", notify(id), "UNAUTHORIZED", /ENTERPRISE may not notifyAssignment/],
    ["the seller (by role)", "seller", notify(id), "UNAUTHORIZED"],
    ["customs (by role)", "customs", notify(id), "UNAUTHORIZED"],
  ];
  for (const [what, signer, payload, code, pattern] of cases) {
    t.test(what, async (t) => void refused(t, c, signer, payload, code, pattern));
  }
  // settled: nothing is live any more
  ok(t, c.submit("bank-a", tx.recordRepayment({ receivableId: id, financingId: fin.hashHex, amount: 10n })));
  refused(t, c, "bank-a", notify(id), "UNAUTHORIZED");
  // a buyer off the network: the notice is still recorded, naming no buyer
  const off = invoice(t, c, { buyer: "", amount: 10n });
  attest(t, c, off);
  ok(t, c.submit("bank-b", finance(off, 10n)));
  t.match(run(t, c, "bank-b", notify(off)).events[0], { type: "assignmentNotified", buyerPartyId: "" });
});

// ---- formats ----------------------------------------------------------------------------------------

t.test("MALFORMED names the field, in the builder and in consensus, and writes nothing", async (t) => {
  const c = newChain();
  const id = invoice(t, c);
  const cases: [string, TxPayload, string][] = [
    ["buyer", { ...ack(id, 1n), receivableId: "R1" }, "receivableId"],
    ["buyer", { ...ack(id, 1n), amount: 0n }, "amount"],
    ["buyer", { ...ack(id, 1n), dueDate: "2026-02-30" }, "dueDate"],
    ["buyer", { ...dispute(id), receivableId: id.toUpperCase() }, "receivableId"],
    ["buyer", { ...dispute(id), reason: "" }, "reason"],
    ["buyer", { ...dispute(id), reason: "r".repeat(501) }, "reason"],
    ["buyer", { ...dispute(id), reason: "bad\u0007bell" }, "reason"],
    ["buyer", { ...resolve(id), receivableId: "" }, "receivableId"],
    ["bank-a", { ...notify(id), receivableId: "x" }, "receivableId"],
    ["bank-a", { ...notify(id), payeeAccountHash: new Uint8Array(31) }, "payeeAccountHash"],
    ["bank-a", { ...notify(id), payeeAccountHash: new Uint8Array(0) }, "payeeAccountHash"],
  ];
  for (const [signer, payload, field] of cases) {
    const before = c.stateHash();
    const r = c.run(c.signRaw(signer, payload));
    t.equal(r.code, "MALFORMED", `${payload.type}.${field}: ${r.message}`);
    t.match(r.message, new RegExp(`^payload\\.${field}:`), `${payload.type}: the message names ${field}`);
    t.equal(c.stateHash(), before, "nothing written");
  }
  // a requireAcknowledgement that is not a boolean never reaches the wire: the check refuses it
  t.same(TX_FORMATS.financeReceivable.check({ ...finance(id, 1n), requireAcknowledgement: "yes" as never }), { field: "requireAcknowledgement", message: "must be true or false" });
  t.throws(() => tx.acknowledgeReceivable({ receivableId: id, amount: 0n, dueDate: "2026-12-31" }), { code: "MALFORMED", field: "amount" });
  t.throws(() => tx.acknowledgeReceivable({ receivableId: id, amount: 1n, dueDate: "31.12.2026" }), { code: "MALFORMED", field: "dueDate" });
  t.throws(() => tx.disputeReceivable({ receivableId: id, reason: "" }), { code: "MALFORMED", field: "reason" });
  t.throws(() => tx.resolveDispute({ receivableId: "nope" }), { code: "MALFORMED", field: "receivableId" });
  t.throws(() => tx.notifyAssignment({ receivableId: id, payeeAccountHash: "abcd" }), { code: "MALFORMED", field: "payeeAccountHash" });
  t.same(tx.notifyAssignment({ receivableId: id, payeeAccountHash: toHex(h32("acct")) }).payeeAccountHash, h32("acct"), "hex input");
});

// ---- blocks ----------------------------------------------------------------------------------------

t.test("same block: dispute and finance in both orders, acknowledge and finance in both orders", async (t) => {
  const c = newChain();
  const a = invoice(t, c);
  attest(t, c, a);
  const b = invoice(t, c);
  attest(t, c, b);
  // dispute first: the finance behind it sees the flag
  t.same(codes(c.block([c.sign("buyer", dispute(a)), c.sign("bank-a", finance(a, 10n))]).receipts), ["OK", "DISPUTED"]);
  t.match(c.receivable(a), { disputed: true, financings: [] });
  // finance first: it passes, then the receivable is disputed (a financed receivable can be)
  t.same(codes(c.block([c.sign("bank-a", finance(b, 10n)), c.sign("buyer", dispute(b))]).receipts), ["OK", "OK"]);
  t.match(c.receivable(b), { disputed: true, status: "PARTIALLY_FINANCED" });
  // the domestic path: acknowledgement first opens it, finance first is NOT_ATTESTED
  const d = invoice(t, c);
  const e = invoice(t, c);
  t.same(codes(c.block([c.sign("buyer", ack(d, 50n)), c.sign("bank-a", finance(d, 50n))]).receipts), ["OK", "OK"]);
  t.same(codes(c.block([c.sign("bank-a", finance(e, 50n)), c.sign("buyer", ack(e, 50n))]).receipts), ["NOT_ATTESTED", "OK"]);
  // a resolve and a finance in one block, and a notice right behind the financing
  const block = [resolve(a), finance(a, 10n), finance(a, 10n), notify(a, "b"), notify(a, "a")].map((p, i) => c.sign(["buyer", "bank-b", "bank-a", "bank-b", "bank-a"][i]!, p));
  t.same(codes(c.block(block).receipts), ["OK", "OK", "OK", "OK", "PAYEE_LOCKED"]);
  t.match(c.receivable(a), { disputed: false, payeeBankId: "bank-b" });
});

t.test("accessKeys covers every key the buyer's transactions read", async (t) => {
  const c = newChain();
  const id = invoice(t, c, { amount: 100n });
  attest(t, c, id);
  const fresh = invoice(t, c, { amount: 100n });
  const txs = [
    c.sign("buyer", ack(id, 100n)),
    c.sign("bank-a", finance(id, 50n, true)),
    c.sign("bank-a", notify(id)),
    c.sign("buyer", dispute(id)),
    c.sign("bank-b", finance(id, 1n)),
    c.sign("buyer", resolve(id)),
    c.sign("buyer", ack(fresh, 10n)),
    c.sign("bank-b", finance(fresh, 10n)),
  ];
  const misses: string[] = [];
  const { receipts } = executeBlock(guardedReader(c.state, prefetchKeys(c.state, txs), (k) => misses.push(k)), txs, c.blockContext(), c.deps);
  t.same(codes(receipts), ["OK", "OK", "OK", "OK", "DISPUTED", "OK", "OK", "OK"]);
  t.same(misses, []);
});
