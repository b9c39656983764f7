// grantConsent: a party lets a bank read its credit indicators and financial attestations until a
// date, inclusive (DESIGN.md §10). A later grant to the same bank replaces the earlier one; a date
// before the block's day revokes.
import { date, firstIssue, partyId } from "../checks.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";

export interface GrantConsent {
  bank: string;
  /** the last day the bank may read (UTC) */
  expiryDate: string;
}
export type GrantConsentPayload = { type: "grantConsent" } & GrantConsent;

export const grantConsentTx: TxFormat<GrantConsentPayload, GrantConsent> = {
  type: "grantConsent",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { bank: partyId, expiryDate: date }),
  build: (i) => ({ type: "grantConsent", bank: i.bank, expiryDate: i.expiryDate }),
  targets: "party",
  target: (p) => p.bank,
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  events: {
    consentGranted: (e, p, tx) => want(e.partyId === tx.signer && e.bankId === p.bank && e.expiryDate === p.expiryDate, "party, bank or expiry differs from the transaction"),
  },
};
