// financeWarrant: the bank a piece was offered to buys it for an advance and becomes its holder;
// the piece is FINANCED and the obligor pays that bank at maturity (docs/warrants.md).
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { financeWarrantTx } from "../../../sdk/transactions/finance-warrant.js";
import { KEY } from "../state.js";
import { money, pieceOrReject, putPiece, reject, type TxRule } from "./rule.js";
import { assertNotMatured } from "./warrant-common.js";

export const financeWarrantRule: TxRule<PayloadOf<"financeWarrant">> = {
  format: financeWarrantTx,
  signers: ["BANK"],
  keys: (p) => [KEY.piece(p.pieceId)],
  apply({ state, payload: p, signer, block }) {
    const piece = pieceOrReject(state, p.pieceId);
    if (piece.status !== "OFFERED") reject("INVALID_STATE", `piece ${piece.id} is ${piece.status}; a bank finances a piece offered to it`);
    if (piece.offeredTo !== signer.id) reject("UNAUTHORIZED", `piece ${piece.id} is offered to ${piece.offeredTo}, not ${signer.id}`);
    assertNotMatured(piece, block.time);
    if (p.advance > piece.amount) reject("INVALID_STATE", `an advance of ${money(p.advance, piece.currency)} exceeds the piece's ${money(piece.amount, piece.currency)}`);
    putPiece(state, { ...piece, status: "FINANCED", holderId: signer.id, offeredTo: "", financedBy: signer.id, advance: p.advance, soldBy: piece.holderId, updatedAt: block.time });
    return [{ type: "pieceFinanced", pieceId: piece.id, bankId: signer.id, sellerId: piece.holderId, advance: p.advance }];
  },
};
