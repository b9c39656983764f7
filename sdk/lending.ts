// Before, during and after lending (DESIGN.md §10-§11, docs/lending.md): what is computed from the
// ledger's running aggregates (the BankBook and CreditFacts records of node/ledger/aggregates.ts),
// in one place for the node's reads and for a client that re-checks them (verifyReport):
//   - the aging report of a bank's book (current, 1-30, 31-90, >90 days past due; NPL ratio),
//   - the concentration report (a bank's live financing per exporter and per obligor, as shares),
//   - a party's credit indicators (versioned; every field documented in docs/lending.md),
//   - scoreParty: a points scorecard over the indicators, advice for a bank, never a consensus rule.
// Pure integer arithmetic throughout (bigint; ratios in basis points, rounded down). Browser-safe.
import { fromHex, toHex } from "./bytes.js";
import { decode } from "./codec.js";
import { nobleCrypto, sha256 } from "./crypto.js";
import { certifiedHeaderFromJson, verifyCertifiedHeader, type CertifiedHeaderCheck, type CertifiedHeaderProofJson, type TrustedValidators } from "./certified.js";
import { AGING_BUCKETS, agingBucket, daysPastDue, type AgingBucket } from "./domain.js";
import { canonicalJsonBytes } from "./hashing/canonical-json.js";
import { stateMultiproofFromJson, verifyStateMultiproof, type StateMultiproofJson, type StateProofJson } from "./proofs.js";
import type { BankBook, BookCore, BookCurrency, BookRoot, CreditFacts, DueAmount, Party, PartyAmount, Receivable } from "./types.js";

/** Basis points in one whole: a share of 1 is 10,000 bp. */
export const BP = 10_000n;

/** Whom a receivable is owed by: its buyer's party id, or "buyer:<buyerId>" for a buyer off the network. */
export function obligorOf(r: Pick<Receivable, "buyerPartyId" | "buyerId">): string {
  return r.buyerPartyId || `buyer:${r.buyerId}`;
}

/** a × BP ÷ b, rounded down; 0 when b is 0. */
export function ratioBp(a: bigint, b: bigint): bigint {
  return b === 0n ? 0n : (a * BP) / b;
}

/** Σ share² of amounts (each share in bp), i.e. the Herfindahl-Hirschman index in bp (10,000 = one party). */
export function hhiBp(amounts: readonly bigint[]): bigint {
  let total = 0n;
  let squares = 0n;
  for (const a of amounts) {
    total += a;
    squares += a * a;
  }
  return total === 0n ? 0n : (squares * BP) / (total * total);
}

// ---- a bank's book in state ------------------------------------------------------------------------

/**
 * The state keys of a bank's book (node/ledger/aggregates.ts keeps them): a root naming its
 * currencies, a core per currency with totals and sub-record counts, and one small record per
 * exporter, obligor and due date with live financing. Party ids and currencies hold no "/".
 */
export const BOOK_KEY = {
  root: (bank: string) => `g/${bank}`,
  core: (bank: string, currency: string) => `gb/${bank}/${currency}`,
  exporter: (bank: string, currency: string, exporter: string) => `ge/${bank}/${currency}/${exporter}`,
  obligor: (bank: string, currency: string, obligor: string) => `go/${bank}/${currency}/${obligor}`,
  due: (bank: string, currency: string, dueDate: string) => `gd/${bank}/${currency}/${dueDate}`,
  /** the prefixes of a core's sub-records: every ge/, go/, gd/ record of (bank, currency) starts with one */
  exporters: (bank: string, currency: string) => `ge/${bank}/${currency}/`,
  obligors: (bank: string, currency: string) => `go/${bank}/${currency}/`,
  dueDates: (bank: string, currency: string) => `gd/${bank}/${currency}/`,
} as const;

/** Which sub-records a report needs: aging reads the due dates, concentration the parties. */
export type BookPart = "due" | "parties" | "all";

/** Whether state key `key` is one of `bank`'s book records (root, cores, sub-records). */
export function isBookKeyOf(key: string, bank: string): boolean {
  return key === BOOK_KEY.root(bank) || ["gb/", "ge/", "go/", "gd/"].some((p) => key.startsWith(`${p}${bank}/`));
}

/** A book's records do not add up: a report assembled from them must not be trusted. */
export class BookIncompleteError extends Error {
  override readonly name = "BookIncompleteError";
}

