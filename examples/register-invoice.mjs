// An exporter's first ten minutes: hash an invoice, fingerprint it, register it, read it back,
// and see the ledger refuse the same invoice re-spelled ("INV-2026/00417" vs "inv 2026 00417").
//
//   npm start                                # in another terminal
//   node examples/register-invoice.mjs
import { fingerprintInvoice, hashDocument, LedgerError, tx } from "tradeledger/sdk";
import { clientFor, freshInvoice, minor, step } from "./lib.mjs";

const exporterId = "exporter-hz-textiles";
const exporter = clientFor(exporterId);

step("the node");
const status = await exporter.status();
console.log(`chain ${status.chainId}, height ${status.height}, ${status.validators.length} validators, ready: ${status.ready}`);

step("hash and fingerprint the invoice (nothing of it leaves this machine but two hashes)");
const invoice = freshInvoice();
const doc = hashDocument(invoice); // { root, rootHex, salts, leaves }: keep the salts with the document
const fingerprint = fingerprintInvoice({
  sellerId: invoice.seller.partyId,
  buyerId: invoice.buyer.identifier,
  invoiceNumber: invoice.invoiceNumber,
  currency: invoice.currency,
});
console.log({ invoiceNumber: invoice.invoiceNumber, documentHash: doc.rootHex, fields: doc.leaves.length });

step("register it (signed, submitted, waited for: the receipt comes back)");
const receipt = await exporter.submit(
  tx.registerReceivable({
    documentHash: doc.root,
    fingerprint,
    buyerId: invoice.buyer.identifier,
    amount: minor(invoice.totalAmount, invoice.currency), // "152500.00" USD -> 15250000n cents
    currency: invoice.currency,
    issueDate: invoice.issueDate,
    dueDate: invoice.dueDate,
  }),
);
const receivableId = receipt.receipt.target;
console.log({ receivableId, height: receipt.height, code: receipt.receipt.code });

step("read it back");
const view = await exporter.getReceivable(receivableId);
console.log({ status: view.receivable.status, amount: view.receivable.amount, currency: view.receivable.currency, dueDate: view.receivable.dueDate });

step("the same invoice, re-spelled, is refused by consensus");
const respelled = { ...invoice, invoiceNumber: invoice.invoiceNumber.toLowerCase().replace(/[-/]/g, " ") };
const again = hashDocument(respelled);
try {
  await exporter.submit(
    tx.registerReceivable({
      documentHash: again.root,
      fingerprint: fingerprintInvoice({ sellerId: respelled.seller.partyId, buyerId: respelled.buyer.identifier, invoiceNumber: respelled.invoiceNumber, currency: respelled.currency }),
      buyerId: respelled.buyer.identifier,
      amount: minor(respelled.totalAmount, respelled.currency),
      currency: respelled.currency,
      issueDate: respelled.issueDate,
      dueDate: respelled.dueDate,
    }),
  );
  console.error("unexpected: the duplicate was accepted");
  process.exit(1);
} catch (err) {
  if (!(err instanceof LedgerError) || err.code !== "DUPLICATE_RECEIVABLE") throw err;
  console.log({ invoiceNumber: respelled.invoiceNumber, code: err.code, status: err.status, heldBy: err.receipt?.target });
}
console.log(`\nreceivable ${receivableId} registered`);
