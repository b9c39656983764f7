// What cannot be hashed: the limits every implementation enforces identically and the error thrown
// for a value that breaks them or is not JSON (docs/hashing.md §2.5). Browser-safe.

export type HashingErrorKind =
  | "invalid_argument" // an argument of the wrong type (salts not an object, path not a string...)
  | "unsupported_type" // undefined, function, symbol, bigint: not JSON
  | "not_plain_object" // class instances, Map, Date, arrays with holes or extra properties
  | "non_finite_number" // NaN, Infinity (RFC 8785 §3.2.2.3 has no form for them)
  | "lone_surrogate" // a string or key that is not well-formed UTF-16 (RFC 8785 §3.2.2.2)
  | "too_deep"
  | "too_large"
  | "bad_salt" // not 32 bytes of lower-case hex, or two fields with one salt
  | "salt_mismatch" // salts for paths the document does not have, or fields without a salt
  | "bad_random" // the injected random source returned something other than 32 bytes
  | "unknown_path"; // discloseField: the document has no field at that path

/** A value that cannot be hashed safely. Maps to MALFORMED / 400 at the API edge. */
export class HashingError extends Error {
  override readonly name = "HashingError";
  readonly code = "MALFORMED" as const;
  constructor(
    readonly kind: HashingErrorKind,
    message: string,
    /** JSON Pointer (RFC 6901) of the offending value, when there is one. */
    readonly path?: string,
  ) {
    super(path === undefined ? message : `${path === "" ? "(root)" : path}: ${message}`);
  }
}

/** Limits every implementation enforces identically (docs/hashing.md §2.5). */
export const DOCUMENT_LIMITS = {
  /** Objects and arrays nested inside one another, the root included (so pointers have <= 32 tokens). */
  maxDepth: 32,
  /** Leaves (every scalar, object and array, the root included). */
  maxLeaves: 65_536,
  /** UTF-8 bytes of one JSON Pointer. */
  maxPathBytes: 4_096,
  /** UTF-8 bytes of one canonical scalar. */
  maxValueBytes: 1_048_576,
  /** Sum of path and value bytes over all leaves. */
  maxTotalBytes: 8_388_608,
} as const;
