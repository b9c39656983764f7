// transferTitle: the holder of a free title passes it to another ENTERPRISE (DESIGN.md §8).
import { firstIssue, partyId, txId } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface TransferTitle {
  titleId: string;
  to: string;
}
export type TransferTitlePayload = { type: "transferTitle" } & TransferTitle;

export const transferTitleTx: TxFormat<TransferTitlePayload, TransferTitle> = {
  type: "transferTitle",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { titleId: txId, to: partyId }),
  build: (i) => ({ type: "transferTitle", titleId: i.titleId, to: i.to }),
  targets: "title",
  target: (p) => p.titleId,
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  events: {
    titleTransferred: (e, p, tx) => want(e.titleId === p.titleId && e.fromId === tx.signer && e.toId === p.to, "title, sender or recipient differs from the transaction"),
  },
};
