// A car maker's credit, split down its supply chain with a digital warrant (DESIGN.md §7,
// docs/warrants.md), each party on its own node:
//   bank A grants the car maker a credit line -> the car maker pays its tier-1 seat supplier with a
//   warrant, backed by the tier-1's invoice on it -> the tier-1 splits it to its two tier-2
//   suppliers (foam, frames), each backed by its own invoice on the tier-1, and keeps the rest ->
//   reusing an invoice, and financing an invoice committed to a warrant, are refused
//   (TRADE_REF_USED) -> the frames maker passes part to its tier-3 tube supplier -> the tier-3 offers
//   its piece to bank B, which buys it at a discount -> the car maker pays every holder, each confirms
//   payment -> the warrant is settled and the line is free again.
//
//   npm start                         # in another terminal
//   node examples/warrant-chain.mjs
import * as sdk from "tradeledger/sdk";
import { clientFor, dayFromToday, ensureParty, fingerprintFor, genesis, minor, RUN_ID, refused, step } from "./lib.mjs";

const { tx } = sdk;

/** The id of output `index` of a transfer (the remainder's index is the number of outputs). */
const { pieceIdOf } = sdk;

const SUPPLY_CHAIN = [
  { id: "carmaker", role: "ENTERPRISE", name: "Eastlake Automobile Co., Ltd.", country: "CN" },
  { id: "tier1-seating", role: "ENTERPRISE", name: "Yongkang Seating Systems Co., Ltd.", country: "CN" },
  { id: "tier2-foam", role: "ENTERPRISE", name: "Cixi Polyurethane Foam Co., Ltd.", country: "CN" },
  { id: "tier2-frames", role: "ENTERPRISE", name: "Taizhou Seat Frame Metalworks Co., Ltd.", country: "CN" },
  { id: "tier3-tubes", role: "ENTERPRISE", name: "Ningbo Precision Steel Tube Co., Ltd.", country: "CN" },
];
const CCY = "CNY";
const money = (units) => `${(BigInt(units) / 100n).toLocaleString("en-US")}.${(BigInt(units) % 100n).toString().padStart(2, "0")} ${CCY}`;

step("the supply chain: every party is a registered ENTERPRISE with its key in .devnet/keys");
for (const p of SUPPLY_CHAIN) console.log(`  ${p.id.padEnd(14)} ${p.name.padEnd(42)} ${await ensureParty(p)}`);

const bankA = clientFor("bank-a", 0);
const bankB = clientFor("bank-b", 1);
const carmaker = clientFor("carmaker", 3);
const tier1 = clientFor("tier1-seating", 0);
const foam = clientFor("tier2-foam", 1);
const frames = clientFor("tier2-frames", 2);
const tubes = clientFor("tier3-tubes", 3);
const auditor = clientFor("auditor", 2);

/** `seller` registers its invoice on `buyer` (buyerPartyId: the buyer is on the network). */
async function invoice(client, seller, buyer, number, amount) {
  const documentHash = new Uint8Array(32);
  crypto.getRandomValues(documentHash); // stands for the hash of the invoice document (docs/hashing.md)
  const r = await client.submit(
    tx.registerReceivable({
      documentHash,
      fingerprint: fingerprintFor(seller, buyer, number, CCY),
      buyerId: buyer,
      buyerPartyId: buyer,
      amount: minor(amount, CCY),
      currency: CCY,
      issueDate: dayFromToday(0),
      dueDate: dayFromToday(60),
    }),
  );
  console.log(`  ${seller} -> ${buyer}: invoice ${number} for ${amount} ${CCY}: receivable ${r.receipt.target.slice(0, 16)}...`);
  return r.receipt.target;
}

/** The ids of the pieces a transfer created, from its pieceCreated events (= pieceIdOf(txHash, i)). */
function created(done) {
  return done.receipt.events.filter((e) => e.type === "pieceCreated").map((e) => ({ pieceId: e.pieceId, holder: e.holderId, amount: e.amount, depth: e.depth }));
}

step("bank A grants the car maker a credit line of 1,000,000.00 CNY (node 1)");
const lineId = `line-carmaker-${RUN_ID.toLowerCase()}`;
await bankA.submit(tx.grantCreditLine({ lineId, obligor: "carmaker", currency: CCY, limit: minor("1000000.00", CCY), expiryDate: dayFromToday(180) }));
console.log({ lineId, limit: "1,000,000.00 CNY", expiry: dayFromToday(180) });

