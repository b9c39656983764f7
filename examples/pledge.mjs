// Copper in a bonded warehouse, pledged to a bank through a warehouse receipt (DESIGN.md §8,
// docs/titles.md), each party on its own node:
//   the warehouse attests a lot of copper cathodes (its stock) -> issues a warehouse receipt over
//   part of it to a trader -> the trader pledges the receipt to bank A (offer, bank A checks and
//   accepts) -> pledging the same receipt to bank B is refused (TITLE_PLEDGED: the repeated pledge)
//   -> the warehouse's receipts beyond its own stock are refused (EXCEEDS_STOCK: the empty pledge of
//   the Qingdao case) -> a carrier's bill of lading shares the bill-of-lading namespace of Part I:
//   anchoring the same B/L for another exporter is refused (BILL_OF_LADING_REUSED) -> bank A is
//   repaid and releases the pledge -> the goods are delivered: the warehouse surrenders the receipt
//   -> the receipt's pledge history, as the ledger keeps it.
//
//   npm start                         # in another terminal
//   node examples/pledge.mjs
import { fingerprintBillOfLading, fingerprintWarehouseReceipt, hashDocument, toHex, tx } from "tradeledger/sdk";
import { clientFor, dayFromToday, ensureParty, minor, refused as refusedWith, RUN_ID, step } from "./lib.mjs";

const CUSTODIANS = [
  { id: "warehouse-qd", role: "CUSTODIAN", name: "Qingdao Harbour Bonded Warehousing Co., Ltd.", country: "CN" },
  { id: "carrier-eastsea", role: "CUSTODIAN", name: "East Sea Container Lines Co., Ltd.", country: "CN" },
];
const TRADER = "exporter-sz-electronics"; // buys copper for its cable plant and finances the stock
const CCY = "USD";
const usd = (units) => `${(BigInt(units) / 100n).toLocaleString("en-US")}.${(BigInt(units) % 100n).toString().padStart(2, "0")} ${CCY}`;
const t = (n) => `${BigInt(n).toLocaleString("en-US")} t`;

step("the custodians: a bonded warehouse and an ocean carrier (CUSTODIAN), keys in .devnet/keys");
for (const p of CUSTODIANS) console.log(`  ${p.id.padEnd(16)} ${p.name.padEnd(46)} ${await ensureParty(p)}`);

const warehouse = clientFor("warehouse-qd", 0);
const carrier = clientFor("carrier-eastsea", 3);
const trader = clientFor(TRADER, 1);
const bankA = clientFor("bank-a", 0);
const bankB = clientFor("bank-b", 1);
const hzTextiles = clientFor("exporter-hz-textiles", 2);
const auditor = clientFor("auditor", 2);

const rejections = [];
/** A refusal, remembered for the auditor's check at the end. */
async function refused(what, code, fn) {
  const err = await refusedWith(what, code, fn);
  if (err.receipt) rejections.push({ code, target: err.receipt.target });
}
step("the warehouse attests what it holds: lot of 2,000 t of copper cathodes (node 1)");
const lotId = `cu-qd-${RUN_ID.toLowerCase()}`;
// The goods' description is a document like any other: the ledger keeps its hash (docs/hashing.md).
const description = { goods: "copper cathodes, grade A, LME registered brand", hsCode: "740311", origin: "CL", location: "Qingdao bonded zone, warehouse 7, bay 12" };
const goods = { hsCode: "740311", descriptionHash: hashDocument(description).root, unit: "TNE" };
const stock = await warehouse.submit(tx.attestStock({ lotId, goods, quantity: 2000n }));
const attested = stock.receipt.events.find((e) => e.type === "stockAttested");
console.log({ lotId, custodian: attested.custodianId, hsCode: attested.hsCode, unit: attested.unit, quantity: t(attested.quantity), titled: t(attested.titled), height: stock.height });

