// The digital-warrant rules (DESIGN.md §7, docs/warrants.md): one test per rule and per rejection
// code, through the real applyTx, with transactions built and signed by the SDK as a client would.
import t from "tap";
import { tx } from "../sdk/builders.js";
import { isPieceOverdue, majorToMinor, pieceAging } from "../sdk/domain.js";
import { toHex } from "../sdk/bytes.js";
import { assembleBook, isBookKeyOf } from "../sdk/lending.js";
import { aggregatesOf } from "../node/ledger/aggregates.js";
import { WarrantRecords, verifyWarrants } from "../node/store/verify.js";
import { pieceIdOf, type TxPayload } from "../sdk/transactions/index.js";
import { decodeCreditFacts, decodeCreditLine, decodePiece, decodeReceivable, decodeWarrant } from "../node/ledger/records.js";
import { KEY } from "../node/ledger/state.js";
import type { BankBook, CreditLine, Piece, Receipt, ResultCode, Warrant } from "../sdk/types.js";
import { executeBlock } from "../node/ledger/execute.js";
import { DAY, T0, TestChain, guardedReader, h32, invoiceFingerprint, makeParty, prefetchKeys } from "./ledger-harness.js";

const USD = (major: number) => BigInt(major) * 100n;
let invoiceCounter = 0;

class WarrantChain extends TestChain {
  line(id: string): CreditLine {
    return decodeCreditLine(this.state.get(KEY.creditLine(id))!);
  }
  warrant(id: string): Warrant {
    return decodeWarrant(this.state.get(KEY.warrant(id))!);
  }
  piece(id: string): Piece {
    return decodePiece(this.state.get(KEY.piece(id))!);
  }
  /** Σ amount of a warrant's live leaves (HELD, OFFERED, FINANCED, SETTLED), by walking its tree. */
  liveLeaves(warrantId: string): bigint {
    let sum = 0n;
    const walk = (id: string): void => {
      const p = this.piece(id);
      if (p.status === "SPENT") p.children.forEach(walk);
      else sum += p.amount;
    };
    walk(warrantId);
    return sum;
  }
}

function newChain(opts: ConstructorParameters<typeof TestChain>[1] = {}): WarrantChain {
  return new WarrantChain(
    [
      makeParty("bank-a", "BANK", "DE"),
      makeParty("bank-b", "BANK", "CN"),
      makeParty("customs", "CUSTOMS"),
      makeParty("carmaker", "ENTERPRISE", "DE"),
      makeParty("tier1", "ENTERPRISE"),
      makeParty("tier2a", "ENTERPRISE"),
      makeParty("tier2b", "ENTERPRISE"),
      makeParty("tier3", "ENTERPRISE"),
      makeParty("auditor", "AUDITOR"),
    ],
    opts,
  );
}

interface Asserts {
  equal(found: unknown, wanted: unknown, message: string): boolean;
}

function ok(t: Asserts, r: Receipt, what = ""): Receipt {
  t.equal(r.code, "OK", `${what} ${r.message}`.trim());
  return r;
}
function rejected(t: Asserts & { match(a: unknown, b: unknown, m: string): boolean }, r: Receipt, code: ResultCode, pattern?: RegExp): void {
  t.equal(r.code, code, r.message);
  t.equal(r.events.length, 0, "a rejection emits no event");
  if (pattern) t.match(r.message, pattern, `${code}: ${pattern}`);
}

/** `seller` registers an invoice on `buyer` (a party on the network); returns the receivable id. */
function invoice(t: Asserts, c: WarrantChain, seller: string, buyer: string, amount: bigint, currency = "USD", dueDate = "2026-12-31"): string {
  const n = ++invoiceCounter;
  const r = c.submit(
    seller,
    tx.registerReceivable({
      documentHash: h32(`winv/${n}`),
      fingerprint: invoiceFingerprint(seller, buyer, `W-${n}`, currency),
      buyerId: `${buyer}-erp`,
      buyerPartyId: buyer,
      amount,
      currency,
      issueDate: "2026-10-01",
      dueDate,
    }),
  );
  return ok(t, r, "invoice").target;
}

const grant = (c: WarrantChain, o: { lineId?: string; bank?: string; obligor?: string; limit?: bigint; expiryDate?: string; currency?: string } = {}) =>
  c.submit(o.bank ?? "bank-a", tx.grantCreditLine({ lineId: o.lineId ?? "line-1", obligor: o.obligor ?? "carmaker", currency: o.currency ?? "USD", limit: o.limit ?? USD(1_000_000), expiryDate: o.expiryDate ?? "2027-12-31" }));

function issue(c: WarrantChain, o: { holder?: string; amount?: bigint; sources: string[]; maturityDate?: string; lineId?: string; obligor?: string; currency?: string }): Receipt {
  return c.submit(
    o.obligor ?? "carmaker",
    tx.issueWarrant({ lineId: o.lineId ?? "line-1", holder: o.holder ?? "tier1", amount: o.amount ?? USD(100_000), currency: o.currency ?? "USD", maturityDate: o.maturityDate ?? "2027-03-31", sources: o.sources }),
  );
}

/** A line, a 100,000 USD invoice of tier1 on the carmaker and a warrant for it; returns the warrant id. */
function issued(t: Asserts, c: WarrantChain, amount = USD(100_000)): string {
  if (!c.state.get(KEY.creditLine("line-1"))) ok(t, grant(c), "grant");
  const src = invoice(t, c, "tier1", "carmaker", amount);
  return ok(t, issue(c, { amount, sources: [src] }), "issue").target;
}

/** Runs a transfer; returns the receipt and the ids its outputs (and remainder) get. */
function transfer(c: WarrantChain, from: string, pieceId: string, outputs: { to: string; amount: bigint; tradeRef?: string }[]) {
  const signed = c.sign(from, tx.transferWarrant({ pieceId, outputs }));
  const receipt = c.run(signed);
  return { receipt, ids: outputs.map((_, i) => pieceIdOf(signed.hashHex, i)), remainderId: pieceIdOf(signed.hashHex, outputs.length) };
}

// ---- credit lines -----------------------------------------------------------------------------

