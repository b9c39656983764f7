// The title-document and pledge rules (DESIGN.md §8, docs/titles.md): one test per rule and per
// rejection code, through the real applyTx, with transactions built and signed by the SDK as a
// client would. Every block here also runs under the prefetch guard (each key read is one its
// transactions' `keys()` named) and is followed by the lot invariant over the whole state; every
// rejection is checked to write nothing.
import t from "tap";
import { tx } from "../sdk/builders.js";
import { toHex } from "../sdk/bytes.js";
import { fingerprintBillOfLading } from "../sdk/fingerprint.js";
import { executeBlock } from "../node/ledger/execute.js";
import { decodeLot, decodeReceipt, decodeTitle, encodeReceipt } from "../node/ledger/records.js";
import { EventView } from "../sdk/api/schemas.js";
import { TxPayloadView } from "../sdk/api/tx-payloads.js";
import { eventFromJson, toJsonView } from "../sdk/json.js";
import { eventContradiction } from "../sdk/verify.js";
import { KEY } from "../node/ledger/state.js";
import type { Tx } from "../sdk/tx.js";
import type { TxPayload } from "../sdk/transactions/index.js";
import type { Goods, Lot, Receipt, ResultCode, Title, TitleKind } from "../sdk/types.js";
import { DAY, T0, TestChain, codes, guardedReader, h32, makeParty, prefetchKeys } from "./ledger-harness.js";

const COPPER: Goods = { hsCode: "740311", descriptionHash: h32("goods/copper cathodes, grade A"), unit: "TNE" };
const ALUMINA: Goods = { hsCode: "281820", descriptionHash: h32("goods/alumina"), unit: "TNE" };
const USD = (major: number) => BigInt(major) * 100n;

class TitleChain extends TestChain {
  /** every transaction run, with its receipt */
  readonly log: { tx: Tx; receipt: Receipt }[] = [];

  lot(id: string): Lot {
    return decodeLot(this.state.get(KEY.lot(id))!);
  }
  title(id: string): Title {
    return decodeTitle(this.state.get(KEY.title(id))!);
  }
  liveTitleOf(fp: Uint8Array): string | undefined {
    const b = this.state.get(KEY.titleFingerprint(toHex(fp)));
    return b && new TextDecoder().decode(b);
  }
  billOfLadingOwner(fp: Uint8Array): string | undefined {
    const b = this.state.get(KEY.billOfLading(toHex(fp)));
    return b && new TextDecoder().decode(b);
  }

  /** Every block runs first under the prefetch guard, then for real; then the lot invariant is checked. */
  override block(txs: Tx[], time = this.time): ReturnType<TestChain["block"]> {
    const missed: string[] = [];
    const allowed = prefetchKeys(this.state, txs);
    executeBlock(guardedReader(this.state, allowed, (k) => missed.push(k)), txs, this.blockContext(time), this.deps);
    if (missed.length > 0) throw new Error(`keys read but not prefetched: ${missed.join(", ")}`);
    const result = super.block(txs, time);
    result.receipts.forEach((receipt, i) => this.log.push({ tx: txs[i]!, receipt }));
    this.checkLots();
    return result;
  }

  /**
   * The lot invariant: for every lot, titled = Σ quantity of its live titles ≤ quantity; every live
   * title holds its fingerprint (u/), no surrendered title does, and a live title is held free or
   * with a pledge that matches its status.
   */
  checkLots(): void {
    const lots = new Map<string, Lot>();
    const sums = new Map<string, bigint>();
    const fps = new Map<string, string>();
    for (const [key, value] of this.state.map) {
      if (key.startsWith("o/")) lots.set(key.slice(2), decodeLot(value));
      if (key.startsWith("u/")) fps.set(key.slice(2), new TextDecoder().decode(value));
    }
    for (const [key, value] of this.state.map) {
      if (!key.startsWith("t/")) continue;
      const title = decodeTitle(value);
      const fp = toHex(title.fingerprint);
      if (title.status === "SURRENDERED") {
        if (fps.get(fp) === title.id) throw new Error(`surrendered title ${title.id} still holds its fingerprint`);
        continue;
      }
      if (fps.get(fp) !== title.id) throw new Error(`live title ${title.id} does not hold its fingerprint`);
      if ((title.status === "HELD") !== (title.pledge === undefined)) throw new Error(`title ${title.id} is ${title.status} with pledge ${JSON.stringify(title.pledge?.bankId)}`);
      sums.set(title.lotId, (sums.get(title.lotId) ?? 0n) + title.quantity);
    }
    for (const [id, lot] of lots) {
      const sum = sums.get(id) ?? 0n;
      if (lot.titled !== sum) throw new Error(`lot ${id}: titled ${lot.titled}, live titles sum to ${sum}`);
      if (lot.titled > lot.quantity) throw new Error(`lot ${id}: ${lot.titled} titled beyond the ${lot.quantity} attested (an empty pledge)`);
    }
    for (const [fp, id] of fps) if (!this.state.get(KEY.title(id))) throw new Error(`fingerprint ${fp} names missing title ${id}`);
  }
}

function newChain(opts: ConstructorParameters<typeof TestChain>[1] = {}): TitleChain {
  return new TitleChain(
    [
      makeParty("bank-a", "BANK", "DE"),
      makeParty("bank-b", "BANK", "CN"),
      makeParty("customs", "CUSTOMS"),
      makeParty("warehouse-qd", "CUSTODIAN"),
      makeParty("warehouse-sh", "CUSTODIAN"),
      makeParty("carrier", "CUSTODIAN", "DK"),
      makeParty("trader-a", "ENTERPRISE"),
      makeParty("trader-b", "ENTERPRISE"),
      makeParty("trader-c", "ENTERPRISE"),
      makeParty("auditor", "AUDITOR"),
    ],
    opts,
  );
}

