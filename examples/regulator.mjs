// Supervision as it happens (DESIGN.md §11, docs/supervision.md): the regulator watches the alert
// stream of its node while a scripted "bad actor" — an exporter, two banks and a supply chain that
// cut corners — trips every kind of supervision rule, each party on its own node:
//   the regulator sets this run's rules (besides the devnet's three sample rules) -> a receivable
//   financed minutes after it was registered (VELOCITY) and one whose declaration is worth half again
//   its invoice (VALUE_MISMATCH) -> a bank lending most of its euro book to one exporter
//   (CONCENTRATION) and a loan above the regulator's cap, refused (LARGE_EXPOSURE, BLOCK:
//   BLOCKED_BY_RULE) -> a bank trying to finance an already financed invoice again and again
//   (REJECTION_BURST) -> a warrant piece passed back up to the supplier it came from (CYCLE) -> a
//   bill of lading pledged to bank B while the receivable shipped under it is financed by bank A
//   (PLEDGE_CONFLICT) -> OVERDUE_AGE is set, but needs calendar days to pass -> every alert of the run,
//   as GET /v1/alerts lists it; the run's rules are retired.
//
//   npm start                         # in another terminal
//   node examples/regulator.mjs
import * as sdk from "tradeledger/sdk";
import { clientFor, dayFromToday, ensureParty, fingerprintFor, minor, RUN_ID, refused, step } from "./lib.mjs";

const { tx, fingerprintBillOfLading, hashDocument } = sdk;
const run = RUN_ID.toLowerCase();
const randomHash = () => crypto.getRandomValues(new Uint8Array(32));

const regulator = clientFor("regulator", 3); // the regulator reads from its own node
const customs = clientFor("customs", 2);
const bankA = clientFor("bank-a", 0);
const bankB = clientFor("bank-b", 1);
const exporter = clientFor("exporter-sz-electronics", 1);

step("the regulator opens its alert stream (GET /v1/events?type=alertRaised), live");
const start = BigInt((await regulator.status()).height) + 1n;
const seen = [];
const stream = new AbortController();
const watching = (async () => {
  try {
    for await (const e of regulator.events({ types: ["alertRaised"] }, { signal: stream.signal, fromHeight: start })) {
      seen.push(e);
      const a = e.alert;
      console.log(`  >> ALERT ${a.kind.padEnd(15)} rule ${a.ruleId.padEnd(22)} block ${e.height} ${e.code === "OK" ? "" : `(${e.code}) `}parties ${a.parties.join(", ")}\n     ${a.detail}`);
    }
  } catch (err) {
    if (!stream.signal.aborted) console.error("alert stream failed:", err.message);
  }
})();

step("the regulator sets this run's rules (the devnet's sample rules stay: fast-financing, large-exposure, rejection-burst)");
const rules = [
  { ruleId: `mismatch-${run}`, kind: "VALUE_MISMATCH", params: { basisPoints: 1000 } },
  { ruleId: `conc-eur-${run}`, kind: "CONCENTRATION", params: { basisPoints: 5000, currency: "EUR" } },
  { ruleId: `cap-eur-${run}`, kind: "LARGE_EXPOSURE", params: { amount: minor("1000000.00", "EUR"), currency: "EUR" }, severity: "BLOCK" },
  { ruleId: `cycle-${run}`, kind: "CYCLE" },
  { ruleId: `pledge-${run}`, kind: "PLEDGE_CONFLICT" },
  { ruleId: `aged-${run}`, kind: "OVERDUE_AGE", params: { days: 90 } },
];
for (const r of rules) await regulator.submit(tx.setRule(r));
const active = await regulator.getRules();
console.log(active.items.map((r) => `  ${r.ruleId.padEnd(22)} ${r.kind.padEnd(16)} ${r.severity}`).join("\n"));

/** The bad actor's invoice (EUR unless said), attested by customs at `declared` (default: its face). */
async function attestedInvoice(amount, { currency = "EUR", declared = amount, n } = {}) {
  const number = `BAD-${RUN_ID}-${n}`;
  const r = await exporter.submit(
    tx.registerReceivable({ documentHash: randomHash(), fingerprint: fingerprintFor("exporter-sz-electronics", "DE-HRB-55102", number, currency), buyerId: "DE-HRB-55102", amount: minor(amount, currency), currency, issueDate: dayFromToday(0), dueDate: dayFromToday(60) }),
  );
  const id = r.receipt.target;
  await customs.submit(
    tx.attestShipment({ declarationFingerprint: randomHash(), declarationHash: randomHash(), exporterId: "exporter-sz-electronics", declaredValue: minor(declared, currency), currency, exportDate: dayFromToday(0), receivableIds: [id] }),
  );
  return id;
}
const settle = () => new Promise((r) => setTimeout(r, 1500)); // let the stream print before the next step

