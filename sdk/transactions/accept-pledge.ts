// acceptPledge: the bank a title was offered to accepts the pledge; the title is PLEDGED (DESIGN.md §8).
import { firstIssue, txId } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface AcceptPledge {
  titleId: string;
}
export type AcceptPledgePayload = { type: "acceptPledge" } & AcceptPledge;

export const acceptPledgeTx: TxFormat<AcceptPledgePayload, AcceptPledge> = {
  type: "acceptPledge",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { titleId: txId }),
  build: (i) => ({ type: "acceptPledge", titleId: i.titleId }),
  targets: "title",
  target: (p) => p.titleId,
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  events: {
    pledgeAccepted: (e, p, tx) => want(e.titleId === p.titleId && e.bankId === tx.signer, "title or bank differs from the transaction"),
  },
};