/**
 * Assembles a bank's book from its records (key → bytes; a key absent or null has no record):
 * the root, each currency's core and, for `part`, the sub-records under the core's prefixes. Checks
 * that they are exactly the book: the records under each prefix are as many as the core counts,
 * each record's key names what it holds, and their amounts add up to the core's totals. Throws
 * BookIncompleteError otherwise. For a report's verifier: with every record proven against one
 * state root, a count that matches means no record was left out (keys are unique).
 */
export function assembleBook(bankId: string, records: ReadonlyMap<string, Uint8Array | null>, part: BookPart): BankBook {
  const get = (k: string) => records.get(k) ?? undefined;
  const rootBytes = get(BOOK_KEY.root(bankId));
  if (!rootBytes) return { bankId, currencies: [] };
  const root = decode<BookRoot>("BookRoot", rootBytes);
  if (root.bankId !== bankId) throw new BookIncompleteError(`${BOOK_KEY.root(bankId)} holds the book of ${root.bankId}`);
  const under = (prefix: string) => [...records].filter(([k, v]) => v && k.startsWith(prefix)) as [string, Uint8Array][];
  const currencies = root.currencies.map((currency): BookCurrency => {
    const where = `${bankId}'s ${currency} book`;
    const coreBytes = get(BOOK_KEY.core(bankId, currency));
    if (!coreBytes) throw new BookIncompleteError(`${where}: no core ${BOOK_KEY.core(bankId, currency)}`);
    const core = decode<BookCore>("BookCore", coreBytes);
    if (core.bankId !== bankId || core.currency !== currency) throw new BookIncompleteError(`${where}: the core holds ${core.bankId} ${core.currency}`);
    const parties = (prefix: string, count: number, what: string): PartyAmount[] => {
      const recs = under(prefix);
      if (recs.length !== count) throw new BookIncompleteError(`${where}: ${recs.length} ${what} records, the core counts ${count}`);
      const list = recs.map(([k, v]) => {
        const e = decode<PartyAmount>("PartyAmount", v);
        if (k !== prefix + e.partyId) throw new BookIncompleteError(`${k} holds ${e.partyId}`);
        return e;
      });
      const sum = list.reduce((a, e) => a + e.amount, 0n);
      if (sum !== core.outstanding) throw new BookIncompleteError(`${where}: ${what} amounts add up to ${sum}, the core's outstanding is ${core.outstanding}`);
      return list.sort((a, b) => (a.partyId < b.partyId ? -1 : a.partyId > b.partyId ? 1 : 0));
    };
    let due: DueAmount[] = [];
    let byExporter: PartyAmount[] = [];
    let byObligor: PartyAmount[] = [];
    if (part !== "parties") {
      const prefix = BOOK_KEY.dueDates(bankId, currency);
      const recs = under(prefix);
      if (recs.length !== core.dueDates) throw new BookIncompleteError(`${where}: ${recs.length} due-date records, the core counts ${core.dueDates}`);
      due = recs.map(([k, v]) => {
        const e = decode<DueAmount>("DueAmount", v);
        if (k !== prefix + e.dueDate) throw new BookIncompleteError(`${k} holds ${e.dueDate}`);
        return e;
      });
      const amount = due.reduce((a, e) => a + e.amount, 0n);
      const count = due.reduce((a, e) => a + e.count, 0);
      if (amount !== core.outstanding || count !== core.receivables + core.pieces) throw new BookIncompleteError(`${where}: due dates add up to ${count} receivables and pieces for ${amount}, the core has ${core.receivables} + ${core.pieces} for ${core.outstanding}`);
      due.sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : 0));
    }
    if (part !== "due") {
      byExporter = parties(BOOK_KEY.exporters(bankId, currency), core.exporters, "exporter");
      byObligor = parties(BOOK_KEY.obligors(bankId, currency), core.obligors, "obligor");
    }
    if (core.pieceOutstanding > core.outstanding) throw new BookIncompleteError(`${where}: pieces of ${core.pieceOutstanding} in a book of ${core.outstanding}`);
    return { currency, outstanding: core.outstanding, receivables: core.receivables, pieces: core.pieces, pieceOutstanding: core.pieceOutstanding, due, byExporter, byObligor, writtenOff: core.writtenOff, writtenOffCount: core.writtenOffCount };
  });
  return { bankId, currencies };
}

// ---- the aging report -------------------------------------------------------------------------------

export interface AgingLine {
  count: number;
  amount: bigint;
}

