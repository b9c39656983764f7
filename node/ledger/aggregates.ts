// Running aggregates of the lending book (DESIGN.md §10-§11, docs/lending.md), kept in state so that
// reports and credit indicators read a handful of records, each provable against the state root,
// instead of scanning history:
//   g/<bankId>                     BookRoot     the currencies of a bank's book
//   gb/<bankId>/<cur>              BookCore     its totals (live, written off) and sub-record counts
//   ge/ go/ gd/<bankId>/<cur>/<x>  PartyAmount / DueAmount  live financing per exporter, per obligor,
//                                  per due date (the aging and concentration reports; the
//                                  CONCENTRATION, LARGE_EXPOSURE rules of supervision.ts read ge/, gb/)
//   i/<partyId>                    CreditFacts  an exporter's running credit facts (the indicators),
//                                  and its record as the obligor of warrant pieces
// A bank's book is split so that a finance, repayment or write-off touches O(1) small records (its
// core and one record per exporter, obligor and due date it moves), not the whole book; the core
// counts its sub-records, so a report proves it holds all of them (sdk/lending.ts assembleBook).
// One owner (STYLE.md 15): every change of a receivable record goes through putReceivable, every
// change of a warrant piece through putPiece (tx/rule.ts), which call receivableChanged / pieceChanged
// here with the record before and after. The aggregates are a pure function of the set of receivable
// and piece records: each record contributes a fixed amount to them (addReceivable, addPiece), and a
// change applies (after − before). So no rule has to know about them, and a brute-force sum over
// every receivable and piece (test/lending-property.test.ts, test/warrant-property.test.ts) must
// equal them. A FINANCED piece is in its holder bank's book like a financing: its face, due on its
// due date, "exporter" = the party the bank bought it from (soldBy), obligor = the warrant's obligor.
import { financingOutstanding, pieceDueDate, pieceLiveFinanced } from "../../sdk/domain.js";
import { obligorOf } from "../../sdk/lending.js";
import { BOOK_KEY } from "../../sdk/lending.js";
import type { BookCore, CreditFacts, CurrencyFacts, DueAmount, Piece, Receivable } from "../../sdk/types.js";
import { decodeBookCore, decodeBookRoot, decodeCreditFacts, decodeDueAmount, decodePartyAmount, encodeBookCore, encodeBookRoot, encodeCreditFacts, encodeDueAmount, encodePartyAmount } from "./records.js";
import { KEY, type StateReader, type StateWriter } from "./state.js";
import { LedgerInvariantError as LedgerAggregateError } from "./tx/rule.js";

/** Signed deltas keyed by a string, summed. */
type Deltas = Map<string, bigint>;
const add = (m: Deltas, k: string, v: bigint) => {
  if (v !== 0n) m.set(k, (m.get(k) ?? 0n) + v);
};

interface BookDelta {
  outstanding: bigint;
  receivables: bigint;
  pieces: bigint;
  pieceOutstanding: bigint;
  /** due date -> [count, amount] */
  dueCount: Deltas;
  dueAmount: Deltas;
  byExporter: Deltas;
  byObligor: Deltas;
  writtenOff: bigint;
  writtenOffCount: bigint;
}

interface FactsCurrencyDelta {
  outstanding: bigint;
  dueCount: Deltas;
  dueAmount: Deltas;
  attested: Deltas;
  writtenOff: bigint;
}

interface FactsDelta {
  receivables: bigint;
  attested: bigint;
  acknowledged: bigint;
  settledOnTime: bigint;
  settledLate: bigint;
  defaulted: bigint;
  extended: bigint;
  buyers: Deltas;
  currencies: Map<string, FactsCurrencyDelta>;
  piecesSettledOnTime: bigint;
  piecesSettledLate: bigint;
  piecesDefaulted: bigint;
  pieceExtensions: bigint;
}

const newBookDelta = (): BookDelta => ({ outstanding: 0n, receivables: 0n, pieces: 0n, pieceOutstanding: 0n, dueCount: new Map(), dueAmount: new Map(), byExporter: new Map(), byObligor: new Map(), writtenOff: 0n, writtenOffCount: 0n });
const newFactsDelta = (): FactsDelta => ({ receivables: 0n, attested: 0n, acknowledged: 0n, settledOnTime: 0n, settledLate: 0n, defaulted: 0n, extended: 0n, buyers: new Map(), currencies: new Map(), piecesSettledOnTime: 0n, piecesSettledLate: 0n, piecesDefaulted: 0n, pieceExtensions: 0n });