step("tier-1 invoices the car maker for seat assemblies; the car maker pays it with a warrant (node 4)");
const seatsInvoice = await invoice(tier1, "tier1-seating", "carmaker", `SEAT-${RUN_ID}`, "300000.00");
// Maturity a few days ahead: the devnet's block time is real time, and a warrant's maturity must be
// after the block date. The car maker pays early below, which the design allows (the holder confirms
// payment "at maturity or before it if the obligor pays early").
const maturity = dayFromToday(5);
const issued = await carmaker.submit(tx.issueWarrant({ lineId, holder: "tier1-seating", amount: minor("300000.00", CCY), currency: CCY, maturityDate: maturity, sources: [seatsInvoice] }));
const warrantId = issued.receipt.target; // the warrant's id, and its first piece's: the issuing tx hash
const issuedEvent = issued.receipt.events.find((e) => e.type === "warrantIssued");
console.log({ warrantId, holder: "tier1-seating", amount: money(issuedEvent.amount), maturity, lineOutstanding: money(issuedEvent.lineOutstanding) });

step("tier-2 suppliers invoice tier-1; tier-1 splits its piece to both and keeps the rest (node 1)");
const foamInvoice = await invoice(foam, "tier2-foam", "tier1-seating", `FOAM-${RUN_ID}`, "120000.00");
const framesInvoice = await invoice(frames, "tier2-frames", "tier1-seating", `FRAME-${RUN_ID}`, "150000.00");
const split = await tier1.submit(
  tx.transferWarrant({
    pieceId: warrantId,
    outputs: [
      { to: "tier2-foam", amount: minor("120000.00", CCY), tradeRef: foamInvoice },
      { to: "tier2-frames", amount: minor("150000.00", CCY), tradeRef: framesInvoice },
    ],
  }),
);
const [foamPiece, framesPiece, tier1Rest] = created(split);
if (foamPiece.pieceId !== pieceIdOf(split.txHash, 0) || tier1Rest.pieceId !== pieceIdOf(split.txHash, 2)) throw new Error("piece ids differ from pieceIdOf");
for (const p of created(split)) console.log(`  piece ${p.pieceId.slice(0, 16)}... ${p.holder.padEnd(14)} ${money(p.amount).padStart(18)}  depth ${p.depth}`);

step("the same invoice cannot fund twice, by either route");
await refused("tier-1 passes its remainder to the foam maker on the invoice that already backs a piece", "TRADE_REF_USED", () =>
  tier1.submit(tx.transferWarrant({ pieceId: tier1Rest.pieceId, outputs: [{ to: "tier2-foam", amount: minor("30000.00", CCY), tradeRef: foamInvoice }] })),
);
await refused("bank B finances the frames maker's invoice, committed to the warrant, as a receivable", "TRADE_REF_USED", () =>
  bankB.submit(tx.financeReceivable({ receivableId: framesInvoice, amount: minor("100000.00", CCY), currency: CCY })),
);

step("tier-3 invoices the frames maker, which passes part of its piece on (node 3)");
const tubesInvoice = await invoice(tubes, "tier3-tubes", "tier2-frames", `TUBE-${RUN_ID}`, "60000.00");
const passed = await frames.submit(tx.transferWarrant({ pieceId: framesPiece.pieceId, outputs: [{ to: "tier3-tubes", amount: minor("60000.00", CCY), tradeRef: tubesInvoice }] }));
const [tubesPiece, framesRest] = created(passed);
for (const p of created(passed)) console.log(`  piece ${p.pieceId.slice(0, 16)}... ${p.holder.padEnd(14)} ${money(p.amount).padStart(18)}  depth ${p.depth}`);

step("tier-3 proves to bank B, offline, that its piece descends from the car maker's warrant on bank A's line");
const proof = await tubes.getPiece(tubesPiece.pieceId, { proofs: true });
const verdict = sdk.verifyPiece(proof.piece, proof, sdk.validatorSetFromGenesis(genesis()));
if (!verdict.ok) throw new Error(`verifyPiece: ${JSON.stringify(verdict.problems)}`);
console.log({ verified: verdict.ok, steps: verdict.checked, certifiedBlocks: verdict.certifiedBlocks, obligor: proof.warrant.obligorId, line: proof.warrant.lineId, bank: proof.warrant.bankId });