export interface AgingCurrency {
  currency: string;
  /** the bank's live financing in this currency: receivable financings and FINANCED pieces (face) */
  outstanding: bigint;
  receivables: number;
  pieces: number;
  pieceOutstanding: bigint;
  buckets: Record<AgingBucket, AgingLine>;
  /** ">90" amount ÷ outstanding, in bp, rounded down (0 when nothing is outstanding) */
  nplRatioBp: bigint;
  /** written off, ever (a loss; not in `outstanding`) */
  writtenOff: bigint;
  writtenOffCount: number;
}

/** A bank's book aged at `timeMs` (the report's block time): by days past each receivable's due date. */
export function agingOf(book: BankBook, timeMs: bigint): AgingCurrency[] {
  return book.currencies.map((c) => {
    const buckets = Object.fromEntries(AGING_BUCKETS.map((b) => [b, { count: 0, amount: 0n }])) as Record<AgingBucket, AgingLine>;
    for (const d of c.due) {
      const line = buckets[agingBucket(daysPastDue(d.dueDate, timeMs))];
      line.count += d.count;
      line.amount += d.amount;
    }
    return {
      currency: c.currency,
      outstanding: c.outstanding,
      receivables: c.receivables,
      pieces: c.pieces,
      pieceOutstanding: c.pieceOutstanding,
      buckets,
      nplRatioBp: ratioBp(buckets[">90"].amount, c.outstanding),
      writtenOff: c.writtenOff,
      writtenOffCount: c.writtenOffCount,
    };
  });
}

// ---- the concentration report -----------------------------------------------------------------------

export interface ShareLine {
  partyId: string;
  amount: bigint;
  /** amount ÷ the bank's book in the currency, bp, rounded down */
  shareBp: bigint;
}

export interface ConcentrationCurrency {
  currency: string;
  /** the bank's live financing in this currency: the denominator of every share */
  book: bigint;
  /** largest share first (ties by party id) */
  byExporter: ShareLine[];
  byObligor: ShareLine[];
  exporterHhiBp: bigint;
  obligorHhiBp: bigint;
}

const byShare = (a: ShareLine, b: ShareLine) => (a.amount !== b.amount ? (a.amount > b.amount ? -1 : 1) : a.partyId < b.partyId ? -1 : a.partyId > b.partyId ? 1 : 0);

/** A bank's live financing per exporter and per obligor, as shares of its book, per currency. */
export function concentrationOf(book: BankBook): ConcentrationCurrency[] {
  return book.currencies.map((c) => {
    const lines = (list: { partyId: string; amount: bigint }[]) => list.map((e) => ({ partyId: e.partyId, amount: e.amount, shareBp: ratioBp(e.amount, c.outstanding) })).sort(byShare);
    return {
      currency: c.currency,
      book: c.outstanding,
      byExporter: lines(c.byExporter),
      byObligor: lines(c.byObligor),
      exporterHhiBp: hhiBp(c.byExporter.map((e) => e.amount)),
      obligorHhiBp: hhiBp(c.byObligor.map((e) => e.amount)),
    };
  });
}

// ---- credit indicators (DESIGN.md §10) ---------------------------------------------------------------

/** The version of the indicator set: bumped whenever a field's meaning changes (docs/lending.md). */
export const INDICATORS_VERSION = 2;

export interface IndicatorsCurrency {
  currency: string;
  /** live financing on the party's receivables, all banks */
  outstanding: bigint;
  /** the part of it on receivables past their due date at the indicators' time */
  overdueAmount: bigint;
  overdueCount: number;
  /** face of customs-attested receivables issued in the 12 calendar months ending with the asOf month */
  attestedExports12m: bigint;
  /** outstanding ÷ attestedExports12m, bp, rounded down; null when there were no attested exports */
  leverageBp: bigint | null;
  writtenOff: bigint;
}

export interface Indicators {
  version: number;
  partyId: string;
  /** receivables registered and not cancelled */
  receivables: number;
  settledOnTime: number;
  settledLate: number;
  /** receivables DEFAULTED: a bank wrote off financing on them */
  writtenOff: number;
  /** extensions of a due date the party accepted */
  extensions: number;
  overdueCount: number;
  /** share of the party's receivables attested by customs, bp */
  attestedShareBp: bigint;
  /** share acknowledged by their buyer, bp */
  acknowledgedShareBp: bigint;
  /** HHI of the party's receivables by buyer (by count), bp: 10,000 = a single buyer */
  buyerHhiBp: bigint;
  buyers: number;
  /** transactions the party signed that the ledger rejected */
  rejectedAttempts: number;
  /** whole calendar months from its registration to the asOf block (genesis parties: from the genesis time) */
  monthsOnNetwork: number;
  currencies: IndicatorsCurrency[];
  /** (v2) as the obligor of warrant pieces: leaves paid on or before their due date (as extended) */
  piecesSettledOnTime: number;
  piecesSettledLate: number;
  /** (v2) its pieces a bank wrote off (DEFAULTED) */
  piecesWrittenOff: number;
  /** (v2) extensions of a piece's due date it accepted */
  pieceExtensions: number;
}

