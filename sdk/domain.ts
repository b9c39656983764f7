// Derived facts of the trade-finance domain, computed in one place (STYLE.md 14) and used by the
// ledger's rules, the node's read model, the RPC's views and the SDK. Pure and deterministic: "now"
// is always passed in (the block time, or the head block's time for reads), never the local clock.
import type { Financing, Piece, PieceStatus, Receivable, ReceivableStatus } from "./types.js";
import { dayNumber, utcDayOf } from "./checks.js";

/** What is still owed on one financing: its amount less what was repaid and what the bank wrote off. */
export function financingOutstanding(f: Pick<Financing, "amount" | "repaid" | "writtenOff">): bigint {
  return f.amount - f.repaid - f.writtenOff;
}

/** Outstanding financed principal: the sum over financings of (amount - repaid - writtenOff). */
export function liveFinanced(receivable: Pick<Receivable, "financings">): bigint {
  let live = 0n;
  for (const f of receivable.financings) live += financingOutstanding(f);
  return live;
}

/** The UTC calendar day of `timeMs` is after `dueDate` ("YYYY-MM-DD"). */
export function isPastDue(dueDate: string, timeMs: bigint): boolean {
  return utcDayOf(timeMs) > dayNumber(dueDate);
}

/** A settled or cancelled receivable is closed: nothing is owed on it any more. */
export function isClosed(status: ReceivableStatus): boolean {
  return status === "SETTLED" || status === "CANCELLED";
}

/**
 * Whether a receivable is overdue at `timeMs`: the UTC calendar day of `timeMs` is after its due
 * date and it is neither settled nor cancelled. Financing on the due date itself is still allowed.
 */
export function isOverdue(receivable: Pick<Receivable, "dueDate" | "status">, timeMs: bigint): boolean {
  return !isClosed(receivable.status) && isPastDue(receivable.dueDate, timeMs);
}

// ---- what may be financed (DESIGN.md §2 Finance, §9 the buyer's word) ----------------------------

type FinanceFacts = Pick<Receivable, "status" | "amount" | "financings" | "attestedBy" | "acknowledgedAmount" | "disputed" | "warrantPieceId">;

/**
 * What shows that a real trade stands behind a receivable: a customs attestation of its export
 * declaration, else (domestic trade has no export declaration) its buyer's acknowledgement, else
 * nothing. A receivable financed on its buyer's word keeps that backing: it was never attested.
 */
export function tradeBacking(r: Pick<Receivable, "attestedBy" | "acknowledgedAmount">): "customs" | "buyer" | undefined {
  if (r.attestedBy !== "") return "customs";
  if (r.acknowledgedAmount > 0n) return "buyer";
  return undefined;
}

/**
 * The most that may be live-financed on a receivable, and what sets it: the face value; or the
 * buyer's acknowledged amount when the acknowledgement is what backs the receivable, or when the
 * bank asks for it (`requireAcknowledgement`; 0 if the buyer never acknowledged).
 */
export function financingCeiling(r: Pick<Receivable, "amount" | "attestedBy" | "acknowledgedAmount">, requireAcknowledgement = false): { amount: bigint; by: "face" | "acknowledgement" } {
  if (requireAcknowledgement || tradeBacking(r) === "buyer") return { amount: r.acknowledgedAmount, by: "acknowledgement" };
  return { amount: r.amount, by: "face" };
}

/**
 * Why no bank may finance a receivable at all right now, as the ledger's rejection code (in the
 * order the finance rule checks them), or undefined. Time-dependent checks (OVERDUE) are not here.
 */
export function financeBlocker(r: FinanceFacts): "INVALID_STATE" | "TRADE_REF_USED" | "DISPUTED" | "NOT_ATTESTED" | undefined {
  // DEFAULTED: a bank took a loss on it; its room is never lent again (docs/lending.md).
  if (isClosed(r.status) || r.status === "DEFAULTED") return "INVALID_STATE";
  if (r.warrantPieceId) return "TRADE_REF_USED";
  if (r.disputed) return "DISPUTED";
  if (tradeBacking(r) === undefined) return "NOT_ATTESTED";
  return undefined;
}

/**
 * Room a bank could still finance on a receivable (without requiring an acknowledgement): its
 * ceiling (face value, or the acknowledged amount for one only its buyer's word backs) less live
 * financing; 0 if it may not be financed at all (closed, committed to a warrant, disputed, no
 * trade background). Overdue is judged separately (the views' `financeable`).
 */
export function availableToFinance(r: FinanceFacts): bigint {
  if (financeBlocker(r) !== undefined) return 0n;
  const room = financingCeiling(r).amount - liveFinanced(r);
  return room > 0n ? room : 0n;
}

/** An exporter's exposure across all banks at a point in time, per currency (DESIGN.md §2, Read side). */
export interface ExposureTally {
  receivables: number;
  byStatus: Record<string, number>;
  /** per currency: outstanding financed principal */
  outstanding: Map<string, bigint>;
  /** per bank, per currency: that bank's outstanding financing */
  outstandingByBank: Map<string, Map<string, bigint>>;
  /** per currency: the part of `outstanding` on receivables overdue at the tally's time */
  overdue: Map<string, bigint>;
  overdueReceivables: number;
}

export function newExposureTally(): ExposureTally {
  return { receivables: 0, byStatus: {}, outstanding: new Map(), outstandingByBank: new Map(), overdue: new Map(), overdueReceivables: 0 };
}