step(`the warehouse issues warehouse receipt WR-${RUN_ID}-1 for 1,500 t to the trader (node 1)`);
const receiptNumber = `WR-${RUN_ID}-1`;
const issued = await warehouse.submit(
  tx.issueTitle({ kind: "WAREHOUSE_RECEIPT", fingerprint: fingerprintWarehouseReceipt({ custodianId: "warehouse-qd", receiptNumber }), lotId, quantity: 1500n, holder: TRADER }),
);
const titleId = issued.receipt.target; // a title's id is its issuing transaction's hash
const titleIssued = issued.receipt.events.find((e) => e.type === "titleIssued");
console.log({ titleId, receiptNumber, holder: titleIssued.holderId, quantity: t(titleIssued.quantity), lotTitled: t(titleIssued.lotTitled) });

step("the trader offers the receipt to bank A as security for 9,000,000.00 USD (node 2)");
const expiryDate = dayFromToday(180);
await trader.submit(tx.offerPledge({ titleId, bank: "bank-a", securedAmount: minor("9000000.00", CCY), currency: CCY, expiryDate }));
console.log({ titleId, status: "PLEDGE_OFFERED", bank: "bank-a", securedAmount: "9,000,000.00 USD", expiryDate });

step("bank A checks the paper receipt against the ledger and accepts the pledge (node 1)");
const seen = await bankA.getTitle(titleId);
const paper = toHex(fingerprintWarehouseReceipt({ custodianId: "warehouse-qd", receiptNumber: receiptNumber.toLowerCase().replace(/-/g, " ") }));
if (paper !== seen.title.fingerprint) throw new Error("the paper receipt's number does not match the title on the ledger");
console.log({
  status: seen.title.status,
  custodian: seen.title.custodianId,
  holder: seen.title.holderId,
  goods: `${t(seen.title.quantity)} of HS ${seen.goods.hsCode}`,
  fingerprintMatchesPaper: true,
  earlierPledges: seen.pledges.length - 1,
});
const accepted = await bankA.submit(tx.acceptPledge({ titleId }));
console.log({ titleId, status: "PLEDGED", bank: "bank-a", height: accepted.height });

step("the repeated pledge: the trader offers the same receipt to bank B (node 2)");
await refused("the trader pledges the receipt already pledged to bank A, to bank B", "TITLE_PLEDGED", () =>
  trader.submit(tx.offerPledge({ titleId, bank: "bank-b", securedAmount: minor("8000000.00", CCY), currency: CCY, expiryDate })),
);
await refused("the trader passes the pledged receipt on to another company", "TITLE_PLEDGED", () => trader.submit(tx.transferTitle({ titleId, to: "exporter-hz-textiles" })));

step("the empty pledge (the Qingdao case): receipts beyond the warehouse's own stock (node 1)");
await refused("the warehouse issues another 1,500 t on a lot of 2,000 t with 1,500 t already receipted", "EXCEEDS_STOCK", () =>
  warehouse.submit(
    tx.issueTitle({ kind: "WAREHOUSE_RECEIPT", fingerprint: fingerprintWarehouseReceipt({ custodianId: "warehouse-qd", receiptNumber: `WR-${RUN_ID}-2` }), lotId, quantity: 1500n, holder: "exporter-hz-textiles" }),
  ),
);
await refused("the warehouse lowers the lot's stock below its receipts (2,000 t -> 1,000 t)", "EXCEEDS_STOCK", () => warehouse.submit(tx.attestStock({ lotId, goods, quantity: 1000n })));
const lot = await warehouse.getLot(lotId);
console.log({ lotId, attested: t(lot.lot.quantity), receipted: t(lot.lot.titled), available: t(lot.available), titles: lot.items.map((x) => `${x.id.slice(0, 12)}... ${x.holderId} ${t(x.quantity)} ${x.status}`) });

