// surrenderTitle: the issuing CUSTODIAN delivered the goods against a free title; the title is
// SURRENDERED, its fingerprint and its quantity on the lot are free again (DESIGN.md §8).
import { firstIssue, txId } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface SurrenderTitle {
  titleId: string;
}
export type SurrenderTitlePayload = { type: "surrenderTitle" } & SurrenderTitle;

export const surrenderTitleTx: TxFormat<SurrenderTitlePayload, SurrenderTitle> = {
  type: "surrenderTitle",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { titleId: txId }),
  build: (i) => ({ type: "surrenderTitle", titleId: i.titleId }),
  targets: "title",
  target: (p) => p.titleId,
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  events: {
    titleSurrendered: (e, p, tx) => want(e.titleId === p.titleId && e.custodianId === tx.signer, "title or custodian differs from the transaction"),
  },
};