interface Asserts {
  equal(found: unknown, wanted: unknown, message: string): boolean;
  match(found: unknown, pattern: unknown, message: string): boolean;
}

function ok(t: Asserts, r: Receipt, what = ""): Receipt {
  t.equal(r.code, "OK", `${what} ${r.message}`.trim());
  return r;
}

/** Submits a payload that must be rejected with `code`: no events, and not one byte of state written. */
function rejected(t: Asserts, c: TitleChain, signer: string, payload: TxPayload, code: ResultCode, pattern?: RegExp): Receipt {
  const before = c.stateHash();
  const r = c.submit(signer, payload);
  t.equal(r.code, code, `${payload.type} by ${signer}: ${r.message}`);
  t.equal(r.events.length, 0, "a rejection emits no event");
  t.equal(c.stateHash(), before, `${code}: nothing written`);
  if (pattern) t.match(r.message, pattern, `${code}: ${pattern}`);
  return r;
}

const wr = (label: string) => h32(`warehouse-receipt/${label}`);
const bl = (number: string) => fingerprintBillOfLading({ carrierScac: "MAEU", blNumber: number });

const attest = (o: { lotId?: string; quantity: bigint; goods?: Goods }) => tx.attestStock({ lotId: o.lotId ?? "lot-qd-1", goods: o.goods ?? COPPER, quantity: o.quantity });

const issue = (o: { fingerprint: Uint8Array; quantity: bigint; holder?: string; lotId?: string; kind?: TitleKind }) =>
  tx.issueTitle({ kind: o.kind ?? "WAREHOUSE_RECEIPT", fingerprint: o.fingerprint, lotId: o.lotId ?? "lot-qd-1", quantity: o.quantity, holder: o.holder ?? "trader-a" });

const offer = (titleId: string, bank = "bank-a", expiryDate = "2027-03-31") => tx.offerPledge({ titleId, bank, securedAmount: USD(500_000), currency: "USD", expiryDate });

/** A lot of 1,000 TNE at warehouse-qd and one 400 TNE receipt on it held by trader-a; returns the title id. */
function titled(t: Asserts, c: TitleChain, label = "1", quantity = 400n): string {
  if (!c.state.get(KEY.lot("lot-qd-1"))) ok(t, c.submit("warehouse-qd", attest({ quantity: 1_000n })), "attest");
  return ok(t, c.submit("warehouse-qd", issue({ fingerprint: wr(label), quantity })), "issue").target;
}

// ---- attestStock ---------------------------------------------------------------------------------

t.test("attestStock: the first attestation creates the lot for its custodian; later ones set the quantity", async (t) => {
  const c = newChain();
  const r = ok(t, c.submit("warehouse-qd", attest({ quantity: 1_000n })));
  t.equal(r.target, "lot-qd-1");
  t.same(r.events, [{ type: "stockAttested", lotId: "lot-qd-1", custodianId: "warehouse-qd", hsCode: "740311", descriptionHash: COPPER.descriptionHash, unit: "TNE", quantity: 1_000n, titled: 0n }]);
  t.match(c.lot("lot-qd-1"), { custodianId: "warehouse-qd", goods: COPPER, quantity: 1_000n, titled: 0n, titles: 0, attestedAt: T0 });
  ok(t, c.submit("warehouse-qd", attest({ quantity: 1_500n })), "more goods came in");
  t.equal(c.lot("lot-qd-1").quantity, 1_500n);
  ok(t, c.submit("warehouse-qd", attest({ quantity: 200n })), "goods went out");
  t.match(c.lot("lot-qd-1"), { quantity: 200n, attestedAt: T0 });
  ok(t, c.submit("warehouse-qd", attest({ quantity: 0n })), "an emptied lot");
  ok(t, c.submit("warehouse-sh", attest({ lotId: "lot-sh-1", quantity: 50n, goods: ALUMINA })), "another custodian, its own lot");
});

t.test("attestStock rejections: another custodian's lot, changed goods, below the live titles, wrong role", async (t) => {
  const c = newChain();
  const id = titled(t, c, "1", 400n);
  rejected(t, c, "warehouse-sh", attest({ quantity: 5_000n }), "UNAUTHORIZED", /attested by warehouse-qd, not warehouse-sh/);
  rejected(t, c, "warehouse-qd", attest({ quantity: 1_000n, goods: { ...COPPER, hsCode: "740319" } }), "INVALID_STATE", /goods never change/);
  rejected(t, c, "warehouse-qd", attest({ quantity: 1_000n, goods: { ...COPPER, unit: "KGM" } }), "INVALID_STATE");
  rejected(t, c, "warehouse-qd", attest({ quantity: 1_000n, goods: { ...COPPER, descriptionHash: h32("goods/scrap") } }), "INVALID_STATE");
  rejected(t, c, "warehouse-qd", attest({ quantity: 399n }), "EXCEEDS_STOCK", /represent 400 TNE/);
  ok(t, c.submit("warehouse-qd", attest({ quantity: 400n })), "exactly what the live titles represent");
  ok(t, c.submit("warehouse-qd", tx.surrenderTitle({ titleId: id })));
  ok(t, c.submit("warehouse-qd", attest({ quantity: 0n })), "after delivery the stock may fall to nothing");
  for (const signer of ["trader-a", "bank-a", "customs", "auditor"]) rejected(t, c, signer, attest({ lotId: "lot-x", quantity: 1n }), "UNAUTHORIZED", /may not attestStock/);
});

// ---- issueTitle ----------------------------------------------------------------------------------

