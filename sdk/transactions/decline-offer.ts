// declineOffer: the offered bank declines to finance a piece; it is HELD again (DESIGN.md §7).
import { firstIssue, txId } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface DeclineOffer {
  pieceId: string;
}
export type DeclineOfferPayload = { type: "declineOffer" } & DeclineOffer;

export const declineOfferTx: TxFormat<DeclineOfferPayload, DeclineOffer> = {
  type: "declineOffer",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { pieceId: txId }),
  build: (i) => ({ type: "declineOffer", pieceId: i.pieceId }),
  targets: "piece",
  target: (p) => p.pieceId,
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  events: {
    offerDeclined: (e, p, tx) => want(e.pieceId === p.pieceId && e.bankId === tx.signer, "piece or bank differs from the transaction"),
  },
};
