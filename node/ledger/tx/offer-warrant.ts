// offerWarrant: the holder offers a HELD piece to one bank; it is frozen (OFFERED) until the bank
// finances or declines it or the holder withdraws the offer (docs/warrants.md).
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { offerWarrantTx } from "../../../sdk/transactions/offer-warrant.js";
import { KEY } from "../state.js";
import { partyOfRole, pieceOrReject, putPiece, reject, type TxRule } from "./rule.js";
import { assertHolder, assertNotMatured } from "./warrant-common.js";

export const offerWarrantRule: TxRule<PayloadOf<"offerWarrant">> = {
  format: offerWarrantTx,
  signers: ["ENTERPRISE"],
  keys: (p) => [KEY.piece(p.pieceId), KEY.party(p.bank)],
  apply({ state, payload: p, signer, block }) {
    const piece = pieceOrReject(state, p.pieceId);
    assertHolder(piece, signer);
    if (piece.status !== "HELD") reject("INVALID_STATE", `piece ${piece.id} is ${piece.status}; only a HELD piece can be offered`);
    assertNotMatured(piece, block.time);
    partyOfRole(state, p.bank, "BANK", "offered bank");
    putPiece(state, { ...piece, status: "OFFERED", offeredTo: p.bank, updatedAt: block.time });
    return [{ type: "pieceOffered", pieceId: piece.id, bankId: p.bank }];
  },
};