step("VELOCITY and VALUE_MISMATCH: an invoice of 80,000.00 EUR declared at customs at 120,000.00 EUR, financed at once");
const quick = await attestedInvoice("80000.00", { declared: "120000.00", n: 1 });
const f1 = await bankA.submit(tx.financeReceivable({ receivableId: quick, amount: minor("60000.00", "EUR"), currency: "EUR" }));
console.log(`  bank-a financed 60,000.00 EUR (block ${f1.height}): alerts in its receipt: ${(f1.receipt.alerts ?? []).map((a) => a.ruleId).join(", ")}`);
await settle();

step("CONCENTRATION: bank B's euro book goes to one exporter; LARGE_EXPOSURE (BLOCK): a loan above the 1,000,000.00 EUR cap");
const big = await attestedInvoice("2000000.00", { n: 2 });
const f2 = await bankB.submit(tx.financeReceivable({ receivableId: big, amount: minor("900000.00", "EUR"), currency: "EUR" }));
console.log(`  bank-b financed 900,000.00 EUR (block ${f2.height}): ${(f2.receipt.alerts ?? []).map((a) => a.ruleId).join(", ")}`);
await refused("bank-b finances 200,000.00 EUR more: its exposure to the exporter would pass the regulator's cap", "BLOCKED_BY_RULE", () =>
  bankB.submit(tx.financeReceivable({ receivableId: big, amount: minor("200000.00", "EUR"), currency: "EUR" })),
);
await settle();

step("REJECTION_BURST: bank A tries, three times, to finance the invoice bank B already financed in full");
const full = await attestedInvoice("10000.00", { n: 3 });
const fullLoan = await bankB.submit(tx.financeReceivable({ receivableId: full, amount: minor("10000.00", "EUR"), currency: "EUR" }));
for (let i = 1; i <= 3; i++) {
  await refused(`attempt ${i}`, "DOUBLE_FINANCING", () => bankA.submit(tx.financeReceivable({ receivableId: full, amount: minor("5000.00", "EUR"), currency: "EUR" })));
}
await settle();

step("CYCLE: a warrant piece goes down the supply chain and back up to the supplier it came from");
for (const p of [
  { id: "carmaker", role: "ENTERPRISE", name: "Eastlake Automobile Co., Ltd.", country: "CN" },
  { id: "tier1-seating", role: "ENTERPRISE", name: "Yongkang Seating Systems Co., Ltd.", country: "CN" },
  { id: "tier2-frames", role: "ENTERPRISE", name: "Taizhou Seat Frame Metalworks Co., Ltd.", country: "CN" },
]) await ensureParty(p);
const carmaker = clientFor("carmaker", 3);
const tier1 = clientFor("tier1-seating", 0);
const frames = clientFor("tier2-frames", 2);
const cny = (amount) => minor(amount, "CNY");
async function chainInvoice(client, seller, buyer, n, amount) {
  const r = await client.submit(
    tx.registerReceivable({ documentHash: randomHash(), fingerprint: fingerprintFor(seller, buyer, `CYC-${RUN_ID}-${n}`, "CNY"), buyerId: buyer, buyerPartyId: buyer, amount: cny(amount), currency: "CNY", issueDate: dayFromToday(0), dueDate: dayFromToday(60) }),
  );
  return r.receipt.target;
}
const lineId = `line-cyc-${run}`;
await bankA.submit(tx.grantCreditLine({ lineId, obligor: "carmaker", currency: "CNY", limit: cny("500000.00"), expiryDate: dayFromToday(180) }));
const seats = await chainInvoice(tier1, "tier1-seating", "carmaker", 1, "100000.00");
const issued = await carmaker.submit(tx.issueWarrant({ lineId, holder: "tier1-seating", amount: cny("100000.00"), currency: "CNY", maturityDate: dayFromToday(90), sources: [seats] }));
const framesInvoice = await chainInvoice(frames, "tier2-frames", "tier1-seating", 2, "50000.00");
const down = await tier1.submit(tx.transferWarrant({ pieceId: issued.receipt.target, outputs: [{ to: "tier2-frames", amount: cny("50000.00"), tradeRef: framesInvoice }] }));
const framesPiece = down.receipt.events.find((e) => e.type === "pieceCreated" && e.holderId === "tier2-frames").pieceId;
const backInvoice = await chainInvoice(tier1, "tier1-seating", "tier2-frames", 3, "50000.00");
const up = await frames.submit(tx.transferWarrant({ pieceId: framesPiece, outputs: [{ to: "tier1-seating", amount: cny("50000.00"), tradeRef: backInvoice }] }));
console.log(`  tier1 -> tier2-frames -> tier1 (block ${up.height}): ${(up.receipt.alerts ?? []).map((a) => a.ruleId).join(", ")}`);
await settle();