/** The deltas of one change, by bank and currency (books) and for the exporter (facts). */
class ChangeDeltas {
  readonly books = new Map<string, Map<string, BookDelta>>();
  readonly facts = new Map<string, FactsDelta>();

  book(bankId: string, currency: string): BookDelta {
    let byCurrency = this.books.get(bankId);
    if (!byCurrency) this.books.set(bankId, (byCurrency = new Map()));
    let d = byCurrency.get(currency);
    if (!d) byCurrency.set(currency, (d = newBookDelta()));
    return d;
  }

  factsOf(partyId: string): FactsDelta {
    let d = this.facts.get(partyId);
    if (!d) this.facts.set(partyId, (d = newFactsDelta()));
    return d;
  }

  static factsCurrency(f: FactsDelta, currency: string): FactsCurrencyDelta {
    let d = f.currencies.get(currency);
    if (!d) f.currencies.set(currency, (d = { outstanding: 0n, dueCount: new Map(), dueAmount: new Map(), attested: new Map(), writtenOff: 0n }));
    return d;
  }

  /** Writes the summed deltas into the aggregate records of `s`. */
  applyTo(s: StateWriter): void {
    for (const [bankId, byCurrency] of this.books) applyBook(s, bankId, byCurrency);
    for (const [partyId, f] of this.facts) applyFacts(s, partyId, f);
  }

  /** Adds `sign` × what one receivable record contributes to the aggregates. */
  addReceivable(r: Receivable, sign: 1n | -1n): void {
    // Bank books: each bank's live financing on the receivable, and what it wrote off.
    const perBank = new Map<string, { live: bigint; writtenOff: bigint; writtenOffCount: bigint }>();
    for (const f of r.financings) {
      let b = perBank.get(f.bankId);
      if (!b) perBank.set(f.bankId, (b = { live: 0n, writtenOff: 0n, writtenOffCount: 0n }));
      b.live += financingOutstanding(f);
      if (f.writtenOff > 0n) {
        b.writtenOff += f.writtenOff;
        b.writtenOffCount += 1n;
      }
    }
    let live = 0n;
    let writtenOff = 0n;
    for (const [bankId, b] of perBank) {
      const d = this.book(bankId, r.currency);
      if (b.live > 0n) {
        d.outstanding += sign * b.live;
        d.receivables += sign;
        add(d.dueCount, r.dueDate, sign);
        add(d.dueAmount, r.dueDate, sign * b.live);
        add(d.byExporter, r.exporterId, sign * b.live);
        add(d.byObligor, obligorOf(r), sign * b.live);
      }
      d.writtenOff += sign * b.writtenOff;
      d.writtenOffCount += sign * b.writtenOffCount;
      live += b.live;
      writtenOff += b.writtenOff;
    }
    // The exporter's credit facts. A cancelled receivable contributes nothing: it never was a sale.
    if (r.status === "CANCELLED") return;
    const f = this.factsOf(r.exporterId);
    f.receivables += sign;
    if (r.attestedBy !== "") f.attested += sign;
    if (r.acknowledgedAmount > 0n) f.acknowledged += sign;
    if (r.status === "SETTLED") {
      // A settled record is never written again, so its last update is when it settled.
      if (settledOnTime(r)) f.settledOnTime += sign;
      else f.settledLate += sign;
    }
    if (r.status === "DEFAULTED") f.defaulted += sign;
    f.extended += sign * BigInt(r.extensions);
    add(f.buyers, obligorOf(r), sign);
    const c = ChangeDeltas.factsCurrency(f, r.currency);
    if (live > 0n) {
      c.outstanding += sign * live;
      add(c.dueCount, r.dueDate, sign);
      add(c.dueAmount, r.dueDate, sign * live);
    }
    c.writtenOff += sign * writtenOff;
    // Attested exports by the invoice's month (the issue date stands for the export date).
    if (r.attestedBy !== "") add(c.attested, r.issueDate.slice(0, 7), sign * r.amount);
  }

