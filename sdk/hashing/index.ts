// Document hashing (DESIGN.md §3), one file per concern: canonical-json.ts (RFC 8785),
// document-hash.ts (the salted per-field Merkle root anchored as a document's hash), disclosure.ts
// (one field revealed with its audit path), verify-document.ts (the lender's check against the
// ledger), limits.ts (what cannot be hashed). docs/hashing.md specifies every byte;
// test/vectors/hashing.json pins them. Browser-safe: @noble/hashes only, no node:* imports.
export { DOCUMENT_LIMITS, HashingError, type HashingErrorKind } from "./limits.js";
export { canonicalJson, canonicalJsonBytes } from "./canonical-json.js";
export {
  DOCUMENT_TAGS,
  documentLeafHash,
  FIELD_TYPE_CODES,
  hashDocument,
  leafPreimage,
  SALT_BYTES,
  type DocumentCommitment,
  type DocumentLeaf,
  type FieldType,
  type HashDocumentOptions,
} from "./document-hash.js";
export { discloseField, verifyDisclosure, type Disclosure } from "./disclosure.js";
export {
  decimalToMinorUnits,
  verifyDocument,
  type AnchoredDocument,
  type DocumentKind,
  type DocumentVerification,
  type VerificationProblem,
  type VerificationProblemCode,
} from "./verify-document.js";
