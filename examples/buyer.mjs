// The buyer's word (DESIGN.md §9, docs/ledger.md "The buyer's word"), each party on its own node:
//   a textile maker invoices a department-store chain at home (domestic trade: no export, no customs
//   declaration) and names the buyer, which is on the network -> before the buyer speaks no bank
//   may finance it (NOT_ATTESTED) -> the buyer acknowledges what it owes -> bank A finances on that
//   word, with requireAcknowledgement, up to the acknowledged amount (beyond: NOT_ACKNOWLEDGED) ->
//   bank B finances a part -> bank A notifies the assignment: the buyer is told whom to pay -> bank
//   B's own notice is refused (PAYEE_LOCKED) -> the buyer disputes (short delivery): new financing
//   is refused (DISPUTED) -> the buyer resolves it, bank B finances the rest -> the buyer lists what
//   it owes, and cannot read the seller's other receivables.
//
//   npm start                         # in another terminal
//   node examples/buyer.mjs
import { hashDocument, sha256, toHex, tx, utf8 } from "tradeledger/sdk";
import { clientFor, dayFromToday, ensureParty, fingerprintFor, freshInvoice, minor, RUN_ID, refused, step } from "./lib.mjs";

const BUYER = { id: "buyer-sh-retail", role: "ENTERPRISE", name: "Shanghai Huaxin Department Stores Co., Ltd.", country: "CN" };
const SELLER = "exporter-hz-textiles";
const CCY = "CNY";
const cny = (units) => `${(BigInt(units) / 100n).toLocaleString("en-US")}.${(BigInt(units) % 100n).toString().padStart(2, "0")} ${CCY}`;

step("the buyer: a department-store chain on the network (ENTERPRISE), its key in .devnet/keys");
console.log(`  ${BUYER.id.padEnd(16)} ${BUYER.name.padEnd(46)} ${await ensureParty(BUYER)}`);

const seller = clientFor(SELLER, 0);
const buyer = clientFor(BUYER.id, 3);
const bankA = clientFor("bank-a", 0);
const bankB = clientFor("bank-b", 1);

/** The seller's invoice on `buyerId` (named on the network with `buyerPartyId` when it is a party). */
async function register(buyerId, buyerPartyId, amount, suffix) {
  const invoice = freshInvoice(suffix);
  invoice.buyer = { identifier: buyerId, name: buyerPartyId ? BUYER.name : "Wuxi Home Textiles Trading Co., Ltd.", address: { city: buyerPartyId ? "Shanghai" : "Wuxi", country: "CN" } };
  invoice.currency = CCY;
  invoice.totalAmount = amount;
  invoice.incoterms = { rule: "DAP", place: buyerPartyId ? "Shanghai" : "Wuxi", version: "2020" };
  delete invoice.lineItems;
  const r = await seller.submit(
    tx.registerReceivable({
      documentHash: hashDocument(invoice).root,
      fingerprint: fingerprintFor(SELLER, buyerId, invoice.invoiceNumber, CCY),
      buyerId,
      ...(buyerPartyId ? { buyerPartyId } : {}),
      amount: minor(amount, CCY),
      currency: CCY,
      issueDate: invoice.issueDate,
      dueDate: invoice.dueDate,
    }),
  );
  return { id: r.receipt.target, invoiceNumber: invoice.invoiceNumber, dueDate: invoice.dueDate };
}

step("the seller registers its invoice on the buyer, naming it on the network (node 1)");
const owed = await register(BUYER.id, BUYER.id, "1000000.00", "-D");
console.log({ receivableId: owed.id, invoice: owed.invoiceNumber, buyerPartyId: BUYER.id, amount: "1,000,000.00 CNY", dueDate: owed.dueDate, customs: "none (domestic)" });
// Another invoice of the seller, to a buyer that is not on the network: the buyer above never sees it.
const elsewhere = await register("91320200MA1WXYZ12K", undefined, "250000.00", "-W");
console.log({ anotherReceivable: elsewhere.id, buyer: "Wuxi Home Textiles Trading (not on the network)" });

step("before the buyer speaks, nothing backs the invoice: no customs attestation, no acknowledgement (node 1)");
await refused("bank A finances the invoice", "NOT_ATTESTED", () => bankA.submit(tx.financeReceivable({ receivableId: owed.id, amount: minor("100000.00", CCY), currency: CCY })));

step("the buyer acknowledges 800,000.00 CNY (a credit note of 200,000.00 for returns) on the due date (node 4)");
const ack = await buyer.submit(tx.acknowledgeReceivable({ receivableId: owed.id, amount: minor("800000.00", CCY), dueDate: owed.dueDate }));
const acked = ack.receipt.events.find((e) => e.type === "receivableAcknowledged");
console.log({ receivableId: owed.id, acknowledgedAmount: cny(acked.amount), dueDate: acked.dueDate, by: acked.buyerPartyId });

