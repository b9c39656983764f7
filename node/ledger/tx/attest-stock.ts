// attestStock: a CUSTODIAN states what it holds in a lot; the first attestation creates the lot,
// later ones set the new quantity, never below what live titles on the lot represent (docs/titles.md).
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { attestStockTx } from "../../../sdk/transactions/attest-stock.js";
import { sameGoods } from "../../../sdk/transactions/title-common.js";
import type { Lot } from "../../../sdk/types.js";
import { KEY } from "../state.js";
import { reject, type TxRule } from "./rule.js";
import { getLot, putLot, units } from "./title-common.js";

export const attestStockRule: TxRule<PayloadOf<"attestStock">> = {
  format: attestStockTx,
  signers: ["CUSTODIAN"],
  keys: (p) => [KEY.lot(p.lotId)],
  apply({ state, payload: p, signer, block }) {
    const lot = getLot(state, p.lotId);
    if (lot) {
      if (lot.custodianId !== signer.id) reject("UNAUTHORIZED", `lot ${lot.id} is attested by ${lot.custodianId}, not ${signer.id}`);
      if (!sameGoods(lot.goods, p.goods)) reject("INVALID_STATE", `lot ${lot.id} holds HS ${lot.goods.hsCode} in ${lot.goods.unit} as first attested: a lot's goods never change (attest another lot)`);
      if (p.quantity < lot.titled) reject("EXCEEDS_STOCK", `live titles on lot ${lot.id} represent ${units(lot.titled, lot)}: the stock cannot fall to ${units(p.quantity, lot)} below them`);
    }
    const next: Lot = lot
      ? { ...lot, quantity: p.quantity, updatedAt: block.time }
      : { id: p.lotId, custodianId: signer.id, goods: { ...p.goods }, quantity: p.quantity, titled: 0n, titles: 0, attestedAt: block.time, updatedAt: block.time };
    putLot(state, next);
    const g = next.goods;
    return [{ type: "stockAttested", lotId: next.id, custodianId: signer.id, hsCode: g.hsCode, descriptionHash: g.descriptionHash, unit: g.unit, quantity: next.quantity, titled: next.titled }];
  },
};