t.test("issueTitle: a title over part of the lot, its id the tx hash; the lot's titled total and the fingerprint follow", async (t) => {
  const c = newChain();
  ok(t, c.submit("warehouse-qd", attest({ quantity: 1_000n })));
  const signed = c.sign("warehouse-qd", issue({ fingerprint: wr("1"), quantity: 400n }));
  const r = ok(t, c.run(signed));
  t.equal(r.target, signed.hashHex, "the title's id is the transaction hash");
  t.same(r.events, [{ type: "titleIssued", titleId: signed.hashHex, kind: "WAREHOUSE_RECEIPT", fingerprint: wr("1"), lotId: "lot-qd-1", custodianId: "warehouse-qd", holderId: "trader-a", quantity: 400n, lotTitled: 400n }]);
  t.match(c.title(signed.hashHex), { kind: "WAREHOUSE_RECEIPT", lotId: "lot-qd-1", custodianId: "warehouse-qd", quantity: 400n, holderId: "trader-a", firstHolderId: "trader-a", status: "HELD", pledge: undefined, pledges: 0 });
  t.match(c.lot("lot-qd-1"), { quantity: 1_000n, titled: 400n, titles: 1 });
  t.equal(c.liveTitleOf(wr("1")), signed.hashHex);
  t.equal(c.billOfLadingOwner(wr("1")), undefined, "a warehouse receipt does not enter the bill-of-lading namespace");
  ok(t, c.submit("warehouse-qd", issue({ fingerprint: wr("2"), quantity: 600n, holder: "trader-b" })), "up to the attested stock");
  t.match(c.lot("lot-qd-1"), { titled: 1_000n, titles: 2 });
});

t.test("issueTitle rejections: lot, custodian, holder, stock, live fingerprint, wrong role", async (t) => {
  const c = newChain();
  const first = titled(t, c, "1", 400n);
  ok(t, c.submit("warehouse-sh", attest({ lotId: "lot-sh-1", quantity: 100n, goods: ALUMINA })));
  rejected(t, c, "warehouse-qd", issue({ fingerprint: wr("n"), quantity: 1n, lotId: "lot-none" }), "NOT_FOUND", /no lot lot-none/);
  rejected(t, c, "warehouse-qd", issue({ fingerprint: wr("n"), quantity: 1n, lotId: "lot-sh-1" }), "UNAUTHORIZED", /attested by warehouse-sh/);
  rejected(t, c, "warehouse-qd", issue({ fingerprint: wr("n"), quantity: 1n, holder: "bank-a" }), "UNKNOWN_PARTY", /not a registered ENTERPRISE/);
  rejected(t, c, "warehouse-qd", issue({ fingerprint: wr("n"), quantity: 1n, holder: "carrier" }), "UNKNOWN_PARTY");
  rejected(t, c, "warehouse-qd", issue({ fingerprint: wr("n"), quantity: 1n, holder: "nobody" }), "UNKNOWN_PARTY");
  rejected(t, c, "warehouse-qd", issue({ fingerprint: wr("n"), quantity: 601n }), "EXCEEDS_STOCK", /400 TNE of it under live titles/);
  const dup = rejected(t, c, "warehouse-qd", issue({ fingerprint: wr("1"), quantity: 1n, holder: "trader-b" }), "DUPLICATE_TITLE", /live title/);
  t.equal(dup.target, first, "the rejection targets the live title holding the fingerprint");
  rejected(t, c, "warehouse-sh", issue({ fingerprint: wr("1"), quantity: 1n, lotId: "lot-sh-1" }), "DUPLICATE_TITLE", undefined);
  rejected(t, c, "warehouse-qd", issue({ fingerprint: wr("1"), quantity: 1n, kind: "BILL_OF_LADING" }), "DUPLICATE_TITLE", undefined);
  for (const signer of ["trader-a", "bank-a", "customs", "auditor"]) rejected(t, c, signer, issue({ fingerprint: wr("r"), quantity: 1n }), "UNAUTHORIZED", /may not issueTitle/);
  t.match(c.lot("lot-qd-1"), { titled: 400n, titles: 1 });
});

t.test("the empty pledge (Qingdao): receipts for 300 kt over 100 kt of metal — only 100 kt are ever titled, in one block too", async (t) => {
  const c = newChain();
  ok(t, c.submit("warehouse-qd", attest({ quantity: 100_000n })), "100 kt in the lot");
  // one receipt at a time: the first 100 kt pass, the rest is EXCEEDS_STOCK
  const results: ResultCode[] = [];
  for (let i = 0; i < 6; i++) results.push(c.submit("warehouse-qd", issue({ fingerprint: wr(`qd/${i}`), quantity: 25_000n, holder: i % 2 ? "trader-a" : "trader-b" })).code);
  t.same(results, ["OK", "OK", "OK", "OK", "EXCEEDS_STOCK", "EXCEEDS_STOCK"]);
  t.equal(c.lot("lot-qd-1").titled, 100_000n);
  // all in one block, against a fresh lot: the order in the block decides, never more than the stock
  ok(t, c.submit("warehouse-qd", attest({ lotId: "lot-qd-2", quantity: 100_000n })));
  const burst = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((i) => c.sign("warehouse-qd", issue({ lotId: "lot-qd-2", fingerprint: wr(`qd2/${i}`), quantity: 25_000n })));
  const got = codes(c.block(burst).receipts);
  t.same(got, ["OK", "OK", "OK", "OK", ...Array<ResultCode>(8).fill("EXCEEDS_STOCK")]);
  t.equal(c.lot("lot-qd-2").titled, 100_000n, "300 kt of receipts asked, 100 kt titled");
  // nor can the custodian lower the stock below what is titled
  rejected(t, c, "warehouse-qd", attest({ lotId: "lot-qd-2", quantity: 99_999n }), "EXCEEDS_STOCK");
  // the same metal attested again under a second lot is the custodian's own statement: the ledger makes it
  // answerable (signed, ordered, visible to supervisors), it cannot weigh the metal
  ok(t, c.submit("warehouse-qd", attest({ lotId: "lot-qd-3", quantity: 100_000n })));
  ok(t, c.submit("warehouse-qd", issue({ lotId: "lot-qd-3", fingerprint: wr("qd3/0"), quantity: 100_000n })));
});

// ---- the bill-of-lading namespace shared with Part I ---------------------------------------------

