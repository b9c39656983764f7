// The document hash (DESIGN.md §3, docs/hashing.md §2-§3): every field of a JSON document, salted,
// is one leaf of a Merkle tree whose root is anchored on the ledger. Browser-safe. The tree helpers
// exported for disclosure.ts and verify-document.ts are not SDK surface: index.ts lists that.
import { sha256 } from "@noble/hashes/sha2.js";
import { hexToBytes, randomBytes } from "@noble/hashes/utils.js";
import { compareBytes, isHex, toHex, utf8 } from "../bytes.js";
import { rootOfLeafHashes, type MerkleTags } from "../merkle.js";
import { canonicalScalar, checkArray, checkString, escapeToken, isPlainObject, type JsonScalar } from "./canonical-json.js";
import { DOCUMENT_LIMITS, HashingError } from "./limits.js";

export const SALT_BYTES = 32;

/** Merkle domain tags of document trees: distinct from each other and from RFC 6962's 0x00/0x01. */
export const DOCUMENT_TAGS: MerkleTags = {
  leaf: utf8("tradeledger/doc/v1/leaf\u0000"),
  node: utf8("tradeledger/doc/v1/node\u0000"),
  empty: utf8("tradeledger/doc/v1/empty\u0000"),
};

export type FieldType = "null" | "boolean" | "number" | "string" | "object" | "array";

/** One-byte type codes in the leaf preimage. */
export const FIELD_TYPE_CODES: Readonly<Record<FieldType, number>> = {
  null: 0x01,
  boolean: 0x02,
  number: 0x03,
  string: 0x04,
  object: 0x05,
  array: 0x06,
};

// ---- flattening a document into fields ----------------------------------------------------------

export interface Field {
  path: string;
  pathBytes: Uint8Array;
  type: FieldType;
  /** The scalar, or the member count of an object or array. */
  raw: JsonScalar;
  /** RFC 8785 text of raw. */
  json: string;
  valueBytes: Uint8Array;
}

function scalarType(value: JsonScalar): FieldType {
  if (value === null) return "null";
  return typeof value as "boolean" | "number" | "string";
}

/**
 * Every node of the JSON tree becomes one field, addressed by its RFC 6901 JSON Pointer: each
 * scalar with its canonical JSON, and each object and array (the root included) with its member
 * count. Committing to containers makes the mapping injective: {} vs [] vs absent, and
 * {"a":["x"]} vs {"a":{"0":"x"}} (same pointer "/a/0") all give different leaf sets.
 */
function flatten(doc: unknown): Field[] {
  const fields: Field[] = [];
  let totalBytes = 0;
  const add = (path: string, type: FieldType, raw: JsonScalar, json: string): void => {
    if (fields.length >= DOCUMENT_LIMITS.maxLeaves) throw new HashingError("too_large", `more than ${DOCUMENT_LIMITS.maxLeaves} fields`, path);
    const pathBytes = utf8(path);
    const valueBytes = utf8(json);
    if (pathBytes.length > DOCUMENT_LIMITS.maxPathBytes) throw new HashingError("too_large", `path longer than ${DOCUMENT_LIMITS.maxPathBytes} bytes`, path);
    if (valueBytes.length > DOCUMENT_LIMITS.maxValueBytes) throw new HashingError("too_large", `value longer than ${DOCUMENT_LIMITS.maxValueBytes} bytes`, path);
    totalBytes += pathBytes.length + valueBytes.length;
    if (totalBytes > DOCUMENT_LIMITS.maxTotalBytes) throw new HashingError("too_large", `document larger than ${DOCUMENT_LIMITS.maxTotalBytes} bytes`, path);
    fields.push({ path, pathBytes, type, raw, json, valueBytes });
  };
  const walk = (v: unknown, path: string, depth: number): void => {
    if (v === null || typeof v !== "object") {
      add(path, scalarType(v as JsonScalar), v as JsonScalar, canonicalScalar(v, path));
      return;
    }
    if (depth >= DOCUMENT_LIMITS.maxDepth) throw new HashingError("too_deep", `nested deeper than ${DOCUMENT_LIMITS.maxDepth} levels`, path);
    if (Array.isArray(v)) {
      checkArray(v, path);
      add(path, "array", v.length, String(v.length));
      for (let i = 0; i < v.length; i++) walk(v[i], `${path}/${i}`, depth + 1);
      return;
    }
    if (!isPlainObject(v)) throw new HashingError("not_plain_object", "not a plain object", path);
    const record = v as Record<string, unknown>;
    const keys = Object.keys(record);
    add(path, "object", keys.length, String(keys.length));
    for (const k of keys) {
      const childPath = `${path}/${escapeToken(k)}`;
      checkString(k, childPath, "member name");
      walk(record[k], childPath, depth + 1);
    }
  };
  walk(doc, "", 0);
  // Leaves are ordered by the bytes of the UTF-8 pointer (unsigned, shorter prefix first).
  // Pointers are unique, so the order is total.
  fields.sort((a, b) => compareBytes(a.pathBytes, b.pathBytes));
  return fields;
}

