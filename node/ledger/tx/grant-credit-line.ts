// grantCreditLine: a BANK grants a core enterprise a credit line for its digital warrants (docs/warrants.md).
import { isPastDue } from "../../../sdk/domain.js";
import type { PayloadOf } from "../../../sdk/transactions/index.js";
import { grantCreditLineTx } from "../../../sdk/transactions/grant-credit-line.js";
import { KEY } from "../state.js";
import { getCreditLine, partyOfRole, putCreditLine, reject, type TxRule } from "./rule.js";

export const grantCreditLineRule: TxRule<PayloadOf<"grantCreditLine">> = {
  format: grantCreditLineTx,
  signers: ["BANK"],
  keys: (p) => [KEY.creditLine(p.lineId), KEY.party(p.obligor)],
  apply({ state, payload: p, signer, block }) {
    const existing = getCreditLine(state, p.lineId);
    if (existing) reject("DUPLICATE_CREDIT_LINE", `credit line ${p.lineId} was granted by ${existing.bankId} to ${existing.obligorId}`);
    partyOfRole(state, p.obligor, "ENTERPRISE", "obligor");
    if (isPastDue(p.expiryDate, block.time)) reject("CREDIT_LINE_INVALID", `expiry ${p.expiryDate} has passed`);
    putCreditLine(state, {
      id: p.lineId,
      bankId: signer.id,
      obligorId: p.obligor,
      currency: p.currency,
      limit: p.limit,
      expiryDate: p.expiryDate,
      outstanding: 0n,
      grantedAt: block.time,
      updatedAt: block.time,
      warrants: 0,
    });
    return [{ type: "creditLineGranted", lineId: p.lineId, bankId: signer.id, obligorId: p.obligor, currency: p.currency, limit: p.limit, expiryDate: p.expiryDate }];
  },
};
