// Shared by the example scripts: where the devnet is, party keys, clients, and fresh variants of
// the sample documents (each run gets its own invoice and declaration numbers, dated today, so the
// scripts can run again and again against the same chain).
//
// The devnet is `npm start`'s: network in .devnet/network.json, keys in .devnet/keys/<party>.json.
// Override with TRADELEDGER_DEVNET=<dir> (and TRADELEDGER_URL=<a node's RPC URL>).
import { readFileSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, loadSigner, decimalToMinorUnits } from "tradeledger/sdk";

const here = dirname(fileURLToPath(import.meta.url));
export const devnetDir = resolve(process.env.TRADELEDGER_DEVNET ?? join(here, "..", ".devnet"));

export function network() {
  const file = join(devnetDir, "network.json");
  if (!existsSync(file)) {
    console.error(`no devnet at ${devnetDir}: run \`npm start\` in another terminal first (or set TRADELEDGER_DEVNET)`);
    process.exit(2);
  }
  return JSON.parse(readFileSync(file, "utf8"));
}

/** The RPC URL of the devnet's i-th node (validators bank-a, bank-b, customs, core-enterprise). */
export function nodeUrl(i = 0) {
  return process.env.TRADELEDGER_URL ?? network().nodes[i].rpcUrl;
}

export function signer(partyId) {
  return loadSigner(readFileSync(join(devnetDir, "keys", `${partyId}.json`), "utf8"));
}

/** A client that signs as `partyId`, talking to node `i`. */
export function clientFor(partyId, i = 0) {
  return createClient({ url: nodeUrl(i), signer: signer(partyId) });
}

export function genesis() {
  return JSON.parse(readFileSync(network().genesisFile, "utf8"));
}

export function sample(name) {
  return JSON.parse(readFileSync(join(here, "documents", `${name}.json`), "utf8"));
}

const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`.toUpperCase();
const isoDay = (days) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** The sample invoice with this run's own number, issued today, due in 90 days. */
export function freshInvoice(suffix = "") {
  const doc = sample("commercial-invoice");
  doc.invoiceNumber = `INV-2026/00417-${runId}${suffix}`;
  doc.issueDate = isoDay(0);
  doc.dueDate = isoDay(90);
  return doc;
}

/** The sample export declaration for `invoice`, with this run's own declaration number. */
export function freshDeclaration(invoice, suffix = "") {
  const doc = sample("export-declaration");
  doc.declarationNumber = `3104${runId}${suffix}`.replace(/[^0-9A-Z]/g, "");
  doc.declarationDate = isoDay(0);
  doc.exportDate = isoDay(0);
  doc.exporter.partyId = invoice.seller.partyId;
  doc.declaredValue = { ...doc.declaredValue, currency: invoice.currency, amount: invoice.totalAmount };
  return doc;
}

/** Major units ("152500.00") to minor units (15250000n), exactly, with the ISO 4217 exponent. */
export function minor(amount, currency) {
  const v = decimalToMinorUnits(amount, currency);
  if (v === null) throw new Error(`${amount} is not an exact amount of ${currency}`);
  return v;
}

export function step(text) {
  console.log(`\n== ${text}`);
}