/** "YYYY-MM" of a UTC time. */
function monthOf(timeMs: bigint): string {
  return new Date(Number(timeMs)).toISOString().slice(0, 7);
}

/** The month `n` months before "YYYY-MM". */
function monthsBefore(month: string, n: number): string {
  const total = Number(month.slice(0, 4)) * 12 + (Number(month.slice(5, 7)) - 1) - n;
  const y = Math.floor(total / 12);
  return `${String(y).padStart(4, "0")}-${String((total % 12) + 1).padStart(2, "0")}`;
}

/** Whole calendar months from `fromMs` to `toMs` (UTC); 0 if not after. */
export function wholeMonths(fromMs: bigint, toMs: bigint): number {
  if (toMs <= fromMs) return 0;
  const a = new Date(Number(fromMs));
  const b = new Date(Number(toMs));
  let m = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
  if (b.getUTCDate() < a.getUTCDate()) m--;
  return Math.max(0, m);
}

const EMPTY_FACTS = (partyId: string): CreditFacts => ({
  partyId,
  receivables: 0,
  attested: 0,
  acknowledged: 0,
  settledOnTime: 0,
  settledLate: 0,
  defaulted: 0,
  extended: 0,
  buyers: [],
  buyerSumSquares: 0n,
  currencies: [],
  piecesSettledOnTime: 0,
  piecesSettledLate: 0,
  piecesDefaulted: 0,
  pieceExtensions: 0,
});

export interface IndicatorInputs {
  /** the party's CreditFacts record (undefined: it never registered a receivable) */
  facts: CreditFacts | undefined;
  party: Pick<Party, "id" | "registeredAt">;
  /** block time the indicators are taken at (the asOf block's time) */
  timeMs: bigint;
  /** the genesis time, for parties registered at genesis (registeredAt 0) */
  genesisTimeMs: bigint;
  rejectedAttempts: number;
}

/** The credit indicators of a party (DESIGN.md §10): a pure function of ledger facts and the asOf time. */
export function indicatorsOf(input: IndicatorInputs): Indicators {
  const f = input.facts ?? EMPTY_FACTS(input.party.id);
  const month = monthOf(input.timeMs);
  const firstMonth = monthsBefore(month, 11);
  let overdueCount = 0;
  const currencies = f.currencies.map((c): IndicatorsCurrency => {
    let overdueAmount = 0n;
    let count = 0;
    for (const d of c.due) {
      if (daysPastDue(d.dueDate, input.timeMs) > 0n) {
        overdueAmount += d.amount;
        count += d.count;
      }
    }
    overdueCount += count;
    let exports = 0n;
    for (const m of c.attested) if (m.month >= firstMonth && m.month <= month) exports += m.amount;
    return {
      currency: c.currency,
      outstanding: c.outstanding,
      overdueAmount,
      overdueCount: count,
      attestedExports12m: exports,
      leverageBp: exports === 0n ? null : ratioBp(c.outstanding, exports),
      writtenOff: c.writtenOff,
    };
  });
  const n = BigInt(f.receivables);
  const since = input.party.registeredAt > 0n ? input.party.registeredAt : input.genesisTimeMs;
  return {
    version: INDICATORS_VERSION,
    partyId: input.party.id,
    receivables: f.receivables,
    settledOnTime: f.settledOnTime,
    settledLate: f.settledLate,
    writtenOff: f.defaulted,
    extensions: f.extended,
    overdueCount,
    attestedShareBp: ratioBp(BigInt(f.attested), n),
    acknowledgedShareBp: ratioBp(BigInt(f.acknowledged), n),
    buyerHhiBp: n === 0n ? 0n : (f.buyerSumSquares * BP) / (n * n),
    buyers: f.buyers.length,
    rejectedAttempts: input.rejectedAttempts,
    monthsOnNetwork: wholeMonths(since, input.timeMs),
    currencies,
    piecesSettledOnTime: f.piecesSettledOnTime,
    piecesSettledLate: f.piecesSettledLate,
    piecesWrittenOff: f.piecesDefaulted,
    pieceExtensions: f.pieceExtensions,
  };
}

// ---- scorecards: advice for a bank, never a consensus rule ------------------------------------------

