// acceptPieceExtension: the obligor of a warrant accepts the pending proposal of a later due date on
// one of its FINANCED pieces (DESIGN.md §10: "the exporter, or the obligor of a warrant"); the due
// date it names must be the one proposed, so what it read is what it signs.
import { date, firstIssue, txId } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface AcceptPieceExtension {
  pieceId: string;
  /** the proposed due date, restated */
  newDueDate: string;
}
export type AcceptPieceExtensionPayload = { type: "acceptPieceExtension" } & AcceptPieceExtension;

export const acceptPieceExtensionTx: TxFormat<AcceptPieceExtensionPayload, AcceptPieceExtension> = {
  type: "acceptPieceExtension",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { pieceId: txId, newDueDate: date }),
  build: (i) => ({ type: "acceptPieceExtension", pieceId: i.pieceId, newDueDate: i.newDueDate }),
  targets: "piece",
  target: (p) => p.pieceId,
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  events: {
    pieceExtensionAccepted: (e, p, tx) => want(e.pieceId === p.pieceId && e.obligorId === tx.signer && e.dueDate === p.newDueDate, "piece, obligor or due date differs from the transaction"),
  },
};
