// releasePledge: the pledgee bank releases a pledge, offered or accepted; the holder may withdraw an
// offer no bank accepted yet (an addition to DESIGN.md §8: without it an offer the bank ignores
// would freeze the title for good). The title is free (HELD) again (docs/titles.md).
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { releasePledgeTx } from "../../../sdk/transactions/release-pledge.js";
import { KEY } from "../state.js";
import { invariant, reject, type TxRule } from "./rule.js";
import { putTitle, titleOrReject } from "./title-common.js";

export const releasePledgeRule: TxRule<PayloadOf<"releasePledge">> = {
  format: releasePledgeTx,
  signers: ["BANK", "ENTERPRISE"],
  keys: (p) => [KEY.title(p.titleId)],
  apply({ state, payload: p, signer, block }) {
    const title = titleOrReject(state, p.titleId);
    if (title.status !== "PLEDGE_OFFERED" && title.status !== "PLEDGED") reject("INVALID_STATE", `title ${title.id} is ${title.status}: there is no pledge to release`);
    const pledge = title.pledge;
    invariant(pledge, `title ${title.id} is ${title.status} without a pledge`);
    const accepted = title.status === "PLEDGED";
    if (signer.id !== pledge.bankId) {
      if (signer.id !== title.holderId) reject("UNAUTHORIZED", `the pledge of title ${title.id} is ${pledge.bankId}'s to release, not ${signer.id}'s`);
      if (accepted) reject("UNAUTHORIZED", `title ${title.id} is pledged to ${pledge.bankId}: only the pledgee bank releases an accepted pledge`);
    }
    putTitle(state, { ...title, status: "HELD", pledge: undefined, updatedAt: block.time });
    return [{ type: "pledgeReleased", titleId: title.id, holderId: title.holderId, bankId: pledge.bankId, releasedBy: signer.id, wasAccepted: accepted }];
  },
};