const addTo = (m: Map<string, bigint>, k: string, v: bigint) => m.set(k, (m.get(k) ?? 0n) + v);

/** Adds one of the exporter's receivables, as it stands at `timeMs`, to the tally. */
export function tallyExposure(t: ExposureTally, r: Receivable, timeMs: bigint): void {
  t.receivables++;
  t.byStatus[r.status] = (t.byStatus[r.status] ?? 0) + 1;
  const live = liveFinanced(r);
  if (live === 0n) return;
  addTo(t.outstanding, r.currency, live);
  for (const f of r.financings) {
    const open = financingOutstanding(f);
    if (open <= 0n) continue;
    let bank = t.outstandingByBank.get(f.bankId);
    if (!bank) t.outstandingByBank.set(f.bankId, (bank = new Map()));
    addTo(bank, r.currency, open);
  }
  if (isOverdue(r, timeMs)) {
    addTo(t.overdue, r.currency, live);
    t.overdueReceivables++;
  }
}

// ---- currencies ---------------------------------------------------------------------------------

/** ISO 4217 currencies whose minor unit is not the hundredth (the list's exponent column). */
const MINOR_UNIT_EXPONENT: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
};

/** Digits of the minor unit of an ISO 4217 currency (2 unless listed otherwise). */
export function currencyExponent(currency: string): number {
  return MINOR_UNIT_EXPONENT[currency] ?? 2;
}

/** `major` whole units of `currency` as a count of its minor units (100 USD = 10000). */
export function majorToMinor(major: bigint, currency: string): bigint {
  return major * 10n ** BigInt(currencyExponent(currency));
}

// ---- digital warrants (DESIGN.md §7) -------------------------------------------------------------

/** A live leaf of a warrant's tree: not passed on (SPENT). Their amounts always sum to the face value. */
export function isLiveLeaf(status: PieceStatus): boolean {
  return status === "HELD" || status === "OFFERED" || status === "FINANCED" || status === "SETTLED" || status === "DEFAULTED";
}

/** A piece's due date: its maturity, as extended by an accepted extension proposal. */
export function pieceDueDate(piece: Pick<Piece, "dueDate" | "maturityDate">): string {
  return piece.dueDate || piece.maturityDate;
}

/**
 * What a piece puts in its holder bank's book (docs/lending.md "Warrant pieces in the book"): a
 * FINANCED piece its face (the obligor's promise the bank bought), anything else nothing.
 */
export function pieceLiveFinanced(piece: Pick<Piece, "status" | "amount">): bigint {
  return piece.status === "FINANCED" ? piece.amount : 0n;
}

/** On or after the maturity day a piece can no longer be passed on, offered or financed. */
export function isMatured(maturityDate: string, timeMs: bigint): boolean {
  return utcDayOf(timeMs) >= dayNumber(maturityDate);
}

/**
 * A leaf still unpaid after its due day (the maturity, as extended) is overdue (derived, like a
 * receivable's); a written-off (DEFAULTED) piece is a loss, no longer overdue, as a DEFAULTED receivable.
 */
export function isPieceOverdue(piece: Pick<Piece, "status" | "maturityDate" | "dueDate">, timeMs: bigint): boolean {
  return piece.status !== "SETTLED" && piece.status !== "SPENT" && piece.status !== "DEFAULTED" && isPastDue(pieceDueDate(piece), timeMs);
}

/** An unpaid leaf's aging bucket at `timeMs` (days past its due date, as extended), as for a receivable; else undefined. */
export function pieceAging(piece: Pick<Piece, "status" | "maturityDate" | "dueDate">, timeMs: bigint): AgingBucket | undefined {
  // only an unpaid leaf ages: SETTLED, SPENT and DEFAULTED pieces are out of any book's aging
  if (piece.status !== "HELD" && piece.status !== "OFFERED" && piece.status !== "FINANCED") return undefined;
  return agingBucket(daysPastDue(pieceDueDate(piece), timeMs));
}

// ---- supervision and aging (DESIGN.md §10-§11, docs/lending.md, docs/supervision.md) ------------

/** One bank's outstanding financed principal on a receivable: its financings' amount less repaid and written off. */
export function liveFinancedBy(receivable: Pick<Receivable, "financings">, bankId: string): bigint {
  let live = 0n;
  for (const f of receivable.financings) if (f.bankId === bankId) live += financingOutstanding(f);
  return live;
}

/** Whole UTC days from `dueDate` ("YYYY-MM-DD") to the day of `timeMs`; 0 on or before the due date. */
export function daysPastDue(dueDate: string, timeMs: bigint): bigint {
  const d = utcDayOf(timeMs) - dayNumber(dueDate);
  return d > 0n ? d : 0n;
}

/** The aging buckets of financing by days past due (the one definition; reports and OVERDUE_AGE use it). */
export const AGING_BUCKETS = ["current", "1-30", "31-90", ">90"] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];

/** The aging bucket of a number of days past due: current (0), 1-30, 31-90, more than 90 (non-performing). */
export function agingBucket(daysPastDue: bigint): AgingBucket {
  if (daysPastDue <= 0n) return "current";
  if (daysPastDue <= 30n) return "1-30";
  if (daysPastDue <= 90n) return "31-90";
  return ">90";
}
