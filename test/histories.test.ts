// Complete histories of every kind of object (issue 18, finding 6): a warrant piece, a warrant, a
// credit line, a title and a lot, each served by its history route with proofs and checked by the
// one generic verifier (verifyObjectHistory): a complete history verifies with `completeThrough`;
// an entry removed at the start, in the middle or at the end (a rejected attempt included) fails
// with ENTRY_MISSING naming the gap; a forged entry fails. Who may read which history. Over the real
// node of test/rpc-harness.ts, every block certified as the idle tip would be.
import t from "tap";
import { toHex, utf8 } from "../sdk/bytes.js";
import { tx } from "../sdk/builders.js";
import { createClient, type TradeLedgerClient } from "../sdk/client.js";
import { randomBytes, sha256 } from "../sdk/crypto.js";
import type { LedgerError } from "../sdk/errors.js";
import { fingerprintWarehouseReceipt } from "../sdk/fingerprint.js";
import { signerFromSeed } from "../sdk/signer.js";
import { pieceIdOf } from "../sdk/transactions/warrant-common.js";
import { validatorSetFromGenesis, verifyObjectHistory, type VerificationReport } from "../sdk/verify.js";
import { verifyPiece } from "../sdk/verify-piece.js";
import { verifyTitlePledges } from "../sdk/verify-title.js";
import type { ObjectKind } from "../sdk/history-chain.js";
import type { ObjectHistoryPageJson } from "../sdk/api/routes.js";
import { day, ledgerErrorOf, servedHarness } from "./rpc-harness.js";

const { h, url, as } = await servedHarness(t);
const bankA = as("bank-a");
const bankB = as("bank-b");
const core = as("core-enterprise");
const hz = as("exporter-hz-textiles");
const sz = as("exporter-sz-electronics");
const auditor = as("auditor");
const set = () => validatorSetFromGenesis(h.genesis());
const usd = (major: number) => BigInt(major) * 100n;
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
const codes = (r: VerificationReport) => r.problems.map((p) => p.code);

const failure = ledgerErrorOf;

async function invoice(seller: TradeLedgerClient, buyer: string, major: number): Promise<string> {
  const r = await seller.submit(
    tx.registerReceivable({ documentHash: randomBytes(32), fingerprint: randomBytes(32), buyerId: `${buyer}-erp`, buyerPartyId: buyer, amount: usd(major), currency: "USD", issueDate: day(-5), dueDate: day(60) }),
  );
  return r.receipt.target;
}

// A credit line, a warrant on it split once; a custodian's lot with two titles, one pledged. Each
// history gets a rejected attempt as its last entry (but the warrant's: no transaction that can be
// rejected names an existing warrant, so its history has none).
const LINE = "line-hist-1";
const LOT = "qd-hist-1";
const custodian = signerFromSeed("warehouse-hist", sha256(utf8("histories/warehouse-hist")));
const qd = createClient({ url, signer: custodian });

await bankA.submit(tx.grantCreditLine({ lineId: LINE, obligor: "core-enterprise", currency: "USD", limit: usd(1_000_000), expiryDate: day(300) }));
await bankA.submit(tx.adjustCreditLine({ lineId: LINE, limit: usd(2_000_000), expiryDate: day(300) }));
const src = await invoice(hz, "core-enterprise", 100_000);
const warrantId = (await core.submit(tx.issueWarrant({ lineId: LINE, holder: "exporter-hz-textiles", amount: usd(100_000), currency: "USD", maturityDate: day(90), sources: [src] }))).txHash;
const ref = await invoice(sz, "exporter-hz-textiles", 40_000);
const split = await hz.submit(tx.transferWarrant({ pieceId: warrantId, outputs: [{ to: "exporter-sz-electronics", amount: usd(30_000), tradeRef: ref }] }));
const szPiece = pieceIdOf(split.txHash, 0);
const hzPiece = pieceIdOf(split.txHash, 1);
await hz.submit(tx.offerWarrant({ pieceId: hzPiece, bank: "bank-a" }));
await bankA.submit(tx.financeWarrant({ pieceId: hzPiece, advance: usd(60_000) }));
// rejections: the line adjusted by a bank that did not grant it; the financed piece offered by its old holder
const lineRejected = await failure(bankB.submit(tx.adjustCreditLine({ lineId: LINE, limit: usd(1), expiryDate: day(300) })));
const pieceRejected = await failure(hz.submit(tx.offerWarrant({ pieceId: hzPiece, bank: "bank-b" })));

