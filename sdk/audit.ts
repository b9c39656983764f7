// @tradeledger/sdk/audit: what an auditor's tools need beyond the client and the history verifiers
// of the main entry — a block's commit certificate (verifyBlock), evidence bundles (signEvidence,
// verifyEvidence, evidenceLinks: a bundle carries the epoch links it needs; docs/explorer.md) and
// the chain of validator sets of a chain whose set changed (verifyValidatorSets; docs/governance.md
// §5) — apart, like the keystore, so pages that never use them do not carry them.
export { verifyBlock } from "./verify-block.js";
export type { BlockCheck } from "./verify-block.js";
export {
  EVIDENCE_FORMAT,
  EVIDENCE_FORMAT_V1,
  EVIDENCE_SIGNING_DOMAIN,
  EVIDENCE_SIGNING_DOMAIN_V1,
  epochsNamed,
  evidenceLinks,
  evidenceSigningBytes,
  signEvidence,
  verifyEvidence,
} from "./evidence.js";
export type { EvidenceBundle, EvidenceBundleV1, EvidenceCheck, EvidenceFormat, EvidenceProblem, EvidenceProblemCode, UnsignedEvidence } from "./evidence.js";
export { epochLinkFromJson, epochLinkToJson, VALIDATOR_SET_STATE_KEY, verifyValidatorSets } from "./epochs.js";
export type { EpochLink, EpochLinkJson, EpochLinkProblem, EpochLinkProblemCode, ValidatorSetsReport } from "./epochs.js";
export type { EpochProblemCode, EpochValidators, TrustedValidators, ValidatorSetChain } from "./certified.js";