t.test("grantCreditLine: a bank grants an enterprise a line", async (t) => {
  const c = newChain();
  const r = ok(t, grant(c));
  t.same(r.events, [{ type: "creditLineGranted", lineId: "line-1", bankId: "bank-a", obligorId: "carmaker", currency: "USD", limit: USD(1_000_000), expiryDate: "2027-12-31" }]);
  t.match(c.line("line-1"), { bankId: "bank-a", obligorId: "carmaker", outstanding: 0n, warrants: 0 });
  rejected(t, grant(c, { bank: "bank-b" }), "DUPLICATE_CREDIT_LINE", /granted by bank-a/);
  rejected(t, grant(c, { lineId: "line-2", obligor: "customs" }), "UNKNOWN_PARTY", /not a registered ENTERPRISE/);
  rejected(t, grant(c, { lineId: "line-3", obligor: "nobody" }), "UNKNOWN_PARTY");
  rejected(t, grant(c, { lineId: "line-4", expiryDate: "2026-09-30" }), "CREDIT_LINE_INVALID", /expiry/);
  t.equal(c.submit("carmaker", tx.grantCreditLine({ lineId: "line-5", obligor: "carmaker", currency: "USD", limit: 1n, expiryDate: "2027-01-01" })).code, "UNAUTHORIZED");
  t.throws(() => tx.grantCreditLine({ lineId: "Line 6", obligor: "carmaker", currency: "USD", limit: 1n, expiryDate: "2027-01-01" }), { code: "MALFORMED", field: "lineId" });
  t.throws(() => tx.grantCreditLine({ lineId: "line-6", obligor: "carmaker", currency: "USD", limit: 0n, expiryDate: "2027-01-01" }), { code: "MALFORMED", field: "limit" });
});

t.test("adjustCreditLine: only the granting bank, never below what is outstanding", async (t) => {
  const c = newChain();
  issued(t, c, USD(100_000));
  t.equal(c.line("line-1").outstanding, USD(100_000));
  ok(t, c.submit("bank-a", tx.adjustCreditLine({ lineId: "line-1", limit: USD(100_000), expiryDate: "2028-01-31" })), "lower to outstanding");
  t.match(c.line("line-1"), { limit: USD(100_000), expiryDate: "2028-01-31" });
  rejected(t, c.submit("bank-a", tx.adjustCreditLine({ lineId: "line-1", limit: USD(99_999), expiryDate: "2028-01-31" })), "LIMIT_BELOW_OUTSTANDING");
  rejected(t, c.submit("bank-b", tx.adjustCreditLine({ lineId: "line-1", limit: USD(500_000), expiryDate: "2028-01-31" })), "UNAUTHORIZED");
  rejected(t, c.submit("bank-a", tx.adjustCreditLine({ lineId: "line-9", limit: USD(500_000), expiryDate: "2028-01-31" })), "NOT_FOUND");
});

// ---- issue --------------------------------------------------------------------------------------

t.test("issueWarrant: creates the warrant and its first piece, draws the line, commits the invoices", async (t) => {
  const c = newChain();
  ok(t, grant(c));
  const a = invoice(t, c, "tier1", "carmaker", USD(60_000));
  const b = invoice(t, c, "tier1", "carmaker", USD(50_000));
  const r = ok(t, issue(c, { amount: USD(100_000), sources: [a, b] }));
  const id = r.target;
  t.same(r.events.map((e) => e.type), ["warrantIssued", "pieceCreated"]);
  t.match(c.warrant(id), { lineId: "line-1", obligorId: "carmaker", bankId: "bank-a", holderId: "tier1", amount: USD(100_000), status: "ISSUED", sources: [a, b], settled: 0n });
  t.match(c.piece(id), { warrantId: id, parentId: "", holderId: "tier1", amount: USD(100_000), depth: 0, status: "HELD", maturityDate: "2027-03-31" });
  t.match(c.line("line-1"), { outstanding: USD(100_000), warrants: 1 });
  t.equal(c.receivable(a).warrantPieceId, id);
  t.equal(c.receivable(b).warrantPieceId, id);
});

t.test("issueWarrant rejections: line, limit, tenor, trade background, used invoices", async (t) => {
  const c = newChain();
  ok(t, grant(c, { limit: USD(150_000) }));
  ok(t, grant(c, { lineId: "line-t1", obligor: "tier1" }));
  ok(t, grant(c, { lineId: "line-eur", currency: "EUR" }));
  const src = () => invoice(t, c, "tier1", "carmaker", USD(100_000));

  rejected(t, issue(c, { lineId: "line-9", sources: [src()] }), "CREDIT_LINE_INVALID", /no credit line/);
  rejected(t, issue(c, { lineId: "line-t1", sources: [src()] }), "CREDIT_LINE_INVALID", /tier1's, not carmaker's/);
  rejected(t, issue(c, { lineId: "line-eur", sources: [src()] }), "CREDIT_LINE_INVALID", /in EUR/);
  rejected(t, issue(c, { amount: USD(150_001), sources: [src(), src()] }), "CREDIT_LINE_EXCEEDED");
  rejected(t, issue(c, { maturityDate: "2026-10-01", sources: [src()] }), "TENOR_INVALID", /not after/);
  rejected(t, issue(c, { maturityDate: "2027-10-02", sources: [src()] }), "TENOR_INVALID", /365 days/);
  rejected(t, issue(c, { holder: "customs", sources: [src()] }), "UNKNOWN_PARTY");
  rejected(t, issue(c, { holder: "carmaker", sources: [src()] }), "NO_TRADE_BACKGROUND", /itself/);
  // invoices that are not the holder's on the obligor, or too small
  rejected(t, issue(c, { sources: [invoice(t, c, "tier2a", "carmaker", USD(100_000))] }), "NO_TRADE_BACKGROUND", /registered by tier2a/);
  rejected(t, issue(c, { sources: [invoice(t, c, "tier1", "tier2a", USD(100_000))] }), "NO_TRADE_BACKGROUND", /is on tier2a/);
  rejected(t, issue(c, { amount: USD(100_000), sources: [invoice(t, c, "tier1", "carmaker", USD(99_999))] }), "NO_TRADE_BACKGROUND", /less than/);
  rejected(t, issue(c, { sources: [h32("nothing").reduce((s, b) => s + b.toString(16).padStart(2, "0"), "")] }), "NO_TRADE_BACKGROUND", /no receivable/);
  rejected(t, issue(c, { sources: [invoice(t, c, "tier1", "carmaker", USD(100_000), "EUR")] }), "CURRENCY_MISMATCH");
  const cancelled = src();
  ok(t, c.submit("tier1", tx.cancelReceivable({ receivableId: cancelled })));
  rejected(t, issue(c, { sources: [cancelled] }), "NO_TRADE_BACKGROUND", /CANCELLED/);
  // an invoice backs one piece only, and a financed invoice never backs one
  const used = src();
  ok(t, issue(c, { amount: USD(50_000), sources: [used] }));
  rejected(t, issue(c, { amount: USD(50_000), sources: [used] }), "TRADE_REF_USED", /already backs/);
  const financed = src();
  ok(t, c.submit("customs", tx.attestShipment({ declarationFingerprint: h32("d/1"), declarationHash: h32("dh/1"), exporterId: "tier1", declaredValue: USD(1_000_000), currency: "USD", exportDate: "2026-10-01", receivableIds: [financed] })));
  ok(t, c.submit("bank-b", tx.financeReceivable({ receivableId: financed, amount: USD(10_000), currency: "USD" })));
  rejected(t, issue(c, { amount: USD(50_000), sources: [financed] }), "TRADE_REF_USED", /financed/);
  t.equal(c.line("line-1").outstanding, USD(50_000), "only the accepted warrant drew the line");
  t.throws(() => tx.issueWarrant({ lineId: "line-1", holder: "tier1", amount: USD(1), currency: "USD", maturityDate: "2027-01-01", sources: [] }), { code: "MALFORMED", field: "sources" });
});