await bankA.submit(tx.registerParty({ id: custodian.partyId, role: "CUSTODIAN", name: "warehouse (test)", country: "CN", publicKey: custodian.publicKey }));
const COPPER = { hsCode: "740311", descriptionHash: sha256(utf8("copper cathodes")), unit: "TNE" };
await qd.submit(tx.attestStock({ lotId: LOT, goods: COPPER, quantity: 300n }));
const receipt = (n: string) => fingerprintWarehouseReceipt({ custodianId: custodian.partyId, receiptNumber: n });
const titleId = (await qd.submit(tx.issueTitle({ kind: "WAREHOUSE_RECEIPT", fingerprint: receipt("H-1"), lotId: LOT, quantity: 100n, holder: "exporter-hz-textiles" }))).txHash;
await qd.submit(tx.issueTitle({ kind: "WAREHOUSE_RECEIPT", fingerprint: receipt("H-2"), lotId: LOT, quantity: 50n, holder: "exporter-sz-electronics" }));
await hz.submit(tx.offerPledge({ titleId, bank: "bank-a", securedAmount: usd(10_000), currency: "USD", expiryDate: day(90) }));
await bankA.submit(tx.acceptPledge({ titleId }));
const titleRejected = await failure(sz.submit(tx.offerPledge({ titleId, bank: "bank-b", securedAmount: usd(1), currency: "USD", expiryDate: day(90) })));
const lotRejected = await failure(qd.submit(tx.issueTitle({ kind: "WAREHOUSE_RECEIPT", fingerprint: receipt("H-3"), lotId: LOT, quantity: 1_000n, holder: "exporter-hz-textiles" })));

const objects: { kind: ObjectKind; id: string; rejected?: LedgerError; minEntries: number }[] = [
  { kind: "piece", id: hzPiece, rejected: pieceRejected, minEntries: 4 },
  { kind: "warrant", id: warrantId, minEntries: 5 },
  { kind: "line", id: LINE, rejected: lineRejected, minEntries: 3 },
  { kind: "title", id: titleId, rejected: titleRejected, minEntries: 4 },
  { kind: "lot", id: LOT, rejected: lotRejected, minEntries: 4 },
];