step("PLEDGE_CONFLICT: bank A finances a receivable; the bill of lading it shipped under is pledged to bank B");
await ensureParty({ id: "carrier-eastsea", role: "CUSTODIAN", name: "East Sea Container Lines Co., Ltd.", country: "CN" });
const carrier = clientFor("carrier-eastsea", 3);
const shipped = await attestedInvoice("40000.00", { currency: "USD", n: 4 });
const blFingerprint = fingerprintBillOfLading({ carrierScac: "ESCL", blNumber: `SZXHAM${RUN_ID}` });
await exporter.submit(tx.anchorDocument({ documentHash: randomHash(), documentType: "BILL_OF_LADING", receivableId: shipped, billOfLadingFingerprint: blFingerprint }));
const shippedLoan = await bankA.submit(tx.financeReceivable({ receivableId: shipped, amount: minor("30000.00", "USD"), currency: "USD" }));
const voyage = `voy-szx-${run}`;
await carrier.submit(tx.attestStock({ lotId: voyage, goods: { hsCode: "854231", descriptionHash: hashDocument({ goods: "integrated circuits", cartons: 40 }).root, unit: "CT" }, quantity: 40n }));
const bl = await carrier.submit(tx.issueTitle({ kind: "BILL_OF_LADING", fingerprint: blFingerprint, lotId: voyage, quantity: 40n, holder: "exporter-sz-electronics" }));
await exporter.submit(tx.offerPledge({ titleId: bl.receipt.target, bank: "bank-b", securedAmount: minor("30000.00", "USD"), currency: "USD", expiryDate: dayFromToday(60) }));
const pledged = await bankB.submit(tx.acceptPledge({ titleId: bl.receipt.target }));
console.log(`  bank-b accepts the pledge (block ${pledged.height}): ${(pledged.receipt.alerts ?? []).map((a) => a.ruleId).join(", ")}`);
await settle();

step("OVERDUE_AGE: set (90 days), but it needs calendar days to pass: it alerts on the first transaction on a financed receivable more than 90 days past due");

step("every alert of this run, as the regulator lists them (GET /v1/alerts)");
const listed = await regulator.getAlerts({ fromHeight: start, limit: 100 });
for (const a of listed.items) console.log(`  block ${a.height.padStart(5)} ${a.kind.padEnd(16)} ${a.severity.padEnd(5)} ${a.code.padEnd(16)} ${a.ruleId.padEnd(22)} ${a.parties.join(", ")}`);
const kinds = new Set(listed.items.map((a) => a.kind));
const expected = ["VELOCITY", "VALUE_MISMATCH", "CONCENTRATION", "LARGE_EXPOSURE", "REJECTION_BURST", "CYCLE", "PLEDGE_CONFLICT"];
const missing = expected.filter((k) => !kinds.has(k));
await new Promise((r) => setTimeout(r, 2000));
stream.abort();
await watching;
console.log(`\n  ${listed.items.length} alerts listed, ${seen.length} received live on the stream; kinds tripped: ${[...kinds].join(", ")}`);

step("the bad actor's loans are repaid, so the next run starts from a clean book");
await bankA.submit(tx.recordRepayment({ receivableId: quick, financingId: f1.txHash, amount: minor("60000.00", "EUR") }));
await bankB.submit(tx.recordRepayment({ receivableId: big, financingId: f2.txHash, amount: minor("900000.00", "EUR") }));
await bankB.submit(tx.recordRepayment({ receivableId: full, financingId: fullLoan.txHash, amount: minor("10000.00", "EUR") }));
await bankA.submit(tx.recordRepayment({ receivableId: shipped, financingId: shippedLoan.txHash, amount: minor("30000.00", "USD") }));
console.log("  repaid: 60,000.00 and 910,000.00 EUR, 30,000.00 USD");

step("the run's rules are retired (the devnet's sample rules stay)");
for (const r of rules) await regulator.submit(tx.retireRule({ ruleId: r.ruleId }));
console.log(`  active: ${(await regulator.getRules()).items.map((r) => r.ruleId).join(", ")}`);
const bankView = await bankB.getAlerts({ fromHeight: start });
console.log(`  bank-b sees the ${bankView.items.length} alerts naming it (not the others')`);
if (missing.length > 0 || seen.length < listed.items.length) {
  console.error(`\nnot every kind alerted (missing: ${missing.join(", ") || "none"}), or the stream missed some (${seen.length} of ${listed.items.length})`);
  process.exit(1);
}