t.test("an invoice funds once, by either route, whatever the order, in one block too", async (t) => {
  const c = newChain();
  ok(t, grant(c));
  // committed first: no financing, no cancellation
  const a = invoice(t, c, "tier1", "carmaker", USD(100_000));
  ok(t, c.submit("customs", tx.attestShipment({ declarationFingerprint: h32("d/a"), declarationHash: h32("dh/a"), exporterId: "tier1", declaredValue: USD(1_000_000), currency: "USD", exportDate: "2026-10-01", receivableIds: [a] })));
  ok(t, issue(c, { sources: [a] }));
  rejected(t, c.submit("bank-a", tx.financeReceivable({ receivableId: a, amount: USD(1), currency: "USD" })), "TRADE_REF_USED");
  rejected(t, c.submit("tier1", tx.cancelReceivable({ receivableId: a })), "TRADE_REF_USED");
  // both in one block: the first in the block wins, the second is TRADE_REF_USED
  for (const financeFirst of [true, false]) {
    const r = invoice(t, c, "tier1", "carmaker", USD(100_000));
    ok(t, c.submit("customs", tx.attestShipment({ declarationFingerprint: h32(`d/${r}`), declarationHash: h32(`dh/${r}`), exporterId: "tier1", declaredValue: USD(1_000_000), currency: "USD", exportDate: "2026-10-01", receivableIds: [r] })));
    const fin = c.sign("bank-a", tx.financeReceivable({ receivableId: r, amount: USD(10_000), currency: "USD" }));
    const iss = c.sign("carmaker", tx.issueWarrant({ lineId: "line-1", holder: "tier1", amount: USD(100_000), currency: "USD", maturityDate: "2027-03-31", sources: [r] }));
    const { receipts } = c.block(financeFirst ? [fin, iss] : [iss, fin]);
    t.same(receipts.map((x) => x.code), ["OK", "TRADE_REF_USED"], financeFirst ? "finance, then issue" : "issue, then finance");
  }
});

// ---- transfer -----------------------------------------------------------------------------------

t.test("transferWarrant: split down the chain, conservation, invoices committed to the new pieces", async (t) => {
  const c = newChain();
  const w = issued(t, c, USD(100_000));
  const r2a = invoice(t, c, "tier2a", "tier1", USD(40_000));
  const r2b = invoice(t, c, "tier2b", "tier1", USD(35_000));
  const step = transfer(c, "tier1", w, [
    { to: "tier2a", amount: USD(40_000), tradeRef: r2a },
    { to: "tier2b", amount: USD(30_000), tradeRef: r2b },
  ]);
  ok(t, step.receipt);
  t.same(step.receipt.events.map((e) => e.type), ["pieceSpent", "pieceCreated", "pieceCreated", "pieceCreated"]);
  t.match(c.piece(w), { status: "SPENT", children: [...step.ids, step.remainderId] });
  t.match(c.piece(step.ids[0]!), { holderId: "tier2a", amount: USD(40_000), depth: 1, parentId: w, tradeRef: r2a, status: "HELD" });
  t.match(c.piece(step.remainderId), { holderId: "tier1", amount: USD(30_000), tradeRef: "" });
  t.equal(c.receivable(r2a).warrantPieceId, step.ids[0]);
  t.equal(c.liveLeaves(w), USD(100_000), "live leaves sum to the face value");
  // tier2a passes part on to tier3
  const r3 = invoice(t, c, "tier3", "tier2a", USD(15_000));
  const next = transfer(c, "tier2a", step.ids[0]!, [{ to: "tier3", amount: USD(15_000), tradeRef: r3 }]);
  ok(t, next.receipt);
  t.match(c.piece(next.ids[0]!), { holderId: "tier3", depth: 2, amount: USD(15_000) });
  t.equal(c.liveLeaves(w), USD(100_000));
  t.equal(c.line("line-1").outstanding, USD(100_000), "a transfer does not move the line");
});

