// Title documents, pledges and the buyer's word end to end on a real devnet (docs/titles.md,
// docs/ledger.md): four validator processes of `npm start` (node/cli/devnet.ts) on free ports, with
// the warehouse, the carrier and the buyer in genesis; examples/pledge.mjs and examples/buyer.mjs
// run against it as a developer runs them against `npm start`; then a holder signs two pledge
// offers of one warehouse receipt, to bank A and to bank B, and submits them to two different
// validators at once, and both banks try to accept through two more: exactly one pledge is PLEDGED,
// the other offer is TITLE_PLEDGED (the other bank's acceptance UNAUTHORIZED or INVALID_STATE,
// by its order), and every node holds the same receipts and the same chain.
import { join } from "node:path";
import t from "tap";
import { createClient } from "../sdk/client.js";
import { buildTxBody, tx } from "../sdk/builders.js";
import { sha256 } from "../sdk/crypto.js";
import { utf8 } from "../sdk/bytes.js";
import { LedgerError } from "../sdk/errors.js";
import { fingerprintWarehouseReceipt } from "../sdk/fingerprint.js";
import { signTransaction } from "../sdk/signer.js";
import { runProcess, startTestDevnet } from "./devnet-harness.js";

const devnet = await startTestDevnet(t, "tl-titles-");
const { dir, supervisor, network } = devnet;

const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const { clientOf, signerOf } = devnet;

t.test("the devnet comes up with the warehouse, the carrier and the buyer in genesis", async (t) => {
  t.same(supervisor.missingParties, []);
  t.same(
    network.parties.filter((p) => ["warehouse-qd", "carrier-eastsea", "buyer-sh-retail"].includes(p.id)).map((p) => p.role),
    ["CUSTODIAN", "CUSTODIAN", "ENTERPRISE"],
  );
  t.same(await devnet.waitReady(), [], "every node answers, is ready and sees its validator peers");
});

t.test("examples/pledge.mjs", async (t) => {
  const r = await runProcess(process.execPath, ["examples/pledge.mjs"], { TRADELEDGER_DEVNET: dir }, 300_000);
  t.equal(r.code, 0, r.code === 0 ? "exits 0" : r.err || r.out.slice(-2000));
  t.match(r.out, /warehouse-qd\s+Qingdao Harbour Bonded Warehousing Co., Ltd.\s+genesis/);
  t.match(r.out, /carrier-eastsea\s+East Sea Container Lines Co., Ltd.\s+genesis/);
  t.equal(r.out.match(/refused TITLE_PLEDGED/g)?.length, 2, "a second pledge, a transfer of the pledged receipt");
  t.equal(r.out.match(/refused EXCEEDS_STOCK/g)?.length, 2, "receipts beyond the stock, stock lowered below the receipts");
  t.equal(r.out.match(/refused BILL_OF_LADING_REUSED/g)?.length, 1);
  t.match(r.out, /pledge to bank-a by exporter-sz-electronics: 9,000,000.00 USD until \S+ -> RELEASED/);
  t.match(r.out, /status: 'SURRENDERED'/);
  t.match(r.out, /pledged once \(to bank A\), never twice, never beyond the stock; released and delivered/);
});

t.test("examples/buyer.mjs", async (t) => {
  const r = await runProcess(process.execPath, ["examples/buyer.mjs"], { TRADELEDGER_DEVNET: dir }, 300_000);
  t.equal(r.code, 0, r.code === 0 ? "exits 0" : r.err || r.out.slice(-2000));
  t.match(r.out, /buyer-sh-retail\s+Shanghai Huaxin Department Stores Co., Ltd.\s+genesis/);
  for (const code of ["NOT_ATTESTED", "NOT_ACKNOWLEDGED", "PAYEE_LOCKED", "DISPUTED"]) t.match(r.out, new RegExp(`refused ${code}:`), code);
  t.equal(r.out.match(/refused FORBIDDEN/g)?.length, 3, "the seller's list, its other invoice, its exposure");
  t.match(r.out, /liveFinanced: '800,000.00 CNY'/);
  t.match(r.out, /acknowledged 800,000.00 CNY due \S+, PARTIALLY_FINANCED, pay bank-a, disputed false/);
});

/** Waits until node `i` serves the transaction; returns its receipt code. */
async function codeOn(i: number, hashHex: string): Promise<string> {
  const c = clientOf("auditor", i); // reads of transactions are signed (docs/security.md)
  for (let n = 0; n < 200; n++) {
    const entry = await c.getTx(hashHex).catch((e: unknown) => {
      if (e instanceof LedgerError && e.code === "NOT_FOUND") return undefined; // not committed there yet
      throw e;
    });
    if (entry) return entry.receipt.code;
    await new Promise((r) => setTimeout(r, 100));
  }
  return "MISSING";
}

