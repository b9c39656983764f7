// Supervision rules in consensus (DESIGN.md §11, docs/supervision.md), through the real applyTx with
// transactions built and signed by the SDK: setRule and retireRule, each rule kind with a case that
// must alert and a close case that must not, ALERT against BLOCK, a retired rule's silence, and the
// same receipts and state on a second node and after a replay from genesis. Every block also runs
// under the prefetch guard: each key supervision reads was named by accessKeys.
import t from "tap";
import { tx } from "../sdk/builders.js";
import { toHex } from "../sdk/bytes.js";
import { agingBucket, daysPastDue } from "../sdk/domain.js";
import { pieceIdOf } from "../sdk/transactions/index.js";
import { AlertView, ReceiptView } from "../sdk/api/schemas.js";
import { receiptFromJson, toJsonView } from "../sdk/json.js";
import { executeBlock } from "../node/ledger/execute.js";
import { decodeReceipt, decodeRuleSet, encodeReceipt } from "../node/ledger/records.js";
import { getTally, SUPERVISION_KEY } from "../node/ledger/supervision.js";
import { bookOutstanding, exposureTo } from "../node/ledger/aggregates.js";
import type { Tx } from "../sdk/tx.js";
import type { TxPayload, SetRuleInput } from "../sdk/transactions/index.js";
import type { Alert, Receipt, ResultCode } from "../sdk/types.js";
import { DAY, T0, TestChain, guardedReader, h32, invoiceFingerprint, makeParty, prefetchKeys, replayBlocks, type RecordedBlock } from "./ledger-harness.js";

const USD = (major: number) => BigInt(major) * 100n;
let counter = 0;

class SupervisedChain extends TestChain {
  readonly recorded: RecordedBlock[] = [];
  override block(txs: Tx[], time = this.time): ReturnType<TestChain["block"]> {
    const missed: string[] = [];
    const allowed = prefetchKeys(this.state, txs);
    executeBlock(guardedReader(this.state, allowed, (k) => missed.push(k)), txs, this.blockContext(time), this.deps);
    if (missed.length > 0) throw new Error(`keys read but not prefetched: ${missed.join(", ")}`);
    this.recorded.push({ time, txs });
    const result = super.block(txs, time);
    for (const r of result.receipts) {
      // every receipt round-trips through its bytes and its JSON view, alerts included
      if (JSON.stringify(toJsonView(decodeReceipt(encodeReceipt(r)))) !== JSON.stringify(toJsonView(r))) throw new Error("receipt does not round-trip");
      const view = ReceiptView.parse(toJsonView(r));
      if (JSON.stringify(toJsonView(receiptFromJson(view))) !== JSON.stringify(toJsonView(r))) throw new Error("receipt JSON does not round-trip");
    }
    return result;
  }
}

const PARTIES = () => [
  makeParty("bank-a", "BANK", "DE"),
  makeParty("bank-b", "BANK", "CN"),
  makeParty("customs", "CUSTOMS"),
  makeParty("exporter-a", "ENTERPRISE"),
  makeParty("exporter-b", "ENTERPRISE"),
  makeParty("carmaker", "ENTERPRISE"),
  makeParty("tier1", "ENTERPRISE"),
  makeParty("tier2", "ENTERPRISE"),
  makeParty("tier3", "ENTERPRISE"),
  makeParty("carrier", "CUSTODIAN"),
  makeParty("regulator", "REGULATOR"),
  makeParty("auditor", "AUDITOR"),
];
const newChain = () => new SupervisedChain(PARTIES(), { time: T0 });

interface A {
  equal(found: unknown, wanted: unknown, message: string): boolean;
}
function ok(t: A, r: Receipt, what = ""): Receipt {
  t.equal(r.code, "OK", `${what} ${r.message}`.trim());
  return r;
}

const rule = (c: TestChain, input: SetRuleInput) => c.submit("regulator", tx.setRule(input));