for (const o of objects) {
  t.test(`a ${o.kind}'s history: complete, an entry removed anywhere, a forged entry`, async (t) => {
    const { history, verdict } = await auditor.verifiedHistory(o.kind, o.id, set());
    const page = history as ObjectHistoryPageJson;
    t.same(verdict.problems, [], "the whole history verifies");
    t.ok(verdict.ok);
    t.equal(verdict.completeThrough, page.complete!.height, "complete up to a certified height");
    t.equal(page.kind, o.kind);
    t.equal(page.id, o.id);
    const n = page.items.length;
    t.ok(n >= o.minEntries, `${n} entries`);
    t.same(page.items.map((e) => e.ordinal), [...page.items.keys()], "each entry's place in the chain");
    if (o.rejected) {
      const last = page.items[n - 1]!;
      t.equal(last.txHash, toHex(o.rejected.receipt!.txHash), "the rejected attempt is the last entry");
      t.equal(last.event, undefined);
      t.equal(last.code, o.rejected.code);
    }

    const missing = (x: ObjectHistoryPageJson) => {
      const r = verifyObjectHistory(x, set(), o);
      t.same([...new Set(codes(r))], ["ENTRY_MISSING"], "nothing but the gap is wrong");
      return r.problems[0]!.message;
    };
    const first = clone(page);
    first.items.shift();
    t.match(missing(first), new RegExp(`${n} entries, ${n - 1} were served: 1 missing \\(entry #0 before entry 0 \\(height ${page.items[1]!.height}\\)\\)`), "the first entry");
    const middle = clone(page);
    const k = Math.floor(n / 2);
    middle.items.splice(k, 1);
    t.match(missing(middle), new RegExp(`1 missing \\(entry #${k} after entry ${k - 1} \\(height ${page.items[k - 1]!.height}\\), before entry ${k} \\(height ${page.items[k + 1]!.height}\\)\\)`), "an entry in the middle");
    const end = clone(page);
    end.items.pop();
    t.match(missing(end), new RegExp(`1 missing \\(entry #${n - 1} after the last entry served\\)`), o.rejected ? "the last entry, a rejected attempt" : "the last entry");

    // forged: an event's amount or party changed, an entry relabelled as a rejection, another object's entry
    const forged = clone(page);
    const e = forged.items.find((x) => x.event !== undefined)!;
    e.event = { ...e.event!, ...(("holderId" in e.event! ? { holderId: "bank-b" } : { type: "pieceSettled" }) as object) } as typeof e.event;
    t.ok(codes(verifyObjectHistory(forged, set(), o)).includes("EVENT_MISMATCH"), "a forged event");
    const relabelled = clone(page);
    delete relabelled.items[0]!.event;
    delete relabelled.items[0]!.eventIndex;
    t.ok(codes(verifyObjectHistory(relabelled, set(), o)).includes("RECEIPT_MISMATCH"), "an event served as a rejected attempt");
    const other = clone(page);
    other.id = o.kind === "line" || o.kind === "lot" ? `${o.id}-x` : toHex(randomBytes(32));
    t.ok(codes(verifyObjectHistory(other, set(), o)).includes("NOT_THIS_OBJECT"), "another object's id on the page");
    const theirs = codes(verifyObjectHistory(other, set()));
    t.ok(theirs.includes("NOT_THIS_OBJECT"), "its entries do not concern the object the page names");
    t.ok(theirs.includes("NOT_PROVEN_COMPLETE"), "nor is its chain record the one proven");
    const forgedRecord = clone(middle);
    forgedRecord.complete!.record = forgedRecord.complete!.record!.replace(/^(..)/, "ff");
    t.ok(codes(verifyObjectHistory(forgedRecord, set(), o)).includes("NOT_PROVEN_COMPLETE"), "a chain record of the node's own is not proven");
    const noRecord = clone(page);
    delete noRecord.complete;
    t.same(codes(verifyObjectHistory(noRecord, set(), o)), ["NOT_PROVEN_COMPLETE"], "without the chain record completeness is unproven");
  });
}

t.test("who may read which history", async (t) => {
  const denied = async (c: TradeLedgerClient, kind: ObjectKind, id: string) => (await failure(c.getHistoryOf(kind, id))).status;
  // the piece's holder (the bank that financed it), its old holder, the obligor
  t.equal((await bankA.getHistoryOf("piece", hzPiece)).items.length > 0, true);
  t.equal((await core.getHistoryOf("piece", hzPiece)).items.length > 0, true, "the obligor");
  t.equal(await denied(sz, "piece", hzPiece), 403, "another holder of the warrant's pieces");
  t.equal((await sz.getHistoryOf("piece", szPiece)).kind, "piece", "its own piece");
  // the warrant's every step: obligor and bank only, not a holder
  t.equal((await core.getHistoryOf("warrant", warrantId)).items.length > 0, true);
  t.equal(await denied(sz, "warrant", warrantId), 403);
  t.equal(await denied(hz, "warrant", warrantId), 403, "not even the first holder");
  t.equal(await denied(bankB, "line", LINE), 403, "another bank's line");
  t.equal(await denied(sz, "title", titleId), 403, "a holder of another title on the lot");
  t.equal((await hz.getHistoryOf("title", titleId)).kind, "title", "the title's holder");
  t.equal(await denied(hz, "lot", LOT), 403, "the lot's history is its custodian's: it names every title on it");
  t.equal((await qd.getHistoryOf("lot", LOT)).kind, "lot");
  t.equal(await denied(bankA, "piece", toHex(randomBytes(32))), 404);
  // a rejected issue leaves history under an id that never became a title: auditors only
  const ghost = lotRejected.receipt!.target;
  t.equal(await denied(qd, "title", ghost), 404);
  const g = await auditor.verifiedHistory("title", ghost, set());
  t.same(g.verdict.problems, [], "an auditor proves the attempts on an id that never became a title");
  t.equal(g.history.items.length, 1);
});