t.test("transferWarrant rejections", async (t) => {
  const c = newChain();
  const w = issued(t, c, USD(100_000));
  const ref = (seller = "tier2a", buyer = "tier1", amount = USD(50_000)) => invoice(t, c, seller, buyer, amount);
  rejected(t, transfer(c, "tier2a", w, [{ to: "tier3", amount: USD(1_000), tradeRef: ref("tier3", "tier2a") }]).receipt, "NOT_HOLDER");
  rejected(t, transfer(c, "tier1", "00".repeat(32), [{ to: "tier2a", amount: USD(1_000), tradeRef: ref() }]).receipt, "NOT_FOUND");
  rejected(t, transfer(c, "tier1", w, [{ to: "tier2a", amount: USD(99), tradeRef: ref() }]).receipt, "INVALID_SPLIT", /below the smallest piece/);
  rejected(t, transfer(c, "tier1", w, [{ to: "tier2a", amount: USD(99_950), tradeRef: ref("tier2a", "tier1", USD(100_000)) }]).receipt, "INVALID_SPLIT", /remainder/);
  rejected(t, transfer(c, "tier1", w, [{ to: "tier2a", amount: USD(100_001), tradeRef: ref("tier2a", "tier1", USD(200_000)) }]).receipt, "INVALID_SPLIT", /more than the piece/);
  rejected(t, transfer(c, "tier1", w, [{ to: "tier1", amount: USD(1_000), tradeRef: ref() }]).receipt, "INVALID_SPLIT", /back to the sender/);
  const many = Array.from({ length: 17 }, () => ({ to: "tier2a", amount: USD(100), tradeRef: ref("tier2a", "tier1", USD(100)) }));
  rejected(t, transfer(c, "tier1", w, many).receipt, "INVALID_SPLIT", /at most 16/);
  rejected(t, transfer(c, "tier1", w, [{ to: "bank-a", amount: USD(1_000) }]).receipt, "UNKNOWN_PARTY");
  rejected(t, transfer(c, "tier1", w, [{ to: "tier2a", amount: USD(1_000) }]).receipt, "NO_TRADE_BACKGROUND", /names no invoice/);
  rejected(t, transfer(c, "tier1", w, [{ to: "tier2a", amount: USD(1_000), tradeRef: ref("tier2b", "tier1") }]).receipt, "NO_TRADE_BACKGROUND", /registered by tier2b/);
  rejected(t, transfer(c, "tier1", w, [{ to: "tier2a", amount: USD(1_000), tradeRef: ref("tier2a", "carmaker") }]).receipt, "NO_TRADE_BACKGROUND", /is on carmaker/);
  rejected(t, transfer(c, "tier1", w, [{ to: "tier2a", amount: USD(50_001), tradeRef: ref() }]).receipt, "NO_TRADE_BACKGROUND", /less than/);
  const twice = ref();
  rejected(t, transfer(c, "tier1", w, [{ to: "tier2a", amount: USD(1_000), tradeRef: twice }, { to: "tier2a", amount: USD(1_000), tradeRef: twice }]).receipt, "TRADE_REF_USED", /named twice/);
  const used = ref();
  const first = transfer(c, "tier1", w, [{ to: "tier2a", amount: USD(10_000), tradeRef: used }]);
  ok(t, first.receipt);
  rejected(t, transfer(c, "tier1", first.remainderId, [{ to: "tier2a", amount: USD(10_000), tradeRef: used }]).receipt, "TRADE_REF_USED", /already backs/);
  rejected(t, transfer(c, "tier1", w, [{ to: "tier2a", amount: USD(1_000), tradeRef: ref() }]).receipt, "INVALID_STATE", /SPENT/);
  t.equal(c.liveLeaves(w), USD(100_000));
});

t.test("depth, maturity and the minimum piece follow the genesis parameters", async (t) => {
  const c = newChain({ params: { maxWarrantDepth: 1, minWarrantPieceMajorUnits: 1_000n } });
  const w = issued(t, c, USD(100_000));
  rejected(t, transfer(c, "tier1", w, [{ to: "tier2a", amount: USD(999), tradeRef: invoice(t, c, "tier2a", "tier1", USD(999)) }]).receipt, "INVALID_SPLIT", /below/);
  const one = transfer(c, "tier1", w, [{ to: "tier2a", amount: USD(1_000), tradeRef: invoice(t, c, "tier2a", "tier1", USD(1_000)) }]);
  ok(t, one.receipt);
  rejected(t, transfer(c, "tier2a", one.ids[0]!, [{ to: "tier3", amount: USD(1_000), tradeRef: invoice(t, c, "tier3", "tier2a", USD(1_000)) }]).receipt, "INVALID_SPLIT", /at most 1 deep/);
  t.equal(majorToMinor(100n, "JPY"), 100n, "the minimum follows the currency's minor unit");
  t.equal(majorToMinor(100n, "KWD"), 100_000n);
  // on the maturity day nothing moves any more
  const late = newChain();
  const w2 = issued(t, late);
  late.time = T0 + 182n * DAY; // 2027-04-01, the day after maturity 2027-03-31
  rejected(t, transfer(late, "tier1", w2, [{ to: "tier2a", amount: USD(1_000), tradeRef: invoice(t, late, "tier2a", "tier1", USD(1_000), "USD", "2027-06-30") }]).receipt, "WARRANT_MATURED"); // an invoice not yet due (registration refuses past due dates)
  rejected(t, late.submit("tier1", tx.offerWarrant({ pieceId: w2, bank: "bank-a" })), "WARRANT_MATURED");
  t.ok(isPieceOverdue(late.piece(w2), late.time), "an unpaid leaf after maturity is overdue");
  ok(t, late.submit("tier1", tx.confirmWarrantPayment({ pieceId: w2 })), "paid late");
  t.notOk(isPieceOverdue(late.piece(w2), late.time));
});

// ---- offer, finance, sale -----------------------------------------------------------------------

t.test("offer, withdraw, decline, finance; a bank sells on to banks only", async (t) => {
  const c = newChain();
  const w = issued(t, c);
  rejected(t, c.submit("tier2a", tx.offerWarrant({ pieceId: w, bank: "bank-a" })), "NOT_HOLDER");
  rejected(t, c.submit("tier1", tx.offerWarrant({ pieceId: w, bank: "tier2a" })), "UNKNOWN_PARTY");
  ok(t, c.submit("tier1", tx.offerWarrant({ pieceId: w, bank: "bank-a" })));
  t.match(c.piece(w), { status: "OFFERED", offeredTo: "bank-a" });
  rejected(t, transfer(c, "tier1", w, [{ to: "tier2a", amount: USD(1_000), tradeRef: invoice(t, c, "tier2a", "tier1", USD(1_000)) }]).receipt, "INVALID_STATE", /OFFERED/);
  rejected(t, c.submit("tier1", tx.offerWarrant({ pieceId: w, bank: "bank-b" })), "INVALID_STATE");
  rejected(t, c.submit("tier1", tx.confirmWarrantPayment({ pieceId: w })), "INVALID_STATE", /withdraw/);
  ok(t, c.submit("tier1", tx.withdrawOffer({ pieceId: w })));
  rejected(t, c.submit("tier1", tx.withdrawOffer({ pieceId: w })), "INVALID_STATE");
  ok(t, c.submit("tier1", tx.offerWarrant({ pieceId: w, bank: "bank-b" })));
  rejected(t, c.submit("bank-a", tx.declineOffer({ pieceId: w })), "UNAUTHORIZED");
  ok(t, c.submit("bank-b", tx.declineOffer({ pieceId: w })));
  t.match(c.piece(w), { status: "HELD", offeredTo: "" });
  ok(t, c.submit("tier1", tx.offerWarrant({ pieceId: w, bank: "bank-a" })));
  rejected(t, c.submit("bank-b", tx.financeWarrant({ pieceId: w, advance: USD(90_000) })), "UNAUTHORIZED");
  rejected(t, c.submit("bank-a", tx.financeWarrant({ pieceId: w, advance: USD(100_001) })), "INVALID_STATE", /exceeds/);
  const fin = ok(t, c.submit("bank-a", tx.financeWarrant({ pieceId: w, advance: USD(97_500) })));
  t.same(fin.events, [{ type: "pieceFinanced", pieceId: w, bankId: "bank-a", sellerId: "tier1", advance: USD(97_500) }]);
  t.match(c.piece(w), { status: "FINANCED", holderId: "bank-a", financedBy: "bank-a", advance: USD(97_500) });
  rejected(t, transfer(c, "tier1", w, [{ to: "tier2a", amount: USD(1_000) }]).receipt, "NOT_HOLDER");
  rejected(t, transfer(c, "bank-a", w, [{ to: "tier2a", amount: USD(100_000) }]).receipt, "UNKNOWN_PARTY");
  rejected(t, transfer(c, "bank-a", w, [{ to: "bank-b", amount: USD(100_000), tradeRef: invoice(t, c, "tier2a", "tier1", USD(100_000)) }]).receipt, "INVALID_SPLIT", /carries no invoice/);
  const sale = transfer(c, "bank-a", w, [{ to: "bank-b", amount: USD(100_000) }]);
  ok(t, sale.receipt);
  t.match(c.piece(sale.ids[0]!), { holderId: "bank-b", status: "FINANCED" });
  t.equal(c.liveLeaves(w), USD(100_000));
  t.equal(c.submit("tier1", tx.declineOffer({ pieceId: w })).code, "UNAUTHORIZED", "an enterprise cannot decline");
});

