// Lending through the RPC (DESIGN.md §10-§11, docs/lending.md), over the real node of
// test/rpc-harness.ts: who may read a party's indicators and financials (the party, a bank it
// consented to until the consent expires, the auditor), the aging and concentration reports with
// their state proofs re-derived by sdk verifyReport (and a tampered report caught), and the
// post-lending transactions' 409 codes through the SDK.
import t from "tap";
import { tx } from "../sdk/builders.js";
import { randomBytes } from "../sdk/crypto.js";
import { LedgerError } from "../sdk/errors.js";
import { EXAMPLE_SCORECARD, indicatorsFromJson, scoreParty, verifyReport } from "../sdk/lending.js";
import { validatorSetFromGenesis } from "../sdk/verify.js";
import { day, servedHarness } from "./rpc-harness.js";

const { h, as } = await servedHarness(t);
const EXPORTER = "exporter-hz-textiles";
const exporter = as(EXPORTER);
const other = as("exporter-sz-electronics");
const customs = as("customs");
const bankA = as("bank-a");
const bankB = as("bank-b");
const auditor = as("auditor");

async function failure(p: Promise<unknown>): Promise<LedgerError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof LedgerError) return err;
    throw err;
  }
  throw new Error("expected a LedgerError");
}

async function attestedInvoice(amount: bigint, dueDate = day(60)): Promise<string> {
  const r = await exporter.submit(
    tx.registerReceivable({ documentHash: randomBytes(32), fingerprint: randomBytes(32), buyerId: "buyer-erp-7", amount, currency: "USD", issueDate: day(-5), dueDate }),
  );
  const id = r.receipt.target;
  await customs.submit(
    tx.attestShipment({ declarationFingerprint: randomBytes(32), declarationHash: randomBytes(32), exporterId: EXPORTER, declaredValue: amount, currency: "USD", exportDate: day(-4), receivableIds: [id] }),
  );
  return id;
}

let financingA = "";
let receivable = "";

t.test("post-lending through the SDK: extension proposed and accepted, a write-off, their refusals as 409", async (t) => {
  receivable = await attestedInvoice(100_000n);
  const f = await bankA.submit(tx.financeReceivable({ receivableId: receivable, amount: 60_000n, currency: "USD" }));
  financingA = f.receipt.target === receivable ? ((f.receipt.events[0] as { financingId: string }).financingId ?? "") : "";
  t.ok(financingA);
  await bankA.submit(tx.proposeExtension({ receivableId: receivable, newDueDate: day(90) }));
  const bad = await failure(exporter.submit(tx.acceptExtension({ receivableId: receivable, newDueDate: day(91) })));
  t.equal(bad.code, "EXTENSION_INVALID");
  t.equal(bad.status, 409);
  await exporter.submit(tx.acceptExtension({ receivableId: receivable, newDueDate: day(90) }));
  const r = await bankA.getReceivable(receivable);
  t.match(r.receivable, { dueDate: day(90), extensions: 1 });
  const second = await attestedInvoice(50_000n);
  const f2 = await bankB.submit(tx.financeReceivable({ receivableId: second, amount: 50_000n, currency: "USD" }));
  const fid = (f2.receipt.events[0] as { financingId: string }).financingId;
  t.equal((await failure(bankA.submit(tx.writeOff({ receivableId: second, financingId: fid })))).code, "UNAUTHORIZED");
  const w = await bankB.submit(tx.writeOff({ receivableId: second, financingId: fid }));
  t.same(
    w.receipt.events.map((e) => e.type),
    ["financingWrittenOff", "receivableDefaulted"],
  );
  t.equal((await bankB.getReceivable(second)).receivable.status, "DEFAULTED");
  t.equal((await failure(bankA.submit(tx.financeReceivable({ receivableId: second, amount: 1n, currency: "USD" })))).code, "INVALID_STATE");
});

