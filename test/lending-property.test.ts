// Property test of the lending aggregates (DESIGN.md §10-§11, docs/lending.md), in the style of
// test/title-property.test.ts: a seeded random workload of ≥ 5,000 operations (register, attest,
// acknowledge, finance, repay, propose and accept extensions, write off, cancel, with the clock
// moving forward) through the real applyTx; at checkpoints and at the end, the aging and
// concentration reports and the indicators computed from the running aggregates in state must equal
// a brute-force recomputation over every receivable record, written here independently of
// node/ledger/aggregates.ts. Any failing seed replays exactly (SEED=<n>).
import t from "tap";
import { tx } from "../sdk/builders.js";
import { AGING_BUCKETS, agingBucket, daysPastDue, financingOutstanding } from "../sdk/domain.js";
import { agingOf, assembleBook, isBookKeyOf, concentrationOf, indicatorsOf, ratioBp } from "../sdk/lending.js";
import type { Event, Receivable } from "../sdk/types.js";
import { decodeCreditFacts, decodeReceivable } from "../node/ledger/records.js";
import { KEY } from "../node/ledger/state.js";
import { DAY, Rng, T0, TestChain, h32, makeParty } from "./ledger-harness.js";

const SEED = Number(process.env["SEED"] ?? 20261205);
const OPS = Number(process.env["OPS"] ?? 5200);
const BANKS = ["bank-a", "bank-b", "bank-c"];
const SELLERS = ["seller-1", "seller-2", "seller-3", "seller-4"];
const BUYERS = ["buyer-x", "buyer-y"];

const dateOf = (ms: bigint) => new Date(Number(ms)).toISOString().slice(0, 10);

function records(c: TestChain): Receivable[] {
  return [...c.state.map.entries()].filter(([k]) => k.startsWith("r/")).map(([, v]) => decodeReceivable(v));
}

/** Aging of one bank, straight from the receivables: per currency, live financing by bucket. */
function bruteAging(rs: Receivable[], bank: string, time: bigint) {
  const out = new Map<string, { outstanding: bigint; receivables: number; buckets: Record<string, { count: number; amount: bigint }>; writtenOff: bigint; writtenOffCount: number }>();
  for (const r of rs) {
    let live = 0n;
    let wo = 0n;
    let woCount = 0;
    for (const f of r.financings) {
      if (f.bankId !== bank) continue;
      live += financingOutstanding(f);
      if (f.writtenOff > 0n) {
        wo += f.writtenOff;
        woCount++;
      }
    }
    if (live === 0n && wo === 0n) continue;
    let c = out.get(r.currency);
    if (!c) out.set(r.currency, (c = { outstanding: 0n, receivables: 0, buckets: Object.fromEntries(AGING_BUCKETS.map((b) => [b, { count: 0, amount: 0n }])), writtenOff: 0n, writtenOffCount: 0 }));
    c.writtenOff += wo;
    c.writtenOffCount += woCount;
    if (live > 0n) {
      c.outstanding += live;
      c.receivables++;
      const b = c.buckets[agingBucket(daysPastDue(r.dueDate, time))]!;
      b.count++;
      b.amount += live;
    }
  }
  return out;
}