step("bank A finances 600,000.00 on the buyer's word (requireAcknowledgement), then asks for 300,000.00 more (node 1)");
const fa = await bankA.submit(tx.financeReceivable({ receivableId: owed.id, amount: minor("600000.00", CCY), currency: CCY, requireAcknowledgement: true }));
console.log({ financingId: fa.txHash, bank: "bank-a", amount: "600,000.00 CNY", liveFinanced: cny(fa.receipt.events.find((e) => e.type === "receivableFinanced").liveFinanced) });
await refused("bank A would bring the live financing to 900,000.00, above the 800,000.00 acknowledged", "NOT_ACKNOWLEDGED", () =>
  bankA.submit(tx.financeReceivable({ receivableId: owed.id, amount: minor("300000.00", CCY), currency: CCY, requireAcknowledgement: true })),
);

step("bank B finances 150,000.00 (node 2)");
const fb = await bankB.submit(tx.financeReceivable({ receivableId: owed.id, amount: minor("150000.00", CCY), currency: CCY, requireAcknowledgement: true }));
console.log({ financingId: fb.txHash, bank: "bank-b", amount: "150,000.00 CNY", liveFinanced: cny(fb.receipt.events.find((e) => e.type === "receivableFinanced").liveFinanced) });

step("bank A notifies the assignment: the buyer is to pay bank A's account (node 1)");
// Only the account's hash goes on the ledger; the buyer checks the account it is given against it.
const account = `CN${RUN_ID}0001 HANSEATIC TRADE BANK SHANGHAI BRANCH`;
const accountHash = sha256(utf8(account));
const notice = await bankA.submit(tx.notifyAssignment({ receivableId: owed.id, payeeAccountHash: accountHash }));
console.log({ payeeBankId: "bank-a", payeeAccountHash: toHex(accountHash), noticeTo: notice.receipt.events.find((e) => e.type === "assignmentNotified").buyerPartyId });
await refused("bank B, which also finances it, tells the buyer to pay bank B instead", "PAYEE_LOCKED", () =>
  bankB.submit(tx.notifyAssignment({ receivableId: owed.id, payeeAccountHash: sha256(utf8("CN-PEARL-RIVER-0002")) })),
);
const onLedger = (await buyer.getReceivable(owed.id)).receivable;
if (onLedger.payeeBankId !== "bank-a" || onLedger.payeeAccountHash !== toHex(accountHash)) throw new Error("the buyer does not see bank A's notice");
console.log(`  the buyer reads its payee on the ledger: ${onLedger.payeeBankId}, account hash ${onLedger.payeeAccountHash.slice(0, 16)}... = the account it was given`);

step("the buyer disputes: 20 of 100 bales arrived water-damaged (node 4)");
await buyer.submit(tx.disputeReceivable({ receivableId: owed.id, reason: "short delivery: 20 of 100 bales water-damaged on arrival" }));
console.log({ receivableId: owed.id, disputed: true });
await refused("bank B finances another 50,000.00 while the buyer disputes", "DISPUTED", () =>
  bankB.submit(tx.financeReceivable({ receivableId: owed.id, amount: minor("50000.00", CCY), currency: CCY, requireAcknowledgement: true })),
);

step("the seller replaces the bales; the buyer resolves its dispute, and bank B finances the last 50,000.00 (nodes 4, 2)");
await buyer.submit(tx.resolveDispute({ receivableId: owed.id }));
const fb2 = await bankB.submit(tx.financeReceivable({ receivableId: owed.id, amount: minor("50000.00", CCY), currency: CCY, requireAcknowledgement: true }));
console.log({ disputed: false, liveFinanced: cny(fb2.receipt.events.find((e) => e.type === "receivableFinanced").liveFinanced), acknowledged: "800,000.00 CNY" });

step("the buyer lists what it owes (listReceivables({ buyer }))");
const mine = await buyer.listReceivables({ buyer: BUYER.id, limit: 1000 });
for (const r of mine.items.filter((x) => x.receivable.id === owed.id)) {
  const x = r.receivable;
  console.log(`  ${x.id.slice(0, 16)}... from ${x.exporterId}: ${cny(x.amount)}, acknowledged ${cny(x.acknowledgedAmount)} due ${x.acknowledgedDueDate}, ${x.status}, pay ${x.payeeBankId}, disputed ${x.disputed}`);
}
console.log(`  (${mine.items.length} receivable(s) owed by ${BUYER.id} on this devnet)`);
if (!mine.items.some((x) => x.receivable.id === owed.id)) throw new Error("the buyer does not see what it owes");
if (mine.items.some((x) => x.receivable.id === elsewhere.id)) throw new Error("the buyer sees another buyer's receivable");

step("... and nothing else of the seller's");
await refused("the buyer lists the seller's receivables", "FORBIDDEN", () => buyer.listReceivables({ exporter: SELLER }));
await refused("the buyer reads the seller's invoice to another buyer", "FORBIDDEN", () => buyer.getReceivable(elsewhere.id));
await refused("the buyer reads the seller's exposure across banks", "FORBIDDEN", () => buyer.getExposure(SELLER));
console.log(`\ninvoice ${owed.invoiceNumber}: financed 800,000.00 CNY on the buyer's word and never beyond it; the buyer pays bank A`);
