// withdrawOffer: the holder takes its offer back; the piece is HELD again (docs/warrants.md).
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { withdrawOfferTx } from "../../../sdk/transactions/withdraw-offer.js";
import { KEY } from "../state.js";
import { pieceOrReject, putPiece, reject, type TxRule } from "./rule.js";
import { assertHolder } from "./warrant-common.js";

export const withdrawOfferRule: TxRule<PayloadOf<"withdrawOffer">> = {
  format: withdrawOfferTx,
  signers: ["ENTERPRISE"],
  keys: (p) => [KEY.piece(p.pieceId)],
  apply({ state, payload: p, signer, block }) {
    const piece = pieceOrReject(state, p.pieceId);
    assertHolder(piece, signer);
    if (piece.status !== "OFFERED") reject("INVALID_STATE", `piece ${piece.id} is ${piece.status}, not OFFERED`);
    putPiece(state, { ...piece, status: "HELD", offeredTo: "", updatedAt: block.time });
    return [{ type: "offerWithdrawn", pieceId: piece.id, bankId: piece.offeredTo }];
  },
};