/** The indicators a scorecard may score, each an integer. */
export const SCORABLE = [
  "settledOnTime",
  "settledLate",
  "writtenOff",
  "extensions",
  "overdueCount",
  "attestedShareBp",
  "acknowledgedShareBp",
  "buyerHhiBp",
  "rejectedAttempts",
  "monthsOnNetwork",
  "piecesWrittenOff",
  "onTimeShareBp",
  "maxLeverageBp",
] as const;
export type Scorable = (typeof SCORABLE)[number];

/** One characteristic: bins by lower bound (inclusive, ascending; the first bin's `min` is the lowest value scored). */
export interface ScorecardCharacteristic {
  indicator: Scorable;
  bins: { min: string; points: number }[];
}

export interface Scorecard {
  /** name and version of the model, e.g. "example-sme-v1" */
  id: string;
  /** points every party starts with */
  base: number;
  characteristics: ScorecardCharacteristic[];
}

/** Derived scorable values: on-time share of settled receivables, the highest leverage over currencies. */
export function scorableValues(ind: Indicators): Record<Scorable, bigint> {
  const settled = BigInt(ind.settledOnTime + ind.settledLate);
  let maxLeverage = 0n;
  for (const c of ind.currencies) if (c.leverageBp !== null && c.leverageBp > maxLeverage) maxLeverage = c.leverageBp;
  return {
    settledOnTime: BigInt(ind.settledOnTime),
    settledLate: BigInt(ind.settledLate),
    writtenOff: BigInt(ind.writtenOff),
    extensions: BigInt(ind.extensions),
    overdueCount: BigInt(ind.overdueCount),
    attestedShareBp: ind.attestedShareBp,
    acknowledgedShareBp: ind.acknowledgedShareBp,
    buyerHhiBp: ind.buyerHhiBp,
    rejectedAttempts: BigInt(ind.rejectedAttempts),
    monthsOnNetwork: BigInt(ind.monthsOnNetwork),
    piecesWrittenOff: BigInt(ind.piecesWrittenOff),
    onTimeShareBp: settled === 0n ? 0n : ratioBp(BigInt(ind.settledOnTime), settled),
    maxLeverageBp: maxLeverage,
  };
}

export interface ScoreResult {
  scorecardId: string;
  /** SHA-256 of the scorecard's RFC 8785 canonical JSON: the hash a bank anchors on the ledger */
  scorecardHash: string;
  score: number;
  /** per characteristic: the value scored, the bin's lower bound, the points */
  lines: { indicator: Scorable; value: bigint; binMin: bigint; points: number }[];
}

/** SHA-256 (hex) of a scorecard's canonical JSON: anchor it on the ledger as a document so its use can be shown later. */
export function scorecardHash(card: Scorecard): string {
  return toHex(sha256(canonicalJsonBytes(card)));
}

/** Checks a scorecard: known indicators, integer points, bins ascending by integer lower bound. Throws TypeError. */
export function checkScorecard(card: Scorecard): void {
  if (!card || typeof card.id !== "string" || card.id.length === 0) throw new TypeError("scorecard.id: a non-empty string");
  if (!Number.isSafeInteger(card.base)) throw new TypeError("scorecard.base: an integer");
  if (!Array.isArray(card.characteristics)) throw new TypeError("scorecard.characteristics: an array");
  card.characteristics.forEach((c, i) => {
    if (!SCORABLE.includes(c.indicator)) throw new TypeError(`characteristics[${i}].indicator: one of ${SCORABLE.join(", ")}`);
    if (!Array.isArray(c.bins) || c.bins.length === 0) throw new TypeError(`characteristics[${i}].bins: at least one bin`);
    let last: bigint | undefined;
    c.bins.forEach((b, j) => {
      if (typeof b.min !== "string" || !/^-?(0|[1-9][0-9]{0,30})$/.test(b.min)) throw new TypeError(`characteristics[${i}].bins[${j}].min: an integer as a decimal string`);
      if (!Number.isSafeInteger(b.points)) throw new TypeError(`characteristics[${i}].bins[${j}].points: an integer`);
      const min = BigInt(b.min);
      if (last !== undefined && min <= last) throw new TypeError(`characteristics[${i}].bins: lower bounds must ascend`);
      last = min;
    });
  });
}

/**
 * Applies a points scorecard to a party's indicators: base + for each characteristic the points of
 * the last bin whose lower bound ≤ the value (a value below the first bin scores the first bin).
 * Integer arithmetic only. Advice for the bank that runs it; the ledger never scores.
 */