/** An invoice registered by `exporter` (face `amount`), optionally on a buyer on the network. */
function register(t: A, c: TestChain, exporter: string, amount = USD(100_000), o: { buyer?: string; dueDate?: string } = {}): string {
  const n = ++counter;
  return ok(
    t,
    c.submit(
      exporter,
      tx.registerReceivable({
        documentHash: h32(`sup/inv/${n}`),
        fingerprint: invoiceFingerprint(exporter, o.buyer ?? "BUYER-1", `S-${n}`, "USD"),
        buyerId: o.buyer ? `${o.buyer}-erp` : "BUYER-1",
        ...(o.buyer ? { buyerPartyId: o.buyer } : {}),
        amount,
        currency: "USD",
        issueDate: "2026-09-20",
        dueDate: o.dueDate ?? "2026-12-31",
      }),
    ),
    "register",
  ).target;
}

/** Registered and attested under its own declaration of `declared` (default: the invoice's face). */
function attested(t: A, c: TestChain, exporter: string, amount = USD(100_000), declared = amount, dueDate?: string): string {
  const id = register(t, c, exporter, amount, dueDate ? { dueDate } : {});
  ok(
    t,
    c.submit(
      "customs",
      tx.attestShipment({ declarationFingerprint: h32(`sup/decl/${id}`), declarationHash: h32(`sup/declh/${id}`), exporterId: exporter, declaredValue: declared, currency: "USD", exportDate: "2026-09-25", receivableIds: [id] }),
    ),
    "attest",
  );
  return id;
}

const finance = (c: TestChain, bank: string, receivableId: string, amount: bigint) => c.submit(bank, tx.financeReceivable({ receivableId, amount, currency: "USD" }));
const alertsOf = (r: Receipt): Alert[] => r.alerts ?? [];

t.test("setRule and retireRule: only a regulator; formats per kind; the active set sorted by id", async (t) => {
  const c = newChain();
  t.equal(c.submit("bank-a", tx.setRule({ ruleId: "r1", kind: "CYCLE" })).code, "UNAUTHORIZED");
  t.equal(c.submit("auditor", tx.setRule({ ruleId: "r1", kind: "CYCLE" })).code, "UNAUTHORIZED", "an auditor reads, never writes");
  ok(t, rule(c, { ruleId: "zeta", kind: "VELOCITY", params: { hours: 24 } }));
  ok(t, rule(c, { ruleId: "alpha", kind: "LARGE_EXPOSURE", params: { amount: USD(1_000), currency: "USD" }, severity: "BLOCK" }));
  const set = decodeRuleSet(c.state.get(SUPERVISION_KEY.rules)!).rules;
  t.same(set.map((r) => [r.ruleId, r.kind, r.severity, r.setBy]), [["alpha", "LARGE_EXPOSURE", "BLOCK", "regulator"], ["zeta", "VELOCITY", "ALERT", "regulator"]]);
  t.equal(set[1]!.params.hours, 24);
  ok(t, rule(c, { ruleId: "zeta", kind: "VELOCITY", params: { hours: 2 } }), "setting an id again replaces the rule");
  t.equal(decodeRuleSet(c.state.get(SUPERVISION_KEY.rules)!).rules.find((r) => r.ruleId === "zeta")!.params.hours, 2);
  ok(t, c.submit("regulator", tx.retireRule({ ruleId: "zeta" })));
  t.match(c.submit("regulator", tx.retireRule({ ruleId: "zeta" })), { code: "NOT_FOUND", message: "no active rule zeta" });
  ok(t, c.submit("regulator", tx.retireRule({ ruleId: "alpha" })));
  t.equal(c.state.get(SUPERVISION_KEY.rules), undefined, "no active rule: no record");

  // formats: the builder runs the ledger's own check
  t.throws(() => tx.setRule({ ruleId: "x", kind: "CYCLE" }), { code: "MALFORMED", field: "ruleId" });
  t.throws(() => tx.setRule({ ruleId: "c1", kind: "CONCENTRATION", params: { basisPoints: 2_500 } }), { code: "MALFORMED", field: "params.currency" });
  t.throws(() => tx.setRule({ ruleId: "c1", kind: "CONCENTRATION", params: { basisPoints: 10_001, currency: "USD" } }), { code: "MALFORMED", field: "params.basisPoints" });
  t.throws(() => tx.setRule({ ruleId: "v1", kind: "VELOCITY", params: { hours: 24, days: 3 } }), { code: "MALFORMED", field: "params.days" });
  t.throws(() => tx.setRule({ ruleId: "b1", kind: "REJECTION_BURST", params: { count: 3, windowMinutes: 10 }, severity: "BLOCK" }), { code: "MALFORMED", field: "severity" });
  t.throws(() => tx.setRule({ ruleId: "k1", kind: "NOPE" as never }), { code: "MALFORMED", field: "kind" });
  const raw = c.signRaw("regulator", { type: "setRule", ruleId: "l1", kind: "LARGE_EXPOSURE", params: { basisPoints: 0, amount: 0n, currency: "USD", hours: 0, count: 0, windowMinutes: 0, days: 0 }, severity: "ALERT" } as TxPayload);
  t.match(c.run(raw), { code: "MALFORMED", message: /params\.amount/ }, "the ledger runs the same check");
});

