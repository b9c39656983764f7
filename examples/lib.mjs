// Shared by the example scripts: where the devnet is, party keys, clients, and fresh variants of
// the sample documents (each run gets its own invoice and declaration numbers, dated today, so the
// scripts can run again and again against the same chain).
//
// The devnet is `npm start`'s: network in .devnet/network.json, keys in .devnet/keys/<party>.json.
// Override with TRADELEDGER_DEVNET=<dir> (and TRADELEDGER_URL=<a node's RPC URL>).
import { readFileSync, existsSync, mkdirSync, writeFileSync, renameSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, loadSigner, decimalToMinorUnits, generateSigner, toHex, tx, LedgerError, fingerprintInvoice } from "tradeledger/sdk";

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

/**
 * Waits for the devnet's first node to be ready (GET /readyz: started, and connected to enough
 * validators to commit), so that an example started while `npm start` is still compiling or
 * starting its nodes waits for it instead of failing with "fetch failed".
 */
async function devnetReady(limitMs = 180_000) {
  const deadline = Date.now() + limitMs;
  let waiting = false;
  for (;;) {
    if (process.env.TRADELEDGER_URL || existsSync(join(devnetDir, "network.json"))) {
      const ready = await fetch(`${nodeUrl(0)}/readyz`).then((r) => r.ok, () => false);
      if (ready) return;
    }
    if (Date.now() > deadline) {
      console.error(`no ready devnet at ${devnetDir} after ${limitMs / 1000} s: run \`npm start\` in another terminal first (or set TRADELEDGER_DEVNET)`);
      process.exit(2);
    }
    if (!waiting) console.error("waiting for the devnet: `npm start` (in another terminal) compiles, then starts four nodes ...");
    waiting = true;
    await new Promise((r) => setTimeout(r, 500));
  }
}
await devnetReady();

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

/** "YYYY-MM-DD" of today (UTC) plus `days`. */
export function dayFromToday(days) {
  return isoDay(days);
}

/** This run's own suffix: ids and invoice numbers that must be new on every run. */
export const RUN_ID = runId;

/**
 * Makes sure the sample party `p` ({ id, role, name, country }) exists and its key is in
 * .devnet/keys. A devnet created before the party was added to config/devnet.ts lacks it: its
 * genesis cannot change (a node refuses a store made from another genesis), so bank-a onboards it
 * the way a bank onboards any enterprise (registerParty, KYC), and its new key is kept beside the
 * others, once. Returns "genesis", "onboarded" or "onboarded earlier".
 */
export async function ensureParty(p) {
  const keyFile = join(devnetDir, "keys", `${p.id}.json`);
  if (network().parties.some((q) => q.id === p.id) && existsSync(keyFile)) return "genesis";
  if (!existsSync(keyFile)) {
    const s = generateSigner(p.id);
    mkdirSync(dirname(keyFile), { recursive: true });
    const tmp = `${keyFile}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify({ partyId: p.id, seed: s.exportSeedHex(), publicKey: toHex(s.publicKey) }, null, 2) + "\n", { mode: 0o600 });
    renameSync(tmp, keyFile);
  }
  const bank = clientFor("bank-a", 0);
  const known = await bank.getParty(p.id).catch((err) => {
    if (err instanceof LedgerError && err.code === "NOT_FOUND") return undefined;
    throw err;
  });
  if (known) return "onboarded earlier";
  try {
    await bank.submit(tx.registerParty({ id: p.id, role: p.role, name: p.name, country: p.country, publicKey: signer(p.id).publicKey }));
    return "onboarded";
  } catch (err) {
    if (err instanceof LedgerError && err.code === "DUPLICATE_PARTY") return "registered earlier";
    throw err;
  }
}

/** The duplicate-detection fingerprint of an invoice (docs/hashing.md §6), 32 bytes. */
export function fingerprintFor(sellerId, buyerId, invoiceNumber, currency) {
  return fingerprintInvoice({ sellerId, buyerId, invoiceNumber, currency });
}

/**
 * Runs `fn`, which must be refused with `code`: prints the refusal and returns the LedgerError (its
 * receipt is the evidence an auditor lists); throws if it was accepted or failed otherwise.
 */
export async function refused(what, code, fn) {
  try {
    await fn();
  } catch (err) {
    if (err instanceof LedgerError && err.code === code) {
      console.log(`  refused ${code}: ${what}\n    (${err.message})`);
      return err;
    }
    throw err;
  }
  throw new Error(`unexpected: ${what} was accepted`);
}