export function scoreParty(ind: Indicators, card: Scorecard): ScoreResult {
  checkScorecard(card);
  const values = scorableValues(ind);
  let score = card.base;
  const lines: ScoreResult["lines"] = [];
  for (const c of card.characteristics) {
    const value = values[c.indicator];
    let bin = c.bins[0]!;
    for (const b of c.bins) if (BigInt(b.min) <= value) bin = b;
    score += bin.points;
    lines.push({ indicator: c.indicator, value, binMin: BigInt(bin.min), points: bin.points });
  }
  return { scorecardId: card.id, scorecardHash: scorecardHash(card), score, lines };
}

/**
 * The documented example scorecard (docs/lending.md): base 600, higher is better. Illustrative
 * weights for a small exporter, not a calibrated model; a bank brings its own and anchors its hash.
 */
export const EXAMPLE_SCORECARD: Scorecard = {
  id: "tradeledger-example-v1",
  base: 600,
  characteristics: [
    { indicator: "onTimeShareBp", bins: [{ min: "0", points: -60 }, { min: "8000", points: 0 }, { min: "9500", points: 40 }] },
    { indicator: "writtenOff", bins: [{ min: "0", points: 30 }, { min: "1", points: -120 }, { min: "3", points: -250 }] },
    { indicator: "overdueCount", bins: [{ min: "0", points: 20 }, { min: "1", points: -30 }, { min: "5", points: -90 }] },
    { indicator: "attestedShareBp", bins: [{ min: "0", points: -40 }, { min: "5000", points: 0 }, { min: "9000", points: 30 }] },
    { indicator: "acknowledgedShareBp", bins: [{ min: "0", points: 0 }, { min: "5000", points: 20 }] },
    { indicator: "buyerHhiBp", bins: [{ min: "0", points: 20 }, { min: "2500", points: 0 }, { min: "5000", points: -30 }] },
    { indicator: "rejectedAttempts", bins: [{ min: "0", points: 10 }, { min: "1", points: -20 }, { min: "3", points: -100 }] },
    { indicator: "monthsOnNetwork", bins: [{ min: "0", points: -20 }, { min: "6", points: 0 }, { min: "24", points: 25 }] },
    { indicator: "maxLeverageBp", bins: [{ min: "0", points: 20 }, { min: "5000", points: 0 }, { min: "8000", points: -50 }] },
  ],
};

// ---- reports bound to state, and their verification (DESIGN.md §11) ---------------------------------

/** One state record an answer was computed from, with its own proof against the state root (indicators). */
export interface ReportInputJson {
  key: string;
  /** the record's bytes (hex); null when the key is absent */
  value: string | null;
  proof: StateProofJson;
}

/** One state record a report was computed from; the report's one multiproof proves them all. */
export interface ReportRecordJson {
  key: string;
  /** the record's bytes (hex); null when the key is absent (a bank with no book yet) */
  value: string | null;
}

/** What binds an answer to the ledger: the block it was computed at (the part reports and indicators share). */
export interface StateBindingJson {
  asOf: { height: string; time: string };
  /** the state root of the asOf block's header */
  stateRoot: string;
  /**
   * the asOf header certified by 2f+1 validators (GET /v1/blocks/:height/certified); absent while
   * the block is not certified yet: fetch it then (the client's verifiedReport does)
   */
  certified?: CertifiedHeaderProofJson;
}

/** The indicators' binding: their one record with its single-key state proof. */
export interface IndicatorsBindingJson extends StateBindingJson {
  inputs: ReportInputJson[];
}

/**
 * What binds a report to the ledger: the block it was computed at, the records it read, and one
 * multiproof of all of them against the state root (sdk/proofs.ts verifyStateMultiproof).
 */
export interface ReportBindingJson {
  asOf: { height: string; time: string };
  /** the state root of the asOf block's header */
  stateRoot: string;
  inputs: ReportRecordJson[];
  multiproof: StateMultiproofJson;
  /**
   * the asOf header certified by 2f+1 validators (GET /v1/blocks/:height/certified); absent while
   * the block is not certified yet: fetch it then (the client's verifiedReport does)
   */
  certified?: CertifiedHeaderProofJson;
}

export interface ReportVerification {
  ok: boolean;
  /** what failed, in words (empty when ok) */
  problems: string[];
  /**
   * what the report is bound to: "certified" (its certificate verified against the validator set
   * you gave), "trustedRoot" (the state root you gave), or "none" (internal consistency only)
   */
  boundTo: "certified" | "trustedRoot" | "none";
  /** the bank books the report's inputs hold, assembled (after the proof checks) */
  books: BankBook[];
}

