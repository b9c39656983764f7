// The SDK's public surface (the `@tradeledger/sdk` package, DESIGN §5). Browser-safe: nothing under sdk/
// imports node:*; test/browser.test.ts bundles this file for the browser and runs it in Chromium.
//
//   const client = createClient({ url: "http://127.0.0.1:7001", signer });
//   const doc = hashDocument(invoice);
//   const receipt = await client.submit(tx.<type>({ ... }), exporter, { wait: "commit" });   // sdk/transactions/
//   verifyHistory(await client.getFullHistory(id), validatorSetFromGenesis(genesis));

// the RPC client, request signing and route definitions. createClient: the full client, a method
// per call. createClientCore + the functions below (getReceivable(core, id), ...): the same calls,
// of which a bundle carries only those it uses (docs/api.md, "The SDK package").
export { createClient, loadSigner, paginate, TradeLedgerClient, TxPendingError } from "./client.js";
export { ClientCore, createClientCore } from "./client-core.js";
export {
  events,
  getAgingReport,
  getAlerts,
  getBlock,
  getBlockTxs,
  getCertifiedHeader,
  getConcentrationReport,
  getCreditLine,
  getDocument,
  getExposure,
  getFinancials,
  getFingerprint,
  getFullHistory,
  getFullHistoryOf,
  getGovernance,
  getHistory,
  getHistoryOf,
  getIndicators,
  getLot,
  getObservers,
  getOpenApi,
  getParty,
  getPiece,
  getReceivable,
  getRejections,
  getRules,
  getStatus,
  getTitle,
  getTx,
  getValidatorSets,
  getWarrant,
  listPieces,
  listReceivables,
  listTitles,
  registerInvoice,
  submit,
  submitMany,
  submitSigned,
  verifiedHistory,
  verifiedReport,
  verifiedTitle,
  waitForTx,
} from "./calls.js";
export type { AnswerOf, RequestArgs } from "./client-core.js";
export type {
  AlertQuery,
  ClientOptions,
  CommittedTx,
  EventFilter,
  EventStreamOptions,
  LedgerEventOf,
  LedgerEventType,
  RegisteredInvoice,
  WaitOptions,
  LotPage,
  Page,
  PageOptions,
  PendingTx,
  PieceQuery,
  ReadOptions,
  ReceivableQuery,
  RejectionQuery,
  SubmitOptions,
  SubmitManyOptions,
  TitlePage,
  TitleQuery,
  FullHistoryOptions,
} from "./client.js";
export { ALERT_EVENT, EVENT_TYPES, REJECTED_EVENT } from "./api/primitives.js";
export { routes } from "./api/routes.js";
export type { HistoryPageJson, ObjectHistoryPageJson, RouteDef, RouteId } from "./api/routes.js";
export { AUTH_HEADERS, MAX_CLOCK_SKEW_MS, READ_SIGNING_DOMAIN, readSigningBytes, REQUEST_NONCE_BYTES, signedReadHeaders } from "./api/signed-reads.js";
export { DOMAIN_REJECTIONS, httpStatusOf } from "./api/errors.js";
export type { ErrorJson } from "./api/errors.js";
export type {
  AlertRecordJson,
  BlockJson,
  BlockProofJson,
  CertificateJson,
  CreditLineJson,
  CreditLineRecordJson,
  EventJson,
  ExposureJson,
  GoodsJson,
  HistoryEntryJson,
  LedgerEventJson,
  LotRecordJson,
  PartyJson,
  PieceItemJson,
  PieceJson,
  PieceProofsJson,
  PieceRecordJson,
  PieceStepJson,
  PledgeHistoryJson,
  PledgeRecordJson,
  PledgeStepJson,
  ReceiptJson,
  ReceivableJson,
  ReceivableRecordJson,
  StatusJson,
  SubmitResultJson,
  TitleJson,
  TitleRecordJson,
  TxEntryJson,
  TxJson,
  WarrantRecordJson,
  WarrantTreeJson,
} from "./api/schemas.js";

