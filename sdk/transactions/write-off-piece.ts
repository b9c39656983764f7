// writeOffPiece: the bank holding a FINANCED warrant piece writes it off (DESIGN.md §10): its face
// becomes a loss on the bank's book and the piece is DEFAULTED (final); the warrant is DEFAULTED and
// never SETTLED, its other pieces run on (docs/warrants.md). A receivable's financing has its own type.
import { firstIssue, txId } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface WriteOffPiece {
  pieceId: string;
}
export type WriteOffPiecePayload = { type: "writeOffPiece" } & WriteOffPiece;

export const writeOffPieceTx: TxFormat<WriteOffPiecePayload, WriteOffPiece> = {
  type: "writeOffPiece",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { pieceId: txId }),
  build: (i) => ({ type: "writeOffPiece", pieceId: i.pieceId }),
  targets: "piece",
  target: (p) => p.pieceId,
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  events: {
    pieceWrittenOff: (e, p, tx) => want(e.pieceId === p.pieceId && e.bankId === tx.signer, "piece or bank differs from the transaction"),
  },
};