/**
 * Checks a report (GET /v1/reports/aging or /concentration): with `validators` (the genesis
 * validator set), that its `certified` header is certified by them (verifyCertifiedHeader) and is
 * the asOf block (height, time, and state root = the report's stateRoot); every input's state
 * proof against that root; that the inputs are every record of each bank's book the report needs
 * (assembleBook: nothing left out, nothing that does not add up); and that the report's figures
 * are what this module computes from those books at the certified time. With `trustedStateRoot`
 * (hex) instead, the root is checked against it; with neither, only internal consistency is shown
 * (boundTo "none").
 */
export function verifyReport(
  report: { kind: "aging" | "concentration"; banks: { bankId: string }[] } & ReportBindingJson & Record<string, unknown>,
  opts: { validators?: TrustedValidators; trustedStateRoot?: string } = {},
): ReportVerification {
  const problems: string[] = [];
  const books: BankBook[] = [];
  let boundTo: ReportVerification["boundTo"] = "none";
  let root: Uint8Array;
  try {
    root = fromHex(report.stateRoot);
  } catch {
    return { ok: false, problems: ["stateRoot is not hex"], boundTo, books };
  }
  if (opts.validators) {
    const c = checkCertifiedAsOf(report, root, opts.validators);
    if (c) problems.push(c);
    else boundTo = "certified";
  }
  if (opts.trustedStateRoot !== undefined) {
    if (toHex(root) !== opts.trustedStateRoot.toLowerCase()) problems.push(`the report's state root ${report.stateRoot} is not the trusted one ${opts.trustedStateRoot}`);
    else if (boundTo === "none") boundTo = "trustedRoot";
  }
  // every input, by one multiproof: each key's value (or absence) under the root, nothing else in it
  const byKey = new Map<string, ReportRecordJson>();
  const items: { key: string; value: Uint8Array | null }[] = [];
  for (const input of report.inputs) {
    if (byKey.has(input.key)) problems.push(`input ${input.key} appears twice`);
    byKey.set(input.key, input);
    try {
      items.push({ key: input.key, value: input.value === null ? null : fromHex(input.value) });
    } catch (err) {
      problems.push(`input ${input.key}: ${(err as Error).message}`);
    }
  }
  let proven = false;
  try {
    proven = verifyStateMultiproof(root, items, stateMultiproofFromJson(report.multiproof));
  } catch (err) {
    problems.push(`the multiproof: ${(err as Error).message}`);
  }
  if (!proven) problems.push(`the inputs' multiproof does not verify against ${report.stateRoot}`);
  const time = BigInt(report.asOf.time);
  const part: BookPart = report.kind === "aging" ? "due" : "parties";
  const records = new Map([...byKey].map(([k, i]) => [k, i.value === null ? null : fromHex(i.value)]));
  for (const bank of report.banks) {
    if (!byKey.has(BOOK_KEY.root(bank.bankId))) {
      problems.push(`bank ${bank.bankId}: no input ${BOOK_KEY.root(bank.bankId)}`);
      continue;
    }
    let book: BankBook;
    try {
      book = assembleBook(bank.bankId, records, part);
    } catch (err) {
      problems.push(`bank ${bank.bankId}: ${(err as Error).message}`);
      continue;
    }
    books.push(book);
    const expected = report.kind === "aging" ? agingJson(book, time) : concentrationJson(book);
    const got = JSON.stringify(bank);
    const want = JSON.stringify({ bankId: bank.bankId, ...expected });
    if (got !== want) problems.push(`bank ${bank.bankId}: the figures differ from what its book gives at ${report.asOf.height}`);
  }
  const stray = [...byKey.keys()].filter((k) => !report.banks.some((b) => isBookKeyOf(k, b.bankId)));
  if (stray.length > 0) problems.push(`inputs of no bank in the report: ${stray.slice(0, 5).join(", ")}`);
  return { ok: problems.length === 0, problems, boundTo, books };
}