// verification against the validator set
export { eventContradiction, validatorSetFromGenesis, verifyHistory, verifyObjectHistory, verifyTx } from "./verify.js";
export type { ValidatorSet, VerificationProblem, VerificationProblemCode, VerificationReport } from "./verify.js";
// the chain of validator sets (docs/governance.md §5): verifyValidatorSets is in @tradeledger/sdk/audit
export type { EpochLink, EpochLinkJson, EpochLinkProblem, EpochLinkProblemCode, ValidatorSetsReport } from "./epochs.js";
export type { EpochProblemCode, EpochValidators, TrustedValidators, ValidatorSetChain } from "./certified.js";
export { verifyPiece } from "./verify-piece.js";
export { pledgesOfHistory, verifyTitlePledges } from "./verify-title.js";
export type { PledgeOf, PledgeOutcome, TitlePledgesReport } from "./verify-title.js";
// verifyBlock and evidence bundles (signEvidence, verifyEvidence): the subpath @tradeledger/sdk/audit
// before, during and after lending (DESIGN.md §10-§11, docs/lending.md)
export {
  AGING_BUCKETS,
  agingBucket,
  currencyExponent,
  daysPastDue,
} from "./domain.js";
export type { AgingBucket } from "./domain.js";
export {
  agingOf,
  concentrationOf,
  EXAMPLE_SCORECARD,
  INDICATORS_VERSION,
  indicatorsFromJson,
  indicatorsOf,
  scoreParty,
  scorecardHash,
  checkScorecard,
  verifyReport,
} from "./lending.js";
export type { Indicators, Scorecard, ScorecardCharacteristic, ScoreResult, ReportVerification, ReportBindingJson, ReportRecordJson, IndicatorsBindingJson, StateBindingJson } from "./lending.js";
export type { AgingReportJson, ConcentrationReportJson, FinancialsJson, IndicatorsJson } from "./api/lending-schemas.js";
export type { PieceAncestry, PieceProblem, PieceProblemCode, PieceVerificationReport, VerifyPieceOptions } from "./verify-piece.js";
export { pieceIdOf } from "./transactions/warrant-common.js";
// governance (DESIGN.md §12, docs/governance.md): a new key's proof of possession
export { keyPossessionMessage, keyPossessionProof, verifyKeyPossession, nodeKeyPossessionMessage, nodeKeyPossessionProof, verifyNodeKeyPossession } from "./transactions/key-possession.js";
export { batchDigest, checkpointSigningBytes, commitSigningBytes, faultTolerance, quorumSize, verifyCommitCertificate } from "./commit.js";
export {
  certifiedHeaderFromJson,
  certifiedHeaderToJson,
  MAX_CERTIFIED_CHAIN,
  verifyCertifiedHeader,
  verifyCertifiedState,
  verifyCheckpointCertificate,
  validatorsForEpoch,
} from "./certified.js";
export type { CertifiedHeaderCheck, CertifiedHeaderProof, CertifiedHeaderProofJson, CheckpointCertificate, CheckpointSignature } from "./certified.js";
export { partyKeyAt, partyStateKey, SIGNATURE_NOT_ACCEPTED, verifySignerKeys } from "./signers.js";
export type { SignerKeysCheck, SignerKeysJson } from "./signers.js";
export { checkHistoryComplete, decodeHistoryChain, historyChainKey, historyEntriesOfTx, nextHistoryHead, EMPTY_HISTORY_HEAD, HISTORY_CHAIN_DOMAIN, HISTORY_KINDS } from "./history-chain.js";
export type { CompletenessCheck, HistoryChain, HistoryKind, HistoryMembership, HistoryPosition, ObjectKind } from "./history-chain.js";
export type { CertificateCheck, CommitCertificate, CommitSignature, Validator } from "./commit.js";
export * from "./proofs.js";
export { verifyInclusion, merkleRoot, inclusionProof } from "./merkle.js";

// JSON views
export { bytesFromJson, certificateFromJson, eventFromJson, receiptFromJson, sameJson, toJsonView, u64FromJson } from "./json.js";
export type { JsonView } from "./json.js";

// documents, fingerprints, keys, transactions
export * from "./hashing/index.js";
export * from "./fingerprint.js";
export * from "./builders.js";
export { invoiceRegistration } from "./transactions/register-receivable.js";
export type { InvoiceRegistration, InvoiceRegistrationOptions } from "./transactions/register-receivable.js";
export * from "./signer.js";
export {
  assertValidPayload,
  assertValidTxBody,
  checkPayload,
  checkTxBody,
  isCalendarDate,
  txBodyFormatError,
  LIMITS,
  MalformedError,
  PARTY_ID_RE,
  CHAIN_ID_RE,
  TX_ID_RE,
  CURRENCY_RE,
  COUNTRY_RE,
} from "./validate.js";
export type { PayloadIssue } from "./validate.js";
export * from "./errors.js";
export * from "./types.js";
export { decodeTx, signTx, txSigningBytes, verifyTxSignature, MAX_TX_BYTES, NONCE_BYTES, TX_SIGNING_DOMAIN } from "./tx.js";
export type { Tx } from "./tx.js";
export { isStrongPublicKey, nobleCrypto, randomBytes, sha256, SEED_BYTES, SIGNATURE_BYTES } from "./crypto.js";
export type { Crypto } from "./crypto.js";
export { fromHex, toHex, isHex, equalBytes, utf8 } from "./bytes.js";
