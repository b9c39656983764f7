// withdrawOffer: the holder takes back its offer of a piece; the piece is HELD again (DESIGN.md §7).
import { firstIssue, txId } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface WithdrawOffer {
  pieceId: string;
}
export type WithdrawOfferPayload = { type: "withdrawOffer" } & WithdrawOffer;

export const withdrawOfferTx: TxFormat<WithdrawOfferPayload, WithdrawOffer> = {
  type: "withdrawOffer",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { pieceId: txId }),
  build: (i) => ({ type: "withdrawOffer", pieceId: i.pieceId }),
  targets: "piece",
  target: (p) => p.pieceId,
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  events: {
    offerWithdrawn: (e, p) => want(e.pieceId === p.pieceId, "piece differs from the transaction"),
  },
};
