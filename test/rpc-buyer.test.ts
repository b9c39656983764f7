// The buyer's word through the RPC (DESIGN.md §9, docs/security.md "What a buyer sees"), over the
// real node of test/rpc-harness.ts: the buyer (an ENTERPRISE named as a receivable's buyerPartyId)
// reads the receivables it owes, their history and their notices of assignment, lists what it owes,
// and sees nothing else of the exporter's; acknowledgement, domestic financing, notice and dispute
// round-trip through the SDK with their 409 codes; the history verifies against the certificates.
import { createHash } from "node:crypto";
import t from "tap";
import { toHex } from "../sdk/bytes.js";
import { tx } from "../sdk/builders.js";
import { type TradeLedgerClient } from "../sdk/client.js";
import { randomBytes } from "../sdk/crypto.js";
import { LedgerError } from "../sdk/errors.js";
import { validatorSetFromGenesis, verifyHistory } from "../sdk/verify.js";
import { day, servedHarness } from "./rpc-harness.js";

const { h, url, as } = await servedHarness(t);
const exporter = as("exporter-hz-textiles");
const otherExporter = as("exporter-sz-electronics");
const buyer = as("core-enterprise");
const bankA = as("bank-a");
const bankB = as("bank-b");
const auditor = as("auditor");
const BUYER = "core-enterprise";
const usd = (major: number) => BigInt(major) * 100n;
/** The payee account's hash: the account itself stays off the ledger. */
const account = (label: string) => new Uint8Array(createHash("sha256").update(`account/${label}`).digest());

async function failure(p: Promise<unknown>): Promise<LedgerError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof LedgerError) return err;
    throw err;
  }
  throw new Error("expected a LedgerError");
}

/** `seller` registers an invoice owed by `buyerPartyId` ("" for a buyer off the network). */
async function invoice(seller: TradeLedgerClient, buyerPartyId: string, major: number): Promise<{ id: string; txHash: string }> {
  const r = await seller.submit(
    tx.registerReceivable({
      documentHash: randomBytes(32),
      fingerprint: randomBytes(32),
      buyerId: "buyer-erp-7",
      ...(buyerPartyId ? { buyerPartyId } : {}),
      amount: usd(major),
      currency: "USD",
      issueDate: day(-5),
      dueDate: day(60),
    }),
  );
  return { id: r.receipt.target, txHash: r.txHash };
}

let owed = "";
let notOwed = "";
let notOwedTx = "";
let financeTx = "";

t.test("the buyer acknowledges, a bank finances on its word and notifies the assignment; the buyer reads it all", async (t) => {
  owed = (await invoice(exporter, BUYER, 1_000)).id;
  const other = await invoice(exporter, "", 500);
  notOwed = other.id;
  notOwedTx = other.txHash;
  await invoice(otherExporter, "exporter-hz-textiles", 10); // the exporter is the buyer of someone else's invoice

  // neither attested nor acknowledged
  t.match(await failure(bankA.submit(tx.financeReceivable({ receivableId: owed, amount: usd(1), currency: "USD" }))), { status: 409, code: "NOT_ATTESTED" });
  t.match(await buyer.getReceivable(owed), { receivable: { buyerPartyId: BUYER, acknowledgedAmount: "0", disputed: false }, available: "0", financeable: false });

  const acked = await buyer.submit(tx.acknowledgeReceivable({ receivableId: owed, amount: usd(800), dueDate: day(75) }));
  t.same(acked.receipt.events, [{ type: "receivableAcknowledged", receivableId: owed, buyerPartyId: BUYER, amount: usd(800), dueDate: day(75) }]);
  t.match(await bankA.getReceivable(owed), { receivable: { status: "REGISTERED", acknowledgedAmount: "80000", acknowledgedDueDate: day(75) }, available: "80000", financeable: true });
  t.match(await failure(exporter.submit(tx.acknowledgeReceivable({ receivableId: owed, amount: usd(1_000), dueDate: day(60) }))), { status: 403, code: "UNAUTHORIZED" });

  t.match(await failure(bankA.submit(tx.financeReceivable({ receivableId: owed, amount: usd(801), currency: "USD", requireAcknowledgement: true }))), { status: 409, code: "NOT_ACKNOWLEDGED" });
  const fin = await bankA.submit(tx.financeReceivable({ receivableId: owed, amount: usd(600), currency: "USD", requireAcknowledgement: true }));
  financeTx = fin.txHash;
  const payee = account("bank-a collection account");
  const notice = await bankA.submit(tx.notifyAssignment({ receivableId: owed, payeeAccountHash: payee }));
  t.match(notice.receipt.events[0], { type: "assignmentNotified", bankId: "bank-a", buyerPartyId: BUYER });
  t.match(await failure(bankB.submit(tx.notifyAssignment({ receivableId: owed, payeeAccountHash: payee }))), { status: 403, code: "UNAUTHORIZED" });
  await bankB.submit(tx.financeReceivable({ receivableId: owed, amount: usd(100), currency: "USD" }));
  t.match(await failure(bankB.submit(tx.notifyAssignment({ receivableId: owed, payeeAccountHash: account("bank-b") }))), { status: 409, code: "PAYEE_LOCKED" });

  // the buyer sees whom to pay
  const seen = await buyer.getReceivable(owed);
  t.match(seen, { receivable: { payeeBankId: "bank-a", payeeAccountHash: toHex(payee), status: "PARTIALLY_FINANCED" }, liveFinanced: "70000", available: "10000" });

  // its history, every notice in it, verifiable by the buyer against the certificates
  const hist = await buyer.getFullHistory(owed);
  t.same(
    hist.items.map((e) => e.event?.type ?? `rejected:${e.code}`),
    [
      "receivableRegistered",
      "rejected:NOT_ATTESTED",
      "receivableAcknowledged",
      "rejected:UNAUTHORIZED",
      "rejected:NOT_ACKNOWLEDGED",
      "receivableFinanced",
      "assignmentNotified",
      "rejected:UNAUTHORIZED",
      "receivableFinanced",
      "rejected:PAYEE_LOCKED",
    ],
  );
  t.same(verifyHistory(hist, validatorSetFromGenesis(h.genesis())).problems, []);
  t.equal((await buyer.getTx(financeTx)).txHash, financeTx, "the buyer sees the transactions on what it owes");
});

