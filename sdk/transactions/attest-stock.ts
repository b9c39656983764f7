// attestStock: a CUSTODIAN (warehouse operator or carrier) states what it holds in a lot, now. The
// first attestation creates the lot for that custodian; later ones set the new quantity, never
// below what the lot's live titles represent (DESIGN.md §8, docs/titles.md).
import { equalBytes } from "../bytes.js";
import { firstIssue, MalformedError, toBytes, type BytesInput } from "../checks.js";
import type { Goods } from "../types.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";
import { goodsIssue, lotId, quantity, toQuantity, type QuantityInput } from "./title-common.js";

export interface AttestStock {
  lotId: string;
  goods: Goods;
  /** in goods.unit */
  quantity: bigint;
}
export type AttestStockPayload = { type: "attestStock" } & AttestStock;
export interface AttestStockInput {
  lotId: string;
  goods: { hsCode: string; descriptionHash: BytesInput; unit: string };
  quantity: QuantityInput;
}

export const attestStockTx: TxFormat<AttestStockPayload, AttestStockInput> = {
  type: "attestStock",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { lotId }) ?? goodsIssue(p.goods) ?? firstIssue(p as unknown as Record<string, unknown>, { quantity }),
  build: (i) => {
    if (i.goods === null || typeof i.goods !== "object") throw new MalformedError("goods", "must be an object { hsCode, descriptionHash, unit }");
    const goods = { hsCode: i.goods.hsCode, descriptionHash: toBytes("goods.descriptionHash", i.goods.descriptionHash), unit: i.goods.unit };
    return { type: "attestStock", lotId: i.lotId, goods, quantity: toQuantity("quantity", i.quantity) };
  },
  targets: "lot",
  target: (p) => p.lotId,
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  events: {
    stockAttested: (e, p, tx) =>
      want(
        e.lotId === p.lotId && e.custodianId === tx.signer && e.hsCode === p.goods.hsCode && equalBytes(e.descriptionHash, p.goods.descriptionHash) && e.unit === p.goods.unit && e.quantity === p.quantity && e.titled <= e.quantity,
        "lot, custodian, goods or quantity differs from the transaction",
      ),
  },
};
