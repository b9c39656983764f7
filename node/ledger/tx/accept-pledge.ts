// acceptPledge: the bank a title was offered to accepts the pledge before its expiry; the title is
// PLEDGED until that bank releases it (docs/titles.md).
import { isPastDue } from "../../../sdk/domain.js";
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { acceptPledgeTx } from "../../../sdk/transactions/accept-pledge.js";
import { KEY } from "../state.js";
import { invariant, reject, type TxRule } from "./rule.js";
import { putTitle, titleOrReject } from "./title-common.js";

export const acceptPledgeRule: TxRule<PayloadOf<"acceptPledge">> = {
  format: acceptPledgeTx,
  signers: ["BANK"],
  keys: (p) => [KEY.title(p.titleId)],
  apply({ state, payload: p, signer, block }) {
    const title = titleOrReject(state, p.titleId);
    if (title.status !== "PLEDGE_OFFERED") reject("INVALID_STATE", `title ${title.id} is ${title.status}; a bank accepts a pledge offered to it`);
    const pledge = title.pledge;
    invariant(pledge, `title ${title.id} is PLEDGE_OFFERED without a pledge`);
    if (pledge.bankId !== signer.id) reject("UNAUTHORIZED", `title ${title.id} is offered in pledge to ${pledge.bankId}, not ${signer.id}`);
    if (isPastDue(pledge.expiryDate, block.time)) reject("TENOR_INVALID", `the offer lapsed: pledge expiry ${pledge.expiryDate} has passed`);
    putTitle(state, { ...title, status: "PLEDGED", pledge: { ...pledge, acceptedAt: block.time }, pledges: title.pledges + 1, updatedAt: block.time });
    return [{ type: "pledgeAccepted", titleId: title.id, holderId: title.holderId, bankId: signer.id }];
  },
};
