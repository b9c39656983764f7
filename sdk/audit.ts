// @tradeledger/sdk/audit: what an auditor's tools need beyond the client and the history verifiers
// of the main entry — a block's commit certificate (verifyBlock) and evidence bundles (signEvidence,
// verifyEvidence; docs/explorer.md) — apart, like the keystore, so pages that never use them do not
// carry them.
export { verifyBlock } from "./verify-block.js";
export type { BlockCheck } from "./verify-block.js";
export { EVIDENCE_FORMAT, EVIDENCE_SIGNING_DOMAIN, evidenceSigningBytes, signEvidence, verifyEvidence } from "./evidence.js";
export type { EvidenceBundle, EvidenceCheck, UnsignedEvidence } from "./evidence.js";
