// issueTitle: the CUSTODIAN of a lot issues a warehouse receipt or bill of lading over part of it to
// an ENTERPRISE: never beyond the attested stock (the empty pledge), one live title per document,
// and a bill of lading shares Part I's b/ namespace, one exporter per B/L (docs/titles.md).
import { toHex, utf8 } from "../../../sdk/bytes.js";
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { issueTitleTx } from "../../../sdk/transactions/issue-title.js";
import { KEY } from "../state.js";
import { getText, hexOf, invariant, partyOfRole, reject, type TxRule } from "./rule.js";
import { getLot, putLot, putTitle, units } from "./title-common.js";

export const issueTitleRule: TxRule<PayloadOf<"issueTitle">> = {
  format: issueTitleTx,
  signers: ["CUSTODIAN"],
  keys(p, tx) {
    const fpHex = hexOf(p.fingerprint);
    const keys = [KEY.lot(p.lotId), KEY.party(p.holder), KEY.title(tx.hashHex), KEY.titleFingerprint(fpHex)];
    if (p.kind === "BILL_OF_LADING") keys.push(KEY.billOfLading(fpHex));
    return keys;
  },
  apply({ state, tx, payload: p, signer, block }) {
    const lot = getLot(state, p.lotId) ?? reject("NOT_FOUND", `no lot ${p.lotId}`);
    if (lot.custodianId !== signer.id) reject("UNAUTHORIZED", `lot ${lot.id} is attested by ${lot.custodianId}, not ${signer.id}`);
    partyOfRole(state, p.holder, "ENTERPRISE", "holder");
    if (lot.titled + p.quantity > lot.quantity) {
      reject("EXCEEDS_STOCK", `lot ${lot.id} holds ${units(lot.quantity, lot)}, ${units(lot.titled, lot)} of it under live titles: ${units(p.quantity, lot)} more would be titles without goods`);
    }
    const fpHex = toHex(p.fingerprint);
    const live = getText(state, KEY.titleFingerprint(fpHex));
    if (live !== undefined) reject("DUPLICATE_TITLE", `live title ${live} already carries document fingerprint ${fpHex}`, live);
    let newBillOfLading = false;
    if (p.kind === "BILL_OF_LADING") {
      const exporter = getText(state, KEY.billOfLading(fpHex));
      if (exporter !== undefined && exporter !== p.holder) reject("DUPLICATE_TITLE", `bill of lading ${fpHex} belongs to ${exporter}, not ${p.holder}`);
      newBillOfLading = exporter === undefined;
    }

    const id = tx.hashHex;
    invariant(!state.get(KEY.title(id)), `title ${id} exists but its transaction was not seen before`);
    const titled = lot.titled + p.quantity;
    putLot(state, { ...lot, titled, titles: lot.titles + 1, updatedAt: block.time });
    putTitle(state, {
      id,
      kind: p.kind,
      fingerprint: p.fingerprint,
      lotId: lot.id,
      custodianId: signer.id,
      quantity: p.quantity,
      holderId: p.holder,
      firstHolderId: p.holder,
      status: "HELD",
      pledge: undefined,
      pledges: 0,
      issuedAt: block.time,
      updatedAt: block.time,
    });
    state.put(KEY.titleFingerprint(fpHex), utf8(id));
    if (newBillOfLading) state.put(KEY.billOfLading(fpHex), utf8(p.holder));
    return [{ type: "titleIssued", titleId: id, kind: p.kind, fingerprint: p.fingerprint, lotId: lot.id, custodianId: signer.id, holderId: p.holder, quantity: p.quantity, lotTitled: titled }];
  },
};