// ---- payment ------------------------------------------------------------------------------------

t.test("confirmWarrantPayment: leaves paid one by one, the last settles the warrant and frees the line", async (t) => {
  const c = newChain();
  ok(t, grant(c, { limit: USD(100_000) }));
  const w = issued(t, c, USD(100_000));
  const split = transfer(c, "tier1", w, [{ to: "tier2a", amount: USD(60_000), tradeRef: invoice(t, c, "tier2a", "tier1", USD(60_000)) }]);
  ok(t, split.receipt);
  rejected(t, c.submit("tier1", tx.confirmWarrantPayment({ pieceId: w })), "INVALID_STATE", /SPENT/);
  rejected(t, c.submit("tier1", tx.confirmWarrantPayment({ pieceId: split.ids[0]! })), "NOT_HOLDER");
  const first = ok(t, c.submit("tier2a", tx.confirmWarrantPayment({ pieceId: split.ids[0]! })));
  t.same(first.events, [{ type: "piecePaid", pieceId: split.ids[0], warrantId: w, holderId: "tier2a", amount: USD(60_000), lineOutstanding: USD(40_000) }]);
  t.match(c.warrant(w), { status: "ISSUED", settled: USD(60_000) });
  rejected(t, c.submit("tier2a", tx.confirmWarrantPayment({ pieceId: split.ids[0]! })), "INVALID_STATE", /SETTLED/);
  const last = ok(t, c.submit("tier1", tx.confirmWarrantPayment({ pieceId: split.remainderId })));
  t.same(last.events.map((e) => e.type), ["piecePaid", "warrantSettled"]);
  t.match(c.warrant(w), { status: "SETTLED", settled: USD(100_000) });
  t.equal(c.line("line-1").outstanding, 0n);
  t.equal(c.liveLeaves(w), USD(100_000), "settled leaves stay live: still the face value");
  ok(t, issue(c, { amount: USD(100_000), sources: [invoice(t, c, "tier1", "carmaker", USD(100_000))] }), "the whole line is free again");
});

t.test("registerReceivable: a buyer on the network is a registered enterprise other than the seller", async (t) => {
  const c = newChain();
  const reg = (buyerPartyId: string) =>
    c.submit("tier1", tx.registerReceivable({ documentHash: h32(`b/${buyerPartyId}`), fingerprint: h32(`bf/${buyerPartyId}`), buyerId: "x", buyerPartyId, amount: 1n, currency: "USD", issueDate: "2026-10-01", dueDate: "2026-12-31" }));
  rejected(t, reg("bank-a"), "UNKNOWN_PARTY");
  rejected(t, reg("nobody"), "UNKNOWN_PARTY");
  rejected(t, reg("tier1"), "UNKNOWN_PARTY", /own buyer/);
  const r = ok(t, reg("carmaker"));
  t.equal(c.receivable(r.target).buyerPartyId, "carmaker");
});

t.test("a piece passed on and paid in one block: the prefetch names the warrant and line its payment reads", async (t) => {
  // Found by test/warrant-property.test.ts: the payment of a piece created earlier in the same block
  // read the warrant and credit line, which no transaction of the block named for the prefetch.
  const c = newChain();
  const w = issued(t, c);
  const ref = invoice(t, c, "tier2a", "tier1", USD(40_000));
  const spend = c.sign("tier1", tx.transferWarrant({ pieceId: w, outputs: [{ to: "tier2a", amount: USD(40_000), tradeRef: ref }] }));
  const pay = c.sign("tier2a", tx.confirmWarrantPayment({ pieceId: pieceIdOf(spend.hashHex, 0) }));
  const unprefetched: string[] = [];
  const allowed = prefetchKeys(c.state, [spend, pay]);
  const { receipts } = executeBlock(guardedReader(c.state, allowed, (k) => unprefetched.push(k)), [spend, pay], c.blockContext(), c.deps);
  t.same(receipts.map((r) => r.code), ["OK", "OK"]);
  t.same(unprefetched, [], "every key the block read was prefetched");
  t.ok(allowed.has(KEY.warrant(w)) && allowed.has(KEY.creditLine("line-1")), "the transfer names its warrant and line");
});

