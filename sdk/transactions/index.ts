// The registry of transaction types: one entry per type, each defined in its own file here. The
// union of payloads, the list of types and the per-type lookup are derived from this list, so a
// type exists for the SDK exactly when it is listed below (the ledger's rules, node/ledger/tx/,
// are a mapped type over the same union: a type without a rule does not compile).
import type { TxFormat } from "./format.js";
import { anchorDocumentTx } from "./anchor-document.js";
import { attestShipmentTx } from "./attest-shipment.js";
import { cancelReceivableTx } from "./cancel-receivable.js";
import { financeReceivableTx } from "./finance-receivable.js";
import { recordRepaymentTx } from "./record-repayment.js";
import { registerPartyTx } from "./register-party.js";
import { registerReceivableTx } from "./register-receivable.js";
import { grantCreditLineTx } from "./grant-credit-line.js";
import { adjustCreditLineTx } from "./adjust-credit-line.js";
import { issueWarrantTx } from "./issue-warrant.js";
import { transferWarrantTx } from "./transfer-warrant.js";
import { offerWarrantTx } from "./offer-warrant.js";
import { withdrawOfferTx } from "./withdraw-offer.js";
import { declineOfferTx } from "./decline-offer.js";
import { financeWarrantTx } from "./finance-warrant.js";
import { confirmWarrantPaymentTx } from "./confirm-warrant-payment.js";
// title documents and pledges (DESIGN.md §8)
import { attestStockTx } from "./attest-stock.js";
import { issueTitleTx } from "./issue-title.js";
import { transferTitleTx } from "./transfer-title.js";
import { offerPledgeTx } from "./offer-pledge.js";
import { acceptPledgeTx } from "./accept-pledge.js";
import { releasePledgeTx } from "./release-pledge.js";
import { surrenderTitleTx } from "./surrender-title.js";
// the buyer's word (DESIGN.md §9)
import { acknowledgeReceivableTx } from "./acknowledge-receivable.js";
import { disputeReceivableTx } from "./dispute-receivable.js";
import { resolveDisputeTx } from "./resolve-dispute.js";
import { notifyAssignmentTx } from "./notify-assignment.js";
// supervision (DESIGN.md §11)
import { setRuleTx } from "./set-rule.js";
import { retireRuleTx } from "./retire-rule.js";
// before, during and after lending (DESIGN.md §10)
import { proposeExtensionTx } from "./propose-extension.js";
import { acceptExtensionTx } from "./accept-extension.js";
import { writeOffTx } from "./write-off.js";
import { attestFinancialsTx } from "./attest-financials.js";
import { grantConsentTx } from "./grant-consent.js";
// post-lending for warrant pieces (docs/warrants.md)
import { proposePieceExtensionTx } from "./propose-piece-extension.js";
import { acceptPieceExtensionTx } from "./accept-piece-extension.js";
import { writeOffPieceTx } from "./write-off-piece.js";
// governance: validator-set changes (DESIGN.md §12)
import { proposeValidatorChangeTx } from "./propose-validator-change.js";
import { approveValidatorChangeTx } from "./approve-validator-change.js";
// governance: observers and party keys (DESIGN.md §12)
import { admitObserverTx } from "./admit-observer.js";
import { removeObserverTx } from "./remove-observer.js";
import { rotateKeyTx } from "./rotate-key.js";
import { resetPartyKeyTx } from "./reset-party-key.js";

/** Every transaction type, in the order of the proto TxBody.payload oneof (docs/ledger.md). */
export const TX_FORMAT_LIST = [
  registerPartyTx,
  registerReceivableTx,
  attestShipmentTx,
  financeReceivableTx,
  recordRepaymentTx,
  cancelReceivableTx,
  anchorDocumentTx,
  grantCreditLineTx,
  adjustCreditLineTx,
  issueWarrantTx,
  transferWarrantTx,
  offerWarrantTx,
  withdrawOfferTx,
  declineOfferTx,
  financeWarrantTx,
  confirmWarrantPaymentTx,
  // title documents and pledges (DESIGN.md §8)
  attestStockTx,
  issueTitleTx,
  transferTitleTx,
  offerPledgeTx,
  acceptPledgeTx,
  releasePledgeTx,
  surrenderTitleTx,
  // the buyer's word (DESIGN.md §9)
  acknowledgeReceivableTx,
  disputeReceivableTx,
  resolveDisputeTx,
  notifyAssignmentTx,
  // supervision (DESIGN.md §11)
  setRuleTx,
  retireRuleTx,
  // before, during and after lending (DESIGN.md §10)
  proposeExtensionTx,
  acceptExtensionTx,
  writeOffTx,
  attestFinancialsTx,
  grantConsentTx,
  // post-lending for warrant pieces
  proposePieceExtensionTx,
  acceptPieceExtensionTx,
  writeOffPieceTx,
  // governance: validator-set changes (DESIGN.md §12)
  proposeValidatorChangeTx,
  approveValidatorChangeTx,
  // governance: observers and party keys (DESIGN.md §12)
  admitObserverTx,
  removeObserverTx,
  rotateKeyTx,
  resetPartyKeyTx,
] as const;

type Listed = (typeof TX_FORMAT_LIST)[number];
type PayloadOfListed<F> = F extends TxFormat<infer P, infer _I> ? P : never;
type InputOfListed<F> = F extends TxFormat<infer _P, infer I> ? I : never;