  /** Adds `sign` × what one warrant piece record contributes to the aggregates. */
  addPiece(p: Piece, sign: 1n | -1n): void {
    // The holder bank's book: a FINANCED piece is live financing; a DEFAULTED one was written off.
    const live = pieceLiveFinanced(p);
    if (live > 0n) {
      if (p.soldBy === "") throw new LedgerAggregateError(`piece ${p.id} is FINANCED but names no seller`);
      const d = this.book(p.holderId, p.currency);
      const due = pieceDueDate(p);
      d.outstanding += sign * live;
      d.pieces += sign;
      d.pieceOutstanding += sign * live;
      add(d.dueCount, due, sign);
      add(d.dueAmount, due, sign * live);
      add(d.byExporter, p.soldBy, sign * live);
      add(d.byObligor, p.obligorId, sign * live);
    }
    if (p.writtenOff > 0n) {
      const d = this.book(p.holderId, p.currency);
      d.writtenOff += sign * p.writtenOff;
      d.writtenOffCount += sign;
    }
    // The obligor's record: how it paid its leaves (a SETTLED piece is never written again, so its
    // last update is when it was paid), what was written off, the extensions it accepted.
    const onTime = p.status === "SETTLED" && utcDay(p.updatedAt) <= pieceDueDate(p);
    const late = p.status === "SETTLED" && !onTime;
    if (!(onTime || late || p.status === "DEFAULTED" || p.extensions > 0)) return;
    const f = this.factsOf(p.obligorId);
    if (onTime) f.piecesSettledOnTime += sign;
    if (late) f.piecesSettledLate += sign;
    if (p.status === "DEFAULTED") f.piecesDefaulted += sign;
    f.pieceExtensions += sign * BigInt(p.extensions);
  }
}

/** "YYYY-MM-DD" (UTC) of a block time. */
const utcDay = (timeMs: bigint) => new Date(Number(timeMs)).toISOString().slice(0, 10);

/** Settled on or before its due date (as extended): the UTC day of its last update ≤ the due day. */
function settledOnTime(r: Receivable): boolean {
  return utcDay(r.updatedAt) <= r.dueDate;
}

/**
 * Brings the aggregates in line with one receivable record changing from `before` (undefined: new)
 * to `after`. Called by putReceivable before it writes `after`; reads and writes g/ and i/ records.
 */
export function receivableChanged(s: StateWriter, before: Receivable | undefined, after: Receivable): void {
  const d = new ChangeDeltas();
  if (before) d.addReceivable(before, -1n);
  d.addReceivable(after, 1n);
  d.applyTo(s);
}

/** Brings the aggregates in line with one warrant piece record changing (putPiece, as receivableChanged). */
export function pieceChanged(s: StateWriter, before: Piece | undefined, after: Piece): void {
  const d = new ChangeDeltas();
  if (before) d.addPiece(before, -1n);
  d.addPiece(after, 1n);
  d.applyTo(s);
}

function applyBook(s: StateWriter, bankId: string, byCurrency: Map<string, BookDelta>): void {
  let currenciesChanged = false;
  for (const [currency, d] of byCurrency) {
    if (!(d.outstanding || d.receivables || d.pieces || d.pieceOutstanding || d.dueCount.size || d.dueAmount.size || d.writtenOff || d.writtenOffCount || d.byExporter.size || d.byObligor.size)) continue;
    const where = `bank book ${bankId} ${currency}`;
    const coreKey = BOOK_KEY.core(bankId, currency);
    const bytes = s.get(coreKey);
    const c: BookCore = bytes ? decodeBookCore(bytes) : { bankId, currency, outstanding: 0n, receivables: 0, writtenOff: 0n, writtenOffCount: 0, exporters: 0, obligors: 0, dueDates: 0, pieces: 0, pieceOutstanding: 0n };
    const core: BookCore = {
      bankId,
      currency,
      outstanding: nonNegative(c.outstanding + d.outstanding, `${where} outstanding`),
      receivables: toCount(BigInt(c.receivables) + d.receivables, `${where} receivables`),
      writtenOff: nonNegative(c.writtenOff + d.writtenOff, `${where} written off`),
      writtenOffCount: toCount(BigInt(c.writtenOffCount) + d.writtenOffCount, `${where} written-off count`),
      exporters: c.exporters + applyPartyRecords(s, (x) => BOOK_KEY.exporter(bankId, currency, x), d.byExporter, `${where} exporter`),
      obligors: c.obligors + applyPartyRecords(s, (x) => BOOK_KEY.obligor(bankId, currency, x), d.byObligor, `${where} obligor`),
      dueDates: c.dueDates + applyDueRecords(s, (x) => BOOK_KEY.due(bankId, currency, x), d.dueCount, d.dueAmount, where),
      pieces: toCount(BigInt(c.pieces) + d.pieces, `${where} pieces`),
      pieceOutstanding: nonNegative(c.pieceOutstanding + d.pieceOutstanding, `${where} piece outstanding`),
    };
    // A currency with nothing in it leaves no record: aggregates of nothing are nothing.
    const empty = core.outstanding === 0n && core.receivables === 0 && core.pieces === 0 && core.pieceOutstanding === 0n && core.writtenOff === 0n && core.writtenOffCount === 0;
    if (empty && (core.exporters || core.obligors || core.dueDates)) throw new LedgerAggregateError(`${where}: nothing outstanding but ${core.exporters}/${core.obligors}/${core.dueDates} sub-records`);
    if (empty) s.del(coreKey);
    else s.put(coreKey, encodeBookCore(core));
    if (empty !== !bytes) currenciesChanged = true;
  }
  if (!currenciesChanged) return;
  // The root changes only when a currency's core appears or goes: rarely, and it stays small.
  const rootKey = BOOK_KEY.root(bankId);
  const rootBytes = s.get(rootKey);
  const currencies = new Set(rootBytes ? decodeBookRoot(rootBytes).currencies : []);
  for (const currency of byCurrency.keys()) {
    if (s.get(BOOK_KEY.core(bankId, currency))) currencies.add(currency);
    else currencies.delete(currency);
  }
  if (currencies.size === 0) s.del(rootKey);
  else s.put(rootKey, encodeBookRoot({ bankId, currencies: [...currencies].sort(cmp) }));
}

