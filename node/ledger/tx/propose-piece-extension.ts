// proposePieceExtension: the bank holding a FINANCED warrant piece proposes a later due date; the
// warrant's obligor makes it effective by accepting it (docs/warrants.md "Post-lending"). The rules
// mirror those of a receivable's extension: one bank (the holder) on one loan, a date after the
// current due date and not in the past.
import { isPastDue, pieceDueDate } from "../../../sdk/domain.js";
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { proposePieceExtensionTx } from "../../../sdk/transactions/propose-piece-extension.js";
import { KEY } from "../state.js";
import { pieceOrReject, putPiece, reject, type TxRule } from "./rule.js";
import { assertFinancedBySigner } from "./warrant-common.js";

export const proposePieceExtensionRule: TxRule<PayloadOf<"proposePieceExtension">> = {
  format: proposePieceExtensionTx,
  signers: ["BANK"],
  keys: (p) => [KEY.piece(p.pieceId)],
  apply({ state, payload: p, signer, block }) {
    const piece = pieceOrReject(state, p.pieceId);
    assertFinancedBySigner(piece, signer, "proposes an extension");
    const due = pieceDueDate(piece);
    if (p.newDueDate <= due) reject("EXTENSION_INVALID", `the new due date ${p.newDueDate} is not after the piece's current one, ${due}`);
    if (isPastDue(p.newDueDate, block.time)) reject("EXTENSION_INVALID", `the new due date ${p.newDueDate} is before the block's date`);
    putPiece(state, { ...piece, extensionDueDate: p.newDueDate, updatedAt: block.time });
    return [{ type: "pieceExtensionProposed", pieceId: piece.id, bankId: signer.id, dueDate: due, newDueDate: p.newDueDate }];
  },
};