t.test("CONCENTRATION: a bank's financing to one exporter above x% of its book (from a minimum book)", async (t) => {
  const c = newChain();
  ok(t, rule(c, { ruleId: "conc-40", kind: "CONCENTRATION", params: { basisPoints: 4_000, currency: "USD", amount: USD(100_000) } }));
  const a1 = attested(t, c, "exporter-a");
  const b1 = attested(t, c, "exporter-b");
  const a2 = attested(t, c, "exporter-a");
  // book below the minimum: 100% of a 60,000 book is no alert yet
  t.same(alertsOf(ok(t, finance(c, "bank-a", a1, USD(60_000)))), [], "book 60,000 < 100,000 minimum");
  // exporter-b: 90,000 of 150,000 = 60% > 40%
  const hit = ok(t, finance(c, "bank-a", b1, USD(90_000)));
  t.match(alertsOf(hit), [{ ruleId: "conc-40", kind: "CONCENTRATION", severity: "ALERT", parties: ["bank-a", "exporter-b"], detail: /9000000 of its 15000000 USD book \(60\.00% > 40\.00%\)/ }]);
  t.same(alertsOf(hit)[0]!.evidence.map(toHex), [toHex(c.recorded.at(-1)!.txs[0]!.hash)]);
  // exporter-a: 60,000 + 20,000 = 80,000 of 170,000 = 47% > 40%; the close case at 40% exactly is below
  t.equal(bookOutstanding(c.state, "bank-a", "USD"), USD(150_000));
  t.same(alertsOf(ok(t, finance(c, "bank-b", a2, USD(40_000)))), [], "another bank's book: bank-b has 100% of a 40,000 book, below its minimum");
  // bank-a: exporter-a 60,000 + x of (150,000 + x) at exactly 40%: x = 0 ... choose 40,000 -> 100,000/190,000 = 52.6%
  const a3 = attested(t, c, "exporter-a");
  const exactly = ok(t, finance(c, "bank-a", a3, USD(40_000)));
  t.match(alertsOf(exactly), [{ ruleId: "conc-40", parties: ["bank-a", "exporter-a"] }]);
  // a repayment lowers the exposure (no alert on a decrease)
  const finId = c.recorded.at(-1)!.txs[0]!.hashHex;
  t.same(alertsOf(ok(t, c.submit("bank-a", tx.recordRepayment({ receivableId: a3, financingId: finId, amount: USD(40_000) })))), []);
  t.equal(exposureTo(c.state, "bank-a", "USD", "exporter-a"), USD(60_000));
  // close case: a 40% rule, a bank with 40% exactly (not above)
  const c2 = newChain();
  ok(t, rule(c2, { ruleId: "conc-40", kind: "CONCENTRATION", params: { basisPoints: 4_000, currency: "USD" } }));
  const x = attested(t, c2, "exporter-a");
  const y = attested(t, c2, "exporter-b");
  t.equal(alertsOf(ok(t, finance(c2, "bank-a", y, USD(60_000)))).length, 1, "100% of its book: alert (no minimum)");
  t.same(alertsOf(ok(t, finance(c2, "bank-a", x, USD(40_000)))), [], "exactly 40% is not above 40%");
});