step("a carrier's bill of lading shares the bill-of-lading namespace of Part I (node 4)");
const voyage = `voy-escl-${RUN_ID.toLowerCase()}`;
const cargo = { hsCode: "620342", descriptionHash: hashDocument({ goods: "cotton trousers, men's", cartons: 1200, container: "ESCU 7261048" }).root, unit: "CT" };
await carrier.submit(tx.attestStock({ lotId: voyage, goods: cargo, quantity: 1200n }));
const blNumber = `NBOHAM${RUN_ID}`;
const blFingerprint = fingerprintBillOfLading({ carrierScac: "ESCL", blNumber });
const bl = await carrier.submit(tx.issueTitle({ kind: "BILL_OF_LADING", fingerprint: blFingerprint, lotId: voyage, quantity: 1200n, holder: "exporter-hz-textiles" }));
console.log({ billOfLading: `ESCL ${blNumber}`, titleId: bl.receipt.target, holder: "exporter-hz-textiles", cartons: 1200 });
// The exporter it names anchors its copy of the B/L document (Part I): the same exporter, accepted.
const randomHash = () => crypto.getRandomValues(new Uint8Array(32)); // stands for the hash of the B/L document
const own = await hzTextiles.submit(tx.anchorDocument({ documentHash: randomHash(), documentType: "BILL_OF_LADING", billOfLadingFingerprint: blFingerprint }));
console.log(`  exporter-hz-textiles anchors its own B/L document: OK at height ${own.height}`);
await refused("another exporter anchors the same bill of lading (re-spelled, with the carrier prefix) as its own", "BILL_OF_LADING_REUSED", () =>
  trader.submit(tx.anchorDocument({ documentHash: randomHash(), documentType: "BILL_OF_LADING", billOfLadingFingerprint: fingerprintBillOfLading({ carrierScac: "escl", blNumber: `ESCL-${blNumber}` }) })),
);

step("the trader repays bank A; bank A releases the pledge (node 1)");
const released = await bankA.submit(tx.releasePledge({ titleId }));
const rel = released.receipt.events.find((e) => e.type === "pledgeReleased");
console.log({ titleId, status: "HELD", releasedBy: rel.releasedBy, wasAccepted: rel.wasAccepted });

step("the copper is delivered against the receipt: the warehouse surrenders it (node 1)");
const surrendered = await warehouse.submit(tx.surrenderTitle({ titleId }));
const sur = surrendered.receipt.events.find((e) => e.type === "titleSurrendered");
console.log({ titleId, status: "SURRENDERED", delivered: t(sur.quantity), lotTitled: t(sur.lotTitled) });
// Keep the devnet tidy for the next run: the carrier's cargo is delivered too.
await carrier.submit(tx.surrenderTitle({ titleId: bl.receipt.target }));

step("the receipt's pledge history, as the holder reads it (getTitle)");
const history = await trader.getTitle(titleId);
console.log(`  title ${titleId.slice(0, 16)}... ${history.title.kind} ${t(history.title.quantity)} ${history.title.status}, pledges accepted: ${history.title.pledges}`);
for (const p of history.pledges) {
  console.log(`  pledge to ${p.bankId} by ${p.holderId}: ${usd(p.securedAmount)} until ${p.expiryDate} -> ${p.outcome}`);
  for (const [what, s] of [["offered", p.offered], ["accepted", p.accepted], ["released", p.released]]) {
    if (s) console.log(`    ${what.padEnd(8)} height ${s.height.padStart(5)}  by ${s.signer.padEnd(24)} tx ${s.txHash.slice(0, 16)}...`);
  }
}
if (history.pledges.length !== 1 || history.pledges[0].outcome !== "RELEASED") throw new Error("expected one pledge, RELEASED");

step("auditor: every refused attempt is on the ledger");
const asked = new Set();
for (const { code, target } of rejections) {
  if (asked.has(`${code}/${target}`)) continue; // the repeated pledge and the transfer: one target, one query
  asked.add(`${code}/${target}`);
  const page = await auditor.getRejections({ code, target, limit: 10 });
  for (const e of page.items) console.log(`  height ${e.height.padStart(5)} ${e.signer.padEnd(24)} ${e.code.padEnd(22)} target ${e.target.slice(0, 16)}...`);
  if (page.items.length === 0) throw new Error(`no ${code} rejection recorded for ${target}`);
}
console.log(`\nwarehouse receipt ${receiptNumber}: pledged once (to bank A), never twice, never beyond the stock; released and delivered`);
