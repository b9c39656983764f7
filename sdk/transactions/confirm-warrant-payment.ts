// confirmWarrantPayment: the holder of a piece confirms the obligor paid it (at maturity, or before
// if the obligor pays early); the piece is SETTLED and the line's outstanding drops by its amount;
// the last leaf paid settles the warrant (DESIGN.md §7).
import { firstIssue, txId } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface ConfirmWarrantPayment {
  pieceId: string;
}
export type ConfirmWarrantPaymentPayload = { type: "confirmWarrantPayment" } & ConfirmWarrantPayment;

export const confirmWarrantPaymentTx: TxFormat<ConfirmWarrantPaymentPayload, ConfirmWarrantPayment> = {
  type: "confirmWarrantPayment",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { pieceId: txId }),
  build: (i) => ({ type: "confirmWarrantPayment", pieceId: i.pieceId }),
  targets: "piece",
  target: (p) => p.pieceId,
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  events: {
    piecePaid: (e, p, tx) => want(e.pieceId === p.pieceId && e.holderId === tx.signer, "piece or holder differs from the transaction"),
    // the warrant settled is the paid piece's; its id is state, not in the payload
    warrantSettled: () => null,
  },
};
