// Property test of the lending aggregates (DESIGN.md §10-§11, docs/lending.md), in the style of
// test/title-property.test.ts: a seeded random workload of ≥ 5,000 operations (register, attest,
// acknowledge, finance, repay, propose and accept extensions, write off, cancel, with the clock
// moving forward), and digital warrants on the same invoices (issued by the buyers on their credit
// lines, offered to and financed by banks, sold on bank to bank, extended, written off, paid) through
// the real applyTx; at checkpoints and at the end, the aging and concentration reports and the
// indicators computed from the running aggregates in state must equal a brute-force recomputation
// over every receivable and piece record (test/fixtures/lending-brute.ts), written independently of
// node/ledger/aggregates.ts. Any failing seed replays exactly (SEED=<n>).
import t from "tap";
import { tx } from "../sdk/builders.js";
import { daysPastDue, financingOutstanding } from "../sdk/domain.js";
import { indicatorsOf, ratioBp } from "../sdk/lending.js";
import type { Event, Piece, Receivable } from "../sdk/types.js";
import { decodeCreditFacts, decodePiece, decodeReceivable } from "../node/ledger/records.js";
import { obligorIndicatorsAgree, reportsAgree } from "./fixtures/lending-brute.js";
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

function pieces(c: TestChain): Piece[] {
  return [...c.state.map.entries()].filter(([k]) => k.startsWith("q/")).map(([, v]) => decodePiece(v));
}

/** The credit line of an obligor in a currency (granted at the start of the run). */
const lineOf = (obligor: string, currency: string) => `line-${obligor}-${currency.toLowerCase()}`;

t.test(`random lending workload (seed ${SEED}, ${OPS} operations): reports and indicators equal a brute-force recomputation`, async (t) => {
  const rng = new Rng(SEED);
  const c = new TestChain([...BANKS.map((b) => makeParty(b, "BANK")), makeParty("customs", "CUSTOMS"), ...SELLERS.map((s) => makeParty(s, "ENTERPRISE")), ...BUYERS.map((b) => makeParty(b, "ENTERPRISE"))], { verify: false });
  const ids: string[] = [];
  const pieceIds: string[] = [];
  const proposed: string[] = [];
  const proposedPieces: string[] = [];
  const tally: Record<string, number> = {};
  for (const [i, obligor] of BUYERS.entries()) {
    for (const currency of ["USD", "EUR"]) {
      c.submit(BANKS[i]!, tx.grantCreditLine({ lineId: lineOf(obligor, currency), obligor, currency, limit: 10_000_000_000n, expiryDate: "2030-12-31" }));
    }
  }
  let n = 0;
  const check = (what: string) => {
    const rs = records(c);
    const time = c.time;
    const ps = pieces(c);
    reportsAgree(t, c.state.map, rs, ps, BANKS, time, what);
    for (const obligor of BUYERS) {
      const b = c.state.get(KEY.creditFacts(obligor));
      obligorIndicatorsAgree(t, b ? decodeCreditFacts(b) : undefined, ps, obligor, time, T0, what);
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
    const warrantOp = ids.length >= 20 && rng.int(100) < 25;
    if (warrantOp) {
      // digital warrants on the same invoices: issue, offer and finance, sell on, extend, write off, pay
      const w = rng.int(100);
      // mostly a piece still in play (HELD or FINANCED), now and then any
      let piece: Piece | undefined;
      for (let tries = 0; tries < 6 && pieceIds.length > 0; tries++) {
        piece = decodePiece(c.state.get(KEY.piece(pieceIds[rng.int(pieceIds.length)]!))!);
        if (piece.status === "HELD" || piece.status === "FINANCED") break;
      }
      if (w < 25 || !piece) {
        const r = decodeReceivable(c.state.get(KEY.receivable(pick()))!);
        signer = r.buyerPartyId || BUYERS[0]!;
        payload = tx.issueWarrant({ lineId: lineOf(signer, r.currency), holder: r.exporterId, amount: r.amount, currency: r.currency, maturityDate: dateOf(c.time + DAY * BigInt(30 + rng.int(200))), sources: [r.id] });
      } else if (w < 45 && piece.status === "HELD") {
        const bank = BANKS[rng.int(BANKS.length)]!;
        const offered = c.submit(piece.holderId, tx.offerWarrant({ pieceId: piece.id, bank }));
        tally[`offerWarrant:${offered.code}`] = (tally[`offerWarrant:${offered.code}`] ?? 0) + 1;
        signer = bank;
        payload = tx.financeWarrant({ pieceId: piece.id, advance: (piece.amount * 97n) / 100n || 1n });
      } else if (w < 52 && piece.status === "FINANCED") {
        signer = piece.holderId;
        payload = tx.transferWarrant({ pieceId: piece.id, outputs: [{ to: BANKS.find((b) => b !== piece.holderId)!, amount: piece.amount, tradeRef: "" }] });
      } else if (w < 66 && piece.status === "FINANCED") {
        signer = piece.holderId;
        payload = tx.proposePieceExtension({ pieceId: piece.id, newDueDate: dateOf(c.time + DAY * BigInt(1 + rng.int(150))) });
      } else if (w < 76 && proposedPieces.length > 0) {
        const answered = decodePiece(c.state.get(KEY.piece(proposedPieces[rng.int(proposedPieces.length)]!))!);
        signer = rng.int(10) > 0 ? answered.obligorId : answered.holderId;
        payload = tx.acceptPieceExtension({ pieceId: answered.id, newDueDate: answered.extensionDueDate || dateOf(c.time + DAY) });
      } else if (w < 86) {
        signer = piece.status === "FINANCED" || rng.int(4) > 0 ? piece.holderId : BANKS[rng.int(BANKS.length)]!;
        payload = tx.writeOffPiece({ pieceId: piece.id });
      } else {
        signer = piece.holderId;
        payload = tx.confirmWarrantPayment({ pieceId: piece.id });
      }
    } else if (ids.length < 20 || roll < 12) {
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
      // acceptances mostly answer a proposal that was made
      const id = roll >= 80 && roll < 87 && proposed.length > 0 && rng.int(4) > 0 ? proposed[rng.int(proposed.length)]! : pick();
      const r = decodeReceivable(c.state.get(KEY.receivable(id))!);
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
    for (const e of receipt.events as Event[]) {
      if (e.type === "pieceCreated") pieceIds.push(e.pieceId);
      if (e.type === "extensionProposed") proposed.push(e.receivableId);
      if (e.type === "pieceExtensionProposed") proposedPieces.push(e.pieceId);
    }
    if (op % 1000 === 999) check(`after ${op + 1} operations`);
  }
  check("at the end");
  // the workload exercised what it claims to
  for (const k of [
    "financeReceivable:OK",
    "recordRepayment:OK",
    "writeOff:OK",
    "acceptExtension:OK",
    "proposeExtension:OK",
    "cancelReceivable:OK",
    "financeReceivable:INVALID_STATE",
    "issueWarrant:OK",
    "financeWarrant:OK",
    "transferWarrant:OK",
    "proposePieceExtension:OK",
    "proposePieceExtension:EXTENSION_INVALID",
    "acceptPieceExtension:OK",
    "acceptPieceExtension:INVALID_STATE",
    "writeOffPiece:OK",
    "writeOffPiece:INVALID_STATE",
    "confirmWarrantPayment:OK",
  ]) {
    t.ok((tally[k] ?? 0) > 0, `${k} happened (${tally[k] ?? 0})`);
  }
  t.comment(JSON.stringify(tally));
});
