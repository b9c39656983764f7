// The transaction payloads as JSON: each type's JSON view (the file beside its format,
// sdk/transactions/<type>.view.ts), listed in the order of the registry (sdk/transactions/index.ts)
// and joined into one union for the RPC and the OpenAPI document. Only sdk/api imports the views, so
// a client bundle that never parses a transaction's JSON carries none of them.
import * as z from "zod/mini";
import { named } from "./primitives.js";
import type { TxType } from "../transactions/index.js";
import { RegisterPartyJson } from "../transactions/register-party.view.js";
import { RegisterReceivableJson } from "../transactions/register-receivable.view.js";
import { AttestShipmentJson } from "../transactions/attest-shipment.view.js";
import { FinanceReceivableJson } from "../transactions/finance-receivable.view.js";
import { RecordRepaymentJson } from "../transactions/record-repayment.view.js";
import { CancelReceivableJson } from "../transactions/cancel-receivable.view.js";
import { AnchorDocumentJson } from "../transactions/anchor-document.view.js";
import { GrantCreditLineJson } from "../transactions/grant-credit-line.view.js";
import { AdjustCreditLineJson } from "../transactions/adjust-credit-line.view.js";
import { IssueWarrantJson } from "../transactions/issue-warrant.view.js";
import { TransferWarrantJson } from "../transactions/transfer-warrant.view.js";
import { OfferWarrantJson } from "../transactions/offer-warrant.view.js";
import { WithdrawOfferJson } from "../transactions/withdraw-offer.view.js";
import { DeclineOfferJson } from "../transactions/decline-offer.view.js";
import { FinanceWarrantJson } from "../transactions/finance-warrant.view.js";
import { ConfirmWarrantPaymentJson } from "../transactions/confirm-warrant-payment.view.js";
import { AttestStockJson } from "../transactions/attest-stock.view.js";
import { IssueTitleJson } from "../transactions/issue-title.view.js";
import { TransferTitleJson } from "../transactions/transfer-title.view.js";
import { OfferPledgeJson } from "../transactions/offer-pledge.view.js";
import { AcceptPledgeJson } from "../transactions/accept-pledge.view.js";
import { ReleasePledgeJson } from "../transactions/release-pledge.view.js";
import { SurrenderTitleJson } from "../transactions/surrender-title.view.js";
import { AcknowledgeReceivableJson } from "../transactions/acknowledge-receivable.view.js";
import { DisputeReceivableJson } from "../transactions/dispute-receivable.view.js";
import { ResolveDisputeJson } from "../transactions/resolve-dispute.view.js";
import { NotifyAssignmentJson } from "../transactions/notify-assignment.view.js";
import { SetRuleJson } from "../transactions/set-rule.view.js";
import { RetireRuleJson } from "../transactions/retire-rule.view.js";
import { ProposeExtensionJson } from "../transactions/propose-extension.view.js";
import { AcceptExtensionJson } from "../transactions/accept-extension.view.js";
import { WriteOffJson } from "../transactions/write-off.view.js";
import { AttestFinancialsJson } from "../transactions/attest-financials.view.js";
import { GrantConsentJson } from "../transactions/grant-consent.view.js";
import { ProposePieceExtensionJson } from "../transactions/propose-piece-extension.view.js";
import { AcceptPieceExtensionJson } from "../transactions/accept-piece-extension.view.js";
import { WriteOffPieceJson } from "../transactions/write-off-piece.view.js";
import { ProposeValidatorChangeJson } from "../transactions/propose-validator-change.view.js";
import { ApproveValidatorChangeJson } from "../transactions/approve-validator-change.view.js";
import { AdmitObserverJson } from "../transactions/admit-observer.view.js";
import { RemoveObserverJson } from "../transactions/remove-observer.view.js";
import { RotateKeyJson } from "../transactions/rotate-key.view.js";
import { ResetPartyKeyJson } from "../transactions/reset-party-key.view.js";

export { TxTypeSchema } from "./views/core.js";

/** Every type's payload view, in the order of TX_FORMAT_LIST (test/architecture.test.ts checks it). */
export const TX_PAYLOAD_VIEWS = [
  RegisterPartyJson,
  RegisterReceivableJson,
  AttestShipmentJson,
  FinanceReceivableJson,
  RecordRepaymentJson,
  CancelReceivableJson,
  AnchorDocumentJson,
  GrantCreditLineJson,
  AdjustCreditLineJson,
  IssueWarrantJson,
  TransferWarrantJson,
  OfferWarrantJson,
  WithdrawOfferJson,
  DeclineOfferJson,
  FinanceWarrantJson,
  ConfirmWarrantPaymentJson,
  AttestStockJson,
  IssueTitleJson,
  TransferTitleJson,
  OfferPledgeJson,
  AcceptPledgeJson,
  ReleasePledgeJson,
  SurrenderTitleJson,
  AcknowledgeReceivableJson,
  DisputeReceivableJson,
  ResolveDisputeJson,
  NotifyAssignmentJson,
  SetRuleJson,
  RetireRuleJson,
  ProposeExtensionJson,
  AcceptExtensionJson,
  WriteOffJson,
  AttestFinancialsJson,
  GrantConsentJson,
  ProposePieceExtensionJson,
  AcceptPieceExtensionJson,
  WriteOffPieceJson,
  ProposeValidatorChangeJson,
  ApproveValidatorChangeJson,
  AdmitObserverJson,
  RemoveObserverJson,
  RotateKeyJson,
  ResetPartyKeyJson,
] as const;

// Every registered type has its view, and no view is of an unregistered type: a compile error here
// names the missing or extra one.
type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Viewed = z.output<(typeof TX_PAYLOAD_VIEWS)[number]>["type"];
const complete: [Equal<Viewed, TxType>, Exclude<TxType, Viewed>, Exclude<Viewed, TxType>] = [true, undefined as never, undefined as never];
void complete;

export const TxPayloadView = z.discriminatedUnion("type", TX_PAYLOAD_VIEWS as unknown as [(typeof TX_PAYLOAD_VIEWS)[number], ...(typeof TX_PAYLOAD_VIEWS)[number][]]).apply(named, "TxPayload");
