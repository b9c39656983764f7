// surrenderTitle: the issuing CUSTODIAN delivered the goods against a free title; it is SURRENDERED,
// its quantity leaves the lot's titled total and its fingerprint is free again (docs/titles.md).
import { toHex } from "../../../sdk/bytes.js";
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { surrenderTitleTx } from "../../../sdk/transactions/surrender-title.js";
import { decodeTitle } from "../records.js";
import { KEY } from "../state.js";
import { getText, invariant, reject, type TxRule } from "./rule.js";
import { assertFree, getLot, putLot, putTitle, titleOrReject } from "./title-common.js";

export const surrenderTitleRule: TxRule<PayloadOf<"surrenderTitle">> = {
  format: surrenderTitleTx,
  signers: ["CUSTODIAN"],
  keys(p, _tx, loaded) {
    const key = KEY.title(p.titleId);
    const bytes = loaded?.(key);
    if (!bytes) return [key];
    // The lot and the live-fingerprint entry are named in the title record.
    const title = decodeTitle(bytes);
    return [key, KEY.lot(title.lotId), KEY.titleFingerprint(toHex(title.fingerprint))];
  },
  apply({ state, payload: p, signer, block }) {
    const title = titleOrReject(state, p.titleId);
    if (title.custodianId !== signer.id) reject("UNAUTHORIZED", `title ${title.id} was issued by ${title.custodianId}, not ${signer.id}`);
    assertFree(title, "surrendered");
    const lot = getLot(state, title.lotId);
    invariant(lot && lot.titled >= title.quantity, `lot ${title.lotId} does not carry live title ${title.id}`);
    const fpKey = KEY.titleFingerprint(toHex(title.fingerprint));
    invariant(getText(state, fpKey) === title.id, `live title ${title.id} does not hold its fingerprint`);
    const titled = lot.titled - title.quantity;
    putTitle(state, { ...title, status: "SURRENDERED", updatedAt: block.time });
    putLot(state, { ...lot, titled, updatedAt: block.time });
    state.del(fpKey);
    return [{ type: "titleSurrendered", titleId: title.id, lotId: lot.id, custodianId: signer.id, holderId: title.holderId, quantity: title.quantity, lotTitled: titled }];
  },
};