/** A transaction's payload: one member per transaction type, discriminated by `type`. */
export type TxPayload = PayloadOfListed<Listed>;
export type TxType = TxPayload["type"];
export type PayloadOf<T extends TxType> = Extract<TxPayload, { type: T }>;
/** The builder input of a type: what `tx.<type>(input)` takes. */
export type InputOf<T extends TxType> = InputOfListed<Extract<Listed, { type: T }>>;
export type FormatOf<T extends TxType> = TxFormat<PayloadOf<T>, InputOf<T>>;

export const TX_TYPES: readonly TxType[] = TX_FORMAT_LIST.map((f) => f.type);

/** Each type's format, keyed by type. */
export const TX_FORMATS: { readonly [K in TxType]: FormatOf<K> } = Object.fromEntries(TX_FORMAT_LIST.map((f) => [f.type, f])) as never;

/** The format of a known type; undefined for anything else (a hand-built or hostile payload). */
export function formatOf(type: unknown): TxFormat<TxPayload, unknown> | undefined {
  return typeof type === "string" && Object.prototype.hasOwnProperty.call(TX_FORMATS, type) ? (TX_FORMATS[type as TxType] as TxFormat<TxPayload, unknown>) : undefined;
}

/** A receivable id is the hash of its registering transaction: 64 lower-case hex digits. */
export const RECEIVABLE_ID_RE = /^[0-9a-f]{64}$/;

/**
 * The receivables a transaction aims at, from its payload and receipt target alone (not its
 * events): what the history index files a rejected attempt under, and part of what the RPC
 * shows to whom. Ids from a payload are caller-chosen, so only well-formed ids are returned.
 */
export function receivableIdsNamed(payload: TxPayload | undefined, target: string): Set<string> {
  const ids = new Set<string>();
  const format = formatOf(payload?.type);
  if (format && payload) {
    try {
      for (const id of format.receivablesNamed(payload)) ids.add(id);
    } catch {
      // a payload too broken to name anything (possible only for hand-built objects)
    }
  }
  ids.add(target);
  for (const id of ids) if (typeof id !== "string" || !RECEIVABLE_ID_RE.test(id)) ids.delete(id);
  return ids;
}

export type { RegisterParty, RegisterPartyInput } from "./register-party.js";
export type { RegisterReceivable, RegisterReceivableInput } from "./register-receivable.js";
export type { AttestShipment, AttestShipmentInput } from "./attest-shipment.js";
export type { FinanceReceivable, FinanceReceivableInput } from "./finance-receivable.js";
export type { RecordRepayment, RecordRepaymentInput } from "./record-repayment.js";
export type { CancelReceivable, CancelReceivableInput } from "./cancel-receivable.js";
export type { AnchorDocument, AnchorDocumentInput } from "./anchor-document.js";
export type { GrantCreditLine, GrantCreditLineInput } from "./grant-credit-line.js";
export type { AdjustCreditLine, AdjustCreditLineInput } from "./adjust-credit-line.js";
export type { IssueWarrant, IssueWarrantInput } from "./issue-warrant.js";
export type { TransferWarrant, TransferWarrantInput, WarrantOutput } from "./transfer-warrant.js";
export type { OfferWarrant } from "./offer-warrant.js";
export type { WithdrawOffer } from "./withdraw-offer.js";
export type { DeclineOffer } from "./decline-offer.js";
export type { FinanceWarrant, FinanceWarrantInput } from "./finance-warrant.js";
export type { ConfirmWarrantPayment } from "./confirm-warrant-payment.js";
// title documents and pledges (DESIGN.md §8)
export type { AttestStock, AttestStockInput } from "./attest-stock.js";
export type { IssueTitle, IssueTitleInput } from "./issue-title.js";
export type { TransferTitle } from "./transfer-title.js";
export type { OfferPledge, OfferPledgeInput } from "./offer-pledge.js";
export type { AcceptPledge } from "./accept-pledge.js";
export type { ReleasePledge } from "./release-pledge.js";
export type { SurrenderTitle } from "./surrender-title.js";
// the buyer's word (DESIGN.md §9)
export type { AcknowledgeReceivable, AcknowledgeReceivableInput } from "./acknowledge-receivable.js";
export type { DisputeReceivable, DisputeReceivableInput } from "./dispute-receivable.js";
export type { ResolveDispute } from "./resolve-dispute.js";
export type { NotifyAssignment, NotifyAssignmentInput } from "./notify-assignment.js";
// supervision (DESIGN.md §11)
export type { SetRule, SetRuleInput } from "./set-rule.js";
export type { RetireRule } from "./retire-rule.js";
// before, during and after lending (DESIGN.md §10)
export type { ProposeExtension } from "./propose-extension.js";
export type { AcceptExtension } from "./accept-extension.js";
export type { WriteOff } from "./write-off.js";
export type { AttestFinancials, AttestFinancialsInput, Figure } from "./attest-financials.js";
export type { GrantConsent } from "./grant-consent.js";
// governance: observers and party keys (DESIGN.md §12)
export type { AdmitObserver, AdmitObserverInput } from "./admit-observer.js";
export type { RemoveObserver, RemoveObserverInput } from "./remove-observer.js";
export type { RotateKey, RotateKeyInput } from "./rotate-key.js";
export type { ResetPartyKey, ResetPartyKeyInput } from "./reset-party-key.js";
export { keyPossessionMessage, keyPossessionProof, verifyKeyPossession, nodeKeyPossessionMessage, nodeKeyPossessionProof, verifyNodeKeyPossession } from "./key-possession.js";
export type { EventCheck, TargetKind, TxFormat } from "./format.js";
export { pieceIdOf } from "./warrant-common.js";