/** Applies per-party deltas to their own records; returns the change in how many records exist. */
function applyPartyRecords(s: StateWriter, keyOf: (party: string) => string, deltas: Deltas, where: string): number {
  let created = 0;
  for (const [partyId, delta] of deltas) {
    const key = keyOf(partyId);
    const bytes = s.get(key);
    const amount = nonNegative((bytes ? decodePartyAmount(bytes).amount : 0n) + delta, `${where} ${partyId}`);
    if (amount === 0n) {
      if (bytes) (s.del(key), created--);
    } else {
      if (!bytes) created++;
      s.put(key, encodePartyAmount({ partyId, amount }));
    }
  }
  return created;
}

/** Applies per-due-date deltas to their own records; returns the change in how many records exist. */
function applyDueRecords(s: StateWriter, keyOf: (dueDate: string) => string, counts: Deltas, amounts: Deltas, where: string): number {
  let created = 0;
  for (const dueDate of new Set([...counts.keys(), ...amounts.keys()])) {
    const key = keyOf(dueDate);
    const bytes = s.get(key);
    const e = bytes ? decodeDueAmount(bytes) : { dueDate, count: 0, amount: 0n };
    const count = nonNegative(BigInt(e.count) + (counts.get(dueDate) ?? 0n), `${where} due ${dueDate} count`);
    const amount = nonNegative(e.amount + (amounts.get(dueDate) ?? 0n), `${where} due ${dueDate} amount`);
    if (count === 0n && amount === 0n) {
      if (bytes) (s.del(key), created--);
      continue;
    }
    if (count === 0n || amount === 0n) throw new LedgerAggregateError(`${where} due ${dueDate}: ${count} receivables for ${amount}`);
    if (!bytes) created++;
    s.put(key, encodeDueAmount({ dueDate, count: Number(count), amount }));
  }
  return created;
}

