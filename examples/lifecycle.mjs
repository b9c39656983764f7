// The whole life of a receivable across the devnet, each party on its own node:
//   exporter registers (node 1) -> customs attests (node 3) -> bank A checks the invoice against
//   the ledger and finances 2/3 (node 1) -> bank B tries to finance the whole and is refused
//   (DOUBLE_FINANCING, node 2) -> bank B finances the rest -> both banks are repaid -> SETTLED ->
//   an auditor verifies the history against the genesis validators, without trusting the node.
//
//   npm start                         # in another terminal
//   node examples/lifecycle.mjs
import {
  fingerprintDeclaration,
  fingerprintInvoice,
  hashDocument,
  LedgerError,
  tx,
  validatorSetFromGenesis,
  verifyDocument,
  verifyHistory,
} from "tradeledger/sdk";
import { clientFor, freshDeclaration, freshInvoice, genesis, minor, step } from "./lib.mjs";

const exporter = clientFor("exporter-hz-textiles", 0);
const customs = clientFor("customs", 2);
const bankA = clientFor("bank-a", 0);
const bankB = clientFor("bank-b", 1);
const auditor = clientFor("auditor", 3);

step("exporter: register the invoice");
const invoice = freshInvoice();
const invoiceDoc = hashDocument(invoice);
const registered = await exporter.submit(
  tx.registerReceivable({
    documentHash: invoiceDoc.root,
    fingerprint: fingerprintInvoice({ sellerId: invoice.seller.partyId, buyerId: invoice.buyer.identifier, invoiceNumber: invoice.invoiceNumber, currency: invoice.currency }),
    buyerId: invoice.buyer.identifier,
    amount: minor(invoice.totalAmount, invoice.currency),
    currency: invoice.currency,
    issueDate: invoice.issueDate,
    dueDate: invoice.dueDate,
  }),
);
const id = registered.receipt.target;
console.log({ receivableId: id, height: registered.height });

step("customs: attest the export declaration behind it");
const declaration = freshDeclaration(invoice);
const attested = await customs.submit(
  tx.attestShipment({
    declarationFingerprint: fingerprintDeclaration({ country: "CN", declarationNumber: declaration.declarationNumber }),
    declarationHash: hashDocument(declaration).root,
    exporterId: declaration.exporter.partyId,
    declaredValue: minor(declaration.declaredValue.amount, declaration.declaredValue.currency),
    currency: declaration.declaredValue.currency,
    exportDate: declaration.exportDate,
    receivableIds: [id],
  }),
);
console.log({ attestedAt: attested.height, events: attested.receipt.events.map((e) => e.type) });

step("bank A: check the invoice it received (document + salts) against the ledger");
const onLedger = await bankA.getReceivable(id);
const r = onLedger.receivable;
const check = verifyDocument(invoice, invoiceDoc.salts, {
  documentHash: r.documentHash,
  fingerprint: r.fingerprint,
  exporterId: r.exporterId,
  buyerId: r.buyerId,
  currency: r.currency,
  amount: BigInt(r.amount),
  issueDate: r.issueDate,
  dueDate: r.dueDate,
});
console.log({ documentOk: check.ok, status: r.status, available: onLedger.available, financeable: onLedger.financeable });
if (!check.ok || !onLedger.financeable) throw new Error(`bank A would not finance: ${JSON.stringify(check.problems)}`);
const exposureBefore = await bankA.getExposure(r.exporterId);
console.log({ exporterOutstandingBefore: exposureBefore.outstanding });

step("bank A: finance two thirds");
const face = BigInt(r.amount);
const partA = (face * 2n) / 3n;
const financedA = await bankA.submit(tx.financeReceivable({ receivableId: id, amount: partA, currency: r.currency }));
console.log({ financingId: financedA.txHash, liveFinanced: financedA.receipt.events[0].liveFinanced });

step("bank B: try to finance the whole receivable again (another bank, another node)");
try {
  await bankB.submit(tx.financeReceivable({ receivableId: id, amount: face, currency: r.currency }));
  throw new Error("unexpected: double financing was accepted");
} catch (err) {
  if (!(err instanceof LedgerError) || err.code !== "DOUBLE_FINANCING") throw err;
  console.log({ refused: err.code, httpStatus: err.status, message: err.message });
}

step("bank B: finance what is left");
const financedB = await bankB.submit(tx.financeReceivable({ receivableId: id, amount: face - partA, currency: r.currency }));
console.log({ status: (await bankB.getReceivable(id)).receivable.status, exposure: (await bankB.getExposure(r.exporterId)).outstandingByBank });

step("both banks record repayment: the receivable settles");
await bankA.submit(tx.recordRepayment({ receivableId: id, financingId: financedA.txHash, amount: partA }));
const last = await bankB.submit(tx.recordRepayment({ receivableId: id, financingId: financedB.txHash, amount: face - partA }));
console.log({ events: last.receipt.events.map((e) => e.type), status: (await exporter.getReceivable(id)).receivable.status });

step("auditor: the history, verified against the genesis validator set");
const history = await auditor.getFullHistory(id);
for (const e of history.items) console.log(`  ${e.height.padStart(4)} ${e.signer.padEnd(22)} ${e.event ? e.event.type : `rejected ${e.code}`}`);
const report = verifyHistory(history, validatorSetFromGenesis(genesis()));
console.log({ verified: report.ok, entries: report.checked, certifiedBlocks: report.certifiedBlocks, problems: report.problems });
if (!report.ok) process.exit(1);

step("auditor: the refused double-financing attempt is evidence");
const rejections = await auditor.getRejections({ target: id });
console.log(rejections.items.map((e) => ({ height: e.height, signer: e.signer, code: e.code })));
if (!rejections.items.some((e) => e.code === "DOUBLE_FINANCING" && e.signer === "bank-b")) process.exit(1);
console.log(`\nreceivable ${id}: settled, history verified`);