t.test("a B/L title and Part I's anchored bill of lading share one namespace: the same B/L only for the same exporter, both ways", async (t) => {
  const c = newChain();
  ok(t, c.submit("carrier", attest({ lotId: "voyage-217", quantity: 10_000n })));
  const anchorBl = (exporter: string, fp: Uint8Array, label: string) =>
    c.submit(exporter, tx.anchorDocument({ documentHash: h32(`bl-doc/${label}`), documentType: "BILL_OF_LADING", billOfLadingFingerprint: fp }));
  const blTitle = (fp: Uint8Array, holder: string, quantity = 100n) => issue({ kind: "BILL_OF_LADING", fingerprint: fp, lotId: "voyage-217", quantity, holder });

  // anchored first (Part I), titled after: only to the same exporter
  const anchored = bl("NBOHAM2610417");
  ok(t, anchorBl("trader-a", anchored, "1"), "trader-a anchors its B/L");
  rejected(t, c, "carrier", blTitle(anchored, "trader-b"), "DUPLICATE_TITLE", /belongs to trader-a, not trader-b/);
  const own = ok(t, c.submit("carrier", blTitle(anchored, "trader-a")), "the same exporter's B/L becomes its title").target;
  t.equal(c.billOfLadingOwner(anchored), "trader-a");

  // titled first, anchored after: Part I answers BILL_OF_LADING_REUSED for another exporter
  const titledFirst = bl("MAEU NBOHAM2610500");
  const id = ok(t, c.submit("carrier", blTitle(titledFirst, "trader-b"))).target;
  t.equal(c.billOfLadingOwner(titledFirst), "trader-b", "issueTitle records b/<fp> -> its first holder");
  rejected(t, c, "trader-c", tx.anchorDocument({ documentHash: h32("bl-doc/2"), documentType: "BILL_OF_LADING", billOfLadingFingerprint: titledFirst }), "BILL_OF_LADING_REUSED");
  ok(t, anchorBl("trader-b", titledFirst, "3"), "the title's exporter may anchor its own B/L");

  // the B/L stays its first holder's: after a transfer, and after surrender
  ok(t, c.submit("trader-b", tx.transferTitle({ titleId: id, to: "trader-c" })));
  t.equal(c.billOfLadingOwner(titledFirst), "trader-b");
  rejected(t, c, "trader-c", tx.anchorDocument({ documentHash: h32("bl-doc/4"), documentType: "BILL_OF_LADING", billOfLadingFingerprint: titledFirst }), "BILL_OF_LADING_REUSED");
  ok(t, c.submit("carrier", tx.surrenderTitle({ titleId: id })));
  t.equal(c.liveTitleOf(titledFirst), undefined, "surrender frees the fingerprint among live titles");
  rejected(t, c, "carrier", blTitle(titledFirst, "trader-c"), "DUPLICATE_TITLE", /belongs to trader-b/);
  ok(t, c.submit("carrier", blTitle(titledFirst, "trader-b")), "re-issued to the same exporter");
  // a live B/L title is unique even for its own exporter
  t.equal(rejected(t, c, "carrier", blTitle(anchored, "trader-a"), "DUPLICATE_TITLE", /live title/).target, own);
  // a warehouse receipt never touches the B/L namespace
  const wrFp = wr("voyage/1");
  ok(t, c.submit("carrier", issue({ fingerprint: wrFp, lotId: "voyage-217", quantity: 1n, holder: "trader-c" })));
  t.equal(c.billOfLadingOwner(wrFp), undefined);
});

// ---- transferTitle -------------------------------------------------------------------------------

t.test("transferTitle: the holder passes a free title on; the first holder stays", async (t) => {
  const c = newChain();
  const id = titled(t, c);
  const r = ok(t, c.submit("trader-a", tx.transferTitle({ titleId: id, to: "trader-b" })));
  t.equal(r.target, id);
  t.same(r.events, [{ type: "titleTransferred", titleId: id, fromId: "trader-a", toId: "trader-b" }]);
  t.match(c.title(id), { holderId: "trader-b", firstHolderId: "trader-a", status: "HELD" });
  ok(t, c.submit("trader-b", tx.transferTitle({ titleId: id, to: "trader-c" })));
  t.equal(c.title(id).holderId, "trader-c");
  t.equal(c.lot("lot-qd-1").titled, 400n, "a transfer does not move the lot");
});

t.test("transferTitle rejections", async (t) => {
  const c = newChain();
  const id = titled(t, c);
  rejected(t, c, "trader-a", tx.transferTitle({ titleId: "00".repeat(32), to: "trader-b" }), "NOT_FOUND", /no title/);
  rejected(t, c, "trader-b", tx.transferTitle({ titleId: id, to: "trader-c" }), "NOT_HOLDER", /held by trader-a/);
  rejected(t, c, "trader-a", tx.transferTitle({ titleId: id, to: "trader-a" }), "INVALID_STATE", /already held/);
  rejected(t, c, "trader-a", tx.transferTitle({ titleId: id, to: "bank-a" }), "UNKNOWN_PARTY");
  rejected(t, c, "trader-a", tx.transferTitle({ titleId: id, to: "nobody" }), "UNKNOWN_PARTY");
  ok(t, c.submit("trader-a", offer(id)));
  rejected(t, c, "trader-a", tx.transferTitle({ titleId: id, to: "trader-b" }), "TITLE_PLEDGED", /offered in pledge to bank-a/);
  ok(t, c.submit("bank-a", tx.acceptPledge({ titleId: id })));
  rejected(t, c, "trader-a", tx.transferTitle({ titleId: id, to: "trader-b" }), "TITLE_PLEDGED", /pledged to bank-a/);
  ok(t, c.submit("bank-a", tx.releasePledge({ titleId: id })));
  ok(t, c.submit("warehouse-qd", tx.surrenderTitle({ titleId: id })));
  rejected(t, c, "trader-a", tx.transferTitle({ titleId: id, to: "trader-b" }), "INVALID_STATE", /surrendered/);
  for (const signer of ["warehouse-qd", "bank-a", "auditor"]) rejected(t, c, signer, tx.transferTitle({ titleId: id, to: "trader-b" }), "UNAUTHORIZED", /may not transferTitle/);
});

