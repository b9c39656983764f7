// releasePledge: the pledgee bank releases a pledge, offered or accepted; the holder may withdraw an
// offer no bank accepted yet (an addition to DESIGN.md §8, docs/titles.md). The title is free again.
import { firstIssue, txId } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface ReleasePledge {
  titleId: string;
}
export type ReleasePledgePayload = { type: "releasePledge" } & ReleasePledge;

export const releasePledgeTx: TxFormat<ReleasePledgePayload, ReleasePledge> = {
  type: "releasePledge",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { titleId: txId }),
  build: (i) => ({ type: "releasePledge", titleId: i.titleId }),
  targets: "title",
  target: (p) => p.titleId,
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  events: {
    pledgeReleased: (e, p, tx) =>
      want(
        e.titleId === p.titleId && e.releasedBy === tx.signer && (e.releasedBy === e.bankId || (e.releasedBy === e.holderId && !e.wasAccepted)),
        "title or releasing party differs from the transaction, or a holder released an accepted pledge",
      ),
  },
};