t.test("LARGE_EXPOSURE: a bank's live financing to one exporter above an amount", async (t) => {
  const c = newChain();
  ok(t, rule(c, { ruleId: "large", kind: "LARGE_EXPOSURE", params: { amount: USD(150_000), currency: "USD" } }));
  const r1 = attested(t, c, "exporter-a");
  const r2 = attested(t, c, "exporter-a");
  t.same(alertsOf(ok(t, finance(c, "bank-a", r1, USD(100_000)))), []);
  t.same(alertsOf(ok(t, finance(c, "bank-a", r2, USD(50_000)))), [], "150,000 exactly: not above");
  const r3 = attested(t, c, "exporter-a");
  t.match(alertsOf(ok(t, finance(c, "bank-a", r3, 1n))), [{ ruleId: "large", parties: ["bank-a", "exporter-a"], detail: /15000001 USD, above 15000000/ }]);
  t.same(alertsOf(ok(t, finance(c, "bank-b", r3, USD(1_000)))), [], "another bank's exposure is its own");
});

t.test("VELOCITY: financed less than N hours after registration; exactly N hours is not", async (t) => {
  const c = newChain();
  ok(t, rule(c, { ruleId: "fast", kind: "VELOCITY", params: { hours: 24 } }));
  const quick = attested(t, c, "exporter-a");
  const hit = ok(t, finance(c, "bank-a", quick, USD(10_000)));
  t.match(alertsOf(hit), [{ ruleId: "fast", kind: "VELOCITY", parties: ["bank-a", "exporter-a"], detail: /financed 0 min after its registration \(under 24 h\)/ }]);
  t.same(alertsOf(hit)[0]!.evidence.map(toHex), [quick, c.recorded.at(-1)!.txs[0]!.hashHex], "evidence: the registration and the financing");
  const slow = attested(t, c, "exporter-a");
  c.time = c.receivable(slow).registeredAt + DAY - 1n;
  t.equal(alertsOf(ok(t, finance(c, "bank-a", slow, USD(1)))).length, 1, "one ms short of 24 h");
  const later = attested(t, c, "exporter-a");
  c.time = c.receivable(later).registeredAt + DAY;
  t.same(alertsOf(ok(t, finance(c, "bank-a", later, USD(1)))), [], "24 h exactly is not less than 24 h");
});

/** A credit line of bank-a to the carmaker and a 100,000 USD warrant to tier1 on a tier1 invoice; returns the warrant id. */
function warrant(t: A, c: TestChain): string {
  ok(t, c.submit("bank-a", tx.grantCreditLine({ lineId: "line-1", obligor: "carmaker", currency: "USD", limit: USD(1_000_000), expiryDate: "2027-12-31" })), "grant");
  const src = register(t, c, "tier1", USD(100_000), { buyer: "carmaker" });
  return ok(t, c.submit("carmaker", tx.issueWarrant({ lineId: "line-1", holder: "tier1", amount: USD(100_000), currency: "USD", maturityDate: "2027-03-31", sources: [src] })), "issue").target;
}
/** `from` passes `amount` of a piece to `to` on `to`'s invoice on `from`; returns the receipt and the new piece's id. */
function pass(t: A, c: TestChain, from: string, pieceId: string, to: string, amount: bigint): { receipt: Receipt; piece: string; remainder: string } {
  const ref = register(t, c, to, amount, { buyer: from });
  const signed = c.sign(from, tx.transferWarrant({ pieceId, outputs: [{ to, amount, tradeRef: ref }] }));
  return { receipt: c.run(signed), piece: pieceIdOf(signed.hashHex, 0), remainder: pieceIdOf(signed.hashHex, 1) };
}