// ---- pledges -------------------------------------------------------------------------------------

t.test("offer, accept, release: the life of a pledge", async (t) => {
  const c = newChain();
  const id = titled(t, c);
  const o = ok(t, c.submit("trader-a", offer(id)));
  t.equal(o.target, id);
  t.same(o.events, [{ type: "pledgeOffered", titleId: id, holderId: "trader-a", bankId: "bank-a", securedAmount: USD(500_000), currency: "USD", expiryDate: "2027-03-31" }]);
  t.match(c.title(id), { status: "PLEDGE_OFFERED", pledge: { bankId: "bank-a", securedAmount: USD(500_000), currency: "USD", expiryDate: "2027-03-31", acceptedAt: 0n }, pledges: 0 });
  const a = ok(t, c.submit("bank-a", tx.acceptPledge({ titleId: id })));
  t.same(a.events, [{ type: "pledgeAccepted", titleId: id, holderId: "trader-a", bankId: "bank-a" }]);
  t.match(c.title(id), { status: "PLEDGED", pledges: 1, pledge: { bankId: "bank-a" } });
  t.ok(c.title(id).pledge!.acceptedAt > 0n, "acceptance time recorded");
  const rel = ok(t, c.submit("bank-a", tx.releasePledge({ titleId: id })));
  t.same(rel.events, [{ type: "pledgeReleased", titleId: id, holderId: "trader-a", bankId: "bank-a", releasedBy: "bank-a", wasAccepted: true }]);
  t.match(c.title(id), { status: "HELD", pledge: undefined, pledges: 1 });
  // free again: the holder may pledge it to another bank, or withdraw an offer nobody accepted
  ok(t, c.submit("trader-a", offer(id, "bank-b")));
  const w = ok(t, c.submit("trader-a", tx.releasePledge({ titleId: id })), "the holder withdraws an offer nobody accepted");
  t.same(w.events, [{ type: "pledgeReleased", titleId: id, holderId: "trader-a", bankId: "bank-b", releasedBy: "trader-a", wasAccepted: false }]);
  ok(t, c.submit("trader-a", offer(id, "bank-b")));
  ok(t, c.submit("bank-b", tx.releasePledge({ titleId: id })), "the offered bank declines by releasing");
  t.match(c.title(id), { status: "HELD", pledge: undefined, pledges: 1 });
});

t.test("the repeated pledge: an offered or pledged title is not offered again, transferred or surrendered (TITLE_PLEDGED)", async (t) => {
  const c = newChain();
  const id = titled(t, c);
  ok(t, c.submit("trader-a", offer(id, "bank-a")));
  rejected(t, c, "trader-a", offer(id, "bank-b"), "TITLE_PLEDGED", /offered in pledge to bank-a/);
  rejected(t, c, "trader-a", offer(id, "bank-a"), "TITLE_PLEDGED", undefined);
  rejected(t, c, "warehouse-qd", tx.surrenderTitle({ titleId: id }), "TITLE_PLEDGED");
  ok(t, c.submit("bank-a", tx.acceptPledge({ titleId: id })));
  rejected(t, c, "trader-a", offer(id, "bank-b"), "TITLE_PLEDGED", /pledged to bank-a/);
  rejected(t, c, "trader-a", tx.transferTitle({ titleId: id, to: "trader-b" }), "TITLE_PLEDGED");
  rejected(t, c, "warehouse-qd", tx.surrenderTitle({ titleId: id }), "TITLE_PLEDGED", /cannot be surrendered/);
  // nor can the holder free it by itself to pledge it again
  rejected(t, c, "trader-a", tx.releasePledge({ titleId: id }), "UNAUTHORIZED", /only the pledgee bank/);
  // the same goods under a second receipt: the fingerprint is live, the stock is counted
  rejected(t, c, "warehouse-qd", issue({ fingerprint: wr("1"), quantity: 400n, holder: "trader-a" }), "DUPLICATE_TITLE");
  t.match(c.title(id), { status: "PLEDGED", pledge: { bankId: "bank-a" }, holderId: "trader-a" });
});

