// confirmWarrantPayment: the holder confirms the obligor paid its piece; the line's outstanding
// drops by the piece's amount, and the last leaf paid settles the warrant (docs/warrants.md).
import type { Event } from "../../../sdk/types.js";
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { confirmWarrantPaymentTx } from "../../../sdk/transactions/confirm-warrant-payment.js";
import { decodePiece, decodeWarrant } from "../records.js";
import { KEY } from "../state.js";
import { getCreditLine, getWarrant, invariant, pieceOrReject, putCreditLine, putPiece, putWarrant, reject, type TxRule } from "./rule.js";
import { assertHolder } from "./warrant-common.js";

export const confirmWarrantPaymentRule: TxRule<PayloadOf<"confirmWarrantPayment">> = {
  format: confirmWarrantPaymentTx,
  signers: ["ENTERPRISE", "BANK"],
  keys(p, _tx, loaded) {
    const key = KEY.piece(p.pieceId);
    const bytes = loaded?.(key);
    if (!bytes) return [key];
    // The warrant and its line are named in the piece record.
    const piece = decodePiece(bytes);
    const warrant = loaded?.(KEY.warrant(piece.warrantId));
    const keys = [key, KEY.warrant(piece.warrantId)];
    if (warrant) keys.push(KEY.creditLine(decodeWarrant(warrant).lineId));
    return keys;
  },
  apply({ state, payload: p, signer, block }) {
    const piece = pieceOrReject(state, p.pieceId);
    assertHolder(piece, signer);
    if (piece.status !== "HELD" && piece.status !== "FINANCED") {
      reject("INVALID_STATE", `piece ${piece.id} is ${piece.status}; a HELD or FINANCED piece is paid (withdraw an offer first)`);
    }
    const warrant = getWarrant(state, piece.warrantId);
    invariant(warrant, `piece ${piece.id} names missing warrant ${piece.warrantId}`);
    const line = getCreditLine(state, warrant.lineId);
    invariant(line && line.outstanding >= piece.amount, `credit line ${warrant.lineId} does not carry piece ${piece.id}`);
    const settled = warrant.settled + piece.amount;
    invariant(settled + warrant.writtenOff <= warrant.amount, `warrant ${warrant.id} would be paid beyond its face value`);
    const outstanding = line.outstanding - piece.amount;
    // paid: a pending extension proposal has nothing left to extend
    putPiece(state, { ...piece, status: "SETTLED", extensionDueDate: "", updatedAt: block.time });
    putCreditLine(state, { ...line, outstanding, updatedAt: block.time });
    const events: Event[] = [{ type: "piecePaid", pieceId: piece.id, warrantId: warrant.id, holderId: signer.id, amount: piece.amount, lineOutstanding: outstanding }];
    const done = settled === warrant.amount;
    // a warrant with a piece written off stays DEFAULTED (never SETTLED); its other pieces are still paid
    putWarrant(state, { ...warrant, settled, status: warrant.writtenOff > 0n ? "DEFAULTED" : done ? "SETTLED" : "ISSUED", updatedAt: block.time });
    if (done) events.push({ type: "warrantSettled", warrantId: warrant.id, lineId: warrant.lineId });
    return events;
  },
};
