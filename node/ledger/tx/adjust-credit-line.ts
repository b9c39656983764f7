// adjustCreditLine: the granting bank moves a line's limit (never below its outstanding) or expiry.
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { adjustCreditLineTx } from "../../../sdk/transactions/adjust-credit-line.js";
import { KEY } from "../state.js";
import { getCreditLine, money, putCreditLine, reject, type TxRule } from "./rule.js";

export const adjustCreditLineRule: TxRule<PayloadOf<"adjustCreditLine">> = {
  format: adjustCreditLineTx,
  signers: ["BANK"],
  keys: (p) => [KEY.creditLine(p.lineId)],
  apply({ state, payload: p, signer, block }) {
    const line = getCreditLine(state, p.lineId) ?? reject("NOT_FOUND", `no credit line ${p.lineId}`);
    if (line.bankId !== signer.id) reject("UNAUTHORIZED", `credit line ${line.id} was granted by ${line.bankId}; only that bank adjusts it`);
    if (p.limit < line.outstanding) {
      reject("LIMIT_BELOW_OUTSTANDING", `credit line ${line.id} has ${money(line.outstanding, line.currency)} outstanding; the limit cannot go below it to ${money(p.limit, line.currency)}`);
    }
    putCreditLine(state, { ...line, limit: p.limit, expiryDate: p.expiryDate, updatedAt: block.time });
    return [{ type: "creditLineAdjusted", lineId: line.id, limit: p.limit, expiryDate: p.expiryDate, outstanding: line.outstanding }];
  },
};
