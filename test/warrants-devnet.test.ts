// Digital warrants end to end on a real devnet (docs/warrants.md): four validator processes of
// `npm start` (node/cli/devnet.ts) on free ports, with a genesis maxWarrantTenorDays of 30 (so the
// genesis parameter is seen to reach every node's rules); examples/warrant-chain.mjs runs against
// it as a developer runs it against `npm start`; then the tier-1 supplier signs two conflicting
// transfers of one piece and submits them to two different validators at once: exactly one wins,
// the other is refused, and every node holds the same receipts and the same chain.
import { join } from "node:path";
import t from "tap";
import { createClient, type TradeLedgerClient } from "../sdk/client.js";
import { tx } from "../sdk/builders.js";
import { randomBytes } from "../sdk/crypto.js";
import { LedgerError } from "../sdk/errors.js";
import { buildTxBody, signTransaction } from "../sdk/index.js";
import { runProcess, startTestDevnet } from "./devnet-harness.js";

const devnet = await startTestDevnet(t, "tl-warrants-", { ledger: { maxWarrantTenorDays: 30 } });
const { dir, supervisor, network } = devnet;

const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const { clientOf, signerOf } = devnet;

t.test("the devnet comes up with the supply chain in genesis", async (t) => {
  t.same(supervisor.missingParties, []);
  t.same(await devnet.waitReady(), [], "every node answers, is ready and sees its validator peers");
});

t.test("examples/warrant-chain.mjs", async (t) => {
  const r = await runProcess(process.execPath, ["examples/warrant-chain.mjs"], { TRADELEDGER_DEVNET: dir }, 300_000);
  t.equal(r.code, 0, r.err || r.out.slice(-2000));
  t.match(r.out, /carmaker\s+Eastlake Automobile Co., Ltd.\s+genesis/);
  t.equal(r.out.match(/refused TRADE_REF_USED/g)?.length, 2, "an invoice reused, a committed invoice financed");
  t.match(r.out, /bank-b\s+paid\s+60,000.00 CNY\s+line outstanding 0.00 CNY/);
  t.match(r.out, /warrantSettled: '[0-9a-f]{64}'/);
  t.match(r.out, /every piece paid, line line-carmaker-\S+ free/);
});

let lineN = 0;
/** A fresh line, an invoice of tier-1 on the car maker, and a warrant on it: returns the warrant id. */
async function warrantToTier1(amount: bigint, maturityDays = 10): Promise<string> {
  const bank = clientOf("bank-a", 0);
  const carmaker = clientOf("carmaker", 3);
  const tier1 = clientOf("tier1-seating", 0);
  const lineId = `race-line-${Date.now().toString(36)}-${lineN++}`;
  await bank.submit(tx.grantCreditLine({ lineId, obligor: "carmaker", currency: "CNY", limit: 10n * amount, expiryDate: day(60) }));
  const inv = await invoice(tier1, "carmaker", amount);
  const issued = await carmaker.submit(tx.issueWarrant({ lineId, holder: "tier1-seating", amount, currency: "CNY", maturityDate: day(maturityDays), sources: [inv] }));
  return issued.receipt.target;
}

async function invoice(seller: TradeLedgerClient, buyer: string, amount: bigint): Promise<string> {
  const r = await seller.submit(
    tx.registerReceivable({ documentHash: randomBytes(32), fingerprint: randomBytes(32), buyerId: buyer, buyerPartyId: buyer, amount, currency: "CNY", issueDate: day(0), dueDate: day(60) }),
  );
  return r.receipt.target;
}

t.test("the genesis tenor reaches every node's rules: 31 days is TENOR_INVALID, 30 is fine", async (t) => {
  const amount = 5_000_000n;
  const bank = clientOf("bank-a", 1);
  const lineId = `tenor-line-${Date.now().toString(36)}`;
  await bank.submit(tx.grantCreditLine({ lineId, obligor: "carmaker", currency: "CNY", limit: amount * 2n, expiryDate: day(60) }));
  const tier1 = clientOf("tier1-seating", 2);
  const inv = await invoice(tier1, "carmaker", amount);
  const carmaker = clientOf("carmaker", 2);
  await t.rejects(carmaker.submit(tx.issueWarrant({ lineId, holder: "tier1-seating", amount, currency: "CNY", maturityDate: day(31), sources: [inv] })), { code: "TENOR_INVALID" });
  const ok = await carmaker.submit(tx.issueWarrant({ lineId, holder: "tier1-seating", amount, currency: "CNY", maturityDate: day(30), sources: [inv] }));
  t.equal(ok.receipt.code, "OK");
});

t.test("two conflicting transfers of one piece, through two validators at once: one wins, all nodes agree", async (t) => {
  const rounds = 3;
  for (let round = 0; round < rounds; round++) {
    const amount = 20_000_000n; // 200,000.00 CNY
    const piece = await warrantToTier1(amount);
    // Two honest-looking transfers of the same piece, to two different tier-2 suppliers on their
    // own invoices: each valid alone. tier-1 signs both and sends them to different validators.
    const foamInv = await invoice(clientOf("tier2-foam", 1), "tier1-seating", amount);
    const framesInv = await invoice(clientOf("tier2-frames", 2), "tier1-seating", amount);
    const tier1 = signerOf("tier1-seating");
    const chainId = network.chainId;
    const sign = (to: string, tradeRef: string) => signTransaction(tier1, buildTxBody(tx.transferWarrant({ pieceId: piece, outputs: [{ to, amount: 15_000_000n, tradeRef }] }), { chainId, signer: tier1 }));
    const a = await sign("tier2-foam", foamInv);
    const b = await sign("tier2-frames", framesInv);
    const viaA = createClient({ url: network.nodes[round % 4]!.rpcUrl });
    const viaB = createClient({ url: network.nodes[(round + 2) % 4]!.rpcUrl });
    const results = await Promise.allSettled([viaA.submitSigned(a), viaB.submitSigned(b)]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    t.equal(won.length, 1, `round ${round}: exactly one transfer wins`);
    t.equal(lost.length, 1, `round ${round}: the other is refused`);
    const err = lost[0]?.reason;
    t.ok(err instanceof LedgerError && (err.code === "INVALID_STATE" || err.code === "NOT_FOUND"), `round ${round}: refused ${err?.code}: ${err?.message}`);

    // Every node: the same receipt codes for both transactions, and the same block at the head.
    const hashes = [a.hashHex, b.hashHex];
    const seen = new Set<string>();
    for (const [i, n] of network.nodes.entries()) {
      const c = clientOf("auditor", i); // reads of transactions are signed (docs/security.md)
      const codes: string[] = [];
      for (const h of hashes) {
        let entry: Awaited<ReturnType<TradeLedgerClient["getTx"]>> | undefined;
        for (let i = 0; i < 100 && !entry; i++) {
          entry = await c.getTx(h).catch((e: unknown) => {
            if (e instanceof LedgerError && e.code === "NOT_FOUND") return undefined; // not committed there yet
            throw e;
          });
          if (!entry) await new Promise((r) => setTimeout(r, 100));
        }
        codes.push(String(entry?.receipt.code));
      }
      seen.add(codes.join(","));
    }
    t.equal(seen.size, 1, `round ${round}: every node has the same receipts (${[...seen].join(" | ")})`);
    t.same([...seen][0]!.split(",").sort(), [err?.code, "OK"].sort());
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
  t.equal(heads.size, 1, `one block hash and state root at height ${height} on all nodes`);
});