function applyFacts(s: StateWriter, partyId: string, d: FactsDelta): void {
  const zero =
    !d.receivables && !d.attested && !d.acknowledged && !d.settledOnTime && !d.settledLate && !d.defaulted && !d.extended && d.buyers.size === 0 &&
    !d.piecesSettledOnTime && !d.piecesSettledLate && !d.piecesDefaulted && !d.pieceExtensions;
  if (zero && [...d.currencies.values()].every((c) => !c.outstanding && !c.dueCount.size && !c.dueAmount.size && !c.attested.size && !c.writtenOff)) return;
  const key = KEY.creditFacts(partyId);
  const bytes = s.get(key);
  const f: CreditFacts = bytes
    ? decodeCreditFacts(bytes)
    : { partyId, receivables: 0, attested: 0, acknowledged: 0, settledOnTime: 0, settledLate: 0, defaulted: 0, extended: 0, buyers: [], buyerSumSquares: 0n, currencies: [], piecesSettledOnTime: 0, piecesSettledLate: 0, piecesDefaulted: 0, pieceExtensions: 0 };
  const where = `credit facts of ${partyId}`;
  const buyers = new Map(f.buyers.map((b) => [b.buyer, BigInt(b.count)]));
  for (const [buyer, delta] of d.buyers) buyers.set(buyer, (buyers.get(buyer) ?? 0n) + delta);
  const buyerList = [...buyers.entries()].filter(([, n]) => n !== 0n).sort(([a], [b]) => cmp(a, b));
  let sumSquares = 0n;
  for (const [, n] of buyerList) sumSquares += nonNegative(n, `${where} buyer count`) ** 2n;
  const currencies = new Map(f.currencies.map((c) => [c.currency, c]));
  for (const [currency, cd] of d.currencies) {
    const c: CurrencyFacts = currencies.get(currency) ?? { currency, outstanding: 0n, due: [], attested: [], writtenOff: 0n };
    const attested = new Map(c.attested.map((m) => [m.month, m.amount]));
    for (const [month, delta] of cd.attested) attested.set(month, (attested.get(month) ?? 0n) + delta);
    currencies.set(currency, {
      currency,
      outstanding: nonNegative(c.outstanding + cd.outstanding, `${where} ${currency} outstanding`),
      due: applyDue(c.due, cd.dueCount, cd.dueAmount, `${where} ${currency}`),
      attested: [...attested.entries()]
        .filter(([, v]) => nonNegative(v, `${where} attested ${currency}`) !== 0n)
        .sort(([a], [b]) => cmp(a, b))
        .map(([month, amount]) => ({ month, amount })),
      writtenOff: nonNegative(c.writtenOff + cd.writtenOff, `${where} ${currency} written off`),
    });
  }
  const facts: CreditFacts = {
      partyId,
      receivables: toCount(BigInt(f.receivables) + d.receivables, `${where} receivables`),
      attested: toCount(BigInt(f.attested) + d.attested, `${where} attested`),
      acknowledged: toCount(BigInt(f.acknowledged) + d.acknowledged, `${where} acknowledged`),
      settledOnTime: toCount(BigInt(f.settledOnTime) + d.settledOnTime, `${where} settled on time`),
      settledLate: toCount(BigInt(f.settledLate) + d.settledLate, `${where} settled late`),
      defaulted: toCount(BigInt(f.defaulted) + d.defaulted, `${where} defaulted`),
      extended: toCount(BigInt(f.extended) + d.extended, `${where} extended`),
      buyers: buyerList.map(([buyer, n]) => ({ buyer, count: Number(n) })),
      buyerSumSquares: sumSquares,
      currencies: [...currencies.values()].filter((c) => c.outstanding !== 0n || c.writtenOff !== 0n || c.due.length > 0 || c.attested.length > 0).sort((a, b) => cmp(a.currency, b.currency)),
      piecesSettledOnTime: toCount(BigInt(f.piecesSettledOnTime) + d.piecesSettledOnTime, `${where} pieces settled on time`),
      piecesSettledLate: toCount(BigInt(f.piecesSettledLate) + d.piecesSettledLate, `${where} pieces settled late`),
      piecesDefaulted: toCount(BigInt(f.piecesDefaulted) + d.piecesDefaulted, `${where} pieces defaulted`),
      pieceExtensions: toCount(BigInt(f.pieceExtensions) + d.pieceExtensions, `${where} piece extensions`),
  };
  const empty =
    facts.receivables === 0 && facts.extended === 0 && facts.buyers.length === 0 && facts.currencies.length === 0 &&
    facts.piecesSettledOnTime === 0 && facts.piecesSettledLate === 0 && facts.piecesDefaulted === 0 && facts.pieceExtensions === 0;
  if (empty) s.del(key);
  else s.put(key, encodeCreditFacts(facts));
}

function applyDue(due: DueAmount[], counts: Deltas, amounts: Deltas, where: string): DueAmount[] {
  if (counts.size === 0 && amounts.size === 0) return due;
  const m = new Map(due.map((e) => [e.dueDate, { count: BigInt(e.count), amount: e.amount }]));
  for (const k of new Set([...counts.keys(), ...amounts.keys()])) {
    const e = m.get(k) ?? { count: 0n, amount: 0n };
    m.set(k, { count: e.count + (counts.get(k) ?? 0n), amount: e.amount + (amounts.get(k) ?? 0n) });
  }
  const out: DueAmount[] = [];
  for (const [dueDate, e] of [...m.entries()].sort(([a], [b]) => cmp(a, b))) {
    nonNegative(e.count, `${where} due ${dueDate} count`);
    nonNegative(e.amount, `${where} due ${dueDate} amount`);
    if (e.count === 0n && e.amount === 0n) continue;
    if (e.count === 0n || e.amount === 0n) throw new LedgerAggregateError(`${where} due ${dueDate}: ${e.count} receivables for ${e.amount}`);
    out.push({ dueDate, count: Number(e.count), amount: e.amount });
  }
  return out;
}

