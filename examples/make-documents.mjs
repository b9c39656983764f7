// Writes a fresh set of trade documents for one shipment into a folder: the samples of
// examples/documents with this run's own invoice, declaration and bill-of-lading numbers, issued
// today and due in 90 days, so the CLI walkthrough of docs/api.md can be followed (and repeated)
// on any day against the same chain.
//
//   node examples/make-documents.mjs work        # -> work/invoice.json, work/declaration.json, work/bill-of-lading.json
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freshDeclaration, freshInvoice, sample } from "./lib.mjs";

const dir = process.argv[2] ?? "work";
mkdirSync(dir, { recursive: true });
const invoice = freshInvoice();
const declaration = freshDeclaration(invoice);
const bl = sample("bill-of-lading");
bl.transportDocumentReference = `NBOHAM${invoice.invoiceNumber.split("-").pop()}`;
bl.issueDate = bl.shippedOnBoardDate = declaration.exportDate;
invoice.transportDocumentRef = declaration.transportDocumentRef = bl.transportDocumentReference;
for (const [name, doc] of [["invoice.json", invoice], ["declaration.json", declaration], ["bill-of-lading.json", bl]]) {
  writeFileSync(join(dir, name), JSON.stringify(doc, null, 2) + "\n");
  console.log(join(dir, name));
}
console.log(`invoice ${invoice.invoiceNumber}: ${invoice.currency} ${invoice.totalAmount}, due ${invoice.dueDate}`);