t.test("the buyer sees nothing else of the exporter's", async (t) => {
  t.match(await failure(buyer.getReceivable(notOwed)), { status: 403, code: "FORBIDDEN" });
  t.match(await failure(buyer.getHistory(notOwed)), { status: 403 });
  t.match(await failure(buyer.getTx(notOwedTx)), { status: 403 });
  t.match(await failure(buyer.getExposure("exporter-hz-textiles")), { status: 403 });
  // lists: the exporter's receivables are not the buyer's to list; what it owes is
  t.match(await failure(buyer.listReceivables({ exporter: "exporter-hz-textiles" })), { status: 403, code: "FORBIDDEN" });
  t.same((await buyer.listReceivables()).items, [], "as an exporter it has registered nothing");
  t.same(
    (await buyer.listReceivables({ buyer: BUYER })).items.map((r) => r.receivable.id),
    [owed],
  );
  t.same((await buyer.listReceivables({ buyer: BUYER, exporter: "exporter-hz-textiles" })).items.map((r) => r.receivable.id), [owed]);
  t.match(await failure(buyer.listReceivables({ buyer: "exporter-hz-textiles" })), { status: 403 });
  // the exporter still lists only its own, not what it owes to others unless it asks as a buyer
  const mine = (await exporter.listReceivables()).items.map((r) => r.receivable.id).sort();
  t.same(mine, [owed, notOwed].sort());
  t.equal((await exporter.listReceivables({ buyer: "exporter-hz-textiles" })).items.length, 1, "the invoice it owes to the other exporter");
  // another enterprise sees none of it
  t.match(await failure(otherExporter.getReceivable(owed)), { status: 403 });
  t.match(await failure(otherExporter.getHistory(owed)), { status: 403 });
});

t.test("a dispute through the RPC: no new financing, the view says so, resolved by the buyer", async (t) => {
  const d = await buyer.submit(tx.disputeReceivable({ receivableId: owed, reason: "40 of 400 cartons damaged" }));
  t.same(d.receipt.events, [{ type: "receivableDisputed", receivableId: owed, buyerPartyId: BUYER, reason: "40 of 400 cartons damaged" }]);
  t.match(await bankA.getReceivable(owed), { receivable: { disputed: true, disputeReason: "40 of 400 cartons damaged", status: "PARTIALLY_FINANCED" }, available: "0", financeable: false });
  t.match(await failure(bankB.submit(tx.financeReceivable({ receivableId: owed, amount: usd(1), currency: "USD" }))), { status: 409, code: "DISPUTED" });
  t.match(await failure(exporter.submit(tx.resolveDispute({ receivableId: owed }))), { status: 403, code: "UNAUTHORIZED" });
  await buyer.submit(tx.resolveDispute({ receivableId: owed }));
  t.match(await bankA.getReceivable(owed), { receivable: { disputed: false }, available: "10000", financeable: true });
  const rejected = await auditor.getRejections({ code: "DISPUTED" });
  t.same(rejected.items.map((e) => e.target), [owed], "the refused financing is evidence for auditors");
});