t.test("malformed warrant payloads: MALFORMED naming the field, in consensus as in the builder, nothing written", async (t) => {
  const c = newChain();
  const w = issued(t, c);
  const piece = "ab".repeat(32);
  const cases: [string, Record<string, unknown>, string][] = [
    ["carmaker", { type: "issueWarrant", lineId: "line-1", holder: "tier1", amount: 0n, currency: "USD", maturityDate: "2027-03-31", sources: [w] }, "payload.amount"],
    ["carmaker", { type: "issueWarrant", lineId: "line-1", holder: "tier1", amount: 1n, currency: "usd", maturityDate: "2027-03-31", sources: [w] }, "payload.currency"],
    ["carmaker", { type: "issueWarrant", lineId: "line-1", holder: "tier1", amount: 1n, currency: "USD", maturityDate: "2027-02-30", sources: [w] }, "payload.maturityDate"],
    ["carmaker", { type: "issueWarrant", lineId: "line-1", holder: "tier1", amount: 1n, currency: "USD", maturityDate: "2027-03-31", sources: [w, w] }, "payload.sources"],
    ["carmaker", { type: "issueWarrant", lineId: "LINE 1", holder: "tier1", amount: 1n, currency: "USD", maturityDate: "2027-03-31", sources: [w] }, "payload.lineId"],
    ["tier1", { type: "transferWarrant", pieceId: "xyz", outputs: [{ to: "tier2a", amount: 1n, tradeRef: "" }] }, "payload.pieceId"],
    ["tier1", { type: "transferWarrant", pieceId: w, outputs: [] }, "payload.outputs"],
    ["tier1", { type: "transferWarrant", pieceId: w, outputs: [{ to: "tier2a", amount: 0n, tradeRef: "" }] }, "payload.outputs[0].amount"],
    ["tier1", { type: "transferWarrant", pieceId: w, outputs: [{ to: "Tier 2", amount: 1n, tradeRef: "" }] }, "payload.outputs[0].to"],
    ["tier1", { type: "transferWarrant", pieceId: w, outputs: [{ to: "tier2a", amount: 1n, tradeRef: "nothex" }] }, "payload.outputs[0].tradeRef"],
    ["tier1", { type: "offerWarrant", pieceId: piece, bank: "" }, "payload.bank"],
    ["bank-a", { type: "financeWarrant", pieceId: piece, advance: 0n }, "payload.advance"],
    ["bank-a", { type: "grantCreditLine", lineId: "line-x", obligor: "carmaker", currency: "USD", limit: 1n, expiryDate: "tomorrow" }, "payload.expiryDate"],
    ["bank-a", { type: "adjustCreditLine", lineId: "line-1", limit: 0n, expiryDate: "2027-01-01" }, "payload.limit"],
    ["tier1", { type: "confirmWarrantPayment", pieceId: "" }, "payload.pieceId"],
  ];
  for (const [signer, payload, field] of cases) {
    const before = c.stateHash();
    const r = c.run(c.signRaw(signer, payload as never));
    t.equal(r.code, "MALFORMED", `${payload.type} → ${r.message}`);
    t.ok(r.message.startsWith(`${field}:`), `names ${field}: ${r.message}`);
    t.equal(c.stateHash(), before, "nothing written");
  }
  // the builders refuse the same, naming the field
  t.throws(() => tx.transferWarrant({ pieceId: w, outputs: [{ to: "tier2a", amount: "1.5" }] }), { code: "MALFORMED", field: "outputs[0].amount" });
  t.throws(() => tx.financeWarrant({ pieceId: piece, advance: -1n as never }), { code: "MALFORMED" });
});

// ---- post-lending on pieces (docs/warrants.md "Post-lending", docs/lending.md) --------------------

