// acceptPledge: the bank a title was offered to accepts the pledge; the title is PLEDGED (DESIGN.md §8).
import * as z from "zod";
import { Hex32 } from "../api/primitives.js";
import { firstIssue, txId } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface AcceptPledge {
  titleId: string;
}
export type AcceptPledgePayload = { type: "acceptPledge" } & AcceptPledge;

const AcceptPledgeJson = z.object({ type: z.literal("acceptPledge"), titleId: Hex32 });

export const acceptPledgeTx: TxFormat<AcceptPledgePayload, AcceptPledge, typeof AcceptPledgeJson> = {
  type: "acceptPledge",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { titleId: txId }),
  build: (i) => ({ type: "acceptPledge", titleId: i.titleId }),
  targets: "title",
  target: (p) => p.titleId,
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  json: AcceptPledgeJson,
  events: {
    pledgeAccepted: (e, p, tx) => want(e.titleId === p.titleId && e.bankId === tx.signer, "title or bank differs from the transaction"),
  },
};