t.test("offerPledge, acceptPledge and releasePledge rejections", async (t) => {
  const c = newChain();
  const id = titled(t, c);
  const none = "00".repeat(32);
  // offer
  rejected(t, c, "trader-a", offer(none), "NOT_FOUND");
  rejected(t, c, "trader-b", offer(id), "NOT_HOLDER");
  rejected(t, c, "trader-a", offer(id, "trader-b"), "UNKNOWN_PARTY", /not a registered BANK/);
  rejected(t, c, "trader-a", offer(id, "nobody"), "UNKNOWN_PARTY");
  rejected(t, c, "trader-a", offer(id, "bank-a", "2026-09-30"), "TENOR_INVALID", /has passed/);
  ok(t, c.submit("trader-a", offer(id, "bank-a", "2026-10-01")), "an expiry on the block's day is still valid");
  ok(t, c.submit("trader-a", tx.releasePledge({ titleId: id })));
  for (const signer of ["bank-a", "warehouse-qd", "auditor"]) rejected(t, c, signer, offer(id), "UNAUTHORIZED", /may not offerPledge/);
  // accept
  rejected(t, c, "bank-a", tx.acceptPledge({ titleId: none }), "NOT_FOUND");
  rejected(t, c, "bank-a", tx.acceptPledge({ titleId: id }), "INVALID_STATE", /HELD/);
  ok(t, c.submit("trader-a", offer(id, "bank-a", "2026-10-05")));
  rejected(t, c, "bank-b", tx.acceptPledge({ titleId: id }), "UNAUTHORIZED", /offered in pledge to bank-a, not bank-b/);
  for (const signer of ["trader-a", "warehouse-qd"]) rejected(t, c, signer, tx.acceptPledge({ titleId: id }), "UNAUTHORIZED", /may not acceptPledge/);
  const later = c.time;
  c.time = T0 + 5n * DAY; // 2026-10-06, the day after the expiry
  rejected(t, c, "bank-a", tx.acceptPledge({ titleId: id }), "TENOR_INVALID", /lapsed/);
  c.time = later;
  ok(t, c.submit("bank-a", tx.acceptPledge({ titleId: id })));
  rejected(t, c, "bank-a", tx.acceptPledge({ titleId: id }), "INVALID_STATE", /PLEDGED/);
  // release
  rejected(t, c, "bank-a", tx.releasePledge({ titleId: none }), "NOT_FOUND");
  rejected(t, c, "bank-b", tx.releasePledge({ titleId: id }), "UNAUTHORIZED", /bank-a's to release/);
  rejected(t, c, "trader-b", tx.releasePledge({ titleId: id }), "UNAUTHORIZED", /bank-a's to release/);
  rejected(t, c, "trader-a", tx.releasePledge({ titleId: id }), "UNAUTHORIZED", /only the pledgee bank/);
  for (const signer of ["warehouse-qd", "customs", "auditor"]) rejected(t, c, signer, tx.releasePledge({ titleId: id }), "UNAUTHORIZED", /may not releasePledge/);
  ok(t, c.submit("bank-a", tx.releasePledge({ titleId: id })));
  rejected(t, c, "bank-a", tx.releasePledge({ titleId: id }), "INVALID_STATE", /no pledge to release/);
});

// ---- surrenderTitle ------------------------------------------------------------------------------

t.test("surrenderTitle: the goods delivered, the title is spent; its quantity and fingerprint are free again", async (t) => {
  const c = newChain();
  const id = titled(t, c, "1", 400n);
  ok(t, c.submit("trader-a", tx.transferTitle({ titleId: id, to: "trader-b" })));
  const r = ok(t, c.submit("warehouse-qd", tx.surrenderTitle({ titleId: id })));
  t.equal(r.target, id);
  t.same(r.events, [{ type: "titleSurrendered", titleId: id, lotId: "lot-qd-1", custodianId: "warehouse-qd", holderId: "trader-b", quantity: 400n, lotTitled: 0n }]);
  t.match(c.title(id), { status: "SURRENDERED", holderId: "trader-b" });
  t.match(c.lot("lot-qd-1"), { titled: 0n, titles: 1 });
  t.equal(c.liveTitleOf(wr("1")), undefined);
  ok(t, c.submit("warehouse-qd", issue({ fingerprint: wr("1"), quantity: 1_000n })), "the document number and the whole lot may be titled again");
});

t.test("surrenderTitle rejections", async (t) => {
  const c = newChain();
  const id = titled(t, c);
  ok(t, c.submit("warehouse-sh", attest({ lotId: "lot-sh-1", quantity: 100n, goods: ALUMINA })));
  rejected(t, c, "warehouse-qd", tx.surrenderTitle({ titleId: "00".repeat(32) }), "NOT_FOUND");
  rejected(t, c, "warehouse-sh", tx.surrenderTitle({ titleId: id }), "UNAUTHORIZED", /issued by warehouse-qd/);
  for (const signer of ["trader-a", "bank-a", "auditor"]) rejected(t, c, signer, tx.surrenderTitle({ titleId: id }), "UNAUTHORIZED", /may not surrenderTitle/);
  ok(t, c.submit("warehouse-qd", tx.surrenderTitle({ titleId: id })));
  rejected(t, c, "warehouse-qd", tx.surrenderTitle({ titleId: id }), "INVALID_STATE", /surrendered/);
  rejected(t, c, "trader-a", offer(id), "INVALID_STATE", /surrendered/);
  rejected(t, c, "bank-a", tx.releasePledge({ titleId: id }), "INVALID_STATE", /SURRENDERED/);
});

// ---- same-block races ----------------------------------------------------------------------------

t.test("same-block races: the first in the block wins, the rest is rejected; every key read was prefetched", async (t) => {
  const c = newChain();
  const id = titled(t, c, "1", 400n);
  // two pledge offers of one title in one block
  const toA = c.sign("trader-a", offer(id, "bank-a"));
  const toB = c.sign("trader-a", offer(id, "bank-b"));
  t.same(codes(c.block([toA, toB]).receipts), ["OK", "TITLE_PLEDGED"]);
  t.match(c.title(id), { status: "PLEDGE_OFFERED", pledge: { bankId: "bank-a" } });
  // accepted and offered elsewhere again in one block
  t.same(codes(c.block([c.sign("bank-a", tx.acceptPledge({ titleId: id })), c.sign("trader-a", offer(id, "bank-b"))]).receipts), ["OK", "TITLE_PLEDGED"]);
  // released and re-offered in one block: legitimate, both pass
  t.same(codes(c.block([c.sign("bank-a", tx.releasePledge({ titleId: id })), c.sign("trader-a", offer(id, "bank-b"))]).receipts), ["OK", "OK"]);
  ok(t, c.submit("bank-b", tx.releasePledge({ titleId: id })));
  // transferred and offered by the old holder in one block
  t.same(codes(c.block([c.sign("trader-a", tx.transferTitle({ titleId: id, to: "trader-b" })), c.sign("trader-a", offer(id))]).receipts), ["OK", "NOT_HOLDER"]);
  // two titles on one document number in one block
  const one = c.sign("warehouse-qd", issue({ fingerprint: wr("race"), quantity: 10n }));
  const two = c.sign("warehouse-qd", issue({ fingerprint: wr("race"), quantity: 10n, holder: "trader-b" }));
  t.same(codes(c.block([one, two]).receipts), ["OK", "DUPLICATE_TITLE"]);
  // two B/L titles of one B/L for two exporters in one block: the b/ entry of the first decides
  ok(t, c.submit("carrier", attest({ lotId: "voyage-9", quantity: 100n })));
  const blA = c.sign("carrier", issue({ kind: "BILL_OF_LADING", fingerprint: bl("RACE1"), lotId: "voyage-9", quantity: 10n, holder: "trader-a" }));
  const anchorB = c.sign("trader-b", tx.anchorDocument({ documentHash: h32("bl-doc/race"), documentType: "BILL_OF_LADING", billOfLadingFingerprint: bl("RACE1") }));
  t.same(codes(c.block([blA, anchorB]).receipts), ["OK", "BILL_OF_LADING_REUSED"]);
  // issued and surrendered in one block (the surrender reads the lot and fingerprint the issue named)
  const fresh = c.sign("warehouse-qd", issue({ fingerprint: wr("in-and-out"), quantity: 10n }));
  const out = c.sign("warehouse-qd", tx.surrenderTitle({ titleId: fresh.hashHex }));
  t.same(codes(c.block([fresh, out]).receipts), ["OK", "OK"]);
  t.equal(c.title(fresh.hashHex).status, "SURRENDERED");
  // surrendered, and its quantity titled again, in one block; the stock lowered below it in the same block is refused
  const lot = c.lot("lot-qd-1");
  const free = lot.quantity - lot.titled;
  const spend = c.sign("warehouse-qd", tx.surrenderTitle({ titleId: id }));
  const again = c.sign("warehouse-qd", issue({ fingerprint: wr("again"), quantity: free + 400n }));
  const lower = c.sign("warehouse-qd", attest({ quantity: lot.titled + free - 1n }));
  t.same(codes(c.block([spend, again, lower]).receipts), ["OK", "OK", "EXCEEDS_STOCK"]);
  t.equal(c.lot("lot-qd-1").titled, c.lot("lot-qd-1").quantity);
});

t.test("the prefetch names what a surrender reads: the lot and fingerprint of a title committed earlier", async (t) => {
  const c = newChain();
  const id = titled(t, c);
  const s = c.sign("warehouse-qd", tx.surrenderTitle({ titleId: id }));
  const keys = prefetchKeys(c.state, [s]);
  t.ok(keys.has(KEY.title(id)) && keys.has(KEY.lot("lot-qd-1")) && keys.has(KEY.titleFingerprint(toHex(wr("1")))), "title, lot and fingerprint");
  const i = c.sign("carrier", issue({ kind: "BILL_OF_LADING", fingerprint: bl("K1"), lotId: "v-1", quantity: 1n }));
  t.ok(prefetchKeys(c.state, [i]).has(KEY.billOfLading(toHex(bl("K1")))), "a B/L title names its b/ entry");
});

// ---- MALFORMED -----------------------------------------------------------------------------------

t.test("malformed title payloads: MALFORMED naming the field, in consensus as in the builder, nothing written", async (t) => {
  const c = newChain();
  const id = titled(t, c);
  const goods = { hsCode: "740311", descriptionHash: h32("g"), unit: "TNE" };
  const cases: [string, Record<string, unknown>, string][] = [
    ["warehouse-qd", { type: "attestStock", lotId: "Lot 1", goods, quantity: 1n }, "payload.lotId"],
    ["warehouse-qd", { type: "attestStock", lotId: "lot-1", goods: undefined, quantity: 1n }, "payload.goods"],
    ["warehouse-qd", { type: "attestStock", lotId: "lot-1", goods: { ...goods, hsCode: "7403" }, quantity: 1n }, "payload.goods.hsCode"],
    ["warehouse-qd", { type: "attestStock", lotId: "lot-1", goods: { ...goods, descriptionHash: new Uint8Array(31) }, quantity: 1n }, "payload.goods.descriptionHash"],
    ["warehouse-qd", { type: "attestStock", lotId: "lot-1", goods: { ...goods, unit: "tonnes" }, quantity: 1n }, "payload.goods.unit"],
    ["warehouse-qd", { type: "issueTitle", kind: "TITLE_KIND_UNSPECIFIED", fingerprint: wr("m"), lotId: "lot-qd-1", quantity: 1n, holder: "trader-a" }, "payload.kind"],
    ["warehouse-qd", { type: "issueTitle", kind: "WAREHOUSE_RECEIPT", fingerprint: new Uint8Array(0), lotId: "lot-qd-1", quantity: 1n, holder: "trader-a" }, "payload.fingerprint"],
    ["warehouse-qd", { type: "issueTitle", kind: "WAREHOUSE_RECEIPT", fingerprint: wr("m"), lotId: "", quantity: 1n, holder: "trader-a" }, "payload.lotId"],
    ["warehouse-qd", { type: "issueTitle", kind: "WAREHOUSE_RECEIPT", fingerprint: wr("m"), lotId: "lot-qd-1", quantity: 0n, holder: "trader-a" }, "payload.quantity"],
    ["warehouse-qd", { type: "issueTitle", kind: "WAREHOUSE_RECEIPT", fingerprint: wr("m"), lotId: "lot-qd-1", quantity: 1n, holder: "Trader A" }, "payload.holder"],
    ["trader-a", { type: "transferTitle", titleId: "xyz", to: "trader-b" }, "payload.titleId"],
    ["trader-a", { type: "transferTitle", titleId: id, to: "" }, "payload.to"],
    ["trader-a", { type: "offerPledge", titleId: id.toUpperCase(), bank: "bank-a", securedAmount: 1n, currency: "USD", expiryDate: "2027-01-01" }, "payload.titleId"],
    ["trader-a", { type: "offerPledge", titleId: id, bank: "Bank A", securedAmount: 1n, currency: "USD", expiryDate: "2027-01-01" }, "payload.bank"],
    ["trader-a", { type: "offerPledge", titleId: id, bank: "bank-a", securedAmount: 0n, currency: "USD", expiryDate: "2027-01-01" }, "payload.securedAmount"],
    ["trader-a", { type: "offerPledge", titleId: id, bank: "bank-a", securedAmount: 1n, currency: "usd", expiryDate: "2027-01-01" }, "payload.currency"],
    ["trader-a", { type: "offerPledge", titleId: id, bank: "bank-a", securedAmount: 1n, currency: "USD", expiryDate: "2027-02-30" }, "payload.expiryDate"],
    ["bank-a", { type: "acceptPledge", titleId: "" }, "payload.titleId"],
    ["bank-a", { type: "releasePledge", titleId: "ab" }, "payload.titleId"],
    ["warehouse-qd", { type: "surrenderTitle", titleId: `${id}00` }, "payload.titleId"],
  ];
  const seen = new Set<string>();
  for (const [signer, payload, field] of cases) {
    const before = c.stateHash();
    const r = c.run(c.signRaw(signer, payload as never));
    t.equal(r.code, "MALFORMED", `${String(payload.type)} → ${r.message}`);
    t.ok(r.message.startsWith(`${field}:`), `names ${field}: ${r.message}`);
    t.equal(c.stateHash(), before, "nothing written");
    seen.add(String(payload.type));
  }
  t.same([...seen].sort(), ["acceptPledge", "attestStock", "issueTitle", "offerPledge", "releasePledge", "surrenderTitle", "transferTitle"], "every title type has its MALFORMED case");
  // the builders refuse the same, naming the field
  t.throws(() => tx.attestStock({ lotId: "lot-1", goods: { ...goods, hsCode: "74.03.11" }, quantity: 1n }), { code: "MALFORMED", field: "goods.hsCode" });
  t.throws(() => tx.attestStock({ lotId: "lot-1", goods: null as never, quantity: 1n }), { code: "MALFORMED", field: "goods" });
  t.throws(() => tx.attestStock({ lotId: "lot-1", goods, quantity: "1.5" }), { code: "MALFORMED", field: "quantity" });
  t.throws(() => tx.attestStock({ lotId: "lot-1", goods, quantity: -1n }), { code: "MALFORMED", field: "quantity" });
  t.throws(() => tx.issueTitle({ kind: "WAREHOUSE_RECEIPT", fingerprint: "zz", lotId: "lot-1", quantity: 1n, holder: "trader-a" }), { code: "MALFORMED", field: "fingerprint" });
  t.throws(() => tx.issueTitle({ kind: "WAREHOUSE_RECEIPT", fingerprint: wr("x"), lotId: "lot-1", quantity: 0n, holder: "trader-a" }), { code: "MALFORMED", field: "quantity" });
  t.throws(() => tx.offerPledge({ titleId: id, bank: "bank-a", securedAmount: "-5", currency: "USD", expiryDate: "2027-01-01" }), { code: "MALFORMED", field: "securedAmount" });
  t.ok(tx.attestStock({ lotId: "lot-1", goods: { ...goods, descriptionHash: toHex(goods.descriptionHash) }, quantity: "250" }).quantity === 250n, "friendly inputs: hex bytes, decimal strings");
});

// ---- events on the wire, in JSON, and against their transactions ---------------------------------

t.test("every title event survives the proto receipt and its JSON view, and agrees with its signed transaction", async (t) => {
  const c = newChain();
  const id = titled(t, c);
  ok(t, c.submit("trader-a", tx.transferTitle({ titleId: id, to: "trader-b" })));
  ok(t, c.submit("trader-b", offer(id)));
  ok(t, c.submit("trader-b", tx.releasePledge({ titleId: id })));
  ok(t, c.submit("trader-b", offer(id, "bank-b")));
  ok(t, c.submit("bank-b", tx.acceptPledge({ titleId: id })));
  ok(t, c.submit("bank-b", tx.releasePledge({ titleId: id })));
  ok(t, c.submit("warehouse-qd", tx.surrenderTitle({ titleId: id })));
  ok(t, c.submit("carrier", attest({ lotId: "voyage-1", quantity: 10n })));
  ok(t, c.submit("carrier", issue({ kind: "BILL_OF_LADING", fingerprint: bl("EV1"), lotId: "voyage-1", quantity: 10n })));
  const seen = new Set<string>();
  for (const { tx: signed, receipt } of c.log) {
    const p = signed.body.payload;
    t.ok(TxPayloadView.safeParse(toJsonView(p)).success, `${p.type}: the payload's JSON view parses`);
    t.same(decodeReceipt(encodeReceipt(receipt)), receipt, `${p.type}: the receipt round-trips through the proto`);
    for (const e of receipt.events) {
      seen.add(e.type);
      const json = toJsonView(e);
      const parsed = EventView.safeParse(json);
      t.ok(parsed.success, `${e.type}: the JSON view parses${parsed.success ? "" : `: ${parsed.error.message}`}`);
      t.same(eventFromJson(json), e, `${e.type}: the JSON view reads back`);
      t.equal(eventContradiction(e, signed), null, `${e.type} agrees with its ${p.type}`);
    }
  }
  t.same([...seen].sort(), ["pledgeAccepted", "pledgeOffered", "pledgeReleased", "stockAttested", "titleIssued", "titleSurrendered", "titleTransferred"]);
  // a tampered event is caught
  const issued = c.log.find((x) => x.receipt.events[0]?.type === "titleIssued")!;
  const forged = { ...issued.receipt.events[0]!, holderId: "trader-c" } as never;
  t.match(eventContradiction(forged, issued.tx), /differs/);
  const released = c.log.find((x) => x.receipt.events[0]?.type === "pledgeReleased" && x.tx.body.signer === "bank-b")!;
  t.match(eventContradiction({ ...released.receipt.events[0]!, releasedBy: "trader-b" } as never, released.tx), /differs|holder released/);
});