/** The aggregates in state equal those summed afresh from every receivable and piece record. */
function aggregatesAgree(t: Asserts & { same(a: unknown, b: unknown, m: string): boolean }, c: WarrantChain, what: string): void {
  const records = [...c.state.map.entries()];
  const fresh = aggregatesOf(
    records.filter(([k]) => k.startsWith("r/")).map(([, v]) => decodeReceivable(v)),
    records.filter(([k]) => k.startsWith("q/")).map(([, v]) => decodePiece(v)),
  );
  const inState = new Map(records.filter(([k]) => /^(g|gb|ge|go|gd|i)\//.test(k)));
  t.same([...inState.keys()].sort(), [...fresh.keys()].sort(), `${what}: the same aggregate records`);
  for (const [k, v] of fresh) t.equal(toHex(inState.get(k) ?? new Uint8Array()), toHex(v), `${what}: ${k} equals the sum over receivables and pieces`);
}

const bookOf = (c: WarrantChain, bank: string): BankBook => assembleBook(bank, new Map([...c.state.map].filter(([k]) => isBookKeyOf(k, bank))), "all");

/** A warrant of 100,000 split 40,000 to tier2a; tier2a sells its piece to bank-b. Returns the ids. */
function financedPiece(t: Asserts, c: WarrantChain): { w: string; sold: string; kept: string } {
  const w = issued(t, c);
  const split = transfer(c, "tier1", w, [{ to: "tier2a", amount: USD(40_000), tradeRef: invoice(t, c, "tier2a", "tier1", USD(40_000)) }]);
  ok(t, split.receipt, "split");
  const sold = split.ids[0]!;
  ok(t, c.submit("tier2a", tx.offerWarrant({ pieceId: sold, bank: "bank-b" })), "offer");
  ok(t, c.submit("bank-b", tx.financeWarrant({ pieceId: sold, advance: USD(39_000) })), "finance");
  return { w, sold, kept: split.remainderId };
}

t.test("a FINANCED piece is in its holder bank's book: face, due at maturity, sold by its seller, owed by the obligor", async (t) => {
  const c = newChain();
  const { sold } = financedPiece(t, c);
  t.match(c.piece(sold), { status: "FINANCED", holderId: "bank-b", soldBy: "tier2a", dueDate: "" });
  const book = bookOf(c, "bank-b");
  t.match(book.currencies, [{ currency: "USD", outstanding: USD(40_000), receivables: 0, pieces: 1, pieceOutstanding: USD(40_000), due: [{ dueDate: "2027-03-31", count: 1, amount: USD(40_000) }], byExporter: [{ partyId: "tier2a", amount: USD(40_000) }], byObligor: [{ partyId: "carmaker", amount: USD(40_000) }] }]);
  aggregatesAgree(t, c, "after financing");
  // a bank sale moves the piece into the buyer's book; the seller's empties; the children keep the seller
  const sale = transfer(c, "bank-b", sold, [{ to: "bank-a", amount: USD(30_000) }]);
  ok(t, sale.receipt);
  t.match(c.piece(sale.ids[0]!), { holderId: "bank-a", status: "FINANCED", soldBy: "tier2a" });
  t.match(c.piece(sale.remainderId), { holderId: "bank-b", status: "FINANCED", soldBy: "tier2a" });
  t.match(bookOf(c, "bank-a").currencies, [{ outstanding: USD(30_000), pieces: 1, byExporter: [{ partyId: "tier2a", amount: USD(30_000) }] }]);
  t.match(bookOf(c, "bank-b").currencies, [{ outstanding: USD(10_000), pieces: 1 }]);
  aggregatesAgree(t, c, "after a bank sale");
  // paid: out of the book, and the obligor's facts count it (on time)
  ok(t, c.submit("bank-a", tx.confirmWarrantPayment({ pieceId: sale.ids[0]! })));
  t.same(bookOf(c, "bank-a").currencies, []);
  t.match(decodeCreditFacts(c.state.get(KEY.creditFacts("carmaker"))!), { piecesSettledOnTime: 1, piecesSettledLate: 0 });
  aggregatesAgree(t, c, "after a payment");
});

t.test("proposePieceExtension / acceptPieceExtension: the holder bank proposes, the obligor accepts; every code", async (t) => {
  const c = newChain();
  const { sold, kept } = financedPiece(t, c);
  const propose = (signer: string, pieceId: string, newDueDate: string) => c.submit(signer, tx.proposePieceExtension({ pieceId, newDueDate }));
  const accept = (signer: string, pieceId: string, newDueDate: string) => c.submit(signer, tx.acceptPieceExtension({ pieceId, newDueDate }));
  rejected(t, propose("bank-b", toHex(h32("no such piece")), "2027-06-30"), "NOT_FOUND");
  rejected(t, propose("bank-a", sold, "2027-06-30"), "NOT_HOLDER");
  rejected(t, propose("tier2a", sold, "2027-06-30"), "UNAUTHORIZED", /ENTERPRISE/);
  rejected(t, propose("bank-a", kept, "2027-06-30"), "NOT_HOLDER");
  rejected(t, propose("bank-b", sold, "2027-03-31"), "EXTENSION_INVALID", /not after the piece's current one, 2027-03-31/);
  rejected(t, accept("carmaker", sold, "2027-06-30"), "INVALID_STATE", /no extension/);
  const proposed = ok(t, propose("bank-b", sold, "2027-06-30"));
  t.same(proposed.events, [{ type: "pieceExtensionProposed", pieceId: sold, bankId: "bank-b", dueDate: "2027-03-31", newDueDate: "2027-06-30" }]);
  t.match(c.piece(sold), { extensionDueDate: "2027-06-30", dueDate: "" });
  rejected(t, accept("carmaker", toHex(h32("no such piece")), "2027-06-30"), "NOT_FOUND");
  rejected(t, accept("tier1", sold, "2027-06-30"), "UNAUTHORIZED", /only the obligor/);
  rejected(t, accept("bank-b", sold, "2027-06-30"), "UNAUTHORIZED");
  rejected(t, accept("carmaker", sold, "2027-07-31"), "EXTENSION_INVALID", /pending proposal is 2027-06-30/);
  rejected(t, accept("carmaker", kept, "2027-06-30"), "INVALID_STATE", /HELD/);
  const accepted = ok(t, accept("carmaker", sold, "2027-06-30"));
  t.same(accepted.events, [{ type: "pieceExtensionAccepted", pieceId: sold, obligorId: "carmaker", bankId: "bank-b", previousDueDate: "2027-03-31", dueDate: "2027-06-30" }]);
  t.match(c.piece(sold), { dueDate: "2027-06-30", extensionDueDate: "", extensions: 1, maturityDate: "2027-03-31" });
  t.match(bookOf(c, "bank-b").currencies, [{ due: [{ dueDate: "2027-06-30", count: 1, amount: USD(40_000) }] }], "the book's due date moved");
  t.match(decodeCreditFacts(c.state.get(KEY.creditFacts("carmaker"))!), { pieceExtensions: 1 });
  aggregatesAgree(t, c, "after an extension");
  // derived aging follows the extended due date: 2027-04-15 is past maturity but before the new due date
  t.equal(pieceAging(c.piece(sold), BigInt(Date.parse("2027-04-15T00:00:00Z"))), "current");
  t.notOk(isPieceOverdue(c.piece(sold), BigInt(Date.parse("2027-04-15T00:00:00Z"))), "not overdue before the extended due date");
  t.equal(pieceAging(c.piece(sold), BigInt(Date.parse("2027-08-15T00:00:00Z"))), "31-90");
  t.equal(pieceAging(c.piece(kept), BigInt(Date.parse("2027-04-15T00:00:00Z"))), "1-30", "an unextended piece ages from its maturity");
  // a proposal whose date has passed by the time the obligor accepts; a date before the block's
  ok(t, propose("bank-b", sold, "2027-07-31"));
  rejected(t, propose("bank-b", sold, "2026-09-30"), "EXTENSION_INVALID", /not after/);
  c.time = BigInt(Date.parse("2027-08-01T00:00:00Z"));
  rejected(t, accept("carmaker", sold, "2027-07-31"), "EXTENSION_INVALID", /has passed/);
  rejected(t, propose("bank-b", sold, "2027-07-31"), "EXTENSION_INVALID", /before the block's date/);
  t.throws(() => tx.proposePieceExtension({ pieceId: sold, newDueDate: "2027-02-30" }), { code: "MALFORMED", field: "newDueDate" }, "the builder refuses a date that does not exist");
  const raw = c.run(c.signRaw("bank-b", { type: "proposePieceExtension", pieceId: sold, newDueDate: "2027-02-30" } as TxPayload));
  t.match(raw, { code: "MALFORMED", message: /newDueDate/ }, "and so does the ledger, in consensus");
  t.match(c.run(c.signRaw("bank-b", { type: "writeOffPiece", pieceId: "not-hex" } as TxPayload)), { code: "MALFORMED", message: /pieceId/ });
});

t.test("writeOffPiece: the piece DEFAULTED, the warrant DEFAULTED, its other pieces run on, the line keeps owing; every code", async (t) => {
  const c = newChain();
  const { w, sold, kept } = financedPiece(t, c);
  const writeOff = (signer: string, pieceId: string) => c.submit(signer, tx.writeOffPiece({ pieceId }));
  rejected(t, writeOff("bank-b", toHex(h32("no such piece"))), "NOT_FOUND");
  rejected(t, writeOff("bank-a", sold), "NOT_HOLDER");
  rejected(t, writeOff("tier2a", sold), "UNAUTHORIZED", /ENTERPRISE/);
  rejected(t, writeOff("bank-b", kept), "NOT_HOLDER");
  ok(t, c.submit("bank-b", tx.proposePieceExtension({ pieceId: sold, newDueDate: "2027-06-30" })));
  const lineBefore = c.line("line-1").outstanding;
  const r = ok(t, writeOff("bank-b", sold));
  t.same(r.events, [{ type: "pieceWrittenOff", pieceId: sold, warrantId: w, bankId: "bank-b", amount: USD(40_000) }]);
  t.match(c.piece(sold), { status: "DEFAULTED", writtenOff: USD(40_000), extensionDueDate: "", holderId: "bank-b" });
  t.match(c.warrant(w), { status: "DEFAULTED", writtenOff: USD(40_000), settled: 0n });
  t.equal(c.line("line-1").outstanding, lineBefore, "the obligor still owes the piece: the line keeps it");
  t.equal(c.liveLeaves(w), USD(100_000), "conservation: a DEFAULTED leaf is live");
  t.match(bookOf(c, "bank-b").currencies, [{ outstanding: 0n, pieces: 0, writtenOff: USD(40_000), writtenOffCount: 1, due: [], byExporter: [] }]);
  t.match(decodeCreditFacts(c.state.get(KEY.creditFacts("carmaker"))!), { piecesDefaulted: 1 });
  aggregatesAgree(t, c, "after a write-off");
  rejected(t, writeOff("bank-b", sold), "INVALID_STATE", /written off already/);
  rejected(t, c.submit("bank-b", tx.proposePieceExtension({ pieceId: sold, newDueDate: "2027-07-31" })), "INVALID_STATE", /DEFAULTED/);
  rejected(t, c.submit("carmaker", tx.acceptPieceExtension({ pieceId: sold, newDueDate: "2027-06-30" })), "INVALID_STATE", /DEFAULTED/);
  rejected(t, c.submit("bank-b", tx.confirmWarrantPayment({ pieceId: sold })), "INVALID_STATE", /DEFAULTED/);
  rejected(t, transfer(c, "bank-b", sold, [{ to: "bank-a", amount: USD(40_000) }]).receipt, "INVALID_STATE", /DEFAULTED/);
  t.notOk(isPieceOverdue(c.piece(sold), BigInt(Date.parse("2027-12-31T00:00:00Z"))), "a written-off piece is a loss, not overdue");
  // the other piece runs on: offered, financed, paid; the warrant stays DEFAULTED
  ok(t, c.submit("tier1", tx.offerWarrant({ pieceId: kept, bank: "bank-a" })));
  ok(t, c.submit("bank-a", tx.financeWarrant({ pieceId: kept, advance: USD(59_000) })));
  rejected(t, writeOff("bank-b", kept), "NOT_HOLDER");
  ok(t, c.submit("bank-a", tx.confirmWarrantPayment({ pieceId: kept })));
  t.match(c.warrant(w), { status: "DEFAULTED", settled: USD(60_000), writtenOff: USD(40_000) });
  t.equal(c.line("line-1").outstanding, USD(40_000), "the paid piece frees the line, the written-off one does not");
  rejected(t, writeOff("bank-a", kept), "INVALID_STATE", /paid/);
  // a spent piece (sold on by a bank) and a HELD one
  const w2 = issued(t, c);
  rejected(t, writeOff("bank-a", w2), "NOT_HOLDER");
  ok(t, c.submit("tier1", tx.offerWarrant({ pieceId: w2, bank: "bank-a" })));
  ok(t, c.submit("bank-a", tx.financeWarrant({ pieceId: w2, advance: USD(99_000) })));
  ok(t, transfer(c, "bank-a", w2, [{ to: "bank-b", amount: USD(100_000) }]).receipt);
  rejected(t, writeOff("bank-a", w2), "INVALID_STATE", /passed on/);
  aggregatesAgree(t, c, "at the end");
  const records = new WarrantRecords();
  for (const [k, v] of c.state.map) records.add(k, v);
  t.doesNotThrow(() => verifyWarrants(records), "the store's warrant check accepts the trees");
});

t.test("writeOffPiece and extensions within one block: every key the block reads is prefetched", async (t) => {
  const c = newChain();
  const { sold } = financedPiece(t, c);
  const txs = [c.sign("bank-b", tx.proposePieceExtension({ pieceId: sold, newDueDate: "2027-06-30" })), c.sign("carmaker", tx.acceptPieceExtension({ pieceId: sold, newDueDate: "2027-06-30" }))];
  txs.push(c.sign("bank-b", tx.writeOffPiece({ pieceId: sold })));
  const unprefetched: string[] = [];
  const allowed = prefetchKeys(c.state, txs);
  const { receipts } = executeBlock(guardedReader(c.state, allowed, (k) => unprefetched.push(k)), txs, c.blockContext(), c.deps);
  t.same(receipts.map((r) => r.code), ["OK", "OK", "OK"]);
  t.same([...new Set(unprefetched)], [], "every key the block read was prefetched");
});

t.test("CONCENTRATION and LARGE_EXPOSURE count a bank's FINANCED pieces (lending to the seller)", async (t) => {
  const c = new WarrantChain(
    [makeParty("bank-a", "BANK"), makeParty("bank-b", "BANK"), makeParty("carmaker", "ENTERPRISE"), makeParty("tier1", "ENTERPRISE"), makeParty("tier2a", "ENTERPRISE"), makeParty("regulator", "REGULATOR")],
    {},
  );
  ok(t, c.submit("regulator", tx.setRule({ ruleId: "large", kind: "LARGE_EXPOSURE", params: { amount: USD(30_000), currency: "USD" }, severity: "ALERT" })));
  ok(t, c.submit("regulator", tx.setRule({ ruleId: "cap", kind: "LARGE_EXPOSURE", params: { amount: USD(50_000), currency: "USD" }, severity: "BLOCK" })));
  const w = issued(t, c);
  const first = transfer(c, "tier1", w, [{ to: "tier2a", amount: USD(40_000), tradeRef: invoice(t, c, "tier2a", "tier1", USD(40_000)) }]);
  ok(t, first.receipt);
  const sold = first.ids[0]!;
  ok(t, c.submit("tier2a", tx.offerWarrant({ pieceId: sold, bank: "bank-b" })));
  const financed = ok(t, c.submit("bank-b", tx.financeWarrant({ pieceId: sold, advance: USD(39_000) })));
  t.match(financed.alerts, [{ ruleId: "large", kind: "LARGE_EXPOSURE", parties: ["bank-b", "tier2a"], detail: /bank-b's live financing to tier2a is 4000000 USD, above 3000000/ }]);
  // the seller's second piece would take bank-b above the BLOCK cap
  const w2 = issued(t, c, USD(20_000));
  const split = transfer(c, "tier1", w2, [{ to: "tier2a", amount: USD(20_000), tradeRef: invoice(t, c, "tier2a", "tier1", USD(20_000)) }]);
  ok(t, split.receipt);
  ok(t, c.submit("tier2a", tx.offerWarrant({ pieceId: split.ids[0]!, bank: "bank-b" })));
  rejected(t, c.submit("bank-b", tx.financeWarrant({ pieceId: split.ids[0]!, advance: USD(19_000) })), "BLOCKED_BY_RULE", /cap/);
  // a write-off lowers the exposure: nothing fires on it
  const off = ok(t, c.submit("bank-b", tx.writeOffPiece({ pieceId: sold })));
  t.same(off.alerts ?? [], []);
  ok(t, c.submit("bank-b", tx.financeWarrant({ pieceId: split.ids[0]!, advance: USD(19_000) })), "room again after the write-off");
});
