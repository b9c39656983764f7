// What the warrant rules share (DESIGN.md §7, docs/warrants.md): the trade background every piece
// must have, and the piece checks each step repeats.
import { dayNumber, utcDayOf } from "../../../sdk/checks.js";
import { isMatured, majorToMinor } from "../../../sdk/domain.js";
import type { Party, Piece, Receivable } from "../../../sdk/types.js";
import { getReceivable, money, reject, type RuleParams } from "./rule.js";
import type { StateReader } from "../state.js";

export interface TradeBackground {
  /** who registered the invoice: the holder (issue) or the recipient (transfer) */
  seller: string;
  /** whom it is on: the obligor (issue) or the sender (transfer) */
  buyer: string;
  currency: string;
}

/**
 * An invoice that may back a warrant piece: registered by `seller` on `buyer` (its buyerPartyId),
 * REGISTERED or ATTESTED, never financed, not backing another piece, in the warrant's currency.
 * A financed invoice, or one already backing a piece, is TRADE_REF_USED: the same invoice never
 * funds twice, by either route; anything else wrong is NO_TRADE_BACKGROUND.
 */
export function tradeBackground(s: StateReader, id: string, want: TradeBackground): Receivable {
  const r = getReceivable(s, id) ?? reject("NO_TRADE_BACKGROUND", `no receivable ${id} behind the warrant`);
  if (r.warrantPieceId) reject("TRADE_REF_USED", `receivable ${id} already backs warrant piece ${r.warrantPieceId}`);
  if (r.financings.length > 0) reject("TRADE_REF_USED", `receivable ${id} was financed: a financed invoice can never back a warrant`);
  if (r.exporterId !== want.seller) reject("NO_TRADE_BACKGROUND", `receivable ${id} was registered by ${r.exporterId}, not ${want.seller}`);
  if (r.buyerPartyId !== want.buyer) reject("NO_TRADE_BACKGROUND", `receivable ${id} is on ${r.buyerPartyId || "a buyer off the network"}, not ${want.buyer}`);
  if (r.status !== "REGISTERED" && r.status !== "ATTESTED") reject("NO_TRADE_BACKGROUND", `receivable ${id} is ${r.status}`);
  if (r.currency !== want.currency) reject("CURRENCY_MISMATCH", `receivable ${id} is in ${r.currency}, the warrant in ${want.currency}`);
  return r;
}

/** The signer holds the piece. */
export function assertHolder(piece: Piece, signer: Party): void {
  if (piece.holderId !== signer.id) reject("NOT_HOLDER", `piece ${piece.id} is held by ${piece.holderId}, not ${signer.id}`);
}

/**
 * Post-lending on a piece (extension, write-off): the signer holds it (NOT_HOLDER) and it is FINANCED
 * (INVALID_STATE: a HELD or OFFERED piece is no bank's loan, a SETTLED, SPENT or DEFAULTED one is over).
 */
export function assertFinancedBySigner(piece: Piece, signer: Party, act: string): void {
  assertHolder(piece, signer);
  if (piece.status !== "FINANCED") {
    const why = piece.status === "DEFAULTED" ? "written off already" : piece.status === "SETTLED" ? "paid" : piece.status === "SPENT" ? "passed on" : "not financed";
    reject("INVALID_STATE", `piece ${piece.id} is ${piece.status} (${why}); only the bank holding a FINANCED piece ${act}`);
  }
}

/** The piece may still move: its maturity day has not come. */
export function assertNotMatured(piece: Piece, time: bigint): void {
  if (isMatured(piece.maturityDate, time)) reject("WARRANT_MATURED", `piece ${piece.id} matured on ${piece.maturityDate}`);
}

/** Smallest piece a transfer may create in this currency (genesis minWarrantPiece major units). */
export function minPiece(params: RuleParams, currency: string): bigint {
  return majorToMinor(params.minWarrantPieceMajorUnits, currency);
}

/** A maturity after the block's day and at most maxWarrantTenorDays after it. */
export function assertTenor(maturityDate: string, time: bigint, params: RuleParams): void {
  const today = utcDayOf(time);
  const maturity = dayNumber(maturityDate);
  if (maturity <= today) reject("TENOR_INVALID", `maturity ${maturityDate} is not after the block date`);
  if (maturity - today > params.maxWarrantTenorDays) reject("TENOR_INVALID", `maturity ${maturityDate} is more than ${params.maxWarrantTenorDays} days after the block date`);
}

export { money };