t.test("indicators and financials: the party, a consenting bank until expiry, the auditor; others are refused", async (t) => {
  await auditor.submit(
    tx.attestFinancials({ partyId: EXPORTER, periodStart: "2025-01-01", periodEnd: "2025-12-31", currency: "USD", figures: [{ name: "revenue", amount: "900000000" }, { name: "net_income", amount: "-1200000" }], documentHash: randomBytes(32) }),
  );
  const own = await exporter.getIndicators(EXPORTER);
  t.match(own, { version: 2, partyId: EXPORTER, receivables: 2, writtenOff: 1, extensions: 1, attestedShareBp: 10000 });
  t.equal(own.inputs.length, 1);
  t.equal(own.inputs[0]!.key, `i/${EXPORTER}`);
  t.same(await auditor.getIndicators(EXPORTER), own, "the same answer for every reader at one head");
  const fin = await exporter.getFinancials(EXPORTER);
  t.equal(fin.items.length, 1);
  t.match(fin.items[0], { attestedBy: "auditor", statement: { type: "attestFinancials", currency: "USD" } });
  for (const [who, c] of [
    ["bank-a", bankA],
    ["other exporter", other],
    ["customs", customs],
  ] as const) {
    const e = await failure(c.getIndicators(EXPORTER));
    t.equal(e.code, "FORBIDDEN", `${who} without consent`);
    t.equal((await failure(c.getFinancials(EXPORTER))).code, "FORBIDDEN");
  }
  await exporter.submit(tx.grantConsent({ bank: "bank-a", expiryDate: day(2) }));
  t.match(await bankA.getIndicators(EXPORTER), { partyId: EXPORTER });
  t.equal((await bankA.getFinancials(EXPORTER)).items.length, 1);
  t.equal((await failure(bankB.getIndicators(EXPORTER))).code, "FORBIDDEN", "consent is per bank");
  // the score is advice computed by the bank from what it read
  const score = scoreParty(indicatorsFromJson(await bankA.getIndicators(EXPORTER)), EXAMPLE_SCORECARD);
  t.ok(Number.isInteger(score.score));
  // three days later (block time), the consent has expired
  h.timeOffsetMs = 3 * 86_400_000;
  await other.submit(tx.registerReceivable({ documentHash: randomBytes(32), fingerprint: randomBytes(32), buyerId: "x", amount: 1n, currency: "USD", issueDate: day(-1), dueDate: day(60) }));
  t.equal((await failure(bankA.getIndicators(EXPORTER))).code, "FORBIDDEN", "after the expiry day");
  t.equal((await failure(bankA.getFinancials(EXPORTER))).code, "FORBIDDEN");
  t.match(await auditor.getIndicators(EXPORTER), { partyId: EXPORTER }, "the auditor always");
  const head = (await auditor.getIndicators(EXPORTER)).asOf.height;
  t.equal((await failure(auditor.getIndicators(EXPORTER, { asOf: (BigInt(head) - 1n).toString() }))).code, "MALFORMED", "state is kept at the head only");
  t.match(await auditor.getIndicators(EXPORTER, { asOf: head }), { asOf: { height: head } });
});

t.test("reports: a bank its own book, the auditor every bank's; verifyReport re-derives them from the proven books", async (t) => {
  const aging = await bankA.getAgingReport();
  t.same(
    aging.banks.map((b) => b.bankId),
    ["bank-a"],
    "a bank reads its own book",
  );
  t.equal((await failure(bankA.getAgingReport({ bank: "bank-b" }))).code, "FORBIDDEN");
  t.equal((await failure(exporter.getAgingReport())).code, "FORBIDDEN");
  const all = await auditor.getAgingReport();
  t.same(
    all.banks.map((b) => b.bankId),
    ["bank-a", "bank-b"],
  );
  const a = all.banks[0]!.currencies[0]!;
  t.match(a, { currency: "USD", outstanding: "60000", receivables: 1, nplRatioBp: 0 });
  t.match(all.banks[1]!.currencies[0], { currency: "USD", outstanding: "0", writtenOff: "50000", writtenOffCount: 1 });
  const v = verifyReport(all, { trustedStateRoot: all.stateRoot });
  t.ok(v.ok, v.problems.join("; "));
  const conc = await auditor.getConcentrationReport({ bank: "bank-a" });
  t.match(conc.banks[0]!.currencies[0]!.byExporter, [{ partyId: EXPORTER, amount: "60000", shareBp: 10000 }]);
  t.ok(verifyReport(conc).ok);
  // tampering is caught: a figure, a proof, the root
  const forged = structuredClone(all);
  forged.banks[0]!.currencies[0]!.outstanding = "1";
  t.notOk(verifyReport(forged).ok, "a changed figure");
  const badProof = structuredClone(all);
  badProof.inputs[0]!.value = badProof.inputs[1]!.value;
  t.notOk(verifyReport(badProof).ok, "a swapped record");
  t.notOk(verifyReport(all, { trustedStateRoot: "00".repeat(32) }).ok, "a root other than the trusted one");
  const dropped = structuredClone(all);
  dropped.inputs.pop();
  t.notOk(verifyReport(dropped).ok, "a missing input");
  // every input is proven by the report's one multiproof (no per-input proofs)
  t.ok(all.multiproof.buckets.length > 0 && all.inputs.every((i) => !("proof" in i)), "one multiproof for the inputs");
  const absent = structuredClone(all);
  absent.inputs[1]!.value = null;
  t.match(verifyReport(absent).problems.join("; "), /multiproof does not verify/, "a record claimed absent that is present");
  const sibling = structuredClone(all);
  sibling.multiproof.siblings = (sibling.multiproof.siblings[0] === "0" ? "1" : "0") + sibling.multiproof.siblings.slice(1);
  t.match(verifyReport(sibling).problems.join("; "), /multiproof does not verify/, "an altered sibling");
  const twice = structuredClone(all);
  twice.inputs.push(twice.inputs[0]!);
  t.match(verifyReport(twice).problems.join("; "), /appears twice/, "an input given twice");
});