/** Why the report's `certified` header does not certify its asOf block and state root, or undefined if it does. */
function checkCertifiedAsOf(report: ReportBindingJson, root: Uint8Array, validators: TrustedValidators): string | undefined {
  if (!report.certified) return `block ${report.asOf.height} is not certified in the report: fetch GET /v1/blocks/${report.asOf.height}/certified and set report.certified (the client's verifiedReport does)`;
  let c: CertifiedHeaderCheck;
  try {
    c = verifyCertifiedHeader(certifiedHeaderFromJson(report.certified), validators, sha256, nobleCrypto.verify);
  } catch (err) {
    c = { ok: false, reason: `malformed: ${(err as Error).message}` };
  }
  if (!c.ok) return `the certified header does not verify: ${c.reason}`;
  if (c.header.height.toString() !== report.asOf.height) return `the certified header is block ${c.header.height}, the report is as of ${report.asOf.height}`;
  if (c.header.time.toString() !== report.asOf.time) return `the certified block's time is ${c.header.time}, the report ages at ${report.asOf.time}`;
  if (toHex(c.header.stateRoot) !== toHex(root)) return `the report's state root ${toHex(root)} is not the certified block's ${toHex(c.header.stateRoot)}`;
  return undefined;
}

// ---- JSON views (amounts as decimal strings), shared by the node's report and verifyReport ---------

const amountsOf = (l: AgingLine) => ({ count: l.count, amount: l.amount.toString() });

/** The aging report of one bank as JSON (without bankId). */
export function agingJson(book: BankBook, timeMs: bigint) {
  return {
    currencies: agingOf(book, timeMs).map((c) => ({
      currency: c.currency,
      outstanding: c.outstanding.toString(),
      receivables: c.receivables,
      pieces: c.pieces,
      pieceOutstanding: c.pieceOutstanding.toString(),
      buckets: Object.fromEntries(AGING_BUCKETS.map((b) => [b, amountsOf(c.buckets[b])])) as Record<AgingBucket, { count: number; amount: string }>,
      nplRatioBp: Number(c.nplRatioBp),
      writtenOff: c.writtenOff.toString(),
      writtenOffCount: c.writtenOffCount,
    })),
  };
}

/** The concentration report of one bank as JSON (without bankId). */
export function concentrationJson(book: BankBook) {
  const line = (l: ShareLine) => ({ partyId: l.partyId, amount: l.amount.toString(), shareBp: Number(l.shareBp) });
  return {
    currencies: concentrationOf(book).map((c) => ({
      currency: c.currency,
      book: c.book.toString(),
      byExporter: c.byExporter.map(line),
      byObligor: c.byObligor.map(line),
      exporterHhiBp: Number(c.exporterHhiBp),
      obligorHhiBp: Number(c.obligorHhiBp),
    })),
  };
}

/** The indicators as JSON (amounts and ratios as decimal strings; null where undefined). */
export function indicatorsJson(ind: Indicators) {
  return {
    version: ind.version,
    partyId: ind.partyId,
    receivables: ind.receivables,
    settledOnTime: ind.settledOnTime,
    settledLate: ind.settledLate,
    writtenOff: ind.writtenOff,
    extensions: ind.extensions,
    overdueCount: ind.overdueCount,
    attestedShareBp: Number(ind.attestedShareBp),
    acknowledgedShareBp: Number(ind.acknowledgedShareBp),
    buyerHhiBp: Number(ind.buyerHhiBp),
    buyers: ind.buyers,
    rejectedAttempts: ind.rejectedAttempts,
    monthsOnNetwork: ind.monthsOnNetwork,
    currencies: ind.currencies.map((c) => ({
      currency: c.currency,
      outstanding: c.outstanding.toString(),
      overdueAmount: c.overdueAmount.toString(),
      overdueCount: c.overdueCount,
      attestedExports12m: c.attestedExports12m.toString(),
      leverageBp: c.leverageBp === null ? null : c.leverageBp.toString(),
      writtenOff: c.writtenOff.toString(),
    })),
    piecesSettledOnTime: ind.piecesSettledOnTime,
    piecesSettledLate: ind.piecesSettledLate,
    piecesWrittenOff: ind.piecesWrittenOff,
    pieceExtensions: ind.pieceExtensions,
  };
}

/** The indicators back from their JSON view (for scoreParty on what the RPC served). */
export function indicatorsFromJson(j: ReturnType<typeof indicatorsJson>): Indicators {
  return {
    ...j,
    attestedShareBp: BigInt(j.attestedShareBp),
    acknowledgedShareBp: BigInt(j.acknowledgedShareBp),
    buyerHhiBp: BigInt(j.buyerHhiBp),
    currencies: j.currencies.map((c) => ({
      currency: c.currency,
      outstanding: BigInt(c.outstanding),
      overdueAmount: BigInt(c.overdueAmount),
      overdueCount: c.overdueCount,
      attestedExports12m: BigInt(c.attestedExports12m),
      leverageBp: c.leverageBp === null ? null : BigInt(c.leverageBp),
      writtenOff: BigInt(c.writtenOff),
    })),
  };
}

export type { DueAmount };
