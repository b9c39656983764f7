// transferTitle: the holder passes a free title to another ENTERPRISE; an offered or pledged title
// does not move (TITLE_PLEDGED) (docs/titles.md).
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { transferTitleTx } from "../../../sdk/transactions/transfer-title.js";
import { KEY } from "../state.js";
import { partyOfRole, reject, type TxRule } from "./rule.js";
import { assertFree, assertTitleHolder, putTitle, titleOrReject } from "./title-common.js";

export const transferTitleRule: TxRule<PayloadOf<"transferTitle">> = {
  format: transferTitleTx,
  signers: ["ENTERPRISE"],
  keys: (p) => [KEY.title(p.titleId), KEY.party(p.to)],
  apply({ state, payload: p, signer, block }) {
    const title = titleOrReject(state, p.titleId);
    assertTitleHolder(title, signer);
    assertFree(title, "transferred");
    if (p.to === signer.id) reject("INVALID_STATE", `title ${title.id} is already held by ${signer.id}`);
    partyOfRole(state, p.to, "ENTERPRISE", "recipient");
    putTitle(state, { ...title, holderId: p.to, updatedAt: block.time });
    return [{ type: "titleTransferred", titleId: title.id, fromId: signer.id, toId: p.to }];
  },
};
