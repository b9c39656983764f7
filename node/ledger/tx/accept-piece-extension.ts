// acceptPieceExtension: the warrant's obligor accepts the pending proposal of a later due date on a
// FINANCED piece (DESIGN.md §10: "the exporter, or the obligor of a warrant"). The piece's due date
// moves (and with it its aging and its place in the holder bank's due-date records); the count of
// extensions goes into the obligor's credit facts.
import { isPastDue, pieceDueDate } from "../../../sdk/domain.js";
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { acceptPieceExtensionTx } from "../../../sdk/transactions/accept-piece-extension.js";
import { KEY } from "../state.js";
import { pieceOrReject, putPiece, reject, type TxRule } from "./rule.js";

export const acceptPieceExtensionRule: TxRule<PayloadOf<"acceptPieceExtension">> = {
  format: acceptPieceExtensionTx,
  signers: ["ENTERPRISE"],
  keys: (p) => [KEY.piece(p.pieceId)],
  apply({ state, payload: p, signer, block }) {
    const piece = pieceOrReject(state, p.pieceId);
    if (piece.obligorId !== signer.id) reject("UNAUTHORIZED", `piece ${piece.id} is a promise of ${piece.obligorId}; only the obligor accepts an extension`);
    if (piece.status !== "FINANCED") reject("INVALID_STATE", `piece ${piece.id} is ${piece.status}; only a FINANCED piece's due date is extended`);
    if (!piece.extensionDueDate) reject("INVALID_STATE", `no extension of piece ${piece.id} is pending`);
    if (p.newDueDate !== piece.extensionDueDate) reject("EXTENSION_INVALID", `the pending proposal is ${piece.extensionDueDate}, not ${p.newDueDate}`);
    if (isPastDue(p.newDueDate, block.time)) reject("EXTENSION_INVALID", `the proposed due date ${p.newDueDate} has passed`);
    const previous = pieceDueDate(piece);
    putPiece(state, { ...piece, dueDate: p.newDueDate, extensionDueDate: "", extensions: piece.extensions + 1, updatedAt: block.time });
    return [{ type: "pieceExtensionAccepted", pieceId: piece.id, obligorId: signer.id, bankId: piece.holderId, previousDueDate: previous, dueDate: p.newDueDate }];
  },
};