t.test("CYCLE: a warrant piece passed back to an earlier holder of its ancestry; passing it on is not", async (t) => {
  const c = newChain();
  ok(t, rule(c, { ruleId: "cycle", kind: "CYCLE" }));
  const w = warrant(t, c);
  const toT2 = pass(t, c, "tier1", w, "tier2", USD(60_000));
  t.same(alertsOf(ok(t, toT2.receipt)), [], "tier1 -> tier2: first time");
  t.same(getTally(c.state, SUPERVISION_KEY.holders(toT2.piece)).parties, ["tier1"]);
  t.same(getTally(c.state, SUPERVISION_KEY.holders(toT2.remainder)).parties, [], "the remainder stays with tier1: nobody held it before");
  const toT3 = pass(t, c, "tier2", toT2.piece, "tier3", USD(30_000));
  t.same(alertsOf(ok(t, toT3.receipt)), [], "tier2 -> tier3: nobody new returns");
  t.same(getTally(c.state, SUPERVISION_KEY.holders(toT3.piece)).parties, ["tier1", "tier2"]);
  const back = pass(t, c, "tier3", toT3.piece, "tier1", USD(30_000));
  t.match(alertsOf(ok(t, back.receipt)), [{ ruleId: "cycle", kind: "CYCLE", parties: ["tier1", "tier3"], detail: /passed from tier3 back to tier1/ }]);
  // the remainder of tier2 (30,000 left with tier2) passed to tier1's sibling branch: tier1 held its ancestor
  const again = pass(t, c, "tier2", toT2.piece === toT3.remainder ? toT2.piece : toT3.remainder, "tier1", USD(10_000));
  t.match(alertsOf(ok(t, again.receipt)), [{ ruleId: "cycle", parties: ["tier1", "tier2"] }], "the remainder carries its ancestry's holders");
  // a bank buying a piece in place: the seller joins its earlier holders
  ok(t, c.submit("tier1", tx.offerWarrant({ pieceId: back.piece, bank: "bank-b" })));
  t.same(alertsOf(ok(t, c.submit("bank-b", tx.financeWarrant({ pieceId: back.piece, advance: USD(29_000) })))), [], "bank-b never held it");
  t.same(getTally(c.state, SUPERVISION_KEY.holders(back.piece)).parties, ["tier1", "tier2", "tier3"]);
});

