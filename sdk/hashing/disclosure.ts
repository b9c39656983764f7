// Selective disclosure (docs/hashing.md §4): one field of a hashed document shown to a third party
// with its salt and audit path, and the check of such a disclosure against the anchored root.
// Browser-safe.
import { sha256 } from "@noble/hashes/sha2.js";
import { hexToBytes } from "@noble/hashes/utils.js";
import { isHex, toHex, utf8 } from "../bytes.js";
import { inclusionProof, verifyInclusion } from "../merkle.js";
import { LONE_SURROGATE_RE, type JsonScalar } from "./canonical-json.js";
import { buildTree, bytes32, DOCUMENT_TAGS, leafInput, readSalts, SALT_BYTES, type FieldType } from "./document-hash.js";
import { DOCUMENT_LIMITS, HashingError } from "./limits.js";

// RFC 6901 §3: a pointer is a sequence of "/" + token, "~" only as "~0" or "~1".
const POINTER_RE = /^(?:\/(?:[^~/]|~[01])*)*$/u;

// ---- selective disclosure -----------------------------------------------------------------------

/**
 * One field shown to a third party, provable against the anchored root. JSON-serialisable. It
 * reveals the field, its salt, its position and the number of fields; the siblings are hashes of
 * salted leaves, so nothing about any other field's value.
 */
export interface Disclosure {
  path: string;
  type: FieldType;
  /** The scalar; for an object or array, its member count. */
  value: JsonScalar;
  /** 32-byte salt, lower-case hex. */
  salt: string;
  index: number;
  leafCount: number;
  /** RFC 6962 §2.1.1 audit path, sibling hashes from the leaf up, lower-case hex. */
  proof: string[];
}

/** Discloses the field at `path` (RFC 6901). `salts` must be exactly the document's salts. */
export function discloseField(doc: unknown, salts: Record<string, string>, path: string): Disclosure {
  if (typeof path !== "string") throw new HashingError("invalid_argument", "path must be a string (RFC 6901 JSON Pointer)");
  const tree = buildTree(doc, readSalts(salts), null);
  const index = tree.fields.findIndex((f) => f.path === path);
  if (index < 0) throw new HashingError("unknown_path", "the document has no field at this path", path);
  const f = tree.fields[index]!;
  return {
    path,
    type: f.type,
    value: f.raw,
    salt: tree.saltHex[index]!,
    index,
    leafCount: tree.leaves.length,
    proof: inclusionProof(sha256, tree.leaves, index, DOCUMENT_TAGS).map(toHex),
  };
}

/** Canonical value text of a disclosed field, or null if value and type do not fit together. */
function disclosedValue(type: unknown, value: unknown): string | null {
  switch (type) {
    case "null":
      return value === null ? "null" : null;
    case "boolean":
      return typeof value === "boolean" ? String(value) : null;
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? JSON.stringify(value) : null;
    case "string":
      return typeof value === "string" && !LONE_SURROGATE_RE.test(value) ? JSON.stringify(value) : null;
    case "object":
    case "array":
      return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? String(value) : null;
    default:
      return null;
  }
}

/** True iff `disclosure` proves its field under `root` (32 bytes or hex). Never throws. */
export function verifyDisclosure(root: Uint8Array | string, disclosure: unknown): boolean {
  try {
    const rootBytes = bytes32(root);
    if (!rootBytes || typeof disclosure !== "object" || disclosure === null) return false;
    const d = disclosure as Record<string, unknown>;
    const { path, type, index, leafCount, proof } = d;
    if (typeof path !== "string" || !POINTER_RE.test(path) || LONE_SURROGATE_RE.test(path)) return false;
    const json = disclosedValue(type, d.value);
    if (json === null) return false;
    if (!isHex(d.salt, SALT_BYTES)) return false;
    const salt = hexToBytes(d.salt);
    if (!Number.isSafeInteger(leafCount) || (leafCount as number) < 1 || (leafCount as number) > DOCUMENT_LIMITS.maxLeaves) return false;
    if (!Number.isSafeInteger(index)) return false;
    if (!Array.isArray(proof) || proof.length > 32 || !proof.every((p) => isHex(p, 32))) return false;
    const pathBytes = utf8(path);
    const valueBytes = utf8(json);
    if (pathBytes.length > DOCUMENT_LIMITS.maxPathBytes || valueBytes.length > DOCUMENT_LIMITS.maxValueBytes) return false;
    const leaf = sha256(leafInput(pathBytes, type as FieldType, salt, valueBytes));
    return verifyInclusion(sha256, leaf, index as number, leafCount as number, proof.map((p: string) => hexToBytes(p)), rootBytes, DOCUMENT_TAGS);
  } catch {
    return false;
  }
}