// ---- leaves and roots ---------------------------------------------------------------------------

/** LEAF_TAG || u32be(len path) || path || type || salt || u32be(len value) || value. */
export function leafInput(pathBytes: Uint8Array, type: FieldType, salt: Uint8Array, valueBytes: Uint8Array): Uint8Array {
  // Written into one buffer: this runs once per field, and hashing a document is dominated by it
  // and SHA-256. Equal to merkle.ts leafHash(sha256, data, DOCUMENT_TAGS)'s input.
  const tag = DOCUMENT_TAGS.leaf;
  const out = new Uint8Array(tag.length + 4 + pathBytes.length + 1 + SALT_BYTES + 4 + valueBytes.length);
  const view = new DataView(out.buffer);
  out.set(tag, 0);
  let off = tag.length;
  view.setUint32(off, pathBytes.length);
  out.set(pathBytes, (off += 4));
  out[(off += pathBytes.length)] = FIELD_TYPE_CODES[type];
  out.set(salt, (off += 1));
  view.setUint32((off += SALT_BYTES), valueBytes.length);
  out.set(valueBytes, off + 4);
  return out;
}

/**
 * The bytes hashed for one field: LEAF_TAG || u32be(len path) || path || type || salt ||
 * u32be(len value) || value, with path the UTF-8 JSON Pointer and value the UTF-8 canonical JSON.
 */
export function leafPreimage(path: string, type: FieldType, canonicalValue: string, salt: Uint8Array): Uint8Array {
  checkLeafArgs(path, type, canonicalValue, salt);
  return leafInput(utf8(path), type, salt, utf8(canonicalValue));
}

/** SHA-256 of leafPreimage(...): one leaf of a document tree. */
export function documentLeafHash(path: string, type: FieldType, canonicalValue: string, salt: Uint8Array): Uint8Array {
  checkLeafArgs(path, type, canonicalValue, salt);
  return sha256(leafInput(utf8(path), type, salt, utf8(canonicalValue)));
}

function checkLeafArgs(path: unknown, type: unknown, value: unknown, salt: unknown): void {
  if (typeof path !== "string" || typeof value !== "string") throw new HashingError("invalid_argument", "path and value must be strings");
  if (typeof type !== "string" || !Object.hasOwn(FIELD_TYPE_CODES, type)) throw new HashingError("invalid_argument", `unknown field type ${String(type)}`);
  if (!(salt instanceof Uint8Array) || salt.length !== SALT_BYTES) throw new HashingError("bad_salt", `a salt is ${SALT_BYTES} bytes`);
}

export interface DocumentLeaf {
  /** RFC 6901 JSON Pointer of the field ("" is the whole document). */
  path: string;
  type: FieldType;
  /** RFC 8785 text of the value; for objects and arrays, the member count. */
  value: string;
  leaf: Uint8Array;
}

export interface DocumentCommitment {
  /** The document hash: what is anchored on the ledger. */
  root: Uint8Array;
  rootHex: string;
  /** Salt of every field, lower-case hex, by path. Keep them: without them no one can verify. */
  salts: Record<string, string>;
  /** Every leaf, in tree order. */
  leaves: DocumentLeaf[];
}

export interface HashDocumentOptions {
  /** Salts to reuse, by path (lower-case hex, 32 bytes each); fields without one get a fresh one. */
  salts?: Record<string, string>;
  /** Random source for new salts (default: crypto.getRandomValues through @noble/hashes). */
  random?: (n: number) => Uint8Array;
}

