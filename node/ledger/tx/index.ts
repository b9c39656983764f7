// The ledger's rule for every transaction type, keyed by type. A mapped type over the SDK's union
// of payloads (sdk/transactions/): a type without its rule, or a rule with a missing part, does not
// compile. Each rule lives in its own file beside this one.
import type { PayloadOf, TxType } from "../../../sdk/transactions/index.js";
import { anchorDocumentRule } from "./anchor-document.js";
import { attestShipmentRule } from "./attest-shipment.js";
import { cancelReceivableRule } from "./cancel-receivable.js";
import { financeReceivableRule } from "./finance-receivable.js";
import { recordRepaymentRule } from "./record-repayment.js";
import { registerPartyRule } from "./register-party.js";
import { registerReceivableRule } from "./register-receivable.js";
import type { TxRule } from "./rule.js";
import { grantCreditLineRule } from "./grant-credit-line.js";
import { adjustCreditLineRule } from "./adjust-credit-line.js";
import { issueWarrantRule } from "./issue-warrant.js";
import { transferWarrantRule } from "./transfer-warrant.js";
import { offerWarrantRule } from "./offer-warrant.js";
import { withdrawOfferRule } from "./withdraw-offer.js";
import { declineOfferRule } from "./decline-offer.js";
import { financeWarrantRule } from "./finance-warrant.js";
import { confirmWarrantPaymentRule } from "./confirm-warrant-payment.js";
// title documents and pledges (DESIGN.md §8)
import { attestStockRule } from "./attest-stock.js";
import { issueTitleRule } from "./issue-title.js";
import { transferTitleRule } from "./transfer-title.js";
import { offerPledgeRule } from "./offer-pledge.js";
import { acceptPledgeRule } from "./accept-pledge.js";
import { releasePledgeRule } from "./release-pledge.js";
import { surrenderTitleRule } from "./surrender-title.js";
// the buyer's word (DESIGN.md §9)
import { acknowledgeReceivableRule } from "./acknowledge-receivable.js";
import { disputeReceivableRule } from "./dispute-receivable.js";
import { resolveDisputeRule } from "./resolve-dispute.js";
import { notifyAssignmentRule } from "./notify-assignment.js";
// supervision (DESIGN.md §11)
import { setRuleRule } from "./set-rule.js";
import { retireRuleRule } from "./retire-rule.js";
// before, during and after lending (DESIGN.md §10)
import { proposeExtensionRule } from "./propose-extension.js";
import { acceptExtensionRule } from "./accept-extension.js";
import { writeOffRule } from "./write-off.js";
import { attestFinancialsRule } from "./attest-financials.js";
import { grantConsentRule } from "./grant-consent.js";
import { proposePieceExtensionRule } from "./propose-piece-extension.js";
import { acceptPieceExtensionRule } from "./accept-piece-extension.js";
import { writeOffPieceRule } from "./write-off-piece.js";
// governance: validator-set changes (DESIGN.md §12)
import { proposeValidatorChangeRule } from "./propose-validator-change.js";
import { approveValidatorChangeRule } from "./approve-validator-change.js";
// governance: observers and party keys (DESIGN.md §12)
import { admitObserverRule } from "./admit-observer.js";
import { removeObserverRule } from "./remove-observer.js";
import { rotateKeyRule } from "./rotate-key.js";
import { resetPartyKeyRule } from "./reset-party-key.js";

export const TX_RULES: { readonly [K in TxType]: TxRule<PayloadOf<K>> } = {
  [registerPartyRule.format.type]: registerPartyRule,
  [registerReceivableRule.format.type]: registerReceivableRule,
  [attestShipmentRule.format.type]: attestShipmentRule,
  [financeReceivableRule.format.type]: financeReceivableRule,
  [recordRepaymentRule.format.type]: recordRepaymentRule,
  [cancelReceivableRule.format.type]: cancelReceivableRule,
  [anchorDocumentRule.format.type]: anchorDocumentRule,
  [grantCreditLineRule.format.type]: grantCreditLineRule,
  [adjustCreditLineRule.format.type]: adjustCreditLineRule,
  [issueWarrantRule.format.type]: issueWarrantRule,
  [transferWarrantRule.format.type]: transferWarrantRule,
  [offerWarrantRule.format.type]: offerWarrantRule,
  [withdrawOfferRule.format.type]: withdrawOfferRule,
  [declineOfferRule.format.type]: declineOfferRule,
  [financeWarrantRule.format.type]: financeWarrantRule,
  [confirmWarrantPaymentRule.format.type]: confirmWarrantPaymentRule,
  // title documents and pledges (DESIGN.md §8)
  [attestStockRule.format.type]: attestStockRule,
  [issueTitleRule.format.type]: issueTitleRule,
  [transferTitleRule.format.type]: transferTitleRule,
  [offerPledgeRule.format.type]: offerPledgeRule,
  [acceptPledgeRule.format.type]: acceptPledgeRule,
  [releasePledgeRule.format.type]: releasePledgeRule,
  [surrenderTitleRule.format.type]: surrenderTitleRule,
  // the buyer's word (DESIGN.md §9)
  [acknowledgeReceivableRule.format.type]: acknowledgeReceivableRule,
  [disputeReceivableRule.format.type]: disputeReceivableRule,
  [resolveDisputeRule.format.type]: resolveDisputeRule,
  [notifyAssignmentRule.format.type]: notifyAssignmentRule,
  // supervision (DESIGN.md §11)
  [setRuleRule.format.type]: setRuleRule,
  [retireRuleRule.format.type]: retireRuleRule,
  // before, during and after lending (DESIGN.md §10)
  [proposeExtensionRule.format.type]: proposeExtensionRule,
  [acceptExtensionRule.format.type]: acceptExtensionRule,
  [writeOffRule.format.type]: writeOffRule,
  [attestFinancialsRule.format.type]: attestFinancialsRule,
  [grantConsentRule.format.type]: grantConsentRule,
  [proposePieceExtensionRule.format.type]: proposePieceExtensionRule,
  [acceptPieceExtensionRule.format.type]: acceptPieceExtensionRule,
  [writeOffPieceRule.format.type]: writeOffPieceRule,
  // governance: validator-set changes (DESIGN.md §12)
  [proposeValidatorChangeRule.format.type]: proposeValidatorChangeRule,
  [approveValidatorChangeRule.format.type]: approveValidatorChangeRule,
  // governance: observers and party keys (DESIGN.md §12)
  [admitObserverRule.format.type]: admitObserverRule,
  [removeObserverRule.format.type]: removeObserverRule,
  [rotateKeyRule.format.type]: rotateKeyRule,
  [resetPartyKeyRule.format.type]: resetPartyKeyRule,
};

/** Roles that may sign each transaction type (docs/ledger.md "Who may sign what"). */
export const WRITERS: { readonly [K in TxType]: TxRule<PayloadOf<K>>["signers"] } = Object.fromEntries(
  Object.entries(TX_RULES).map(([type, rule]) => [type, rule.signers]),
) as never;

export { MAX_RECEIVABLES_PER_DECLARATION } from "./attest-shipment.js";
export { MAX_FINANCINGS_PER_RECEIVABLE } from "./finance-receivable.js";
export { DEFAULT_RULE_PARAMS, LedgerInvariantError, Rejection, reject, type PieceKeyFields, type ReceivableKeyFields, type RuleParams, type TransitionContext, type TxRule } from "./rule.js";
