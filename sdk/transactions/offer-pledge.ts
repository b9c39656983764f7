// offerPledge: the holder of a free title offers it to one bank as security for an amount until an
// expiry date; the title is PLEDGE_OFFERED, frozen, until the bank accepts or either side releases
// it (DESIGN.md §8, docs/titles.md).
import { currency, date, firstIssue, partyId, positiveAmount, toAmount, txId, type AmountInput } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface OfferPledge {
  titleId: string;
  bank: string;
  securedAmount: bigint;
  currency: string;
  /** the pledge's last day */
  expiryDate: string;
}
export type OfferPledgePayload = { type: "offerPledge" } & OfferPledge;
export type OfferPledgeInput = Omit<OfferPledge, "securedAmount"> & { securedAmount: AmountInput };

export const offerPledgeTx: TxFormat<OfferPledgePayload, OfferPledgeInput> = {
  type: "offerPledge",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { titleId: txId, bank: partyId, securedAmount: positiveAmount, currency, expiryDate: date }),
  build: (i) => ({ type: "offerPledge", titleId: i.titleId, bank: i.bank, securedAmount: toAmount("securedAmount", i.securedAmount), currency: i.currency, expiryDate: i.expiryDate }),
  targets: "title",
  target: (p) => p.titleId,
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  events: {
    pledgeOffered: (e, p, tx) =>
      want(
        e.titleId === p.titleId && e.holderId === tx.signer && e.bankId === p.bank && e.securedAmount === p.securedAmount && e.currency === p.currency && e.expiryDate === p.expiryDate,
        "title, holder, bank, amount, currency or expiry differs from the transaction",
      ),
  },
};
