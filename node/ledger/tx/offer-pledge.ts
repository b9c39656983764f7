// offerPledge: the holder offers a free title to one bank as security; the title is PLEDGE_OFFERED
// and frozen: a second offer, to any bank, is TITLE_PLEDGED (the repeated pledge, docs/titles.md).
import { isPastDue } from "../../../sdk/domain.js";
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { offerPledgeTx } from "../../../sdk/transactions/offer-pledge.js";
import { KEY } from "../state.js";
import { partyOfRole, reject, type TxRule } from "./rule.js";
import { assertFree, assertTitleHolder, putTitle, titleOrReject } from "./title-common.js";

export const offerPledgeRule: TxRule<PayloadOf<"offerPledge">> = {
  format: offerPledgeTx,
  signers: ["ENTERPRISE"],
  keys: (p) => [KEY.title(p.titleId), KEY.party(p.bank)],
  apply({ state, payload: p, signer, block }) {
    const title = titleOrReject(state, p.titleId);
    assertTitleHolder(title, signer);
    assertFree(title, "offered in pledge again");
    partyOfRole(state, p.bank, "BANK", "pledgee bank");
    if (isPastDue(p.expiryDate, block.time)) reject("TENOR_INVALID", `pledge expiry ${p.expiryDate} has passed`);
    const pledge = { bankId: p.bank, securedAmount: p.securedAmount, currency: p.currency, expiryDate: p.expiryDate, offeredAt: block.time, acceptedAt: 0n };
    putTitle(state, { ...title, status: "PLEDGE_OFFERED", pledge, updatedAt: block.time });
    return [{ type: "pledgeOffered", titleId: title.id, holderId: signer.id, bankId: p.bank, securedAmount: p.securedAmount, currency: p.currency, expiryDate: p.expiryDate }];
  },
};