step("tier-3 offers its piece to bank B, which buys it at a 1% discount (nodes 4 and 2)");
await tubes.submit(tx.offerWarrant({ pieceId: tubesPiece.pieceId, bank: "bank-b" }));
const bought = await bankB.submit(tx.financeWarrant({ pieceId: tubesPiece.pieceId, advance: minor("59400.00", CCY) }));
const financed = bought.receipt.events.find((e) => e.type === "pieceFinanced");
console.log({ piece: tubesPiece.pieceId, seller: financed.sellerId, buyer: financed.bankId, advancePaid: money(financed.advance), paidAtMaturity: money(tubesPiece.amount) });
await refused("tier-3 passes on the piece it sold", "NOT_HOLDER", () =>
  tubes.submit(tx.transferWarrant({ pieceId: tubesPiece.pieceId, outputs: [{ to: "tier2-frames", amount: minor("60000.00", CCY), tradeRef: tubesInvoice }] })),
);

step(`maturity (${maturity}): the car maker pays every holder early; each confirms payment`);
console.log("  (the devnet runs on real time, so rather than wait five days the obligor pays early; a holder");
console.log("   confirms payment at maturity or before it, and the line's outstanding drops by the piece)");
const leaves = [
  [tier1, "tier1-seating", tier1Rest],
  [foam, "tier2-foam", foamPiece],
  [frames, "tier2-frames", framesRest],
  [bankB, "bank-b", tubesPiece],
];
let last;
for (const [client, who, piece] of leaves) {
  last = await client.submit(tx.confirmWarrantPayment({ pieceId: piece.pieceId }));
  const paid = last.receipt.events.find((e) => e.type === "piecePaid");
  console.log(`  ${who.padEnd(14)} paid ${money(paid.amount).padStart(18)}   line outstanding ${money(paid.lineOutstanding)}`);
}
const settled = last.receipt.events.find((e) => e.type === "warrantSettled");
const outstanding = last.receipt.events.find((e) => e.type === "piecePaid").lineOutstanding;
if (!settled || BigInt(outstanding) !== 0n) throw new Error("the warrant did not settle");
console.log({ warrantSettled: settled.warrantId, lineOutstanding: money(outstanding) });

step("the line is free again: the car maker draws its full limit on it");
const nextInvoice = await invoice(tier1, "tier1-seating", "carmaker", `SEAT2-${RUN_ID}`, "1000000.00");
const again = await carmaker.submit(tx.issueWarrant({ lineId, holder: "tier1-seating", amount: minor("1000000.00", CCY), currency: CCY, maturityDate: dayFromToday(30), sources: [nextInvoice] }));
console.log({ warrant: again.receipt.target, lineOutstanding: money(again.receipt.events.find((e) => e.type === "warrantIssued").lineOutstanding) });
// Keep the devnet's line tidy for the next run: the car maker pays this one too.
await tier1.submit(tx.confirmWarrantPayment({ pieceId: again.receipt.target }));

step("auditor: the refused attempts are evidence");
for (const code of ["TRADE_REF_USED", "NOT_HOLDER"]) {
  const page = await auditor.getRejections({ code, limit: 100 });
  const ours = page.items.filter((e) => [tier1Rest.pieceId, framesInvoice, tubesPiece.pieceId].includes(e.target));
  for (const e of ours) console.log(`  height ${e.height.padStart(4)} ${e.signer.padEnd(14)} ${e.code.padEnd(15)} target ${e.target.slice(0, 16)}...`);
  if (ours.length === 0) throw new Error(`no ${code} rejection recorded`);
}

step("bank A (the line's bank) sees the whole tree");
const tree = await bankA.getWarrant(warrantId);
for (const p of tree.pieces) console.log(`  ${"  ".repeat(p.depth)}${p.id.slice(0, 12)}... ${p.holderId.padEnd(14)} ${money(BigInt(p.amount)).padStart(18)}  ${p.status}`);
if (tree.outstanding !== "0") throw new Error(`warrant outstanding ${tree.outstanding}, expected 0`);
console.log(`\nwarrant ${warrantId}: split over 3 tiers, one piece sold to bank B, every piece paid, line ${lineId} free`);