t.test(`random lending workload (seed ${SEED}, ${OPS} operations): reports and indicators equal a brute-force recomputation`, async (t) => {
  const rng = new Rng(SEED);
  const c = new TestChain([...BANKS.map((b) => makeParty(b, "BANK")), makeParty("customs", "CUSTOMS"), ...SELLERS.map((s) => makeParty(s, "ENTERPRISE")), ...BUYERS.map((b) => makeParty(b, "ENTERPRISE"))], { verify: false });
  const ids: string[] = [];
  const tally: Record<string, number> = {};
  let n = 0;
  const check = (what: string) => {
    const rs = records(c);
    const time = c.time;
    for (const bank of BANKS) {
      const book = assembleBook(bank, new Map([...c.state.map].filter(([k]) => isBookKeyOf(k, bank))), "all");
      const brute = bruteAging(rs, bank, time);
      const fromBook = agingOf(book, time);
      t.same(
        fromBook.map((x) => x.currency),
        [...brute.keys()].sort(),
        `${what}: ${bank}'s currencies`,
      );
      for (const a of fromBook) {
        const e = brute.get(a.currency)!;
        t.same({ outstanding: a.outstanding, receivables: a.receivables, buckets: a.buckets, writtenOff: a.writtenOff, writtenOffCount: a.writtenOffCount }, e, `${what}: ${bank} ${a.currency} aging`);
        t.equal(a.nplRatioBp, ratioBp(e.buckets[">90"]!.amount, e.outstanding), `${what}: ${bank} NPL ratio`);
      }
      // concentration: per exporter and per obligor, straight from the receivables
      for (const conc of concentrationOf(book)) {
        const byExporter = new Map<string, bigint>();
        const byObligor = new Map<string, bigint>();
        for (const r of rs) {
          if (r.currency !== conc.currency) continue;
          let live = 0n;
          for (const f of r.financings) if (f.bankId === bank) live += financingOutstanding(f);
          if (live === 0n) continue;
          byExporter.set(r.exporterId, (byExporter.get(r.exporterId) ?? 0n) + live);
          const o = r.buyerPartyId || `buyer:${r.buyerId}`;
          byObligor.set(o, (byObligor.get(o) ?? 0n) + live);
        }
        t.same(new Map(conc.byExporter.map((l) => [l.partyId, l.amount])), byExporter, `${what}: ${bank} ${conc.currency} by exporter`);
        t.same(new Map(conc.byObligor.map((l) => [l.partyId, l.amount])), byObligor, `${what}: ${bank} ${conc.currency} by obligor`);
      }
    }
    for (const seller of SELLERS) {
      const b = c.state.get(KEY.creditFacts(seller));
      const ind = indicatorsOf({ facts: b ? decodeCreditFacts(b) : undefined, party: { id: seller, registeredAt: 0n }, timeMs: time, genesisTimeMs: T0, rejectedAttempts: 0 });
      const mine = rs.filter((r) => r.exporterId === seller && r.status !== "CANCELLED");
      const settled = mine.filter((r) => r.status === "SETTLED");
      const onTime = settled.filter((r) => dateOf(r.updatedAt) <= r.dueDate).length;
      const overdue = mine.filter((r) => r.financings.some((f) => financingOutstanding(f) > 0n) && daysPastDue(r.dueDate, time) > 0n);
      const buyers = new Map<string, bigint>();
      for (const r of mine) buyers.set(r.buyerPartyId || `buyer:${r.buyerId}`, (buyers.get(r.buyerPartyId || `buyer:${r.buyerId}`) ?? 0n) + 1n);
      let sq = 0n;
      for (const v of buyers.values()) sq += v * v;
      const total = BigInt(mine.length);
      t.same(
        {
          receivables: ind.receivables,
          settledOnTime: ind.settledOnTime,
          settledLate: ind.settledLate,
          writtenOff: ind.writtenOff,
          extensions: ind.extensions,
          overdueCount: ind.overdueCount,
          attestedShareBp: ind.attestedShareBp,
          acknowledgedShareBp: ind.acknowledgedShareBp,
          buyerHhiBp: ind.buyerHhiBp,
        },
        {
          receivables: mine.length,
          settledOnTime: onTime,
          settledLate: settled.length - onTime,
          writtenOff: mine.filter((r) => r.status === "DEFAULTED").length,
          extensions: mine.reduce((s, r) => s + r.extensions, 0),
          overdueCount: overdue.length,
          attestedShareBp: ratioBp(BigInt(mine.filter((r) => r.attestedBy !== "").length), total),
          acknowledgedShareBp: ratioBp(BigInt(mine.filter((r) => r.acknowledgedAmount > 0n).length), total),
          buyerHhiBp: total === 0n ? 0n : (sq * 10_000n) / (total * total),
        },
        `${what}: ${seller}'s indicators`,
      );
    }
  };

  for (let op = 0; op < OPS; op++) {
    const roll = rng.int(100);
    const pick = () => ids[rng.int(ids.length)]!;
    let payload;
    let signer: string;
    if (ids.length < 20 || roll < 12) {
      const seller = SELLERS[rng.int(SELLERS.length)]!;
      const k = n++;
      const currency = rng.int(3) === 0 ? "EUR" : "USD";
      const buyer = rng.int(3) === 0 ? "" : BUYERS[rng.int(BUYERS.length)]!;
      signer = seller;
      payload = tx.registerReceivable({
        documentHash: h32(`prop-doc/${k}`),
        fingerprint: h32(`prop-fp/${k}`),
        buyerId: `erp-${rng.int(5)}`,
        ...(buyer ? { buyerPartyId: buyer } : {}),
        amount: BigInt(1 + rng.int(1000)) * 100n,
        currency,
        issueDate: dateOf(c.time - DAY * BigInt(rng.int(300))),
        dueDate: dateOf(c.time + DAY * BigInt(1 + rng.int(120))),
      });
    } else {
      const r = decodeReceivable(c.state.get(KEY.receivable(pick()))!);
      const live = r.financings.filter((f) => financingOutstanding(f) > 0n);
      const bank = BANKS[rng.int(BANKS.length)]!;
      if (roll < 30) {
        signer = "customs";
        payload = tx.attestShipment({ declarationFingerprint: h32(`prop-decl/${op}`), declarationHash: h32(`prop-dh/${op}`), exporterId: r.exporterId, declaredValue: r.amount, currency: r.currency, exportDate: r.issueDate, receivableIds: [r.id] });
      } else if (roll < 35 && r.buyerPartyId) {
        signer = r.buyerPartyId;
        payload = tx.acknowledgeReceivable({ receivableId: r.id, amount: r.amount, dueDate: r.dueDate });
      } else if (roll < 55) {
        signer = bank;
        payload = tx.financeReceivable({ receivableId: r.id, amount: BigInt(1 + rng.int(Number(r.amount / 3n) + 1)), currency: r.currency });
      } else if (roll < 72 && live.length > 0) {
        const f = live[rng.int(live.length)]!;
        signer = f.bankId;
        const out = financingOutstanding(f);
        payload = tx.recordRepayment({ receivableId: r.id, financingId: f.id, amount: rng.int(2) === 0 ? out : BigInt(1 + rng.int(Number(out))) });
      } else if (roll < 80 && live.length > 0) {
        signer = live[0]!.bankId;
        payload = tx.proposeExtension({ receivableId: r.id, newDueDate: dateOf(c.time + DAY * BigInt(1 + rng.int(60))) });
      } else if (roll < 87 && r.extensionDueDate) {
        signer = r.exporterId;
        payload = tx.acceptExtension({ receivableId: r.id, newDueDate: r.extensionDueDate });
      } else if (roll < 92 && live.length > 0) {
        const f = live[rng.int(live.length)]!;
        signer = f.bankId;
        payload = tx.writeOff({ receivableId: r.id, financingId: f.id });
      } else if (roll >= 92 && roll < 94) {
        signer = r.exporterId;
        payload = tx.cancelReceivable({ receivableId: r.id, reason: "mistake" });
      } else if (roll >= 94) {
        // time passes: due dates come and go
        c.time += DAY * BigInt(1 + rng.int(10));
        continue;
      } else {
        signer = bank;
        payload = tx.financeReceivable({ receivableId: r.id, amount: BigInt(1 + rng.int(Number(r.amount / 3n) + 1)), currency: r.currency });
      }
    }
    const receipt = c.submit(signer, payload);
    tally[`${payload.type}:${receipt.code}`] = (tally[`${payload.type}:${receipt.code}`] ?? 0) + 1;
    if (payload.type === "registerReceivable" && receipt.code === "OK") {
      ids.push(receipt.target);
      // most invoices have a customs-attested shipment behind them
      if (rng.int(10) < 8) {
        const r = decodeReceivable(c.state.get(KEY.receivable(receipt.target))!);
        c.submit("customs", tx.attestShipment({ declarationFingerprint: h32(`prop-decl0/${op}`), declarationHash: h32(`prop-dh0/${op}`), exporterId: r.exporterId, declaredValue: r.amount, currency: r.currency, exportDate: r.issueDate, receivableIds: [r.id] }));
      }
    }
    void (receipt.events as Event[]);
    if (op % 1000 === 999) check(`after ${op + 1} operations`);
  }
  check("at the end");
  // the workload exercised what it claims to
  for (const k of ["financeReceivable:OK", "recordRepayment:OK", "writeOff:OK", "acceptExtension:OK", "proposeExtension:OK", "cancelReceivable:OK", "financeReceivable:INVALID_STATE"]) {
    t.ok((tally[k] ?? 0) > 0, `${k} happened (${tally[k] ?? 0})`);
  }
  t.comment(JSON.stringify(tally));
});
