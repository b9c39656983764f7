// offerWarrant: the holder offers a piece to one bank for financing; the piece is frozen (OFFERED)
// until the bank finances or declines it or the holder withdraws the offer (DESIGN.md §7).
import { firstIssue, partyId, txId } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface OfferWarrant {
  pieceId: string;
  bank: string;
}
export type OfferWarrantPayload = { type: "offerWarrant" } & OfferWarrant;

export const offerWarrantTx: TxFormat<OfferWarrantPayload, OfferWarrant> = {
  type: "offerWarrant",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { pieceId: txId, bank: partyId }),
  build: (i) => ({ type: "offerWarrant", pieceId: i.pieceId, bank: i.bank }),
  targets: "piece",
  target: (p) => p.pieceId,
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  events: {
    pieceOffered: (e, p) => want(e.pieceId === p.pieceId && e.bankId === p.bank, "piece or bank differs from the transaction"),
  },
};
