// writeOffPiece: the bank holding a FINANCED warrant piece writes it off (docs/warrants.md
// "Post-lending"): its face leaves the bank's live book as a loss and the piece is DEFAULTED, a final
// leaf state (conservation: the warrant's live leaves, DEFAULTED ones included, still sum to its face).
// The warrant becomes DEFAULTED and is never SETTLED; its other pieces run on (held, passed on,
// financed, paid). The credit line keeps the piece in its outstanding: the obligor still owes it, and a
// written-off debt does not give the obligor room for new warrants.
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { writeOffPieceTx } from "../../../sdk/transactions/write-off-piece.js";
import { decodePiece } from "../records.js";
import { KEY } from "../state.js";
import { getWarrant, invariant, pieceOrReject, putPiece, putWarrant, type TxRule } from "./rule.js";
import { assertFinancedBySigner } from "./warrant-common.js";

export const writeOffPieceRule: TxRule<PayloadOf<"writeOffPiece">> = {
  format: writeOffPieceTx,
  signers: ["BANK"],
  keys(p, _tx, loaded) {
    const key = KEY.piece(p.pieceId);
    const bytes = loaded?.(key);
    return bytes ? [key, KEY.warrant(decodePiece(bytes).warrantId)] : [key];
  },
  apply({ state, payload: p, signer, block }) {
    const piece = pieceOrReject(state, p.pieceId);
    assertFinancedBySigner(piece, signer, "writes it off");
    const warrant = getWarrant(state, piece.warrantId);
    invariant(warrant, `piece ${piece.id} names missing warrant ${piece.warrantId}`);
    const writtenOff = warrant.writtenOff + piece.amount;
    invariant(warrant.settled + writtenOff <= warrant.amount, `warrant ${warrant.id} would lose more than its face value`);
    putPiece(state, { ...piece, status: "DEFAULTED", extensionDueDate: "", writtenOff: piece.amount, updatedAt: block.time });
    putWarrant(state, { ...warrant, writtenOff, status: "DEFAULTED", updatedAt: block.time });
    return [{ type: "pieceWrittenOff", pieceId: piece.id, warrantId: warrant.id, bankId: signer.id, amount: piece.amount }];
  },
};