function nonNegative(v: bigint, what: string): bigint {
  if (v < 0n) throw new LedgerAggregateError(`${what} would be negative (${v}): the aggregates disagree with the receivables`);
  return v;
}

function toCount(v: bigint, what: string): number {
  return Number(nonNegative(v, what));
}

/** Code-unit order: deterministic, and the order a verifier sorts in. */
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The aggregate state keys a change of this receivable record touches: its exporter's facts and, for
 * every bank that financed it, its book's root, core and sub-records (for the prefetch: node/ledger/
 * execute.ts accessKeys; supervision reads the same records).
 */
export function aggregateKeysOf(r: Pick<Receivable, "exporterId" | "financings" | "currency" | "dueDate" | "buyerPartyId" | "buyerId">): string[] {
  const keys = [KEY.creditFacts(r.exporterId)];
  for (const bank of new Set(r.financings.map((f) => f.bankId))) keys.push(...bookKeysOf(bank, r));
  return keys;
}

/** The records of `bank`'s book a change of this receivable moves. */
export function bookKeysOf(bank: string, r: Pick<Receivable, "exporterId" | "currency" | "dueDate" | "buyerPartyId" | "buyerId">): string[] {
  return [BOOK_KEY.root(bank), BOOK_KEY.core(bank, r.currency), BOOK_KEY.exporter(bank, r.currency, r.exporterId), BOOK_KEY.obligor(bank, r.currency, obligorOf(r)), BOOK_KEY.due(bank, r.currency, r.dueDate)];
}

/**
 * The aggregate state keys a change of this piece record may touch (for the prefetch): the holder
 * bank's book records of a FINANCED piece (at its due date, and at `newDueDate` for an extension),
 * and the obligor's facts.
 */
export function pieceAggregateKeysOf(p: Pick<Piece, "holderId" | "currency" | "soldBy" | "obligorId" | "dueDate" | "maturityDate">, bank: string, newDueDate?: string): string[] {
  // a piece not yet financed is sold by its holder (financeWarrant)
  const seller = p.soldBy || p.holderId;
  const keys = [KEY.creditFacts(p.obligorId), BOOK_KEY.root(bank), BOOK_KEY.core(bank, p.currency), BOOK_KEY.exporter(bank, p.currency, seller), BOOK_KEY.obligor(bank, p.currency, p.obligorId), BOOK_KEY.due(bank, p.currency, pieceDueDate(p))];
  if (newDueDate) keys.push(BOOK_KEY.due(bank, p.currency, newDueDate));
  return keys;
}

/** A bank's live financing in a currency (its core's outstanding): what CONCENTRATION divides by. */
export function bookOutstanding(s: StateReader, bank: string, currency: string): bigint {
  const b = s.get(BOOK_KEY.core(bank, currency));
  return b ? decodeBookCore(b).outstanding : 0n;
}

/** A bank's live financing to one exporter in a currency (CONCENTRATION, LARGE_EXPOSURE). */
export function exposureTo(s: StateReader, bank: string, currency: string, exporter: string): bigint {
  const b = s.get(BOOK_KEY.exporter(bank, currency, exporter));
  return b ? decodePartyAmount(b).amount : 0n;
}

/**
 * Builds the aggregates from receivable records given one at a time (genesis-time bulk loads such as
 * bench --preload, and tests): the same contributions, summed, then written as records once.
 */
export class AggregateBuilder {
  private readonly d = new ChangeDeltas();

  add(r: Receivable): void {
    this.d.addReceivable(r, 1n);
  }

  addPiece(p: Piece): void {
    this.d.addPiece(p, 1n);
  }

  /** The aggregate records of everything added: state key -> bytes. */
  records(): Map<string, Uint8Array> {
    const s = new Map<string, Uint8Array>();
    this.d.applyTo({ get: (k) => s.get(k), put: (k, v) => void s.set(k, v), del: (k) => void s.delete(k) });
    return s;
  }
}

/** The aggregate records of a set of receivable and piece records (AggregateBuilder over all of them). */
export function aggregatesOf(receivables: Iterable<Receivable>, pieces: Iterable<Piece> = []): Map<string, Uint8Array> {
  const b = new AggregateBuilder();
  for (const r of receivables) b.add(r);
  for (const p of pieces) b.addPiece(p);
  return b.records();
}