t.test("verifyPiece rests on the piece's complete history", async (t) => {
  const v = await bankA.getPiece(hzPiece, { proofs: true });
  const report = verifyPiece(v.piece, v, set());
  t.same(report.problems, []);
  t.equal(report.historyCompleteThrough, v.proofs!.history!.complete!.height, "the piece's history is proven complete");
  t.equal(report.historyEntries, v.proofs!.history!.items.length);
  const gap = clone(v);
  gap.proofs!.history!.items.splice(1, 1);
  const r = verifyPiece(gap.piece, gap, set());
  t.same([...new Set(r.problems.map((p) => p.code))], ["ENTRY_MISSING"], "an entry left out of the piece's history");
  const noHistory = clone(v);
  delete noHistory.proofs!.history;
  t.same(verifyPiece(noHistory.piece, noHistory, set()).problems.map((p) => p.code), ["NOT_PROVEN_COMPLETE"]);
});

t.test("a title's pledges rest on its history: re-derived from it, proven complete", async (t) => {
  const { title, history, verdict } = await auditor.verifiedTitle(titleId, set());
  t.same(verdict.problems, [], "the pledges shown are those the proven history makes");
  t.equal(verdict.pledgesCompleteThrough, history.complete!.height);
  t.equal(verdict.pledgesChecked, 1);
  t.match(title.pledges, [{ bankId: "bank-a", outcome: "PLEDGED" }]);
  const mismatch = (x: typeof title, h = history) => verifyTitlePledges(x, h, set()).problems.map((p) => p.code);
  const dropped = clone(title);
  dropped.pledges = [];
  t.same(mismatch(dropped), ["PLEDGES_MISMATCH"], "a pledge left out of the title view");
  const amount = clone(title);
  amount.pledges[0]!.securedAmount = "1";
  t.same(mismatch(amount), ["PLEDGES_MISMATCH"], "a pledge's secured amount misstated");
  const outcome = clone(title);
  outcome.pledges[0]!.outcome = "RELEASED";
  t.same(mismatch(outcome), ["PLEDGES_MISMATCH"], "a pledge's outcome misstated");
  const gap = clone(history);
  gap.items = gap.items.filter((e) => e.event?.type !== "pledgeAccepted");
  t.same([...new Set(mismatch(title, gap))], ["ENTRY_MISSING"], "the acceptance left out of the history");
  // the title read after the history, a step later: compared as it stood at the proven height
  await bankA.submit(tx.releasePledge({ titleId }));
  const later = await auditor.getTitle(titleId);
  t.match(later.pledges, [{ outcome: "RELEASED" }]);
  const r = verifyTitlePledges(later, history, set());
  t.same(r.problems, [], "a release above the proven height is not held against the proof");
  const now = await auditor.verifiedTitle(titleId, set());
  t.same(now.verdict.problems, []);
  t.match(now.title.pledges, [{ outcome: "RELEASED", released: { signer: "bank-a" } }]);
});