/**
 * The default salt source: crypto.getRandomValues (through @noble/hashes) in chunks of up to
 * 64 KiB, its per-call limit, since one call per salt costs more than hashing the field.
 */
function batchedRandom(): (n: number) => Uint8Array {
  let pool = new Uint8Array(0);
  let used = 0;
  let chunk = 1024;
  return (n) => {
    if (used + n > pool.length) {
      pool = randomBytes(Math.max(n, chunk));
      used = 0;
      chunk = Math.min(chunk * 4, 65_536);
    }
    return pool.subarray(used, (used += n));
  };
}

export interface Tree {
  fields: Field[];
  salts: Uint8Array[];
  saltHex: string[];
  leaves: Uint8Array[];
  root: Uint8Array;
}

export function readSalts(salts: unknown): Map<string, string> {
  if (typeof salts !== "object" || salts === null || Array.isArray(salts)) throw new HashingError("invalid_argument", "salts must be an object of path -> hex");
  const out = new Map<string, string>();
  for (const [path, hex] of Object.entries(salts)) {
    if (!isHex(hex, SALT_BYTES)) throw new HashingError("bad_salt", `salt must be ${SALT_BYTES} bytes of lower-case hex`, path);
    out.set(path, hex);
  }
  return out;
}

export function buildTree(doc: unknown, given: Map<string, string>, random: ((n: number) => Uint8Array) | null): Tree {
  const fields = flatten(doc);
  const known = new Set(fields.map((f) => f.path));
  const extra = [...given.keys()].filter((p) => !known.has(p));
  if (extra.length > 0) throw new HashingError("salt_mismatch", `salts for paths the document does not have: ${extra.slice(0, 5).map((p) => JSON.stringify(p)).join(", ")}`);
  const salts: Uint8Array[] = [];
  const saltHex: string[] = [];
  const seen = new Set<string>();
  const leaves: Uint8Array[] = [];
  for (const f of fields) {
    let hex = given.get(f.path);
    let salt: Uint8Array;
    if (hex !== undefined) salt = hexToBytes(hex);
    else {
      if (!random) throw new HashingError("salt_mismatch", "no salt for this field", f.path);
      const r = random(SALT_BYTES);
      if (!(r instanceof Uint8Array) || r.length !== SALT_BYTES) throw new HashingError("bad_random", `the random source must return ${SALT_BYTES} bytes`);
      salt = Uint8Array.from(r);
      hex = toHex(salt);
    }
    // A salt shared by two fields lets whoever sees one of them brute-force the other.
    if (seen.has(hex)) throw new HashingError("bad_salt", "the same salt is used for two fields", f.path);
    seen.add(hex);
    salts.push(salt);
    saltHex.push(hex);
    leaves.push(sha256(leafInput(f.pathBytes, f.type, salt, f.valueBytes)));
  }
  return { fields, salts, saltHex, leaves, root: rootOfLeafHashes(sha256, leaves, DOCUMENT_TAGS) };
}

/**
 * The salted Merkle commitment of a JSON document (docs/hashing.md §2-§3). Throws HashingError
 * for anything that cannot be hashed safely; never converts or drops a value.
 */
export function hashDocument(doc: unknown, opts: HashDocumentOptions = {}): DocumentCommitment {
  if (typeof opts !== "object" || opts === null) throw new HashingError("invalid_argument", "options must be an object");
  if (opts.random !== undefined && typeof opts.random !== "function") throw new HashingError("invalid_argument", "random must be a function");
  const given = opts.salts === undefined ? new Map<string, string>() : readSalts(opts.salts);
  const tree = buildTree(doc, given, opts.random ?? batchedRandom());
  const salts: Record<string, string> = {};
  tree.fields.forEach((f, i) => (salts[f.path] = tree.saltHex[i]!));
  return {
    root: tree.root,
    rootHex: toHex(tree.root),
    salts,
    leaves: tree.fields.map((f, i) => ({ path: f.path, type: f.type, value: f.json, leaf: tree.leaves[i]! })),
  };
}

/** A 32-byte hash given as bytes or lower-case hex; null if it is neither. */
export function bytes32(value: unknown): Uint8Array | null {
  if (value instanceof Uint8Array) return value.length === 32 ? value : null;
  return isHex(value, 32) ? hexToBytes(value) : null;
}