t.test("reports bound to certified state: the asOf header's certificate, its state root, every input", async (t) => {
  const set = validatorSetFromGenesis(h.genesis());
  const older = await auditor.getAgingReport();
  await bankA.submit(tx.financeReceivable({ receivableId: await attestedInvoice(30_000n, day(20)), amount: 30_000n, currency: "USD" }));
  const all = await auditor.getAgingReport({ waitCertifiedMs: 2000 });
  t.ok(all.certified, "the node certified the asOf block");
  t.equal(all.certified!.height, all.asOf.height);
  const v = verifyReport(all, { validators: set });
  t.ok(v.ok, v.problems.join("; "));
  t.equal(v.boundTo, "certified");
  t.ok(all.inputs.some((i) => i.key.startsWith("gd/bank-a/USD/")), "one input per due date of the book");
  const conc = await auditor.getConcentrationReport({ bank: "bank-a", waitCertifiedMs: 2000 });
  const vc = verifyReport(conc, { validators: set });
  t.ok(vc.ok, vc.problems.join("; "));
  t.ok(conc.inputs.some((i) => i.key === `ge/bank-a/USD/${EXPORTER}`) && conc.inputs.some((i) => i.key.startsWith("go/bank-a/USD/")), "one input per exporter and obligor");

  // a forged certificate: a signature changed, or a validator set it is not from
  const forged = structuredClone(all);
  const sig = forged.certified!.checkpoint.signatures[0]!;
  sig.signature = (sig.signature[0] === "0" ? "1" : "0") + sig.signature.slice(1);
  t.match(verifyReport(forged, { validators: set }).problems.join("; "), /certified header does not verify/, "a changed checkpoint signature");
  const otherSet = { ...set, validators: set.validators.map((v, i) => (i === 0 ? { ...v, publicKey: randomBytes(32) } : v)) };
  t.notOk(verifyReport(all, { validators: otherSet }).ok, "another validator set");
  // a wrong root: the report's root is not the certified block's, or the certificate is another block's
  const wrongRoot = structuredClone(all);
  wrongRoot.stateRoot = older.stateRoot;
  t.match(verifyReport(wrongRoot, { validators: set }).problems.join("; "), /is not the certified block's/, "a state root the certificate does not certify");
  const otherBlock = structuredClone(older);
  otherBlock.certified = all.certified;
  t.match(verifyReport(otherBlock, { validators: set }).problems.join("; "), /the certified header is block/, "another block's certificate");
  const shiftedTime = structuredClone(all);
  shiftedTime.asOf.time = (BigInt(all.asOf.time) + 86_400_000n * 40n).toString();
  t.match(verifyReport(shiftedTime, { validators: set }).problems.join("; "), /certified block's time/, "aged at a time other than the certified block's");
  // a missing input: one due-date record left out (its proof alone would verify)
  const missing = structuredClone(all);
  missing.inputs = missing.inputs.filter((i) => !i.key.startsWith("gd/bank-a/USD/"));
  const vm = verifyReport(missing, { validators: set });
  t.notOk(vm.ok, "a due-date record left out");
  t.match(vm.problems.join("; "), /the core counts/);
  // a changed figure
  const changed = structuredClone(all);
  changed.banks[0]!.currencies[0]!.buckets.current.amount = "1";
  t.match(verifyReport(changed, { validators: set }).problems.join("; "), /figures differ/, "a changed figure");
  // no certificate in the report: not bound to the validators, and said so
  const uncertified = structuredClone(all);
  delete uncertified.certified;
  t.match(verifyReport(uncertified, { validators: set }).problems.join("; "), /is not certified in the report/);
});

t.test("a report of a block not certified yet: pending in the report, the SDK fetches the certificate", async (t) => {
  const set = validatorSetFromGenesis(h.genesis());
  h.autoCertify = false;
  t.teardown(() => {
    h.autoCertify = true;
  });
  await bankA.submit(tx.financeReceivable({ receivableId: await attestedInvoice(10_000n), amount: 10_000n, currency: "USD" }));
  const pending = await auditor.getAgingReport();
  t.equal(pending.certified, undefined, "no certificate yet: the report says nothing it cannot prove");
  t.notOk(verifyReport(pending, { validators: set }).ok);
  const height = BigInt(pending.asOf.height);
  setTimeout(() => void h.certify(height), 100);
  const { report, verdict } = await auditor.verifiedReport("aging", set, { waitMs: 3000 });
  t.equal(report.asOf.height, pending.asOf.height);
  t.ok(report.certified, "fetched while waiting");
  t.ok(verdict.ok, verdict.problems.join("; "));
  t.equal(verdict.boundTo, "certified");
});
