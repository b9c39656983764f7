// declineOffer: the bank a piece was offered to declines it; the piece is HELD again (docs/warrants.md).
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { declineOfferTx } from "../../../sdk/transactions/decline-offer.js";
import { KEY } from "../state.js";
import { pieceOrReject, putPiece, reject, type TxRule } from "./rule.js";

export const declineOfferRule: TxRule<PayloadOf<"declineOffer">> = {
  format: declineOfferTx,
  signers: ["BANK"],
  keys: (p) => [KEY.piece(p.pieceId)],
  apply({ state, payload: p, signer, block }) {
    const piece = pieceOrReject(state, p.pieceId);
    if (piece.status !== "OFFERED") reject("INVALID_STATE", `piece ${piece.id} is ${piece.status}, not OFFERED`);
    if (piece.offeredTo !== signer.id) reject("UNAUTHORIZED", `piece ${piece.id} is offered to ${piece.offeredTo}, not ${signer.id}`);
    putPiece(state, { ...piece, status: "HELD", offeredTo: "", updatedAt: block.time });
    return [{ type: "offerDeclined", pieceId: piece.id, bankId: signer.id }];
  },
};
