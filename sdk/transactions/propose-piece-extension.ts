// proposePieceExtension: the bank holding a FINANCED warrant piece proposes a later due date for it
// (post-lending, DESIGN.md §10, docs/warrants.md); it takes effect when the warrant's obligor accepts
// (the acceptance). A later proposal replaces a pending one; a receivable's extension has its own types.
import { date, firstIssue, txId } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface ProposePieceExtension {
  pieceId: string;
  /** the due date proposed: after the piece's current one (its maturity, as extended) */
  newDueDate: string;
}
export type ProposePieceExtensionPayload = { type: "proposePieceExtension" } & ProposePieceExtension;

export const proposePieceExtensionTx: TxFormat<ProposePieceExtensionPayload, ProposePieceExtension> = {
  type: "proposePieceExtension",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { pieceId: txId, newDueDate: date }),
  build: (i) => ({ type: "proposePieceExtension", pieceId: i.pieceId, newDueDate: i.newDueDate }),
  targets: "piece",
  target: (p) => p.pieceId,
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  events: {
    pieceExtensionProposed: (e, p, tx) => want(e.pieceId === p.pieceId && e.bankId === tx.signer && e.newDueDate === p.newDueDate, "piece, bank or new due date differs from the transaction"),
  },
};