t.test("two pledges of one receipt through two validators at once, both banks accept through two more: one pledge, all nodes agree", async (t) => {
  const warehouse = clientOf("warehouse-qd", 0);
  const lotId = `race-lot-${Date.now().toString(36)}`;
  const goods = { hsCode: "740311", descriptionHash: sha256(utf8("copper cathodes, grade A")), unit: "TNE" };
  await warehouse.submit(tx.attestStock({ lotId, goods, quantity: 10_000n }));
  const trader = signerOf("exporter-sz-electronics");
  const chainId = network.chainId;
  const rounds = 3;
  for (let round = 0; round < rounds; round++) {
    const issued = await warehouse.submit(
      tx.issueTitle({ kind: "WAREHOUSE_RECEIPT", fingerprint: fingerprintWarehouseReceipt({ custodianId: "warehouse-qd", receiptNumber: `${lotId}-${round}` }), lotId, quantity: 1000n, holder: "exporter-sz-electronics" }),
    );
    const titleId = issued.receipt.target;
    // Two offers of the same receipt, each valid alone: the holder signs both and sends them to
    // two different validators at the same moment.
    const offer = (bank: string) =>
      signTransaction(trader, buildTxBody(tx.offerPledge({ titleId, bank, securedAmount: 500_000_000n, currency: "USD", expiryDate: day(90) }), { chainId, signer: trader }));
    const toA = await offer("bank-a");
    const toB = await offer("bank-b");
    const viaA = createClient({ url: network.nodes[round % 4]!.rpcUrl });
    const viaB = createClient({ url: network.nodes[(round + 2) % 4]!.rpcUrl });
    const offers = await Promise.allSettled([viaA.submitSigned(toA), viaB.submitSigned(toB)]);
    t.equal(offers.filter((r) => r.status === "fulfilled").length, 1, `round ${round}: exactly one offer stands`);
    const lost = offers.find((r): r is PromiseRejectedResult => r.status === "rejected")?.reason;
    t.ok(lost instanceof LedgerError && lost.code === "TITLE_PLEDGED", `round ${round}: the other offer is refused ${lost?.code}: ${lost?.message}`);
    const offered = offers[0]!.status === "fulfilled" ? "bank-a" : "bank-b";

    // Both banks accept at once, each through its own validator: only the offered bank's acceptance can pass.
    const acceptA = await signTransaction(signerOf("bank-a"), buildTxBody(tx.acceptPledge({ titleId }), { chainId, signer: "bank-a" }));
    const acceptB = await signTransaction(signerOf("bank-b"), buildTxBody(tx.acceptPledge({ titleId }), { chainId, signer: "bank-b" }));
    const accepts = await Promise.allSettled([
      createClient({ url: network.nodes[(round + 1) % 4]!.rpcUrl }).submitSigned(acceptA),
      createClient({ url: network.nodes[(round + 3) % 4]!.rpcUrl }).submitSigned(acceptB),
    ]);
    const acceptedBy = accepts.flatMap((r, i) => (r.status === "fulfilled" ? [i === 0 ? "bank-a" : "bank-b"] : []));
    t.same(acceptedBy, [offered], `round ${round}: exactly one acceptance, by the bank offered (${offered})`);
    // Ordered before the winning acceptance, the other bank's is UNAUTHORIZED (offered to another
    // bank); ordered after it, INVALID_STATE (the title is PLEDGED, no longer offered).
    const refusedAccept = accepts.find((r): r is PromiseRejectedResult => r.status === "rejected")?.reason;
    t.ok(refusedAccept instanceof LedgerError && ["UNAUTHORIZED", "INVALID_STATE"].includes(refusedAccept.code), `round ${round}: the other bank's acceptance is refused ${refusedAccept?.code}: ${refusedAccept?.message}`);

    // The title: PLEDGED to the one bank, one pledge in its history; a third offer is TITLE_PLEDGED.
    const title = await clientOf("auditor", round % 4).getTitle(titleId);
    t.match(title, { title: { status: "PLEDGED", pledge: { bankId: offered }, pledges: 1 }, pledges: [{ bankId: offered, outcome: "PLEDGED" }] }, `round ${round}: PLEDGED to ${offered}`);
    t.equal(title.pledges.length, 1, `round ${round}: one pledge in the history`);
    await t.rejects(clientOf("exporter-sz-electronics", (round + 1) % 4).submit(tx.offerPledge({ titleId, bank: offered === "bank-a" ? "bank-b" : "bank-a", securedAmount: 1n, currency: "USD", expiryDate: day(90) })), {
      code: "TITLE_PLEDGED",
    });

    // Every node: the same receipt codes for the four racing transactions.
    const hashes = [toA.hashHex, toB.hashHex, acceptA.hashHex, acceptB.hashHex];
    const seen = new Set<string>();
    for (let i = 0; i < network.nodes.length; i++) {
      const codes: string[] = [];
      for (const h of hashes) codes.push(await codeOn(i, h));
      seen.add(codes.join(","));
    }
    t.equal(seen.size, 1, `round ${round}: every node has the same receipts (${[...seen].join(" | ")})`);
    const [codeA, codeB, accA, accB] = [...seen][0]!.split(",");
    t.same([codeA, codeB].sort(), ["OK", "TITLE_PLEDGED"], `round ${round}: offers OK and TITLE_PLEDGED`);
    t.same([accA, accB].sort(), ["OK", refusedAccept?.code].sort(), `round ${round}: acceptances OK and ${refusedAccept?.code}`);
  }
});

t.test("every node serves the same chain", async (t) => {
  const heads = new Set<string>();
  let height = 0n;
  for (let i = 0; i < 100; i++) {
    heads.clear();
    const statuses = await Promise.all(network.nodes.map((n) => createClient({ url: n.rpcUrl }).status()));
    height = statuses.map((s) => BigInt(s.height)).reduce((a, b) => (a < b ? a : b));
    const blocks = await Promise.all(network.nodes.map((n) => createClient({ url: n.rpcUrl }).getBlock(height)));
    for (const b of blocks) heads.add(`${b.hash}/${b.header.stateRoot}/${b.header.receiptsRoot}`);
    if (heads.size === 1) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  t.ok(height > 0n);
  t.equal(heads.size, 1, `one block hash, state root and receipts root at height ${height} on all nodes (${[...heads].join(" | ")})`);
});
