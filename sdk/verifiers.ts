// @tradeledger/sdk/verify: checking what a node answered against the validator set, without the
// RPC client, the transaction builders' inputs or the route schemas. For an auditor's page or a
// lender's back office that receives histories, proofs and documents from elsewhere. (The main
// entry exports all of this too; a bundler keeps only what is imported either way, this entry says
// so in the import.)
export { eventContradiction, validatorSetFromGenesis, verifyHistory, verifyObjectHistory, verifyTx } from "./verify.js";
export { pledgesOfHistory, verifyTitlePledges } from "./verify-title.js";
export type { TitlePledgesReport } from "./verify-title.js";
export type { ValidatorSet, VerificationProblem, VerificationProblemCode, VerificationReport } from "./verify.js";
// the chain of validator sets (docs/governance.md §5): verifyValidatorSets is in @tradeledger/sdk/audit
export type { EpochLink, EpochLinkJson, EpochLinkProblem, EpochLinkProblemCode, ValidatorSetsReport } from "./epochs.js";
export type { EpochProblemCode, EpochValidators, TrustedValidators, ValidatorSetChain } from "./certified.js";
export { verifyPiece } from "./verify-piece.js";
export type { PieceAncestry, PieceProblem, PieceProblemCode, PieceVerificationReport, VerifyPieceOptions } from "./verify-piece.js";
export { batchDigest, checkpointSigningBytes, commitSigningBytes, faultTolerance, quorumSize, verifyCommitCertificate } from "./commit.js";
export type { CertificateCheck, CommitCertificate, CommitSignature, Validator } from "./commit.js";
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
export { checkHistoryComplete, decodeHistoryChain, historyChainKey, nextHistoryHead, EMPTY_HISTORY_HEAD, HISTORY_CHAIN_DOMAIN } from "./history-chain.js";
export type { CompletenessCheck, HistoryChain, HistoryKind, HistoryPosition } from "./history-chain.js";
export * from "./proofs.js";
export { verifyInclusion, merkleRoot, inclusionProof } from "./merkle.js";
export { verifyDocument, verifyDisclosure } from "./hashing/index.js";
export { verifyTxSignature } from "./tx.js";
export { nobleCrypto, sha256 } from "./crypto.js";