t.test("VALUE_MISMATCH: financed while the declaration's value and its invoices differ by more than x%", async (t) => {
  const c = newChain();
  ok(t, rule(c, { ruleId: "mismatch", kind: "VALUE_MISMATCH", params: { basisPoints: 1_000 } }));
  const far = attested(t, c, "exporter-a", USD(80_000), USD(100_000)); // 20% apart
  const hit = ok(t, finance(c, "bank-a", far, USD(10_000)));
  t.match(alertsOf(hit), [{ ruleId: "mismatch", parties: ["bank-a", "exporter-a"], detail: /10000000 USD and its invoices' 8000000 differ by 20\.00% \(> 10\.00%\)/ }]);
  const near = attested(t, c, "exporter-a", USD(90_000), USD(100_000)); // 10% exactly
  t.same(alertsOf(ok(t, finance(c, "bank-a", near, USD(10_000)))), [], "10% apart is not more than 10%");
  const domestic = register(t, c, "exporter-a", USD(5_000), { buyer: "carmaker" });
  ok(t, c.submit("carmaker", tx.acknowledgeReceivable({ receivableId: domestic, amount: USD(5_000), dueDate: "2026-12-31" })));
  t.same(alertsOf(ok(t, finance(c, "bank-a", domestic, USD(1_000)))), [], "no declaration (domestic trade): nothing to compare");
});

t.test("REJECTION_BURST: N rejections signed by one party within a window; N-1, or spread wider, is not", async (t) => {
  const c = newChain();
  ok(t, rule(c, { ruleId: "burst", kind: "REJECTION_BURST", params: { count: 3, windowMinutes: 10 } }));
  const id = attested(t, c, "exporter-a", USD(1_000));
  ok(t, finance(c, "bank-a", id, USD(1_000)));
  const attempt = () => finance(c, "bank-b", id, USD(500)); // DOUBLE_FINANCING
  const r1 = attempt();
  t.equal(r1.code, "DOUBLE_FINANCING");
  t.same(alertsOf(r1), []);
  t.same(alertsOf(attempt()), [], "two");
  t.equal(getTally(c.state, SUPERVISION_KEY.rejections("burst", 1n, "bank-b")).entries.length, 2, "a rejected transaction's tally is written");
  const third = attempt();
  t.equal(third.code, "DOUBLE_FINANCING", "the rejection stands");
  t.match(alertsOf(third), [{ ruleId: "burst", kind: "REJECTION_BURST", severity: "ALERT", parties: ["bank-b"], detail: /bank-b signed 3 rejected transactions within 10 min/ }]);
  t.equal(alertsOf(third)[0]!.evidence.length, 3, "evidence: the three rejected transactions");
  t.equal(getTally(c.state, SUPERVISION_KEY.rejections("burst", 1n, "bank-b")).entries.length, 0, "counting starts again");
  // spread wider than the window: no alert
  attempt();
  c.time += 6n * 60_000n;
  attempt();
  c.time += 6n * 60_000n;
  t.same(alertsOf(attempt()), [], "three rejections over 12 minutes: the first fell out of the 10-minute window");
  // other codes count too (UNAUTHORIZED, MALFORMED after the hash is taken); other signers apart
  t.same(alertsOf(c.submit("exporter-b", tx.financeReceivable({ receivableId: id, amount: 1n, currency: "USD" }))), [], "exporter-b: one");
});

t.test("OVERDUE_AGE: a transaction on a financed receivable more than N days past due", async (t) => {
  const c = newChain();
  ok(t, rule(c, { ruleId: "aged", kind: "OVERDUE_AGE", params: { days: 90 } }));
  const id = attested(t, c, "exporter-a", USD(10_000), USD(10_000), "2026-10-10");
  const unfinanced = register(t, c, "exporter-b", USD(1_000), { dueDate: "2026-10-10" });
  const fin = ok(t, finance(c, "bank-a", id, USD(5_000)));
  const finId = toHex(fin.txHash);
  // 2026-10-10 + 90 days = 2027-01-08: a repayment on that day is 90 days past due, not more
  c.time = BigInt(Date.UTC(2027, 0, 8, 12));
  t.equal(daysPastDue("2026-10-10", c.time), 90n);
  t.equal(agingBucket(90n), "31-90");
  t.same(alertsOf(ok(t, c.submit("bank-a", tx.recordRepayment({ receivableId: id, financingId: finId, amount: USD(1_000) }), { createdAt: c.time }))), [], "90 days: not more than 90");
  c.time = BigInt(Date.UTC(2027, 0, 9, 12));
  t.equal(agingBucket(daysPastDue("2026-10-10", c.time)), ">90");
  const late = ok(t, c.submit("bank-a", tx.recordRepayment({ receivableId: id, financingId: finId, amount: USD(4_000) })));
  t.match(alertsOf(late), [{ ruleId: "aged", kind: "OVERDUE_AGE", parties: ["bank-a", "exporter-a"], detail: /91 days past due \(more than 90\)/ }]);
  t.same(alertsOf(late)[0]!.evidence.map(toHex)[0], id);
  // nothing financed: not concerned
  t.same(alertsOf(ok(t, c.submit("exporter-b", tx.cancelReceivable({ receivableId: unfinanced, reason: "never shipped" })))), []);
});

t.test("PLEDGE_CONFLICT: a bill of lading pledged to one bank while a receivable shipped under it is financed by another", async (t) => {
  const c = newChain();
  ok(t, rule(c, { ruleId: "pledge", kind: "PLEDGE_CONFLICT" }));
  const blFp = h32("bl/EASU-2026-0042");
  const id = attested(t, c, "exporter-a");
  ok(t, c.submit("exporter-a", tx.anchorDocument({ documentHash: h32("bl-doc/42"), documentType: "BILL_OF_LADING", receivableId: id, billOfLadingFingerprint: blFp })));
  t.same(getTally(c.state, SUPERVISION_KEY.shipped(toHex(blFp))).parties, [id]);
  ok(t, finance(c, "bank-a", id, USD(50_000)));
  ok(t, c.submit("carrier", tx.attestStock({ lotId: "vessel-1", goods: { hsCode: "740311", descriptionHash: h32("goods/copper"), unit: "TNE" }, quantity: 100n })));
  const title = ok(t, c.submit("carrier", tx.issueTitle({ kind: "BILL_OF_LADING", fingerprint: blFp, lotId: "vessel-1", quantity: 100n, holder: "exporter-a" }))).target;
  const offer = (bank: string) => tx.offerPledge({ titleId: title, bank, securedAmount: USD(50_000), currency: "USD", expiryDate: "2027-03-31" });
  // close case: pledged to the bank that finances the receivable
  ok(t, c.submit("exporter-a", offer("bank-a")));
  t.same(alertsOf(ok(t, c.submit("bank-a", tx.acceptPledge({ titleId: title })))), [], "the same bank: no conflict");
  ok(t, c.submit("bank-a", tx.releasePledge({ titleId: title })));
  ok(t, c.submit("exporter-a", offer("bank-b")));
  const hit = ok(t, c.submit("bank-b", tx.acceptPledge({ titleId: title })));
  t.match(alertsOf(hit), [{ ruleId: "pledge", kind: "PLEDGE_CONFLICT", parties: ["bank-a", "bank-b", "exporter-a"], detail: /pledged to bank-b while receivable .* is financed by bank-a/ }]);
  // the other way round: financing a receivable whose bill of lading is pledged to another bank
  const hit2 = ok(t, finance(c, "bank-a", id, USD(1_000)));
  t.match(alertsOf(hit2), [{ ruleId: "pledge", parties: ["bank-a", "bank-b", "exporter-a"], detail: /financed by bank-a while bill of lading .* is pledged to bank-b/ }]);
  t.same(alertsOf(ok(t, finance(c, "bank-b", id, USD(1_000)))), [], "the pledgee financing it: no conflict");
});

t.test("BLOCK rejects the transaction BLOCKED_BY_RULE, writes nothing of it, and says why; ALERT lets it stand", async (t) => {
  const c = newChain();
  ok(t, rule(c, { ruleId: "cap", kind: "LARGE_EXPOSURE", params: { amount: USD(50_000), currency: "USD" }, severity: "BLOCK" }));
  ok(t, rule(c, { ruleId: "watch", kind: "LARGE_EXPOSURE", params: { amount: USD(20_000), currency: "USD" } }));
  const id = attested(t, c, "exporter-a");
  const alerted = ok(t, finance(c, "bank-a", id, USD(30_000)));
  t.match(alertsOf(alerted), [{ ruleId: "watch", severity: "ALERT" }], "above the ALERT rule only: financed, with an alert");
  const before = c.stateHash();
  const blocked = finance(c, "bank-a", id, USD(30_000));
  t.equal(blocked.code, "BLOCKED_BY_RULE");
  t.match(blocked.message, /^blocked by supervision rule cap \(LARGE_EXPOSURE\): bank-a's live financing to exporter-a is 6000000 USD, above 5000000$/);
  t.same(blocked.events, []);
  t.match(alertsOf(blocked), [{ ruleId: "cap", severity: "BLOCK", parties: ["bank-a", "exporter-a"] }], "only the BLOCK rule's alert: the ALERT rule saw what did not happen");
  t.equal(c.stateHash(), before, "nothing of a blocked transaction is written");
  t.equal(c.receivable(id).financings.length, 1);
  t.equal(exposureTo(c.state, "bank-a", "USD", "exporter-a"), USD(30_000));
  t.same(alertsOf(ok(t, finance(c, "bank-a", id, USD(20_000)))).map((a) => a.ruleId), ["watch"], "50,000 exactly: not above the cap");
  // retiring stops it
  ok(t, c.submit("regulator", tx.retireRule({ ruleId: "cap" })));
  ok(t, c.submit("regulator", tx.retireRule({ ruleId: "watch" })));
  const id2 = attested(t, c, "exporter-a");
  t.same(alertsOf(ok(t, finance(c, "bank-a", id2, USD(90_000)))), [], "retired rules: no alert, no block");
});

t.test("deterministic: a second node and a replay from genesis give the same receipts, alerts and state", async (t) => {
  const c = newChain();
  ok(t, rule(c, { ruleId: "burst", kind: "REJECTION_BURST", params: { count: 2, windowMinutes: 60 } }));
  ok(t, rule(c, { ruleId: "conc", kind: "CONCENTRATION", params: { basisPoints: 5_000, currency: "USD" } }));
  ok(t, rule(c, { ruleId: "fast", kind: "VELOCITY", params: { hours: 48 } }));
  ok(t, rule(c, { ruleId: "cycle", kind: "CYCLE" }));
  const w = warrant(t, c);
  const x = pass(t, c, "tier1", w, "tier2", USD(50_000));
  pass(t, c, "tier2", x.piece, "tier1", USD(20_000));
  const ids = [attested(t, c, "exporter-a"), attested(t, c, "exporter-b")];
  // several transactions in one block: tallies carry from one to the next within the block
  c.block([c.sign("bank-a", tx.financeReceivable({ receivableId: ids[0]!, amount: USD(70_000), currency: "USD" })), c.sign("bank-a", tx.financeReceivable({ receivableId: ids[1]!, amount: USD(10_000), currency: "USD" })), c.sign("bank-b", tx.financeReceivable({ receivableId: ids[0]!, amount: USD(40_000), currency: "USD" })), c.sign("bank-b", tx.financeReceivable({ receivableId: ids[0]!, amount: USD(40_000), currency: "USD" }))]);
  const receipts = c.recorded.flatMap((b, i) => b.txs.map((_, j) => j)).length;
  t.ok(receipts > 10);
  const alerts = (cc: TestChain) => [...cc.state.map.keys()].filter((k) => k.startsWith("v/")).sort();
  const other = new TestChain(PARTIES(), { time: T0 });
  const replayed = replayBlocks(other, c.recorded);
  const mine = replayBlocks(new TestChain(PARTIES(), { time: T0 }), c.recorded);
  t.equal(replayed.hash, c.stateHash(), "a second node reaches the same state");
  t.same(replayed.receipts, mine.receipts, "with byte-identical receipts (alerts included)");
  t.ok(replayed.receipts.some((hex) => decodeReceipt(Buffer.from(hex, "hex")).alerts?.some((a) => a.kind === "REJECTION_BURST")), "the burst alert is in a receipt");
  t.ok(replayed.receipts.some((hex) => decodeReceipt(Buffer.from(hex, "hex")).alerts?.some((a) => a.kind === "CYCLE")));
  t.same(alerts(other), alerts(c), "the same tallies");
  t.ok(AlertView.safeParse(toJsonView(decodeReceipt(Buffer.from(replayed.receipts.find((h) => decodeReceipt(Buffer.from(h, "hex")).alerts)!, "hex")).alerts![0])).success);
});

void (null as unknown as ResultCode);
